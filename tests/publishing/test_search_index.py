"""The Pagefind index: published articles only, five filters, shards of calendar periods up to a cap and one for the newest month, reused when nothing indexed changed, reproducible."""

from __future__ import annotations

import dataclasses
import errno
import fcntl
import itertools
import json
import math
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from byline.errors import BuildFailed
from byline.output.plan import Output, SitePlan, plan_site
from byline.output.search import bundle as search_bundle
from byline.output.search import documents as search_docs
from byline.output.search import indexer as search_indexer
from byline.output.search import pagefind_run
from byline.output.views import Views
from byline.site.model import Site
from tests.conftest import MakeSite
from tests.helpers import NOW, article, build_site, check_site, locked_by_another, snapshot
from tests.publishing.sample import SampleSite, picture

SECOND_AUTHOR = "---\nname: Ruth Calloway\n---\nRuth reports on energy.\n"
FILES = {
    "content/authors/ruth-calloway.md": SECOND_AUTHOR,
    "content/articles/a.md": article(
        "Tidewell orders ferries", "2026-02-01", tags="[Shipping, Energy]", region="North East"
    ),
    "content/articles/b.md": article(
        "Harbour turbine turns", "2026-02-02", author="ruth-calloway", tags="[Energy]", region="Cumbria"
    ),
    "content/articles/c.md": article("Desk view on exports", "2026-02-03", section="news", tags="[Exports, Shipping]"),
    "content/articles/draft.md": article("A draft", "2026-02-04", body="Quantum marmalade.", draft="true"),
    "content/articles/later.md": article("Scheduled", "2026-04-01", body="Heliotrope ledger."),
    "content/articles/old.md": article("Pennine Loom turns 150", "2025-06-01", tags="[Textiles]", region="Yorkshire"),
}


def filters_of(folder: Path) -> dict[str, list[str]]:
    """Filter name -> its values, read from one shard's own metadata and filter files."""
    return {name: [value[0] for value in values] for name, values in search_bundle.filters(folder).items()}


def documents_of(site: Site) -> list[search_docs.SearchDocument]:
    """The search documents of ``site`` as a build makes them, with nothing known from an earlier build."""
    return search_docs.search_documents(SitePlan(site, now=NOW))


def shards(out: Path) -> list[str]:
    return json.loads((out / "pagefind/shards.json").read_text())["shards"]


def test_sample_index_holds_the_published_articles_only(sample: SampleSite) -> None:
    newest, *years = shards(sample.out)
    assert years == ["2026", "2025"] and newest.startswith("2026-"), "the newest month, then the rest of each year"
    recent = sample.out / "pagefind" / newest
    assert (recent / "pagefind.js").is_file() and (recent / "pagefind-entry.json").is_file()
    assert not (recent / "pagefind-ui.js").exists(), "Pagefind's own interfaces are not shipped"
    for year in years:
        assert not (sample.out / f"pagefind/{year}/pagefind.js").exists(), "the newest shard's code searches all"
    assert sample.result.search is not None
    assert sample.result.search.documents == sample.result.articles == len(sample.article_urls)
    counts = {
        shard: json.loads((sample.out / "pagefind" / shard / "pagefind-entry.json").read_text())["languages"]["en-gb"]
        for shard in shards(sample.out)
    }
    assert sum(c["page_count"] for c in counts.values()) == len(sample.article_urls)
    assert counts["2025"]["page_count"] == len([u for u in sample.article_urls if u.startswith("/articles/2025/")])


def test_documents_come_from_published_article_pages_only(make_site: MakeSite) -> None:
    root = make_site(FILES)
    site = check_site(root, drafts=True, future=True).site  # the preview shows drafts; search still must not
    assert site is not None and len(site.articles) == 7
    documents = documents_of(site)
    paths = sorted(d.path for d in documents)
    assert len(paths) == 5 and all(p.startswith("articles/") and p.endswith("/index.html") for p in paths)
    assert {d.path[9:16]: d.shard for d in documents} == {"2025/06": "2025", "2026/02": "2026", "2026/03": "2026-03"}
    text = "".join(d.html for d in documents)
    assert "Quantum marmalade" not in text and "Heliotrope ledger" not in text
    assert 'data-pagefind-filter="region">North East<' in text


