"""Write a build into a staging folder beside the output, and put it in place only on success.

A first build is swapped in whole; a rebuild renames only the files that changed into place,
in the steps ``workspace.Workspace.commit`` journals (``prepare``, ``apply``, ``finish``).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Collection, Iterable, Mapping, Set
from dataclasses import dataclass
from pathlib import Path

from byline.errors import UsageError
from byline.faults import point
from byline.state import folders
from byline.state.journal import NEW, Change, exchange, remove_empty_folders

try:
    import fcntl
except ImportError:  # Windows: nothing holds a staging folder there
    fcntl = None  # type: ignore[assignment]  # mypy binds the name to the module only

MARKER = ".well-known/byline.json"  # written by every build; proves a folder is ours to replace
DELETE_INLINE_MAX = 16  # a trash of fewer files is deleted at once; a bigger one, in the background
_TRASH_NUMBERS = itertools.count()
WRITERS_WAIT_SECONDS = 10.0  # how long a sweep waits for a killed build's writers to end


@dataclass(frozen=True)
class WriteStats:
    files: int


def check_output_folder(root: Path, output: Path) -> None:
    """Refuse output folders whose replacement would destroy the site's own files."""
    root, output = root.resolve(), output.resolve()
    protected = [root, root / "content", root / "templates", root / "static"]
    for folder in protected:
        if output == folder or folder.is_relative_to(output):
            raise UsageError(f"--output {output} would replace {folder}; choose a folder such as {root / 'public'}")
        if folder != root and output.is_relative_to(folder):
            raise UsageError(f"--output {output} is inside {folder}; choose a folder outside it")
    if output.exists() and not output.is_dir():
        raise UsageError(f"--output {output} is a file, not a folder")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file():
        raise UsageError(f"{output} is not empty and was not built by Byline; remove it or choose another --output")


