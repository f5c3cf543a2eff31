"""The import contracts in pyproject.toml hold, and break when a stage imports upwards or sideways.

``make test`` runs ``lint-imports`` on the repository itself; these tests run it on a
copy of byline/ with one import added, to show each contract would catch it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

LINT = "from importlinter.cli import lint_imports_command; raise SystemExit(lint_imports_command())"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on the byline/ under ``root`` (found first on the path), with root's pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    command = [sys.executable, "-c", LINT, "--no-logo", "--no-cache"]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "byline", tmp_path / "byline", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def _add_import(module: Path, line: str) -> None:
    module.write_text(f"{line}  # noqa: F401\n{module.read_text('utf-8')}", "utf-8")


def test_the_repository_keeps_its_import_contracts() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


# One import each contract must refuse, and the line of lint-imports' report that says so.
BREAKAGES = [
    ("urls.py", "from byline.site.model import Site", "byline.urls is not allowed to import byline.site"),
    ("content/load.py", "from byline.output import plan", "byline.content is not allowed to import byline.output"),
    ("output/body.py", "from byline.state import cache", "byline.output is not allowed to import byline.state"),
    ("state/lock.py", "from byline.output import body", "byline.state is not allowed to import byline.output"),
    ("pipeline.py", "from byline.preview import state", "byline.pipeline is not allowed to import byline.preview"),
]


def test_each_import_upwards_or_between_output_and_state_and_each_unplaced_module_is_reported(copy: Path) -> None:
    """One run over a copy with every breakage, and a module no layer names: lint-imports reports each."""
    for module, line, _ in BREAKAGES:
        _add_import(copy / "byline" / module, line)
    (copy / "byline" / "nowhere.py").write_text('"""Somewhere new."""\n', "utf-8")
    result = _lint(copy)
    assert result.returncode == 1
    assert "Stages import only downwards BROKEN" in result.stdout
    assert [broken for _, _, broken in BREAKAGES if broken not in result.stdout] == []
    assert "- byline.nowhere" in result.stdout


def test_a_foundation_importing_a_stage_breaks_the_foundations_contract_too(copy: Path) -> None:
    _add_import(copy / "byline" / "dates.py", "from byline.content.models import Article")
    result = _lint(copy)
    assert result.returncode == 1
    assert "Foundations import no stage BROKEN" in result.stdout
    assert "byline.dates is not allowed to import byline.content" in result.stdout
