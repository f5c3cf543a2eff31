"""Site -> plain, JSON-like data for templates: the only thing templates ever see.

Views hold strings, numbers, lists and dicts only, so a page's context can be
fingerprinted by serialising it. Fields ending in ``_html`` are already safe HTML.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast, overload
from urllib.parse import urlsplit

from byline import urls
from byline.config import format_attribution
from byline.content.markup import plain_text, reading_minutes
from byline.content.models import Article, Author, Company, Html, Page, pack_html, unpack_html
from byline.dates import display_date, display_datetime, iso
from byline.output.body import LinkPolicy, finish_body
from byline.output.metadata import locale
from byline.output.reads import Facts, Reads, TrackedGroup
from byline.site.images import ImageCatalog, srcset
from byline.site.model import Group, Site

View = dict[str, Any]
T = TypeVar("T")
# Memoised pieces that hold a whole body: kept for a build's repeats (the newest articles show in
# many feeds), not for the whole archive (docs/design.md, "Bodies held packed").
RECENT_ONLY = {"article": 2048, "body": 2048}


@dataclass(frozen=True)
class PackedBody:
    """A finished body inside a view kept to the build's end (a search view): packed, its digest standing for it."""

    packed: bytes
    digest: str  # the digest of the finished body (``Html.digest``)

    def unpack(self) -> Html:
        return unpack_html(self.packed)


class Shared(dict[str, Any]):
    """A view dict many pages share (a card, an article, an author, the site): hashed once, then stood in for.

    Templates see a plain dict, even in error messages (hence the names below).
    """


