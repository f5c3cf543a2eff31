"""A record of reads written whole, gathered in the cache connection's temporary tables as a build renders.

A cold build's record is millions of reads: held in memory to the commit it was the build's peak.
Here each chunk of readers goes to disk as it arrives, and the commit copies it in SQL
(docs/design.md, "The record of reads spilled to disk").
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Mapping

from byline.state.sql import in_chunks

_TABLES = (
    "CREATE TEMP TABLE spill_facts (id INTEGER PRIMARY KEY, key TEXT UNIQUE, identity TEXT)",
    "CREATE TEMP TABLE spill_readers (id INTEGER PRIMARY KEY, name TEXT UNIQUE, spec TEXT, digest TEXT)",
    "CREATE TEMP TABLE spill_reads (reader INTEGER, fact INTEGER)",
)


def reads_digest(reads: Iterable[str]) -> str:
    """The facts a reader read, as one digest: a reader made again that read the same facts keeps its rows."""
    joined = "\x00".join(sorted(reads)).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(joined, digest_size=16).hexdigest()


class Spill:
    """Readers, each with the facts it read and their identities, kept on disk until the commit copies them.

    Private to one connection and gone when it closes, so a failed or killed build leaves nothing.
    A reader added twice (two workers made one shared view) keeps its first reads: both read the same.
    A fact keeps the identity it was last added with, as a save from memory would. Should a write
    fail (a full disk), the spill is ``broken`` and its copy fails, so no partial graph is recorded.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        if db.execute("PRAGMA temp_store").fetchone()[0] != 1:
            db.execute("PRAGMA temp_store=FILE")  # a file in SQLITE_TMPDIR, TMPDIR or /var/tmp: never memory
        for table in ("spill_reads", "spill_readers", "spill_facts"):
            db.execute(f"DROP TABLE IF EXISTS temp.{table}")
        for statement in _TABLES:
            db.execute(statement)
        self.readers = 0  # the last reader id given
        self.broken = False

    def add(self, readers: Iterable[tuple[str, str, Mapping[str, str]]]) -> None:
        """Write ``readers``, each as (name, spec, reads): every fact it read with its identity."""
        if self.broken:
            return
        outside = not self.db.in_transaction  # a build rendering, not a commit saving: settle each chunk
        try:
            self._add(list(readers))
            if outside:
                self.db.commit()  # what another write's rollback on this connection must not take back
        except sqlite3.Error:
            self.broken = True

    def _add(self, given: list[tuple[str, str, Mapping[str, str]]]) -> None:
        first = self.readers + 1
        rows = [(first + n, name, spec, reads_digest(reads)) for n, (name, spec, reads) in enumerate(given)]
        self.readers += len(given)
        self.db.executemany("INSERT OR IGNORE INTO temp.spill_readers VALUES (?, ?, ?, ?)", rows)
        taken = {row[0] for row in self.db.execute("SELECT id FROM temp.spill_readers WHERE id>=?", (first,))}
        added = [(first + n, reads) for n, (_, _, reads) in enumerate(given) if first + n in taken]
        facts: dict[str, str] = {}
        for _, reads in added:
            facts.update(reads)
        self.db.executemany(
            "INSERT INTO temp.spill_facts (key, identity) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET identity=excluded.identity WHERE identity IS NOT excluded.identity",
            sorted(facts.items()),  # in key order: each insert lands beside the last in the key's index
        )
        ids = self._ids(list(facts))
        del facts
        self.db.executemany(
            "INSERT INTO temp.spill_reads VALUES (?, ?)",
            ((reader, ids[key]) for reader, reads in added for key in reads),
        )

    def _ids(self, keys: list[str]) -> dict[str, int]:
        """The row id of each fact among ``keys``, all of them added already."""
        found: dict[str, int] = {}
        for chunk, marks in in_chunks(keys):
            found.update(self.db.execute(f"SELECT key, id FROM temp.spill_facts WHERE key IN ({marks})", chunk))
        return found

    def copy(self, gid: int) -> None:
        """Write everything added as graph ``gid``'s facts, readers and reads, then drop the temporary tables."""
        if self.broken:
            raise sqlite3.OperationalError("the record of reads could not be written whole")
        db = self.db
        db.execute("INSERT INTO facts SELECT ?, id, key, identity FROM temp.spill_facts", (gid,))
        db.execute("INSERT INTO readers SELECT ?, id, name, spec, digest FROM temp.spill_readers", (gid,))
        db.execute("INSERT OR IGNORE INTO reads SELECT ?, fact, reader FROM temp.spill_reads", (gid,))
        for table in ("spill_reads", "spill_readers", "spill_facts"):
            db.execute(f"DROP TABLE temp.{table}")
