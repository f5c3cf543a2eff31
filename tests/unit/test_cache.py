"""byline.state.cache: what a rebuild writes to the cache is only what changed, and reads back whole."""

from __future__ import annotations

import dataclasses
import gc
import marshal
import math
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from byline.content.models import Article, Author, Company, Html, Page, Rendered, Unfinished
from byline.errors import ContentError
from byline.state import graph
from byline.state.cache import Cache, StoredBodies, decode_result, encode_result
from tests.fuzz.strategies import front_matter, markdown_text, yaml_front_matter
from tests.helpers import AUTHOR, article, load_text


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


def test_the_records_of_folders_no_longer_there_are_forgotten_and_the_others_kept(tmp_path: Path) -> None:
    """A preview stopped before it could drop its folders' records leaves them: the next one drops them."""
    kept, gone = tmp_path / "public", tmp_path / "byline-preview-x" / "all-b"
    kept.mkdir()
    cache = Cache(tmp_path / "cache.sqlite3")
    for folder in (kept, gone):
        learnt = graph.Learnt("key", fresh=True, readers={"o:index.html": ("index.html|page", {"t|index.html": "t"})})
        cache.record(folder, "m", {"index.html": "1:10"}, None, [("a.md", None, "/a/")], learnt)
    assert cache.forget_gone() == [str(gone)]
    assert cache.get_fingerprints(gone, "m") is None and cache.get_graph(gone, "m", "key") is None
    assert cache.get_published(gone) is None
    assert cache.get_fingerprints(kept, "m") == {"index.html": "1:10"} and cache.get_graph(kept, "m", "key")
    assert cache.forget_gone() == []


def test_a_parse_entry_changed_on_disk_is_not_believed(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    cache = Cache(path)
    cache.put_parsed({"k": encode_result(*load_text(article()))})
    assert set(cache.get_parsed(["k"])) == {"k"}
    cache.close()
    with sqlite3.connect(path) as db:
        (stored,) = db.execute("SELECT value FROM parse").fetchone()
        changed = stored.replace(b"depot", b"DEPOT")
        assert changed != stored and decode_result(changed)[0] is not None  # it still reads: only the checksum tells
        db.execute("UPDATE parse SET value=?", (changed,))
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


ARTICLE_BODY = """Opening day at the depot.

![The depot](/static/images/depot.jpg "The depot")

https://www.youtube.com/watch?v=dQw4w9WgXcQ

Read [the plan](/map/?a=1&b=2) and "quoted" -- text.[^1] <span onclick="x()">Hi</span> <script>alert(1)</script>

[^1]: A note.
"""
FULL_ARTICLE = article(
    body=ARTICLE_BODY,
    section="news",
    summary="A depot opens.",
    tags="[Ports, Logistics]",
    region="North West",
    image="/static/images/depot.jpg",
    image_alt="The depot",
    image_credit="Quayside Tools",
    company="quayside-tools",
    updated="2026-03-02 10:00",
    corrections="\n  - date: 2026-03-02 11:00\n    note: An earlier version gave the wrong date.",
    aliases="[/articles/2014/01/27/old/, /old/depot/]",
    id="3F1C2A9E-5B7D-4C1E-9A2B-7D8E6F5A4B3C",
    draft="true",
    extra="{note: [1, 2.5, true, null, {deep: x}], other: -3}",
)
AUTHOR_FULL = AUTHOR.replace(
    "role: Reporter\n",
    "role: Reporter\norganisation: Quayside Tools\ncompany: quayside-tools\navatar: /static/images/simon.png\n"
    "links: {twitter: 'https://twitter.example/s', email: 'mailto:s@example.com'}\n",
)
COMPANY = (
    "---\nname: BT Group\nwebsite: https://www.bt.example\nlogo: /static/companies/bt.png\nlogo_alt: BT Group logo\n"
    "sector: Telecommunications\nregion: North West\ncontact: press@bt.example\n---\nBT Group is a *telecoms* company.\n"
)
PAGE = "---\ntitle: About us\nsummary: Who we are.\nmenu: [main, footer]\n---\nWe publish [members' news](/news/).\n"


@pytest.mark.parametrize(
    ("text", "kind", "made"),
    [
        (FULL_ARTICLE, "article", Article),
        (article(), "article", Article),
        (AUTHOR_FULL, "author", Author),
        (COMPANY, "company", Company),
        (PAGE, "page", Page),
        (article(date="2026-13-45", body="A [link](/x/) and ![pic](/static/p.png)"), "article", Unfinished),
        (b"---\ntitle: \xff\n---\n", "article", type(None)),
    ],
    ids=["article-with-everything", "article", "author", "company", "page", "unfinished", "unreadable"],
)
def test_every_kind_of_parse_result_reads_back_equal(text: str | bytes, kind: Any, made: type) -> None:
    model, problems = load_text(text, kind)
    assert type(model) is made
    decoded, decoded_problems = decode_result(encode_result(model, problems))
    assert (decoded, decoded_problems) == (model, problems)
    assert all(type(p) is ContentError for p in decoded_problems)
    if model is not None:  # the one Rendered of each kind keeps its HTML as Html, which carries the digest
        values = [getattr(decoded, f.name) for f in dataclasses.fields(decoded)]
        assert [type(v.html) for v in values if isinstance(v, Rendered)] == [Html]


def test_the_full_article_keeps_every_field_it_was_parsed_with() -> None:
    """The case above is only a proof if the parser filled the fields the codec treats apart."""
    model, problems = load_text(FULL_ARTICLE)
    assert isinstance(model, Article) and problems and {p.severity for p in problems} == {"warning"}
    assert model.corrections and model.aliases and model.updated and model.company
    assert model.body.images and model.body.hrefs and model.body.embeds and model.body.removed
    assert model.meta == {"extra": {"note": [1, 2.5, True, None, {"deep": "x"}], "other": -3}}
    decoded, _ = decode_result(encode_result(model, problems))
    assert isinstance(decoded, Article) and isinstance(decoded.body.html, Html) and isinstance(model.body.html, Html)
    assert decoded.body.html.digest == model.body.html.digest
    assert decoded.date.utcoffset() == model.date.utcoffset()


def _has_nan(value: object) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nan(v) for v in value)
    return False


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter, markdown_text, st.sampled_from(["article", "author", "company", "page"]))
def test_any_parse_result_reads_back_as_it_was_written(values: dict[object, object], body: str, kind: Any) -> None:
    base: dict[object, object] = {"title": "Quayside opens", "date": "2026-03-01 09:00", "author": "simon-malia"}
    model, problems = load_text(f"---\n{yaml_front_matter({**base, **values})}---\n{body}\n", kind)
    encoded = encode_result(model, problems)
    decoded = decode_result(encoded)
    assert encode_result(*decoded) == encoded
    if not _has_nan(getattr(model, "meta", None)):  # NaN equals nothing, itself included
        assert decoded == (model, problems)


