"""Fixtures shared by the core build's tests: temporary fixture sites from inline files.

Helpers to build in-process (``build_site``, ``check_site``) and as a user would
(``run_cli``: ``python build.py ...`` in a subprocess) live in tests/helpers.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.helpers import AUTHOR, AUTHOR_PATH, article, write_files
from tests.markers import unmarked

MakeSite = Callable[..., Path]


@pytest.hookimpl(tryfirst=True)  # before -m deselects anything: every test is checked on every run
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a test that needs Chromium or Java but is not marked so (see tests/markers.py)."""
    if problems := unmarked(items):
        raise pytest.UsageError("tests needing tools beyond Python must be marked:\n" + "\n".join(problems))


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """Return ``make(files, with_author=True, with_article=True) -> site root``.

    Each call writes a fresh site root under ``tmp_path`` from ``{relative path: text}``.
    By default it adds one author (simon-malia) and one article so the site builds;
    ``files`` override those paths, and ``None`` as a value leaves a default file out.
    """
    counter = itertools.count(1)

    def make(
        files: Mapping[str, str | bytes | None] | None = None,
        with_author: bool = True,
        with_article: bool = True,
    ) -> Path:
        root = tmp_path / f"site{next(counter)}"
        defaults: dict[str, str | bytes | None] = {}
        if with_author:
            defaults[AUTHOR_PATH] = AUTHOR
        if with_article:
            defaults["content/articles/quayside.md"] = article()
        merged = {**defaults, **(files or {})}
        root.mkdir(parents=True)
        (root / "content" / "articles").mkdir(parents=True)
        return write_files(root, {k: v for k, v in merged.items() if v is not None})

    return make
