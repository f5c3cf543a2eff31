"""Worker processes and the garbage collector: stages pause it, forks freeze the parent's heap."""

from __future__ import annotations

import gc
from collections.abc import Sequence

import pytest

from byline.parallel import can_fork, collection_paused, fork_map


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
