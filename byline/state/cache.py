"""The build cache: parse results by content digest, and each output folder's records.

Entries are keyed by everything they depend on and checked as they are read, so a damaged
or foreign cache makes a build slower, never wrong.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import sqlite3
import zlib
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from byline import __version__
from byline.content.load import Loaded, LoadRules
from byline.content.markup import MARKUP_VERSION, Html
from byline.content.models import Article, Author, Company, Correction, Page, Rendered, Unfinished
from byline.content.sources import Seen, SourceFile
from byline.errors import ContentError
from byline.state import graph

SCHEMA = "5"
_LIBRARIES = "|".join(f"{name}={version(name)}" for name in ("markdown", "nh3", "python-slugify", "pyyaml"))
# Byline's own code, hashed: between releases __version__ stays put while loading and
# rendering change, and a cache from other code must not outlive it (a stale parse result
# would hide a new validation; a stale fingerprint would keep output the new code changes).
_PACKAGE = Path(__file__).resolve().parents[1]
_SOURCE = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(_PACKAGE.rglob("*.py")))).hexdigest()
_GENERATION = f"byline={__version__}|source={_SOURCE[:16]}|markup={MARKUP_VERSION}|schema={SCHEMA}|{_LIBRARIES}"

ParseResult = tuple[Loaded | None, list[ContentError]]


def generation() -> str:
    """Byline's code and the libraries that shape its output: what a cache entry or a record of reads was made by."""
    return f"{_GENERATION}|jinja2={version('jinja2')}"


Encoded = tuple[str, str | None]  # a parse result as stored: JSON, and the HTML of its Rendered (if it has one)


def parse_key(source: SourceFile, rules: LoadRules) -> str:
    """Everything a parse result depends on, hashed."""
    raw = f"{_settings(rules)}|{source.kind}|{source.path}|{source.digest}"
    return hashlib.sha256(raw.encode()).hexdigest()


@functools.lru_cache(maxsize=4)
def _settings(rules: LoadRules) -> str:
    """The part of every parse key shared by all files: worked out once per build, not once per file."""
    return f"{_GENERATION}|{rules.timezone.key}|{sorted(rules.sections)}|{rules.default_section}"


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
                        "DROP TABLE IF EXISTS reads;"
                    )
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (_GENERATION,))
                db.execute(
                    "CREATE TABLE IF NOT EXISTS parse (key TEXT PRIMARY KEY, value BLOB, html BLOB, sum INTEGER)"
                )
                db.execute(
                    "CREATE TABLE IF NOT EXISTS outputs (folder TEXT, path TEXT, fingerprint TEXT,"
                    " PRIMARY KEY (folder, path))"
                )
                db.execute("CREATE TABLE IF NOT EXISTS commits (folder TEXT PRIMARY KEY, marker TEXT)")
                # History, not a memo: kept across generations so an upgrade does not forget
                # which URLs are live (checks warn when a build would break one).
                db.execute("CREATE TABLE IF NOT EXISTS published (folder TEXT, source TEXT, id TEXT, url TEXT)")
                db.execute("CREATE TABLE IF NOT EXISTS seen (path TEXT PRIMARY KEY, value TEXT)")
                db.execute("CREATE INDEX IF NOT EXISTS published_folder ON published (folder)")
                graph.create(db)
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

    def get_parsed(self, keys: list[str]) -> dict[str, ParseResult]:
        """Look up many parse results at once; unreadable entries count as misses."""
        if self.db is None or not keys:
            return {}
        found: dict[str, ParseResult] = {}
        try:
            for start in range(0, len(keys), 900):  # sqlite's bound-parameter limit
                chunk = keys[start : start + 900]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, value, html, sum FROM parse WHERE key IN ({marks})"
                for key, value, html, checksum in self.db.execute(query, chunk):
                    if type(value) is not bytes or checksum != _checksum(value, html):
                        continue  # changed on disk since it was written: parse the file again
                    with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
                        found[key] = decode_result((value.decode(), html.decode() if html is not None else None))
        except sqlite3.Error:
            return found
        return found

    def put_parsed(self, entries: dict[str, Encoded]) -> None:
        """Store encoded parse results (see encode_result)."""
        rows = []
        for key, (value, html) in entries.items():
            stored = (value.encode(), html.encode() if html is not None else None)
            rows.append((key, *stored, _checksum(*stored)))
        self._write("INSERT OR REPLACE INTO parse VALUES (?, ?, ?, ?)", rows)

    def get_seen(self) -> dict[str, Seen]:
        """What each content file held when last read (see sources.find_sources); malformed rows are left out."""
        if self.db is None:
            return {}
        found: dict[str, Seen] = {}
        try:
            for path, value in self.db.execute("SELECT path, value FROM seen"):
                with contextlib.suppress(ValueError, TypeError):
                    mtime, ctime, size, inode, digest = json.loads(value)
                    if all(type(n) is int for n in (mtime, ctime, size, inode)) and type(digest) is str:
                        found[path] = (mtime, ctime, size, inode, digest)
        except sqlite3.Error:
            return found
        return found

    def put_seen(self, changed: dict[str, Seen], gone: set[str]) -> None:
        """Record files read (or re-read) by this build and forget those no longer there."""
        self._write("DELETE FROM seen WHERE path=?", [(path,) for path in gone])
        self._write("INSERT OR REPLACE INTO seen VALUES (?, ?)", [(p, json.dumps(v)) for p, v in changed.items()])

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
    ) -> None:
        """Record a commit into ``folder`` in one transaction: its marker, fingerprints, published articles and reads.

        Only the difference from ``recorded`` is written; should this fail, the old marker on
        record makes the next build trust none of the old fingerprints.
        """
        if self.db is None or self.read_only:
            return
        where = str(folder)
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
                    graph.save(self.db, where, learnt)
                else:
                    graph.forget(self.db, where, None)
        except sqlite3.Error:
            pass

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
        """Forget parse results no current file needs, so the cache does not grow forever."""
        if self.db is None or self.read_only:
            return
        try:
            stored = [row[0] for row in self.db.execute("SELECT key FROM parse")]
            stale = [(k,) for k in stored if k not in live_keys]
            if stale:
                with self.db:
                    self.db.executemany("DELETE FROM parse WHERE key=?", stale)
        except sqlite3.Error:
            pass

    def _write(self, sql: str, rows: Sequence[tuple[str | bytes | int | None, ...]]) -> None:
        if self.db is None or self.read_only or not rows:
            return
        try:
            with self.db:
                self.db.executemany(sql, rows)
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None


