"""Site -> plain, JSON-like data for templates: the only thing templates ever see.

Views hold strings, numbers, lists and dicts only, so a page's context can be
fingerprinted by serialising it. Fields ending in ``_html`` are already safe HTML.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import urls
from .dates import display_date, display_datetime, iso
from .markup import reading_minutes
from .models import Article, Author, Page
from .site import Group, Site

View = dict[str, Any]


class Views:
    """Build and memoise the views of one Site; cards are shared by every list they appear in."""

    def __init__(self, site: Site):
        self.site = site
        self.config = site.config
        self._cards: dict[str, View] = {}
        self._authors: dict[str, View] = {}
        self.sections = {s.slug: s for s in site.config.sections}
        self._topic_names = {g.slug: g.name for g in site.topics}  # merged spellings
        self._region_names = {g.slug: g.name for g in site.regions}

    # --- links -------------------------------------------------------------------
    def link(self, path: str) -> str:
        """A site path as a link from any page: the base URL's path prefix added."""
        if "://" in path or path.startswith("//"):
            return path
        return self.config.base_path + path

    def absolute(self, path: str) -> str:
        """A site path as an absolute URL, for feeds, sitemaps and canonical links."""
        if "://" in path or path.startswith("//"):
            return path
        return self.config.origin + self.config.base_path + path

    # --- shared ------------------------------------------------------------------
    def site_view(self) -> View:
        config = self.config
        return {
            "name": config.name,
            "language": config.language,
            "base_url": config.base_url,
            "home_url": self.link(urls.HOME),
            "static_url": self.link("/static/"),
            "feed_url": self.link(urls.FEED),
            "search_url": self.link(urls.SEARCH),
            "authors_url": self.link(urls.AUTHORS),
            "topics_url": self.link(urls.TOPICS),
            "archive_url": self.link(urls.ARCHIVE),
            "regions_url": self.link("/regions/"),
            "sections": [
                {"slug": s.slug, "title": s.title, "url": self.link(urls.section(s.slug))} for s in config.sections
            ],
            "pages": [{"title": p.title, "url": self.link(urls.page(p.slug))} for p in self.site.pages],
            "extra": dict(config.extra),
        }

    def moment(self, value: datetime | None) -> View | None:
        if value is None:
            return None
        local = value.astimezone(self.config.timezone)
        return {
            "iso": iso(local),
            "display": display_date(local),
            "display_time": display_datetime(local),
            "epoch": int(value.timestamp()),
        }

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
            self._authors[slug] = {
                "slug": slug,
                "name": author.name,
                "url": self.link(urls.author(slug)),
                "abs_url": self.absolute(urls.author(slug)),
                "role": author.role,
                "organisation": author.organisation,
                "avatar": self.link(author.avatar) if author.avatar else None,
            }
        return self._authors[slug]

    def author(self, author: Author) -> View:
        """The full profile: reference plus bio and links."""
        return {
            **self.author_ref(author.slug),
            "bio_html": author.bio.html,
            "links": [{"name": name, "url": url} for name, url in author.links],
            "count": len(self.site.by_author.get(author.slug, ())),
            "feed_url": self.link(urls.feed_of(urls.author(author.slug))),
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
                image = {"src": self.link(article.image), "alt": article.image_alt}
            self._cards[article.source] = {
                "url": self.link(url),
                "abs_url": self.absolute(url),
                "title": article.title,
                "summary": article.summary,
                "date": self.moment(article.date),
                "author": self.author_ref(article.author),
                "section": self.section(article.section),
                "image": image,
                "reading_minutes": reading_minutes(article.body.word_count),
                "status": self.site.status_of[article.source],
            }
        return self._cards[article.source]

    def article(self, article: Article) -> View:
        """Everything the article page, its feed entry and structured data need."""
        author = self.site.author[article.author]
        section = self.sections[article.section]
        attribution = None
        if section.attribution:
            attribution = section.attribution.format(site=self.config.name, section=section.title, author=author.name)
        image = None
        if article.image:
            image = {
                "src": self.link(article.image),
                "abs_src": self.absolute(article.image),
                "alt": article.image_alt,
                "credit": article.image_credit,
            }
        return {
            **self.card(article),
            "image": image,
            "id": self.entry_id(article),
            "body_html": article.body.html,
            "word_count": article.body.word_count,
            "updated": self.moment(article.updated),
            "modified": self.moment(article.modified),
            "scheduled_for": self.moment(article.date)["display_time"]
            if self.site.status_of[article.source] == "scheduled"
            else None,
            "corrections": [{"date": self.moment(c.date), "note": c.note} for c in article.corrections],
            "tags": [self.tag(t) for t in article.tags if t in self.site.topic_slug],
            "region": self.region(article.region),
            "author": self.author(author),
            "attribution": attribution,
            "related": [self.card(a) for a in self.site.related.get(article.source, ())],
            "aliases": list(article.aliases),
            "meta": dict(article.meta),
        }

    def tag(self, tag: str) -> View:
        slug = self.site.topic_slug[tag]
        name = self._topic_names.get(slug, tag)
        return {"name": name, "url": self.link(urls.topic(slug)), "abs_url": self.absolute(urls.topic(slug))}

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
            "url": self.link(url),
            "abs_url": self.absolute(url),
            "body_html": page.body.html,
            "meta": dict(page.meta),
        }