class Staging:
    """A folder beside the output, filled by the build, then swapped in or thrown away."""

    def __init__(self, output: Path, patch: bool = False, listed: Collection[str] | None = None):
        self.output = output.resolve()
        self.path = self.output.parent / f".{self.output.name}.staging-{os.getpid()}"
        # Patch mode: written files wait here under flat names, so a rebuild that rewrites
        # every page does not make (and then remove) a folder for each; see ``write``.
        self.flat = self.output.parent / f".{self.output.name}.flat-{os.getpid()}"
        # Its own name each build: the preview builds again and again in one process, while
        # the last build's trash may still be being deleted.
        self.trash = Trash(self.output.parent / f".{self.output.name}.trash-{os.getpid()}-{next(_TRASH_NUMBERS)}")
        self.files = 0
        self.patch = patch and self.output.is_dir()  # stage changes only, over the previous output
        self._kept: set[str] = set()  # unchanged files left where they are (patch mode)
        self._written: set[str] = set()  # may wait under a flat name: written here, or rendered by workers
        self._folders: set[Path] = set()  # made already: mkdir costs a system call even when it exists
        # The output's files when the caller knows them (it made the folder, and nothing else writes
        # there): the commit drops those the build did not produce without walking the output.
        self.listed = listed
        self.produced: Set[str] | None = None  # what the output holds once a patch is committed
        # A descriptor of ``path`` under a shared lock while the build writes: what the build
        # starts to write there (the search indexer, Pagefind) inherits it; see ``sweep``.
        self.writers_lock: int | None = None

    def __enter__(self) -> Staging:
        self.output.parent.mkdir(parents=True, exist_ok=True)
        for folder in (self.path, self.flat):
            if folder.exists():
                shutil.rmtree(folder)
        self.path.mkdir()
        if self.patch:
            self.flat.mkdir()
        self.writers_lock = _hold(self.path)  # last: a failed __enter__ has no __exit__ to close it
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:
            for folder in (self.path, self.flat):
                if folder.exists():
                    shutil.rmtree(folder, ignore_errors=True)
        lock, self.writers_lock = self.writers_lock, None
        if lock is not None:
            os.close(lock)

    def write(self, relative: str, data: bytes) -> None:
        """Write one file; safe to call from forked workers (counting is the caller's).

        When patching, it waits under a flat name (a hash of its path) until the commit renames
        it; ``expect`` tells the commit each name's path.
        """
        if ".." in Path(relative).parts or Path(relative).is_absolute():
            raise ValueError(f"refusing to write outside the output folder: {relative}")
        if self.patch:
            (self.flat / _flat_name(relative)).write_bytes(data)
            self._written.add(relative)
            return
        target = self.path / relative
        self._folder(target.parent)
        target.write_bytes(data)

    def _folder(self, folder: Path) -> None:
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)

    def reuse(self, relative: str, previous: Path, size: int) -> bool:
        """Keep an unchanged file of the previous output; False if it is not there intact.

        Safe in forked workers: in patch mode nothing is recorded here, as the caller
        declares every path the build produced with ``expect``. A patch of a ``listed`` output
        trusts the list, which the commit that wrote the file (and its size) left.
        """
        if self.patch and self.listed is not None:
            return relative in self.listed
        old = f"{previous}/{relative}"  # plain strings: this runs for every output of every build
        try:
            if os.stat(old).st_size != size:
                return False
            if not self.patch:
                target = self.path / relative
                self._folder(target.parent)
                os.link(old, target)
        except OSError:
            return False
        return True

    def rendered(self, relatives: Iterable[str]) -> None:
        """Declare files workers may have written: only these and this process's writes wait under flat names."""
        self._written.update(relatives)

    def expect(self, relatives: Iterable[str]) -> None:
        """Declare files of this build that may be unchanged, so patching does not delete them."""
        self._kept.update(relatives)

    def copy_files(self, files: Mapping[str, Path], into: str, previous: Path | None = None) -> None:
        """Copy files in, each to ``into``/its key: ``theme.static_files`` has chosen the file that wins.

        A file the previous output already holds with the same size and time is linked.
        """
        for name, source in files.items():
            relative = f"{into}/{name}"
            target = self.path / relative
            self._folder(target.parent)
            old = None if previous is None else previous / relative
            unchanged = old is not None and _same_file(old, source.stat())
            if self.patch and unchanged:
                self._kept.add(relative)
            elif not (unchanged and old is not None and _link(old, target)):
                shutil.copy2(source, target)
            self.files += 1

    def prepare(self, record: folders.Record | None = None) -> Change:
        """Plan the commit and link aside every file it will replace; the output is not touched yet.

        ``record``: what the output's folders held when last listed (see ``folders``); without
        one, a patch lists every folder. Plain strings, not Paths: a template edit moves every
        page through here.
        """
        if not self.patch:
            if record is not None:  # the folders as they will be, once swapped in
                folders.list_all(os.fspath(self.path), record)
            existed = self.output.exists()
            inode = self.path.stat().st_ino
            return Change(self.output, self.path, self.trash.folder, swap=True, staging_inode=inode, existed=existed)
        staged = self._flat_files()
        for dirpath, _, filenames in os.walk(self.path):  # files written whole, such as search bundles
            prefix = os.path.relpath(dirpath, self.path).replace(os.sep, "/")
            prefix = "" if prefix == "." else prefix + "/"
            staged += [(os.path.join(dirpath, name), prefix + name) for name in filenames]
        produced = self._kept  # completed in place: a copy would be a second set of every file of the site
        produced.update(relative for _, relative in staged)
        root = os.fspath(self.output)
        moves = [(source, relative, self.trash.save(f"{root}/{relative}")) for source, relative in staged]
        if self.listed is not None:
            unproduced = _unlisted(self.listed, produced)
        else:
            unproduced = folders.unproduced(root, produced, record or folders.Record(None, root))
        drops = [(relative, self.trash.reserve()) for relative in unproduced]
        self.files = len(produced)
        self.produced = produced
        return Change(self.output, self.path, self.trash.folder, swap=False, moves=moves, drops=drops)

    def apply(self, change: Change) -> None:
        """Make the change: drop what the site no longer has, then rename each staged file into place.

        Drops go first, so a path that was a file and is now a folder (or the reverse) is
        free when its new file arrives. Every step is a named fault point.
        """
        if change.swap:
            if change.existed:
                exchange(self.path, self.output)  # the staging folder now holds the previous build
            else:
                os.rename(self.path, self.output)
            point("commit:swapped")
            return
        root, trash = os.fspath(self.output), os.fspath(self.trash.folder)
        emptied: set[str] = set()
        for relative, slot in change.drops:
            target = f"{root}/{relative}"
            os.rename(target, f"{trash}/{slot}")
            emptied.add(os.path.dirname(target))
            point("commit:drop")
        remove_empty_folders(root, emptied)
        made: set[str] = set()
        for source, relative, _ in change.moves:
            target = f"{root}/{relative}"
            folder = target.rpartition("/")[0]
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            os.replace(source, target)
            point("commit:move")

    def finish(self, change: Change) -> WriteStats:
        """After the commit point: remove the staging folders and delete what the commit replaced."""
        if change.swap:
            if change.existed:  # the previous build, now in the staging folder
                try:
                    os.rename(self.path, self.trash.folder)
                except OSError:  # the build is done all the same
                    shutil.rmtree(self.path, ignore_errors=True)
                else:
                    _discard(self.trash.folder, self.files)
            return WriteStats(self.files)
        shutil.rmtree(self.flat, ignore_errors=True)
        shutil.rmtree(self.path, ignore_errors=True)
        self.trash.empty()
        return WriteStats(self.files)

    def _flat_files(self) -> list[tuple[str, str]]:
        """Each flat-named file with its path in the output, all resolved before anything moves."""
        paths = {_flat_name(relative): relative for relative in self._written}
        found = []
        flat = os.fspath(self.flat)
        for name in sorted(os.listdir(flat)):
            if name not in paths:  # a write nobody declared: a bug, caught before the output changes
                raise RuntimeError(f"staged file {name} was written but not declared with rendered()")
            found.append((f"{flat}/{name}", paths[name]))
        return found


