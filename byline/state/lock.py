"""One build at a time per output folder: a second build is refused with a clear message.

Two builds into one folder would each reuse files the other is replacing, and the cache would
disagree with the site; a ``flock`` beside the output ends with its process, so none goes stale.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from byline.errors import UsageError

try:
    import fcntl
except ImportError:  # Windows: builds are not locked there
    fcntl = None  # type: ignore[assignment]  # mypy binds the name to the module only


class BuildLocked(UsageError):
    """Another build is writing to the same output folder (exit status 2, like other refusals)."""


def lock_path(output: Path) -> Path:
    """The lock file of builds into ``output``: beside it, as its staging folders are."""
    output = output.resolve()
    return output.parent / f".{output.name}.build-lock"


@contextlib.contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold the build lock of ``output`` for the block, or raise BuildLocked at once.

    The lock file exists only while held, so nothing is left beside the output; a build that
    locked a file just removed sees its inode is no longer the path's and opens the new one.
    """
    path = lock_path(output)
    handle = _acquire(path, output)
    if handle is None:  # cannot create a lock file (read-only folder, or no flock): build unlocked
        yield
        return
    try:
        _describe_holder(handle, output)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _acquire(path: Path, output: Path) -> TextIO | None:
    """The lock file, opened and locked; BuildLocked while another build holds it."""
    while True:
        handle = _open(path)
        if handle is None or fcntl is None:
            if handle is not None:
                handle.close()
            return None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = _refusal(handle, output)
            handle.close()
            raise BuildLocked(message) from None
        try:
            if os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino:
                return handle
        except FileNotFoundError:
            pass
        handle.close()  # its holder removed it as this build opened it: lock the path's file now


def _open(path: Path) -> TextIO | None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed by output_lock
    except OSError:
        return None


def _describe_holder(handle: TextIO, output: Path) -> None:
    """Write who holds the lock, so a refused build can say which process to wait for."""
    with contextlib.suppress(OSError):  # a full disk: the lock holds all the same, only unnamed
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {time.strftime('%Y-%m-%d %H:%M:%S')} {output.resolve()}\n")
        handle.flush()


def _refusal(handle: TextIO, output: Path) -> str:
    handle.seek(0)
    holder = handle.read().split(" ", 3)
    who = f" (process {holder[0]}, started {holder[1]} {holder[2]})" if len(holder) >= 3 else ""
    return f"another build{who} is writing to {output}; wait for it to finish, then build again"
