"""The build's rendering stage: which outputs render, and where (in this process or in workers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from byline import pipeline
from tests.conftest import MakeSite
from tests.helpers import article, build_site, write_files
from tests.unit.test_plan import many_articles


def spy_on_workers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Record (items, workers) of every rendering pass."""
    calls: list[tuple[int, int]] = []
    real = pipeline.fork_map

    def fork_map(job: Callable[[Sequence[int]], Any], count: int, jobs: int, progress: Any = None) -> list[Any]:
        calls.append((count, jobs))
        return real(job, count, jobs, progress)

    monkeypatch.setattr(pipeline, "fork_map", fork_map)
    return calls


def test_a_first_build_renders_everything_in_workers(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_MIN", 10)
    calls = spy_on_workers(monkeypatch)
    first = build_site(make_site(many_articles(12)), jobs=2)
    assert calls == [(first.rendered, 2)]
    assert first.rendered > 10


def test_a_rebuild_compares_here_and_renders_a_few_changed_pages_without_workers(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_MIN", 10)
    root = make_site(many_articles(12))
    first = build_site(root, jobs=2)
    calls = spy_on_workers(monkeypatch)
    write_files(root, {"content/articles/n12.md": article("Story 12", "2026-02-18 09:00", body="Edited.")})
    second = build_site(root, first.output, jobs=2)
    assert 0 < second.rendered < 10
    assert calls == [(second.rendered, 1)]  # only the changed pages reach the rendering pass
    assert "Edited." in (first.output / "articles/2026/02/18/story-12/index.html").read_text()


def test_a_rebuild_that_changes_many_pages_renders_them_in_workers(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_MIN", 10)
    root = make_site(many_articles(12))
    first = build_site(root, jobs=2)
    calls = spy_on_workers(monkeypatch)
    (root / "site.toml").write_text('name = "Renamed Daily"\n')  # every page shows the name
    second = build_site(root, first.output, jobs=2)
    assert calls == [(second.rendered, 2)]
    assert second.rendered == first.rendered
