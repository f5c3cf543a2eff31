"""Worker processes and the garbage collector: stages pause it, builds and forks freeze what lives long."""

from __future__ import annotations

import gc
import signal
import subprocess
import sys
import textwrap
from collections.abc import Sequence

import pytest

from byline import parallel
from byline.parallel import can_fork, collection_paused, fork_map, give_back_freed, long_lived, settle


def test_collection_is_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_inside_a_pause_leaves_collection_off_until_the_outer_one_ends() -> None:
    with collection_paused():
        with collection_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collection_resumes_when_the_stage_fails() -> None:
    with pytest.raises(ValueError), collection_paused():
        raise ValueError("a stage failed")
    assert gc.isenabled()


def test_workers_collect_their_own_garbage_and_the_parent_heap_is_unfrozen_after() -> None:
    assert can_fork()  # CI and the build run on Linux, where parsing and rendering fork workers

    def job(indices: Sequence[int]) -> list[tuple[int, bool, int]]:
        return [(i, gc.isenabled(), gc.get_freeze_count()) for i in indices]

    with collection_paused():
        results = [row for chunk in fork_map(job, 8, 2) for row in chunk]
    assert sorted(i for i, _, _ in results) == list(range(8))
    assert all(enabled for _, enabled, _ in results)  # workers run with collection on
    assert all(frozen > 0 for _, _, frozen in results)  # and never walk the parent's objects
    assert gc.get_freeze_count() == 0


def test_workers_end_at_once_on_sigterm_and_sigint_whatever_the_parent_handles() -> None:
    """The pool ends its workers with SIGTERM: a Python handler inherited from the preview could not run in a stuck one."""

    def job(indices: Sequence[int]) -> list[bool]:
        return [signal.getsignal(s) == signal.SIG_DFL for s in (signal.SIGINT, signal.SIGTERM) for _ in indices]

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for number in handlers:
            signal.signal(number, lambda *_: None)
        results = [ok for chunk in fork_map(job, 4, 2) for ok in chunk]
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    assert results and all(results)


# A worker that is still starting when the pool, its work done, sends SIGTERM: the second
# worker's start is held up until the first has done every chunk.
_LATE_WORKER = textwrap.dedent(
    """
    import multiprocessing, signal, time
    from byline import parallel

    started = multiprocessing.get_context("fork").Value("i", 0)
    real_start = parallel._start_worker

    def late_start():
        with started.get_lock():
            started.value += 1
            second = started.value == 2
        if second:
            time.sleep(1.0)
        real_start()

    parallel._start_worker = late_start
    signal.signal(signal.SIGTERM, lambda *_: None)  # the preview's handler, inherited by workers
    print(sum(len(chunk) for chunk in parallel.fork_map(lambda indices: list(indices), 2, 2)))
    """
)


def test_a_worker_told_to_end_before_it_has_started_still_ends() -> None:
    """Regression: a SIGTERM that reached a worker before its start-up was swallowed, and the pool hung."""
    done = subprocess.run([sys.executable, "-c", _LATE_WORKER], capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout.strip()) == (0, "2"), done.stderr


def frozen(value: object) -> bool:
    """Whether the collector has set ``value`` aside: frozen objects are in none of its generations."""
    return gc.is_tracked(value) and not any(item is value for item in gc.get_objects())


def test_settled_objects_stay_frozen_until_the_outermost_long_lived_block_ends() -> None:
    kept = {"card": [1, 2, 3]}
    with long_lived():
        settle()
        assert frozen(kept)  # collections no longer walk it
        with long_lived():
            settle()
        assert frozen(kept), "an inner block leaves the build's data frozen"
        assert list(fork_map(lambda indices: list(indices), 4, 2))
        assert frozen(kept), "so does a pass of workers inside the build"
    assert not frozen(kept) and gc.get_freeze_count() == 0, "a long-running preview can collect the last build"


def test_settle_outside_a_long_lived_block_freezes_nothing() -> None:
    kept = {"card": [1, 2, 3]}
    settle()
    assert not frozen(kept) and gc.get_freeze_count() == 0


def test_a_failing_build_still_unfreezes() -> None:
    with pytest.raises(ValueError), long_lived():
        settle()
        raise ValueError("a stage failed")
    assert gc.get_freeze_count() == 0


def test_what_a_paused_stage_made_is_settled_when_it_ends() -> None:
    with long_lived():
        with collection_paused():
            made = {"view": [1, 2]}
            assert not frozen(made)
        assert frozen(made)
    assert not frozen(made)


def test_freed_memory_goes_back_to_the_system() -> None:
    """A file's bytes freed after the load stayed in the process: C's heap keeps what Python frees in it."""
    code = textwrap.dedent(
        """
        from byline.parallel import give_back_freed
        def rss():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * 4096 // 2**20
        blocks = [bytes(4000) + bytes([i % 256]) for i in range(16_000)]  # 64 MB, each too big for Python's pools
        pin = bytearray(5000)  # made after them: the heap cannot just shrink from its top
        full = rss()
        del blocks
        freed = rss()
        give_back_freed()
        print(full, freed, rss())
        """
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    full, freed, given_back = map(int, ran.stdout.split())
    assert freed > full - 16, "freeing alone leaves the pages in the process"
    assert given_back < full - 48, (full, freed, given_back)
    give_back_freed()  # callable in this process too


@pytest.mark.parametrize("failure", [OSError("no such library"), AttributeError("malloc_trim"), TypeError("None")])
def test_without_glibcs_malloc_trim_giving_memory_back_does_nothing(
    failure: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    """musl and macOS have no malloc_trim, and Windows loads no library by None: the build goes on."""

    def unavailable(name: object) -> object:
        raise failure

    monkeypatch.setattr(parallel.ctypes, "CDLL", unavailable)
    found = parallel._find_malloc_trim()
    assert found is None
    monkeypatch.setattr(parallel, "_malloc_trim", found)
    give_back_freed()
