"""The build cache: parse results by content digest, and each output folder's records.

Entries are keyed by everything they depend on and checked as they are read, so a damaged
or foreign cache makes a build slower, never wrong.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import sqlite3
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import fields
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeGuard, TypeVar

from byline import __version__
from byline.content.load import Loaded, LoadRules
from byline.content.loaded import ParseResult
from byline.content.markup import MARKUP_VERSION
from byline.content.models import Article, Author, Company, Correction, Page, Rendered, Unfinished
from byline.content.sources import Seen, SourceFile
from byline.errors import ContentError
from byline.parallel import collection_paused
from byline.state import folders, graph
from byline.state.spill import Spill
from byline.state.sql import in_chunks

SCHEMA = "7"
_LIBRARIES = "|".join(f"{name}={version(name)}" for name in ("markdown", "nh3", "python-slugify", "pyyaml"))
# Byline's own code, hashed: between releases __version__ stays put while loading and
# rendering change, and a cache from other code must not outlive it (a stale parse result
# would hide a new validation; a stale fingerprint would keep output the new code changes).
_PACKAGE = Path(__file__).resolve().parents[1]
_SOURCE = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(_PACKAGE.rglob("*.py")))).hexdigest()
_PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"  # marshal's format is Python's own
_GENERATION = (
    f"byline={__version__}|source={_SOURCE[:16]}|markup={MARKUP_VERSION}|schema={SCHEMA}|python={_PYTHON}|{_LIBRARIES}"
)

M = TypeVar("M")


def generation() -> str:
    """Byline's code and the libraries that shape its output: what a cache entry or a record of reads was made by."""
    return f"{_GENERATION}|jinja2={version('jinja2')}"


Encoded = bytes  # a parse result as stored (see encode_result)


def parse_key(source: SourceFile, rules: LoadRules) -> str:
    """Everything a parse result depends on, hashed."""
    hashed = _settings(rules).copy()
    hashed.update(f"|{source.kind}|{source.path}|{source.digest}".encode())
    return hashed.hexdigest()


@functools.lru_cache(maxsize=4)
def _settings(rules: LoadRules) -> hashlib._Hash:
    """The part of every parse key shared by all files, hashed once per build, not once per file."""
    return hashlib.sha256(
        f"{_GENERATION}|{rules.timezone.key}|{sorted(rules.sections)}|{rules.default_section}".encode()
    )


