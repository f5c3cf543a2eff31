"""byline.state.spill: a record of reads written whole goes to disk as the build renders, and the commit copies it."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path

import pytest

from byline import pipeline
from byline.state import graph
from byline.state.cache import Cache
from byline.state.graph import Learnt
from byline.state.spill import Spill
from byline.state.workspace import Workspace
from tests.conftest import MakeSite
from tests.helpers import article, build_site
from tests.unit.test_graph import FIRST, FOLDER, KEY, database
from tests.unit.test_plan import many_articles

Readers = Mapping[str, tuple[str, Mapping[str, str]]]


def whole(db: sqlite3.Connection, folder: str = FOLDER) -> tuple[set[tuple[str, ...]], ...]:
    """A folder's graph as sets of rows, ids left out: facts, readers, and reads by key and name."""
    row = db.execute("SELECT gid FROM graphs WHERE folder=?", (folder,)).fetchone()
    assert row is not None
    gid = row[0]
    facts = set(db.execute("SELECT key, identity FROM facts WHERE gid=?", (gid,)))
    readers = set(db.execute("SELECT name, spec, reads FROM readers WHERE gid=?", (gid,)))
    reads = set(
        db.execute(
            "SELECT f.key, r.name FROM reads JOIN facts f ON f.gid=reads.gid AND f.id=reads.fact"
            " JOIN readers r ON r.gid=reads.gid AND r.id=reads.reader WHERE reads.gid=?",
            (gid,),
        )
    )
    assert db.execute("SELECT count(*) FROM reads WHERE gid=?", (gid,)).fetchone()[0] == len(reads)  # none orphaned
    return facts, readers, reads


def saved_from_memory(readers: Readers) -> tuple[set[tuple[str, ...]], ...]:
    db = database()
    graph.save(db, FOLDER, Learnt(KEY, True, dict(readers)))
    return whole(db)


def saved_spilled(*batches: Readers, last: Readers | None = None) -> tuple[set[tuple[str, ...]], ...]:
    """Spill each batch as a build's chunks are, then save with ``last`` in memory."""
    db = database()
    spill = Spill(db)
    for batch in batches:
        spill.add((name, spec, reads) for name, (spec, reads) in batch.items())
    with db:
        graph.save(db, FOLDER, Learnt(KEY, True, dict(last or {}), spill=spill))
    return whole(db)


def test_a_record_spilled_in_chunks_is_saved_as_the_same_record_from_memory() -> None:
    names = list(FIRST)
    chunks = [{n: FIRST[n] for n in names[:2]}, {n: FIRST[n] for n in names[2:4]}]
    assert saved_spilled(*chunks, last={names[4]: FIRST[names[4]]}) == saved_from_memory(FIRST)


def test_a_reader_spilled_twice_is_recorded_once_with_its_reads() -> None:
    """Two workers may each make one shared view: it reads the same facts in both."""
    view = {"v|card|a": FIRST["v|card|a"]}
    assert saved_spilled(FIRST, view) == saved_from_memory(FIRST)


def test_a_fact_keeps_the_identity_it_was_last_given() -> None:
    later = {"o:c/index.html": ("article.html|article", {"t|article.html": "t9"})}
    facts, _, _ = saved_spilled(FIRST, later)
    assert ("t|article.html", "t9") in facts and ("t|article.html", "t2") not in facts


def test_readers_given_with_their_facts_alone_are_spilled_with_the_identities_learnt() -> None:
    db = database()
    step = Learnt(KEY, True, {name: (spec, tuple(reads)) for name, (spec, reads) in FIRST.items()})
    step.identities = {fact: found for _, reads in FIRST.values() for fact, found in reads.items()}
    graph.save(db, FOLDER, step)
    assert whole(db) == saved_from_memory(FIRST)


def test_a_graph_written_whole_replaces_the_rows_a_lost_graph_left_under_its_id() -> None:
    db = database()
    graph.save(db, FOLDER, Learnt(KEY, True, dict(FIRST)))
    db.execute("DELETE FROM graphs")  # its rows stay: the next graph written is given their id
    other = {"o:c/index.html": ("article.html|article", {"e|c": "kc", "e|a": "ka"})}
    graph.save(db, FOLDER, Learnt(KEY, True, dict(other)))
    assert whole(db) == saved_from_memory(other)