def test_parse_results_are_found_by_key_whether_few_or_most_are_wanted(tmp_path: Path) -> None:
    """Most wanted: the table is read whole and filtered; a few: they are looked up by key. Either way, only those."""
    cache = Cache(tmp_path / "cache.sqlite3")
    stored = {f"k{i}": encode_result(*load_text(article(title=f"Depot {i}"))) for i in range(5)}
    cache.put_parsed(stored)
    for wanted in (["k1"], ["k0", "k2", "k3", "k4", "gone"]):
        found = cache.get_parsed(wanted)
        assert found == {key: decode_result(stored[key]) for key in wanted if key in stored}
        assert gc.isenabled()
    cache.close()


@pytest.mark.parametrize(
    "value",
    [b"", b"not marshal", marshal.dumps(None), marshal.dumps((99, ())), marshal.dumps(((0, "too few"), ()))],
    ids=["empty", "garbage", "none", "no-such-kind", "wrong-fields"],
)
def test_an_entry_that_does_not_read_as_a_parse_result_is_a_miss(tmp_path: Path, value: bytes) -> None:
    """Its checksum holds (written so, or by another program): the decoding itself must turn it away."""
    cache = Cache(tmp_path / "cache.sqlite3")
    cache.put_parsed({"bad": value, "good": encode_result(*load_text(article()))})
    assert set(cache.get_parsed(["bad", "good"])) == {"good"}
    cache.close()


