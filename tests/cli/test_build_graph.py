"""Issue 20: a missing, corrupt, foreign or older-version graph means a full build, never wrong output.

Each test builds a small site, damages the record of reads its output folder has in the
cache database, edits one article and builds again: the build renders every output,
and what it writes is byte for byte what a --clean build writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from byline.pipeline import BuildResult
from byline.state import graph
from byline.state.workspace import CACHE_DIR
from tests.conftest import MakeSite
from tests.helpers import article, build_site, snapshot, write_files

MAIN = "content/articles/quayside.md"
SITE = {
    "site.toml": 'name = "Harbour Times"\nbase_url = "https://news.example"\nper_page = 2\n',
    "content/companies/quayside-tools.md": "---\nname: Quayside Tools\n---\nTools for the quay.\n",
    MAIN: article(tags="[Ports]", company="quayside-tools", body="Quayside Tools has opened a depot.\n\nOn the quay."),
    "content/articles/crane.md": article("Harbour crane arrives", "2026-02-20 09:00", tags="[Ports]"),
    "content/articles/ferry.md": article("Ferry route opens", "2026-02-10 09:00", tags="[Ferries]"),
    "content/articles/boats.md": article("Boatyard hires", "2026-01-15 09:00", region="North East"),
}
EDITED = article(tags="[Ports]", company="quayside-tools", body="Quayside Tools has opened a depot.\n\nBy the quay.")
Damage = Callable[[sqlite3.Connection, str], None]


@contextmanager
def database(root: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(root / CACHE_DIR / "cache.sqlite3")) as db, db:
        yield db


def gid_of(db: sqlite3.Connection, folder: str) -> int:
    row = db.execute("SELECT gid FROM graphs WHERE folder=?", (folder,)).fetchone()
    assert row is not None, f"no graph recorded for {folder}"
    return int(row[0])


def delete_everything(db: sqlite3.Connection, folder: str) -> None:
    gid = gid_of(db, folder)
    for table in ("reads", "readers", "facts", "graphs"):
        db.execute(f"DELETE FROM {table} WHERE gid=?", (gid,))


def delete_the_graph_row(db: sqlite3.Connection, folder: str) -> None:
    db.execute("DELETE FROM graphs WHERE folder=?", (folder,))


def garble_identities(db: sqlite3.Connection, folder: str) -> None:
    db.execute("UPDATE facts SET identity = 'garbled' || id WHERE gid=?", (gid_of(db, folder),))


def garble_specs(db: sqlite3.Connection, folder: str) -> None:
    db.execute("UPDATE readers SET spec = 'garbled' WHERE gid=?", (gid_of(db, folder),))


def change_the_key(db: sqlite3.Connection, folder: str) -> None:
    db.execute("UPDATE graphs SET key = key || 'x' WHERE folder=?", (folder,))


def garble_the_key(db: sqlite3.Connection, folder: str) -> None:
    db.execute("UPDATE graphs SET key = 'garbled' WHERE folder=?", (folder,))


def no_damage(db: sqlite3.Connection, folder: str) -> None:
    gid_of(db, folder)


def edit_and_rebuild(root: Path, output: Path, tmp_path: Path) -> tuple[BuildResult, BuildResult]:
    """Edit one article's body, build incrementally into ``output`` and cleanly elsewhere; both results."""
    write_files(root, {MAIN: EDITED})
    result = build_site(root, output)
    clean = build_site(root, tmp_path / "clean", clean=True)
    return result, clean


def assert_full_and_right(result: BuildResult, clean: BuildResult, output: Path, tmp_path: Path) -> None:
    assert sorted(result.made) == sorted(clean.made), "every output is rendered again"
    assert snapshot(output) == snapshot(tmp_path / "clean")


@pytest.fixture
def site(make_site: MakeSite, tmp_path: Path) -> tuple[Path, Path]:
    """The site, built once into ``tmp_path/public``: (site root, output)."""
    root, output = make_site(SITE), tmp_path / "public"
    build_site(root, output)
    return root, output


def test_an_intact_graph_makes_only_what_the_edit_changed(site: tuple[Path, Path], tmp_path: Path) -> None:
    """The control: without damage, the same edit renders a few outputs and still equals a clean build."""
    root, output = site
    result, clean = edit_and_rebuild(root, output, tmp_path)
    assert "articles/2026/03/01/quayside-tools-opens-a-depot/index.html" in result.made
    assert len(result.made) < len(clean.made) / 2
    assert snapshot(output) == snapshot(tmp_path / "clean")


