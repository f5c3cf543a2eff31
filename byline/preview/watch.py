"""File-system events -> a debounced set of changed paths: the watcher only marks a rebuild wanted.

The decisions (which events matter, when a burst is over) are pure functions, tested without
the file system; ``Watcher`` is the thin watchdog adapter.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

CONFIG_FILE = "site.toml"
SITE_FOLDERS = ("content", "templates", "static")

# Events that say a file's bytes or its place changed. "opened" and "closed_no_write" are
# left out on purpose: the build reads every source, and each read would ask for a rebuild.
CHANGE_EVENTS = frozenset({"created", "deleted", "modified", "moved", "closed"})

# Files editors, VCS tools and downloads write beside the real ones while saving.
_NOISE_SUFFIXES = (
    "~",
    ".swp",
    ".swo",
    ".swx",
    ".swpx",
    ".tmp",
    ".temp",
    ".part",
    ".crdownload",
    ".kate-swp",
    "___jb_tmp___",
    "___jb_old___",
)
_NOISE_NAMES = frozenset({"Thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class WatchSet:
    """What a build reads: whole folders (content/, templates/, static/) and single files (site.toml).

    ``static`` lists the folders copied to the output as-is: a change there to CSS alone
    can be shown by swapping stylesheets instead of reloading the page.
    """

    folders: tuple[Path, ...]
    files: tuple[Path, ...]
    static: tuple[Path, ...]

    @classmethod
    def for_site(cls, root: Path, theme: Iterable[Path] = ()) -> WatchSet:
        """The site's own folders and settings, plus any theme folders outside the site."""
        root = root.resolve()
        folders = [root / name for name in SITE_FOLDERS]
        for folder in theme:
            resolved = folder.resolve()
            if resolved not in folders:
                folders.append(resolved)
        static = tuple(f for f in folders if f.name == "static")
        return cls(tuple(folders), (root / CONFIG_FILE,), static)

    @property
    def root(self) -> Path:
        """The site root: the parent of site.toml, watched without its sub-folders."""
        return self.files[0].parent

    def relevant(self, path: Path, is_directory: bool = False) -> bool:
        """Whether a change at ``path`` can change the build."""
        if path in self.files or path in self.folders:
            return True
        for folder in self.folders:
            if path.is_relative_to(folder):
                parts = path.relative_to(folder).parts
                if any(is_noise(part) for part in parts) or (not is_directory and is_probe(parts[-1])):
                    return False
                # Only Markdown under content/ is read; its folders matter as they move or vanish.
                return is_directory or folder.name != "content" or path.suffix == ".md"
        return False

    def css_only(self, paths: Iterable[Path]) -> bool:
        """Whether every change is to a stylesheet in a static folder (so no page can differ)."""
        paths = list(paths)
        return bool(paths) and all(p.suffix == ".css" and any(p.is_relative_to(s) for s in self.static) for p in paths)


def is_noise(name: str) -> bool:
    """Whether a file or folder name is an editor's, VCS's or downloader's scratch file.

    Hidden names (.git, .#lock, .file.swp) are skipped by the build too.
    """
    return (
        name.startswith(".")
        or (name.startswith("#") and name.endswith("#"))
        or name.endswith(_NOISE_SUFFIXES)
        or name in _NOISE_NAMES
    )


def is_probe(name: str) -> bool:
    """Whether a file name is vim's write probe: 4913 (then 5036, ...) written and deleted before a save.

    Only files: folders named 2026 hold a year's articles.
    """
    return name.isdigit()


def changed_paths(watch: WatchSet, event_type: str, src: str, dest: str = "", is_directory: bool = False) -> list[Path]:
    """The paths one watchdog event changes that the build cares about (often none).

    A move counts at both ends: an editor's atomic save is a rename from a hidden temp file,
    and a rename out of content/ is a deletion; a folder's "modified" event counts for nothing.
    """
    if event_type not in CHANGE_EVENTS or (event_type == "modified" and is_directory):
        return []
    ends = [src, dest] if event_type == "moved" else [src]
    return [Path(p) for p in ends if p and watch.relevant(Path(p), is_directory)]


def changed_since(watch: WatchSet, moment: float) -> list[Path]:
    """Files the build reads that were modified at or after ``moment`` (a time.time() value)."""
    found = [f for f in watch.files if f.is_file() and f.stat().st_mtime >= moment]
    for folder in watch.folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if watch.relevant(Path(dirpath) / d, is_directory=True)]
            for name in filenames:
                path = Path(dirpath) / name
                with contextlib.suppress(OSError):
                    if watch.relevant(path) and path.stat().st_mtime >= moment:
                        found.append(path)
    return found


