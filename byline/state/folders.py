"""What each folder of an output held when it was last listed, so a rebuild lists only the folders changed since.

A commit drops every file the build did not produce, strays included. A folder whose inode,
modification and change times are as recorded still holds the names recorded: adding,
removing or renaming an entry moves both times, and on Linux nothing sets a change time
back. Git's untracked cache keeps a work tree's folders the same way.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import time
from collections.abc import Iterable, Iterator, Sequence, Set
from dataclasses import dataclass, field

from byline.state.sql import in_chunks

TABLE = (
    "CREATE TABLE IF NOT EXISTS folders (output TEXT, folder TEXT, inode INTEGER, mtime INTEGER, ctime INTEGER,"
    " files TEXT, PRIMARY KEY (output, folder)) WITHOUT ROWID"
)
# A folder changed this close to its listing could change again within its clock's resolution
# without its times moving, so it is listed again next time (git's "racily clean" rule).
RACY_NS = 2_000_000_000
UNTRUSTED = 0  # the inode stored for a listing the next build must not trust
_BATCH = 10_000  # listings written at a time while a new folder tree is walked

Row = tuple[str, int, int, int, str]  # folder ("" for the output's root), inode, mtime, ctime, files joined by "/"


class Unreadable(Exception):
    """The record could not be read to the end: list every folder instead."""


class Record:
    """One output's recorded listings in the cache; reads none while the cache is off, writes none while read-only."""

    def __init__(self, db: sqlite3.Connection | None, output: str, writable: bool = True):
        self.db = db
        self.output = output
        self.writable = writable and db is not None

    def rows(self) -> Iterator[Row]:
        """Every recorded listing, streamed in folder order."""
        if self.db is None:
            return
        query = "SELECT folder, inode, mtime, ctime, files FROM folders WHERE output=? ORDER BY folder"
        try:
            yield from self.db.execute(query, (self.output,))
        except sqlite3.Error as exc:
            raise Unreadable(exc) from None

    def known(self, folders: Sequence[str]) -> set[str]:
        """Those of ``folders`` with a recorded listing."""
        if self.db is None:
            return set()
        found: set[str] = set()
        try:
            for chunk, marks in in_chunks(folders):
                query = f"SELECT folder FROM folders WHERE output=? AND folder IN ({marks})"
                found.update(row[0] for row in self.db.execute(query, (self.output, *chunk)))
        except sqlite3.Error as exc:
            raise Unreadable(exc) from None
        return found

    def put(self, rows: Iterable[Row], gone: Iterable[str] = ()) -> None:
        """Record ``rows``, and forget each ``gone`` folder with every folder under it.

        A write that fails is let go: a folder whose listing is not recorded is listed again.
        """
        if not self.writable:
            return
        assert self.db is not None
        try:
            with self.db:
                for folder in gone:
                    self.db.execute(
                        "DELETE FROM folders WHERE output=? AND (folder=? OR (folder>=? AND folder<?))",
                        (self.output, folder, folder + "/", folder + "0"),  # "0" sorts just after "/"
                    )
                self.db.executemany(
                    "INSERT OR REPLACE INTO folders VALUES (?, ?, ?, ?, ?, ?)", [(self.output, *row) for row in rows]
                )
        except sqlite3.Error:
            pass

    def forget(self) -> None:
        """Forget every listing of this output (it is about to be replaced whole)."""
        if self.writable:
            assert self.db is not None
            try:
                with self.db:
                    forget(self.db, self.output)
            except sqlite3.Error:
                pass


def create(db: sqlite3.Connection) -> None:
    db.execute(TABLE)


def forget(db: sqlite3.Connection, output: str) -> None:
    """Forget an output's listings; call inside a transaction."""
    db.execute("DELETE FROM folders WHERE output=?", (output,))


