"""The indexing process ``SearchIndexer`` starts: Pagefind over each shard's documents, several at once.

Kept apart from ``indexer`` so that the process imports Pagefind's runner and the bundle's
tidying alone, not the model and the plan that ``documents`` needs (docs/design.md, "Search").
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from byline.output.search.bundle import canonicalise

KEY_FILE = "byline-search.txt"
ENVIRONMENT_EXIT = 3  # the indexing process's status when an OSError (a full disk) stopped it
# Pagefind's own ready-made interfaces: the theme has its own, so these are dropped from the output.
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
)


def end_with_parent(parent: int, workdir: Path) -> None:
    """Stop indexing, Pagefind included, when the build that started this process ends without closing it.

    A build killed outright (SIGKILL) cannot stop its indexer: left running, it went on
    writing into the staging folder the next build had removed, and left its documents
    in the temporary folder. Linux tells this process of its parent's end (``prctl``);
    it then stops its whole process group. Elsewhere the indexer finishes its shards.
    """

    def stop(*_: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.killpg(0, signal.SIGTERM)  # Pagefind, started by this process, is in its group
        shutil.rmtree(workdir, ignore_errors=True)
        os._exit(1)

    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it ended before this process asked to be told
        stop()


_PR_SET_PDEATHSIG = 1


def index_shards(workdir: Path) -> int:
    """Index the shards of ``workdir/plan.json``, several at once, and tidy their bundles; write the file count."""
    plan = json.loads((workdir / "plan.json").read_text())
    failed = threading.Event()

    def index(job: dict[str, Any], scratch: Path) -> int:
        if failed.is_set():  # set by the worker that failed, before it takes the next job
            return 0
        try:
            return _index_shard(job, scratch)
        except BaseException:
            failed.set()
            raise

    with ThreadPoolExecutor(plan["workers"]) as pool:  # newest shard first: they start in plan order
        started = [pool.submit(index, job, workdir / f"scratch-{n}") for n, job in enumerate(plan["jobs"])]
        try:
            files = sum(future.result() for future in started)
        except BaseException:
            pool.shutdown(cancel_futures=True)  # one failure fails the index: start no more
            raise
    (workdir / "files").write_text(f"{files}\n")
    return 0


def _index_shard(job: dict[str, Any], scratch: Path) -> int:
    """Index one shard into its bundle and tidy it; return the bundle's file count."""
    bundle = Path(job["bundle"])
    scratch.mkdir()
    with open(job["source"], encoding="utf-8") as stream:
        run_pagefind(stream, bundle, scratch, job.get("hold"))
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
    if not job["code"]:  # merged into the first shard's search, which runs the code
        for path in [bundle / "pagefind.js", bundle / "pagefind-worker.js", *bundle.glob("wasm.*")]:
            path.unlink(missing_ok=True)
    canonicalise(bundle)
    (bundle / KEY_FILE).write_text(job["key"] + "\n")
    return sum(len(names) for _, _, names in os.walk(bundle))


def run_pagefind(documents: Iterable[str], bundle: Path, scratch: Path, hold: int | None = None) -> None:
    """Index ``documents`` (JSON lines of [path, html]) into ``bundle``: written out under ``scratch`` as a small site.

    Pagefind's command line, not its Python service: it has written everything when it
    exits. The files are removed here, in the background, so the build never waits.
    Pagefind keeps ``hold`` open while it runs, as this process does: it writes into the
    staging folder the descriptor holds (docs/design.md, "Writers a sweep waits for").
    """
    site = scratch / "site"
    for line in documents:
        path, text = json.loads(line)
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    command = [*pagefind_command(), "--site", str(site), "--output-path", str(bundle), "--quiet"]
    try:
        code = subprocess.run(command, cwd=scratch, pass_fds=held(hold)).returncode
    finally:
        shutil.rmtree(site, ignore_errors=True)
    if code != 0:
        raise PagefindError(f"Pagefind failed on {bundle.name} (exit {code})")


def held(hold: int | None) -> tuple[int, ...]:
    """``hold`` as ``pass_fds`` takes it: the staging folder's descriptor a child keeps open, if any."""
    return () if hold is None else (hold,)


@functools.cache
def pagefind_command() -> list[str]:
    """Pagefind's program, found once as ``python -m pagefind`` finds it: that starts a Python for every shard."""
    from pagefind.service import get_executable  # asyncio and more: imported by the indexing process alone

    found = get_executable()
    return [str(found)] if found is not None else [sys.executable, "-m", "pagefind"]


class PagefindError(Exception):
    """Pagefind failed."""


def main(workdir: Path) -> int | str:
    """The indexing process's work and its exit: 0, a message (exit 1), or ENVIRONMENT_EXIT after one JSON line."""
    try:
        return index_shards(workdir)
    except PagefindError as error:
        return str(error)
    except OSError as error:  # one line the build raises again (_child_os_error), never a traceback
        print(json.dumps([error.errno, error.strerror, error.filename]), file=sys.stderr)
        return ENVIRONMENT_EXIT