def test_index_has_section_author_topic_and_region_filters(make_site: MakeSite) -> None:
    out = build_site(make_site(FILES)).output
    assert filters_of(out / "pagefind/2026") == {
        "author": ["Ruth Calloway", "Simon Malia"],
        "region": ["Cumbria", "North East"],
        "section": ["Members' News", "News"],
        "shard": ["2026"],
        "topic": ["Energy", "Exports", "Shipping"],
    }
    assert filters_of(out / "pagefind/2025") == {
        "author": ["Simon Malia"],
        "region": ["Yorkshire"],
        "section": ["Members' News"],
        "shard": ["2025"],
        "topic": ["Textiles"],
    }


def test_index_has_a_company_filter_and_every_author_of_a_co_written_article(make_site: MakeSite) -> None:
    files = {
        **FILES,
        "content/companies/tidewell-ferries.md": "---\nname: Tidewell Ferries\n---\nFerries.\n",
        "content/articles/a.md": article("Tidewell orders ferries", "2026-02-01", company="tidewell-ferries"),
        "content/articles/b.md": article("Harbour turbine turns", "2026-02-02", author="[ruth-calloway, simon-malia]"),
    }
    out = build_site(make_site(files)).output
    found = filters_of(out / "pagefind/2026")
    assert (found["company"], found["author"]) == (["Tidewell Ferries"], ["Ruth Calloway", "Simon Malia"])
    page = (out / "search/index.html").read_text()
    assert '<select id="filter-company" name="company" data-filter="company">' in page
    assert "<option>Tidewell Ferries</option>" in page


def test_an_unchanged_index_is_reused_and_a_changed_one_rebuilt(make_site: MakeSite) -> None:
    root = make_site(FILES)
    first = build_site(root)
    assert first.search and first.search.indexed == ["2026-03", "2026", "2025"] and first.search.documents == 5
    entries = {shard: first.output / f"pagefind/{shard}/pagefind-entry.json" for shard in ("2026", "2025")}
    inodes = {shard: entry.stat().st_ino for shard, entry in entries.items()}
    (root / "templates").mkdir()
    (root / "templates/page.html").write_text('{% extends "base.html" %}{% block main %}A page{% endblock %}\n')
    second = build_site(root, first.output)
    assert second.search and second.search.reused, "nothing indexed changed: the bundles are linked, not rebuilt"
    assert {shard: entry.stat().st_ino for shard, entry in entries.items()} == inodes
    (root / "content/articles/a.md").write_text(FILES["content/articles/a.md"].replace("opened", "reopened"))
    third = build_site(root, first.output)
    assert third.search and third.search.indexed == ["2026"], "an edit this year leaves the older years alone"
    assert entries["2025"].stat().st_ino == inodes["2025"]


def test_shards_are_years_split_into_halves_quarters_months_and_days_above_the_cap() -> None:
    dates = ["2019-05-02T10:00:00+01:00", "2026-03-01T09:00:00+00:00", "2026-03-09T09:00:00+00:00"]
    dates += ["2026-11-30T23:30:00+00:00", "2019-12-31T23:59:00+00:00"]
    assert search_docs.assign_shards(dates, cap=3) == ["2019", "2026", "2026", "2026-11", "2019"]
    # 2026 holds three: its halves, each named by its first month; the newest month is its own.
    assert search_docs.assign_shards(dates, cap=2) == ["2019", "2026-01", "2026-01", "2026-11", "2019"]
    # A month above the cap splits into halves of its days, down to single days.
    february = ["2026-02-01", "2026-02-02", "2026-02-03", "2026-01-20", "2026-03-01", "2025-06-01"]
    assert search_docs.assign_shards(february, cap=3) == ["2026-02", "2026-02", "2026-02", "2026-01", "2026-03", "2025"]
    assert search_docs.assign_shards(february, cap=2) == [
        *["2026-02-01", "2026-02-01", "2026-02-03"],
        *["2026-01", "2026-03", "2025"],
    ]
    assert search_docs.assign_shards(["2026-05-04"] * 5, cap=2) == ["2026-05-04"] * 5, "a day is never split"
    quarters = ["2025-01-10", "2025-02-10", "2025-04-10", "2025-05-10", "2025-12-01", "2026-01-05"]
    assert search_docs.assign_shards(quarters, cap=2) == [
        "2025-01",
        "2025-01",
        "2025-04",
        "2025-04",
        "2025-07",
        "2026-01",
    ]
    assert search_docs.assign_shards(dates) == search_docs.assign_shards(dates, cap=search_docs.SHARD_CAP)
    assert search_docs.assign_shards(dates[:1]) == ["2019-05"], "one month: its own shard"
    # A new month begins: the last joins its period.
    assert search_docs.assign_shards([*dates, "2026-12-01T08:00:00+00:00"], cap=4) == [
        *["2019", "2026", "2026", "2026", "2019"],
        "2026-12",
    ]
    assert search_docs.assign_shards([]) == []


