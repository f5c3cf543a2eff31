"""Find the site's content files and read them as bytes, with a digest for caching."""

from __future__ import annotations

import hashlib
import os
import stat as stats
import time
from collections.abc import Collection, MutableMapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from byline.errors import ContentError, UsageError
from byline.theme import inside

Kind = Literal["article", "author", "company", "page"]

CONTENT_DIRS: dict[Kind, tuple[str, bool]] = {
    # kind: (folder under the site root, whether sub-folders count)
    "article": ("content/articles", True),
    "author": ("content/authors", False),
    "company": ("content/companies", False),
    "page": ("content/pages", False),
}


# What a file held when it was last read: (mtime ns, ctime ns, size, inode, sha256 of its bytes).
Seen = tuple[int, int, int, int, str]
# A file changed this close to a scan could change again within its clock's resolution
# without its times moving, so it is read again next time (git's "racily clean" rule).
RACY_NS = 2_000_000_000
MAX_FILE_BYTES = 16_000_000  # far past any press release: a file this big is a mistake, and slow to convert
_KINDS = {stats.S_IFIFO: "a named pipe (FIFO)", stats.S_IFSOCK: "a socket", stats.S_IFCHR: "a device"}


class RefusedFile(OSError):
    """A content file Byline will not read: not a regular file, or too big; ``line`` is where to report it."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


def read_problem(path: str, exc: OSError) -> ContentError:
    """The problem to report for a file that could not be read."""
    if isinstance(exc, RefusedFile):
        return ContentError(path, exc.line, exc.message)
    return ContentError(path, 0, f"cannot read this file: {exc.strerror or exc}")


@dataclass(frozen=True)
class SourceFile:
    """One content file: ``path`` is relative to the site root, in POSIX form, for messages.

    ``data`` is None when the file was not read because its size and times match what
    it held when last read (``digest`` is that reading's); ``read_source`` reads it.
    """

    path: str
    kind: Kind
    data: bytes | None
    digest: str

    @property
    def stem(self) -> str:
        """The file name without '.md': an author's, company's or page's slug."""
        return self.path.rsplit("/", 1)[-1][: -len(".md")]


@dataclass(frozen=True)
class Listing:
    """What a scan found at each content file's path: the file (bytes not kept) or the problem with it.

    Kept by the preview's builder, so a scan after a save looks again at the paths its
    watcher saw change alone (``rescan_sources``), not at every file of the archive.
    """

    found: dict[str, SourceFile | ContentError]  # path -> what is there, in the order a scan lists them
    links: frozenset[str]  # paths reached through a symlink: their target can change out of the watcher's sight
    looked: frozenset[str] | None = None  # the paths a rescan looked at again (None: a whole scan looked at all)

    def results(self) -> tuple[list[SourceFile], list[ContentError]]:
        files = [f for f in self.found.values() if isinstance(f, SourceFile)]
        return files, [p for p in self.found.values() if isinstance(p, ContentError)]

    def kept(self) -> Listing:
        """The listing without the bytes of the files it read: kept between builds, it must not hold the site.

        After a rescan only the paths it looked at can hold bytes.
        """
        found = dict(self.found)
        for rel in found if self.looked is None else self.looked & found.keys():
            item = found[rel]
            if isinstance(item, SourceFile) and item.data is not None:
                found[rel] = replace(item, data=None)
        return Listing(found, self.links, self.looked)


def find_sources(
    root: Path, seen: MutableMapping[str, Seen] | None = None
) -> tuple[list[SourceFile], list[ContentError]]:
    """Read every Markdown file under content/, sorted by path so builds are reproducible.

    With ``seen`` (what files held when last read, updated here), a file whose size and
    times are unchanged is not read again.
    """
    return scan_sources(root, seen).results()


def scan_sources(root: Path, seen: MutableMapping[str, Seen] | None = None) -> Listing:
    """``find_sources``, as a listing that ``rescan_sources`` can bring up to date."""
    root = root.resolve()
    if not (root / "content" / "articles").is_dir():
        raise UsageError(f"{root}: no content/articles/ folder here; is --root the site root?")
    found: dict[str, SourceFile | ContentError] = {}
    links = set()
    trusted_before = time.time_ns() - RACY_NS
    prefix = len(str(root)) + 1
    for kind, (folder, recursive) in CONTENT_DIRS.items():
        folder_inside = inside(root / folder, root)  # content/x may itself be a symlink
        listed = [
            (path[prefix:].replace(os.sep, "/"), path, link) for path, link in _markdown_files(root / folder, recursive)
        ]
        for rel, path, is_link in sorted(listed):
            found[rel] = _examine(root, rel, path, kind, is_link, folder_inside, seen, trusted_before)
            if is_link:
                links.add(rel)
    if seen is not None:
        for gone in seen.keys() - found.keys():
            del seen[gone]
    return Listing(found, frozenset(links))


def rescan_sources(
    root: Path, listing: Listing, changed: Collection[str], seen: MutableMapping[str, Seen] | None = None
) -> Listing | None:
    """``listing`` brought up to date by looking again at the ``changed`` paths and the symlinked files alone.

    None when a change is more than a file's (a folder added, moved or removed, or
    content/ itself): then the caller scans everything.
    """
    root = root.resolve()
    if not (root / "content" / "articles").is_dir():
        return None
    wanted: dict[str, tuple[Kind, bool]] = {}  # path -> its kind, and whether it is a symlink
    gone: set[str] = set()
    for rel in {*changed, *listing.links}:
        where = _place(root, rel)
        if where is None:
            if (rel == "content" or rel.startswith("content/")) and (os.path.isdir(root / rel) or _holds(listing, rel)):
                return None  # a folder's change: the files under it are not listed one by one
            if rel in listing.found:
                gone.add(rel)  # deleted, or renamed away
        else:
            wanted[rel] = where
    found = dict(listing.found)
    for rel in gone:
        found.pop(rel, None)
        if seen is not None:
            seen.pop(rel, None)
    trusted_before = time.time_ns() - RACY_NS
    for rel, (kind, is_link) in wanted.items():
        folder_inside = inside(root / CONTENT_DIRS[kind][0], root)
        found[rel] = _examine(root, rel, str(root / rel), kind, is_link, folder_inside, seen, trusted_before)
    if gone or not wanted.keys() <= listing.found.keys():  # the order of paths changed
        found = {rel: found[rel] for rel in sorted(found, key=_scan_order)}
    links = (listing.links - gone - wanted.keys()) | {rel for rel, (_, is_link) in wanted.items() if is_link}
    return Listing(found, links, frozenset(gone | wanted.keys()))


def _examine(
    root: Path,
    rel: str,
    path: str,
    kind: Kind,
    is_link: bool,
    folder_inside: bool,
    seen: MutableMapping[str, Seen] | None,
    trusted_before: int,
) -> SourceFile | ContentError:
    """What is at one listed path: the file, or the problem that keeps it out."""
    if not folder_inside or (is_link and not inside(path, root)):
        return ContentError(rel, 0, "symlink points outside the site root; refused")
    try:
        return _source(path, rel, kind, seen, trusted_before)
    except OSError as exc:  # a dangling symlink or a loop, a FIFO, or a file deleted while we walked
        if seen is not None:
            seen.pop(rel, None)
        return read_problem(rel, exc)


def _scan_order(rel: str) -> tuple[int, str]:
    """Where ``scan_sources`` lists a path: by kind, then by path."""
    return next(i for i, (folder, _) in enumerate(CONTENT_DIRS.values()) if rel.startswith(folder + "/")), rel


def _place(root: Path, rel: str) -> tuple[Kind, bool] | None:
    """The kind of content file at ``rel`` and whether it is a symlink, if a scan would list it now; else None.

    The walk's rules (``_markdown_files``): no hidden names, no symlinked folders, only a
    kind's own folder unless articles, and Markdown files that are not editors' backups.
    """
    for kind, (folder, recursive) in CONTENT_DIRS.items():
        if not rel.startswith(folder + "/"):
            continue
        parts = rel[len(folder) + 1 :].split("/")
        name = parts[-1]
        if (len(parts) > 1 and not recursive) or any(p.startswith(".") or not p for p in parts):
            return None
        if not name.endswith(".md") or name.startswith(("#", "~")):
            return None
        base = root / folder
        for part in parts[:-1]:
            base = base / part
            if os.path.islink(base) or not os.path.isdir(base):
                return None
        path = base / name
        if not os.path.lexists(path) or (os.path.isdir(path) and not os.path.islink(path)):
            return None
        return kind, os.path.islink(path)
    return None


def _holds(listing: Listing, folder: str) -> bool:
    """Whether the listing has a file under ``folder``: a folder that went away, or was renamed."""
    under = folder.rstrip("/") + "/"
    return any(rel.startswith(under) for rel in listing.found)


def _source(path: str, rel: str, kind: Kind, seen: MutableMapping[str, Seen] | None, trusted_before: int) -> SourceFile:
    stat = _readable(os.stat(path))
    if seen is None:
        data = _read(path)
        return SourceFile(rel, kind, data, hashlib.sha256(data).hexdigest())
    times = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)
    last = seen.get(rel)
    if last is not None and last[:4] == times:
        return SourceFile(rel, kind, None, last[4])
    data = _read(path)
    digest = hashlib.sha256(data).hexdigest()
    if max(stat.st_mtime_ns, stat.st_ctime_ns) < trusted_before and len(data) == stat.st_size:
        seen[rel] = (*times, digest)
    else:
        seen.pop(rel, None)
    return SourceFile(rel, kind, data, digest)


