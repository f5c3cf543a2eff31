"""byline.state.cache: what a rebuild writes to the cache is only what changed, and reads back whole."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from byline.state.cache import Cache, decode_result, encode_result
from tests.helpers import article, load_text


def test_fingerprints_written_as_a_difference_read_back_as_the_whole_build(tmp_path: Path) -> None:
    folder = tmp_path / "public"
    cache = Cache(tmp_path / "cache.sqlite3")
    first = {"a/index.html": "1:10", "b/index.html": "2:20", "c/index.html": "3:30"}
    cache.record(folder, "m1", first, None, [])
    second = {"a/index.html": "1:10", "b/index.html": "9:21", "d/index.html": "4:40"}
    cache.record(folder, "m2", second, first, [])
    assert cache.get_fingerprints(folder, "m2") == second
    cache.record(tmp_path / "other", "m", {"x": "1:1"}, None, [])
    cache.record(folder, "m3", {"e/index.html": "5:50"}, None, [])  # no record given: the folder's rows are replaced
    assert cache.get_fingerprints(folder, "m3") == {"e/index.html": "5:50"}
    assert cache.get_fingerprints(tmp_path / "other", "m") == {"x": "1:1"}
    cache.close()


def test_fingerprints_are_trusted_only_for_the_output_the_last_commit_left(tmp_path: Path) -> None:
    """Another site's build, or an undone commit, leaves another marker file: the records describe another output."""
    folder = tmp_path / "public"
    cache = Cache(tmp_path / "cache.sqlite3")
    cache.record(folder, "marker-1", {"a/index.html": "1:10"}, None, [("a.md", None, "/a/")])
    assert cache.get_fingerprints(folder, "marker-2") is None
    assert cache.get_fingerprints(tmp_path / "never-built", "") is None
    cache.distrust(folder, {"a/index.html"})
    assert cache.get_fingerprints(folder, "marker-1") == {}
    assert cache.get_published(folder) is None  # the check then reads the output's own sitemap
    cache.distrust(folder)
    assert cache.get_fingerprints(folder, "marker-1") is None
    cache.close()


def test_a_parse_entry_changed_on_disk_is_not_believed(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    cache = Cache(path)
    cache.put_parsed({"k": encode_result(*load_text(article()))})
    assert set(cache.get_parsed(["k"])) == {"k"}
    cache.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE parse SET html = CAST(replace(CAST(html AS TEXT), 'depot', 'DEPOT') AS BLOB)")
    db.close()
    assert Cache(path).get_parsed(["k"]) == {}


def test_the_record_of_read_files_survives_reopening_and_forgets_removed_files(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    cache = Cache(path)
    cache.put_seen({"content/articles/a.md": (1, 2, 3, 4, "aa"), "content/articles/b.md": (5, 6, 7, 8, "bb")}, set())
    cache.close()
    cache = Cache(path)
    cache.put_seen({"content/articles/c.md": (9, 9, 9, 9, "cc")}, {"content/articles/a.md"})
    cache.close()
    assert Cache(path, read_only=True).get_seen() == {
        "content/articles/b.md": (5, 6, 7, 8, "bb"),
        "content/articles/c.md": (9, 9, 9, 9, "cc"),
    }


def test_a_parse_result_reads_back_as_it_was_written() -> None:
    body = "Opening day.\n\n![The depot](/static/images/depot.jpg) [Map](/map/?a=1&b=2)\n\n[^1]: A note."
    model, problems = load_text(article(body=body, tags="[Ports, Logistics]", updated="2026-03-02 10:00"))
    assert model is not None and problems == []
    assert model.body.images == ("/static/images/depot.jpg",) and "/map/?a=1&b=2" in model.body.hrefs
    assert decode_result(encode_result(model, problems)) == (model, problems)
