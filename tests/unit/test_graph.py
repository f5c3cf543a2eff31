"""byline.state.graph: the record of reads, saved with a commit and loaded by the next build into the same folder."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path

import pytest

from byline.state import graph
from byline.state.graph import Learnt, Recorded

FOLDER = "/site/public"
OTHER = "/site/preview"
KEY = "key-1"


def database() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    graph.create(db)
    return db


def learnt(
    readers: Mapping[str, tuple[str, Mapping[str, str]]],
    fresh: bool = False,
    gone: set[str] | None = None,
    loaded: Recorded | None = None,
    key: str = KEY,
) -> Learnt:
    return Learnt(key, fresh, dict(readers), gone or set(), loaded)


FIRST = {
    "o:index.html": ("index.html|page", {"t|index.html": "t1", "s|articles|0|20": "a\x1fb", "v|card|a": "c1"}),
    "o:a/index.html": ("article.html|article", {"t|article.html": "t2", "e|a": "ka", "v|card|b": "c2"}),
    "o:b/index.html": ("article.html|article", {"t|article.html": "t2", "e|b": "kb", "v|card|a": "c1"}),
    "v|card|a": ("view", {"e|a": "ka", "m|url_of|a": "/a/"}),
    "v|card|b": ("view", {"e|b": "kb", "m|url_of|b": "/b/"}),
}


def saved(db: sqlite3.Connection, *steps: Learnt, folder: str = FOLDER) -> Recorded:
    """Save each step as a commit would, then load what the last left."""
    for step in steps:
        graph.save(db, folder, step)
    found = graph.load(db, folder, KEY)
    assert found is not None
    return found


def identities(recorded: Recorded) -> dict[str, str]:
    return dict(recorded.facts)


def names(recorded: Recorded) -> dict[str, int]:
    """Every reader's name and id, as the database holds them (the views' readers are not loaded)."""
    return dict(recorded.db.execute("SELECT name, id FROM readers WHERE gid=?", (recorded.gid,)))


def reads_of(recorded: Recorded) -> dict[str, set[str]]:
    """Each reader's facts, as the database holds them."""
    facts = dict(recorded.db.execute("SELECT id, key FROM facts WHERE gid=?", (recorded.gid,)))
    readers = {i: name for name, i in names(recorded).items()}
    found: dict[str, set[str]] = {name: set() for name in readers.values()}
    for fact, reader in recorded.db.execute("SELECT fact, reader FROM reads WHERE gid=?", (recorded.gid,)):
        found[readers[reader]].add(facts[fact])
    return found