class Cache:
    """A sqlite-backed store; every failure degrades to 'not cached'."""

    def __init__(self, path: Path, enabled: bool = True, read_only: bool = False):
        self.path = path
        self.db: sqlite3.Connection | None = None
        self.read_only = read_only
        if enabled:
            self.db = self._open_read_only() if read_only else self._open()

    def _open_read_only(self) -> sqlite3.Connection | None:
        """For `check`, which writes nothing: an existing, current cache, read as an immutable file, or none.

        A reader of sqlite's write-ahead log writes to its shared memory, so only the database
        file is read, and only while the log is empty (no build running or killed).
        """
        if not self.path.is_file():
            return None
        with contextlib.suppress(OSError):
            if Path(f"{self.path}-wal").stat().st_size > 0:
                return None
        try:
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, timeout=10)
            row = db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
            if row is not None and row[0] == _GENERATION:
                return db
            db.close()
        except sqlite3.Error:
            pass
        return None

    def _open(self) -> sqlite3.Connection | None:
        for attempt in range(2):
            try:
                self.path.parent.mkdir(exist_ok=True)
                _write_ignore_file(self.path.parent)
                db = sqlite3.connect(self.path, timeout=10)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
                row = db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
                if row is None or row[0] != _GENERATION:  # foreign or older cache: start afresh
                    db.executescript(
                        "DROP TABLE IF EXISTS parse; DROP TABLE IF EXISTS outputs; DROP TABLE IF EXISTS commits;"
                        "DROP TABLE IF EXISTS graphs; DROP TABLE IF EXISTS facts; DROP TABLE IF EXISTS readers;"
                        "DROP TABLE IF EXISTS reads; DROP TABLE IF EXISTS seen; DROP TABLE IF EXISTS folders;"
                    )
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (_GENERATION,))
                db.execute("CREATE TABLE IF NOT EXISTS parse (key TEXT PRIMARY KEY, value BLOB, sum INTEGER)")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS outputs (folder TEXT, path TEXT, fingerprint TEXT,"
                    " PRIMARY KEY (folder, path))"
                )
                db.execute("CREATE TABLE IF NOT EXISTS commits (folder TEXT PRIMARY KEY, marker TEXT)")
                # History, not a memo: kept across generations so an upgrade does not forget
                # which URLs are live (checks warn when a build would break one).
                db.execute("CREATE TABLE IF NOT EXISTS published (folder TEXT, source TEXT, id TEXT, url TEXT)")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS seen (path TEXT PRIMARY KEY, mtime INTEGER, ctime INTEGER, size INTEGER,"
                    " inode INTEGER, digest TEXT)"
                )
                db.execute("CREATE INDEX IF NOT EXISTS published_folder ON published (folder)")
                graph.create(db)
                folders.create(db)
                db.commit()
                db.execute("SELECT count(*) FROM parse").fetchone()  # surfaces corruption now
                return db
            except (sqlite3.Error, OSError):
                if attempt == 0:
                    self._discard()
        return None

    def _discard(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{suffix}").unlink()

    def get_parsed(self, keys: list[str], leave_bodies: bool = False) -> dict[str, ParseResult]:
        """Look up many parse results at once; unreadable entries count as misses.

        ``leave_bodies``: articles come without their bodies' HTML, which ``StoredBodies`` reads back.
        """
        if self.db is None or not keys:
            return {}
        found: dict[str, ParseResult] = {}
        try:
            with collection_paused():  # parse results hold no cycles, and live to the build's end
                for key, value, checksum in self._parse_rows(keys):
                    result = _read_row(value, checksum, leave_bodies)
                    if result is not None:
                        found[key] = result
        except sqlite3.Error:
            return found
        return found

    def _parse_rows(self, keys: list[str]) -> Iterator[tuple[Any, ...]]:
        """The stored rows of ``keys``: the whole table read in order when most of it is wanted, else by key."""
        assert self.db is not None
        stored = self.db.execute("SELECT count(*) FROM parse").fetchone()[0]
        if 2 * len(keys) >= stored:
            wanted = set(keys)
            yield from (row for row in self.db.execute("SELECT key, value, sum FROM parse") if row[0] in wanted)
            return
        for chunk, marks in in_chunks(keys):
            yield from self.db.execute(f"SELECT key, value, sum FROM parse WHERE key IN ({marks})", chunk)

    def put_parsed(self, entries: dict[str, Encoded]) -> bool:
        """Store encoded parse results (see encode_result), each with the checksum it is read back by; True if stored."""
        rows = [(key, value, zlib.crc32(value)) for key, value in entries.items()]
        return self._write("INSERT OR REPLACE INTO parse VALUES (?, ?, ?)", rows)

    def get_seen(self) -> dict[str, Seen]:
        """What each content file held when last read (see sources.find_sources); malformed rows are left out."""
        if self.db is None:
            return {}
        try:
            rows = self.db.execute(
                "SELECT path, mtime, ctime, size, inode, digest FROM seen WHERE typeof(path) = 'text'"
                " AND typeof(mtime) = 'integer' AND typeof(ctime) = 'integer' AND typeof(size) = 'integer'"
                " AND typeof(inode) = 'integer' AND typeof(digest) = 'text'"
            )
            return {path: (mtime, ctime, size, inode, digest) for path, mtime, ctime, size, inode, digest in rows}
        except sqlite3.Error:
            return {}

    def put_seen(self, changed: dict[str, Seen], gone: set[str]) -> None:
        """Record files read (or re-read) by this build and forget those no longer there."""
        self._write("DELETE FROM seen WHERE path=?", [(path,) for path in gone])
        self._write("INSERT OR REPLACE INTO seen VALUES (?, ?, ?, ?, ?, ?)", [(p, *v) for p, v in changed.items()])

    def get_fingerprints(self, folder: Path, marker: str) -> dict[str, str] | None:
        """The fingerprints the last commit into ``folder`` recorded, if its marker is still ``marker``; else None."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT marker FROM commits WHERE folder=?", (str(folder),)).fetchone()
            if row is None or row[0] != marker:
                return None  # the output is not the one these records describe
            rows = self.db.execute("SELECT path, fingerprint FROM outputs WHERE folder=?", (str(folder),))
            return dict(rows.fetchall())
        except sqlite3.Error:
            return None

    def get_graph(
        self, folder: Path, marker: str, key: str, kinds: tuple[str, ...] | None = None
    ) -> graph.Recorded | None:
        """The reads the last commit into ``folder`` recorded, if its marker is still ``marker`` and ``key`` matches.

        ``kinds``: the fact kinds to read now (see ``graph.load``).
        """
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT marker FROM commits WHERE folder=?", (str(folder),)).fetchone()
            if row is None or row[0] != marker:
                return None
            return graph.load(self.db, str(folder), key, kinds)
        except sqlite3.Error:
            return None

    def get_published(self, folder: Path) -> list[tuple[str, str | None, str]] | None:
        """(source, id, url) of each article the last build into ``folder`` published; None if unrecorded."""
        if self.db is None:
            return None
        try:
            rows = self.db.execute("SELECT source, id, url FROM published WHERE folder=? ORDER BY url", (str(folder),))
            return rows.fetchall() or None
        except sqlite3.Error:
            return None

    def record(
        self,
        folder: Path,
        marker: str,
        fingerprints: dict[str, str],
        recorded: dict[str, str] | None,
        published: list[tuple[str, str | None, str]],
        learnt: graph.Learnt | None = None,
    ) -> graph.Recorded | None:
        """Record a commit into ``folder`` in one transaction: its marker, fingerprints, published articles and reads.

        Only the difference from ``recorded`` is written; should this fail, the old marker on
        record makes the next build trust none of the old fingerprints. Return the graph of reads
        as recorded now, when the save can tell it (``graph.save``).
        """
        if self.db is None or self.read_only:
            return None
        where = str(folder)
        saved = None
        try:
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO commits VALUES (?, ?)", (where, marker))
                if recorded is None:
                    self.db.execute("DELETE FROM outputs WHERE folder=?", (where,))
                    changed = fingerprints
                else:
                    gone = [(where, path) for path in recorded.keys() - fingerprints.keys()]
                    self.db.executemany("DELETE FROM outputs WHERE folder=? AND path=?", gone)
                    changed = {p: f for p, f in fingerprints.items() if recorded.get(p) != f}
                self.db.executemany(
                    "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?)", [(where, p, f) for p, f in changed.items()]
                )
                self._publish(where, published)
                if learnt is not None:
                    saved = graph.save(self.db, where, learnt)
                else:
                    graph.forget(self.db, where, None)
        except sqlite3.Error:
            return None
        return saved

    def spill(self) -> Spill | None:
        """Where a build writes a record of reads it will save whole (see ``state.spill``); None when it is not kept."""
        if self.db is None or self.read_only:
            return None
        try:
            return Spill(self.db)
        except sqlite3.Error:
            return None

    def forget_gone(self) -> list[str]:
        """Drop the records of output folders that no longer exist, and return them.

        No build can trust such records again (they are trusted only beside their folder's
        marker), and a preview stopped before it could drop its folders' left millions of rows.
        """
        if self.db is None or self.read_only:
            return []
        try:
            query = "SELECT folder FROM commits UNION SELECT folder FROM graphs UNION SELECT output FROM folders"
            rows = self.db.execute(query).fetchall()
        except sqlite3.Error:
            return []
        gone = sorted(folder for (folder,) in rows if not Path(folder).is_dir())
        for folder in gone:
            self.distrust(Path(folder))
        return gone

    def listings(self, output: Path) -> folders.Record:
        """What each folder of ``output`` held when last listed (see ``folders``)."""
        return folders.Record(self.db, str(output), writable=not self.read_only)

    def marker_of(self, folder: Path) -> str | None:
        """The marker of the last commit into ``folder`` on record."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT marker FROM commits WHERE folder=?", (str(folder),)).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else str(row[0])

    def _publish(self, where: str, articles: list[tuple[str, str | None, str]]) -> None:
        assert self.db is not None
        recorded = self.db.execute("SELECT source, id, url FROM published WHERE folder=?", (where,))
        if set(recorded.fetchall()) == set(articles):
            return  # the usual rebuild: nothing moved, and rewriting every row is not free
        self.db.execute("DELETE FROM published WHERE folder=?", (where,))
        self.db.executemany("INSERT INTO published VALUES (?, ?, ?, ?)", [(where, *row) for row in articles])

    def distrust(self, folder: Path, paths: set[str] | None = None) -> None:
        """Forget the fingerprints of ``paths`` in ``folder`` (all of them when None), and what it published."""
        if self.db is None or self.read_only:
            return
        where = str(folder)
        try:
            with self.db:
                if paths is None:
                    self.db.execute("DELETE FROM outputs WHERE folder=?", (where,))
                    self.db.execute("DELETE FROM commits WHERE folder=?", (where,))
                    folders.forget(self.db, where)
                else:
                    self.db.executemany("DELETE FROM outputs WHERE folder=? AND path=?", [(where, p) for p in paths])
                graph.forget(self.db, where, paths)
                self.db.execute("DELETE FROM published WHERE folder=?", (where,))
        except sqlite3.Error:
            pass

    def copy_records(self, source: Path, source_marker: str, target: Path, target_marker: str) -> None:
        """Give ``target``, a copy of the output in ``source``, that output's records."""
        fingerprints = self.get_fingerprints(source, source_marker)
        if fingerprints is None or self.db is None or self.read_only:
            return
        self.record(target, target_marker, fingerprints, None, self.get_published(source) or [])
        try:
            with self.db:  # apart from the record: should it fail, the copy has no graph, and builds in full
                graph.copy(self.db, str(source), str(target))
        except sqlite3.Error:
            pass

    def prune(self, live_keys: set[str]) -> None:
        """Forget parse results no current file needs, so the cache does not grow forever.

        Up to one stored entry in eight may be dead before any is forgotten: each edit leaves
        one, and finding it means listing every key.
        """
        if self.db is None or self.read_only:
            return
        try:
            if self.db.execute("SELECT count(*) FROM parse").fetchone()[0] <= len(live_keys) + len(live_keys) // 8:
                return
            stored = [row[0] for row in self.db.execute("SELECT key FROM parse")]
            stale = [(k,) for k in stored if k not in live_keys]
            if stale:
                with self.db:
                    self.db.executemany("DELETE FROM parse WHERE key=?", stale)
        except sqlite3.Error:
            pass

    def _write(self, sql: str, rows: Sequence[tuple[str | bytes | int | None, ...]]) -> bool:
        """Write ``rows`` in one transaction; False when nothing was written (no cache, or it failed)."""
        if self.db is None or self.read_only or not rows:
            return False
        try:
            with self.db:
                self.db.executemany(sql, rows)
        except sqlite3.Error:
            return False
        return True

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None


