"""Editorial checks: mistakes a build survives but readers would notice, reported as warnings.

They run on the finished Site, so they judge what the build will publish; a file is re-read
only when a problem in its body needs a line number.
"""

from __future__ import annotations

import difflib
import functools
import html
import re
import xml.etree.ElementTree as ElementTree
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from byline import urls
from byline.config import SiteConfig
from byline.content.front_matter import FrontMatter, split_front_matter
from byline.content.models import Article, Author, Page
from byline.dates import NEWS_WINDOW
from byline.errors import ContentError
from byline.site.layout import site_paths
from byline.site.model import Site
from byline.text import plural

HEADLINE_LIMIT = 110  # search results and social cards cut headlines at about this length
SUMMARY_LIMIT = 200
TOPIC_SIMILARITY = 0.85  # difflib ratio: 'Manufactring'/'Manufacturing' 0.96, 'Energy'/'Retail' 0.17
_BY = re.compile(r"^by\b", re.IGNORECASE)  # 'By Simon', 'by: Simon'; not 'Byron'


@dataclass(frozen=True)
class Published:
    """An article URL the previous build published; ``source`` and ``id`` when known."""

    url: str
    source: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Scheduled:
    """The next article that becomes due: the moment the site must be rebuilt."""

    source: str
    at: datetime


def editorial_problems(
    site: Site,
    root: Path,
    static: frozenset[str],
    previous: Sequence[Published] = (),
    now: datetime | None = None,
    kept: ShapeChecks | None = None,
) -> list[ContentError]:
    """Every editorial warning for the site; ``static`` holds the site paths of static files.

    Drafts and scheduled articles are checked too: their links will break as surely once
    they are out. ``now`` is the build's clock, for dates that cannot be right yet.
    ``kept``: what the last check of a site of this one's shape, with these static files, kept.
    """
    kept = kept or ShapeChecks()
    lines = SourceLines(root)
    everything = (*site.articles, *site.hidden)
    if kept.paths is None:
        kept.paths = site_paths(site)
    targets = Targets(site, static, kept.paths)
    if kept.topics is None:
        kept.topics = list(_topic_problems(everything))
    return [
        *_link_problems((*everything, *site.pages), site, targets, lines, kept.linked),
        *(p for a in everything for p in _front_matter_problems(a, site.config, now)),
        *_member_articles_without_company(everything, site),
        *(p for author in site.authors for p in _author_problems(author, lines)),
        *kept.topics,
        *_url_changes(site, previous, root),
        *(_backdated(site, previous, now) if now is not None else ()),
    ]


def next_scheduled(site: Site) -> Scheduled | None:
    """The earliest scheduled article this build leaves out, if any."""
    waiting = [a for a in site.hidden if site.status_of[a.source] == "scheduled"]
    if not waiting:
        return None
    first = min(waiting, key=lambda a: (a.date, a.source))
    return Scheduled(first.source, first.date)


