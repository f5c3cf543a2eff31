"""Site -> the list of every file to write: its URL, template, and how to make its context.

Each context is made when first asked for, reading the site through ``Facts``, so every
output's reads are recorded and an unchanged output is never made.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from byline import urls
from byline.content.models import Article
from byline.dates import iso, month_name
from byline.output import metadata
from byline.output.reads import Facts, Reads, TrackedYear
from byline.output.views import Derived, View, Views
from byline.site import layout
from byline.site.images import ImageCatalog
from byline.site.layout import Index
from byline.site.model import Site

FEED_LENGTH = 20
PAGE_LINKS_AROUND = 2
_TEMPLATES = {"author": "author.html", "company": "company.html"}  # other indexes use index.html

Context = dict[str, Any]


@dataclass(eq=False, slots=True)
class Output:
    """One file of the built site; its context is made (and its reads recorded) when first asked for.

    Slotted: a plan holds one for every file of the site.
    """

    url: str
    template: str
    make: Callable[[], Context] = field(repr=False)
    kind: str = "page"  # page | article | feed | sitemap | redirect | text
    facts: Facts | None = field(default=None, repr=False)
    lastmod: tuple[str, tuple[Any, ...]] | None = field(default=None, repr=False)  # a planner method and its arguments
    indexed: bool = False  # listed in the sitemap
    reads: Reads | None = field(default=None, repr=False)
    _path: str | None = field(default=None, init=False, repr=False)
    _context: Context | None = field(default=None, init=False, repr=False)

    @property
    def path(self) -> str:
        """The file under the output folder (computed once: every build asks thousands of times)."""
        if self._path is None:
            self._path = urls.output_file(self.url)
        return self._path

    def __eq__(self, other: object) -> bool:
        """Equal when they write the same file from the same template and context (as two plans of one site do)."""
        if not isinstance(other, Output):
            return NotImplemented
        same = (self.url, self.template, self.kind) == (other.url, other.template, other.kind)
        return same and self.context == other.context

    __hash__ = None  # type: ignore[assignment]  # Python's way to say unhashable; mypy expects a method

    @property
    def context(self) -> Context:
        """The template's context, made when first asked for; what it read is kept in ``reads``."""
        if self._context is None:
            if self.facts is None:
                self._context = self.make()
            else:
                with self.facts.recorder.scope() as reads:
                    self.facts.template(self.template)
                    self._context = self.make()
                self.reads = reads
        return self._context

    def release(self) -> Reads:
        """What the output read; its context and reads are dropped, so a build does not hold every page's at once."""
        reads = self.reads or {}
        self._context = None
        self.reads = None
        return reads


Trail = list[tuple[str, str]]  # breadcrumb (name, site path) pairs below the front page
SitemapEntry = tuple[str, datetime | None]  # a page's site path and last change, as the sitemap holds it


def plan_site(
    site: Site,
    now: datetime,
    sitemap_limit: int = urls.SITEMAP_LIMIT,
    images: ImageCatalog | None = None,
    assets: dict[str, str] | None = None,
) -> list[Output]:
    """List every output of the site, in a stable order.

    ``images`` holds the measured pictures (sizes and renditions) and ``assets`` the
    fingerprinted names of stylesheets and scripts; without them pages still plan, unsized.
    """
    return SitePlan(site, assets, images, now).complete(sitemap_limit)


