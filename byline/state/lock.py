"""One build at a time per output folder: a second build is refused with a clear message.

Two builds into the same folder would each link "unchanged" files from an output the
other is about to replace, and record fingerprints for files they did not write: the
site and its cache would disagree. The lock is an advisory ``flock`` on a file in the
site's ``.byline-cache/`` named after the output folder, so builds into different
folders (the preview server's and ``public/``) still run side by side. The kernel drops
the lock when its process ends, however it ends: there is no stale lock to clean up.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from byline.errors import UsageError

try:
    import fcntl
except ImportError:  # Windows: builds are not locked there
    fcntl = None  # type: ignore[assignment]

LOCK_DIR = ".byline-cache"


class BuildLocked(UsageError):
    """Another build is writing to the same output folder (exit status 2, like other refusals)."""


def lock_path(root: Path, output: Path) -> Path:
    """The lock file for builds of ``root`` into ``output``."""
    digest = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16]
    return root / LOCK_DIR / f"build-{digest}.lock"


@contextlib.contextmanager
def output_lock(root: Path, output: Path) -> Iterator[None]:
    """Hold the build lock of ``output`` for the block, or raise BuildLocked at once."""
    path = lock_path(root, output)
    handle = _open(path)
    if handle is None or fcntl is None:  # cannot create a lock file (read-only site root): build unlocked
        yield
        return
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(_refusal(handle, output)) from None
        _describe_holder(handle, output)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _open(path: Path) -> TextIO | None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed by output_lock
    except OSError:
        return None


def _describe_holder(handle: TextIO, output: Path) -> None:
    """Write who holds the lock, so a refused build can say which process to wait for."""
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()} {time.strftime('%Y-%m-%d %H:%M:%S')} {output.resolve()}\n")
    handle.flush()


def _refusal(handle: TextIO, output: Path) -> str:
    handle.seek(0)
    holder = handle.read().split(" ", 3)
    who = f" (process {holder[0]}, started {holder[1]} {holder[2]})" if len(holder) >= 3 else ""
    return f"another build{who} is writing to {output}; wait for it to finish, then build again"