@pytest.mark.parametrize(
    "damage",
    [
        delete_everything,
        delete_the_graph_row,
        garble_identities,
        garble_specs,
        change_the_key,
        garble_the_key,
    ],
)
def test_a_damaged_graph_means_a_full_build_and_the_clean_output(
    site: tuple[Path, Path], tmp_path: Path, damage: Damage
) -> None:
    root, output = site
    with database(root) as db:
        damage(db, str(output.resolve()))
    result, clean = edit_and_rebuild(root, output, tmp_path)
    assert_full_and_right(result, clean, output, tmp_path)
    again = build_site(root, output)  # and the graph is whole again: the next build makes nothing
    assert again.made == [] and snapshot(output) == snapshot(tmp_path / "clean")


def test_a_graph_of_an_older_version_means_a_full_build(
    site: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, output = site
    monkeypatch.setattr(graph, "GRAPH_VERSION", str(int(graph.GRAPH_VERSION) + 1))
    result, clean = edit_and_rebuild(root, output, tmp_path)
    assert_full_and_right(result, clean, output, tmp_path)


def copy_graph(db: sqlite3.Connection, source: str, target: str) -> None:
    """Make ``target``'s graph a copy of ``source``'s: its rows under target's id, and source's key."""
    gid, key = db.execute("SELECT gid, key FROM graphs WHERE folder=?", (source,)).fetchone()
    mine = gid_of(db, target)
    for table in ("reads", "readers", "facts"):
        db.execute(f"DELETE FROM {table} WHERE gid=?", (mine,))
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")][1:]
        listed = ", ".join(columns)
        db.execute(f"INSERT INTO {table} SELECT ?, {listed} FROM {table} WHERE gid=?", (mine, gid))
    db.execute("UPDATE graphs SET key=? WHERE folder=?", (key, target))


def point_at_graph(db: sqlite3.Connection, source: str, target: str) -> None:
    """Make ``target``'s graph the very one ``source`` has: its row names source's id and key."""
    gid, key = db.execute("SELECT gid, key FROM graphs WHERE folder=?", (source,)).fetchone()
    db.execute("UPDATE graphs SET gid=?, key=? WHERE folder=?", (gid, key, target))


@pytest.mark.parametrize("take", [copy_graph, point_at_graph])
def test_another_folders_graph_means_a_full_build(
    site: tuple[Path, Path], tmp_path: Path, take: Callable[[sqlite3.Connection, str, str], None]
) -> None:
    """The other folder was built from the site as edited: used here, it would keep this folder's old page."""
    root, output = site
    other = tmp_path / "other"
    write_files(root, {MAIN: EDITED})
    build_site(root, other)
    with database(root) as db:
        take(db, str(other.resolve()), str(output.resolve()))
    write_files(root, {"content/articles/crane.md": article("Harbour crane arrives", "2026-02-20 09:00", body="Late.")})
    result = build_site(root, output)
    clean = build_site(root, tmp_path / "clean", clean=True)
    assert_full_and_right(result, clean, output, tmp_path)


def test_a_record_without_its_inputs_compares_every_field_and_look_up(site: tuple[Path, Path], tmp_path: Path) -> None:
    """An edit that changes a map (a new slug): without the map digests, it is still found, by each look-up."""
    root, output = site
    with database(root) as db:
        gid = gid_of(db, str(output.resolve()))
        db.execute("DELETE FROM reads WHERE gid=? AND reader IN (SELECT id FROM readers WHERE name=?)", (gid, "d:inputs"))
        db.execute("DELETE FROM readers WHERE gid=? AND name=?", (gid, "d:inputs"))
        db.execute("DELETE FROM facts WHERE gid=? AND key LIKE 'd|%'", (gid,))
    write_files(root, {MAIN: article("Quayside Tools opens its depot", tags="[Ports]", company="quayside-tools")})
    result = build_site(root, output)
    clean = build_site(root, tmp_path / "clean", clean=True)
    assert "articles/2026/03/01/quayside-tools-opens-its-depot/index.html" in result.made
    assert len(result.made) < len(clean.made)
    assert snapshot(output) == snapshot(tmp_path / "clean")


def test_a_record_that_cannot_be_read_to_the_end_means_a_full_build(
    site: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fields and look-ups of what changed are read from the record mid-build: if that fails, trust none of it."""
    root, output = site

    def unreadable(self: graph.Recorded, prefix: str) -> dict[str, str]:
        raise graph.Unreadable("database disk image is malformed")

    monkeypatch.setattr(graph.Recorded, "under", unreadable)
    result, clean = edit_and_rebuild(root, output, tmp_path)
    assert_full_and_right(result, clean, output, tmp_path)