class SitePlan:
    """Plan a site: its article pages, then everything.

    The build starts indexing for search from the article pages while the rest (indexes,
    feeds, sitemaps) is planned: ``articles()`` first, then ``complete()``.
    """

    def __init__(
        self,
        facts: Facts | Site,
        assets: dict[str, str] | None = None,
        images: ImageCatalog | None = None,
        now: datetime | None = None,
    ):
        if isinstance(facts, Site):
            facts = Facts(facts, images or ImageCatalog(), now)
        self.facts = facts
        self.assets = assets or {}
        self._planner = _Planner(facts, Views(facts, assets=assets))
        self._articles: list[Output] | None = None
        self._early: dict[str, list[Output]] = {}  # article source -> its outputs, planned by article_pages

    @property
    def views(self) -> Views:
        return self._planner.views

    def articles(self) -> list[Output]:
        """Each article's page and its aliases' redirect pages (those ``article_pages`` made already among them)."""
        if self._articles is None:
            early, planner = self._early, self._planner
            self._articles = [
                output
                for article in self.facts.site.articles
                for output in early.get(article.source) or planner.article_outputs(article)
            ]
            self._early = {}
        return self._articles

    def searchable(self) -> list[tuple[str, Article, str]]:
        """Each published article's page (output path), the article, and its day (ISO) in the site's timezone."""
        site, timezone = self.facts.site, self.facts.config.timezone
        found = []
        for article in site.articles:
            if site.status_of[article.source] == "published":
                local = article.date.astimezone(timezone)
                path = urls.output_file(site.url_of[article.source])
                found.append((path, article, local.date().isoformat()))
        return found

    def article_pages(self, paths: Collection[str]) -> list[Output]:
        """The outputs (page and aliases) of the articles whose page is at one of ``paths``, ahead of the rest.

        Only those articles are planned now: the preview shows them before the site's
        other pages are planned, and ``articles()`` takes these outputs in their place.
        """
        if self._articles is not None:
            return _pages_among(self._articles, paths)
        site, wanted = self.facts.site, {_url_of_file(path) for path in paths}
        found: list[Output] = []
        for article in site.articles if wanted else ():
            if site.url_of[article.source] in wanted:
                if article.source not in self._early:
                    self._early[article.source] = list(self._planner.article_outputs(article))
                outputs = self._early[article.source]
                if outputs[0].path in paths:
                    found += outputs
        return found

    def complete(self, sitemap_limit: int = urls.SITEMAP_LIMIT) -> list[Output]:
        """Every output: the article pages first, as ``articles()`` gave them."""
        planner = self._planner
        outputs = [*self.articles(), *planner.collections()]
        outputs += planner.sitemaps([o for o in outputs if o.indexed], sitemap_limit)
        outputs.append(planner.news_sitemap())
        outputs.append(planner.output(urls.ROBOTS, "robots.txt", planner.robots, "text"))
        return outputs


def _pages_among(outputs: list[Output], paths: Collection[str]) -> list[Output]:
    """The article pages at ``paths`` among ``outputs``, each with the redirect pages after it (its aliases')."""
    wanted: list[Output] = []
    taking = False
    for output in outputs if paths else ():
        if output.kind == "article":
            taking = output.path in paths
        if taking:
            wanted.append(output)
    return wanted


def _url_of_file(path: str) -> str:
    """The site path whose file is ``path`` (``urls.output_file`` undone, for paths it leaves as written)."""
    folder = path == "index.html" or path.endswith("/index.html")
    return "/" + (path[: -len("index.html")] if folder else path)


