"""The contract's URL layout in one place: every URL Byline writes, and where it lives on disk.

URLs here are site paths ('/authors/simon-malia/'); views add any base path.
"""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Generic, Literal, TypeVar

from slugify import slugify as _slugify

SLUG_PATTERN = re.compile(r"^[a-z0-9-]+$")
WEB_ADDRESS = re.compile(r"^https?://[^\s/?#]+(?:[/?#]\S*)?$")  # an http(s) address with a host, like a website
MAX_SLUG_LENGTH = 80

HOME = "/"
SEARCH = "/search/"
AUTHORS = "/authors/"
COMPANIES = "/companies/"
TOPICS = "/topics/"
REGIONS = "/regions/"
ARCHIVE = "/archive/"
FEED = "/feed.xml"
SITEMAP = "/sitemap.xml"
NEWS_SITEMAP = "/news-sitemap.xml"
ROBOTS = "/robots.txt"
NOT_FOUND = "/404.html"
REDIRECTS = "/_redirects"
ARTICLES = "/articles/"  # the articles' folder: no page or section may be its index
SITEMAP_LIMIT = 50_000  # URLs one sitemap file may hold (sitemaps.org); past it, the sitemap becomes an index of parts

# What Byline writes at the top of the output besides pages: files, and folders it fills
# itself (author, topic and archive pages, assets, the search index, the marker); the
# preview's own pages live under /_byline/.
OWN_FILES = frozenset(
    {"index.html", "404.html", "feed.xml", "sitemap.xml", "news-sitemap.xml", "robots.txt", REDIRECTS[1:]}
)
OWN_FOLDERS = frozenset(
    {
        "authors",
        "companies",
        "topics",
        "regions",
        "archive",
        "search",
        "static",
        "page",
        "sitemaps",
        "pagefind",
        "_byline",
        ".well-known",
    }
)

MAX_SEGMENT_BYTES = 255  # NAME_MAX: the longest file name Linux, macOS and Windows file systems take
# Sitemaps take URLs under 2,048 characters, and the output folder's own path must fit
# beside a page's within PATH_MAX (4,096 bytes on Linux).
MAX_PATH_BYTES = 2000


# Dropped, not turned into hyphens: "BT's" -> "bts" (not "bt-s") and "£2m" -> "2m"
# (unidecode would spell the pound sign "PS": "ps2m").
_DROPPED = [["'", ""], ["\u2019", ""], ["£", ""], ["€", ""], ["$", ""]]


@functools.lru_cache(maxsize=65536)  # topics and regions are slugified once per use, not once per name
def slugify(text: str) -> str:
    """Make a URL slug ('BT & Lancashire' -> 'bt-lancashire'), cut at a word boundary."""
    return _slugify(text, max_length=MAX_SLUG_LENGTH, word_boundary=True, save_order=True, replacements=_DROPPED)


def paginated(base: str, page: int) -> str:
    """Page 1 is the index itself; later pages live under page/N/."""
    return base if page == 1 else f"{base}page/{page}/"


