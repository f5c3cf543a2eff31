"""A fault at every point of a build, and a real SIGKILL mid-commit: the output and the next build stay right.

Issue 16, defects 1 and 2: a commit that stopped half-way left ``public/`` half-updated,
and later builds said "Up to date" over it. Here one edit that moves, replaces and drops
files is built with a fault at each named point it passes (``byline.faults``), raised
or ending the process. Every time, a build stopped before its commit point leaves the
output exactly as it was (once the journal is undone), and the next build equals a
clean build byte for byte.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from byline.cli.main import main
from byline.state.workspace import Workspace
from tests.helpers import ROOT, snapshot
from tests.incremental.injection import COMMIT_POINT, Fault, points_passed, run_with_fault
from tests.incremental.test_incremental_equals_clean import Site, arguments, build, trusted_file_times


class Scene:
    """A built site with one edit waiting to be built, which can be put back exactly as it was after each try.

    The output is saved as hard links: a build never writes an output file in place (it
    renames new files over old ones), so the saved links keep the old bytes, and the
    restored output is the very files (inodes) the cache's records describe.
    """

    def __init__(self, folder: Path):
        self.site = Site(folder / "site")
        for _ in range(3):
            self.site.new_article(2)
        self.output, self.clean = folder / "incremental", folder / "clean"
        self.saved_output, self.saved_cache = folder / "saved-output", folder / "saved-cache"
        build(self.site.root, self.output)
        self.site.template(1)  # every article page is replaced...
        self.site.delete(0)  # ...one article's files are dropped...
        self.site.new_article(5)  # ...and another's are new
        shutil.copytree(self.output, self.saved_output, copy_function=os.link)
        shutil.copytree(self.cache, self.saved_cache)
        build(self.site.root, self.clean, "--clean")
        self.expected = snapshot(self.clean)
        self.before = snapshot(self.output)

    @property
    def cache(self) -> Path:
        return self.site.root / ".byline-cache"

    def restore(self) -> None:
        for path in self.output.parent.iterdir():  # the output and whatever a stopped build left beside it
            if path.name.startswith((".incremental.", "incremental")):
                # A killed build's trash may be being deleted in the background (write.delete_in_background) as well.
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        shutil.rmtree(self.cache)
        shutil.copytree(self.saved_output, self.output, copy_function=os.link)
        shutil.copytree(self.saved_cache, self.cache)

    def build(self) -> int:
        return main(arguments(self.site.root, self.output))


def faults_to_try(points: list[str]) -> list[Fault]:
    """Each point raised at (before the commit point) and ended at; a repeated point's first and last pass."""
    counts = Counter(points)
    wanted = []
    for point in dict.fromkeys(points):
        for occurrence in sorted({1, counts[point]}):
            before_commit = points.index(point) < points.index(COMMIT_POINT)
            if before_commit:
                wanted.append(Fault(point, occurrence))
            if point.startswith(("commit:", "manifest:")) or point in ("stage:render", "stage:search"):
                wanted.append(Fault(point, occurrence, kill=True))
    return wanted


def test_a_fault_at_any_point_of_a_build_leaves_the_output_as_it_was_and_the_next_build_right(tmp_path: Path) -> None:
    with trusted_file_times():
        scene = Scene(tmp_path)
        points = points_passed(scene.build)
        assert {"commit:drop", "commit:move", "stage:render"} <= set(points)
        for fault in faults_to_try(points):
            scene.restore()
            outcome = run_with_fault(scene.build, fault)
            assert outcome.fired, fault
            if not outcome.committed:
                if fault.kill:
                    with Workspace(scene.site.root, scene.output).locked():  # the next build's first step
                        pass
                else:
                    assert outcome.status == 2, fault
                assert snapshot(scene.output) == scene.before, f"{fault} changed the output"
            build(scene.site.root, scene.output)
            assert snapshot(scene.output) == scene.expected, f"the build after {fault} differs from a clean build"
            assert not [p.name for p in tmp_path.iterdir() if ".staging-" in p.name or ".flat-" in p.name]


KILL_AT = """
import os, signal, sys
from byline import faults
from byline.cli.main import main

point, occurrence = sys.argv[1], int(sys.argv[2])
passed = []

def hook(name):
    passed.append(name)
    if name == point and passed.count(name) == occurrence:
        os.kill(os.getpid(), signal.SIGKILL)

with faults.injected(hook):
    sys.exit(main(sys.argv[3:]))
"""


def test_a_real_build_killed_mid_commit_is_undone_and_then_built_right(tmp_path: Path) -> None:
    """Defect 2: killing a template-change build mid-commit left pages of the new template, kept after a revert."""
    with trusted_file_times():
        site = Site(tmp_path / "site")
        for _ in range(6):
            site.new_article(1)
        output, clean = tmp_path / "out", tmp_path / "clean"
        build(site.root, output)
        before = snapshot(output)
        site.template(7)
        command = [sys.executable, "-c", KILL_AT, "commit:move", "8", *arguments(site.root, output)]
        killed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        halfway = snapshot(output)
        assert halfway != before and any(b"edition 7" in data for data in halfway.values())  # killed mid-commit
        (site.root / "templates/article.html").unlink()  # the editor reverts the template
        site.touch_all()
        assert main(arguments(site.root, output)[:-1]) == 0  # not "Up to date": it builds
        build(site.root, clean, "--clean")
        assert snapshot(output) == snapshot(clean) == before
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("point", ["stage:render", "commit:journal", "commit:recorded"])
def test_staging_folders_of_killed_builds_are_removed_by_the_next_build(tmp_path: Path, point: str) -> None:
    """Defect 9: killed builds left .public.staging-PID and .public.flat-PID folders that were never removed."""
    with trusted_file_times():
        site = Site(tmp_path / "site")
        output = tmp_path / "out"
        build(site.root, output)
        site.body(1)
        outcome = run_with_fault(lambda: main(arguments(site.root, output)), Fault(point, kill=True))
        assert outcome.fired
        assert [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # what the killed build left
        build(site.root, output)
        assert [p.name for p in tmp_path.iterdir() if ".staging-" in p.name or ".flat-" in p.name] == []
        assert not (tmp_path / ".out.journal").exists()


ORPHAN = """
import subprocess, sys
indexer = [sys.executable, "-c", "import os, sys, time; from pathlib import Path; "
           "from byline.output.search.pagefind_run import end_with_parent; "
           "end_with_parent(os.getppid(), Path(sys.argv[1])); print(os.getpid(), flush=True); time.sleep(120)",
           sys.argv[1]]
child = subprocess.Popen(indexer, stdout=subprocess.PIPE, text=True, start_new_session=True)
print(child.stdout.readline().strip(), flush=True)
"""


def test_the_search_indexer_of_a_build_that_ended_outright_stops_and_removes_its_documents(tmp_path: Path) -> None:
    """A killed build's indexer went on writing into the staging folder that the next build had removed."""
    workdir = tmp_path / "byline-search-documents"
    workdir.mkdir()
    parent = subprocess.run([sys.executable, "-c", ORPHAN, str(workdir)], cwd=ROOT, capture_output=True, text=True)
    indexer = int(parent.stdout)  # its parent has ended (without closing it, as a SIGKILL would leave it)
    deadline = time.monotonic() + 30
    while _alive(indexer) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(indexer)
    assert not workdir.exists()


def _alive(pid: int) -> bool:
    """Whether a process that is not this one's child still runs (Linux: the indexer's signal is Linux's)."""
    try:
        return "(zombie)" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