class _Planner:
    """Lists the outputs from the site as it is (untracked) and makes each one's context through Facts."""

    def __init__(self, facts: Facts, views: Views):
        self.site = facts.site  # for listing outputs only: contexts read through self.facts
        self.facts = facts
        self.views = views
        self.per_page = facts.config.per_page

    @functools.cached_property
    def site_view(self) -> View:
        return self.views.site_view()

    def output(
        self, url: str, template: str, make: Callable[..., Context], kind: str = "page", *args: Any, **options: Any
    ) -> Output:
        """An output whose context ``make(*args)`` makes when it is asked for."""
        return Output(url, template, functools.partial(make, *args), kind, self.facts, **options)

    def collections(self) -> Iterator[Output]:
        """Everything but the articles' own pages: indexes, lists, archives, standalone pages."""
        for index, count in layout.indexes(self.site):
            yield from self.index(index, count)
        yield from self.lists()
        yield from self.archives()
        yield from self.standalone()

    # --- helpers --------------------------------------------------------------------
    def meta(self, url: str, title: str, kind: str, description: str = "", **extra: Any) -> View:
        return {
            "url": self.views.link(url),
            "canonical": self.views.absolute(url),
            "title": title,
            "kind": kind,
            "description": description,
            "feed": None,
            "prev": None,
            "next": None,
            "noindex": False,
            "json_ld": [],  # schema.org objects, each printed as a <script type="application/ld+json">
            "social": [],  # Open Graph and Twitter <meta> tags
            **extra,
        }

    def describe(self, page: View, json_ld: Derived, image: View | None = None, article: View | None = None) -> View:
        """Give a page its structured data and social cards, made when it renders; returns the page.

        Both are made only from the page and what the rest of the context holds (the
        site, the article or index, and the breadcrumb trail kept in ``page["trail"]``).
        """
        page["json_ld"] = json_ld
        page["social"] = Derived(metadata.social_tags, site=self.site_view, image=image, article=article)
        return page

    def crumbs(self, page: View, trail: Trail) -> list[tuple[str, str]]:
        """A trail of site paths as the (name, absolute URL) pairs BreadcrumbList wants; kept in the page."""
        crumbs = [(name, self.views.absolute(path)) for name, path in trail]
        page["trail"] = [list(pair) for pair in crumbs]
        return crumbs

    def collection(self, page: View, items: list[str], trail: Trail, front: bool = False) -> View:
        """Describe an index: CollectionPage of ``items`` (site paths), breadcrumbs, and on the front page WebSite."""
        absolute = [self.views.absolute(item) for item in items]
        crumbs = self.crumbs(page, trail)
        json_ld = Derived(_collection_json_ld, site=self.site_view, items=absolute, trail=crumbs, front=front)
        return self.describe(page, json_ld)

    def context(self, page: View, **data: Any) -> Context:
        return {"site": self.site_view, "page": page, **data}

    # --- indexes --------------------------------------------------------------------
    def index(self, index: Index, count: int) -> Iterator[Output]:
        """Paginated article list: page 1 at the index URL, then page/N/; its feed beside page 1."""
        for number in urls.page_numbers(count, self.per_page):
            yield self.output(
                index.url(number),
                _TEMPLATES.get(index.kind, "index.html"),
                self.index_page,
                "page",
                index,
                number,
                indexed=True,
                lastmod=("first_date", (index, number)),
            )
            if index.feed and number == 1:
                yield self.output(index.feed, "feed.xml", self.feed, "feed", index)

    def articles_of(self, index: Index) -> Sequence[Article]:
        """An index's articles alone, without the views its pages show beside them."""
        if index.kind == "front":
            return self.facts.articles
        if index.kind == "author":
            return self.facts.by_author.get(index.slug, ())  # type: ignore[no-any-return]
        if index.kind == "company":
            return self.facts.by_company[index.slug]  # type: ignore[no-any-return]
        return self.facts.group[_group_name(index)].articles  # type: ignore[no-any-return]

    def listed(self, index: Index) -> tuple[Sequence[Article], str, str, dict[str, Any], Trail]:
        """An index's articles, title, description, extra context and breadcrumb trail, read now."""
        facts, name = self.facts, self.facts.config.name
        articles = self.articles_of(index)
        if index.kind == "front":
            return articles, name, f"The latest news from {name}.", {}, []
        if index.kind == "section":
            section = facts.config.section(index.slug)
            assert section is not None
            extra = {"section": self.views.section(index.slug)}
            return articles, section.title, f"{section.title} from {name}.", extra, [(section.title, index.url(1))]
        if index.kind == "author":
            author = facts.author[index.slug]
            trail = [("Authors", urls.AUTHORS), (author.name, index.url(1))]
            return articles, author.name, f"Articles by {author.name}.", {"author": self.views.author(author)}, trail
        if index.kind == "company":
            company = facts.company[index.slug]
            description = company.about.first_paragraph or f"News from {company.name}."
            trail = [("Companies", urls.COMPANIES), (company.name, index.url(1))]
            return articles, company.name, description, {"company": self.views.company(company)}, trail
        group = facts.group[_group_name(index)]
        noun, parent = (
            ("Topic", ("Topics", urls.TOPICS)) if index.kind == "topic" else ("Region", ("Regions", urls.REGIONS))
        )
        description = f"{noun}: {group.name} – articles from {name}."
        return articles, group.name, description, {}, [parent, (group.name, index.url(1))]

    def index_page(self, index: Index, number: int) -> Context:
        articles, title, description, extra, trail = self.listed(index)
        count = len(articles)
        pages = urls.page_count(count, self.per_page)
        url = index.url(number)
        pagination = self.pagination(index.url, number, pages)
        heading = title if number == 1 else f"{title} – page {number} of {pages}"
        page = self.meta(
            url,
            heading,
            index.kind,
            description,
            feed=self.views.link(index.feed) if index.feed else None,
            prev=pagination["prev"],
            next=pagination["next"],
        )
        shown = articles[urls.page_slice(number, self.per_page)]
        self.describe_index(page, index.kind, shown, trail, number, extra)
        return self.context(
            page,
            index={
                "title": title,
                "kind": index.kind,
                "description": description,
                "count": count,
                "articles": [self.views.card(a) for a in shown],
                **extra,
            },
            pagination=pagination,
        )

    def first_date(self, index: Index, number: int) -> datetime | None:
        """The sitemap's lastmod of an index page: its newest article's date."""
        start = urls.page_slice(number, self.per_page).start
        first = self.articles_of(index)[start : start + 1]  # the first article only: its date is all that is read
        return first[0].date if first else None

    def describe_index(
        self, page: View, kind: str, articles: Sequence[Article], trail: Trail, number: int, extra: dict[str, Any]
    ) -> None:
        """An author's pages are their profile; other indexes are collections; page N adds itself to the trail."""
        if number > 1:
            trail = [*trail, (f"Page {number}", page["url"].removeprefix(self.facts.config.base_path))]
        if kind == "author":
            crumbs = self.crumbs(page, trail)
            json_ld = Derived(metadata.profile_json_ld, site=self.site_view, author=extra["author"], trail=crumbs)
            self.describe(page, json_ld)
        elif kind == "company":
            crumbs = self.crumbs(page, trail)
            json_ld = Derived(metadata.company_json_ld, site=self.site_view, company=extra["company"], trail=crumbs)
            self.describe(page, json_ld)
        else:
            items = [self.facts.url_of[a.source] for a in articles]
            self.collection(page, items, trail, front=kind == "front" and number == 1)

    def pagination(self, url_for: Callable[[int], str], number: int, pages: int) -> View:
        window = range(max(1, number - PAGE_LINKS_AROUND), min(pages, number + PAGE_LINKS_AROUND) + 1)
        links = sorted({1, pages, *window})
        return {
            "number": number,
            "pages": pages,
            "prev": self.views.link(url_for(number - 1)) if number > 1 else None,
            "next": self.views.link(url_for(number + 1)) if number < pages else None,
            "links": [{"number": n, "url": self.views.link(url_for(n)), "current": n == number} for n in links],
        }

    def feed(self, index: Index) -> Context:
        articles, title, *_ = self.listed(index)
        assert index.feed is not None
        entries = [self.views.article(a) for a in articles[:FEED_LENGTH]]
        newest = max((e["modified"] for e in entries), key=lambda m: m["epoch"], default=None)
        updated = newest["iso"] if newest else None
        name = self.facts.config.name
        return {
            "site": self.site_view,
            "feed": {
                "title": title if title == name else f"{title} – {name}",
                "id": self.views.absolute(index.feed),
                "self_url": self.views.absolute(index.feed),
                "alternate_url": self.views.absolute(index.url(1)),
                "updated": updated or "1970-01-01T00:00:00+00:00",
                "entries": entries,
            },
        }

    # --- pages ----------------------------------------------------------------------
    def articles(self) -> Iterator[Output]:
        for article in self.site.articles:
            yield from self.article_outputs(article)

    def article_outputs(self, article: Article) -> Iterator[Output]:
        """An article's page, then the redirect page of each of its aliases."""
        url = self.site.url_of[article.source]
        yield self.output(
            url,
            "article.html",
            self.article_page,
            "article",
            article.source,
            indexed=True,
            lastmod=("modified", (article.source,)),
        )
        for alias in article.aliases:
            yield self.output(alias, "redirect.html", self.redirect_page, "redirect", article.source, alias)

    def article_page(self, source: str) -> Context:
        article = self.facts.article[source]
        view = self.views.article(article)
        url = self.facts.url_of[source]
        page = self.meta(
            url,
            article.title,
            "article",
            article.summary,
            feed=self.views.link(urls.feed_of(urls.section(article.section))),
        )
        section_title = view["section"]["title"]
        trail = self.crumbs(page, [(section_title, urls.section(article.section)), (article.title, url)])
        json_ld = Derived(_article_json_ld, article=view, site=self.site_view, trail=trail)
        self.describe(page, json_ld, view["image"], view)
        return self.context(page, article=view)

    def modified(self, source: str) -> datetime | None:
        when: datetime | None = self.facts.article[source].modified
        return when

    def instant(self, value: datetime | None) -> str | None:
        """A sitemap's lastmod: the time as ``views.moment`` gives its ``iso``, without the rest of a moment."""
        return None if value is None else iso(value.astimezone(self.facts.config.timezone))

    def redirect_page(self, source: str, alias: str) -> Context:
        """An alias's page: the moved article's card only, so a new related article leaves it alone."""
        article = self.facts.article[source]
        card = self.views.card(article)
        return self.context(self.meta(alias, article.title, "redirect", canonical_target=card["abs_url"]), target=card)

    def lists(self) -> Iterator[Output]:
        yield self.output(urls.AUTHORS, "authors.html", self.author_list, indexed=True)
        yield self.output(urls.COMPANIES, "companies.html", self.company_list, indexed=True)
        yield self.output(urls.TOPICS, "topics.html", self.group_list, "page", "topic", indexed=True)
        yield self.output(urls.REGIONS, "topics.html", self.group_list, "page", "region", indexed=True)

    def author_list(self) -> Context:
        authors = list(self.facts.authors)
        views = [self.views.author(a) for a in authors]
        page = self.meta(urls.AUTHORS, "Authors", "authors", f"Everyone who writes for {self.facts.config.name}.")
        self.collection(page, [urls.author(a.slug) for a in authors], [("Authors", urls.AUTHORS)])
        return self.context(page, authors=views)

    def company_list(self) -> Context:
        """/companies/: every company with a published article, A to Z, with its count and latest date."""
        entries = []
        companies = list(self.facts.companies)
        for company in companies:
            articles = self.facts.by_company[company.slug]
            entries.append(
                {
                    **self.views.company_ref(company.slug),
                    "letter": _initial(company.name),
                    "logo": self.views.logo(company),
                    "sector": company.sector,
                    "region": company.region,
                    "count": len(articles),
                    "latest": self.views.moment(articles[0].date),
                }
            )
        name = self.facts.config.name
        page = self.meta(urls.COMPANIES, "Member companies", "companies", f"The member companies publishing on {name}.")
        self.collection(page, [urls.company(c.slug) for c in companies], [("Companies", urls.COMPANIES)])
        return self.context(page, companies=entries)

    def group_list(self, kind: str) -> Context:
        groups = list(self.facts.topics if kind == "topic" else self.facts.regions)
        refs = [self.views.group_ref(g, kind) for g in groups]
        if kind == "topic":
            page = self.meta(urls.TOPICS, "Topics", "topics", "Every topic we cover, with its number of articles.")
            self.collection(page, [urls.topic(g.slug) for g in groups], [("Topics", urls.TOPICS)])
            return self.context(page, groups=refs, noun="topic")
        page = self.meta(urls.REGIONS, "Regions", "regions", "Articles by region.")
        self.collection(page, [urls.region(g.slug) for g in groups], [("Regions", urls.REGIONS)])
        return self.context(page, groups=refs, noun="region")

    # --- archives -------------------------------------------------------------------
    def archives(self) -> Iterator[Output]:
        yield self.output(urls.ARCHIVE, "archive.html", self.archive, indexed=True)
        for year in self.site.years:
            yield self.output(
                urls.archive_year(year.year), "archive.html", self.archive_year, "page", year.year, indexed=True
            )
            for month in year.months:
                yield self.output(
                    urls.archive_month(month.year, month.month),
                    "archive_month.html",
                    self.archive_month,
                    "page",
                    month.year,
                    month.month,
                    indexed=True,
                    lastmod=("month_first_date", (month.year, month.month)),
                )

    def year_view(self, year: TrackedYear) -> View:
        return {
            "year": year.year,
            "url": self.views.link(urls.archive_year(year.year)),
            "count": len(year.articles),
            "months": [self.month_ref(m.year, m.month, len(m.articles)) for m in year.months],
        }

    def archive(self) -> Context:
        years = list(self.facts.years)
        page = self.meta(urls.ARCHIVE, "Archive", "archive", "Every article, by date.")
        self.collection(page, [urls.archive_year(y.year) for y in years], [("Archive", urls.ARCHIVE)])
        return self.context(page, years=[self.year_view(y) for y in years])

    def archive_year(self, number: int) -> Context:
        year = self.facts.year(number)
        view = self.year_view(year)
        url = urls.archive_year(number)
        page = self.meta(url, f"Archive: {number}", "archive-year", f"Articles published in {number}.")
        trail: Trail = [("Archive", urls.ARCHIVE), (str(number), url)]
        self.collection(page, [urls.archive_month(m.year, m.month) for m in year.months], trail)
        return self.context(page, years=[view], year=view)

    def archive_month(self, year_number: int, month_number: int) -> Context:
        year, month = self.facts.year(year_number), self.facts.month(year_number, month_number)
        articles = list(month.articles)
        ref = self.month_ref(year_number, month_number, len(articles))
        url = urls.archive_month(year_number, month_number)
        page = self.meta(url, f"Archive: {ref['name']}", "archive-month", f"Articles published in {ref['name']}.")
        items = [self.facts.url_of[a.source] for a in articles]
        year_url = urls.archive_year(year_number)
        trail: Trail = [("Archive", urls.ARCHIVE), (str(year_number), year_url), (ref["name"], url)]
        self.collection(page, items, trail)
        cards = [self.views.card(a) for a in articles]
        return self.context(page, month=ref, year=self.year_view(year), articles=cards)

    def month_first_date(self, year: int, month: int) -> datetime | None:
        first = self.facts.month(year, month).articles[0:1]
        return first[0].date if first else None

    def month_ref(self, year: int, month: int, count: int) -> View:
        return {
            "year": year,
            "month": month,
            "name": f"{month_name(month)} {year}",
            "url": self.views.link(urls.archive_month(year, month)),
            "count": count,
        }

    # --- standalone pages, search, not found, crawlers -----------------------------
    def standalone(self) -> Iterator[Output]:
        for item in self.site.pages:
            yield self.output(
                self.site.url_of[item.source], "page.html", self.standalone_page, "page", item.source, indexed=True
            )
        self.facts.compute("search-filters", self.search_filters, of_shape=True)
        yield self.output(urls.SEARCH, "search.html", self.search_page)
        yield self.output(urls.NOT_FOUND, "404.html", self.not_found)

    def standalone_page(self, source: str) -> Context:
        item = self.facts.page[source]
        view = self.views.page(item)
        url = self.facts.url_of[source]
        page = self.meta(url, item.title, "page", item.summary)
        crumbs = self.crumbs(page, [(item.title, url)])
        self.describe(page, Derived(metadata.webpage_json_ld, site=self.site_view, trail=crumbs))
        return self.context(page, content=view)

    def search_page(self) -> Context:
        page = self.meta(urls.SEARCH, "Search", "search", f"Search {self.facts.config.name}.", noindex=True)
        self.describe(page, Derived(_no_json_ld))
        return self.context(page, filters=self.facts.computed("search-filters"))

    def not_found(self) -> Context:
        page = self.meta(urls.NOT_FOUND, "Page not found", "404", noindex=True)
        self.describe(page, Derived(_no_json_ld))
        return self.context(page, latest=[self.views.card(a) for a in self.facts.articles[:5]])

    def search_filters(self) -> list[View]:
        """The search page's filters with every value readers can pick, so they work before the index loads.

        Made from the whole site and read as one computed fact, so it reads the site untracked,
        each distinct value once.
        """
        site, views = self.site, self.views
        published = [a for a in site.articles if site.status_of[a.source] == "published"]
        companies = {slug for a in published if (slug := site.company_of.get(a.source))}
        tags = {t for a in published for t in a.tags if t in site.topic_slug}
        regions = {a.region for a in published if a.region}
        values = {
            "section": {views.section(section)["title"] for section in {a.section for a in published}},
            "company": {site.company[slug].name for slug in companies},
            "author": {site.author[slug].name for slug in {s for a in published for s in a.authors}},
            "topic": {views.tag(tag)["name"] for tag in tags},
            "region": {found["name"] for region in regions if (found := views.region(region))},
        }
        labels = {"section": "Section", "company": "Company", "author": "Author", "topic": "Topic", "region": "Region"}
        return [{"key": key, "label": labels[key], "options": sorted(values[key], key=_by_name)} for key in labels]

    def news_sitemap(self) -> Output:
        return self.output(urls.NEWS_SITEMAP, "news_sitemap.xml", self.news_entries, "sitemap")

    def news_entries(self) -> Context:
        entries = []
        for article in self.facts.recent:
            moment = self.views.moment(article.date)
            assert moment is not None
            url = self.facts.url_of[article.source]
            entries.append({"loc": self.views.absolute(url), "title": article.title, "published": moment["iso"]})
        language = self.facts.config.language.split("-")[0].lower()
        return {"site": self.site_view, "entries": entries, "publication_language": language}

    def sitemap_entries(self) -> list[SitemapEntry]:
        """Every indexable page's address and last change: the time itself, which the model holds already,
        made a lastmod only for the part a sitemap file shows, as a build holds the list all along.

        With ``Facts.shaped``, each entry is kept there with the article it was made from: an
        index page's (none) is of the site's shape, its newest article's date a field the model reads.
        """
        if self.facts.shaped is None:
            return [self._sitemap_entry(url, spec) for url, spec in self._indexed]
        kept: dict[str, tuple[Article | None, SitemapEntry]] = self.facts.shaped.setdefault("sitemap", {})
        articles = self.facts.article.data  # untracked, as the whole value is read as one fact
        entries = []
        for url, spec in self._indexed:
            made_from = articles.get(spec[1][0]) if spec is not None and spec[0] == "modified" else None
            found = kept.get(url)
            if found is None or found[0] is not made_from:
                found = kept[url] = (made_from, self._sitemap_entry(url, spec))
            entries.append(found[1])
        return entries

    def _sitemap_entry(self, url: str, spec: tuple[str, tuple[Any, ...]] | None) -> SitemapEntry:
        return url, getattr(self, spec[0])(*spec[1]) if spec else None

    def robots(self) -> Context:
        sitemaps = [self.views.absolute(urls.SITEMAP), self.views.absolute(urls.NEWS_SITEMAP)]
        return {"site": self.site_view, "sitemaps": sitemaps}

    def sitemaps(self, indexed: list[Output], limit: int) -> list[Output]:
        """sitemap.xml lists every indexable page; past ``limit`` URLs it becomes an index of parts.

        Its entries are made afresh by every build (which pages exist is decided by listing
        them, not read), and the files are made again only when the entries change.
        """

        self._indexed = [(o.url, o.lastmod) for o in indexed]  # data, not the outputs: no cycle through them
        self.facts.compute("sitemap", self.sitemap_entries)

        def entries(part: int | None = None) -> Context:
            found = self.facts.computed("sitemap")
            if part is not None:
                found = found[part * limit : (part + 1) * limit]
            absolute, instant = self.views.absolute, self.instant
            return {"site": self.site_view, "entries": [{"loc": absolute(u), "lastmod": instant(t)} for u, t in found]}

        part_urls = urls.sitemap_parts(len(indexed), limit)
        if not part_urls:
            return [self.output(urls.SITEMAP, "sitemap.xml", entries, "sitemap")]
        index = [{"loc": self.views.absolute(u)} for u in part_urls]
        outputs = [
            self.output(
                urls.SITEMAP, "sitemap_index.xml", lambda: {"site": self.site_view, "sitemaps": index}, "sitemap"
            )
        ]
        outputs += [self.output(url, "sitemap.xml", entries, "sitemap", n) for n, url in enumerate(part_urls)]
        return outputs


