"""The contract's URL layout in one place: every URL Byline writes, and where it lives on disk.

URLs here are site paths ('/authors/simon-malia/'); views add any base path.
"""

from __future__ import annotations

import functools
import posixpath
import re
from datetime import datetime
from pathlib import PurePosixPath

from slugify import slugify as _slugify

SLUG_PATTERN = re.compile(r"^[a-z0-9-]+$")
WEB_ADDRESS = re.compile(r"^https?://[^\s/?#]+(?:[/?#]\S*)?$")  # an http(s) address with a host, like a website
MAX_SLUG_LENGTH = 80

HOME = "/"
SEARCH = "/search/"
AUTHORS = "/authors/"
COMPANIES = "/companies/"
TOPICS = "/topics/"
ARCHIVE = "/archive/"
FEED = "/feed.xml"
SITEMAP = "/sitemap.xml"
NEWS_SITEMAP = "/news-sitemap.xml"
ROBOTS = "/robots.txt"
NOT_FOUND = "/404.html"

# First path segments the generator itself uses: a page or section may not take them.
RESERVED = frozenset(
    {
        "articles",
        "authors",
        "companies",
        "topics",
        "regions",
        "archive",
        "search",
        "static",
        "page",
        "feed.xml",
        "sitemap.xml",
        "news-sitemap.xml",
        "robots.txt",
        "404.html",
        "sitemaps",
        "_byline",
        "pagefind",
        "index.html",
    }
)


# Dropped, not turned into hyphens: "BT's" -> "bts" (not "bt-s") and "£2m" -> "2m"
# (unidecode would spell the pound sign "PS": "ps2m").
_DROPPED = [["'", ""], ["\u2019", ""], ["£", ""], ["€", ""], ["$", ""]]


@functools.lru_cache(maxsize=65536)  # topics and regions are slugified once per use: thousands of times
def slugify(text: str) -> str:
    """Make a URL slug ('BT & Lancashire' -> 'bt-lancashire'), cut at a word boundary."""
    return _slugify(text, max_length=MAX_SLUG_LENGTH, word_boundary=True, save_order=True, replacements=_DROPPED)


def paginated(base: str, page: int) -> str:
    """Page 1 is the index itself; later pages live under page/N/."""
    return base if page == 1 else f"{base}page/{page}/"


def article(date: datetime, slug: str) -> str:
    """Dated article URL; ``date`` must already be in the site timezone."""
    return f"/articles/{date.year}/{date.month:02d}/{date.day:02d}/{slug}/"  # as strftime's %Y/%m/%d, 4x faster


def section(slug: str, page: int = 1) -> str:
    return paginated(f"/{slug}/", page)


def author(slug: str, page: int = 1) -> str:
    return paginated(f"/authors/{slug}/", page)


def company(slug: str, page: int = 1) -> str:
    return paginated(f"/companies/{slug}/", page)


def topic(slug: str, page: int = 1) -> str:
    return paginated(f"/topics/{slug}/", page)


def region(slug: str, page: int = 1) -> str:
    return paginated(f"/regions/{slug}/", page)


def home(page: int = 1) -> str:
    return paginated(HOME, page)


def archive_year(year: int) -> str:
    return f"/archive/{year:04d}/"


def archive_month(year: int, month: int) -> str:
    return f"/archive/{year:04d}/{month:02d}/"


def page(slug: str) -> str:
    return f"/{slug}/"


def feed_of(index_url: str) -> str:
    """The Atom feed beside an index: /members-news/ -> /members-news/feed.xml."""
    return f"{index_url}feed.xml"


def output_path(url: str) -> PurePosixPath:
    """Map a site path to its file under the output folder: folders get index.html."""
    return PurePosixPath(output_file(url))


def output_file(url: str) -> str:
    """``output_path`` as a POSIX string, without pathlib's cost."""
    if not url.startswith("/") or "\\" in url:
        raise ValueError(f"not a safe site path: {url!r}")
    if "/." not in url and "//" not in url:  # no dot or empty segments: already normal (the usual case)
        return url[1:] + "index.html" if url.endswith("/") else url[1:]
    if ".." in url.split("/"):
        raise ValueError(f"not a safe site path: {url!r}")
    relative = url.lstrip("/")
    if not relative or url.endswith("/"):
        relative += "index.html"
    normal = posixpath.normpath(relative)
    if normal.startswith(("..", "/")):
        raise ValueError(f"not a safe site path: {url!r}")
    return normal


def check_alias(alias: str) -> str | None:
    """Return why ``alias`` cannot be an old URL to redirect from, or None if it can."""
    if not alias.startswith("/") or alias.startswith("//"):
        return f"alias {alias!r} must be a site path starting with '/', like /articles/2014/01/27/old-slug/"
    segments = alias.split("/")
    if any(s in (".", "..") for s in segments) or "\\" in alias or "?" in alias or "#" in alias:
        return f"alias {alias!r} must be a plain path without '..', '?' or '#'"
    if not (alias.endswith("/") or alias.endswith(".html")):
        return f"alias {alias!r} must end with '/' or '.html'"
    if not re.match(r"^[A-Za-z0-9/._~%-]+$", alias):
        return f"alias {alias!r} has characters a URL path cannot hold; use letters, digits, '-', '_' and '/'"
    return None
