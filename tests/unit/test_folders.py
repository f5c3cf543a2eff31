"""byline.state.folders: what each output folder held when last listed, so a patch lists only folders changed since."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from byline.state import folders
from byline.state.folders import Record
from tests.helpers import write_files

FILES = {
    "index.html": "home",
    "articles/2026/03/01/a/index.html": "A",
    "articles/2026/03/01/b/index.html": "B",
    "articles/2026/03/02/c/index.html": "C",
    "companies/quayside/index.html": "Q",
    "companies/quayside/feed.xml": "F",
}
PRODUCED = frozenset(FILES)


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust a listing at once, not two seconds after its folder changed (each test waits out the clock's step)."""
    monkeypatch.setattr(folders, "RACY_NS", 0)


@pytest.fixture
def listed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders each look lists, in the order it lists them."""
    calls: list[str] = []
    real = os.scandir

    def scandir(path: str) -> Iterator[os.DirEntry[str]]:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(folders.os, "scandir", scandir)
    return calls


def record() -> Record:
    db = sqlite3.connect(":memory:")
    folders.create(db)
    return Record(db, "/site/public")


def site(tmp_path: Path) -> str:
    return os.fspath(write_files(tmp_path / "public", FILES))


def looked_at(tmp_path: Path) -> tuple[str, Record]:
    """The site's output, looked at once and its listings recorded, and a record to look again with."""
    root, kept = site(tmp_path), record()
    folders.unproduced(root, PRODUCED, kept)
    later_than(root)
    return root, kept


def later_than(root: str) -> None:
    """Return once a change made now gets a later change time than any folder under ``root`` has.

    A file system's clock moves in steps (a few milliseconds here; seconds on some): a change
    within the step of a listing keeps the times it saw, which is why builds wait RACY_NS.
    """
    newest = max(os.lstat(path).st_ctime_ns for path, _, _ in os.walk(root))
    probe = Path(root).parent / "probe"
    while True:
        probe.write_text("tick")
        if os.lstat(probe).st_ctime_ns > newest:
            return


def relative(root: str, paths: list[str]) -> list[str]:
    return [os.path.relpath(path, root) for path in paths]


def test_the_first_look_lists_every_folder_and_finds_every_file_not_produced(tmp_path: Path, listed: list[str]) -> None:
    root = site(tmp_path)
    write_files(Path(root), {"articles/2026/03/01/a/stray.txt": "?", "left/over/old.html": "?"})
    found = folders.unproduced(root, PRODUCED, kept := record())
    assert found == ["articles/2026/03/01/a/stray.txt", "left/over/old.html"]  # deepest first
    assert len(listed) == sum(1 for _ in os.walk(root))
    assert {row[0] for row in kept.rows()} == {
        "" if p == "." else p for p in relative(root, [p for p, *_ in os.walk(root)])
    }


def test_a_second_look_lists_no_unchanged_folder_and_still_finds_what_the_build_dropped(
    tmp_path: Path, listed: list[str], settled: None
) -> None:
    root, kept = looked_at(tmp_path)
    listed.clear()
    withdrawn = PRODUCED - {"articles/2026/03/01/b/index.html", "companies/quayside/feed.xml"}
    assert folders.unproduced(root, withdrawn, kept) == [
        "articles/2026/03/01/b/index.html",
        "companies/quayside/feed.xml",
    ]
    assert listed == []


def test_a_stray_dropped_into_a_listed_folder_is_found_by_listing_that_folder_alone(
    tmp_path: Path, listed: list[str], settled: None
) -> None:
    root, kept = looked_at(tmp_path)
    write_files(Path(root), {"articles/2026/03/stray.txt": "?"})
    listed.clear()
    assert folders.unproduced(root, PRODUCED, kept) == ["articles/2026/03/stray.txt"]
    assert relative(root, listed) == ["articles/2026/03"]  # not its folders 01 and 02, on record and unchanged
    listed.clear()  # recorded with the stray: the next look finds it again without listing
    assert folders.unproduced(root, PRODUCED, kept) == ["articles/2026/03/stray.txt"]
    assert listed == []


def test_a_stray_folder_tree_is_listed_whole(tmp_path: Path, listed: list[str], settled: None) -> None:
    root, kept = looked_at(tmp_path)
    write_files(Path(root), {"companies/quayside/old/deep/er/page.html": "?", "companies/quayside/old/x.css": "?"})
    listed.clear()
    found = folders.unproduced(root, PRODUCED, kept)
    assert found == ["companies/quayside/old/deep/er/page.html", "companies/quayside/old/x.css"]
    assert sorted(relative(root, listed)) == [
        "companies/quayside",
        "companies/quayside/old",
        "companies/quayside/old/deep",
        "companies/quayside/old/deep/er",
    ]


