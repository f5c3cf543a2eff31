"""Two builds into one output folder at once: the second is refused with a clear message, nothing is harmed."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from byline.cli.main import main
from byline.state import lock
from byline.state.lock import BuildLocked, lock_path, output_lock
from tests.conftest import MakeSite
from tests.helpers import ROOT, snapshot

HOLD = """
import sys
from pathlib import Path
from byline.state.workspace import Workspace
with Workspace(Path(sys.argv[1]), Path(sys.argv[2])).locked():
    print("locked", flush=True)
    sys.stdin.read()  # hold the lock until the test closes our stdin
"""


@contextmanager
def held_elsewhere(root: Path, output: Path) -> Iterator[subprocess.Popen[str]]:
    """Hold the build lock in another process, as a concurrent build would."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root), str(output)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        yield holder
    finally:
        if holder.poll() is None:
            assert holder.stdin is not None
            holder.stdin.close()
        holder.wait(timeout=30)


def build(capsys: pytest.CaptureFixture[str], root: Path, output: Path) -> tuple[int, str]:
    status = main(["--root", str(root), "--output", str(output), "-q"])
    return status, capsys.readouterr().err


def test_second_build_is_refused_with_exit_2_and_the_holder_named(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, output = make_site(), tmp_path / "out"
    assert build(capsys, root, output) == (0, "")
    before = snapshot(output)
    with held_elsewhere(root, output) as holder:
        status, err = build(capsys, root, output)
        assert status == 2
        pattern = (
            rf"error: another build \(process {holder.pid}, started \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\) is writing"
            rf" to {re.escape(str(output))}; wait for it to finish, then build again\n"
        )
        assert re.fullmatch(pattern, err), err
        assert snapshot(output) == before
        assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []
    assert build(capsys, root, output) == (0, "")


def test_a_killed_build_leaves_no_stale_lock(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, output = make_site(), tmp_path / "out"
    with held_elsewhere(root, output) as holder:
        holder.kill()
        holder.wait(timeout=30)
        assert build(capsys, root, output) == (0, "")


def test_builds_into_different_folders_run_side_by_side(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site()
    with held_elsewhere(root, tmp_path / "preview"):
        assert build(capsys, root, tmp_path / "public") == (0, "")


def test_check_needs_no_lock(make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    with held_elsewhere(root, root / "public"):
        assert main(["check", "--root", str(root), "-q"]) == 0


def test_the_lock_is_exclusive_within_one_process_too(tmp_path: Path) -> None:
    first = output_lock(tmp_path / "out")
    with first, pytest.raises(BuildLocked, match="another build"), output_lock(tmp_path / "out"):
        pass
    with output_lock(tmp_path / "out"):  # released on leaving the block
        assert lock_path(tmp_path / "out").is_file()
    assert not lock_path(tmp_path / "out").exists()  # nothing is left beside the output


def test_two_site_roots_building_into_one_output_are_refused(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 16, defect 7: the lock was per site root, so two sites both wrote one --output and both exited 0."""
    first, second, output = make_site(), make_site(), tmp_path / "out"
    assert build(capsys, first, output) == (0, "")
    before = snapshot(output)
    with held_elsewhere(first, output):
        status, err = build(capsys, second, output)
        assert status == 2 and "another build" in err and err.count("\n") == 1
        assert snapshot(output) == before
    assert build(capsys, second, output) == (0, "")


def test_a_build_that_opened_the_lock_file_as_its_holder_removed_it_locks_the_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holder removes the lock file before unlocking; a build that opened it just before must not lock that."""
    output = tmp_path / "out"
    with output_lock(output):
        stale = open(lock_path(output))  # noqa: SIM115 - a build opened the file here, then its holder finished
    opened = [stale]
    monkeypatch.setattr(lock, "_open", lambda path: opened.pop() if opened else open(path, "a+"))  # noqa: SIM115
    with output_lock(output):
        assert opened == [] and stale.closed
        with pytest.raises(BuildLocked), output_lock(output):  # a third build finds the path's file locked
            pass