def tables(db: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every graph table's rows, ordered: two databases with the same record compare equal."""
    return {
        name: sorted(db.execute(f"SELECT * FROM {name}").fetchall()) for name in ("graphs", "facts", "readers", "reads")
    }


def test_a_saved_graph_loads_as_it_was_saved() -> None:
    recorded = saved(database(), learnt(FIRST, fresh=True))
    assert {name: spec for name, (_, spec, _) in recorded.named(FIRST).items()} == {n: s for n, (s, _) in FIRST.items()}
    expected = {key: identity for _, reads in FIRST.values() for key, identity in reads.items()}
    assert identities(recorded) == expected
    assert reads_of(recorded) == {name: set(reads) for name, (_, reads) in FIRST.items()}


def test_readers_of_one_template_share_one_spec_string_when_loaded() -> None:
    """Half a million readers name a few specs: one string each, not one per reader."""
    recorded = saved(database(), learnt({name: ("shard", {}) for name in ("s:2025", "s:2026", "d:inputs")}, fresh=True))
    specs = list(recorded.readers.values())
    assert len(specs) == 3 and specs[0][1] is specs[1][1] is specs[2][1]


def specs(recorded: Recorded) -> dict[str, str]:
    """Every reader's spec, as the database holds them (those of outputs and views are not loaded)."""
    return dict(recorded.db.execute("SELECT name, spec FROM readers WHERE gid=?", (recorded.gid,)))


def test_readers_of_finds_every_reader_of_any_fact_asked_for() -> None:
    recorded = saved(database(), learnt(FIRST, fresh=True))
    assert recorded.readers_of(["v|card|a"]) == {"o:index.html", "o:b/index.html"}
    assert recorded.readers_of(["e|a", "e|b"]) == {"o:a/index.html", "o:b/index.html", "v|card|a", "v|card|b"}
    assert recorded.readers_of(["e|unknown"]) == set()


def test_readers_of_asks_in_chunks_sqlite_can_take() -> None:
    many = {f"o:{n}.html": ("page.html|page", {f"e|{n}": "k"}) for n in range(2_000)}
    recorded = saved(database(), learnt(many, fresh=True))
    assert recorded.readers_of([f"e|{n}" for n in range(2_000)]) == set(many)


def test_an_incremental_save_updates_identities_replaces_a_readers_reads_and_removes_gone_readers() -> None:
    db = database()
    saved(db, learnt(FIRST, fresh=True))
    # a's card changed (a new url), a's page now reads another fact and no longer b's card; b is gone.
    step = learnt(
        {
            "v|card|a": ("view", {"e|a": "ka2", "m|url_of|a": "/a2/"}),
            "o:a/index.html": ("article.html|article", {"t|article.html": "t2", "e|a": "ka2", "m|related|a": "\x00"}),
            "o:index.html": ("index.html|page", {"t|index.html": "t1", "s|articles|0|20": "a", "v|card|a": "c3"}),
        },
        gone={"o:b/index.html", "v|card|b"},
    )
    recorded = saved(db, step)
    assert set(names(recorded)) == {"o:index.html", "o:a/index.html", "v|card|a"}
    assert reads_of(recorded) == {
        "o:index.html": {"t|index.html", "s|articles|0|20", "v|card|a"},
        "o:a/index.html": {"t|article.html", "e|a", "m|related|a"},
        "v|card|a": {"e|a", "m|url_of|a"},
    }
    now = identities(recorded)
    assert (now["e|a"], now["m|url_of|a"], now["v|card|a"], now["s|articles|0|20"]) == ("ka2", "/a2/", "c3", "a")
    assert now["m|related|a"] == "\x00"
    assert now["t|index.html"] == "t1"


def test_an_incremental_save_leaves_readers_not_made_again_as_they_were() -> None:
    db = database()
    before = saved(db, learnt(FIRST, fresh=True))
    after = saved(db, learnt({"v|card|b": ("view", {"e|b": "kb2", "m|url_of|b": "/b/"})}))
    assert reads_of(after) == reads_of(before)
    assert specs(after) == specs(before)
    assert identities(after) == {**identities(before), "e|b": "kb2"}


def test_a_reader_made_again_with_another_template_records_its_new_spec() -> None:
    db = database()
    saved(db, learnt(FIRST, fresh=True))
    recorded = saved(db, learnt({"o:index.html": ("home.html|page", {"t|home.html": "t9"})}))
    assert specs(recorded)["o:index.html"] == "home.html|page"
    assert reads_of(recorded)["o:index.html"] == {"t|home.html"}


def test_a_fresh_save_replaces_the_graph_whole() -> None:
    db = database()
    saved(db, learnt(FIRST, fresh=True))
    recorded = saved(db, learnt({"o:index.html": ("index.html|page", {"t|index.html": "t5"})}, fresh=True))
    assert set(specs(recorded)) == {"o:index.html"}
    assert identities(recorded) == {"t|index.html": "t5"}


STEPS = [
    lambda loaded: learnt(FIRST, fresh=True, loaded=loaded),
    lambda loaded: learnt(
        {
            "v|card|a": ("view", {"e|a": "ka2", "m|url_of|a": "/a2/", "i|/x.jpg": "\x00"}),
            "o:new/index.html": ("page.html|page", {"t|page.html": "t3", "v|card|a": "c9"}),
        },
        gone={"o:b/index.html"},
        loaded=loaded,
    ),
    lambda loaded: learnt({"o:a/index.html": ("article.html|article", {"e|a": "ka3"})}, loaded=loaded),
    lambda loaded: learnt(FIRST, fresh=True, loaded=loaded),  # a full build: the graph started afresh
    lambda loaded: learnt({"o:index.html": ("index.html|page", {"t|index.html": "t4"})}, loaded=loaded),
    lambda loaded: learnt({"d:inputs": ("inputs", {"e|a": "ka", "e|b": "kb"})}, loaded=loaded),
    # the record of inputs reads what it read before: its rows stand, and one identity changes
    lambda loaded: learnt({"d:inputs": ("inputs", {"e|a": "ka6", "e|b": "kb"})}, loaded=loaded),
    # the reader with the highest id goes as another comes: the new one takes the next id after those that stay
    lambda loaded: learnt(
        {"o:c/index.html": ("article.html|article", {"e|c": "kc"})}, gone={"d:inputs"}, loaded=loaded
    ),
]


def as_a_build_compares(step: Learnt, loaded: Recorded | None) -> Learnt:
    """``step`` as a build hands it to the save with its entity facts streamed, not loaded: with the recorded
    ones that read differently in ``changed``, as the build's comparison finds them."""
    if loaded is not None:
        step.streamed = ("e|",)
        now = {fact: found for _, reads in step.readers.values() for fact, found in dict(reads).items()}
        step.changed = {fact for fact, found in loaded.each("e|") if now.get(fact, found) != found}
    return step


@pytest.mark.parametrize("kinds", [None, ("e|", "t|"), ("t|",)])
@pytest.mark.parametrize("others", [False, True])
def test_a_save_reusing_the_loaded_graph_writes_what_a_save_reading_the_database_writes(
    others: bool, kinds: tuple[str, ...] | None
) -> None:
    """``loaded`` spares reading the ids again, and the rows of facts whose identity it holds already: the
    database ends the same, step after step, whichever kinds of facts were loaded whole, and with the
    entity facts not loaded but compared streamed."""
    reusing, reading = database(), database()
    for db in (reusing, reading):
        if others:  # another folder's graph beside it, saved first and last: gids differ from 1
            graph.save(db, OTHER, learnt(FIRST, fresh=True))
    for step in STEPS:
        loaded = graph.load(reusing, FOLDER, KEY, kinds)
        made = step(loaded)
        graph.save(reusing, FOLDER, as_a_build_compares(made, loaded) if kinds == ("t|",) else made)
        graph.save(reading, FOLDER, step(None))
        assert tables(reusing) == tables(reading)


@pytest.mark.parametrize("kinds", [None, ("e|", "t|", "v|")])
def test_a_save_from_the_loaded_graph_returns_the_graph_a_load_then_finds(kinds: tuple[str, ...] | None) -> None:
    """What a builder that stays between builds keeps instead of loading the graph again (docs/design.md)."""
    db = database()
    graph.save(db, OTHER, learnt(FIRST, fresh=True))
    for step in STEPS:
        loaded = graph.load(db, FOLDER, KEY, kinds)
        if loaded is not None:
            loaded.under("m|")  # looked up by their start as a build does, and not kept past its kinds
        kept = graph.save(db, FOLDER, step(loaded))
        now = graph.load(db, FOLDER, KEY, kinds)
        if loaded is None or step(loaded).fresh:
            assert kept is None
            continue
        assert kept is not None and now is not None
        assert (kept.gid, kept.facts, kept.readers, kept.kinds) == (now.gid, now.facts, now.readers, now.kinds)
        assert now.named(names(now)).keys() == names(now).keys()
    assert any(step(None).gone for step in STEPS)  # the steps drop readers, and with them facts


def test_a_graph_saved_under_another_key_is_not_loaded() -> None:
    db = database()
    graph.save(db, FOLDER, learnt(FIRST, fresh=True, key="old-key"))
    assert graph.load(db, FOLDER, KEY) is None
    assert graph.load(db, FOLDER, "old-key") is not None


def test_a_save_under_another_key_starts_the_graph_afresh() -> None:
    db = database()
    graph.save(db, FOLDER, learnt(FIRST, fresh=True, key="old-key"))
    recorded = saved(db, learnt({"o:index.html": ("index.html|page", {"t|index.html": "t5"})}))
    assert identities(recorded) == {"t|index.html": "t5"}
    assert graph.load(db, FOLDER, "old-key") is None


def test_a_graph_of_another_version_is_not_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    db = database()
    graph.save(db, FOLDER, learnt(FIRST, fresh=True))
    monkeypatch.setattr(graph, "GRAPH_VERSION", str(int(graph.GRAPH_VERSION) + 1))
    assert graph.load(db, FOLDER, KEY) is None


def test_a_graph_belongs_to_its_folder() -> None:
    db = database()
    graph.save(db, FOLDER, learnt(FIRST, fresh=True))
    assert graph.load(db, OTHER, KEY) is None
    saved(db, learnt({"o:x.html": ("page.html|page", {"e|x": "kx"})}, fresh=True), folder=OTHER)
    mine = graph.load(db, FOLDER, KEY)
    assert mine is not None and set(names(mine)) == set(FIRST)


def test_another_folders_graph_put_in_place_of_a_folders_own_is_not_loaded() -> None:
    db = database()
    graph.save(db, FOLDER, learnt(FIRST, fresh=True))
    graph.save(db, OTHER, learnt({"o:x.html": ("page.html|page", {"e|x": "kx"})}, fresh=True))
    gid, key = db.execute("SELECT gid, key FROM graphs WHERE folder=?", (OTHER,)).fetchone()
    db.execute("UPDATE graphs SET gid=?, key=? WHERE folder=?", (gid, key, FOLDER))
    assert graph.load(db, FOLDER, KEY) is None


def test_forgetting_outputs_drops_their_reads_and_nothing_else() -> None:
    db = database()
    before = saved(db, learnt(FIRST, fresh=True))
    graph.forget(db, FOLDER, {"index.html", "b/index.html", "not-there.html"})
    after = graph.load(db, FOLDER, KEY)
    assert after is not None
    assert set(names(after)) == {"o:a/index.html", "v|card|a", "v|card|b"}
    assert reads_of(after) == {name: facts for name, facts in reads_of(before).items() if name in names(after)}


def test_forgetting_a_folder_drops_its_graph_only() -> None:
    db = database()
    graph.save(db, FOLDER, learnt(FIRST, fresh=True))
    graph.save(db, OTHER, learnt(FIRST, fresh=True))
    other = tables(db)
    graph.forget(db, FOLDER, None)
    assert graph.load(db, FOLDER, KEY) is None
    kept = graph.load(db, OTHER, KEY)
    assert kept is not None and set(names(kept)) == set(FIRST)
    gid = kept.gid
    assert tables(db) == {
        name: [row for row in rows if (row[1] if name == "graphs" else row[0]) == gid] for name, rows in other.items()
    }
    graph.forget(db, "/no/such/folder", None)  # nothing recorded: nothing to do


def test_a_copied_graph_is_the_targets_own_and_the_source_keeps_its_own() -> None:
    """The preview's primed folder is a copy of another's output: it takes that folder's graph with it."""
    db = database()
    graph.save(db, FOLDER, learnt(FIRST, fresh=True))
    graph.save(db, OTHER, learnt({"o:x.html": ("page.html|page", {"e|x": "kx"})}, fresh=True))
    graph.copy(db, FOLDER, OTHER)
    source, copied = graph.load(db, FOLDER, KEY), graph.load(db, OTHER, KEY)
    assert source is not None and copied is not None and copied.gid != source.gid
    assert identities(copied) == identities(source)
    assert reads_of(copied) == reads_of(source) == {name: set(reads) for name, (_, reads) in FIRST.items()}
    saved(db, learnt({"o:index.html": ("index.html|page", {"t|index.html": "t7"})}), folder=OTHER)
    assert identities(saved(db))["t|index.html"] == "t1"  # the source's graph is its own still


def as_facts_alone(step: Learnt) -> Learnt:
    """The same step as a build hands it over: each reader's facts alone, their identities in one map."""
    alone = Learnt(step.key, step.fresh, gone=set(step.gone), loaded=step.loaded)
    for name, (spec, reads) in step.readers.items():
        assert isinstance(reads, Mapping)
        alone.readers[name] = (spec, tuple(reads))
        alone.identities = {**alone.identities, **reads}
    return alone


def test_readers_given_as_their_facts_alone_are_saved_as_readers_given_with_identities() -> None:
    with_identities, alone = database(), database()
    for step in STEPS:
        graph.save(with_identities, FOLDER, step(graph.load(with_identities, FOLDER, KEY)))
        graph.save(alone, FOLDER, as_facts_alone(step(graph.load(alone, FOLDER, KEY))))
        assert tables(alone) == tables(with_identities)


def test_a_save_finds_fact_ids_by_key_or_by_reading_them_all_to_the_same_end(monkeypatch: pytest.MonkeyPatch) -> None:
    by_key, all_read = database(), database()
    for step in STEPS:
        for db, few in ((by_key, 10**9), (all_read, 0)):
            monkeypatch.setattr(graph, "_FEW_FACTS", few)
            graph.save(db, FOLDER, step(graph.load(db, FOLDER, KEY)))
        assert tables(by_key) == tables(all_read)


def test_a_graph_loaded_by_kinds_holds_those_and_reads_the_rest_by_their_start() -> None:
    db = database()
    saved(db, learnt(FIRST, fresh=True))
    recorded = graph.load(db, FOLDER, KEY, kinds=("e|", "v|"))
    assert recorded is not None
    assert recorded.facts == {"e|a": "ka", "e|b": "kb", "v|card|a": "c1", "v|card|b": "c2"}
    assert recorded.under("m|url_of|") == {"m|url_of|a": "/a/", "m|url_of|b": "/b/"}
    assert recorded.under("s|") == {"s|articles|0|20": "a\x1fb"}
    assert recorded.under("e|a") == {"e|a": "ka"}  # a kind loaded whole: from what is held
    assert recorded.facts["m|url_of|a"] == "/a/"  # what was read is kept


def test_an_edits_save_looks_up_only_the_entity_facts_the_build_found_changed() -> None:
    """The record of inputs reads every file's entity: a save from a graph that streamed them takes the
    build's word on which changed, and neither loads nor looks up the rest."""
    db = database()
    saved(db, learnt({**FIRST, "d:inputs": ("inputs", {"e|a": "ka", "e|b": "kb"})}, fresh=True))
    loaded = graph.load(db, FOLDER, KEY, kinds=("t|",))
    assert loaded is not None
    step = learnt({"d:inputs": ("inputs", {"e|a": "ka2", "e|b": "kb"})}, loaded=loaded)
    step.streamed, step.changed = ("e|",), {"e|a"}
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    graph.save(db, FOLDER, step)
    db.set_trace_callback(None)
    assert any("'e|a'" in sql for sql in statements)
    assert not any("e|b" in sql for sql in statements)
    assert not any(sql.startswith("SELECT key, id, identity FROM facts") and " IN (" not in sql for sql in statements)
    assert identities(saved(db))["e|a"] == "ka2"


def test_identities_updated_for_a_reader_not_given_are_written_and_its_reads_stand() -> None:
    """The record of inputs, when it names the same files, is not given again: only its changed identities."""
    db = database()
    saved(db, learnt({**FIRST, "d:inputs": ("inputs", {"e|a": "ka", "e|b": "kb", "d|url_of": "u1"})}, fresh=True))
    before = reads_of(saved(db))
    loaded = graph.load(db, FOLDER, KEY, kinds=("d|",))
    step = learnt({}, loaded=loaded)
    step.streamed, step.changed, step.updated = ("e|",), {"e|a"}, {"e|a": "ka2", "d|url_of": "u2"}
    kept = graph.save(db, FOLDER, step)
    now = saved(db)
    assert (identities(now)["e|a"], identities(now)["e|b"], identities(now)["d|url_of"]) == ("ka2", "kb", "u2")
    assert reads_of(now) == before
    assert kept is not None and kept.facts == {"d|url_of": "u2"}


def test_a_graph_streams_and_looks_up_the_facts_of_kinds_it_did_not_load_without_keeping_them() -> None:
    db = database()
    saved(db, learnt(FIRST, fresh=True))
    recorded = graph.load(db, FOLDER, KEY, kinds=("t|",))
    assert recorded is not None
    assert list(recorded.each("e|")) == [("e|a", "ka"), ("e|b", "kb")]
    assert list(recorded.each("t|")) == [("t|article.html", "t2"), ("t|index.html", "t1")]
    assert recorded.identities(["v|card|a", "v|card|x", "t|index.html"]) == {"v|card|a": "c1", "t|index.html": "t1"}
    many = [f"v|card|{n}" for n in range(2_000)] + ["v|card|b"]  # past sqlite's bound parameters
    assert recorded.identities(many) == {"v|card|b": "c2"}
    assert set(recorded.facts) == {"t|article.html", "t|index.html"}  # none of them kept


def test_a_graph_that_cannot_be_read_any_more_says_so() -> None:
    db = database()
    saved(db, learnt(FIRST, fresh=True))
    recorded = graph.load(db, FOLDER, KEY, kinds=("e|",))
    assert recorded is not None
    db.close()
    with pytest.raises(graph.Unreadable):
        recorded.under("m|")
    with pytest.raises(graph.Unreadable):
        recorded.readers_of(["e|a"])
    with pytest.raises(graph.Unreadable):
        list(recorded.each("v|"))
    with pytest.raises(graph.Unreadable):
        recorded.identities(["v|card|a"])
    with pytest.raises(graph.Unreadable):
        list(recorded.outputs())


def test_a_reader_made_again_that_read_the_same_facts_keeps_its_rows() -> None:
    """A template edit makes every page again, reading what it read before: only changed identities are written."""
    db = database()
    saved(db, learnt(FIRST, fresh=True))
    before = db.total_changes
    again = {"o:a/index.html": ("article.html|article", {"t|article.html": "t3", "e|a": "ka", "v|card|b": "c2"})}
    recorded = saved(db, learnt(again))
    assert db.total_changes - before == 1  # t|article.html's new identity, and nothing else
    assert identities(recorded)["t|article.html"] == "t3"
    assert reads_of(recorded)["o:a/index.html"] == {"t|article.html", "e|a", "v|card|b"}
    other = {"o:a/index.html": ("article.html|article", {"t|article.html": "t3", "e|a": "ka"})}  # one fact fewer
    assert reads_of(saved(db, learnt(other)))["o:a/index.html"] == {"t|article.html", "e|a"}


def test_a_graph_written_whole_gets_a_big_page_cache_and_an_update_the_default(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    first = sqlite3.connect(path)
    graph.create(first)
    default = first.execute("PRAGMA cache_size").fetchone()[0]
    saved(first, learnt(FIRST, fresh=True))
    assert first.execute("PRAGMA cache_size").fetchone()[0] == -graph.BULK_CACHE_KIB != default
    first.commit()
    first.close()
    later = sqlite3.connect(path)
    recorded = saved(later, learnt({"o:a/index.html": ("article.html|article", {"e|a": "ka2"})}))
    assert later.execute("PRAGMA cache_size").fetchone()[0] == default
    assert identities(recorded)["e|a"] == "ka2"


def test_a_fact_no_reader_reads_any_more_is_dropped_and_one_still_read_is_kept() -> None:
    db = database()
    saved(db, learnt(FIRST, fresh=True))
    # b's page and card are gone, and a's page no longer reads its template or b's card: those, e|b and m|url_of|b
    # are read by nobody now. e|a is read by a's page and a's card, which the index page still reads.
    step = learnt(
        {"o:a/index.html": ("article.html|article", {"e|a": "ka", "m|related|a": "\x00"})},
        gone={"o:b/index.html", "v|card|b"},
    )
    recorded = saved(db, step)
    rows = {key for (key,) in db.execute("SELECT key FROM facts WHERE gid=?", (recorded.gid,))}
    assert rows == {"t|index.html", "s|articles|0|20", "v|card|a", "e|a", "m|related|a", "m|url_of|a"}
    assert set(identities(recorded)) == rows


@pytest.mark.parametrize("loaded", [True, False])
@pytest.mark.parametrize("reader", ["o:a/index.html", "v|card|a"])
def test_a_reader_made_again_reading_the_same_facts_is_left_as_it_stands(loaded: bool, reader: str) -> None:
    """Its digest, read for the save alone, shows it unchanged: an edit's save writes no row for it."""
    db = database()
    graph.save(db, FOLDER, learnt(FIRST, fresh=True))
    start = graph.load(db, FOLDER, KEY) if loaded else None
    before = db.total_changes
    graph.save(db, FOLDER, learnt({reader: FIRST[reader]}, loaded=start))
    assert db.total_changes == before
    spec, reads = FIRST[reader]
    graph.save(db, FOLDER, learnt({reader: (spec, {**reads, "e|a": "ka2"})}, loaded=start))
    assert db.total_changes > before


def test_a_loaded_record_holds_every_reader_but_the_outputs_and_views_which_it_streams_or_reads_by_name() -> None:
    """Outputs and shared views are nearly all an archive's readers: a build streams the outputs' specs to
    compare them, and looks up only the views a change reaches."""
    others = {"s:2026": ("shard", {"v|search|a": "x"}), "d:inputs": ("inputs", {"e|a": "ka"})}
    recorded = saved(database(), learnt({**FIRST, **others}, fresh=True))
    assert set(recorded.readers) == set(others)
    assert list(recorded.outputs()) == [
        ("a/index.html", "article.html|article"),
        ("b/index.html", "article.html|article"),
        ("index.html", "index.html|page"),
    ]
    found = recorded.named(["v|card|a", "o:index.html", "v|unknown"])
    assert {name: spec for name, (_, spec, _) in found.items()} == {
        "v|card|a": "view",
        "o:index.html": "index.html|page",
    }
    assert recorded.named(list(FIRST) * 5_000).keys() == FIRST.keys()  # many names: the table read once