@dataclass
class _Scan:
    """What one look at the output found: files to drop, listings to record, folders gone from the record."""

    root: str
    produced: Set[str] | None  # None: list only, as nothing is to be dropped
    trusted_before: int
    unproduced: set[str] = field(default_factory=set)
    listed: dict[str, Row] = field(default_factory=dict)
    subfolders: list[str] = field(default_factory=list)  # real folders seen in listings made now
    links: list[str] = field(default_factory=list)  # entries seen now that are links, where a folder may have been
    gone: list[str] = field(default_factory=list)

    def path(self, folder: str) -> str:
        return self.root if not folder else f"{self.root}/{folder}"

    def take(self, folder: str, names: Iterable[str]) -> None:
        """Note the names in ``folder`` that the build does not produce."""
        if (produced := self.produced) is not None:
            prefix = f"{folder}/" if folder else ""
            self.unproduced.update(prefix + name for name in names if prefix + name not in produced)

    def list(self, folder: str, info: os.stat_result) -> list[str]:
        """List ``folder`` now, record its listing (untrusted if it changed too recently), and return its folders."""
        files, folders = [], []
        with os.scandir(self.path(folder)) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.name)
                else:
                    files.append(entry.name)
                    if entry.is_symlink():
                        self.links.append(f"{folder}/{entry.name}" if folder else entry.name)
        settled = info.st_mtime_ns < self.trusted_before and info.st_ctime_ns < self.trusted_before
        inode = info.st_ino if settled else UNTRUSTED
        self.listed[folder] = (folder, inode, info.st_mtime_ns, info.st_ctime_ns, "/".join(files))
        self.take(folder, files)
        prefix = f"{folder}/" if folder else ""
        return [prefix + name for name in folders]


def unproduced(root: str, produced: Set[str], record: Record) -> list[str]:
    """The files in the output at ``root`` that the build did not produce, deepest first.

    Lists only the folders whose times moved since ``record`` listed them (every folder, the
    first time), and records what it listed.
    """
    scan = _Scan(root, produced, time.time_ns() - RACY_NS)
    new = [""]
    try:
        if record.known([""]):
            _compare(scan, record)
            known = record.known(scan.subfolders)
            new = [folder for folder in scan.subfolders if folder not in known]
    except Unreadable:  # list every folder, and record nothing
        scan, record, new = _Scan(root, produced, scan.trusted_before), Record(None, record.output), [""]
    beyond = tuple(f"{link}/" for link in scan.links)  # a folder replaced by a link: what lies past it is not ours
    record.put((row for folder, row in scan.listed.items() if not folder.startswith(beyond)), scan.gone + scan.links)
    scan.listed.clear()
    for top in new:
        if not top.startswith(beyond):
            _walk(scan, top, record)
    return deepest_first(path for path in scan.unproduced if not path.startswith(beyond))


def deepest_first(paths: Iterable[str]) -> list[str]:
    """Paths in the order a commit drops them: deepest first, then by name."""
    return sorted(paths, key=lambda relative: (-relative.count("/"), relative))


def list_all(root: str, record: Record) -> None:
    """Record the listing of every folder under ``root``, a build about to replace the output whole."""
    record.forget()
    _walk(_Scan(root, None, time.time_ns() - RACY_NS), "", record)


def _compare(scan: _Scan, record: Record) -> None:
    """Check every recorded folder's times, taking its recorded names when they stand and listing it when not."""
    under = scan.root + "/"
    for folder, inode, mtime, ctime, files in record.rows():
        try:
            info = os.lstat(under + folder if folder else scan.root)
        except OSError:  # gone, or a folder on its way is now a file
            scan.gone.append(folder)
            continue
        if not stat.S_ISDIR(info.st_mode):
            scan.gone.append(folder)
        elif info.st_ino == inode and info.st_ctime_ns == ctime and info.st_mtime_ns == mtime:  # never UNTRUSTED
            if files:
                scan.take(folder, files.split("/"))
        else:
            try:
                scan.subfolders += scan.list(folder, info)
            except OSError:  # gone since, or not ours to read: passed over, as a walk passes it
                scan.gone.append(folder)


def _walk(scan: _Scan, top: str, record: Record) -> None:
    """List ``top`` and every folder under it, none of them recorded, writing their listings as it goes."""
    waiting = [top]
    while waiting:
        folder = waiting.pop()
        try:
            info = os.lstat(scan.path(folder))
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode):
            with contextlib.suppress(OSError):  # as above
                waiting += scan.list(folder, info)
        if len(scan.listed) >= _BATCH:
            record.put(scan.listed.values())
            scan.listed.clear()
    record.put(scan.listed.values())
    scan.listed.clear()