def test_dead_parse_results_are_forgotten_once_they_are_one_in_eight(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache.sqlite3")
    entry = encode_result(*load_text(article()))
    cache.put_parsed({f"k{i}": entry for i in range(18)})
    live = {f"k{i}" for i in range(16)}
    cache.prune(live)  # two dead of eighteen: left for later
    assert set(cache.get_parsed([f"k{i}" for i in range(18)])) == live | {"k16", "k17"}
    live = {f"k{i}" for i in range(8)}
    cache.prune(live)
    assert set(cache.get_parsed([f"k{i}" for i in range(18)])) == live
    cache.close()


def test_a_malformed_record_of_a_read_file_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    cache = Cache(path)
    cache.put_seen({"content/articles/a.md": (1, 2, 3, 4, "aa"), "content/articles/b.md": (5, 6, 7, 8, "bb")}, set())
    cache.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE seen SET size = 'large' WHERE path = 'content/articles/a.md'")
    db.close()
    assert Cache(path, read_only=True).get_seen() == {"content/articles/b.md": (5, 6, 7, 8, "bb")}


def test_every_files_line_keys_are_shared_strings_after_the_cache_too() -> None:
    """Each article's map of key lines held its own 'title', 'date', ...: 0.6 KB an article, 60 MB at 100,000."""
    decoded = []
    for text in (article(tags="[a, b]"), article("Other", tags="[c, d]")):
        model, problems = load_text(text)
        decoded.append(decode_result(encode_result(model, problems))[0])
    first, second = ({key: key for key in model.lines} for model in decoded if model is not None)
    assert {"title", "date", "tags[1]"} <= first.keys() & second.keys()
    assert all(first[key] is second[key] for key in first.keys() & second.keys())


def test_values_articles_repeat_are_shared_strings_after_the_cache_too() -> None:
    """Topics, authors, section, region and company: each article held its own copies, 0.3 KB an article."""
    texts = [
        article(title, tags="[Ports, Logistics]", region="North West", company="quayside-tools", section="news")
        for title in ("Quayside Tools opens a depot", "Quayside Tools hires")
    ]
    decoded = []
    for text in texts:
        model, problems = load_text(text)
        decoded.append(decode_result(encode_result(model, problems))[0])
    first, second = decoded
    assert isinstance(first, Article) and isinstance(second, Article)
    for name in ("tags", "authors"):
        assert all(a is b for a, b in zip(getattr(first, name), getattr(second, name), strict=True))
    for name in ("section", "region", "company"):
        assert getattr(first, name) is getattr(second, name) is not None


def test_an_article_read_with_its_body_left_in_the_cache_reads_it_back_by_key(tmp_path: Path) -> None:
    """An edit's model holds no article's body; the render reads back those it shows (docs/design.md)."""
    path = tmp_path / "cache.sqlite3"
    cache = Cache(path)
    entries = {}
    for key, text, kind in (("a", FULL_ARTICLE, "article"), ("p", PAGE, "page"), ("s", AUTHOR_FULL, "author")):
        model, problems = load_text(text, kind=kind)
        entries[key] = (model, encode_result(model, problems))
    cache.put_parsed({key: encoded for key, (_, encoded) in entries.items()})
    found = cache.get_parsed(["a", "p", "s"], leave_bodies=True)
    left, written = found["a"][0], entries["a"][0]
    assert isinstance(left, Article) and isinstance(written, Article)
    assert left.body.packed is None and written.body.packed is not None
    assert left == dataclasses.replace(written, body=dataclasses.replace(written.body, packed=None))
    with pytest.raises(LookupError):
        _ = left.body.html
    assert found["p"][0] == entries["p"][0] and found["s"][0] == entries["s"][0]  # pages and bios stay whole
    assert cache.get_parsed(["a"])["a"][0] == written
    stored = StoredBodies(path)
    assert stored.packed("a") == written.body.packed
    assert stored.packed("missing") is None and stored.packed("p") is None
    with sqlite3.connect(path) as db:
        db.execute("UPDATE parse SET sum = sum + 1 WHERE key='a'")
    assert stored.packed("a") is None  # not what was written: the caller parses the file again
    stored.close()
    cache.close()


def test_stored_bodies_read_in_a_forked_worker_through_a_connection_of_its_own(tmp_path: Path) -> None:
    """A sqlite connection must not cross a fork: the render's workers are forked from the build."""
    path = tmp_path / "cache.sqlite3"
    cache = Cache(path)
    model, problems = load_text(FULL_ARTICLE)
    cache.put_parsed({"a": encode_result(model, problems)})
    cache.close()
    stored = StoredBodies(path)
    assert stored.packed("a") is not None
    parents = stored._db
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        ok = stored.packed("a") == model.body.packed and stored._db is not None and stored._db is not parents
        os.write(writer, b"1" if ok else b"0")
        os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    assert os.read(reader, 1) == b"1"
    assert stored._db is parents  # the parent's connection is still its own
    stored.close()
