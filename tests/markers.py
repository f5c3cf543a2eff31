"""Which tests need tools beyond Python, so that ``pytest -m 'not browser and not nu'`` runs on any machine.

``browser``: every test under tests/browser/ (Debian's Chromium, driven by Playwright, and npm's axe-core).
``nu``: every test that asks for the ``nu_checker`` fixture (Java and npm's vnu.jar).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def needs(item: pytest.Item) -> set[str]:
    """The markers a test must carry for what it needs."""
    needed = set()
    if item.path.is_relative_to(BROWSER_TESTS):
        needed.add("browser")
    if "nu_checker" in getattr(item, "fixturenames", ()):
        needed.add("nu")
    return needed


def unmarked(items: Iterable[pytest.Item]) -> list[str]:
    """Each test that needs a tool its markers do not name, as 'node id: needs @pytest.mark.x'."""
    problems = []
    for item in items:
        for marker in sorted(needs(item)):
            if item.get_closest_marker(marker) is None:
                problems.append(f"{item.nodeid}: needs @pytest.mark.{marker}")
    return problems