def _generated_dates(count: int, seed: int) -> list[str]:
    """``count`` weekday publication dates over 15 years (2012-2026), five times as many a year at the end as at the start."""
    rng = random.Random(seed)
    first, days = date(2012, 1, 1), (date(2026, 10, 31) - date(2012, 1, 1)).days
    dates = []
    while len(dates) < count:
        at = (-1 + math.sqrt(1 + 24 * rng.random())) / 4  # density proportional to 1 + 4t
        day = first + timedelta(days=round(at * days))
        if day.weekday() < 5:
            dates.append(day.isoformat())
    return dates


def _reindexed(before: dict[int, str], after: dict[int, str]) -> int:
    """How many documents (number -> date) are in shards whose members differ from every shard before."""

    def members(dates: dict[int, str]) -> set[frozenset[int]]:
        found: dict[str, set[int]] = {}
        for number, shard in zip(dates, search_docs.assign_shards(list(dates.values())), strict=True):
            found.setdefault(shard, set()).add(number)
        return {frozenset(numbers) for numbers in found.values()}

    return sum(len(numbers) for numbers in members(after) - members(before))


@pytest.mark.parametrize("count", [10_000, 100_000])
def test_an_edit_at_10k_and_100k_articles_reindexes_a_few_hundred_at_most(count: int) -> None:
    dates = _generated_dates(count, seed=count)
    assigned = search_docs.assign_shards(dates)
    sizes = Counter(assigned)
    newest, *older = sorted(sizes, reverse=True)
    assert max(dates)[:7] == newest[:7], "the newest shard holds the newest month"
    assert max(sizes[name] for name in older) <= search_docs.SHARD_CAP <= 500, "an old article's edit"
    assert sizes[newest] <= search_docs.SHARD_CAP, "a new or recent article's"
    assert count / len(sizes) >= search_docs.SHARD_CAP / 3, "not shattered: shards average a third of the cap or more"
    spans: dict[str, list[str]] = {}
    for day, shard in zip(dates, assigned, strict=True):
        spans.setdefault(shard, []).append(day)
    ordered = [(min(spans[name]), max(spans[name])) for name in sorted(spans, reverse=True)]
    assert all(newer[0] > older_[1] for newer, older_ in itertools.pairwise(ordered)), "names sort as dates do"


def test_adding_or_removing_one_article_reindexes_at_most_a_cap_of_articles() -> None:
    """A new or deleted article, at any date, re-indexes one shard, or the one period it splits or joins."""
    dates = dict(enumerate(_generated_dates(10_000, seed=7)))
    rng = random.Random(7)
    cap = search_docs.SHARD_CAP
    for _ in range(20):
        added = (date(2012, 1, 1) + timedelta(days=rng.randrange(5_420))).isoformat()
        assert _reindexed(dates, {**dates, -1: added}) <= cap + 1, f"adding an article of {added}"
        gone = rng.randrange(len(dates))
        assert _reindexed(dates, {n: d for n, d in dates.items() if n != gone}) <= cap, f"removing one of {dates[gone]}"
    assert _reindexed(dates, {**dates, -1: "2026-11-02"}) <= cap + 1, "a new month begins"
    assert _reindexed(dates, dict(dates)) == 0


def test_shards_run_newest_first_whatever_the_order_of_the_pages(make_site: MakeSite) -> None:
    site = check_site(make_site(FILES)).site
    assert site is not None
    documents = documents_of(site)
    backwards = list(reversed(documents))
    ordered = {shard: [d.path for d in docs] for shard, docs in search_docs.shards_of(documents).items()}
    assert list(ordered) == ["2026-03", "2026", "2025"], "the newest month's articles are the newest of its year"
    assert ordered == {shard: [d.path for d in docs] for shard, docs in search_docs.shards_of(backwards).items()}
    assert all(paths == sorted(paths) for paths in ordered.values())
    months = [
        search_docs.SearchDocument(f"articles/{n}/index.html", f"content/{n}.md", "en", s, "-", dict)
        for n, s in enumerate(["2026-01", "2026-11", "2025", "2026-03", "2019"])
    ]
    assert list(search_docs.shards_of(months)) == ["2026-11", "2026-03", "2026-01", "2025", "2019"]