class Derived:
    """Page data made from the rest of its context when its page renders (structured data, social tags).

    Most pages of a rebuild never render, so it is not made at planning; it must be made
    only from values the context holds.
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

    __hash__ = None  # type: ignore[assignment]  # unhashable, as the list it stands for; mypy expects a method


Shared.__module__ = "builtins"  # so Jinja calls it "'dict object'" in errors, as for any view
Shared.__name__ = Shared.__qualname__ = "dict"
# How wide a picture in an article's body shows: the text column, or the whole phone screen.
BODY_IMAGE_SIZES = "(min-width: 45rem) 43rem, 100vw"


class Views:
    """Build and memoise the views of one site; cards are shared by every list they appear in.

    Views read the model only through ``Facts``, and shared ones are facts of their own
    (``v|<kind>|<key>``): a page depends on a card, and the card on what it was made from.
    """

    def __init__(self, facts: Facts | Site, images: ImageCatalog | None = None, assets: dict[str, str] | None = None):
        if isinstance(facts, Site):
            facts = Facts(facts, images or ImageCatalog())
        self.facts = facts
        self.recorder = facts.recorder
        self.config = facts.config
        self.pictures = facts.pictures
        self.assets = assets or {}
        self._base_path = self.config.base_path  # parsed once: links are made tens of thousands of times
        self._absolute_base = self.config.origin + self.config.base_path
        self._shared: dict[str, tuple[View, str]] = {}  # view fact -> (view, identity)
        self._stands_for: dict[int, str] = {}  # id of a shared view -> what it stands as inside another
        self.made: dict[str, Reads] = {}  # view fact -> what it read, for the build's record
        self._memo: dict[tuple[str, str], tuple[object, Reads]] = {}
        self._recent: dict[str, OrderedDict[str, tuple[object, Reads]]] = {kind: OrderedDict() for kind in RECENT_ONLY}
        self._verbatim: set[str] = set()  # articles whose finished body is the parsed one (``body``)
        self._moments: dict[datetime, View] = {}  # by instant: equal instants show the same
        self.sections = {s.slug: s for s in self.config.sections}
        host = urlsplit(self.config.base_url).hostname or ""
        self._policies = {s.slug: LinkPolicy(host, s.link_rel, s.link_new_tab) for s in self.config.sections}

    # --- memos that record ------------------------------------------------------------
    def _view(self, kind: str, key: str, make: Callable[[], View]) -> View:
        """A shared view, made once per build; the caller reads it as the fact ``v|kind|key``."""
        fact = f"v|{kind}|{key}"
        found = self._shared.get(fact)
        if found is None:
            with self.recorder.scope() as reads:
                view = Shared(make())
            found = (view, view_identity(view, self._stands_for))
            self._shared[fact] = found
            self._stands_for[id(view)] = f"{fact}={found[1]}"
            self.made[fact] = reads
        self.recorder.read(fact, found[1])
        return found[0]

    def _remember(self, kind: str, key: str, make: Callable[[], T]) -> T:
        """A piece many views repeat (a topic, a body): made once per build, its reads replayed at each use.

        A kind in RECENT_ONLY keeps only its most recently used pieces; one made again reads the same.
        """
        recent = self._recent.get(kind)
        found = self._memo.get((kind, key)) if recent is None else recent.get(key)
        if found is None:
            with self.recorder.scope() as reads:
                value = make()
            found = (value, reads)
            if recent is None:
                self._memo[(kind, key)] = found
            else:
                recent[key] = found
                if len(recent) > RECENT_ONLY[kind]:
                    recent.popitem(last=False)
        elif recent is not None:
            recent.move_to_end(key)
        self.recorder.replay(found[1])
        return cast(T, found[0])  # what ``make`` made: each kind has one maker

    def remake(self, fact: str) -> str | None:
        """Make a shared view again by its fact (``v|card|<source>``); its identity, or None if it is gone."""
        _, kind, key = fact.split("|", 2)
        try:
            return self._remake(kind, key, fact)
        except KeyError:  # it named what is gone (an author no longer there)
            return None

    def _remake(self, kind: str, key: str, fact: str) -> str | None:
        facts = self.facts
        if kind == "card" and key in facts.article.data:
            self.card(facts.article.data[key])
        elif kind in ("author", "profile") and key in facts.author.data:
            self.author_ref(key) if kind == "author" else self.author(facts.author.data[key])
        elif kind in ("company", "about") and key in facts.company.data:
            self.company_ref(key) if kind == "company" else self.company(facts.company.data[key])
        elif kind == "search" and key in facts.article.data:
            self.search(facts.article.data[key])
        else:
            return None
        return self._shared[fact][1]

    def let_go(self, kind: str) -> None:
        """Drop the shared views of ``kind`` made so far: one made again later reads and shows the same.

        A build that has written its search documents lets their views go: they held every
        published article's body to the end of the build (docs/design.md, "Memory given back").
        """
        start = f"v|{kind}|"
        for fact in [fact for fact in self._shared if fact.startswith(start)]:
            view, _ = self._shared.pop(fact)
            del self._stands_for[id(view)]  # its id may be another object's once it is freed

    def made_identity(self, fact: str) -> str | None:
        """The identity of a shared view made in this build, or None if it was not made."""
        found = self._shared.get(fact)
        return found[1] if found else None

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
                "regions_url": self.link(urls.REGIONS),
                "sections": [
                    {"slug": s.slug, "title": s.title, "url": self.link(urls.section(s.slug))} for s in config.sections
                ],
                "pages": [{"title": p.title, "url": self.link(urls.page(p.slug))} for p in self.facts.pages],
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
            info = self.pictures.get(publisher.logo)
            logo = {
                "url": self.absolute(publisher.logo),
                "width": info.width if info else None,
                "height": info.height if info else None,
            }
        return {"name": publisher.name or self.config.name, "url": self.absolute(urls.HOME), "logo": logo}

    def image(self, src: str, alt: str | None, credit: str | None = None) -> View:
        """A picture as pages show it: intrinsic size (so nothing shifts) and responsive renditions."""
        info = self.pictures.get(src)
        return {
            "src": self.link(src),
            "abs_src": self.absolute(src),
            "alt": alt,
            "credit": credit,
            "width": info.width if info else None,
            "height": info.height if info else None,
            "srcset": srcset(info, self.link) if info else None,
        }

    @overload
    def moment(self, value: datetime) -> View: ...
    @overload
    def moment(self, value: datetime | None) -> View | None: ...

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
        return self._view("author", slug, lambda: self._author_ref(slug))

    def _author_ref(self, slug: str) -> View:
        author = self.facts.author[slug]
        return {
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

    def author(self, author: Author) -> View:
        """The full profile: reference plus bio and links; memoised, as every article embeds one."""
        return self._view("profile", author.slug, lambda: self._profile(author.slug))

    def _profile(self, slug: str) -> View:
        author = self.facts.author[slug]
        return {
            **self.author_ref(slug),
            "bio_html": author.bio.html,
            "bio_text": plain_text(author.bio.html),
            "links": [{"name": name, "url": url} for name, url in author.links],
            "count": len(self.facts.by_author.get(slug, ())),
            "feed_url": self.link(urls.feed_of(urls.author(slug))),
            "company": self.company_ref(author.company)
            if author.company and author.company in self.facts.company
            else None,
        }

    def company_ref(self, slug: str) -> View:
        """A company as bylines and cards name it; ``url`` is None when it has no page (no published article)."""
        return self._view("company", slug, lambda: self._company_ref(slug))

    def _company_ref(self, slug: str) -> View:
        company = self.facts.company[slug]
        listed = slug in self.facts.by_company
        return {
            "slug": slug,
            "name": company.name,
            "url": self.link(urls.company(slug)) if listed else None,
            "abs_url": self.absolute(urls.company(slug)) if listed else None,
        }

    def company(self, company: Company) -> View:
        """The full profile, for its page and the About box ending its articles; memoised."""
        return self._view("about", company.slug, lambda: self._company(company.slug))

    def logo(self, company: Company) -> View | None:
        """A company's logo as its profile and the A to Z show it."""
        if not company.logo:
            return None
        logo = self.image(company.logo, company.logo_alt)
        return {k: logo[k] for k in ("src", "abs_src", "alt", "width", "height")}

    def _company(self, slug: str) -> View:
        company = self.facts.company[slug]
        return {
            **self.company_ref(slug),
            "about_html": company.about.html,
            "summary": company.about.first_paragraph,  # the About text's first paragraph, as plain text
            "website": company.website,
            "website_label": _website_label(company.website) if company.website else None,
            "logo": self.logo(company),
            "sector": company.sector,
            "region": company.region,
            "contact": company.contact,
            "feed_url": self.link(urls.feed_of(urls.company(slug))),
        }

    def group_ref(self, group: Group | TrackedGroup, kind: str) -> View:
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
        return self._view("card", article.source, lambda: self._card(self.facts.entity(article)))

    def _card(self, article: Article) -> View:
        url = self.facts.url_of[article.source]
        image = None
        if article.image:
            full = self.image(article.image, article.image_alt)
            image = {k: full[k] for k in ("src", "alt", "width", "height", "srcset")}
        return {
            "url": self.link(url),
            "abs_url": self.absolute(url),
            "title": article.title,
            "summary": article.summary,
            "date": self.moment(article.date),
            "author": self.author_ref(article.authors[0]),
            "authors": [self.author_ref(slug) for slug in article.authors],
            "company": self.company_ref(company) if (company := self.facts.company_of.get(article.source)) else None,
            "section": self.section(article.section),
            "image": image,
            "reading_minutes": reading_minutes(article.body.word_count),
            "status": self.facts.status_of[article.source],
        }

    def article(self, article: Article) -> View:
        """Everything the article page, its feed entry and structured data need (memoised)."""
        return self._remember("article", article.source, lambda: Shared(self._article(self.facts.entity(article))))

    def _article(self, article: Article) -> View:
        authors = [self.author(self.facts.author[slug]) for slug in article.authors]
        section = self.sections[article.section]
        slug = self.facts.company_of.get(article.source)
        company = self.company(self.facts.company[slug]) if slug else None
        attribution = None
        if section.attribution:
            names = join_names([a["name"] for a in authors])
            company_name = company["name"] if company else None
            attribution = format_attribution(section.attribution, self.config.name, section.title, names, company_name)
        image = self.image(article.image, article.image_alt, article.image_credit) if article.image else None
        moment = self.moment(article.date)
        assert moment is not None
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
            "scheduled_for": moment["display_time"] if self.facts.status_of[article.source] == "scheduled" else None,
            "corrections": [{"date": self.moment(c.date), "note": c.note} for c in article.corrections],
            "tags": [self.tag(t) for t in article.tags if t in self.facts.topic_slug],
            "region": self.region(article.region),
            "author": authors[0],
            "authors": authors,
            "company": company,
            "attribution": attribution,
            "related": [self.card(a) for a in self.facts.related.get(article.source, ())],
            "aliases": list(article.aliases),
            "meta": dict(article.meta),
        }

    def search(self, article: Article) -> View:
        """What a search document shows of an article: a shared view of its own, so an edit to the
        article's page that search does not show (a related link, a correction date) re-indexes nothing.
        """
        return self._view("search", article.source, lambda: self._search(self.facts.entity(article)))

    def _search(self, article: Article) -> View:
        moment = self.moment(article.date)
        assert moment is not None
        slug = self.facts.company_of.get(article.source)
        region = self.region(article.region)
        return {
            "title": article.title,
            "summary": article.summary,
            "body_html": self._packed_body(article),
            "section": self.sections[article.section].title,
            "authors": [self.author_ref(author)["name"] for author in article.authors],
            "company": self.company_ref(slug)["name"] if slug else None,
            "tags": [self.tag(t)["name"] for t in article.tags if t in self.facts.topic_slug],
            "region": region["name"] if region else None,
            "date": [moment["display"], moment["iso"], moment["epoch"]],
        }

    def body(self, article: Article) -> Html:
        """The article's HTML as published: images sized, outbound links under its section's policy.

        Memoised: an article's body is shown on its page and in several feeds.
        """
        return self._remember("body", article.source, lambda: self._body(self.facts.entity(article)))

    def _body(self, article: Article) -> Html:
        policy = self._policies[article.section]
        parsed = unpack_html(self.facts.packed_body(article))
        finished = _as_html(finish_body(parsed, self.pictures, self.link, BODY_IMAGE_SIZES, policy))
        if finished is parsed:
            self._verbatim.add(article.source)
        return finished

    def _packed_body(self, article: Article) -> PackedBody:
        """The finished body as a search view holds it all build: the parsed body's own packing when finishing left it."""
        body = self.body(article)
        packed = self.facts.packed_body(article) if article.source in self._verbatim else pack_html(body)
        return PackedBody(packed, body.digest)

    def tag(self, tag: str) -> View:
        """A topic as an article lists it; memoised: a few hundred topics are tagged tens of thousands of times."""
        return self._remember("tag", tag, lambda: self._tag(tag))

    def _tag(self, tag: str) -> View:
        slug = self.facts.topic_slug[tag]
        name = self.facts.topic_name.get(slug, tag)
        url = urls.topic(slug)
        return {"name": name, "url": self.link(url), "abs_url": self.absolute(url)}

    def region(self, region: str | None) -> View | None:
        if not region:
            return None
        slug = urls.slugify(region)
        return {"name": self.facts.region_name.get(slug, region), "url": self.link(urls.region(slug))}

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
        page = self.facts.entity(page)
        url = self.facts.url_of[page.source]
        return {
            "title": page.title,
            "summary": page.summary,
            "standfirst": standfirst(page.summary, page.body.first_paragraph),
            "embeds": bool(page.body.embeds),
            "url": self.link(url),
            "abs_url": self.absolute(url),
            "body_html": _as_html(finish_body(page.body.html, self.pictures, self.link, BODY_IMAGE_SIZES)),
            "meta": dict(page.meta),
        }