def page_count(count: int, per_page: int) -> int:
    """How many pages an index of ``count`` articles takes: one at least, so an empty index still has its page."""
    return max(1, -(-count // per_page))


def page_numbers(count: int, per_page: int) -> range:
    """The numbers of an index's pages, from 1."""
    return range(1, page_count(count, per_page) + 1)


def page_slice(number: int, per_page: int) -> slice:
    """Which of an index's articles its page ``number`` (from 1) shows."""
    start = (number - 1) * per_page
    return slice(start, start + per_page)


def sitemap_parts(entries: int, limit: int) -> list[str]:
    """The parts a sitemap of ``entries`` URLs is split into: none while one file of ``limit`` holds them all."""
    if entries <= limit:
        return []
    return [f"/sitemaps/sitemap-{n}.xml" for n in range(1, page_count(entries, limit) + 1)]


def article(date: datetime, slug: str) -> str:
    """Dated article URL; ``date`` must already be in the site timezone."""
    return f"/articles/{date.year}/{date.month:02d}/{date.day:02d}/{slug}/"  # as strftime's %Y/%m/%d, without its cost


def section(slug: str, page: int = 1) -> str:
    return paginated(f"/{slug}/", page)


def author(slug: str, page: int = 1) -> str:
    return paginated(f"/authors/{slug}/", page)


def company(slug: str, page: int = 1) -> str:
    return paginated(f"/companies/{slug}/", page)


def topic(slug: str, page: int = 1) -> str:
    return paginated(f"/topics/{slug}/", page)


def region(slug: str, page: int = 1) -> str:
    return paginated(f"{REGIONS}{slug}/", page)


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
    if normal == ".." or normal.startswith(("../", "/")):  # a name such as ".._" is a name, not a way up
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


def check_output_file(path: str) -> str | None:
    """Return why the output file ``path`` (as ``output_file`` gives it) cannot be written, or None."""
    size = len(path) if path.isascii() else len(path.encode())
    if size <= MAX_SEGMENT_BYTES:  # the usual case: nothing in it can be too long
        return None
    if size > MAX_PATH_BYTES:
        return f"path is {size:,} bytes long; a URL may be at most {MAX_PATH_BYTES:,}"
    for segment in path.split("/"):
        if len(segment.encode()) > MAX_SEGMENT_BYTES:
            return (
                f"name {segment[:20]}… is {len(segment.encode()):,} bytes long; "
                f"file systems take names of at most {MAX_SEGMENT_BYTES} bytes"
            )
    return None


Owner = TypeVar("Owner")


@dataclass(frozen=True)
class Clash(Generic[Owner]):
    """Why a file cannot join the output tree, and whose claim (``other``) it meets."""

    # same: another URL has this very file; inside: the file is in (or is) a folder claimed
    # whole; under_file: one of its folders, ``where``, is another's file; over_folder: the
    # file is a folder another's file needs; invalid: the path cannot be a file (``reason``).
    kind: Literal["same", "inside", "under_file", "over_folder", "invalid"]
    other: Owner | None
    where: str = ""
    reason: str = ""


class OutputTree(Generic[Owner]):
    """The output folder as the files URLs are written to: every claim must fit one tree.

    Claiming every URL first makes a file the file system cannot hold (a file where a folder
    must be, a name too long) a problem at its line, not a build failing half-way through writing.
    """

    def __init__(self) -> None:
        self._files: dict[str, Owner] = {}
        self._whole: dict[str, Owner] = {}  # folders claimed whole
        self._folders: dict[str, Owner] = {}  # folder -> the owner of the first file that needs it

    def claim_folder(self, folder: str, owner: Owner) -> None:
        """Claim a whole top-level folder (without slashes): nothing else may be written in it."""
        self._whole[folder] = owner

    def claim(self, url: str, owner: Owner) -> Clash[Owner] | None:
        """Claim the file ``url`` is written to; None when it fits, else the clash (and nothing is claimed)."""
        path = output_file(url)
        reason = check_output_file(path)
        if reason is not None:
            return Clash("invalid", None, path, reason)
        if path in self._files:
            return Clash("same", self._files[path], path)
        top = path.partition("/")[0]
        if top in self._whole:
            return Clash("inside", self._whole[top], top)
        if path in self._folders:
            return Clash("over_folder", self._folders[path], path)
        needed = []  # folders this file is the first to need, innermost first
        folder = path
        while (cut := folder.rfind("/")) != -1:
            folder = folder[:cut]
            if folder in self._folders:  # needed before: it, and every folder above it, is no file
                break
            if folder in self._files:
                return Clash("under_file", self._files[folder], folder)
            needed.append(folder)
        self._files[path] = owner
        for folder in needed:
            self._folders[folder] = owner
        return None