class Debouncer:
    """Collects changed paths and hands them out once a burst has gone quiet, so a burst is one rebuild.

    A burst ends ``quiet`` seconds after its last change, or ``max_wait`` after its first, so a
    file rewritten forever still gets previews; ``take(now)`` is the pure decision.
    """

    def __init__(self, quiet: float = 0.02, max_wait: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self.quiet = quiet
        self.max_wait = max_wait
        self.clock = clock
        self._paths: set[Path] = set()
        self._first: float | None = None
        self._last: float = 0.0
        self._closed = False
        self._changed = threading.Condition()

    def add(self, paths: Iterable[Path]) -> None:
        """Mark a rebuild wanted because of ``paths``; cheap, called from watchdog's thread."""
        paths = list(paths)
        if not paths:
            return
        with self._changed:
            now = self.clock()
            if self._first is None:
                self._first = now
            self._last = now
            self._paths.update(paths)
            self._changed.notify_all()

    def due_in(self, now: float) -> float | None:
        """Seconds until the pending burst is due (0 when it is), or None when nothing is pending."""
        if self._first is None:
            return None
        deadline = min(self._last + self.quiet, self._first + self.max_wait)
        return max(0.0, deadline - now)

    def take(self, now: float) -> frozenset[Path] | None:
        """The burst's paths if it is over at ``now``, clearing them; otherwise None."""
        with self._changed:
            if self.due_in(now) != 0.0:
                return None
            paths = frozenset(self._paths)
            self._paths.clear()
            self._first = None
            return paths

    def wait(self, timeout: float | None = None) -> frozenset[Path] | None:
        """Block until a burst is over and return its paths; None on timeout or once closed."""
        give_up = None if timeout is None else self.clock() + timeout
        with self._changed:
            while not self._closed:
                now = self.clock()
                due = self.due_in(now)
                if due == 0.0:
                    return self.take(now)
                left = None if give_up is None else give_up - now
                if left is not None and left <= 0:
                    return None
                self._changed.wait(min(x for x in (due, left, 3600.0) if x is not None))
        return None

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Wake and end every ``wait``: the server is stopping."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.watcher.on_event(event.event_type, _text(event.src_path), _text(event.dest_path), bool(event.is_directory))

    def on_events_lost(self, event: FileSystemEvent) -> None:
        """The kernel dropped events (watchdog 7.1 and later say so): anything may have changed."""
        self.watcher.lost()


class Watcher:
    """Watches a site's folders with watchdog and reports relevant changes to ``report``.

    The root is watched without its sub-folders (for site.toml and for folders created later):
    watching it whole would put .git, .venv and public/ under inotify.
    """

    def __init__(self, watch: WatchSet, report: Callable[[list[Path]], None]):
        self.watch = watch
        self.report = report
        self._observer = Observer()
        self._handler = _Handler(self)
        self._scheduled: dict[Path, ObservedWatch] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self._observer.schedule(self._handler, str(self.watch.root), recursive=False)
        self._schedule_folders()
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join(timeout=5)

    def on_event(self, event_type: str, src: str, dest: str, is_directory: bool) -> None:
        """Filter one event; a site folder that appears is watched from now on."""
        paths = changed_paths(self.watch, event_type, src, dest, is_directory)
        if any(p in self.watch.folders for p in paths):
            self._schedule_folders()  # a site folder appeared, vanished or was replaced
        if paths:
            self.report(paths)

    def lost(self) -> None:
        """Report every watched folder and file as changed: the next build looks at all of them again."""
        self.report([*self.watch.folders, *self.watch.files])

    def _schedule_folders(self) -> None:
        with self._lock:
            for folder in self.watch.folders:
                old = self._scheduled.pop(folder, None)
                if old is not None:
                    with contextlib.suppress(KeyError, OSError):  # its watch may have died with the folder
                        self._observer.unschedule(old)
                if folder.is_dir():
                    with contextlib.suppress(OSError):  # gone again already: its deletion is an event too
                        self._scheduled[folder] = self._observer.schedule(self._handler, str(folder), recursive=True)


def _text(path: str | bytes) -> str:
    return path.decode() if isinstance(path, bytes) else path
