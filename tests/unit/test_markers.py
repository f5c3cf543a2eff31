"""Tests that need Chromium or Java cannot go unmarked, so `pytest -m 'not browser and not nu'` runs anywhere."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.markers import BROWSER_TESTS, unmarked

OTHER_TESTS = Path(__file__).resolve().parent


def item(folder: Path, fixtures: tuple[str, ...] = (), markers: tuple[str, ...] = ()) -> pytest.Item:
    """Just enough of a collected test for the rule: where it is, the fixtures it asks for, its markers."""
    nodeid = f"{folder.name}/test_x.py::test_y"
    marks = {name: getattr(pytest.mark, name).mark for name in markers}
    fake = SimpleNamespace(
        path=folder / "test_x.py", fixturenames=fixtures, nodeid=nodeid, get_closest_marker=marks.get
    )
    return fake  # type: ignore[return-value]


def test_a_browser_test_must_be_marked_browser() -> None:
    assert unmarked([item(BROWSER_TESTS)]) == ["browser/test_x.py::test_y: needs @pytest.mark.browser"]
    assert unmarked([item(BROWSER_TESTS, markers=("browser",))]) == []


def test_a_test_asking_for_the_nu_checker_must_be_marked_nu() -> None:
    assert unmarked([item(OTHER_TESTS, ("tmp_path", "nu_checker"))]) == [
        "unit/test_x.py::test_y: needs @pytest.mark.nu"
    ]
    assert unmarked([item(OTHER_TESTS, ("nu_checker",), ("nu",))]) == []


def test_other_tests_need_no_marker() -> None:
    assert unmarked([item(OTHER_TESTS, ("tmp_path",))]) == []
