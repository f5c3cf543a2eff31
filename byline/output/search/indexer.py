"""Indexing in a background process while pages render: a shard's bundle is reused when its key matches.

``SearchIndexer`` runs in the build; it writes a plan and the documents, and starts
``python -m byline.output.search``, which runs ``index_shards`` and so Pagefind.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from byline.errors import BuildFailed, ContentError
from byline.output.search.documents import SearchDocument, index_key, shards_of
from byline.output.search.pagefind_run import ENVIRONMENT_EXIT, KEY_FILE, held

BUNDLE = "pagefind"  # the output folder of the index; urls.OWN_FOLDERS keeps pages out of it
MANIFEST = "shards.json"


@dataclass
class SearchResult:
    """What the search stage did, for the build's timing lines and for tests."""

    documents: int = 0
    shards: list[str] = field(default_factory=list)
    indexed: list[str] = field(default_factory=list)  # the shards Pagefind (re)built; the rest were reused
    kept: list[str] = field(default_factory=list)  # files of reused shards left in the output (in_place)
    seconds: float = 0.0
    files: int = 0

    @property
    def reused(self) -> bool:
        """True when no shard had to be indexed again."""
        return not self.indexed


@dataclass
class SearchIndexer:
    """Index in the background while pages render: ``start()`` before rendering, ``finish()`` after.

    Writes ``<staging>/pagefind/``; ``previous`` is the last build's output (None for a
    clean build), whose shard bundles are reused when their keys match: linked into the
    staging folder, or, when ``in_place`` (the build patches ``previous`` rather than
    replacing it), left where they are and listed in ``result.kept`` for the writer.
    """

    documents: list[SearchDocument]
    staging: Path
    previous: Path | None = None
    in_place: bool = False
    result: SearchResult = field(default_factory=SearchResult)
    workers: int = 1  # Pagefinds run at once
    hold: int | None = None  # a descriptor the indexing process and Pagefind keep open (``Staging.writers_lock``)
    _process: subprocess.Popen[bytes] | None = None
    _workdir: Path | None = None
    _started: float = 0.0

    def start(self) -> None:
        self._started = time.perf_counter()
        self.result.documents = len(self.documents)
        shards = shards_of(self.documents)
        self.result.shards = list(shards)
        if not shards:
            return  # Pagefind refuses an empty site; the search page says there is nothing to search
        bundle = self.staging / BUNDLE
        bundle.mkdir(parents=True)
        (bundle / MANIFEST).write_text(json.dumps({"shards": list(shards)}) + "\n")
        self.result.files = 1
        jobs = []
        for position, (shard, documents) in enumerate(shards.items()):
            code = position == 0  # the first shard's code searches them all
            key = index_key(documents, code)
            if self.previous is not None and _read_key(self.previous / BUNDLE / shard) == key:
                if self.in_place:
                    kept = _files_under(self.previous, f"{BUNDLE}/{shard}")
                    self.result.kept += kept
                    self.result.files += len(kept)
                else:
                    self.result.files += _link_tree(self.previous / BUNDLE / shard, bundle / shard)
            else:
                jobs.append((shard, key, code, documents))
                self.result.indexed.append(shard)
        if jobs:
            self._start_child(jobs)

    def _start_child(self, jobs: list[tuple[str, str, bool, list[SearchDocument]]]) -> None:
        """Start the process that indexes ``jobs``, up to ``workers`` at once.

        The documents go to it as one file per shard: the child reads them while this
        process renders pages.
        """
        self._workdir = workdir = Path(tempfile.mkdtemp(prefix="byline-search-"))
        plan = []
        for number, (shard, key, code, documents) in enumerate(jobs):
            source = workdir / f"{number}.jsonl"
            with source.open("w", encoding="utf-8") as stream:
                for document in documents:
                    stream.write(json.dumps([document.path, document.html], ensure_ascii=False) + "\n")
            bundle = self.staging / BUNDLE / shard
            plan.append(
                {
                    "shard": shard,
                    "key": key,
                    "code": code,
                    "source": str(source),
                    "bundle": str(bundle),
                    "hold": self.hold,
                }
            )
        workers = max(1, min(self.workers, len(jobs)))
        (workdir / "plan.json").write_text(json.dumps({"workers": workers, "jobs": plan}))
        command = [sys.executable, "-m", "byline.output.search", str(workdir), str(os.getpid())]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(_PACKAGE_HOME), os.environ.get("PYTHONPATH")])),
        }
        with (workdir / "log").open("wb") as log:  # a file, not a pipe: nobody reads while pages render
            # A process group of its own, so close() stops Pagefind too: killing the child alone
            # left Pagefind writing into a preview folder that had just been removed.
            self._process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=workdir,
                env=env,
                start_new_session=True,
                pass_fds=held(self.hold),
            )

    def finish(self) -> SearchResult:
        """Wait for the indexing process and count its files; raise BuildFailed if it failed."""
        process, workdir = self._process, self._workdir  # close() may clear them from another thread
        try:
            if process is not None and workdir is not None:
                code = process.wait()
                if code == ENVIRONMENT_EXIT:  # a full disk, a read-only folder: the build says so in one line
                    raise _child_os_error(workdir / "log")
                if code != 0:
                    log = (workdir / "log").read_text("utf-8", errors="replace").strip()
                    detail = f": {log}" if log else ""
                    raise BuildFailed([ContentError(BUNDLE, 0, f"search index: Pagefind failed (exit {code}){detail}")])
                self.result.files += int((workdir / "files").read_text())
        finally:
            self.close()
        self.result.seconds = time.perf_counter() - self._started
        return self.result

    def close(self) -> None:
        """Stop the indexing process if it still runs (a failed render) and remove its documents.

        Two threads may close at once (the preview's indexing thread as it finishes, and
        the server as it stops): each works on what it took, never on a field the other
        has just cleared.
        """
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            # The whole group, Pagefind included. Not yet waited for, the child holds its id,
            # so the group cannot be somebody else's.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        workdir, self._workdir = self._workdir, None
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


_PACKAGE_HOME = Path(__file__).resolve().parents[3]  # the folder holding byline/: the child imports this very Byline


def _read_key(bundle: Path) -> str | None:
    try:
        return (bundle / KEY_FILE).read_text().strip()
    except OSError:
        return None


def _files_under(root: Path, folder: str) -> list[str]:
    """The files under ``root/folder``, as paths relative to ``root``."""
    found = []
    for dirpath, _, filenames in os.walk(root / folder):
        prefix = Path(dirpath).relative_to(root).as_posix()
        found += [f"{prefix}/{name}" for name in filenames]
    return found


def _link_tree(source: Path, target: Path) -> int:
    """Hard-link every file of ``source`` into ``target`` (copy across file systems); return the count."""
    count = 0
    for dirpath, _, filenames in os.walk(source):
        folder = target / Path(dirpath).relative_to(source)
        folder.mkdir(parents=True, exist_ok=True)
        for name in filenames:
            try:
                os.link(Path(dirpath) / name, folder / name)
            except OSError:
                shutil.copy2(Path(dirpath) / name, folder / name)
            count += 1
    return count


def _child_os_error(log: Path) -> OSError:
    """The OSError the indexing process stopped on, from the last line of its log."""
    try:
        number, message, filename = json.loads(log.read_text("utf-8").strip().splitlines()[-1])
        return OSError(int(number), str(message), filename)
    except (OSError, ValueError, TypeError, IndexError):
        return OSError(errno.EIO, "the search indexer could not write its files")
