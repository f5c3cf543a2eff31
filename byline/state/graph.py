"""What every output and shared view of an output folder read, kept with the commit that wrote it.

Trusted only under the fingerprints' rule and the same key: anything else means a full build.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from byline.state.spill import Spill, reads_digest
from byline.state.sql import in_chunks

GRAPH_VERSION = "2"
TABLES = (
    "CREATE TABLE IF NOT EXISTS graphs (folder TEXT PRIMARY KEY, gid INTEGER, key TEXT)",
    "CREATE TABLE IF NOT EXISTS facts (gid INTEGER, id INTEGER, key TEXT, identity TEXT, PRIMARY KEY (gid, id))",
    "CREATE UNIQUE INDEX IF NOT EXISTS facts_key ON facts (gid, key)",
    "CREATE TABLE IF NOT EXISTS readers (gid INTEGER, id INTEGER, name TEXT, spec TEXT, reads TEXT,"
    " PRIMARY KEY (gid, id))",
    "CREATE UNIQUE INDEX IF NOT EXISTS readers_name ON readers (gid, name)",
    "CREATE TABLE IF NOT EXISTS reads (gid INTEGER, fact INTEGER, reader INTEGER,"
    " PRIMARY KEY (gid, fact, reader)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS reads_reader ON reads (gid, reader)",
)
_FEW_FACTS = 0.25  # past this share of the recorded facts, reading them all is quicker than looking each up
_FEW_READERS = 2_000  # past this many readers made again, a save looks up all their facts (see _wanted)
BULK_CACHE_KIB = 65536  # sqlite's page cache while a graph is written whole (its default: 2 MiB)
VIEW_READERS = "v|"  # the readers that are shared views: not loaded, read by name when a save touches them
OUTPUT_READERS = "o:"  # the readers that are output files: not loaded, streamed to compare (Recorded.outputs)
UNLOADED_READERS = (OUTPUT_READERS, VIEW_READERS)  # in name order, as load reads the ranges around them
_FEW_NAMED = 20_000  # past this many readers wanted by name, reading them all is quicker


@dataclass
class Recorded:
    """A folder's graph as the last commit left it: each fact's identity, and each reader's id and spec.

    Facts' row ids are not loaded: a build compares identities, and only a commit needs ids.
    Loaded with ``kinds``, ``facts`` holds the facts of those kinds; ``under`` reads others by
    their start (a file's fields, a map's look-ups) when they are wanted, ``each`` streams them
    (every file's entity) and ``identities`` looks them up by key (the views a change reaches).
    Nor are the readers of the outputs and shared views loaded: ``outputs`` streams the outputs'
    specs to compare, and ``named`` reads the readers a save touches.
    """

    db: sqlite3.Connection
    gid: int
    facts: dict[str, str]  # key -> identity
    readers: dict[str, tuple[int, str]]  # name -> (id, spec) of every reader but those UNLOADED_READERS names
    kinds: tuple[str, ...] | None = None  # the fact kinds ("e|", ...) loaded whole; None: every fact is in facts

    def holds(self, key: str) -> bool:
        """Whether the facts of ``key``'s kind (or under a prefix of that kind) were loaded into ``facts``."""
        return self.kinds is None or key.startswith(self.kinds)

    def under(self, prefix: str) -> dict[str, str]:
        """The recorded facts whose keys start with ``prefix``; kept in ``facts`` too."""
        if self.holds(prefix):
            return {key: found for key, found in self.facts.items() if key.startswith(prefix)}
        try:
            found = dict(_facts_under(self.db, self.gid, prefix))
        except sqlite3.Error as exc:
            raise Unreadable(str(exc)) from exc
        self.facts.update(found)
        return found

    def each(self, prefix: str) -> Iterator[tuple[str, str]]:
        """The recorded facts whose keys start with ``prefix``, as ``under`` finds them, but streamed and not kept
        when their kind is not loaded: a build compares every file's entity fact once and needs none of them after."""
        if self.holds(prefix):
            yield from [(key, found) for key, found in self.facts.items() if key.startswith(prefix)]
            return
        try:
            yield from _facts_under(self.db, self.gid, prefix)
        except sqlite3.Error as exc:
            raise Unreadable(str(exc)) from exc

    def identities(self, keys: Collection[str]) -> dict[str, str]:
        """The recorded identity of each of ``keys`` that is recorded: those of a kind not loaded are looked up."""
        found = {key: self.facts[key] for key in keys if self.holds(key) and key in self.facts}
        wanted = [key for key in keys if not self.holds(key)]
        try:
            for chunk, marks in in_chunks(wanted):
                query = f"SELECT key, identity FROM facts WHERE gid=? AND key IN ({marks})"
                found.update(self.db.execute(query, (self.gid, *chunk)))
        except sqlite3.Error as exc:
            raise Unreadable(str(exc)) from exc
        return found

    def outputs(self) -> Iterator[tuple[str, str]]:
        """Each recorded output's path and spec, streamed in path order: a build compares every output's once,
        and holds none of them after."""
        end = _after(OUTPUT_READERS)
        query = "SELECT name, spec FROM readers WHERE gid=? AND name>=? AND name<? ORDER BY name"
        try:
            for name, spec in self.db.execute(query, (self.gid, OUTPUT_READERS, end)):
                yield name[len(OUTPUT_READERS) :], spec
        except sqlite3.Error as exc:
            raise Unreadable(str(exc)) from exc

    def readers_of(self, keys: Iterable[str]) -> set[str]:
        """The readers that read any of ``keys``."""
        wanted = list(keys)
        found: set[str] = set()
        for chunk, marks in in_chunks(wanted):
            query = (
                "SELECT name FROM readers WHERE gid=? AND id IN (SELECT reader FROM reads WHERE gid=? AND fact IN"
                f" (SELECT id FROM facts WHERE gid=? AND key IN ({marks})))"
            )
            try:
                rows = self.db.execute(query, (self.gid, self.gid, self.gid, *chunk)).fetchall()
            except sqlite3.Error as exc:
                raise Unreadable(str(exc)) from exc
            found.update(row[0] for row in rows)
        return found

    def named(self, names: Collection[str]) -> dict[str, tuple[int, str, str]]:
        """Each of ``names`` that is recorded, with its id, spec and the digest of what it read (``reads_digest``).

        Read when a save asks, not loaded: a save compares the few readers an edit makes again.
        """
        query = "SELECT id, name, spec, reads FROM readers WHERE gid=?"
        if len(names) > _FEW_NAMED:
            wanted = set(names)
            return {n: (i, spec, digest) for i, n, spec, digest in self.db.execute(query, (self.gid,)) if n in wanted}
        listed = list(names)
        found: dict[str, tuple[int, str, str]] = {}
        for chunk, marks in in_chunks(listed):
            rows = self.db.execute(f"{query} AND name IN ({marks})", (self.gid, *chunk))
            found.update((n, (i, spec, digest)) for i, n, spec, digest in rows)
        return found


class Unreadable(Exception):
    """The record could not be read as a build compared it: the build must not trust it."""


@dataclass
class Learnt:
    """What a build learnt about reads, to record with its commit.

    ``readers`` holds each reader made again (its spec and reads: each fact with its identity,
    or the facts alone when ``identities`` has theirs); ``gone`` the readers no longer there.
    A graph started afresh (``fresh``) replaces the recorded one whole. The save adds to
    ``identities`` those of the readers given with theirs: a copy would be millions of entries.
    """

    key: str
    fresh: bool
    readers: dict[str, tuple[str, Mapping[str, str] | tuple[str, ...]]] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)
    loaded: Recorded | None = None  # the graph the build started from: its ids spare reading them again
    identities: dict[str, str] = field(default_factory=dict)  # what the facts of readers given alone read
    spill: Spill | None = None  # readers written to disk already, to record with those above (fresh only)
    changed: set[str] = field(default_factory=set)  # the recorded facts the build found read differently now
    streamed: tuple[str, ...] = ()  # the fact kinds it compared whole without loading: only those changed differ
    updated: dict[str, str] = field(default_factory=dict)  # facts of readers not given that read differently now