def _checksum(value: bytes, html: bytes | None) -> int:
    """A parse entry's checksum, of the bytes stored: it catches an entry changed on disk, not forgery."""
    checksum = zlib.crc32(value)
    return zlib.crc32(html, checksum) if html is not None else checksum


def _write_ignore_file(folder: Path) -> None:
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Byline's build cache: safe to delete\n*\n")


# --- the codec of parse results: JSON, and the HTML apart --------------------------------


def encode_result(model: Loaded | None, problems: list[ContentError]) -> Encoded:
    """Serialise a parse result: JSON text, and apart from it the HTML of its one Rendered."""
    htmls: list[str] = []
    data = {"model": _encode_model(model, htmls), "problems": [asdict(p) for p in problems]}
    if len(htmls) > 1:
        raise ValueError("a model holds one Rendered at most")  # the HTML column holds one
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False), (htmls[0] if htmls else None)


def decode_result(encoded: Encoded) -> ParseResult:
    text, html = encoded
    data = json.loads(text)
    problems = [ContentError(**p) for p in data["problems"]]
    return _decode_model(data["model"], html), problems


def _encode_model(model: Loaded | None, htmls: list[str]) -> dict[str, Any] | None:
    if model is None:
        return None
    data = {k: (v if k in ("meta", "lines") else _encode_value(v, htmls)) for k, v in model.__dict__.items()}
    data["__type__"] = type(model).__name__
    return data


def _encode_value(value: Any, htmls: list[str]) -> Any:
    if isinstance(value, datetime):
        return {"__dt__": value.isoformat()}
    if isinstance(value, Rendered):
        htmls.append(value.html)
        return {
            "__rendered__": [
                value.first_paragraph,
                value.word_count,
                value.images,
                value.hrefs,
                value.embeds,
                value.removed,
            ]
        }
    if isinstance(value, Correction):
        return {"__correction__": [value.date.isoformat(), value.note]}
    if isinstance(value, tuple | list):
        return [_encode_value(v, htmls) for v in value]
    return value


def _decode_model(data: dict[str, Any] | None, html: str | None) -> Loaded | None:
    if data is None:
        return None
    kinds: dict[str, type[Loaded]] = {
        "Article": Article,
        "Author": Author,
        "Company": Company,
        "Page": Page,
        "Unfinished": Unfinished,
    }
    kind = kinds[data.pop("__type__")]
    raw = ("meta", "lines")  # plain JSON from front matter: never reinterpreted
    fields = {k: (_decode_value(v, html) if type(v) in (dict, list) and k not in raw else v) for k, v in data.items()}
    for key in ("authors", "tags", "aliases", "corrections"):
        if key in fields:
            fields[key] = tuple(fields[key])
    if "links" in fields:
        fields["links"] = tuple(tuple(pair) for pair in fields["links"])
    return kind(**fields)


def _decode_value(value: Any, html: str | None) -> Any:
    if isinstance(value, dict):
        if "__dt__" in value:
            return datetime.fromisoformat(value["__dt__"])
        if "__rendered__" in value:
            first, words, images, hrefs, embeds, removed = value["__rendered__"]
            if not isinstance(html, str):
                raise TypeError("a parse result's HTML is missing")
            removals = tuple((str(message), str(where)) for message, where in removed)
            return Rendered(Html(html), first, words, tuple(images), tuple(hrefs), tuple(embeds), removals)
        if "__correction__" in value:
            moment, note = value["__correction__"]
            return Correction(datetime.fromisoformat(moment), note)
    if isinstance(value, list):
        return [_decode_value(v, html) for v in value]
    return value