def read_source(root: Path, source: SourceFile) -> SourceFile:
    """The file with its bytes, read now (its digest too: it may have changed since it was listed)."""
    if source.data is not None:
        return source
    data = _read(str(root / source.path))
    return replace(source, data=data, digest=hashlib.sha256(data).hexdigest())


def _read(path: str) -> bytes:
    """Read a regular file of at most MAX_FILE_BYTES; anything else is refused before a byte is read.

    Checked before opening (opening a FIFO waits for a writer) and again on the open file, in case it was swapped.
    """
    _readable(os.stat(path))
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(descriptor, "rb") as stream:
        size = _readable(os.fstat(descriptor)).st_size
        # Asked for its size, not the limit: a buffer of the limit, shrunk, stays a memory map of
        # its own, and 100,000 files held at once passed the kernel's limit on maps.
        data = stream.read(size + 1)
        if len(data) > size:  # it grew since: read on, up to the limit
            data += stream.read(MAX_FILE_BYTES + 1 - len(data))
    _refuse_size(len(data))
    return data


def _readable(stat: os.stat_result) -> os.stat_result:
    """Refuse what is not a regular file, or is over MAX_FILE_BYTES, from its status alone."""
    if not stats.S_ISREG(stat.st_mode):
        kind = _KINDS.get(stats.S_IFMT(stat.st_mode), "not a regular file")
        raise RefusedFile(f"this is {kind}, not a text file; refused")
    _refuse_size(stat.st_size)
    return stat


def _refuse_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        megabytes = f"{size / 1_000_000:.1f} MB"
        raise RefusedFile(f"file is {megabytes}; a content file may be at most {MAX_FILE_BYTES // 1_000_000} MB", 1)


def _markdown_files(folder: Path, recursive: bool) -> list[tuple[str, bool]]:
    """Markdown files under ``folder`` with whether each is a symlink, in no order (from the listings: no extra calls).

    Plain strings, not Paths: this walk meets every file of the site, and Path objects were much of its time.
    """
    found: list[tuple[str, bool]] = []
    folders = [str(folder)]
    while folders:
        try:
            entries = list(os.scandir(folders.pop()))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):  # hidden folders hold editor and VCS state, never articles
                continue
            if entry.is_dir(follow_symlinks=False):
                if recursive:
                    folders.append(entry.path)
            elif name.endswith(".md") and not name.startswith(("#", "~")):
                found.append((entry.path, entry.is_symlink()))
    return found
