"""Run a job over chunks of in-memory work in forked worker processes.

Forking shares the parent's loaded site with the workers for free (copy-on-write),
so only chunk indices go out and small results come back; nothing big is pickled.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar, cast

Progress = Callable[[int, int], None]
R = TypeVar("R")

_job: Callable[[Sequence[int]], object] | None = None
_tick: Callable[[int], None] | None = None
_lived = 0  # how many long_lived() blocks are open
_ENDING = {signal.SIGINT, signal.SIGTERM}


def _run(chunk: Sequence[int]) -> object:
    assert _job is not None
    return _job(chunk)


def tick(done: int = 1) -> None:
    """Called by jobs as they finish items, to drive the progress display."""
    if _tick is not None:
        _tick(done)


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a stage builds long-lived data.

    Those stages make no reference cycles and what they make lives to the end of the
    build, so a collection there would only walk it again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        settle()
    finally:
        if enabled:
            gc.enable()


@contextmanager
def long_lived() -> Iterator[None]:
    """Let ``settle()`` mark what a build has made so far as long-lived, until the build ends.

    ``gc.freeze()`` keeps collections from walking the site, views and plan again and again;
    a cycle in them waits for the outermost exit (the preview builds many times in one process).
    """
    global _lived
    _lived += 1
    try:
        yield
    finally:
        _lived -= 1
        if _lived == 0:
            gc.unfreeze()


def give_back_freed() -> None:
    """Return the heap's free pages to the system (glibc's ``malloc_trim``); elsewhere a no-op.

    Freed objects of more than 512 bytes go back to C's heap, which Python's small objects
    never reuse: without this, the files' bytes freed after the load stay in the process
    to the end of the build (docs/design.md, "Memory given back").
    """
    if _malloc_trim is not None:
        _malloc_trim(0)


def _find_malloc_trim() -> Callable[[int], int] | None:
    try:
        return cast(Callable[[int], int], ctypes.CDLL(None).malloc_trim)
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS, Windows): nothing to call
        return None


_malloc_trim = _find_malloc_trim()


def settle() -> None:
    """Mark everything made so far as long-lived (see ``long_lived``): a no-op outside one."""
    if _lived:
        gc.freeze()


def _start_worker() -> None:
    """In each forked worker: collect garbage again, and let SIGINT and SIGTERM end it at once.

    Inherited Python handlers run only between bytecodes, so a worker stuck in C code
    ignored the pool's ``terminate()`` and the pool waited for ever.
    """
    gc.enable()
    for number in _ENDING:
        signal.signal(number, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _ENDING)  # a SIGTERM sent before now is delivered here


@contextmanager
def _ending_signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while workers fork, so none reaches a worker before its default action is back.

    A worker starts with the parent's handlers; a ``terminate()`` that came before
    ``_start_worker`` ran was swallowed by them and the pool waited forever.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, _ENDING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _ENDING)


def can_fork() -> bool:
    """Forking is only available on POSIX systems with the fork start method."""
    return os.name == "posix" and "fork" in multiprocessing.get_all_start_methods()


def fork_map(job: Callable[[Sequence[int]], R], count: int, jobs: int, progress: Progress | None = None) -> list[R]:
    """Apply ``job`` to strided chunks of range(count); in-process when one job suffices."""
    return list(fork_imap(job, count, jobs, progress, in_process_chunk=count))


def fork_imap(
    job: Callable[[Sequence[int]], R],
    count: int,
    jobs: int,
    progress: Progress | None = None,
    in_process_chunk: int = 256,
    most: int | None = None,
) -> Iterator[R]:
    """Like fork_map, but yield each chunk's result as it arrives, so the caller can use and drop it.

    ``most`` caps a worker's chunk: what one chunk returns is held whole while it is used.
    """
    global _job, _tick
    if count == 0:
        return
    jobs = max(1, min(jobs, count))
    if jobs == 1 or not can_fork():
        done = [0]

        def local_tick(n: int) -> None:
            done[0] += n
            if progress:
                progress(done[0], count)

        step = max(1, in_process_chunk)
        for start in range(0, count, step):
            _tick = local_tick
            try:
                result = job(range(start, min(count, start + step)))
            finally:
                _tick = None
            yield result
        return
    n_chunks = min(count, max(jobs * 4, -(-count // most) if most else 0))
    chunks = [range(i, count, n_chunks) for i in range(n_chunks)]
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)

    def shared_tick(n: int) -> None:
        with counter.get_lock():
            counter.value += n

    _job, _tick = job, shared_tick
    # Frozen objects are never walked by the children's collector, so the pages holding the
    # parent's site stay shared instead of being copied into every worker.
    try:
        with long_lived():
            settle()  # before the pool forks its workers
            with _ending_signals_held():
                pool = context.Pool(jobs, initializer=_start_worker)
            with pool:
                results = pool.imap_unordered(_run, chunks, chunksize=1)
                for _ in chunks:
                    while True:
                        try:
                            made = results.next(timeout=0.25)
                            break
                        except multiprocessing.TimeoutError:
                            if progress:
                                progress(counter.value, count)
                    yield cast(R, made)  # what job returned, in a worker
    finally:
        _job, _tick = None, None
