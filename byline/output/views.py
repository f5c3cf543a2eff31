"""Site -> plain, JSON-like data for templates: the only thing templates ever see.

Views hold strings, numbers, lists and dicts only, so a page's context can be
fingerprinted by serialising it. Fields ending in ``_html`` are already safe HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from byline import urls
from byline.config import format_attribution
from byline.content.markup import Html, plain_text, reading_minutes
from byline.content.models import Article, Author, Company, Page
from byline.dates import display_date, display_datetime, iso
from byline.output.links import apply_link_policy
from byline.output.metadata import locale
from byline.site.images import ImageCatalog, finish_images, srcset
from byline.site.model import Group, Site

View = dict[str, Any]


class Shared(dict):  # type: ignore[type-arg]
    """A view dict that many pages share (a card, an article, an author, the site).

    Templates see a plain dict (even in error messages, hence the names below);
    fingerprinting hashes a Shared once per build and then stands its digest in for it
    wherever it appears.
    """


class Derived:
    """Page data made only from the rest of its context (structured data, social tags).

    It is made when its page renders, not when the site is planned: most pages of a
    rebuild are unchanged and never render, and at 10,000 articles the tags and JSON-LD
    of every page were a third of planning's time and ~100 MB. Fingerprinting skips it,
    as whatever it is made from is hashed already; whoever makes a Derived must keep that
    promise by making it only from values that are in the context too.
    """

    __slots__ = ("make", "inputs")

    def __init__(self, make: Callable[..., list[Any]], **inputs: Any):
        self.make = make  # called as make(page, **inputs): given its page, never holding it (no cycle)
        self.inputs = inputs

    def made(self, page: View) -> list[Any]:
        return self.make(page, **self.inputs)

    def __eq__(self, other: object) -> bool:
        """Equal when made the same way from equal inputs (as two plans of one site compare)."""
        return isinstance(other, Derived) and (self.make, self.inputs) == (other.make, other.inputs)

    __hash__ = None  # type: ignore[assignment]  # a list stands here for templates: unhashable too


Shared.__module__ = "builtins"  # so Jinja calls it "'dict object'" in errors, as for any view
Shared.__name__ = Shared.__qualname__ = "dict"
# How wide a picture in an article's body shows: the text column, or the whole phone screen.
BODY_IMAGE_SIZES = "(min-width: 45rem) 43rem, 100vw"


class Views:
    """Build and memoise the views of one Site; cards are shared by every list they appear in."""

    def __init__(self, site: Site, images: ImageCatalog | None = None, assets: dict[str, str] | None = None):
        self.site = site
        self.config = site.config
        self.images = images or ImageCatalog()
        self.assets = assets or {}
        self._cards: dict[str, View] = {}
        self._base_path = site.config.base_path  # parsed once: links are made tens of thousands of times
        self._absolute_base = site.config.origin + site.config.base_path
        self._articles: dict[str, View] = {}
        self._authors: dict[str, View] = {}
        self._company_refs: dict[str, View] = {}
        self._companies: dict[str, View] = {}
        self._bodies: dict[str, Html] = {}
        self._profiles: dict[str, View] = {}
        self._moments: dict[datetime, View] = {}  # by instant: equal instants show the same
        self._tags: dict[str, View] = {}
        self._host = urlsplit(site.config.base_url).hostname or ""
        self.sections = {s.slug: s for s in site.config.sections}
        self._topic_names = {g.slug: g.name for g in site.topics}  # merged spellings
        self._region_names = {g.slug: g.name for g in site.regions}

    # --- links -------------------------------------------------------------------
    def link(self, path: str) -> str:
        """A site path as a link from any page: the base URL's path prefix added."""
        if "://" in path or path.startswith("//"):
            return path
        return self._base_path + path

    def absolute(self, path: str) -> str:
        """A site path as an absolute URL, for feeds, sitemaps and canonical links."""
        if "://" in path or path.startswith("//"):
            return path
        return self._absolute_base + path

    # --- shared ------------------------------------------------------------------
    def site_view(self) -> View:
        config = self.config
        return Shared(
            {
                "name": config.name,
                "language": config.language,
                "base_url": config.base_url,
                "home_url": self.link(urls.HOME),
                "static_url": self.link("/static/"),
                "feed_url": self.link(urls.FEED),
                "search_url": self.link(urls.SEARCH),
                "authors_url": self.link(urls.AUTHORS),
                "companies_url": self.link(urls.COMPANIES),
                "topics_url": self.link(urls.TOPICS),
                "archive_url": self.link(urls.ARCHIVE),
                "regions_url": self.link("/regions/"),
                "sections": [
                    {"slug": s.slug, "title": s.title, "url": self.link(urls.section(s.slug))} for s in config.sections
                ],
                "pages": [{"title": p.title, "url": self.link(urls.page(p.slug))} for p in self.site.pages],
                "extra": dict(config.extra),
                "abs_home_url": self.absolute(urls.HOME),
                "locale": locale(config.language),
                "publisher": self.publisher(),
                # Stylesheets and scripts by their name under static/ -> fingerprinted URL (see assets.py).
                "assets": {name: self.link("/static/" + fingerprinted) for name, fingerprinted in self.assets.items()},
                "search_bundle_url": self.link("/pagefind/"),
            }
        )

    def publisher(self) -> View:
        """The organisation behind the site, for structured data: [publisher] in site.toml."""
        publisher = self.config.publisher
        logo = None
        if publisher.logo:
            info = self.images.get(publisher.logo)
            logo = {
                "url": self.absolute(publisher.logo),
                "width": info.width if info else None,
                "height": info.height if info else None,
            }
        return {"name": publisher.name or self.config.name, "url": self.absolute(urls.HOME), "logo": logo}

    def image(self, src: str, alt: str | None, credit: str | None = None) -> View:
        """A picture as pages show it: intrinsic size (so nothing shifts) and responsive renditions."""
        info = self.images.get(src)
        return {
            "src": self.link(src),
            "abs_src": self.absolute(src),
            "alt": alt,
            "credit": credit,
            "width": info.width if info else None,
            "height": info.height if info else None,
            "srcset": srcset(info, self.link) if info else None,
        }

    def moment(self, value: datetime | None) -> View | None:
        """A time as pages show it; memoised, as a card, its article and its feed entries all show it."""
        if value is None:
            return None
        if value not in self._moments:
            local = value.astimezone(self.config.timezone)
            self._moments[value] = {
                "iso": iso(local),
                "display": display_date(local),
                "display_time": display_datetime(local),
                "epoch": int(value.timestamp()),
            }
        return self._moments[value]

    def section(self, slug: str) -> View:
        section = self.sections[slug]
        return {
            "slug": slug,
            "title": section.title,
            "label": section.label,
            "url": self.link(urls.section(slug)),
        }

    def author_ref(self, slug: str) -> View:
        """An author as listed on cards and bylines: memoised, shared."""
        if slug not in self._authors:
            author = self.site.author[slug]
            self._authors[slug] = Shared(
                {
                    "slug": slug,
                    "name": author.name,
                    "url": self.link(urls.author(slug)),
                    "abs_url": self.absolute(urls.author(slug)),
                    "role": author.role,
                    "organisation": author.organisation,
                    "avatar": self.link(author.avatar) if author.avatar else None,
                    "abs_avatar": self.absolute(author.avatar) if author.avatar else None,
                    # Profiles elsewhere, for structured data's sameAs: web addresses only, not mailto:.
                    "same_as": [url for _, url in author.links if url.startswith(("http://", "https://"))],
                }
            )
        return self._authors[slug]

    def author(self, author: Author) -> View:
        """The full profile: reference plus bio and links; memoised, as every article embeds one."""
        if author.slug not in self._profiles:
            self._profiles[author.slug] = Shared(self._profile(author))
        return self._profiles[author.slug]

    def _profile(self, author: Author) -> View:
        return {
            **self.author_ref(author.slug),
            "bio_html": author.bio.html,
            "bio_text": plain_text(author.bio.html),
            "links": [{"name": name, "url": url} for name, url in author.links],
            "count": len(self.site.by_author.get(author.slug, ())),
            "feed_url": self.link(urls.feed_of(urls.author(author.slug))),
            "company": self.company_ref(author.company) if author.company in self.site.company else None,
        }

    def company_ref(self, slug: str) -> View:
        """A company as bylines and cards name it; ``url`` is None when it has no page (no published article)."""
        if slug not in self._company_refs:
            company = self.site.company[slug]
            listed = slug in self.site.by_company
            self._company_refs[slug] = Shared(
                {
                    "slug": slug,
                    "name": company.name,
                    "url": self.link(urls.company(slug)) if listed else None,
                    "abs_url": self.absolute(urls.company(slug)) if listed else None,
                }
            )
        return self._company_refs[slug]

    def company(self, company: Company) -> View:
        """The full profile, for its page and the About box ending its articles; memoised."""
        if company.slug not in self._companies:
            self._companies[company.slug] = Shared(self._company(company))
        return self._companies[company.slug]

    def _company(self, company: Company) -> View:
        logo = self.image(company.logo, company.logo_alt) if company.logo else None
        return {
            **self.company_ref(company.slug),
            "about_html": company.about.html,
            "summary": company.about.first_paragraph,  # the About text's first paragraph, as plain text
            "website": company.website,
            "website_label": _website_label(company.website) if company.website else None,
            "logo": {k: logo[k] for k in ("src", "abs_src", "alt", "width", "height")} if logo else None,
            "sector": company.sector,
            "region": company.region,
            "contact": company.contact,
            "feed_url": self.link(urls.feed_of(urls.company(company.slug))),
        }

    def group_ref(self, group: Group, kind: str) -> View:
        make = {"topic": urls.topic, "region": urls.region, "section": urls.section}[kind]
        return {
            "slug": group.slug,
            "name": group.name,
            "url": self.link(make(group.slug)),
            "count": len(group.articles),
        }

    # --- articles ------------------------------------------------------------------
    def card(self, article: Article) -> View:
        """An article as it appears in lists and related links."""
        if article.source not in self._cards:
            url = self.site.url_of[article.source]
            image = None
            if article.image:
                full = self.image(article.image, article.image_alt)
                image = {k: full[k] for k in ("src", "alt", "width", "height", "srcset")}
            self._cards[article.source] = Shared(
                {
                    "url": self.link(url),
                    "abs_url": self.absolute(url),
                    "title": article.title,
                    "summary": article.summary,
                    "date": self.moment(article.date),
                    "author": self.author_ref(article.authors[0]),
                    "authors": [self.author_ref(slug) for slug in article.authors],
                    "company": self.company_ref(company)
                    if (company := self.site.company_of.get(article.source))
                    else None,
                    "section": self.section(article.section),
                    "image": image,
                    "reading_minutes": reading_minutes(article.body.word_count),
                    "status": self.site.status_of[article.source],
                }
            )
        return self._cards[article.source]

    def article(self, article: Article) -> View:
        """Everything the article page, its feed entry and structured data need (memoised)."""
        if article.source not in self._articles:
            self._articles[article.source] = Shared(self._article(article))
        return self._articles[article.source]

    def _article(self, article: Article) -> View:
        authors = [self.author(self.site.author[slug]) for slug in article.authors]
        section = self.sections[article.section]
        slug = self.site.company_of.get(article.source)
        company = self.company(self.site.company[slug]) if slug else None
        attribution = None
        if section.attribution:
            names = join_names([a["name"] for a in authors])
            company_name = company["name"] if company else None
            attribution = format_attribution(section.attribution, self.config.name, section.title, names, company_name)
        image = self.image(article.image, article.image_alt, article.image_credit) if article.image else None
        return {
            **self.card(article),
            "image": image,
            "id": self.entry_id(article),
            "body_html": self.body(article),
            "standfirst": standfirst(article.summary, article.body.first_paragraph),
            "embeds": bool(article.body.embeds),  # the page loads the script that plays them
            "word_count": article.body.word_count,
            "schema_type": section.schema_type,
            "updated": self.moment(article.updated),
            "modified": self.moment(article.modified),
            "scheduled_for": self.moment(article.date)["display_time"]
            if self.site.status_of[article.source] == "scheduled"
            else None,
            "corrections": [{"date": self.moment(c.date), "note": c.note} for c in article.corrections],
            "tags": [self.tag(t) for t in article.tags if t in self.site.topic_slug],
            "region": self.region(article.region),
            "author": authors[0],
            "authors": authors,
            "company": company,
            "attribution": attribution,
            "related": [self.card(a) for a in self.site.related.get(article.source, ())],
            "aliases": list(article.aliases),
            "meta": dict(article.meta),
        }

    def body(self, article: Article) -> Html:
        """The article's HTML as published: images sized, outbound links under its section's policy.

        Memoised: an article's body is shown on its page and in several feeds.
        """
        if article.source not in self._bodies:
            section = self.sections[article.section]
            html = finish_images(article.body.html, self.images, self.link, BODY_IMAGE_SIZES)
            html = apply_link_policy(html, self._host, section.link_rel, section.link_new_tab)
            self._bodies[article.source] = _as_html(html)
        return self._bodies[article.source]

    def tag(self, tag: str) -> View:
        """A topic as an article lists it; memoised: a few hundred topics are tagged tens of thousands of times."""
        if tag not in self._tags:
            slug = self.site.topic_slug[tag]
            name = self._topic_names.get(slug, tag)
            url = urls.topic(slug)
            self._tags[tag] = {"name": name, "url": self.link(url), "abs_url": self.absolute(url)}
        return self._tags[tag]

    def region(self, region: str | None) -> View | None:
        if not region:
            return None
        slug = urls.slugify(region)
        return {"name": self._region_names.get(slug, region), "url": self.link(urls.region(slug))}

    def entry_id(self, article: Article) -> str:
        """A permanent Atom id that survives slug edits.

        The front matter ``id`` when present; otherwise a tag URI built from the site's
        host, the publication date and the source file path (which slug edits leave alone).
        """
        if article.id:
            return f"urn:uuid:{article.id}"
        host = self.config.origin.split("://", 1)[1].split(":")[0]
        day = article.date.astimezone(self.config.timezone).strftime("%Y-%m-%d")
        path = article.source.removeprefix("content/articles/").removesuffix(".md")
        return f"tag:{host},{day}:/{path}"

    # --- pages ----------------------------------------------------------------------
    def page(self, page: Page) -> View:
        url = self.site.url_of[page.source]
        return {
            "title": page.title,
            "summary": page.summary,
            "standfirst": standfirst(page.summary, page.body.first_paragraph),
            "embeds": bool(page.body.embeds),
            "url": self.link(url),
            "abs_url": self.absolute(url),
            "body_html": _as_html(finish_images(page.body.html, self.images, self.link, BODY_IMAGE_SIZES)),
            "meta": dict(page.meta),
        }


def join_names(names: list[str]) -> str:
    """Names as a byline reads them: 'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _website_label(url: str) -> str:
    """A web address as readers are shown it: 'https://www.bt.com/' -> 'www.bt.com'."""
    parts = urlsplit(url)
    return (parts.netloc + parts.path).rstrip("/")


# Smart punctuation the body's first paragraph has and a summary pasted from it may not.
_PLAIN = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'})
_PLAIN.update(str.maketrans({"–": "--", "—": "---", "…": "...", "\u00a0": " "}))


def standfirst(summary: str, first_paragraph: str) -> str | None:
    """The summary to show above the body, or None when it only repeats the body's opening paragraph.

    Press releases open with their summary, and editors paste it into ``summary:``; an
    article without one takes its first paragraph. Either way, shown twice it reads as a
    mistake. Whitespace and typographic quotes, dashes and ellipses do not count.
    """
    if not summary or _plain(summary) == _plain(first_paragraph):
        return None
    return summary


def _plain(text: str) -> str:
    return " ".join(text.translate(_PLAIN).split())


def _as_html(text: str) -> Html:
    """A finished body as Html: the parsed one itself when nothing changed it (no copy, its digest kept)."""
    return text if type(text) is Html else Html(text)
