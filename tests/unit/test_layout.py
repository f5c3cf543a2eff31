"""site.layout is the one list of a Site's URLs: the plan writes exactly them, and the checks link against them."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from byline import urls
from byline.output.plan import plan_site
from byline.site import checks
from byline.site.layout import Index, indexes, listed_paths, site_paths
from byline.site.model import Site
from tests.conftest import MakeSite
from tests.helpers import NOW, ROOT, article, check_site

GOLDEN_SITE = ROOT / "tests/golden/site"


def site_of(root: Path) -> Site:
    checked = check_site(root)
    assert checked.site is not None, checked.problems
    return checked.site


def copied(source: Path, tmp_path: Path) -> Path:
    """A copy of a site root's content, settings and theme, so checking it leaves the original untouched."""
    root = tmp_path / "site"
    for name in ("content", "static", "templates"):
        if (source / name).is_dir():
            shutil.copytree(source / name, root / name)
    shutil.copy(source / "site.toml", root / "site.toml")
    return root


# One article per page: every kind of index (front, both sections, author, company, topic, region) has
# several pages, one article has old URLs and there is a standalone page.
PAGINATED = {
    "site.toml": "per_page = 1\n",
    "content/companies/quayside-tools.md": "---\nname: Quayside Tools\n---\nTools for ports.\n",
    **{
        f"content/articles/story-{n}.md": article(
            f"Story {n}",
            f"2026-0{1 + n % 2}-{n + 1:02d} 09:00",
            company="quayside-tools",
            tags="[Ports, Energy]",
            region="North East",
            section="news" if n % 2 else "members-news",
        )
        for n in range(5)
    },
    "content/articles/story-0.md": article("Story 0", "2026-01-01", aliases="[/old/story-0/]", tags="[Ports]"),
    "content/pages/about.md": "---\ntitle: About\n---\nUs.\n",
}


@pytest.fixture
def paginated(make_site: MakeSite) -> Site:
    return site_of(make_site(PAGINATED, with_article=False))


def test_every_kind_of_index_of_the_fixture_has_several_pages(paginated: Site) -> None:
    """The fixture is a fair test of pagination only if each kind of index reaches page 2."""
    several = {index.kind for index, count in indexes(paginated) if urls.page_count(count, 1) > 1}
    assert several == {"front", "section", "author", "company", "topic", "region"}
    assert {"/regions/north-east/page/4/", "/companies/quayside-tools/page/4/", "/old/story-0/"} <= site_paths(paginated)


def assert_planned_as_known(site: Site) -> None:
    planned = [o.url for o in plan_site(site, NOW)]
    assert [url for url, n in Counter(planned).items() if n > 1] == []
    assert set(planned) == site_paths(site)
    targets = checks.Targets(site, frozenset())
    assert all(targets.exists(url) for url in planned)


@pytest.mark.parametrize("source", [ROOT, GOLDEN_SITE], ids=["sample site", "golden site"])
def test_the_plan_writes_exactly_the_urls_the_checks_know(source: Path, tmp_path: Path) -> None:
    """A URL the plan writes but the checks do not know is warned about as a broken link, and a URL the checks
    know but the plan does not write lets a broken link through; both come from site.layout."""
    assert_planned_as_known(site_of(copied(source, tmp_path)))


def test_the_plan_writes_exactly_the_urls_the_checks_know_with_many_pages_per_index(paginated: Site) -> None:
    assert_planned_as_known(paginated)


def test_the_sitemap_lists_exactly_the_layouts_listed_pages(paginated: Site) -> None:
    indexed = [o.url for o in plan_site(paginated, NOW) if o.indexed]
    assert indexed == listed_paths(paginated)


def test_sitemap_parts_are_known_urls_too(paginated: Site) -> None:
    """Past its limit the sitemap is split into parts under /sitemaps/: they exist, so a link to one is not broken."""
    limit = -(-len(listed_paths(paginated)) // 3)
    planned = {o.url for o in plan_site(paginated, NOW, sitemap_limit=limit)}
    assert {"/sitemaps/sitemap-1.xml", "/sitemaps/sitemap-3.xml"} <= planned
    assert planned == site_paths(paginated, sitemap_limit=limit)


def test_an_index_without_articles_still_has_its_page_and_feed(make_site: MakeSite) -> None:
    site = site_of(make_site())  # the section "news" has no article
    assert (Index("section", "news"), 0) in list(indexes(site))
    assert {"/news/", "/news/feed.xml"} <= site_paths(site)
    assert "/news/page/2/" not in site_paths(site)


def test_indexes_name_their_pages_and_feeds_as_the_contract_does() -> None:
    assert [Index("front").url(n) for n in (1, 2)] == ["/", "/page/2/"]
    assert Index("front").feed == urls.FEED
    assert Index("author", "simon-malia").url(3) == "/authors/simon-malia/page/3/"
    assert Index("company", "bt-group").feed == "/companies/bt-group/feed.xml"
    assert Index("region", "north-east").url(2) == "/regions/north-east/page/2/"
    assert Index("region", "north-east").feed is None  # regions have no feed in the URL table
