"""Write a build into a staging folder beside the output, and put it in place only on success.

A failed build never touches the previous output. A first build (or --clean) is staged
whole and swapped in with one atomic rename. A rebuild stages only the files that
changed and, once everything has rendered, renames each into place (each file
atomically) and removes the files the site no longer has: at 10,000 articles that is a
handful of renames instead of re-linking 14,000 files.

What a build replaces or drops goes to a trash folder beside the output and is deleted
after the commit, by a process of its own when it is a lot: on ext4, freeing a page's
blocks is most of the cost of replacing it (10,000 pages: 2.8 s replaced in place,
0.56 s linked aside and then replaced, the 2.7 s of deletion no longer waited for).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from byline.errors import UsageError

MARKER = ".well-known/byline.json"  # written by every build; proves a folder is ours to replace
_RENAME_EXCHANGE = 2
DELETE_INLINE_MAX = 500  # a trash of fewer files is deleted at once; a bigger one, in the background
_TRASH_NUMBERS = itertools.count()


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

    def __init__(self, output: Path, patch: bool = False):
        self.output = output.resolve()
        self.path = self.output.parent / f".{self.output.name}.staging-{os.getpid()}"
        # Patch mode: written files wait here under flat names, so a rebuild that rewrites
        # 10,000 pages does not make (and then remove) 10,000 folders; see ``write``.
        self.flat = self.output.parent / f".{self.output.name}.flat-{os.getpid()}"
        # Its own name each build: the preview builds again and again in one process, while
        # the last build's trash may still be being deleted.
        self.trash = Trash(self.output.parent / f".{self.output.name}.trash-{os.getpid()}-{next(_TRASH_NUMBERS)}")
        self.files = 0
        self.patch = patch and self.output.is_dir()  # stage changes only, over the previous output
        self._kept: set[str] = set()  # unchanged files left where they are (patch mode)
        self._written: set[str] = set()  # written by this process (workers' are declared with ``expect``)
        self._folders: set[Path] = set()  # made already: mkdir costs a system call even when it exists

    def __enter__(self) -> Staging:
        self.output.parent.mkdir(parents=True, exist_ok=True)
        for folder in (self.path, self.flat):
            if folder.exists():
                shutil.rmtree(folder)
        for stale in trash_folders(self.output):  # a deletion cut short
            delete_in_background(stale)
        self.path.mkdir()
        if self.patch:
            self.flat.mkdir()
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:
            for folder in (self.path, self.flat):
                if folder.exists():
                    shutil.rmtree(folder, ignore_errors=True)

    def write(self, relative: str, data: bytes) -> None:
        """Write one file; safe to call from forked workers (counting is the caller's).

        When patching, the file is kept under a flat name (a hash of its path) until the
        commit renames it into place; the build declares every path it produced with
        ``expect``, which is how the commit knows each name's path.
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
        declares every path the build produced with ``expect``.
        """
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
            unchanged = previous is not None and _same_file(previous / relative, source.stat())
            if self.patch and unchanged:
                self._kept.add(relative)
            elif not (unchanged and _link(previous / relative, target)):  # type: ignore[operator]
                shutil.copy2(source, target)
            self.files += 1

    def commit(self) -> WriteStats:
        """Put the build in place: patch the previous output, or swap the staging folder in whole."""
        if self.patch:
            return WriteStats(self._apply())
        if self.output.exists():
            _exchange(self.path, self.output)  # the staging folder now holds the previous build
            os.rename(self.path, self.trash.folder)
            _discard(self.trash.folder, self.files)
        else:
            os.rename(self.path, self.output)
        return WriteStats(self.files)

    def _apply(self) -> int:
        """Rename each staged file into the output, then delete what this build did not produce.

        Plain strings, not Paths: a template edit at 10,000 articles moves 10,000 files here.
        """
        produced = set(self._kept)
        staged = self._flat_files()
        for dirpath, _, filenames in os.walk(self.path):  # files written whole, such as search bundles
            prefix = os.path.relpath(dirpath, self.path).replace(os.sep, "/")
            prefix = "" if prefix == "." else prefix + "/"
            staged += [(os.path.join(dirpath, name), prefix + name) for name in filenames]
        root = os.fspath(self.output)
        made: set[str] = set()
        for source, relative in staged:
            produced.add(relative)
            target = f"{root}/{relative}"
            folder = target.rpartition("/")[0]
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            self.trash.keep(target)
            os.replace(source, target)
        self.flat.rmdir()
        shutil.rmtree(self.path)
        _delete_unproduced(self.output, produced, self.trash)
        self.trash.empty()
        return len(produced)

    def _flat_files(self) -> list[tuple[str, str]]:
        """Each flat-named file with its path in the output, all resolved before anything moves."""
        paths = {_flat_name(relative): relative for relative in self._kept | self._written}
        found = []
        flat = os.fspath(self.flat)
        for name in sorted(os.listdir(flat)):
            if name not in paths:  # a write nobody declared: a bug, caught before the output changes
                raise RuntimeError(f"staged file {name} was written but not declared with expect()")
            found.append((f"{flat}/{name}", paths[name]))
        return found


def _flat_name(relative: str) -> str:
    return hashlib.blake2b(relative.encode(), digest_size=20).hexdigest()


def _delete_unproduced(output: Path, produced: set[str], trash: Trash) -> None:
    """Remove files the new build does not have (into the trash), then the folders that left empty."""
    root = str(output)
    emptied: set[str] = set()
    for dirpath, _, filenames in os.walk(root, topdown=False):
        prefix = "" if dirpath == root else dirpath[len(root) + 1 :].replace(os.sep, "/") + "/"
        for name in filenames:
            if prefix + name not in produced:
                trash.take(os.path.join(dirpath, name))
                emptied.add(dirpath)
        if dirpath in emptied and dirpath != root:
            try:
                os.rmdir(dirpath)  # fails, as it should, while anything is left in it
            except OSError:
                continue
            emptied.add(os.path.dirname(dirpath))


class Trash:
    """A folder for the files a patch replaces or removes, deleted once the output is patched.

    A file about to be replaced is first hard-linked here, so replacing it only drops a
    link (readers still see each path change in one step) and freeing its blocks waits.
    Where links fail (a filesystem without them), the file is simply replaced.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        self._made = False

    def keep(self, path: Path | str) -> None:
        """Link aside a file that is about to be replaced; nothing to do for a new one."""
        self._put(os.link, path)

    def take(self, path: Path | str) -> None:
        """Move a file the site no longer has out of the output."""
        if not self._put(os.rename, path):
            os.unlink(path)

    def _put(self, how: Callable[[str, str], None], path: Path | str) -> bool:
        if not self._made:
            self.folder.mkdir(exist_ok=True)
            self._made = True
        try:
            how(os.fspath(path), f"{self.folder}/{self.count}")
        except OSError:
            return False
        self.count += 1
        return True

    def empty(self) -> None:
        """Delete what was put aside."""
        if self._made:
            _discard(self.folder, self.count)


def trash_folders(output: Path) -> list[Path]:
    """The trash folders beside ``output``: of builds still deleting theirs, or cut short."""
    return list(output.parent.glob(f".{output.name}.trash-*"))


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


def _exchange(a: Path, b: Path) -> None:
    """Atomically swap two folders (Linux renameat2); elsewhere two renames in quick succession."""
    libc_name = ctypes.util.find_library("c")
    renameat2 = getattr(ctypes.CDLL(libc_name, use_errno=True), "renameat2", None) if libc_name else None
    if renameat2 is not None:
        at_fdcwd = -100
        if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return
    aside = b.with_name(b.name + f".old-{os.getpid()}")
    os.rename(b, aside)
    os.rename(a, b)
    os.rename(aside, a)
