"""One owner of build state: a site root building into one output folder.

Everything a build keeps is reached through a Workspace and nothing else opens it, so one place
says where state lives and when it is trusted (docs/design.md, "Build state and the journaled commit").
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from byline.config import BuildOptions
from byline.errors import EnvironmentFailure
from byline.faults import point
from byline.state import journal, manifest
from byline.state.graph import Learnt, Recorded
from byline.state.lock import output_lock
from byline.state.write import Staging, WriteStats, check_output_folder, sweep

if TYPE_CHECKING:
    from byline.state.cache import Cache

CACHE_DIR = ".byline-cache"
Published = list[tuple[str, str | None, str]]  # (source, id, url) of each published article


@dataclass(frozen=True)
class Records:
    """What a commit records beside the output it writes: fingerprints and published articles.

    ``recorded`` is what the build started from (only the difference is written); None
    when the build trusted no earlier record.
    """

    fingerprints: dict[str, str]
    recorded: dict[str, str] | None
    published: Published
    learnt: Learnt | None = None  # what the outputs read (None: no graph, the next build is a full one)


@dataclass(frozen=True)
class Committed:
    """What a commit left on record for its output: kept by a builder that stays between builds, so its next
    build into the output takes it instead of reading it back, while the record still says the same."""

    marker: str  # the output's marker as the commit recorded it
    key: str  # what the graph was recorded under (see graph.load)
    fingerprints: dict[str, str]
    graph: Recorded


class Workspace:
    """The build state of ``root`` built into ``output``: its stores, its lock, its journal."""

    def __init__(self, root: Path, output: Path):
        self.root = root.resolve()
        self.output = output.resolve()
        self.cache_dir = self.root / CACHE_DIR
        self.images = image_cache(self.root)  # measurements and renditions (site.images)
        self.templates = self.cache_dir / "templates"  # compiled templates (output.render)
        key = hashlib.sha256(str(self.output).encode()).hexdigest()[:16]
        self.manifest = self.cache_dir / f"manifest-{key}.json"
        self.journal = self.output.parent / f".{self.output.name}.journal"
        self.trusted = True  # False after an unreadable journal: the output is then replaced whole, never patched
        self.held = False
        self.committed: Committed | None = None  # what the last commit recorded, when the save could tell it

    def cache(self, read_only: bool = False) -> Cache:
        """Open the cache database (read-only for `check`, which writes nothing)."""
        from byline.state.cache import Cache  # heavy imports: a no-change build never needs them

        return Cache(self.cache_file, read_only=read_only)

    @property
    def cache_file(self) -> Path:
        """The cache database: parse results, records, and the bodies a model left there."""
        return self.cache_dir / "cache.sqlite3"

    # --- the lock, and what a build that did not end left ------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[Workspace]:
        """Hold the output's lock for the block, having first undone whatever an unfinished build left."""
        check_output_folder(self.root, self.output)  # a usage error writes nothing, not even a lock
        with output_lock(self.output):
            self.held = True
            try:
                self._recover()
                sweep(self.output)
                yield self
            finally:
                self.held = False

    def _recover(self) -> None:
        try:
            change = journal.read(self.journal)
        except journal.UnreadableJournal:
            self.trusted = False  # what it changed is unknown: build whole, and swap (which drops the journal)
            self._distrust(None)
            return
        if change is not None:
            self._undo(change, f"cannot put back {self.output} after a build that did not finish")

    def _distrust(self, paths: set[str] | None) -> None:
        """Forget the manifest, and the fingerprints of ``paths`` (all when None): they may describe another output."""
        manifest.forget(self.manifest)
        cache = self.cache()
        try:
            cache.distrust(self.output, paths)
        finally:
            cache.close()

    # --- the manifest ------------------------------------------------------------------

    def current(self, options: BuildOptions, now: datetime, inputs: dict[str, list[int]]) -> manifest.Record | None:
        """The last build's record when the output is still what a build now would write, else None."""
        assert self.held, "read the manifest under the lock"
        return manifest.is_current(self.manifest, options, now, inputs) if self.trusted else None

    def save_manifest(
        self,
        options: BuildOptions,
        inputs: dict[str, list[int]],
        now: datetime,
        valid_until: datetime | None,
        summary: str,
        messages: list[tuple[str, str]],
    ) -> None:
        """Record a successful build for the next one to compare with (see ``manifest``)."""
        assert self.held, "save the manifest under the lock, or another build may commit in between"
        try:
            manifest.save(self.manifest, options, inputs, now, valid_until, summary, [list(m) for m in messages])
            point("manifest:saved")
        except OSError as exc:  # the output is complete; without the record the next build checks it all
            raise EnvironmentFailure(f"built, but the build's record could not be saved: {_reason(exc)}") from None

    # --- the output's records and the commit --------------------------------------------

    def fingerprints(self, cache: Cache) -> dict[str, str] | None:
        """The last commit's fingerprints of this output, if the output is still the one they describe."""
        if not self.trusted:
            return None
        return cache.get_fingerprints(self.output, marker_key(self.output))

    def graph(self, cache: Cache, key: str, kinds: tuple[str, ...] | None = None) -> Recorded | None:
        """What the last commit's outputs read, if the output is still the one they describe and ``key`` matches.

        ``kinds``: the fact kinds to read now (see ``graph.load``); the rest are read when asked for.
        """
        if not self.trusted:
            return None
        return cache.get_graph(self.output, marker_key(self.output), key, kinds)

    def still(self, cache: Cache, committed: Committed | None, key: str) -> Committed | None:
        """``committed`` if the output and the cache's record of it are as its commit left them, under ``key``."""
        if committed is None or not self.trusted or committed.key != key or cache.db is None:
            return None
        marker = marker_key(self.output)
        if marker != committed.marker or cache.marker_of(self.output) != marker:
            return None
        return Committed(marker, key, committed.fingerprints, replace(committed.graph, db=cache.db))

    def commit(self, staging: Staging, cache: Cache, records: Records, listings: bool = True) -> WriteStats:
        """Put a staged build in place, journaled: it completes with its records, or the output is as it was.

        ``listings``: find the files to drop by the folders' recorded listings, and record them
        (see ``folders``); False for a folder whose builder keeps its own list of files.
        """
        assert self.held, "commit under the lock"
        try:
            change = staging.prepare(cache.listings(self.output) if listings else None)
            point("commit:prepared")
            journal.write(self.journal, change)
        except BaseException:
            shutil.rmtree(staging.trash.folder, ignore_errors=True)  # links only: the output is untouched
            raise
        try:
            point("commit:journal")
            manifest.forget(self.manifest)
            staging.apply(change)
            point("commit:applied")
            marker = marker_key(self.output)
            saved = cache.record(
                self.output, marker, records.fingerprints, records.recorded, records.published, records.learnt
            )
            point("commit:recorded")
        except BaseException:
            self._undo(change, f"a build into {self.output} failed half-way and is not undone yet")
            raise
        journal.remove(self.journal)  # the commit point
        self.trusted = True
        if saved is not None and records.learnt is not None:
            self.committed = Committed(marker, records.learnt.key, records.fingerprints, saved)
        point("commit:done")
        return staging.finish(change)

    def _undo(self, change: journal.Change, failure: str) -> None:
        """Undo a commit, distrust what it touched and drop its journal; should that fail, the journal stays.

        ``failure`` opens the one line that says so (the next build undoes the rest).
        """
        try:
            journal.undo(change)
            self._distrust(change.touched())
            journal.remove(self.journal)
        except OSError as exc:
            raise EnvironmentFailure(f"{failure}: {_reason(exc)}; the next build puts it back") from None
        shutil.rmtree(change.trash, ignore_errors=True)

    # --- the preview's two folders --------------------------------------------------------

    def prime(self, source: Path) -> None:
        """Make this output a copy of the build in ``source``, with its records, so builds here patch it.

        Real copies, not hard links: a served file must never change because the other
        folder is being rebuilt.
        """
        with self.locked():
            shutil.copytree(source, self.output, symlinks=True)
            cache = self.cache()
            try:
                cache.copy_records(source.resolve(), marker_key(source), self.output, marker_key(self.output))
            finally:
                cache.close()

    def forget_gone(self) -> list[str]:
        """Drop the records of every output folder of this site that no longer exists (see ``Cache.forget_gone``)."""
        cache = self.cache()
        try:
            return cache.forget_gone()
        finally:
            cache.close()

    def forget(self) -> None:
        """Drop this output's records (the preview's folders, as it stops)."""
        self._distrust(None)


def image_cache(root: Path) -> Path:
    """Where a site's image measurements and renditions are kept, whatever the output (also for `publish`)."""
    return root.resolve() / CACHE_DIR / "images"


def marker_key(output: Path) -> str:
    """The identity of an output's marker file as a record key: every commit replaces the file."""
    return ":".join(map(str, manifest.marker_stat(output)))


def _reason(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def environment_failure(exc: OSError, output: Path) -> EnvironmentFailure:
    """One line for a build the machine stopped (a full disk, a read-only folder): the output is as it was."""
    shown = os.path.relpath(output) if not os.path.relpath(output).startswith("..") else str(output)
    return EnvironmentFailure(f"cannot build: {_reason(exc)}; {shown}{os.sep} was left as it was")