def _flat_name(relative: str) -> str:
    return hashlib.blake2b(relative.encode(), digest_size=20).hexdigest()


def _unlisted(listed: Collection[str], produced: set[str]) -> list[str]:
    """The listed files that the new build does not have, deepest first (as ``folders.unproduced`` finds them)."""
    return folders.deepest_first(relative for relative in listed if relative not in produced)


class Trash:
    """A folder for the files a commit replaces or drops, each in a numbered slot, deleted after the commit.

    A replaced file is hard-linked here first (copied where links fail), so freeing its blocks
    waits and the commit can be undone until it is complete.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        self._made = False

    def save(self, path: str) -> int:
        """Keep the file at ``path`` in a new slot before it is replaced; NEW when there is no file there."""
        self._make()
        slot = f"{self.folder}/{self.count}"
        try:
            os.link(path, slot)
        except FileNotFoundError:
            return NEW
        except OSError:
            if os.path.isdir(path) or not os.path.lexists(path):
                return NEW  # a folder whose files are dropped before the file arrives
            shutil.copy2(path, slot)
        self.count += 1
        return self.count - 1

    def reserve(self) -> int:
        """A slot for a file the commit will move here."""
        self._make()
        self.count += 1
        return self.count - 1

    def _make(self) -> None:
        if not self._made:
            self.folder.mkdir(exist_ok=True)
            self._made = True

    def empty(self) -> None:
        """Delete what was put aside."""
        if self._made:
            _discard(self.folder, self.count)


def trash_folders(output: Path) -> list[Path]:
    """The trash folders beside ``output``: of builds still deleting theirs, or cut short."""
    return list(output.parent.glob(f".{output.name}.trash-*"))


def sweep(output: Path) -> None:
    """Remove what builds that are no longer running left beside ``output``; call with its lock held.

    Their staging folders are deleted here, their trash folders in the background
    (a deletion cut short, or one a finished build left to a process of its own).
    """
    deadline = time.monotonic() + WRITERS_WAIT_SECONDS
    for pattern in (".staging-*", ".flat-*"):  # a build's writers hold its staging folder: waited for first
        for folder in output.parent.glob(f".{output.name}{pattern}"):
            _wait_for_writers(folder, deadline)
            shutil.rmtree(folder, ignore_errors=True)
    for unfinished in output.parent.glob(f".{output.name}.journal.*.tmp"):  # a journal cut short: never in use
        unfinished.unlink(missing_ok=True)
    for stale in trash_folders(output):
        delete_in_background(stale)


def _hold(folder: Path) -> int | None:
    """Open ``folder`` and lock it shared: held by every process that writes into it, closed or not."""
    if fcntl is None:
        return None
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(handle, fcntl.LOCK_SH)
    except OSError:  # a file system without locks: the sweep cannot wait, as before
        os.close(handle)
        return None
    return handle


def _wait_for_writers(folder: Path, deadline: float) -> None:
    """Wait, until ``deadline`` at most, for the processes of a killed build that still hold ``folder``.

    Its search indexer and Pagefind are stopped as it ends, but not at once: a folder
    removed before they stopped came back with their last files in it.
    """
    if fcntl is None:
        return
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return
                time.sleep(0.02)
            except OSError:
                return
    finally:
        os.close(handle)


def _discard(folder: Path, files: int) -> None:
    """Delete a trash folder: here when it holds little, else in the background."""
    if files >= DELETE_INLINE_MAX:
        delete_in_background(folder)
    else:
        shutil.rmtree(folder, ignore_errors=True)


def delete_in_background(folder: Path) -> None:
    """Delete a folder in a process that outlives this one (the build returns, the output complete).

    Should it be cut short, the next build into the same output starts it again.
    """
    command = [sys.executable, "-I", "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"]
    try:
        subprocess.Popen(
            [*command, os.fspath(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def _same_file(path: Path, stat: os.stat_result) -> bool:
    try:
        other = path.stat()
    except OSError:
        return False
    return other.st_size == stat.st_size and other.st_mtime_ns == stat.st_mtime_ns


def _link(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
    except OSError:
        return False
    return True
