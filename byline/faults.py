"""Named points a build passes through, where tests inject faults: an exception, or the process ending.

Each stage (``stage:<name>``) and commit step (``commit:<step>``) calls ``point``, which outside
tests only looks up a hook that is not set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Hook = Callable[[str], None]

_hook: Hook | None = None


def point(name: str) -> None:
    """Pass the named point: the test's hook, if one is set, may raise here or end the process."""
    if _hook is not None:
        _hook(name)


@contextmanager
def injected(hook: Hook) -> Iterator[None]:
    """Call ``hook`` at every point passed inside the block."""
    global _hook
    previous, _hook = _hook, hook
    try:
        yield
    finally:
        _hook = previous