def create(db: sqlite3.Connection) -> None:
    for statement in TABLES:
        db.execute(statement)


def load(db: sqlite3.Connection, folder: str, key: str, kinds: tuple[str, ...] | None = None) -> Recorded | None:
    """The folder's graph if it was recorded under ``key`` (Byline's code, settings, options); else None.

    ``kinds`` (fact key starts, such as ``"e|"``) limits the facts read now to those kinds.
    """
    row = db.execute("SELECT gid, key FROM graphs WHERE folder=?", (folder,)).fetchone()
    if row is None or row[1] != _stored_key(folder, key):
        return None
    gid = row[0]
    if kinds is None:
        facts = dict(db.execute("SELECT key, identity FROM facts WHERE gid=?", (gid,)))
    else:
        facts = {}
        for kind in kinds:
            facts.update(_facts_under(db, gid, kind))
    readers: dict[str, tuple[int, str]] = {}
    specs: dict[str, str] = {}  # a few templates and kinds: one string each, not one per reader
    query = "SELECT id, name, spec FROM readers WHERE gid=? AND (name<? OR (name>=? AND name<?) OR name>=?)"
    outputs, views = OUTPUT_READERS, VIEW_READERS  # the ranges between and around them, in name order
    for i, name, spec in db.execute(query, (gid, outputs, _after(outputs), views, _after(views))):
        readers[name] = (i, specs.setdefault(spec, spec))
    return Recorded(db, gid, facts, readers, kinds)