def _group_name(index: Index) -> str:
    """The Facts name of a section's, topic's or region's list of articles."""
    return f"{index.kind}:{index.slug}"


def _by_name(name: str) -> tuple[str, str]:
    """A to Z whatever the case; names equal but for case in a fixed order."""
    return name.casefold(), name


def _initial(name: str) -> str:
    """The letter a name is listed under in an A to Z: its first letter, or '#' for a digit or symbol."""
    first = urls.slugify(name)[:1].upper()  # as the list is sorted: 'Écosse' under E
    return first if first.isalpha() else "#"


# Structured data made from a page when it renders (views.Derived): module functions, not
# closures, so a Derived never holds the page it sits in.


def _article_json_ld(page: View, article: View, site: View, trail: list[tuple[str, str]]) -> list[View]:
    return metadata.article_json_ld(article, site, trail)


def _collection_json_ld(
    page: View, site: View, items: list[str], trail: list[tuple[str, str]], front: bool
) -> list[View]:
    lead = [metadata.website_json_ld(site)] if front else []
    return lead + metadata.collection_json_ld(page, site, items, trail)


def _no_json_ld(page: View) -> list[View]:
    return []


REDIRECTS_FILE = urls.output_file(urls.REDIRECTS)


def redirect_rules(site: Site) -> bytes:
    """The ``_redirects`` file: each published article's aliases -> the article, with status 301.

    Netlify and Cloudflare Pages answer an old URL from it with a real redirect; other hosts serve the redirect page.
    """
    base = site.config.base_path
    rules = sorted(
        (base + alias, base + site.url_of[article.source]) for article in site.articles for alias in article.aliases
    )
    lines = ["# Old URLs (the 'aliases' of articles) and where they moved. Written by Byline; edits are overwritten."]
    lines += [f"{old} {new} 301" for old, new in rules]  # not Netlify's forcing 301!, which Cloudflare refuses
    return ("\n".join(lines) + "\n").encode()
