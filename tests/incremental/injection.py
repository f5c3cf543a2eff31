"""Run a build with a fault injected at one of its named points (``byline.faults``).

A fault either raises there (an OSError, as a full disk or a failing rename would) or
ends the process there with no clean-up at all, as SIGKILL would: the build runs in a
forked child, which calls ``os._exit`` at the point. Either way the caller learns
whether the fault fired, and whether the build had passed its commit point by then.
"""

from __future__ import annotations

import errno
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from byline import faults

COMMIT_POINT = "commit:done"  # passed once the journal is removed: the build has happened
KILLED, KILLED_AFTER_COMMIT = 137, 138  # a forked build's exit status when the fault ended it


@dataclass(frozen=True)
class Fault:
    """The ``occurrence``-th time a build passes ``point``: raise there, or (``kill``) end the process."""

    point: str
    occurrence: int = 1
    kill: bool = False


@dataclass(frozen=True)
class Outcome:
    status: int  # the build's exit status (KILLED... when the fault ended it)
    fired: bool
    committed: bool  # the commit point was passed before the fault fired (or the build ended)


class _Injector:
    def __init__(self, fault: Fault):
        self.fault = fault
        self.passed: Counter[str] = Counter()
        self.fired = False

    @property
    def committed(self) -> bool:
        return self.passed[COMMIT_POINT] > 0

    def __call__(self, name: str) -> None:
        self.passed[name] += 1
        if name != self.fault.point or self.passed[name] != self.fault.occurrence:
            return
        self.fired = True
        if self.fault.kill:
            os._exit(KILLED_AFTER_COMMIT if self.committed else KILLED)
        raise OSError(errno.EIO, f"fault injected at {name}")


def points_passed(build: Callable[[], int]) -> list[str]:
    """Every point a build passes, in order, a repeated point once per pass."""
    passed: list[str] = []
    with faults.injected(passed.append):
        assert build() == 0
    return passed


def run_with_fault(build: Callable[[], int], fault: Fault) -> Outcome:
    """Run ``build`` (which returns an exit status) with ``fault`` injected."""
    injector = _Injector(fault)
    if not fault.kill:
        with faults.injected(injector):
            status = build()
        return Outcome(status, injector.fired, injector.committed)
    child = os.fork()
    if child == 0:  # the build, ended at the point with no clean-up, as SIGKILL would end it
        status = 70
        try:
            with faults.injected(injector):
                status = build()
        finally:
            os._exit(status)
    status = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
    fired = status in (KILLED, KILLED_AFTER_COMMIT)
    return Outcome(status, fired, status == KILLED_AFTER_COMMIT or (not fired and status == 0))