def _facts_under(db: sqlite3.Connection, gid: int, prefix: str) -> sqlite3.Cursor:
    """(key, identity) of the facts whose keys start with ``prefix``: a range of the key index."""
    return db.execute("SELECT key, identity FROM facts WHERE gid=? AND key>=? AND key<?", (gid, prefix, _after(prefix)))


def _after(prefix: str) -> str:
    """The least string above every string that starts with ``prefix``: the end of its range in an index."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def save(db: sqlite3.Connection, folder: str, learnt: Learnt) -> Recorded | None:
    """Record what a build learnt; call inside the commit's transaction.

    When the save started from the graph the build loaded (``learnt.loaded``), that graph is brought
    up to date in place and returned, as ``load`` with its kinds would find it now; else None.
    """
    row = db.execute("SELECT gid, key FROM graphs WHERE folder=?", (folder,)).fetchone()
    key = _stored_key(folder, learnt.key)
    started = learnt.fresh or row is None or row[1] != key
    if started:
        db.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")  # millions of reads rows go into two B-trees at once
        if row is not None:
            drop(db, row[0])
        gid = (db.execute("SELECT coalesce(max(gid), 0) + 1 FROM graphs").fetchone() or (1,))[0]
        drop(db, gid)  # rows a damaged record left under this id without their graph
        db.execute("INSERT OR REPLACE INTO graphs VALUES (?, ?, ?)", (folder, gid, key))
        _save_whole(db, gid, learnt)
        return None
    gid = row[0]
    loaded = learnt.loaded if learnt.loaded is not None and learnt.loaded.gid == gid else None
    if loaded is not None:  # only the readers this save touches: an edit's record holds half a million
        current = loaded.named(learnt.gone | learnt.readers.keys())
    else:
        listed = db.execute("SELECT id, name, spec, reads FROM readers WHERE gid=?", (gid,))
        current = {n: (i, spec, digest) for i, n, spec, digest in listed}
    made = {name: (spec, reads, reads_digest(reads)) for name, (spec, reads) in learnt.readers.items()}
    kept = {
        name for name, (spec, _, digest) in made.items() if current.get(name, (0, None, None))[1:] == (spec, digest)
    }
    readers = {n: i for n, (i, _, _) in current.items()}
    remade = [readers[name] for name in (learnt.gone | (made.keys() - kept)) if name in readers]
    unread = _drop_reads(db, gid, remade)
    db.executemany(
        "DELETE FROM readers WHERE gid=? AND id=?", [(gid, readers.pop(n)) for n in learnt.gone if n in readers]
    )
    highest = (db.execute("SELECT coalesce(max(id), 0) FROM readers WHERE gid=?", (gid,)).fetchone() or (0,))[0]
    identities = learnt.identities  # completed in place, not copied (see Learnt)
    identities.update(learnt.updated)
    for _, reads in learnt.readers.values():
        if isinstance(reads, Mapping):
            identities.update(reads)
    remade_reads = [(name, reads) for name, (_, reads, _) in made.items() if name not in kept]
    wanted = _wanted(identities, loaded, remade_reads, learnt)
    recorded = (db.execute("SELECT coalesce(max(id), 0) FROM facts WHERE gid=?", (gid,)).fetchone() or (0,))[0]
    rows = _fact_rows(db, gid, wanted.keys(), recorded)
    known = [
        (identity, gid, row[0])
        for fact, identity in wanted.items()
        if (row := rows.get(fact)) is not None and row[1] != identity
    ]
    facts = {fact: row[0] for fact, row in rows.items()}
    db.executemany("UPDATE facts SET identity=? WHERE gid=? AND id=?", known)
    db.executemany("INSERT INTO facts VALUES (?, ?, ?, ?)", _new_facts(gid, wanted, facts, recorded))
    next_reader = highest + 1
    for name, (spec, _, digest) in made.items():
        reader = readers.get(name)
        if name in kept:
            continue  # the same spec, the same facts: its rows stand (their identities are updated above)
        if reader is None:
            reader = readers[name] = next_reader
            next_reader += 1
            db.execute("INSERT INTO readers VALUES (?, ?, ?, ?, ?)", (gid, reader, name, spec, digest))
        else:
            db.execute("UPDATE readers SET spec=?, reads=? WHERE gid=? AND id=?", (spec, digest, gid, reader))
    reads_rows = ((gid, facts[fact], readers[name]) for name, reads in remade_reads for fact in reads)
    db.executemany("INSERT OR IGNORE INTO reads VALUES (?, ?, ?)", reads_rows)  # streamed: a template edit makes all
    dropped: set[str] = set()
    if unread:  # those no remade reader reads again, and then only if no other reader reads them either
        unread.difference_update(facts[fact] for _, reads in remade_reads for fact in reads)
        named = _keys_of(db, gid, unread) if loaded is not None else {}
        db.executemany(
            "DELETE FROM facts WHERE gid=? AND id=? AND NOT EXISTS (SELECT 1 FROM reads WHERE gid=? AND fact=?)",
            [(gid, fact, gid, fact) for fact in unread],
        )
        dropped = set(named.values()) - set(_keys_of(db, gid, named).values())
    if loaded is None:
        return None
    _bring_up_to_date(loaded, readers, made, learnt.gone, wanted, dropped)
    return loaded


def _save_whole(db: sqlite3.Connection, gid: int, learnt: Learnt) -> None:
    """Write graph ``gid`` whole: the readers spilled during the build, then those ``learnt`` holds in memory."""
    spill = learnt.spill if learnt.spill is not None else Spill(db)
    identities = learnt.identities
    spill.add(
        (name, spec, reads if isinstance(reads, Mapping) else {fact: identities[fact] for fact in reads})
        for name, (spec, reads) in learnt.readers.items()
    )
    spill.copy(gid)


def _bring_up_to_date(
    loaded: Recorded,
    readers: Mapping[str, int],
    made: Mapping[str, tuple[str, object, str]],
    gone: Collection[str],
    written: Mapping[str, str],
    dropped: Collection[str],
) -> None:
    """Make the graph a build loaded, in place, what ``load`` with its kinds would find after the save:
    the readers made (with their ids in ``readers``) and gone, the identities written and the facts dropped."""
    for name in gone:
        loaded.readers.pop(name, None)
    for name, (spec, _, _) in made.items():
        if not name.startswith(UNLOADED_READERS):
            loaded.readers[name] = (readers[name], spec)
    facts = loaded.facts
    for key in [key for key in facts if not loaded.holds(key)]:  # read by their start (``under``): not a load's
        del facts[key]
    facts.update((key, found) for key, found in written.items() if loaded.holds(key))
    for key in dropped:
        facts.pop(key, None)


def _keys_of(db: sqlite3.Connection, gid: int, ids: Collection[int]) -> dict[int, str]:
    """The key of each fact among ``ids`` that is recorded."""
    wanted = list(ids)
    found: dict[int, str] = {}
    for chunk, marks in in_chunks(wanted):
        found.update(db.execute(f"SELECT id, key FROM facts WHERE gid=? AND id IN ({marks})", (gid, *chunk)))
    return found


def _wanted(
    identities: dict[str, str],
    loaded: Recorded | None,
    remade: list[tuple[str, Mapping[str, str] | tuple[str, ...]]],
    learnt: Learnt,
) -> Mapping[str, str]:
    """The facts whose rows the save must look up: those read by a reader made again (their reads rows are
    written anew), and those that read differently now. The rest are rows as they stand: an edit's save
    does not look up every file's entity fact, read by the record of inputs.

    A fact reads differently if its identity is not the one the build loaded; of a kind the build
    compared streamed (``learnt.streamed``), if the build found it ``changed``; of another kind, if
    it may have (a view): looked up.
    """
    if loaded is None or len(remade) > _FEW_READERS:
        return identities
    same, streamed, changed = loaded.facts, learnt.streamed, learnt.changed
    read = {fact for _, reads in remade for fact in reads}

    def differs(fact: str, identity: str) -> bool:
        if loaded.holds(fact):
            return same.get(fact) != identity
        return fact in changed if fact.startswith(streamed) else True

    return {fact: identity for fact, identity in identities.items() if fact in read or differs(fact, identity)}


def _new_facts(
    gid: int, identities: Mapping[str, str], facts: dict[str, int], recorded: int
) -> Iterator[tuple[int, int, str, str]]:
    """Rows for the facts ``facts`` lacks, numbered on from ``recorded`` and added to ``facts`` as they are yielded.

    Streamed to sqlite, not listed: a template edit's record reads every page's facts.
    """
    numbers = itertools.count(recorded + 1)
    for fact, identity in identities.items():
        if fact not in facts:
            facts[fact] = number = next(numbers)
            yield (gid, number, fact, identity)


def _drop_reads(db: sqlite3.Connection, gid: int, readers: list[int]) -> set[int]:
    """Delete the reads of ``readers``; return the facts they read, which the save drops if no reader reads them now."""
    facts: set[int] = set()
    for chunk, marks in in_chunks(readers):
        facts.update(
            row[0] for row in db.execute(f"SELECT fact FROM reads WHERE gid=? AND reader IN ({marks})", (gid, *chunk))
        )
        db.execute(f"DELETE FROM reads WHERE gid=? AND reader IN ({marks})", (gid, *chunk))
    return facts


def _fact_rows(db: sqlite3.Connection, gid: int, keys: Collection[str], recorded: int) -> dict[str, tuple[int, str]]:
    """The row id and identity of the facts among ``keys`` of the ``recorded`` (ids 1 to it): looked up by key for a
    few, read whole for many."""
    if len(keys) > _FEW_FACTS * recorded:
        everything = db.execute("SELECT key, id, identity FROM facts WHERE gid=?", (gid,))
        return {k: (i, identity) for k, i, identity in everything if k in keys}
    wanted = list(keys)
    found: dict[str, tuple[int, str]] = {}
    for chunk, marks in in_chunks(wanted):
        query = f"SELECT key, id, identity FROM facts WHERE gid=? AND key IN ({marks})"
        found.update((k, (i, identity)) for k, i, identity in db.execute(query, (gid, *chunk)))
    return found


def copy(db: sqlite3.Connection, source: str, target: str) -> None:
    """Give ``target`` (a copy of the output in ``source``) the graph of ``source``; call inside a transaction."""
    old = db.execute("SELECT gid FROM graphs WHERE folder=?", (target,)).fetchone()
    if old is not None:
        drop(db, old[0])
    row = db.execute("SELECT gid, key FROM graphs WHERE folder=?", (source,)).fetchone()
    if row is None or not row[1].startswith(_stored_key(source, "")):
        return
    gid = (db.execute("SELECT coalesce(max(gid), 0) + 1 FROM graphs").fetchone() or (1,))[0]
    key = _stored_key(target, row[1].removeprefix(_stored_key(source, "")))
    db.execute("INSERT INTO graphs VALUES (?, ?, ?)", (target, gid, key))
    for table, columns in (
        ("facts", "id, key, identity"),
        ("readers", "id, name, spec, reads"),
        ("reads", "fact, reader"),
    ):
        db.execute(f"INSERT INTO {table} SELECT ?, {columns} FROM {table} WHERE gid=?", (gid, row[0]))


def _stored_key(folder: str, key: str) -> str:
    """The key a graph is stored under: its format's version and its folder too, so another folder's is never taken."""
    return f"{GRAPH_VERSION}|{folder}|{key}"


def drop(db: sqlite3.Connection, gid: int) -> None:
    for table in ("reads", "readers", "facts"):
        db.execute(f"DELETE FROM {table} WHERE gid=?", (gid,))
    db.execute("DELETE FROM graphs WHERE gid=?", (gid,))


def forget(db: sqlite3.Connection, folder: str, outputs: set[str] | None) -> None:
    """Forget what the given outputs read (all of the folder's graph when None): they will be made again."""
    row = db.execute("SELECT gid FROM graphs WHERE folder=?", (folder,)).fetchone()
    if row is None:
        return
    if outputs is None:
        drop(db, row[0])
        return
    names = [f"o:{path}" for path in outputs]
    for chunk, marks in in_chunks(names):
        ids = [r[0] for r in db.execute(f"SELECT id FROM readers WHERE gid=? AND name IN ({marks})", (row[0], *chunk))]
        db.executemany("DELETE FROM reads WHERE gid=? AND reader=?", [(row[0], i) for i in ids])
        db.executemany("DELETE FROM readers WHERE gid=? AND id=?", [(row[0], i) for i in ids])