def test_the_spill_is_a_file_even_where_temporary_tables_default_to_memory() -> None:
    db = database()
    db.execute("PRAGMA temp_store=MEMORY")
    Spill(db)
    assert db.execute("PRAGMA temp_store").fetchone()[0] == 1


def test_another_writes_rollback_does_not_take_back_what_was_spilled() -> None:
    db = database()
    spill = Spill(db)
    spill.add((name, spec, reads) for name, (spec, reads) in FIRST.items())
    with pytest.raises(sqlite3.IntegrityError), db:
        db.execute("INSERT INTO graphs VALUES ('/x', 1, 'k')")
        db.execute("INSERT INTO graphs VALUES ('/x', 2, 'k')")  # the folder again: the transaction rolls back
    with db:
        graph.save(db, FOLDER, Learnt(KEY, True, spill=spill))
    assert whole(db) == saved_from_memory(FIRST)


def test_a_spill_that_could_not_be_written_records_no_graph_and_no_commit(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache.sqlite3")
    assert cache.db is not None
    spill = cache.spill()
    assert spill is not None
    cache.db.execute("DROP TABLE temp.spill_reads")  # the next write fails, as on a full disk
    spill.add((name, spec, reads) for name, (spec, reads) in FIRST.items())
    assert spill.broken
    folder = tmp_path / "public"
    learnt = Learnt(KEY, True, spill=spill)
    assert cache.record(folder, "marker-1", {"index.html": "f:1"}, None, [], learnt) is None
    assert cache.get_fingerprints(folder, "marker-1") is None
    assert cache.get_graph(folder, "marker-1", KEY) is None
    cache.close()


def test_a_read_only_cache_gives_no_spill(tmp_path: Path) -> None:
    Cache(tmp_path / "cache.sqlite3").close()
    assert Cache(tmp_path / "cache.sqlite3", read_only=True).spill() is None
    assert Cache(tmp_path / "cache.sqlite3", enabled=False).spill() is None


def graph_of(output: Path, root: Path) -> tuple[set[tuple[str, ...]], ...]:
    db = sqlite3.connect(Workspace(root, output).cache_dir / "cache.sqlite3")
    try:
        return whole(db, str(output.resolve()))
    finally:
        db.close()


def test_a_cold_build_in_workers_spills_each_chunk_and_records_what_a_save_from_memory_does(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_MIN", 10)
    monkeypatch.setattr(pipeline, "SPILLED_CHUNK", 4)
    root = make_site(many_articles(12))
    added: list[int] = []
    real = Spill.add

    def add(self: Spill, readers: object) -> None:
        given = list(readers)  # type: ignore[call-overload]
        added.append(len(given))
        real(self, given)

    monkeypatch.setattr(Spill, "add", add)
    spilled = build_site(root, tmp_path / "spilled", jobs=2)
    chunks = len(added)
    assert spilled.rendered > 10 and chunks > 2 * -(-spilled.rendered // 4)  # outputs and views, chunk by chunk
    monkeypatch.setattr(Cache, "spill", lambda self: None)  # the record held in memory to the commit
    added.clear()
    held = build_site(root, tmp_path / "held", jobs=2)
    assert len(added) == 1  # the save spilled it all at once
    assert held.made == spilled.made
    ours = graph_of(spilled.output, root)
    assert ours[1] and ours[2]
    assert ours == graph_of(held.output, root)


def test_chunks_hold_at_most_what_the_caller_allows() -> None:
    from byline.parallel import fork_imap

    seen = list(fork_imap(lambda chunk: len(chunk), 50, 2, most=7))
    assert sum(seen) == 50 and max(seen) <= 7
    assert max(fork_imap(lambda chunk: len(chunk), 50, 1, in_process_chunk=7, most=7)) == 7


def test_an_edit_compared_with_the_last_record_keeps_its_record_in_memory(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit's record is small, and the save compares it with the last one reader by reader."""
    root = make_site(many_articles(3))
    first = build_site(root)
    asked: list[Cache] = []
    real = Cache.spill
    monkeypatch.setattr(Cache, "spill", lambda self: asked.append(self) or real(self))
    build_site(root, first.output, clean=True)
    assert len(asked) == 1
    (root / "content" / "articles" / "extra.md").write_text(article("Story extra", "2026-01-02 09:00"))
    build_site(root, first.output)
    assert len(asked) == 1
