"""Site -> the list of every file to write: its URL, template and context.

Pagination, feeds and sitemaps are decided here, so the renderer only renders.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from byline import urls
from byline.content.models import Article
from byline.dates import NEWS_WINDOW, month_name
from byline.output import metadata
from byline.output.views import Derived, View, Views
from byline.site.images import ImageCatalog
from byline.site.model import Group, Site

FEED_LENGTH = 20
SITEMAP_LIMIT = 50_000
NEWS_SITEMAP_LIMIT = 1_000
PAGE_LINKS_AROUND = 2


@dataclass(frozen=True)
class Output:
    """One file of the built site."""

    url: str
    template: str
    context: dict[str, Any]
    kind: str = "page"  # page | article | feed | sitemap | redirect | text

    @functools.cached_property
    def path(self) -> str:
        """The file under the output folder (computed once: every build asks thousands of times)."""
        return urls.output_file(self.url)


Trail = list[tuple[str, str]]  # breadcrumb (name, site path) pairs below the front page


def plan_site(
    site: Site,
    now: datetime,
    sitemap_limit: int = SITEMAP_LIMIT,
    images: ImageCatalog | None = None,
    assets: dict[str, str] | None = None,
) -> list[Output]:
    """List every output of the site, in a stable order.

    ``images`` holds the measured pictures (sizes and renditions) and ``assets`` the
    fingerprinted names of stylesheets and scripts; without them pages still plan, unsized.
    """
    return SitePlan(site, images, assets).complete(now, sitemap_limit)


class SitePlan:
    """Plan a site in two steps: its article pages, then everything.

    The build starts indexing for search from the article pages while the rest (indexes,
    feeds, sitemaps) is planned: ``articles()`` first, then ``complete()``.
    """

    def __init__(self, site: Site, images: ImageCatalog | None = None, assets: dict[str, str] | None = None):
        self._planner = _Planner(site, Views(site, images, assets))
        self._articles: list[Output] | None = None

    def articles(self) -> list[Output]:
        """Each article's page and its aliases' redirect pages."""
        if self._articles is None:
            self._articles = list(self._planner.articles())
        return self._articles

    def article_pages(self, paths: Collection[str]) -> list[Output]:
        """The outputs of the articles whose page is at one of ``paths`` (output paths), ahead of the rest.

        They equal what ``articles()`` gives for those articles: one planner, whose views are memoised.
        """
        if not paths:
            return []
        site = self._planner.site
        wanted = [a for a in site.articles if urls.output_file(site.url_of[a.source]) in paths]
        return [output for article in wanted for output in self._planner.article(article)]

    def complete(self, now: datetime, sitemap_limit: int = SITEMAP_LIMIT) -> list[Output]:
        """Every output: the article pages first, as ``articles()`` gave them."""
        planner = self._planner
        outputs = [*self.articles(), *planner.collections()]
        outputs += _sitemaps(planner.views, outputs, sitemap_limit)
        outputs.append(planner.news_sitemap(now))
        outputs.append(
            Output(
                urls.ROBOTS,
                "robots.txt",
                {
                    "site": planner.site_view,
                    "sitemaps": [planner.views.absolute(urls.SITEMAP), planner.views.absolute(urls.NEWS_SITEMAP)],
                },
                "text",
            )
        )
        return outputs


class _Planner:
    def __init__(self, site: Site, views: Views):
        self.site = site
        self.views = views
        self.site_view = views.site_view()
        self.per_page = site.config.per_page

    def collections(self) -> Iterator[Output]:
        """Everything but the articles' own pages: indexes, lists, archives, standalone pages."""
        yield from self.index(
            urls.home,
            "front",
            self.site.config.name,
            self.site.articles,
            description=f"The latest news from {self.site.config.name}.",
            feed=urls.FEED,
            trail=[],
        )
        yield from self.sections()
        yield from self.authors()
        yield from self.companies()
        yield from self.groups(self.site.topics, "topic", urls.topic)
        yield from self.groups(self.site.regions, "region", urls.region)
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
        site, the article or index, and the breadcrumb trail kept in ``page["trail"]``),
        so they are Derived and fingerprinting need not hash them.
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

    def context(self, page: View, **data: Any) -> dict[str, Any]:
        return {"site": self.site_view, "page": page, **data}

    def index(
        self,
        url_for: Any,
        kind: str,
        title: str,
        articles: Sequence[Article],
        description: str = "",
        feed: str | None = None,
        template: str = "index.html",
        trail: Trail | None = None,
        **extra: Any,
    ) -> Iterator[Output]:
        """Paginated article list: page 1 at the index URL, then page/N/; ``trail`` leads to page 1."""
        pages = max(1, -(-len(articles) // self.per_page))
        cards = [self.views.card(a) for a in articles]
        for number in range(1, pages + 1):
            url = url_for(page=number)
            pagination = self.pagination(url_for, number, pages)
            heading = title if number == 1 else f"{title} – page {number} of {pages}"
            page = self.meta(
                url,
                heading,
                kind,
                description,
                feed=self.views.link(feed) if feed else None,
                prev=pagination["prev"],
                next=pagination["next"],
            )
            start = (number - 1) * self.per_page
            self.describe_index(page, kind, articles[start : start + self.per_page], trail or [], number, extra)
            yield Output(
                url,
                template,
                self.context(
                    page,
                    index={
                        "title": title,
                        "kind": kind,
                        "description": description,
                        "count": len(articles),
                        "articles": cards[start : start + self.per_page],
                        **extra,
                    },
                    pagination=pagination,
                ),
            )
            if feed and number == 1:
                yield self.feed(feed, title, url, articles)

    def describe_index(
        self, page: View, kind: str, articles: Sequence[Article], trail: Trail, number: int, extra: dict[str, Any]
    ) -> None:
        """An author's pages are their profile; other indexes are collections; page N adds itself to the trail."""
        if number > 1:
            trail = [*trail, (f"Page {number}", page["url"].removeprefix(self.site.config.base_path))]
        items = [self.site.url_of[a.source] for a in articles]
        if kind == "author":
            crumbs = self.crumbs(page, trail)
            json_ld = Derived(metadata.profile_json_ld, site=self.site_view, author=extra["author"], trail=crumbs)
            self.describe(page, json_ld)
        elif kind == "company":
            crumbs = self.crumbs(page, trail)
            json_ld = Derived(metadata.company_json_ld, site=self.site_view, company=extra["company"], trail=crumbs)
            self.describe(page, json_ld)
        else:
            self.collection(page, items, trail, front=kind == "front" and number == 1)

    def pagination(self, url_for: Any, number: int, pages: int) -> View:
        window = range(max(1, number - PAGE_LINKS_AROUND), min(pages, number + PAGE_LINKS_AROUND) + 1)
        links = sorted({1, pages, *window})
        return {
            "number": number,
            "pages": pages,
            "prev": self.views.link(url_for(page=number - 1)) if number > 1 else None,
            "next": self.views.link(url_for(page=number + 1)) if number < pages else None,
            "links": [{"number": n, "url": self.views.link(url_for(page=n)), "current": n == number} for n in links],
        }

    def feed(self, url: str, title: str, alternate: str, articles: Sequence[Article]) -> Output:
        entries = [self.views.article(a) for a in articles[:FEED_LENGTH]]
        newest = max((e["modified"] for e in entries), key=lambda m: m["epoch"], default=None)
        updated = newest["iso"] if newest else None
        return Output(
            url,
            "feed.xml",
            {
                "site": self.site_view,
                "feed": {
                    "title": title if title == self.site.config.name else f"{title} – {self.site.config.name}",
                    "id": self.views.absolute(url),
                    "self_url": self.views.absolute(url),
                    "alternate_url": self.views.absolute(alternate),
                    "updated": updated or "1970-01-01T00:00:00+00:00",
                    "entries": entries,
                },
            },
            "feed",
        )

    # --- pages ----------------------------------------------------------------------
    def articles(self) -> Iterator[Output]:
        for article in self.site.articles:
            yield from self.article(article)

    def article(self, article: Article) -> Iterator[Output]:
        """An article's page and its aliases' redirect pages."""
        view = self.views.article(article)
        url = self.site.url_of[article.source]
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
        yield Output(url, "article.html", self.context(page, article=view), "article")
        card = self.views.card(article)  # not the whole view: a new related article must not touch aliases
        for alias in article.aliases:
            yield Output(
                alias,
                "redirect.html",
                self.context(
                    self.meta(alias, article.title, "redirect", canonical_target=card["abs_url"]), target=card
                ),
                "redirect",
            )

    def sections(self) -> Iterator[Output]:
        for group in self.site.sections:
            config = self.site.config.section(group.slug)
            assert config is not None
            yield from self.index(
                lambda page=1, slug=group.slug: urls.section(slug, page),
                "section",
                config.title,
                group.articles,
                description=f"{config.title} from {self.site.config.name}.",
                feed=urls.feed_of(urls.section(group.slug)),
                trail=[(config.title, urls.section(group.slug))],
                section=self.views.section(group.slug),
            )

    def authors(self) -> Iterator[Output]:
        for author in self.site.authors:
            view = self.views.author(author)
            articles = self.site.by_author.get(author.slug, ())
            yield from self.index(
                lambda page=1, slug=author.slug: urls.author(slug, page),
                "author",
                author.name,
                articles,
                description=f"Articles by {author.name}.",
                feed=urls.feed_of(urls.author(author.slug)),
                template="author.html",
                trail=[("Authors", urls.AUTHORS), (author.name, urls.author(author.slug))],
                author=view,
            )

    def companies(self) -> Iterator[Output]:
        """Each company with a published article: its profile and releases, paginated, and its feed."""
        for company in self.site.companies:
            url = urls.company(company.slug)
            yield from self.index(
                lambda page=1, slug=company.slug: urls.company(slug, page),
                "company",
                company.name,
                self.site.by_company[company.slug],
                description=company.about.first_paragraph or f"News from {company.name}.",
                feed=urls.feed_of(url),
                template="company.html",
                trail=[("Companies", urls.COMPANIES), (company.name, url)],
                company=self.views.company(company),
            )

    def company_list(self) -> Output:
        """/companies/: every company with a published article, A to Z, with its count and latest date."""
        entries = []
        for company in self.site.companies:
            articles = self.site.by_company[company.slug]
            entries.append(
                {
                    **self.views.company_ref(company.slug),
                    "letter": _initial(company.name),
                    "logo": self.views.company(company)["logo"],
                    "sector": company.sector,
                    "region": company.region,
                    "count": len(articles),
                    "latest": self.views.moment(articles[0].date),
                }
            )
        name = self.site.config.name
        page = self.meta(urls.COMPANIES, "Member companies", "companies", f"The member companies publishing on {name}.")
        items = [urls.company(c.slug) for c in self.site.companies]
        self.collection(page, items, [("Companies", urls.COMPANIES)])
        return Output(urls.COMPANIES, "companies.html", self.context(page, companies=entries))

    def groups(self, groups: Sequence[Group], kind: str, url_for: Any) -> Iterator[Output]:
        parent = ("Topics", urls.TOPICS) if kind == "topic" else ("Regions", "/regions/")
        for group in groups:
            noun = "Topic" if kind == "topic" else "Region"
            feed = urls.feed_of(url_for(group.slug)) if kind == "topic" else None
            yield from self.index(
                lambda page=1, slug=group.slug: url_for(slug, page),
                kind,
                group.name,
                group.articles,
                description=f"{noun}: {group.name} – articles from {self.site.config.name}.",
                feed=feed,
                trail=[parent, (group.name, url_for(group.slug))],
            )

    def lists(self) -> Iterator[Output]:
        authors = [self.views.author(a) for a in self.site.authors]
        page = self.meta(urls.AUTHORS, "Authors", "authors", f"Everyone who writes for {self.site.config.name}.")
        self.collection(page, [urls.author(a.slug) for a in self.site.authors], [("Authors", urls.AUTHORS)])
        yield Output(urls.AUTHORS, "authors.html", self.context(page, authors=authors))
        yield self.company_list()
        topics = [self.views.group_ref(g, "topic") for g in self.site.topics]
        page = self.meta(urls.TOPICS, "Topics", "topics", "Every topic we cover, with its number of articles.")
        self.collection(page, [urls.topic(g.slug) for g in self.site.topics], [("Topics", urls.TOPICS)])
        yield Output(urls.TOPICS, "topics.html", self.context(page, groups=topics, noun="topic"))
        regions = [self.views.group_ref(g, "region") for g in self.site.regions]
        page = self.meta("/regions/", "Regions", "regions", "Articles by region.")
        self.collection(page, [urls.region(g.slug) for g in self.site.regions], [("Regions", "/regions/")])
        yield Output("/regions/", "topics.html", self.context(page, groups=regions, noun="region"))

    def archives(self) -> Iterator[Output]:
        years = [
            {
                "year": y.year,
                "url": self.views.link(urls.archive_year(y.year)),
                "count": len(y.articles),
                "months": [self.month_ref(m.year, m.month, len(m.articles)) for m in y.months],
            }
            for y in self.site.years
        ]
        page = self.meta(urls.ARCHIVE, "Archive", "archive", "Every article, by date.")
        trail: Trail = [("Archive", urls.ARCHIVE)]
        self.collection(page, [urls.archive_year(y.year) for y in self.site.years], trail)
        yield Output(urls.ARCHIVE, "archive.html", self.context(page, years=years))
        for year, view in zip(self.site.years, years, strict=True):
            url = urls.archive_year(year.year)
            page = self.meta(url, f"Archive: {year.year}", "archive-year", f"Articles published in {year.year}.")
            year_trail: Trail = [*trail, (str(year.year), url)]
            self.collection(page, [urls.archive_month(m.year, m.month) for m in year.months], year_trail)
            yield Output(url, "archive.html", self.context(page, years=[view], year=view))
            for month in year.months:
                ref = self.month_ref(month.year, month.month, len(month.articles))
                url = urls.archive_month(month.year, month.month)
                page = self.meta(
                    url, f"Archive: {ref['name']}", "archive-month", f"Articles published in {ref['name']}."
                )
                items = [self.site.url_of[a.source] for a in month.articles]
                self.collection(page, items, [*year_trail, (ref["name"], url)])
                yield Output(
                    url,
                    "archive_month.html",
                    self.context(page, month=ref, year=view, articles=[self.views.card(a) for a in month.articles]),
                )

    def month_ref(self, year: int, month: int, count: int) -> View:
        return {
            "year": year,
            "month": month,
            "name": f"{month_name(month)} {year}",
            "url": self.views.link(urls.archive_month(year, month)),
            "count": count,
        }

    def standalone(self) -> Iterator[Output]:
        for item in self.site.pages:
            view = self.views.page(item)
            url = self.site.url_of[item.source]
            page = self.meta(url, item.title, "page", item.summary)
            crumbs = self.crumbs(page, [(item.title, url)])
            self.describe(page, Derived(metadata.webpage_json_ld, site=self.site_view, trail=crumbs))
            yield Output(url, "page.html", self.context(page, content=view))
        page = self.meta(urls.SEARCH, "Search", "search", f"Search {self.site.config.name}.", noindex=True)
        self.describe(page, Derived(_no_json_ld))
        filters = self.search_filters()
        yield Output(urls.SEARCH, "search.html", self.context(page, filters=filters))
        page = self.meta(urls.NOT_FOUND, "Page not found", "404", noindex=True)
        self.describe(page, Derived(_no_json_ld))
        yield Output(
            urls.NOT_FOUND, "404.html", self.context(page, latest=[self.views.card(a) for a in self.site.articles[:5]])
        )

    def search_filters(self) -> list[View]:
        """The search page's filters with every value readers can pick, so they work before the index loads."""
        published = [a for a in self.site.articles if self.site.status_of[a.source] == "published"]
        sections = sorted({self.views.section(a.section)["title"] for a in published}, key=str.casefold)
        authors = sorted({self.site.author[s].name for a in published for s in a.authors}, key=str.casefold)
        company_of = self.site.company_of
        companies = {self.site.company[company_of[a.source]].name for a in published if a.source in company_of}
        topics = sorted({self.views.tag(t)["name"] for a in published for t in a.tags if t in self.site.topic_slug})
        regions = sorted({r["name"] for a in published if (r := self.views.region(a.region))})
        values = {"section": sections, "company": sorted(companies, key=str.casefold), "author": authors}
        values["topic"] = sorted(topics, key=str.casefold)
        values["region"] = sorted(regions, key=str.casefold)
        labels = {"section": "Section", "company": "Company", "author": "Author", "topic": "Topic", "region": "Region"}
        return [{"key": key, "label": labels[key], "options": values[key]} for key in labels]

    def news_sitemap(self, now: datetime) -> Output:
        recent = [a for a in self.site.articles if now - NEWS_WINDOW <= a.date <= now][:NEWS_SITEMAP_LIMIT]
        entries = [
            {
                "loc": self.views.absolute(self.site.url_of[a.source]),
                "title": a.title,
                "published": self.views.moment(a.date)["iso"],
            }
            for a in recent
        ]
        language = self.site.config.language.split("-")[0].lower()
        return Output(
            urls.NEWS_SITEMAP,
            "news_sitemap.xml",
            {"site": self.site_view, "entries": entries, "publication_language": language},
            "sitemap",
        )


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

    Netlify and Cloudflare Pages read it and answer an old URL with a real HTTP redirect;
    every other host serves the alias's redirect page (meta refresh). Plain ``301``, not
    Netlify's forcing ``301!``, which Cloudflare does not accept: Netlify then serves the
    redirect page, which sends readers on just the same. Sorted, so builds are byte-identical.
    """
    base = site.config.base_path
    rules = sorted(
        (base + alias, base + site.url_of[article.source]) for article in site.articles for alias in article.aliases
    )
    lines = ["# Old URLs (the 'aliases' of articles) and where they moved. Written by Byline; edits are overwritten."]
    lines += [f"{old} {new} 301" for old, new in rules]
    return ("\n".join(lines) + "\n").encode()


def _sitemaps(views: Views, outputs: list[Output], limit: int) -> list[Output]:
    """sitemap.xml lists every indexable page; past ``limit`` URLs it becomes an index of parts."""
    entries = [
        {"loc": o.context["page"]["canonical"], "lastmod": _lastmod(o)}
        for o in outputs
        if o.kind in ("page", "article") and not o.context["page"].get("noindex")
    ]
    site_view = outputs[0].context["site"] if outputs else views.site_view()
    if len(entries) <= limit:
        return [Output(urls.SITEMAP, "sitemap.xml", {"site": site_view, "entries": entries}, "sitemap")]
    parts = [entries[i : i + limit] for i in range(0, len(entries), limit)]
    part_urls = [f"/sitemaps/sitemap-{n}.xml" for n in range(1, len(parts) + 1)]
    index = [{"loc": views.absolute(u)} for u in part_urls]
    return [Output(urls.SITEMAP, "sitemap_index.xml", {"site": site_view, "sitemaps": index}, "sitemap")] + [
        Output(u, "sitemap.xml", {"site": site_view, "entries": p}, "sitemap")
        for u, p in zip(part_urls, parts, strict=True)
    ]


def _lastmod(output: Output) -> str | None:
    context = output.context
    if "article" in context:
        return context["article"]["modified"]["iso"]
    articles = context.get("index", {}).get("articles") or context.get("articles")
    if articles:  # lists are newest first
        return articles[0]["date"]["iso"]
    return None
