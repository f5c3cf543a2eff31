"""The preview's search index, made in the background beside the served build, never on the way to a reload.

Indexing is a rebuild's slowest step, and an editor saving a file wants the page back first;
only a request under ``/pagefind/`` waits for the newest build's index.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from byline.errors import BuildFailed
from byline.output.search.documents import SearchDocument
from byline.output.search.indexer import SearchIndexer

NICENESS = 10


class PreviewSearch:
    """Index the newest build's documents in the background; hand out the folder to serve them from.

    Runs are never concurrent and a superseded one is skipped; ``folder`` waits for the latest
    submission's index (or ``timeout``).
    """

    def __init__(self, home: Path, log: Callable[[str], None] = print):
        self._home = home
        self._log = log
        self._lock = threading.Condition()
        self._pending: list[SearchDocument] | None = None
        self._submitted = 0  # submissions so far
        self._indexed = 0  # the submission the current folder holds
        self._current: Path | None = None
        self._retired: Path | None = None  # the folder before the current one
        self._runs = 0
        self._closed = False
        self._thread: threading.Thread | None = None
        self._running: SearchIndexer | None = None

    def submit(self, documents: list[SearchDocument]) -> None:
        # The thread starts with the first submission, after the first build: that build may
        # fork workers, which must not happen beside a running thread (see PreviewServer.start).
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="byline-search", daemon=True)
            self._thread.start()
        with self._lock:
            self._pending = documents
            self._submitted += 1
            self._lock.notify_all()

    def folder(self, timeout: float) -> Path | None:
        """The folder holding the newest submitted index, once ready; the last one on timeout."""
        with self._lock:
            self._lock.wait_for(lambda: self._closed or self._indexed == self._submitted, timeout)
            return self._current

    def close(self) -> None:
        """Stop: a run in progress is killed, not waited for (Ctrl-C must be quick)."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()
            running = self._running
        if running is not None:
            running.close()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _loop(self) -> None:
        # Below the builds and the browser's requests for the CPU: on Linux a thread has its own
        # nice value, and Pagefind, started from this thread, inherits it.
        with contextlib.suppress(OSError, AttributeError):
            os.nice(NICENESS)
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._closed or self._pending is not None)
                if self._closed:
                    return
                documents, self._pending, number = self._pending, None, self._submitted
            assert documents is not None
            folder = self._index(documents)
            with self._lock:
                done = None
                if folder is not None:  # the replaced folder stays a while: a request may be reading it
                    done, self._retired, self._current = self._retired, self._current, folder
                self._indexed = number  # waiters for a newer submission keep waiting
                self._lock.notify_all()
            if done is not None:
                shutil.rmtree(done, ignore_errors=True)

    def _index(self, documents: list[SearchDocument]) -> Path | None:
        """One run into a new folder, reusing the current folder's unchanged shards; None if Pagefind failed."""
        self._runs += 1
        folder = self._home / f"search-{self._runs}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        indexer = SearchIndexer(documents, folder, self._current)
        with self._lock:
            if self._closed:
                return None
            self._running = indexer
        try:
            indexer.start()
            indexer.finish()
        except Exception as exc:  # a failed index must not stop the preview: say so, keep the last
            if not self._closed:
                lines = [e.format() for e in exc.errors] if isinstance(exc, BuildFailed) else [f"{exc!r}"]
                for line in lines:
                    self._log(f"search index not updated: {line}")
            shutil.rmtree(folder, ignore_errors=True)
            return None
        finally:
            with self._lock:
                self._running = None
            indexer.close()
        return folder