def view_identity(view: View, shared: dict[int, str]) -> str:
    """A shared view's identity: a digest of its content, each shared view inside it standing in as its fact."""
    data = json.dumps(_as_json(view, shared), separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    return hashlib.blake2b(data.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _as_json(value: Any, shared: dict[int, str]) -> Any:
    """``value`` as JSON can write it: known shared views as their facts, bodies as their digests."""
    if type(value) is Shared:
        known = shared.get(id(value))
        if known is not None:
            return known
        return {k: _as_json(v, shared) for k, v in value.items()}
    if type(value) is dict:
        return {k: _as_json(v, shared) for k, v in value.items()}
    if type(value) is list:
        return [_as_json(v, shared) for v in value]
    if type(value) is Html or type(value) is PackedBody:
        return "\0$" + value.digest  # a body and its packing stand for the same text
    return value


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

    Shown twice it reads as a mistake; whitespace and typographic punctuation do not count.
    """
    if not summary or _plain(summary) == _plain(first_paragraph):
        return None
    return summary


def _plain(text: str) -> str:
    return " ".join(text.translate(_PLAIN).split())


def _as_html(text: str) -> Html:
    """A finished body as Html: the parsed one itself when nothing changed it (no copy, its digest kept)."""
    return text if type(text) is Html else Html(text)
