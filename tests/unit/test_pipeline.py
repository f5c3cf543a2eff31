"""The build's rendering stage: which outputs render, and where (in this process or in workers)."""

from __future__ import annotations

import gc
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from byline import faults, pipeline
from byline.content import sources
from byline.errors import BuildFailed
from byline.output.plan import SitePlan
from byline.pipeline import BuildResult
from byline.state.workspace import Workspace
from tests.conftest import MakeSite
from tests.helpers import article, build_site, options, snapshot, write_files
from tests.unit.test_plan import many_articles


def spy_on_workers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Record (items, workers) of every rendering pass (the passes that say how much to render in-process)."""
    calls: list[tuple[int, int]] = []
    real = pipeline.fork_imap

    def fork_imap(
        job: Callable[[Sequence[int]], Any], count: int, jobs: int, progress: Any = None, **chunking: int
    ) -> Iterator[Any]:
        if chunking:
            calls.append((count, jobs))
        return real(job, count, jobs, progress, **chunking)

    monkeypatch.setattr(pipeline, "fork_imap", fork_imap)
    return calls


def test_a_first_build_renders_everything_in_workers(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_MIN", 10)
    calls = spy_on_workers(monkeypatch)
    first = build_site(make_site(many_articles(12)), jobs=2)
    assert calls == [(first.rendered, 2)]
    assert first.rendered > 10


@pytest.fixture
def built(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, BuildResult]:
    """A twelve-article site built once in workers; ten changed pages are "many"."""
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_MIN", 10)
    root = make_site(many_articles(12))
    return root, build_site(root, jobs=2)


def test_a_rebuild_compares_here_and_renders_a_few_changed_pages_without_workers(
    built: tuple[Path, BuildResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, first = built
    calls = spy_on_workers(monkeypatch)
    write_files(root, {"content/articles/n12.md": article("Story 12", "2026-02-18 09:00", body="Edited.")})
    second = build_site(root, first.output, jobs=2)
    assert 0 < second.rendered < 10
    assert calls == [(second.rendered, 1)]  # only the changed pages reach the rendering pass
    assert "Edited." in (first.output / "articles/2026/02/18/story-12/index.html").read_text()


def test_a_rebuild_that_changes_many_pages_renders_them_in_workers(
    built: tuple[Path, BuildResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, first = built
    calls = spy_on_workers(monkeypatch)
    (root / "site.toml").write_text('name = "Renamed Daily"\n')  # every page shows the name
    second = build_site(root, first.output, jobs=2)
    assert calls == [(second.rendered, 2)]
    assert second.rendered == first.rendered


@pytest.fixture
def trust_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust file times as soon as a file is written (normally only after two seconds)."""
    monkeypatch.setattr(sources, "RACY_NS", 0)


def test_a_rebuild_reads_only_the_files_that_changed(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, trust_at_once: None
) -> None:
    root = make_site(many_articles(6))
    first = build_site(root)
    read: list[str] = []
    reading = sources._read
    monkeypatch.setattr(sources, "_read", lambda p: read.append(p.rsplit("/", 1)[-1]) or reading(p))
    write_files(root, {"content/articles/n3.md": article("Story 3", "2026-02-27 09:00", body="Edited.")})
    second = build_site(root, first.output)
    assert read == ["n3.md"] and second.parsed == 1
    assert "Edited." in (first.output / "articles/2026/02/27/story-3/index.html").read_text()


def test_files_skipped_as_unchanged_are_read_when_they_must_be_parsed_again(
    make_site: MakeSite, trust_at_once: None
) -> None:
    root = make_site(many_articles(3))
    first = build_site(root)
    (root / "site.toml").write_text('name = "Quayside"\ntimezone = "Asia/Tokyo"\n')  # every parse result changes
    second = build_site(root, first.output)
    assert second.parsed == first.parsed
    clean = build_site(root, root.parent / "clean", clean=True)
    assert snapshot(clean.output) == snapshot(first.output)


def test_a_corrupt_record_of_read_files_is_ignored(make_site: MakeSite, trust_at_once: None) -> None:
    root = make_site(many_articles(3))
    first = build_site(root)
    with sqlite3.connect(root / ".byline-cache/cache.sqlite3") as db:
        db.execute("UPDATE seen SET mtime = 'x', digest = 1")
    write_files(root, {"content/articles/n2.md": article("Story 2", "2026-02-28 09:00", body="Edited.")})
    build_site(root, first.output)
    assert "Edited." in (first.output / "articles/2026/02/28/story-2/index.html").read_text()