def test_an_edit_in_an_old_year_reindexes_that_year_only(make_site: MakeSite) -> None:
    files = {**FILES, "content/articles/older.md": article("Mill reopens", "2024-09-09", tags="[Textiles]")}
    root = make_site(files)
    first = build_site(root)
    assert first.search and first.search.shards == first.search.indexed == ["2026-03", "2026", "2025", "2024"]
    entries = {shard: first.output / f"pagefind/{shard}/pagefind-entry.json" for shard in first.search.shards}
    inodes = {shard: entry.stat().st_ino for shard, entry in entries.items()}
    changes = {shard: entry.stat().st_ctime_ns for shard, entry in entries.items()}  # a new link changes it
    (root / "content/articles/old.md").write_text(files["content/articles/old.md"] + "\nThe loom still weaves.\n")
    second = build_site(root, first.output)
    assert second.search and second.search.indexed == ["2025"], "only the edited article's year is indexed again"
    assert entries["2025"].stat().st_ino != inodes["2025"]
    assert [entries[s].stat().st_ino for s in ("2026", "2024")] == [inodes["2026"], inodes["2024"]]
    # The other years' bundles were left in place in the output: not linked, copied or renamed.
    assert [entries[s].stat().st_ctime_ns for s in ("2026", "2024")] == [changes["2026"], changes["2024"]]
    assert {path.split("/")[1] for path in second.search.kept} == {"2026-03", "2026", "2024"}
    assert snapshot(second.output) == snapshot(build_site(root, root.parent / "clean", clean=True).output)


def test_a_new_month_takes_the_search_code_and_the_last_joins_its_year(make_site: MakeSite) -> None:
    old = {name: text for name, text in FILES.items() if "2026-" not in text}
    root = make_site(old, with_article=False)
    first = build_site(root)
    assert first.search and first.search.shards == ["2025-06"], "the newest month is a shard of its own"
    assert (first.output / "pagefind/2025-06/pagefind.js").is_file()
    for name, text in FILES.items():
        (root / name).write_text(text)
    (root / "content/articles/quayside.md").write_text(article())
    second = build_site(root, first.output)
    assert second.search and second.search.indexed == ["2026-03", "2026", "2025"]
    assert not (second.output / "pagefind/2025-06").exists(), "June 2025 is part of its year now"
    assert not (second.output / "pagefind/2025/pagefind.js").exists(), "only the newest shard carries the code"
    assert (second.output / "pagefind/2026-03/pagefind.js").is_file()
    assert snapshot(second.output) == snapshot(build_site(root, root.parent / "clean", clean=True).output)


def test_a_period_above_the_cap_is_split_until_it_fits(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_docs, "SHARD_CAP", 2)
    files = {**FILES, "content/articles/d.md": article("Ferry trials begin", "2026-01-20", tags="[Shipping]")}
    out = build_site(make_site(files)).output
    # 2026 holds five: its first half and first quarter too; February's three split by days.
    assert shards(out) == ["2026-03", "2026-02-03", "2026-02-01", "2026-01", "2025"]
    assert filters_of(out / "pagefind/2026-02-01")["shard"] == ["2026-02-01"]
    pages = {s: json.loads((out / f"pagefind/{s}/pagefind-entry.json").read_text()) for s in shards(out)}
    assert [p["languages"]["en-gb"]["page_count"] for p in pages.values()] == [1, 1, 2, 1, 1]


def test_incremental_and_clean_builds_write_the_same_index(make_site: MakeSite) -> None:
    root = make_site(FILES)
    first = build_site(root)
    (root / "content/articles/b.md").write_text(FILES["content/articles/b.md"] + "\nThe turbine powers 300 homes.\n")
    incremental = build_site(root, first.output)
    clean = build_site(root, root.parent / "clean", clean=True)
    assert snapshot(incremental.output) == snapshot(clean.output)
    again = build_site(root, root.parent / "again", clean=True)
    assert snapshot(again.output / "pagefind") == snapshot(clean.output / "pagefind")


