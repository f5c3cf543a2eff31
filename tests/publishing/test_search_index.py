"""The Pagefind index: published articles only, four filters, reused when nothing indexed changed, reproducible."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from byline import search
from byline.errors import BuildFailed
from byline.plan import plan_site
from tests.conftest import MakeSite
from tests.helpers import NOW, article, build_site, check_site, snapshot
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


def filters_of(bundle: Path) -> dict[str, list[str]]:
    """Filter name -> its values, read from one shard's own metadata and filter files."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    [(language, info)] = entry["languages"].items()
    plan = search._plan_language(bundle, language, info)
    assert plan is not None
    return {index[0]: [value[0] for value in index[1]] for _, index in plan.filters}


def shards(out: Path) -> list[str]:
    return json.loads((out / "pagefind/shards.json").read_text())["shards"]


def test_sample_index_holds_the_published_articles_only(sample: SampleSite) -> None:
    assert shards(sample.out) == ["recent", "archive"], "the sample has articles of 2026 and of 2025"
    recent = sample.out / "pagefind/recent"
    assert (recent / "pagefind.js").is_file() and (recent / "pagefind-entry.json").is_file()
    assert not (recent / "pagefind-ui.js").exists(), "Pagefind's own interfaces are not shipped"
    assert not (sample.out / "pagefind/archive/pagefind.js").exists(), "the recent shard's code searches both"
    assert sample.result.search is not None
    assert sample.result.search.documents == sample.result.articles == len(sample.article_urls)
    counts = {
        shard: json.loads((sample.out / "pagefind" / shard / "pagefind-entry.json").read_text())["languages"]["en-gb"]
        for shard in shards(sample.out)
    }
    assert sum(c["page_count"] for c in counts.values()) == len(sample.article_urls)
    assert counts["archive"]["page_count"] == len([u for u in sample.article_urls if u.startswith("/articles/2025/")])


def test_documents_come_from_published_article_pages_only(make_site: MakeSite) -> None:
    root = make_site(FILES)
    site = check_site(root, drafts=True, future=True).site  # the preview shows drafts; search still must not
    assert site is not None and len(site.articles) == 7
    documents = search.search_documents(plan_site(site, NOW), "en-GB")
    paths = sorted(d.path for d in documents)
    assert len(paths) == 5 and all(p.startswith("articles/") and p.endswith("/index.html") for p in paths)
    assert {d.path[9:13]: d.shard for d in documents} == {"2025": "archive", "2026": "recent"}
    text = "".join(d.html for d in documents)
    assert "Quantum marmalade" not in text and "Heliotrope ledger" not in text
    assert 'data-pagefind-filter="region">North East<' in text


def test_index_has_section_author_topic_and_region_filters(make_site: MakeSite) -> None:
    out = build_site(make_site(FILES)).output
    assert filters_of(out / "pagefind/recent") == {
        "author": ["Ruth Calloway", "Simon Malia"],
        "region": ["Cumbria", "North East"],
        "section": ["Members' News", "News"],
        "shard": ["recent"],
        "topic": ["Energy", "Exports", "Shipping"],
    }
    assert filters_of(out / "pagefind/archive") == {
        "author": ["Simon Malia"],
        "region": ["Yorkshire"],
        "section": ["Members' News"],
        "shard": ["archive"],
        "topic": ["Textiles"],
    }


def test_an_unchanged_index_is_reused_and_a_changed_one_rebuilt(make_site: MakeSite) -> None:
    root = make_site(FILES)
    first = build_site(root)
    assert first.search and first.search.indexed == ["recent", "archive"] and first.search.documents == 5
    entries = {shard: first.output / f"pagefind/{shard}/pagefind-entry.json" for shard in ("recent", "archive")}
    inodes = {shard: entry.stat().st_ino for shard, entry in entries.items()}
    (root / "templates").mkdir()
    (root / "templates/page.html").write_text('{% extends "base.html" %}{% block main %}A page{% endblock %}\n')
    second = build_site(root, first.output)
    assert second.search and second.search.reused, "nothing indexed changed: the bundles are linked, not rebuilt"
    assert {shard: entry.stat().st_ino for shard, entry in entries.items()} == inodes
    (root / "content/articles/a.md").write_text(FILES["content/articles/a.md"].replace("opened", "reopened"))
    third = build_site(root, first.output)
    assert third.search and third.search.indexed == ["recent"], "an edit this year leaves the archive alone"
    assert entries["archive"].stat().st_ino == inodes["archive"]


def test_incremental_and_clean_builds_write_the_same_index(make_site: MakeSite) -> None:
    root = make_site(FILES)
    first = build_site(root)
    (root / "content/articles/b.md").write_text(FILES["content/articles/b.md"] + "\nThe turbine powers 300 homes.\n")
    incremental = build_site(root, first.output)
    clean = build_site(root, root.parent / "clean", clean=True)
    assert snapshot(incremental.output) == snapshot(clean.output)
    again = build_site(root, root.parent / "again", clean=True)
    assert snapshot(again.output / "pagefind") == snapshot(clean.output / "pagefind")


def test_a_site_with_nothing_published_builds_without_an_index(make_site: MakeSite) -> None:
    root = make_site({"content/articles/quayside.md": article(draft="true")})
    result = build_site(root)
    assert result.search and result.search.documents == 0
    assert not (result.output / "pagefind").exists()
    assert (result.output / "search/index.html").is_file()


def test_canonical_bundle_survives_an_unknown_layout(tmp_path: Path) -> None:
    (tmp_path / "pagefind-entry.json").write_text('{"languages": {"en": {"hash": "en_missing"}}}')
    assert search.canonicalise(tmp_path) is False
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