def _garble(cache: Path) -> None:
    cache.write_bytes(b"not a database " * 500)


def _truncate(cache: Path) -> None:
    data = cache.read_bytes()
    cache.write_bytes(data[: len(data) // 2])


def _drop_values(cache: Path) -> None:
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE parse SET value = NULL")


def _cut_values(cache: Path) -> None:
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE parse SET value = substr(value, 1, 40)")


def _cut_values_and_checksums(cache: Path) -> None:
    """What the checksum cannot catch: the bytes must then fail to decode."""
    with sqlite3.connect(cache) as db:
        rows = db.execute("SELECT key, value FROM parse").fetchall()
        db.executemany(
            "UPDATE parse SET value = ?, sum = ? WHERE key = ?", [(v[:40], zlib.crc32(v[:40]), k) for k, v in rows]
        )


@pytest.mark.parametrize("damage", [_garble, _truncate, _drop_values, _cut_values, _cut_values_and_checksums])
def test_a_damaged_cache_is_treated_as_empty(
    make_site: MakeSite, tmp_path: Path, trust_at_once: None, damage: Callable[[Path], None]
) -> None:
    """Never a crash, never wrong output: the rebuild equals a clean build of the edited site."""
    root = make_site(many_articles(4))
    first = build_site(root)
    write_files(root, {"content/articles/n2.md": article("Story 2", "2026-02-28 09:00", body="Edited.")})
    cache = root / ".byline-cache/cache.sqlite3"
    with sqlite3.connect(cache) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, which is damaged
    damage(cache)
    second = build_site(root, first.output)
    assert second.parsed == first.parsed  # nothing was taken from the damaged cache
    clean = build_site(root, tmp_path / "clean", clean=True)
    assert snapshot(second.output) == snapshot(clean.output)
    assert "Edited." in (second.output / "articles/2026/02/28/story-2/index.html").read_text()


def test_search_indexing_starts_before_the_pages_are_rendered(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind runs in its own process: started early, it overlaps rendering."""
    events: list[str] = []
    start, produce = pipeline.SearchIndexer.start, pipeline._produce
    monkeypatch.setattr(pipeline.SearchIndexer, "start", lambda self: events.append("index") or start(self))
    monkeypatch.setattr(pipeline, "_produce", lambda *a: events.append("render") or produce(*a))
    result = build_site(make_site(many_articles(3)))
    assert events == ["index", "render"]
    assert result.search and result.search.documents == 3


def test_a_build_leaves_nothing_frozen_for_the_next(make_site: MakeSite) -> None:
    """The preview builds again and again in one process: each build's frozen data is released."""
    root = make_site(many_articles(3))
    build_site(root)
    assert gc.get_freeze_count() == 0


def test_pages_wanted_first_are_shown_before_the_rest_is_planned_or_written(
    built: tuple[Path, BuildResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview's open pages: an article before the checks and the plan, other pages once the site is planned."""
    root, first = built
    page, home = "articles/2026/02/18/story-12/index.html", "index.html"
    events: list[str] = []
    articles, complete = SitePlan.articles, SitePlan.complete
    monkeypatch.setattr(SitePlan, "articles", lambda self: events.append("plan articles") or articles(self))
    monkeypatch.setattr(SitePlan, "complete", lambda self: events.append("plan rest") or complete(self))
    checks = pipeline.editorial_problems
    monkeypatch.setattr(pipeline, "editorial_problems", lambda *a: events.append("checks") or checks(*a))
    shown: list[dict[str, bytes]] = []

    def show(pages: pipeline.FirstPages) -> None:
        events.append("show")
        shown.append(dict(pages.pages))
        assert b"Edited first." not in (first.output / page).read_bytes()  # nothing written yet
        assert any(name.startswith("static/css/style.") for name in pages.assets)

    write_files(root, {"content/articles/n12.md": article("Story 12", "2026-02-18 09:00", body="Edited first.")})
    wanted = pipeline.FirstLook(frozenset({page, home, "gone/index.html"}), show)
    result = pipeline.Builder(options(root, first.output, jobs=2)).build(first=wanted)
    # The article is shown before the checks and before the other articles are planned; the rest once
    # every output is listed, before any is written.
    assert events == ["show", "checks", "plan rest", "plan articles", "show"]
    assert list(shown[0]) == [page] and set(shown[1]) == {page, home}
    assert shown[1][page] == shown[0][page] == (first.output / page).read_bytes()  # what the build wrote
    assert shown[1][home] == (first.output / home).read_bytes() and b"Edited first." in shown[0][page]
    assert result.rendered > 0


def test_a_primed_copy_keeps_the_record_of_reads_so_an_edit_there_renders_only_what_shows_it(
    built: tuple[Path, BuildResult], tmp_path: Path
) -> None:
    """The preview primes its second folder from the first: its first build there must not render the whole site."""
    root, first = built
    copy = tmp_path / "copy"
    pipeline.Builder(options(root, copy)).prime(copy, first.output)
    write_files(root, {"content/articles/n12.md": article("Story 12", "2026-02-18 09:00", body="Edited in the copy.")})
    edited = build_site(root, copy)
    assert "articles/2026/02/18/story-12/index.html" in edited.made
    assert len(edited.made) < 10 < first.rendered
    assert snapshot(copy) == snapshot(build_site(root, tmp_path / "clean").output)


def test_a_template_error_on_a_page_wanted_first_fails_the_build_untouched(
    built: tuple[Path, BuildResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, first = built
    before = snapshot(first.output)
    write_files(root, {"templates/article.html": "{% extends 'base.html' %}{% block main %}{{ nope.x }}{% endblock %}"})
    wanted = pipeline.FirstLook(frozenset({"articles/2026/02/18/story-12/index.html"}), lambda pages: None)
    with pytest.raises(BuildFailed) as failed:
        pipeline.Builder(options(root, first.output)).build(first=wanted)
    assert "templates/article.html" in failed.value.errors[0].format()
    assert snapshot(first.output) == before


# --- what a company edit renders ------------------------------------------------------------

QUAYSIDE = "---\nname: Quayside Tools\nwebsite: https://quayside.example\n---\nQuayside Tools makes tools.\n"


@pytest.fixture
def company_site(make_site: MakeSite) -> Path:
    """Three releases of Quayside Tools (two by its own reporter, one for it by another), and unrelated articles."""
    ruth = "---\nname: Ruth Calloway\n---\nRuth.\n"
    return make_site(
        {
            "site.toml": "per_page = 2\n",
            "content/authors/simon-malia.md": "---\nname: Simon Malia\ncompany: quayside-tools\n---\nSimon.\n",
            "content/authors/ruth-calloway.md": ruth,
            "content/companies/quayside-tools.md": QUAYSIDE,
            "content/companies/amble-boats.md": "---\nname: Amble Boats\n---\nBoats.\n",
            "content/companies/idle-co.md": "---\nname: Idle Co\n---\nNothing published.\n",
            "content/articles/quayside.md": None,
            "content/articles/q1.md": article("Quayside one", "2026-02-27 09:00", tags="[Ports]"),
            "content/articles/q2.md": article("Quayside two", "2026-02-25 09:00", tags="[Tools]"),
            "content/articles/q3.md": article(
                "Quayside three", "2026-02-20 09:00", author="ruth-calloway", company="quayside-tools", tags="[Tools]"
            ),
            "content/articles/a1.md": article(
                "Amble launch", "2026-02-26 09:00", author="ruth-calloway", company="amble-boats", tags="[Boats, Ports]"
            ),
            "content/articles/n1.md": article(
                "Desk view", "2026-02-24 09:00", author="ruth-calloway", section="news", tags="[Boats]"
            ),
        }
    )


def rendered_by_rebuild(root: Path, output: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The outputs a rebuild renders (written unless they come out byte for byte as before), by site path."""
    return {"/" + p.removesuffix("index.html") for p in build_site(root, output).made}


def test_editing_a_companys_about_text_renders_exactly_the_pages_and_feeds_that_show_it(
    company_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build_site(company_site)
    write_files(company_site, {"content/companies/quayside-tools.md": QUAYSIDE.replace("makes tools", "forges tools")})
    assert rendered_by_rebuild(company_site, first.output, monkeypatch) == {
        # its releases' pages end with its About box
        "/articles/2026/02/27/quayside-one/",
        "/articles/2026/02/25/quayside-two/",
        "/articles/2026/02/20/quayside-three/",
        # its own pages (the About text is each one's description)
        "/companies/quayside-tools/",
        "/companies/quayside-tools/page/2/",
        # and every feed carrying one of its releases, whose entries end with the About text
        "/feed.xml",
        "/members-news/feed.xml",
        "/companies/quayside-tools/feed.xml",
        "/authors/simon-malia/feed.xml",
        "/authors/ruth-calloway/feed.xml",
        "/topics/ports/feed.xml",
        "/topics/tools/feed.xml",
    }
    assert "forges tools" in (first.output / "companies/quayside-tools/index.html").read_text()


def test_renaming_a_company_renders_every_page_naming_it_and_no_other(
    company_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build_site(company_site)
    write_files(
        company_site, {"content/companies/quayside-tools.md": QUAYSIDE.replace("name: Quayside Tools", "name: QT")}
    )
    rendered = rendered_by_rebuild(company_site, first.output, monkeypatch)
    assert {
        "/companies/",  # the A to Z
        "/search/",  # its Company filter
        "/authors/",  # Simon's profile names the company he posts for
        "/authors/simon-malia/",
        "/topics/tools/",  # cards name the company
        "/members-news/",
        "/",
        "/articles/2026/02/26/amble-launch/",  # the card of its related release names the company
    } <= rendered
    assert {
        "/articles/2026/02/24/desk-view/",  # an unrelated newsroom story
        "/topics/boats/",
        "/companies/amble-boats/",
        "/news/feed.xml",
        "/regions/",
    }.isdisjoint(rendered)


def test_editing_a_company_with_no_published_article_renders_nothing(
    company_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build_site(company_site)
    write_files(company_site, {"content/companies/idle-co.md": "---\nname: Idle Company\n---\nStill nothing.\n"})
    assert rendered_by_rebuild(company_site, first.output, monkeypatch) == set()


def test_the_cache_holds_what_a_whole_scan_would_record_after_edits(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A builder saves only the entries its scans changed; the record must still be the scan's whole record."""
    monkeypatch.setattr(sources, "RACY_NS", 0)  # record every file at once, not two seconds after its save
    root = make_site(many_articles(4))
    builder = pipeline.Builder(options(root))
    builder.build()
    write_files(root, {"content/articles/n1.md": article("Story 1", "2026-02-28 09:00", body="Edited.")})
    (root / "content/articles/n2.md").unlink()
    write_files(root, {"content/articles/new.md": article("New", "2026-03-01 08:00")})
    builder.build()
    workspace = Workspace(root, options(root).output)
    cache = workspace.cache(read_only=True)
    try:
        recorded = cache.get_seen()
    finally:
        cache.close()
    whole: dict[str, sources.Seen] = {}
    sources.find_sources(root, whole)
    assert recorded == whole
    assert "content/articles/n2.md" not in recorded and "content/articles/new.md" in recorded


def test_parse_results_kept_in_memory_follow_the_files(make_site: MakeSite) -> None:
    """A builder reuses the parse results of unchanged files and drops those of files changed or gone."""
    root = make_site(many_articles(3))
    builder = pipeline.Builder(options(root))
    first = builder.build()
    write_files(root, {"content/articles/n1.md": article("Story 1", "2026-02-28 09:00", body="Edited.")})
    (root / "content/articles/n2.md").unlink()
    second = builder.build()
    assert second.parsed == 1  # only the edited file
    assert second.articles == first.articles - 1
    again = pipeline.Builder(options(root)).check()
    assert again.site == builder.check().site


def _lose_parse_results(root: Path) -> None:
    """What another build's prune, or an editor removing the cache, does to a running build."""
    with sqlite3.connect(root / ".byline-cache/cache.sqlite3") as db:
        db.execute("DELETE FROM parse")


def test_pages_made_again_in_workers_read_their_bodies_back_from_the_cache(
    built: tuple[Path, BuildResult], tmp_path: Path
) -> None:
    """An edit's model holds no article body: each page made again reads its own back, in its worker."""
    root, first = built
    (root / "site.toml").write_text('name = "Renamed Daily"\n')  # every page made again
    second = build_site(root, first.output, jobs=2)
    assert second.site is not None and second.site.articles
    assert all(article.body.packed is None for article in second.site.articles)
    assert second.rendered == first.rendered
    clean = build_site(root, tmp_path / "clean", clean=True)
    assert snapshot(second.output) == snapshot(clean.output)


@pytest.mark.parametrize("jobs", [1, 2])
def test_bodies_the_cache_lost_during_a_build_are_parsed_again_from_their_files(
    built: tuple[Path, BuildResult], tmp_path: Path, jobs: int
) -> None:
    root, first = built
    (root / "site.toml").write_text('name = "Renamed Daily"\n')
    with faults.injected(lambda name: _lose_parse_results(root) if name == "stage:plan" else None):
        second = build_site(root, first.output, jobs=jobs)
    clean = build_site(root, tmp_path / "clean", clean=True)
    assert snapshot(second.output) == snapshot(clean.output)


def test_a_file_changed_during_a_build_whose_body_the_cache_lost_fails_it_untouched(
    built: tuple[Path, BuildResult],
) -> None:
    """Its body now is not the one the rest of the build read: the build stops, and says to build again."""
    root, first = built
    before = snapshot(first.output)
    (root / "site.toml").write_text('name = "Renamed Daily"\n')
    edited = "content/articles/n3.md"

    def change_and_lose(name: str) -> None:
        if name == "stage:plan":
            write_files(root, {edited: article("Story 3", "2026-02-19 09:00", body="Changed meanwhile.")})
            _lose_parse_results(root)

    with faults.injected(change_and_lose), pytest.raises(BuildFailed) as failed:
        build_site(root, first.output, jobs=2)
    assert [e.format() for e in failed.value.errors] == [
        f"{edited}:1: the file changed while the site was being built; build again"
    ]
    assert snapshot(first.output) == before


def test_a_build_that_read_bodies_back_leaves_the_cache_without_a_write_ahead_log(
    built: tuple[Path, BuildResult],
) -> None:
    """``check`` reads the cache only with its log empty: the reader of bodies closes before the writer."""
    root, first = built
    (root / "site.toml").write_text('name = "Renamed Daily"\n')
    second = build_site(root, first.output, jobs=1)  # bodies read back in this process
    assert second.rendered == first.rendered
    assert not (root / ".byline-cache/cache.sqlite3-wal").exists()


def recorded_inputs(root: Path, output: Path) -> dict[str, str]:
    """The record of inputs' facts (every file's entity, every map's digest) as the cache holds them for ``output``."""
    query = "SELECT f.key, f.identity FROM facts f JOIN graphs g ON f.gid = g.gid WHERE g.folder = ?"
    with sqlite3.connect(root / ".byline-cache/cache.sqlite3") as db:
        rows = db.execute(query, (str(output),)).fetchall()
    return {key: identity for key, identity in rows if key.startswith(("e|", "d|"))}


def test_an_edit_that_keeps_the_record_of_inputs_records_what_a_clean_build_records(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """A draft is read by no page, only by the record of inputs, which an edit keeps: its new key is saved all
    the same, or the draft put back as it was would look unchanged to the next build."""
    root = make_site({**many_articles(3), "content/articles/draft.md": article("Draft", draft="true")})
    first = build_site(root)
    write_files(root, {"content/articles/draft.md": article("Draft", draft="true", body="Reworded.")})
    edited = build_site(root, first.output)
    assert edited.rendered == 0
    clean = build_site(root, tmp_path / "clean", clean=True)
    assert recorded_inputs(root, edited.output) == recorded_inputs(root, clean.output)
    assert "e|content/articles/draft.md" in recorded_inputs(root, edited.output)


def test_an_edit_undone_after_the_record_of_inputs_was_kept_renders_the_page_back(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """An edit keeps the record of inputs (the same files) and saves only the file's new key: undone, the
    key differs from the one recorded again, so the page is made back as it was."""
    root = make_site(many_articles(4))
    first = build_site(root)
    path = root / "content/articles/n1.md"
    original = path.read_text()
    path.write_text(original.replace("\n---\n", "\n---\nA correction.\n\n", 1))
    edited = build_site(root, first.output)
    path.write_text(original)
    undone = build_site(root, first.output)
    assert edited.rendered and undone.made == edited.made
    assert snapshot(undone.output) == snapshot(build_site(root, tmp_path / "clean", clean=True).output)


@pytest.mark.parametrize("watched", [False, True])
def test_only_an_unwatched_builders_output_has_its_folders_listings_recorded(
    make_site: MakeSite, watched: bool
) -> None:
    """A watched builder keeps its folders' files itself (nothing else writes them): listing them would be waste."""
    root = make_site()
    builder = pipeline.Builder(options(root))
    builder.watched = watched
    output = builder.build().output.resolve()
    cache = Workspace(root, output).cache()
    try:
        assert bool(list(cache.listings(output).rows())) is not watched
    finally:
        cache.close()


@pytest.mark.parametrize("watched", [False, True])
def test_only_a_watched_builder_holds_what_files_held_once_the_cache_has_it(make_site: MakeSite, watched: bool) -> None:
    """An entry for every file of the archive, which a builder no watcher keeps reads from the cache next time."""
    root = make_site(many_articles(3))
    builder = pipeline.Builder(options(root))
    builder.watched = watched
    builder.build()
    assert (builder._loader._seen is not None) is watched
    write_files(root, {"content/articles/n1.md": article("Story 1", "2026-02-28 09:00", body="Edited.")})
    if watched:
        builder.note_changes([root / "content/articles/n1.md"])  # as the preview's watcher does
    assert builder.build().parsed == 1  # the next build still reads only the file that changed