def test_shards_split_and_joined_by_edits_equal_a_clean_build(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a cap of two, edits move articles between halves, quarters, months and days; each build equals a clean one."""
    monkeypatch.setattr(search_docs, "SHARD_CAP", 2)
    files = {**FILES, "content/articles/d.md": article("Ferry trials begin", "2026-01-20", tags="[Shipping]")}
    root = make_site(files)
    output = build_site(root).output
    edits = [
        ("content/articles/e.md", article("Dock crane arrives", "2026-02-14 10:00")),  # February splits by days
        ("content/articles/d.md", article("Ferry trials begin", "2025-11-03")),  # January empties
        ("content/articles/a.md", None),  # deleted: two of February's days join again
        ("content/articles/f.md", article("Harbour opens", "2026-03-02 08:00")),  # the newest month grows
        ("content/articles/quayside.md", article(date="2025-02-01 09:00")),  # 2025 splits into halves
    ]
    seen = []
    for path, text in edits:
        if text is None:
            (root / path).unlink()
        else:
            (root / path).write_text(text)
        result = build_site(root, output)
        assert result.search is not None
        seen.append(result.search.shards)
        assert snapshot(output) == snapshot(build_site(root, root.parent / f"clean{len(seen)}", clean=True).output)
    assert seen == [
        ["2026-03", "2026-02-08", "2026-02-03", "2026-02-01", "2026-01", "2025"],
        ["2026-03", "2026-02-08", "2026-02-03", "2026-02-01", "2025"],
        ["2026-03", "2026-02-08", "2026-02-01", "2025"],
        ["2026-03", "2026-02-08", "2026-02-01", "2025"],
        ["2026-03", "2026-02-08", "2026-02-01", "2025-07", "2025-01"],
    ]


def test_a_site_with_nothing_published_builds_without_an_index(make_site: MakeSite) -> None:
    root = make_site({"content/articles/quayside.md": article(draft="true")})
    result = build_site(root)
    assert result.search and result.search.documents == 0
    assert not (result.output / "pagefind").exists()
    assert (result.output / "search/index.html").is_file()


def test_canonical_bundle_survives_an_unknown_layout(tmp_path: Path) -> None:
    (tmp_path / "pagefind-entry.json").write_text('{"languages": {"en": {"hash": "en_missing"}}}')
    assert search_bundle.canonicalise(tmp_path) is False
    assert (tmp_path / "pagefind-entry.json").read_text() == '{"languages": {"en": {"hash": "en_missing"}}}'


def test_search_page_and_pictures_follow_a_base_path(make_site: MakeSite) -> None:
    root = make_site(
        {
            "site.toml": 'base_url = "https://example.com/members/"\n',
            "content/articles/quayside.md": article(body="![Racks](/static/images/racks.png)\n"),
            "static/images/racks.png": picture(900, 600, "PNG"),
        }
    )
    out = build_site(root).output
    form = (out / "search/index.html").read_text()
    assert 'data-bundle="/members/pagefind/" data-base="/members/"' in form
    assert '<script type="module" src="/members/static/js/search.' in form
    body = (out / "articles/2026/03/01/quayside-tools-opens-a-depot/index.html").read_text()
    assert 'src="/members/static/images/racks.png"' in body
    assert 'srcset="/members/static/renditions/racks-400w.' in body


def test_a_failed_index_fails_the_build_and_keeps_the_last_output(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(FILES)
    first = build_site(root)
    before = snapshot(first.output)
    (root / "content/articles/a.md").write_text(FILES["content/articles/a.md"].replace("opened", "reopened"))
    monkeypatch.setattr(sys, "executable", "/bin/false")  # the indexing process exits 1
    with pytest.raises(BuildFailed) as failed:
        build_site(root, first.output)
    assert [e.format() for e in failed.value.errors] == ["pagefind:0: search index: Pagefind failed (exit 1)"]
    assert snapshot(first.output) == before


def test_a_shard_key_changes_exactly_when_one_of_its_documents_does(make_site: MakeSite) -> None:
    """A shard is re-indexed when its documents change, and not when only the rest of an article's view does."""

    def site(files: dict[str, str]) -> Site:
        found = check_site(make_site({**FILES, **files})).site
        assert found is not None
        return found

    def plan(files: dict[str, str]) -> list[Output]:
        return plan_site(site(files), NOW)

    def keys(files: dict[str, str], language: str = "en-GB") -> dict[str, str]:
        documents = [dataclasses.replace(d, language=language) for d in documents_of(site(files))]
        return {shard: search_docs.index_key(docs, True) for shard, docs in search_docs.shards_of(documents).items()}

    first = keys({})
    assert keys({}) == first and set(first) == {"2026-03", "2026", "2025"}
    for change in (
        {"content/articles/a.md": article("Tidewell orders two ferries", "2026-02-01", tags="[Shipping, Energy]")},
        {"content/articles/b.md": article("Harbour turbine turns", "2026-02-02", author="ruth-calloway", body="New.")},
    ):
        changed = keys(change)
        assert changed["2026"] != first["2026"] and changed["2025"] == first["2025"]
    assert all(a != b for a, b in zip(keys({}, language="cy").values(), first.values(), strict=True))
    # A body edit past the summary's paragraph, keeping the body's length: only the body's digest shows it.
    may, mar = (
        keys({"content/articles/a.md": FILES["content/articles/a.md"].replace(".\n", f".\n\nIt opens in {month}.\n")})
        for month in ("May", "Mar")
    )
    assert may["2026"] != mar["2026"] and may["2025"] == mar["2025"]
    # A new 2026 article on the old article's topic joins its related list, which its document does not show.
    new = {"content/articles/new.md": article("Loom maker expands", "2026-02-05", tags="[Textiles]")}
    old_page = "articles/2025/06/01/pennine-loom-turns-150/index.html"
    related = [{o.path: o for o in plan(files)}[old_page].context["article"]["related"] for files in ({}, new)]
    assert related[0] != related[1]
    assert keys(new)["2025"] == first["2025"]


def test_a_document_does_not_keep_its_html(make_site: MakeSite) -> None:
    """Every published article's HTML held at once cost a cold 10k build ~80 MB; it is made, written, dropped."""
    site = check_site(make_site(FILES)).site
    assert site is not None
    [document, *_] = documents_of(site)
    assert document.html == document.html and "<main>" in document.html
    assert "html" not in vars(document)


def _running(command_line: bytes) -> list[int]:
    """Processes whose command line is exactly ``command_line`` (NUL-separated, as /proc has it)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes() == command_line:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_stopping_the_indexer_stops_pagefind_under_it(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killing the indexing child alone left Pagefind writing into a removed preview folder."""
    marker = f"{98_000 + os.getpid() % 1000}.25"  # a sleep nobody else runs
    grandchild = f"sleep\0{marker}\0".encode()
    interpreter = tmp_path / "python"  # stands in for `python -m byline.output.search`, which runs Pagefind
    interpreter.write_text(f"#!/bin/sh\nsleep {marker} &\nwait\n")
    interpreter.chmod(0o755)
    site = check_site(make_site(FILES)).site
    assert site is not None
    documents = documents_of(site)
    monkeypatch.setattr(sys, "executable", str(interpreter))
    indexer = search_indexer.SearchIndexer(documents, tmp_path / "staging")
    indexer.start()
    try:
        deadline = time.monotonic() + 30
        while not _running(grandchild) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _running(grandchild), "the stand-in never started its Pagefind"
        indexer.close()
        deadline = time.monotonic() + 5
        while _running(grandchild) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not _running(grandchild)
    finally:
        indexer.close()
        for pid in _running(grandchild):
            os.kill(pid, signal.SIGKILL)


def test_the_indexing_process_holds_the_staging_folder_after_the_build_lets_go(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """A build killed mid-index closes its descriptor; its indexer must keep the folder held until it ends."""
    site = check_site(make_site(FILES)).site
    assert site is not None
    staging = tmp_path / "staging"
    staging.mkdir()
    hold = os.open(staging, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(hold, fcntl.LOCK_SH)
    indexer = search_indexer.SearchIndexer(documents_of(site), staging, hold=hold)
    indexer.start()
    os.close(hold)  # the build's own copy gone, as a SIGKILL would close it
    try:
        assert locked_by_another(staging)
    finally:
        indexer.finish()
    assert not locked_by_another(staging)


def test_pagefind_runs_with_the_staging_folder_held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind writes the bundle: stopped a moment after the indexer, it must hold the folder as long."""
    hold = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    checks = [sys.executable, "-c", f"import os; os.fstat({hold})"]  # fails unless the descriptor was passed
    monkeypatch.setattr(pagefind_run, "pagefind_command", lambda: checks)
    try:
        documents = [json.dumps(["a/index.html", "<html><body>Loom</body></html>"])]
        pagefind_run.run_pagefind(documents, tmp_path / "bundle", tmp_path / "scratch", hold)
        with pytest.raises(pagefind_run.PagefindError):
            pagefind_run.run_pagefind(documents, tmp_path / "bundle", tmp_path / "scratch")
    finally:
        os.close(hold)


def test_two_threads_closing_one_indexer_at_once_both_finish(make_site: MakeSite, tmp_path: Path) -> None:
    """The preview's indexing thread closes as it finishes while the stopping server closes too."""
    site = check_site(make_site(FILES)).site
    assert site is not None
    indexer = search_indexer.SearchIndexer(documents_of(site), tmp_path / "staging")
    indexer.start()
    process = indexer._process
    assert process is not None
    seen = process.poll

    def poll() -> int | None:
        indexer.close()  # the other thread, between this one's look at the process and its wait
        return seen()

    process.poll = poll  # type: ignore[method-assign]
    indexer.close()
    assert process.returncode is not None and indexer._process is None and indexer._workdir is None


def test_a_build_that_indexes_lets_the_search_views_go_and_its_documents_still_show_the_same(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once written for Pagefind, the views go (they held every body to the build's end); the preview keeps them."""
    root = make_site(FILES)
    let_go: list[str] = []
    drop = Views.let_go
    monkeypatch.setattr(Views, "let_go", lambda self, kind: let_go.append(kind) or drop(self, kind))
    indexed = build_site(root)
    assert let_go == ["search"]
    kept = build_site(root, root.parent / "kept", search_index=False)  # the preview indexes after the build
    assert let_go == ["search"]
    assert [d.html for d in indexed.search_documents] == [d.html for d in kept.search_documents]
    assert len(indexed.search_documents) == indexed.articles > 0


def test_a_rebuild_makes_the_search_view_of_the_edited_article_only(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the other documents show is known from the last build's record: a rebuild makes none of them."""
    root = make_site(FILES)
    first = build_site(root)
    made: list[str] = []
    search_view = Views._search
    monkeypatch.setattr(Views, "_search", lambda self, a: made.append(a.source) or search_view(self, a))
    build_site(root, first.output)
    assert made == [], "nothing changed: no document is made"
    (root / "content/articles/old.md").write_text(FILES["content/articles/old.md"] + "\nThe loom still weaves.\n")
    second = build_site(root, first.output)
    assert second.search and second.search.indexed == ["2025"]
    assert made.count("content/articles/old.md") >= 1 and set(made) == {"content/articles/old.md"}
    (root / "content/articles/new.md").write_text(article("Loom maker expands", "2025-07-01", tags="[Textiles]"))
    made.clear()
    third = build_site(root, first.output)
    assert third.search and third.search.indexed == ["2025"], "a new article joins its shard"
    assert set(made) <= {"content/articles/new.md", "content/articles/old.md"} and "content/articles/new.md" in made
    (root / "content/articles/new.md").unlink()
    made.clear()
    fourth = build_site(root, first.output)
    assert fourth.search and fourth.search.indexed == ["2025"] and "content/articles/new.md" not in made
    clean = build_site(root, root.parent / "clean-public")
    assert snapshot(fourth.output / "pagefind") == snapshot(clean.output / "pagefind")


def _indexed(documents: list[search_docs.SearchDocument], staging: Path, workers: int) -> search_indexer.SearchResult:
    indexer = search_indexer.SearchIndexer(documents, staging, workers=workers)
    indexer.start()
    return indexer.finish()


def test_shards_indexed_at_once_equal_shards_indexed_in_turn(make_site: MakeSite, tmp_path: Path) -> None:
    files = {**FILES, "content/articles/older.md": article("Mill reopens", "2024-09-09", tags="[Textiles]")}
    site = check_site(make_site(files)).site
    assert site is not None
    documents = documents_of(site)
    in_turn = _indexed(documents, tmp_path / "one", workers=1)
    at_once = _indexed(documents, tmp_path / "four", workers=4)
    assert at_once.indexed == in_turn.indexed == ["2026-03", "2026", "2025", "2024"]
    assert at_once.files == in_turn.files
    assert snapshot(tmp_path / "four") == snapshot(tmp_path / "one")


def _plan(workdir: Path, shards: list[str], workers: int) -> None:
    jobs = [{"shard": s, "key": s, "code": s == shards[0], "source": "-", "bundle": "-"} for s in shards]
    (workdir / "plan.json").write_text(json.dumps({"workers": workers, "jobs": jobs}))


def test_the_indexing_child_runs_as_many_pagefinds_at_once_as_it_has_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for workers, timeout in ((2, 30.0), (1, 0.5)):
        together = threading.Barrier(2, timeout=timeout)  # broken unless two shards are indexed at once

        def index(job: dict[str, str], scratch: Path, wait: Callable[[], int] = together.wait) -> int:
            wait()
            return 5  # the files in its bundle

        monkeypatch.setattr(pagefind_run, "_index_shard", index)
        _plan(tmp_path, ["2026", "2025"], workers)
        if workers == 2:
            pagefind_run.index_shards(tmp_path)
            assert (tmp_path / "files").read_text() == "10\n"
        else:
            with pytest.raises(threading.BrokenBarrierError):  # one at a time: the first waits alone
                pagefind_run.index_shards(tmp_path)


def test_a_failed_shard_starts_no_more_shards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = []

    def fail(job: dict[str, str], scratch: Path) -> int:
        started.append(job["shard"])
        raise pagefind_run.PagefindError(f"Pagefind failed on {job['shard']} (exit 1)")

    monkeypatch.setattr(pagefind_run, "_index_shard", fail)
    _plan(tmp_path, ["2026", "2025", "2024"], workers=1)
    with pytest.raises(pagefind_run.PagefindError):
        pagefind_run.index_shards(tmp_path)
    assert started == ["2026"]
    assert not (tmp_path / "files").exists()
    # As a process (python -m byline.output.search), it exits with the message, which the build reports.
    assert pagefind_run.main(tmp_path) == "Pagefind failed on 2026 (exit 1)"


def test_an_os_error_in_the_indexing_process_comes_back_to_the_build_as_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full(job: dict[str, str], scratch: Path) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", job["bundle"])

    monkeypatch.setattr(pagefind_run, "_index_shard", full)
    _plan(tmp_path, ["2026"], workers=1)
    assert pagefind_run.main(tmp_path) == pagefind_run.ENVIRONMENT_EXIT
    (tmp_path / "log").write_text("a warning first\n" + capsys.readouterr().err)
    error = search_indexer._child_os_error(tmp_path / "log")
    assert (error.errno, error.strerror, error.filename) == (errno.ENOSPC, "No space left on device", "-")


def test_the_indexing_process_imports_this_very_byline() -> None:
    """The child's path starts with the folder holding this checkout's ``byline``, wherever the module sits."""
    assert (search_indexer._PACKAGE_HOME / "byline/output/search/indexer.py").samefile(search_indexer.__file__)


def test_the_indexing_process_does_not_import_the_model() -> None:
    """What ``python -m byline.output.search`` imports: importing the model and the plan too cost 0.2 s a build."""
    code = (
        "import sys, byline.output.search, byline.output.search.pagefind_run; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('byline'))))"
    )
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert "byline.output.search.pagefind_run" in imported
    assert not [m for m in imported if m.startswith(("byline.site", "byline.content", "byline.output.plan"))], imported


def test_each_shard_runs_pagefinds_program_itself_not_a_python_that_runs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m pagefind`` started a Python for every shard: 0.1 s of CPU each, 37 shards at 10,000 articles."""
    from pagefind.service import get_executable

    commands: list[list[str]] = []

    def run(command: list[str], cwd: Path, **options: object) -> subprocess.CompletedProcess[bytes]:
        commands.append(command)
        assert (cwd / "site/a/index.html").read_text() == "<p>A</p>"  # the documents are there while it runs
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(subprocess, "run", run)
    pagefind_run.run_pagefind(['["a/index.html", "<p>A</p>"]'], tmp_path / "bundle", tmp_path)
    pagefind_run.run_pagefind(['["a/index.html", "<p>A</p>"]'], tmp_path / "bundle", tmp_path)
    program = get_executable()
    assert program is not None and program.is_file()
    assert [command[0] for command in commands] == [str(program), str(program)]
    assert commands[0][1:] == ["--site", str(tmp_path / "site"), "--output-path", str(tmp_path / "bundle"), "--quiet"]
    assert not (tmp_path / "site").exists()
