"""byline.state.cache: what a rebuild writes to the cache is only what changed, and reads back whole."""

from __future__ import annotations

from pathlib import Path

from byline.state.cache import Cache, decode_result, encode_result
from tests.helpers import article, load_text


def test_fingerprints_written_as_a_difference_read_back_as_the_whole_build(tmp_path: Path) -> None:
    folder = tmp_path / "public"
    cache = Cache(tmp_path)
    first = {"a/index.html": "1:10", "b/index.html": "2:20", "c/index.html": "3:30"}
    cache.put_fingerprints(folder, first)
    second = {"a/index.html": "1:10", "b/index.html": "9:21", "d/index.html": "4:40"}
    cache.put_fingerprints(folder, second, recorded=first)
    assert cache.get_fingerprints(folder) == second
    cache.put_fingerprints(tmp_path / "other", {"x": "1:1"})
    cache.put_fingerprints(folder, {"e/index.html": "5:50"})  # no record given: the folder's rows are replaced
    assert cache.get_fingerprints(folder) == {"e/index.html": "5:50"}
    assert cache.get_fingerprints(tmp_path / "other") == {"x": "1:1"}
    cache.close()


def test_the_record_of_read_files_survives_reopening_and_forgets_removed_files(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put_seen({"content/articles/a.md": (1, 2, 3, 4, "aa"), "content/articles/b.md": (5, 6, 7, 8, "bb")}, set())
    cache.close()
    cache = Cache(tmp_path)
    cache.put_seen({"content/articles/c.md": (9, 9, 9, 9, "cc")}, {"content/articles/a.md"})
    cache.close()
    assert Cache(tmp_path, read_only=True).get_seen() == {
        "content/articles/b.md": (5, 6, 7, 8, "bb"),
        "content/articles/c.md": (9, 9, 9, 9, "cc"),
    }


def test_a_parse_result_reads_back_as_it_was_written() -> None:
    body = "Opening day.\n\n![The depot](/static/images/depot.jpg) [Map](/map/?a=1&b=2)\n\n[^1]: A note."
    model, problems = load_text(article(body=body, tags="[Ports, Logistics]", updated="2026-03-02 10:00"))
    assert model is not None and problems == []
    assert model.body.images == ("/static/images/depot.jpg",) and "/map/?a=1&b=2" in model.body.hrefs
    assert decode_result(encode_result(model, problems)) == (model, problems)
