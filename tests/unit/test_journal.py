"""byline.state.journal: a commit written down before its first rename can always be undone, even twice."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from byline.cli.main import main
from byline.state import journal
from byline.state.write import MARKER, Staging
from tests.conftest import MakeSite
from tests.helpers import NOW_TEXT, snapshot, write_files

OLD = {MARKER: "{}", "a/index.html": "old a", "gone/index.html": "dropped", "x": "a file that becomes a folder"}


def staged(output: Path) -> Staging:
    """A patch that replaces a page, adds one, drops one, and turns the file x into a folder."""
    staging = Staging(output, patch=True).__enter__()
    staging.write(MARKER, b'{"new": true}')
    staging.write("a/index.html", b"new a")
    staging.write("new/deep/index.html", b"new page")
    staging.write("x/index.html", b"x is a folder now")
    return staging


def fail_after(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make os.replace and os.rename fail after ``count`` more calls, as a full disk or a kill would stop them."""
    calls = [0]
    real_replace, real_rename = os.replace, os.rename

    def counted(real):  # type: ignore[no-untyped-def]
        def call(*args: object) -> None:
            calls[0] += 1
            if calls[0] > count:
                raise OSError(5, "stopped here")
            real(*args)

        return call

    monkeypatch.setattr(os, "replace", counted(real_replace))
    monkeypatch.setattr(os, "rename", counted(real_rename))


@pytest.mark.parametrize("applied", [0, 1, 3, 5])
@pytest.mark.parametrize("undone", [0, 1, 2])
def test_an_undo_cut_short_is_finished_by_undoing_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, applied: int, undone: int
) -> None:
    output = write_files(tmp_path / "public", OLD)
    before = snapshot(output)
    staging = staged(output)
    change = staging.prepare()
    journal.write(tmp_path / "journal", change)
    with monkeypatch.context() as patch:
        fail_after(applied, patch)
        with pytest.raises(OSError, match="stopped here"):
            staging.apply(change)
    with monkeypatch.context() as patch:  # the recovery is itself cut short...
        fail_after(undone, patch)
        with contextlib.suppress(OSError):
            journal.undo(journal.read(tmp_path / "journal"))  # type: ignore[arg-type]
    journal.undo(journal.read(tmp_path / "journal"))  # type: ignore[arg-type]  # ...and run again
    journal.undo(journal.read(tmp_path / "journal"))  # type: ignore[arg-type]  # and again: nothing left to do
    assert snapshot(output) == before
    assert sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_dir()) == [
        ".well-known",
        "a",
        "gone",
    ]


def test_a_complete_patch_is_undone_too(tmp_path: Path) -> None:
    output = write_files(tmp_path / "public", OLD)
    before = snapshot(output)
    staging = staged(output)
    change = staging.prepare()
    staging.apply(change)
    assert snapshot(output)["x/index.html"] == b"x is a folder now" and "gone/index.html" not in snapshot(output)
    journal.undo(change)
    assert snapshot(output) == before


@pytest.mark.parametrize("existed", [True, False])
def test_a_swap_is_undone_whether_or_not_it_happened(tmp_path: Path, existed: bool) -> None:
    output = tmp_path / "public"
    if existed:
        write_files(output, OLD)
    before = snapshot(output) if existed else None
    staging = Staging(output).__enter__()
    staging.write("index.html", b"new")
    change = staging.prepare()
    journal.undo(change)  # not swapped yet: nothing to do
    staging.apply(change)
    assert snapshot(output) == {"index.html": b"new"}
    journal.undo(change)
    journal.undo(change)
    assert (snapshot(output) if output.exists() else None) == before


def test_an_unreadable_journal_makes_the_next_build_replace_the_output_whole(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """What a damaged journal's commit changed is unknown: no file of the output is trusted, none kept."""
    root, output = make_site(), tmp_path / "public"
    arguments = ["--root", str(root), "--output", str(output), "--now", NOW_TEXT, "-q", "--jobs", "1"]
    assert main(arguments) == 0
    page = next(output.rglob("quayside-tools-opens-a-depot/index.html"))
    page.write_bytes(page.read_bytes().replace(b"depot", b"DEPOT"))  # as if a commit had stopped half-way
    (tmp_path / ".public.journal").write_bytes(b'{"version": 1, "moves": [["')
    assert main(arguments) == 0
    assert not (tmp_path / ".public.journal").exists()
    assert main([*arguments[:3], str(tmp_path / "clean"), *arguments[4:], "--clean"]) == 0
    assert snapshot(output) == snapshot(tmp_path / "clean")