def _read_row(value: object, checksum: object, leave_bodies: bool = False) -> ParseResult | None:
    """A stored parse result, or None when it is not what was written (then the file is parsed again).

    The checksum, of the bytes stored, catches an entry changed on disk, not forgery.
    """
    if not _intact(value, checksum):
        return None
    try:
        return decode_result(value, leave_bodies)
    except (ValueError, KeyError, TypeError, IndexError, EOFError):
        return None


def _intact(value: object, checksum: object) -> TypeGuard[bytes]:
    """Whether a stored parse result's bytes are those written: the checksum is of the bytes stored."""
    return type(value) is bytes and checksum == zlib.crc32(value)


def _stored_body(value: object, checksum: object) -> bytes | None:
    """An article's packed body from its stored parse result, the rest left undecoded; None when not as written."""
    if not _intact(value, checksum):
        return None
    try:
        stored = marshal.loads(value)[0]
        packed = stored[1 + _BODY][_PACKED] if stored is not None and _KINDS[stored[0]] is Article else None
    except (ValueError, TypeError, IndexError, EOFError):
        return None
    return packed if type(packed) is bytes else None


class StoredBodies:
    """Reads back the bodies of articles decoded without them, by their parse keys.

    Each process opens its own read-only connection: render workers are forked, and a
    connection must not cross a fork (docs/design.md, "Bodies left in the cache").
    """

    def __init__(self, path: Path):
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    def packed(self, key: str) -> bytes | None:
        """The article body stored under ``key``, packed; None when it is not there as written."""
        try:
            row = self._connection().execute("SELECT value, sum FROM parse WHERE key=?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else _stored_body(*row)

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            self._db, self._pid = None, os.getpid()  # a parent's connection is left to the parent
            self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        return self._db

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None


def _write_ignore_file(folder: Path) -> None:
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Byline's build cache: safe to delete\n*\n")


# --- the codec of parse results: marshal of plain tuples ---------------------------------


def encode_result(model: Loaded | None, problems: list[ContentError]) -> Encoded:
    """Serialise a parse result: marshal bytes of plain tuples, each model's fields in their declared order."""
    stored = None if model is None else _encode_model(model)
    return marshal.dumps((stored, tuple((p.path, p.line, p.message, p.severity) for p in problems)))


def decode_result(encoded: Encoded, leave_bodies: bool = False) -> ParseResult:
    """A parse result as ``encode_result`` stored it; with ``leave_bodies``, an article's without its body's HTML."""
    stored, problems = marshal.loads(encoded)
    model = None if stored is None else _decode_model(stored, leave_bodies)
    return model, [ContentError(*problem) for problem in problems]


_KINDS: tuple[type[Loaded], ...] = (Article, Author, Company, Page, Unfinished)  # stored by position
_RENDERED = tuple(field.name for field in fields(Rendered))
_PACKED = _RENDERED.index("packed")


def _encode_rendered(value: Rendered) -> tuple[Any, ...]:
    return tuple(getattr(value, name) for name in _RENDERED)  # the HTML stays packed: bytes, copied as they are


def _decode_rendered(value: tuple[Any, ...]) -> Rendered:
    return _made(Rendered, value)


def _encode_corrections(value: tuple[Correction, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((correction.date.isoformat(), correction.note) for correction in value)


def _decode_corrections(value: tuple[tuple[str, str], ...]) -> tuple[Correction, ...]:
    return tuple(Correction(datetime.fromisoformat(moment), note) for moment, note in value)


Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]
# A field whose value marshal cannot store as it is, by its declared type: how to store it,
# and how to make it again. Every other field is stored as it is (marshal refuses anything
# but plain values, so a new kind of field fails loudly, never silently).
_FIELD_CODECS: dict[str, Codec] = {
    "datetime": (datetime.isoformat, datetime.fromisoformat),
    "datetime | None": (
        lambda value: None if value is None else value.isoformat(),
        lambda value: None if value is None else datetime.fromisoformat(value),
    ),
    "Rendered": (_encode_rendered, _decode_rendered),
    "tuple[Correction, ...]": (_encode_corrections, _decode_corrections),
}


def _plan(kind: type[Loaded]) -> tuple[tuple[str, ...], tuple[tuple[int, str, Codec], ...]]:
    """A model kind's field names, in the order stored, and the position, name and codec of each needing one."""
    declared = fields(kind)
    coded = tuple((i, f.name, _FIELD_CODECS[f.type]) for i, f in enumerate(declared) if f.type in _FIELD_CODECS)
    return tuple(f.name for f in declared), coded


_PLANS = {kind: _plan(kind) for kind in _KINDS}
_BODY = _PLANS[Article][0].index("body")


def _encode_model(model: Loaded) -> tuple[Any, ...]:
    names, coded = _PLANS[type(model)]
    values = [getattr(model, name) for name in names]
    for i, _, (encode, _) in coded:
        values[i] = encode(values[i])
    return (_KINDS.index(type(model)), *values)


def _decode_model(stored: tuple[Any, ...], leave_bodies: bool = False) -> Loaded:
    kind = _KINDS[stored[0]]
    _, coded = _PLANS[kind]
    values = list(stored[1:])
    if leave_bodies and kind is Article:
        body = list(values[_BODY])
        body[_PACKED] = None
        values[_BODY] = tuple(body)
    for i, _, (_, decode) in coded:
        values[i] = decode(values[i])
    model: Loaded = _made(kind, values)
    return model


def _made(kind: type[M], values: Iterable[Any]) -> M:
    """An instance of a frozen dataclass made as copy and pickle make one: each slot set as it is, in field order."""
    made = object.__new__(kind)
    for set_slot, value in zip(_SETTERS[kind], values, strict=True):
        set_slot(made, value)
    return made


def _slot_setters(kind: type) -> tuple[Callable[[Any, Any], None], ...]:
    """The setter of each field's slot, in field order: past a frozen class's refusal, as ``object.__setattr__`` is."""
    return tuple(getattr(kind, f.name).__set__ for f in fields(kind))


_SETTERS: dict[type, tuple[Callable[[Any, Any], None], ...]] = {k: _slot_setters(k) for k in (*_KINDS, Rendered)}