def describe_moment(moment: datetime, config: SiteConfig) -> str:
    """'2027-02-03 07:00 GMT': site-local wall time with its zone, as editors read it."""
    local = moment.astimezone(config.timezone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


# --- what exists --------------------------------------------------------------------


def static_paths(static: Iterable[str]) -> frozenset[str]:
    """Site paths (/static/...) of the static files a build publishes, given their paths under static/."""
    return frozenset(f"/static/{relative}" for relative in static)


@dataclass
class ShapeChecks:
    """The parts of the checks made from a site's shape (``site.kept.KeptModel.shape``) and static files alone,
    kept by a caller that checks sites of one shape again and again (the preview)."""

    linked: dict[int, Article | Page] = field(default_factory=dict)  # by id: items found with every link working
    paths: frozenset[str] | None = None  # the site's pages (``site_paths``)
    topics: list[ContentError] | None = None  # topics that look like typos (``_topic_problems``)


class Targets:
    """What a link may point at: the site's pages and files, and what is merely hidden."""

    def __init__(self, site: Site, static: frozenset[str], pages: frozenset[str] | None = None):
        self.config = site.config
        self.pages = site_paths(site) if pages is None else pages
        self.files = static
        self.hidden = {site.url_of[a.source]: a for a in site.hidden}
        self.status_of = site.status_of
        self._articles = site.articles
        self._url_of = site.url_of
        self._resolved: dict[str, tuple[str | None, bool]] = {}
        self._nearest: dict[str, str | None] = {}

    def resolve(self, address: str, page_url: str) -> tuple[str | None, bool]:
        """The site path a link on ``page_url`` goes to (None: it leaves the site), and whether it exists.

        Remembered for addresses that mean the same on every page: a site links to the same
        few pages and companies' sites from thousands of articles.
        """
        known = self._resolved.get(address)
        if known is not None:
            return known
        path = site_path(address, page_url, self.config)
        found = (path, path is not None and self.exists(path))
        if address.startswith(("/", "https://", "http://")) and not address.startswith("//"):
            self._resolved[address] = found
        return found

    def exists(self, path: str) -> bool:
        """True for a page or file; '/x' and '/x/index.html' count as the folder '/x/'."""
        if path in self.pages or path in self.files:
            return True
        if path.endswith("/index.html"):
            return path[: -len("index.html")] in self.pages
        return not path.endswith("/") and path + "/" in self.pages

    def why_hidden(self, path: str) -> str | None:
        """Why a link to a real but unpublished article does not work yet."""
        article = self.hidden.get(path) or self.hidden.get(path + "/")
        if article is None:
            return None
        if self.status_of[article.source] == "draft":
            return f"goes to a draft ({article.source}); it will not work until that is published"
        return f"goes to an article scheduled for {describe_moment(article.date, self.config)}; it will not work until then"

    def live_by(self, path: str, item: Article | Page) -> bool:
        """True when ``path`` is a scheduled article that is out by the time ``item``, scheduled too, goes out."""
        target = self.hidden.get(path) or self.hidden.get(path + "/")
        if target is None or not isinstance(item, Article) or self.status_of.get(item.source) != "scheduled":
            return False
        return self.status_of[target.source] == "scheduled" and target.date <= item.date

    def nearest(self, path: str) -> str | None:
        """The article URL a mistyped link most likely meant: a URL like it, else an article named like its end.

        Remembered: it compares the path with every article's URL, and one broken link is often in many bodies.
        """
        if path not in self._nearest:
            near = difflib.get_close_matches(path, self._article_urls, n=1, cutoff=0.8)
            self._nearest[path] = near[0] if near else self._named(path)
        return self._nearest[path]

    @functools.cached_property
    def _article_urls(self) -> list[str]:
        """Published articles' URLs, sorted; made once a link is broken."""
        return sorted(self._url_of[a.source] for a in self._articles)

    def _named(self, path: str) -> str | None:
        """The article whose file name, slug or title the link's last part is (or nearly is, or begins)."""
        last = next((part for part in reversed(path.split("/")) if part), "")
        last = last.removesuffix(".html").removesuffix(".md").casefold()
        if not last:
            return None
        names = self._names
        if last in names:
            return names[last]
        near = difflib.get_close_matches(last, names, n=1, cutoff=0.85)
        if near:
            return names[near[0]]
        starting = {url for name, url in names.items() if len(last) >= 8 and name.startswith(last)}
        return starting.pop() if len(starting) == 1 else None

    @functools.cached_property
    def _names(self) -> dict[str, str]:
        """Each published article's file name, slug and slugified title -> its URL; made once a link is broken.

        A name two articles share points at neither.
        """
        found: dict[str, set[str]] = defaultdict(set)
        for article in self._articles:
            url = self._url_of[article.source]
            stem = article.source.rsplit("/", 1)[-1].removesuffix(".md").casefold()
            for name in (stem, article.slug, urls.slugify(article.title)):
                found[name].add(url)
        return {name: next(iter(owners)) for name, owners in found.items() if name and len(owners) == 1}


# --- body links ----------------------------------------------------------------------


def _link_problems(
    items: Iterable[Article | Page], site: Site, targets: Targets, lines: SourceLines, linked: dict[int, Article | Page]
) -> Iterator[ContentError]:
    """The broken links of ``items`` not in ``linked``; an item found with none is added to it.

    An item's links are found or not by its body and the site's shape and files alone; what a
    broken link's message suggests reads titles too, so only items without one are kept.
    """
    for item in items:
        if linked.get(id(item)) is item:
            continue
        found = list(_body_problems(item, site.url_of[item.source], targets, lines))
        if found:
            yield from found
        else:
            linked[id(item)] = item


def _body_problems(item: Article | Page, page_url: str, targets: Targets, lines: SourceLines) -> Iterator[ContentError]:
    for address in dict.fromkeys(item.body.hrefs):  # each address once, in the order written
        path, found = targets.resolve(address, page_url)
        if found or path is None or targets.live_by(path, item):
            continue
        line = lines.body_line_of(item.source, address)
        yield ContentError(item.source, line, _broken_message(address, path, targets), "warning")


def site_path(address: str, page_url: str, config: SiteConfig) -> str | None:
    """The site path an address on ``page_url`` points at, or None when it leaves the site."""
    if address.startswith("/") and not address.startswith("//"):  # the common case, without urllib's cost
        path = address.split("#", 1)[0].split("?", 1)[0]
        return unquote(_without_base(path, config.base_path))
    parts = urlsplit(address)
    if parts.scheme not in ("", "http", "https"):
        return None  # mailto:, tel:
    if parts.netloc:
        if parts.netloc.lower() != urlsplit(config.base_url).netloc.lower():
            return None
        path = parts.path or "/"
    elif parts.scheme or not parts.path:
        return None  # 'http:x', or '#notes' and '?x' on this page
    else:
        path = urljoin(config.base_path + page_url, parts.path)
    return unquote(_without_base(path, config.base_path))


def _without_base(path: str, base: str) -> str:
    """'/news/articles/...' -> '/articles/...' on a site whose base URL has the path /news."""
    if base and (path == base or path.startswith(base + "/")):
        return path[len(base) :] or "/"
    return path


def _broken_message(address: str, path: str, targets: Targets) -> str:
    hidden = targets.why_hidden(path)
    if hidden:
        return f"link to {address} {hidden}"
    message = f"link to {address} goes to no page of this site"
    near = targets.nearest(path)
    return message + (f"; did you mean {near}?" if near else "")


# --- front matter -------------------------------------------------------------------


def _front_matter_problems(article: Article, config: SiteConfig, now: datetime | None) -> Iterator[ContentError]:
    def warn(key: str, message: str) -> ContentError:
        return ContentError(article.source, article.line(key), message, "warning")

    if len(article.title) > HEADLINE_LIMIT:
        yield warn(
            "title",
            f"headline is {len(article.title)} characters; keep it to {HEADLINE_LIMIT} or fewer"
            " so search results and feeds show it whole",
        )
    if "summary" in article.lines and len(article.summary) > SUMMARY_LIMIT:
        yield warn(
            "summary",
            f"summary is {len(article.summary)} characters; keep it to {SUMMARY_LIMIT} or fewer"
            " so lists and search results show it whole",
        )
    if article.updated and article.updated < article.date:
        yield warn(
            "updated",
            f"'updated' ({describe_moment(article.updated, config)}) is before 'date'"
            f" ({describe_moment(article.date, config)}); an article cannot be updated before it is published",
        )
    for correction in article.corrections:
        if correction.date < article.date:
            yield warn(
                "corrections",
                f"correction dated {describe_moment(correction.date, config)} is before 'date'"
                f" ({describe_moment(article.date, config)})",
            )
    if now is not None and not article.draft and article.date <= now:  # the rest are checked when they go out
        yield from _future_changes(article, config, now, warn)


def _future_changes(
    article: Article, config: SiteConfig, now: datetime, warn: Callable[[str, str], ContentError]
) -> Iterator[ContentError]:
    """A change dated later than now cannot have happened: feeds and sitemaps would carry that future date."""
    later = " is later than now ({now}); feeds, the sitemap and structured data would say the article changed then"
    if article.updated and article.updated > now:
        when = describe_moment(article.updated, config)
        yield warn("updated", f"'updated' ({when})" + later.format(now=describe_moment(now, config)))
    for correction in article.corrections:
        if correction.date > now:
            when = describe_moment(correction.date, config)
            yield warn("corrections", f"correction dated {when}" + later.format(now=describe_moment(now, config)))


def _backdated(site: Site, previous: Sequence[Published], now: datetime) -> Iterator[ContentError]:
    """An article going out for the first time with an old date sorts below newer stories and misses the news sitemap.

    Usually a draft approved days after `new` dated it. Only against a previous build's
    record: on a first build every article is new.
    """
    if not previous:
        return
    urls_before = {p.url for p in previous}
    sources_before = {p.source for p in previous if p.source}
    ids_before = {p.id for p in previous if p.id}
    published = [a for a in site.articles if site.status_of[a.source] == "published"]
    recent = now - NEWS_WINDOW
    for newer, article in enumerate(published):  # newest first: those before it are newer
        if article.date >= recent:
            continue
        if site.url_of[article.source] in urls_before or article.source in sources_before or article.id in ids_before:
            continue
        days = (now - article.date).days
        yield ContentError(
            article.source,
            article.line("date"),
            f"backdated: the last build did not publish this article, and its date is {days} days ago"
            f" ({describe_moment(article.date, site.config)}): it will sort below {plural(newer, 'newer article')}"
            " and miss the news sitemap;"
            f" to date it now, run `python build.py publish {article.source}`, or set the date",
            "warning",
        )


def _member_articles_without_company(articles: Sequence[Article], site: Site) -> Iterator[ContentError]:
    """A member section's articles come from a company: one without is missing its byline and About box."""
    members = {s.slug for s in site.config.sections if s.member}
    for article in articles:
        if article.section in members and article.company is None and article.source not in site.company_of:
            key = "section" if "section" in article.lines else "author"
            yield ContentError(
                article.source,
                article.line(key),
                f"'{article.section}' is a member section, but this article has no company: add 'company: SLUG'"
                " (a file of content/companies/), or give its author one",
                "warning",
            )


def _author_problems(author: Author, lines: SourceLines) -> Iterator[ContentError]:
    if _BY.match(author.name):
        line = lines.key_line(author.source, "name")
        yield ContentError(
            author.source,
            line,
            f"name {author.name!r} starts with 'By'; pages already print 'By' before it, so remove it",
            "warning",
        )


def _topic_problems(articles: Sequence[Article]) -> Iterator[ContentError]:
    """A topic only one article uses, spelled almost like an established one, is likely a typo."""
    users, names = _topic_users(articles)
    counts = _article_counts(users)
    for key, found in users.items():
        if counts[key] != 1:
            continue
        article, index = found[0]
        tag = article.tags[index]
        near = _likely_meant(tag, _established(names, counts, key))
        if near:
            yield ContentError(article.source, article.line(f"tags[{index}]"), _typo_message(tag, near), "warning")


def topic_typo(tag: str, articles: Sequence[Article]) -> str | None:
    """The warning a new article's topic ``tag`` would get from `check`, said before it is written (`new --tags`)."""
    users, names = _topic_users(articles)
    key = _topic_key(tag)
    if not key or key in users:
        return None
    counts = _article_counts(users)
    near = _likely_meant(tag, _established(names, counts, key))
    return _typo_message(tag, near) if near else None


def _topic_users(articles: Sequence[Article]) -> tuple[dict[str, list[tuple[Article, int]]], dict[str, str]]:
    """Each topic's uses (article, index in its tags) and its most used spelling, by topic key."""
    users: dict[str, list[tuple[Article, int]]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    keys: dict[str, str] = {}  # slugify is slow and a site has far fewer topics than tags
    for article in articles:
        for index, tag in enumerate(article.tags):
            if tag not in keys:
                keys[tag] = _topic_key(tag)
            key = keys[tag]
            if key:
                users[key].append((article, index))
                spellings[key][tag] += 1
    names = {key: min(c.items(), key=lambda item: (-item[1], item[0]))[0] for key, c in spellings.items()}
    return users, names


def _article_counts(users: dict[str, list[tuple[Article, int]]]) -> dict[str, int]:
    """How many articles use each topic: its uses, less an article's second spelling of it."""
    counts = {}
    for key, found in users.items():
        count = len(found)
        for (article, _), (before, _) in zip(found[1:], found, strict=False):
            if article is before:  # one article's uses of a topic are side by side; each article is one file
                count -= 1
        counts[key] = count
    return counts


def _topic_key(tag: str) -> str:
    return urls.slugify(tag).replace("-", "")  # site.py's topic key: 'E-commerce' is 'Ecommerce'


def _established(names: dict[str, str], counts: dict[str, int], other_than: str) -> tuple[tuple[str, int], ...]:
    """Topics used by two articles or more, as (name, articles), but for ``other_than``."""
    return tuple(sorted((names[k], n) for k, n in counts.items() if n >= 2 and k != other_than))


def _typo_message(tag: str, near: tuple[str, int]) -> str:
    return f"topic {tag!r} is used by this article only; did you mean {near[0]!r} (used by {near[1]} articles)?"


@functools.lru_cache(maxsize=4096)  # the preview asks again on every rebuild, with the same topics
def _likely_meant(tag: str, established: tuple[tuple[str, int], ...]) -> tuple[str, int] | None:
    """The established topic (name, use count) most like ``tag`` (ties: the more used), if any is alike enough."""
    candidates = dict(established)
    folded = {name.casefold(): name for name in candidates}
    near = difflib.get_close_matches(tag.casefold(), folded, n=3, cutoff=TOPIC_SIMILARITY)  # quick-ratio filtered
    if not near:
        return None
    matcher = difflib.SequenceMatcher(None, b=tag.casefold())  # b is the sequence it caches facts about
    best = max(near, key=lambda n: (_ratio(matcher, n), candidates[folded[n]], folded[n]))
    return folded[best], candidates[folded[best]]


def _ratio(matcher: difflib.SequenceMatcher[str], other: str) -> float:
    matcher.set_seq1(other)
    return matcher.ratio()


# --- URLs the previous build published ----------------------------------------------


def _url_changes(site: Site, previous: Sequence[Published], root: Path) -> Iterator[ContentError]:
    served = {site.url_of[a.source] for a in site.articles} | {x for a in site.articles for x in a.aliases}
    gone = [record for record in previous if record.url not in served]
    if not gone:
        return
    everything = (*site.articles, *site.hidden)
    by_source = {a.source: a for a in everything}
    by_id = {a.id: a for a in everything if a.id}
    shown = {a.source for a in site.articles}
    old_urls = {p.url for p in previous}
    new_urls = [a for a in site.articles if site.url_of[a.source] not in old_urls]
    for record in gone:
        article = (by_id.get(record.id) if record.id else None) or by_source.get(record.source or "")
        if record.source is None and article is None:
            article = _guess_mover(record.url, new_urls, site)
        if article is not None:
            yield _moved(article, record.url, site, article.source in shown)
        elif record.source and not (root / record.source).exists():
            yield ContentError(
                record.source,
                0,
                f"this file is gone, but the previous build published it at {record.url}; readers following"
                f" old links will get 'page not found': add {record.url} to another article's 'aliases' to send them there",
                "warning",
            )


def _moved(article: Article, old: str, site: Site, shown: bool) -> ContentError:
    status = site.status_of[article.source]
    if not shown:
        state = "a draft" if status == "draft" else f"scheduled for {describe_moment(article.date, site.config)}"
        key = "draft" if status == "draft" else "date"
        message = f"the previous build published this article at {old}; now that it is {state}, that URL will show 'page not found'"
        return ContentError(article.source, article.line(key), message, "warning")
    new = site.url_of[article.source]
    key = "date" if old.split("/")[2:5] != new.split("/")[2:5] else ("slug" if "slug" in article.lines else "title")
    aliases = ", ".join([*article.aliases, old])
    return ContentError(
        article.source,
        article.line(key),
        f"URL changes from {old} (published by the previous build) to {new}; keep old links working with 'aliases: [{aliases}]'",
        "warning",
    )


def _guess_mover(old: str, candidates: Sequence[Article], site: Site) -> Article | None:
    """Which new URL an old one (known only from a sitemap) became: same slug, or same day and a similar slug."""
    old_parts = old.strip("/").split("/")
    if len(old_parts) != 5 or old_parts[0] != "articles":
        return None
    same_slug = [a for a in candidates if a.slug == old_parts[4]]
    if len(same_slug) == 1:
        return same_slug[0]
    same_day = [a for a in candidates if site.url_of[a.source].split("/")[2:5] == old_parts[1:4]]
    close = [a for a in same_day if difflib.SequenceMatcher(None, a.slug, old_parts[4]).ratio() >= 0.6]
    return close[0] if len(close) == 1 else None


def urls_in_sitemap(output: Path, config: SiteConfig) -> list[Published]:
    """Article URLs in a previous output's sitemap: the fallback when the cache has no record."""
    found: list[Published] = []
    prefix = config.origin + config.base_path
    for path in _sitemap_files(output):
        try:
            tree = ElementTree.parse(path)
        except (ElementTree.ParseError, OSError):
            continue
        for loc in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
            url = (loc.text or "").strip()
            if url.startswith(prefix + "/articles/"):
                found.append(Published(url[len(prefix) :]))
    return found


def _sitemap_files(output: Path) -> list[Path]:
    parts = sorted((output / "sitemaps").glob("sitemap-*.xml")) if (output / "sitemaps").is_dir() else []
    return parts or [output / "sitemap.xml"]


# --- finding lines --------------------------------------------------------------------


class SourceLines:
    """Re-read a content file, only when a problem in it needs a line number."""

    def __init__(self, root: Path):
        self.root = root
        self._texts: dict[str, str] = {}
        self._parsed: dict[str, FrontMatter | None] = {}

    def text(self, source: str) -> str:
        if source not in self._texts:
            try:
                data = (self.root / source).read_bytes()
                self._texts[source] = data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
            except (OSError, UnicodeDecodeError):
                self._texts[source] = ""
        return self._texts[source]

    def front_matter(self, source: str) -> FrontMatter | None:
        if source not in self._parsed:
            self._parsed[source] = split_front_matter(source, self.text(source))[0]
        return self._parsed[source]

    def key_line(self, source: str, key: str) -> int:
        parsed = self.front_matter(source)
        return parsed.lines.get(key, 1) if parsed else 1

    def body_line_of(self, source: str, address: str) -> int:
        """The line of the body where ``address`` is written; the body's first line if not found."""
        text = self.text(source)
        parsed = self.front_matter(source)
        body_line = parsed.body_line if parsed else 1
        start = _offset_of_line(text, body_line)
        for needle in (address, html.escape(address, quote=False), address.split("#")[0]):
            found = text.find(needle, start) if needle else -1
            if found >= 0:
                return text.count("\n", 0, found) + 1
        return body_line


def _offset_of_line(text: str, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return len(text)
    return offset
