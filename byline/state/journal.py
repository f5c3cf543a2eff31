"""The commit's journal: what a commit is about to change, written durably before its first rename.

A commit that raises, or the next build after one that was killed, undoes it from here;
undoing can stop anywhere and be run again.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

JOURNAL_VERSION = 1
NEW = -1  # the slot of a path that had no file before the commit
_RENAME_EXCHANGE = 2


class UnreadableJournal(Exception):
    """A journal is there but cannot be read: what the commit changed is unknown."""


@dataclass
class Change:
    """What one commit does to an output folder, in the order it does it."""

    output: Path
    staging: Path  # the staging folder: swapped in whole, or (patch) holding files written whole
    trash: Path
    swap: bool
    moves: list[tuple[str, str, int]] = field(default_factory=list)  # (source, output path, trash slot or NEW)
    drops: list[tuple[str, int]] = field(default_factory=list)  # (output path, trash slot)
    staging_inode: int = 0  # swap: how to tell whether the exchange happened
    existed: bool = False  # swap: whether there was an output to exchange with
    pid: int = field(default_factory=os.getpid)

    def touched(self) -> set[str] | None:
        """The output paths the commit changes; None for all of them (a swap)."""
        if self.swap:
            return None
        return {relative for _, relative, _ in self.moves} | {relative for relative, _ in self.drops}

    @property
    def aside(self) -> Path:
        """Where a swap without renameat2 parks the previous output for a moment."""
        return self.output.with_name(f"{self.output.name}.old-{self.pid}")


def write(path: Path, change: Change) -> None:
    """Write the journal and make it durable (the file, then its folder) before the commit changes anything."""
    data = {
        "version": JOURNAL_VERSION,
        "output": str(change.output),
        "staging": str(change.staging),
        "trash": str(change.trash),
        "swap": change.swap,
        "moves": change.moves,
        "drops": change.drops,
        "staging_inode": change.staging_inode,
        "existed": change.existed,
        "pid": change.pid,
    }
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as stream:
            json.dump(data, stream, separators=(",", ":"))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _sync_folder(path.parent)


def read(path: Path) -> Change | None:
    """The journal of a commit that did not finish, or None; UnreadableJournal when it is damaged."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UnreadableJournal(str(exc)) from None
    try:
        data = json.loads(text)
        if data["version"] != JOURNAL_VERSION:
            raise ValueError("another version")
        return Change(
            output=Path(data["output"]),
            staging=Path(data["staging"]),
            trash=Path(data["trash"]),
            swap=bool(data["swap"]),
            moves=[(str(s), str(r), int(n)) for s, r, n in data["moves"]],
            drops=[(str(r), int(n)) for r, n in data["drops"]],
            staging_inode=int(data["staging_inode"]),
            existed=bool(data["existed"]),
            pid=int(data["pid"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise UnreadableJournal(str(exc)) from None


def remove(path: Path) -> None:
    """Drop the journal: the commit is complete (or undone)."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    _sync_folder(path.parent)


def undo(change: Change) -> None:
    """Put the output back as it was before the commit; safe to run again after it stopped half-way."""
    if change.swap:
        _undo_swap(change)
        return
    root, trash = os.fspath(change.output), os.fspath(change.trash)
    made: set[str] = set()
    for _, relative, slot in reversed(change.moves):
        target = f"{root}/{relative}"
        if slot != NEW:
            saved = f"{trash}/{slot}"
            if os.path.lexists(saved):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.replace(saved, target)
        else:  # a path that had no file: remove what was moved there, and its folders if that empties them
            if os.path.lexists(target) and not os.path.isdir(target):
                os.unlink(target)
            made.add(os.path.dirname(target))
    remove_empty_folders(root, made)
    for relative, slot in reversed(change.drops):
        saved, target = f"{trash}/{slot}", f"{root}/{relative}"
        if os.path.lexists(saved):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.rename(saved, target)


def _undo_swap(change: Change) -> None:
    output, staging, aside = change.output, change.staging, change.aside
    try:
        inode: int | None = os.stat(output).st_ino
    except FileNotFoundError:
        inode = None
    if inode is None:
        if aside.exists():  # a two-rename swap stopped between its renames
            os.rename(aside, output)
        return
    if inode != change.staging_inode:
        return  # never swapped, or swapped back already
    if not change.existed:
        os.rename(output, staging)
    elif staging.exists():
        exchange(output, staging)
    else:  # a two-rename swap stopped before its last rename
        os.rename(output, staging)
        os.rename(aside, output)


def remove_empty_folders(root: str, folders: set[str]) -> None:
    """Remove each folder in ``folders`` left empty, and its parents left empty in turn (never ``root``)."""
    for folder in sorted(folders, key=len, reverse=True):
        while folder.startswith(root + "/"):
            try:
                os.rmdir(folder)  # fails, as it should, while anything is left in it
            except OSError:
                break
            folder = os.path.dirname(folder)


def exchange(a: Path, b: Path) -> None:
    """Atomically swap two folders (Linux renameat2); elsewhere three renames, which ``undo`` can finish."""
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


def _sync_folder(folder: Path) -> None:
    """Make a rename or removal in ``folder`` durable (where the system lets a folder be synced)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