def test_a_folder_whose_modification_time_is_set_back_is_still_listed(
    tmp_path: Path, listed: list[str], settled: None
) -> None:
    """Copying tools set folders' times back; a change time cannot be set, and it moved."""
    root, kept = looked_at(tmp_path)
    folder = Path(root) / "articles/2026/03/02/c"
    before = folder.stat()
    write_files(folder, {"stray.txt": "?"})
    os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert folder.stat().st_mtime_ns == before.st_mtime_ns
    assert folders.unproduced(root, PRODUCED, kept) == ["articles/2026/03/02/c/stray.txt"]


def test_a_folder_listed_just_after_it_changed_is_listed_again_next_time(tmp_path: Path, listed: list[str]) -> None:
    """Within RACY_NS of a change, a listing is recorded untrusted: a stray could arrive without moving the times."""
    root = site(tmp_path)
    kept = record()
    folders.unproduced(root, PRODUCED, kept)
    assert {row[1] for row in kept.rows()} == {folders.UNTRUSTED}
    listed.clear()
    folders.unproduced(root, PRODUCED, kept)
    assert len(listed) == sum(1 for _ in os.walk(root))


def test_a_folder_removed_is_forgotten_with_every_folder_under_it(tmp_path: Path, settled: None) -> None:
    root, kept = looked_at(tmp_path)
    for path in ("articles/2026/03/01/a/index.html", "articles/2026/03/01/b/index.html"):
        os.unlink(Path(root) / path)
    for folder in ("articles/2026/03/01/a", "articles/2026/03/01/b", "articles/2026/03/01"):
        os.rmdir(Path(root) / folder)
    assert folders.unproduced(root, PRODUCED, kept) == []
    assert not [row for row in kept.rows() if row[0].startswith("articles/2026/03/01")]


def test_a_folder_replaced_by_a_link_drops_the_link_and_nothing_past_it(tmp_path: Path, settled: None) -> None:
    root, kept = looked_at(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    os.rename(Path(root) / "articles/2026/03", elsewhere)  # its folders, times and all, now outside the output
    os.symlink(elsewhere, Path(root) / "articles/2026/03")
    withdrawn = PRODUCED - {"articles/2026/03/01/a/index.html"}  # reached only through the link
    assert folders.unproduced(root, withdrawn, kept) == ["articles/2026/03"]
    assert not [row for row in kept.rows() if row[0].startswith("articles/2026/03")]


def test_an_unreadable_record_means_listing_every_folder(tmp_path: Path, listed: list[str], settled: None) -> None:
    root = site(tmp_path)
    kept = record()
    folders.unproduced(root, PRODUCED, kept)
    write_files(Path(root), {"companies/stray.txt": "?"})
    assert kept.db is not None
    kept.db.close()
    listed.clear()
    assert folders.unproduced(root, PRODUCED, kept) == ["companies/stray.txt"]
    assert len(listed) == sum(1 for _ in os.walk(root))


def test_listing_a_build_before_it_is_swapped_in_leaves_only_the_root_to_list(
    tmp_path: Path, listed: list[str], settled: None
) -> None:
    """A first or clean build records its staging folder's folders: renaming it moves only its own times."""
    staging = write_files(tmp_path / ".public.staging", FILES)
    kept = record()
    folders.unproduced(site(tmp_path / "old"), PRODUCED, kept)  # what another build there recorded: forgotten
    folders.list_all(os.fspath(staging), kept)
    later_than(os.fspath(staging))
    root = tmp_path / "public"
    os.rename(staging, root)
    listed.clear()
    assert folders.unproduced(os.fspath(root), PRODUCED, kept) == []
    assert relative(os.fspath(root), listed) == ["."]


def test_a_read_only_record_writes_nothing(tmp_path: Path) -> None:
    root = site(tmp_path)
    kept = record()
    kept.writable = False
    assert folders.unproduced(root, PRODUCED - {"index.html"}, kept) == ["index.html"]
    assert list(kept.rows()) == []


def test_a_folder_that_cannot_be_listed_is_passed_over_as_a_walk_passes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settled: None
) -> None:
    root = site(tmp_path)
    kept = record()
    write_files(Path(root), {"locked/away/stray.txt": "?", "articles/stray.txt": "?"})
    real, refused = os.scandir, [True]

    def scandir(path: str) -> Iterator[os.DirEntry[str]]:
        if refused[0] and path.endswith("/locked"):
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(folders.os, "scandir", scandir)
    assert folders.unproduced(root, PRODUCED, kept) == ["articles/stray.txt"]  # walking
    later_than(root)
    refused[0] = False
    write_files(Path(root), {"stray.txt": "?"})  # the root is listed again, and finds the folder
    assert folders.unproduced(root, PRODUCED, kept) == ["locked/away/stray.txt", "articles/stray.txt", "stray.txt"]
    later_than(root)
    refused[0] = True
    write_files(Path(root), {"locked/more.txt": "?"})  # comparing
    assert folders.unproduced(root, PRODUCED, kept) == ["locked/away/stray.txt", "articles/stray.txt", "stray.txt"]
