"""Find the site's content files and read them as bytes, with a digest for caching."""

from __future__ import annotations

import hashlib
import os
import stat as stats
import time
from collections.abc import MutableMapping
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


def find_sources(
    root: Path, seen: MutableMapping[str, Seen] | None = None
) -> tuple[list[SourceFile], list[ContentError]]:
    """Read every Markdown file under content/, sorted by path so builds are reproducible.

    With ``seen`` (what files held when last read, updated here), a file whose size and
    times are unchanged is not read again.
    """
    root = root.resolve()
    if not (root / "content" / "articles").is_dir():
        raise UsageError(f"{root}: no content/articles/ folder here; is --root the site root?")
    files: list[SourceFile] = []
    problems: list[ContentError] = []
    trusted_before = time.time_ns() - RACY_NS
    prefix = len(str(root)) + 1
    for kind, (folder, recursive) in CONTENT_DIRS.items():
        folder_inside = inside(root / folder, root)  # content/x may itself be a symlink
        listed = [
            (path[prefix:].replace(os.sep, "/"), path, link) for path, link in _markdown_files(root / folder, recursive)
        ]
        for rel, path, is_link in sorted(listed):
            if not folder_inside or (is_link and not inside(path, root)):
                problems.append(ContentError(rel, 0, "symlink points outside the site root; refused"))
                continue
            try:
                files.append(_source(path, rel, kind, seen, trusted_before))
            except OSError as exc:  # a dangling symlink or a loop, a FIFO, or a file deleted while we walked
                problems.append(read_problem(rel, exc))
                if seen is not None:
                    seen.pop(rel, None)
    if seen is not None:
        for gone in set(seen) - {f.path for f in files}:
            del seen[gone]
    return files, problems


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
