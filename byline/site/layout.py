"""Which pages a Site has, at which URLs: the plan writes exactly these, and the checks link against them.

The URLs themselves, and how an index is paginated, are ``byline.urls``'s; this module
knows which of them a given Site fills, so no later stage lists them a second time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from byline import urls
from byline.site.model import Site

IndexKind = Literal["front", "section", "author", "company", "topic", "region"]

# Pages every site has, whatever its content; the indexes, archives, articles and pages come from the Site.
LISTS = (urls.AUTHORS, urls.COMPANIES, urls.TOPICS, urls.REGIONS)
FIXED = (urls.SEARCH, urls.NOT_FOUND, urls.SITEMAP, urls.NEWS_SITEMAP, urls.ROBOTS)

_URL_OF: dict[IndexKind, Callable[[str, int], str]] = {
    "front": lambda _slug, page: urls.home(page),
    "section": urls.section,
    "author": urls.author,
    "company": urls.company,
    "topic": urls.topic,
    "region": urls.region,
}


@dataclass(frozen=True)
class Index:
    """A paginated list of articles, named by its kind and its group's slug (none for the front page)."""

    kind: IndexKind
    slug: str = ""

    def url(self, page: int = 1) -> str:
        return _URL_OF[self.kind](self.slug, page)

    @property
    def feed(self) -> str | None:
        """Its Atom feed, beside page 1; regions have none (the contract's URL table)."""
        return None if self.kind == "region" else urls.feed_of(self.url())


def indexes(site: Site) -> Iterator[tuple[Index, int]]:
    """Every paginated index of the site with how many articles it lists, in the order the plan writes them."""
    yield Index("front"), len(site.articles)
    for group in site.sections:
        yield Index("section", group.slug), len(group.articles)
    for author in site.authors:
        yield Index("author", author.slug), len(site.by_author.get(author.slug, ()))
    for company in site.companies:
        yield Index("company", company.slug), len(site.by_company[company.slug])
    for group in site.topics:
        yield Index("topic", group.slug), len(group.articles)
    for group in site.regions:
        yield Index("region", group.slug), len(group.articles)


def archive_paths(site: Site) -> Iterator[str]:
    """The archive, then each year's page followed by its months'."""
    yield urls.ARCHIVE
    for year in site.years:
        yield urls.archive_year(year.year)
        yield from (urls.archive_month(month.year, month.month) for month in year.months)


def listed_paths(site: Site) -> list[str]:
    """The pages a sitemap lists, in its order: every article, index page, list, archive and standalone page."""
    per_page = site.config.per_page
    found = [site.url_of[article.source] for article in site.articles]
    found += [index.url(n) for index, count in indexes(site) for n in urls.page_numbers(count, per_page)]
    found += [*LISTS, *archive_paths(site)]
    found += [site.url_of[page.source] for page in site.pages]
    return found


def site_paths(site: Site, sitemap_limit: int = urls.SITEMAP_LIMIT) -> frozenset[str]:
    """Every URL the build writes for this Site, but the static files: its pages, feeds, aliases and crawler files."""
    listed = listed_paths(site)
    feeds = [feed for index, _ in indexes(site) if (feed := index.feed)]
    aliases = [alias for article in site.articles for alias in article.aliases]
    return frozenset([*listed, *feeds, *aliases, *FIXED, *urls.sitemap_parts(len(listed), sitemap_limit)])
