"""`python build.py` from any Python 3.11+: it runs again in the project's .venv, or says to run `make site`."""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

import build
from tests.conftest import MakeSite
from tests.helpers import ROOT


def bare_python(folder: Path) -> Path:
    """A Python with none of Byline's libraries: a virtualenv made without even pip."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    probe = subprocess.run([python, "-c", "import frontmatter"], capture_output=True, env={})
    assert probe.returncode != 0  # it really lacks them
    return python


def project(folder: Path, with_venv: bool) -> Path:
    """A copy of build.py and the byline package; with a .venv that has the libraries when asked."""
    shutil.copy(ROOT / "build.py", folder / "build.py")
    shutil.copytree(ROOT / "byline", folder / "byline", ignore=shutil.ignore_patterns("__pycache__"))
    if with_venv:
        venv = folder / ".venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        packages = next(venv.glob("lib/python3*/site-packages"))
        (packages / "libraries.pth").write_text("\n".join(site.getsitepackages()) + "\n")  # this test's own
    return folder / "build.py"


def run(python: Path, script: Path, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run as an editor's shell would, with nothing inherited: `env -i python build.py ...`."""
    command = [str(python), str(script), *(str(a) for a in args)]
    return subprocess.run(command, cwd=cwd, env={}, capture_output=True, text=True, timeout=120)


def test_check_and_new_run_from_a_python_without_the_libraries(make_site: MakeSite, tmp_path: Path) -> None:
    python = bare_python(tmp_path / "bare")
    (tmp_path / "project").mkdir()
    script = project(tmp_path / "project", with_venv=True)
    root = make_site()
    checked = run(python, script, "check", "--root", root, cwd=tmp_path)
    assert (checked.returncode, checked.stderr) == (0, "")
    assert checked.stdout.startswith("No errors: 1 published article")
    new = run(
        python,
        script,
        "new",
        "Quayside Tools opens a second depot",
        "--author",
        "simon-malia",
        "--root",
        root,
        cwd=tmp_path,
    )
    assert new.returncode == 0, new.stderr
    assert Path(new.stdout.strip()).is_file()


def test_without_a_virtualenv_one_line_says_to_run_make_site(make_site: MakeSite, tmp_path: Path) -> None:
    python = bare_python(tmp_path / "bare")
    (tmp_path / "project").mkdir()
    script = project(tmp_path / "project", with_venv=False)
    result = run(python, script, "check", "--root", make_site(), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: this Python (") and result.stderr.endswith("run 'make site'\n")


def test_a_virtualenv_without_the_libraries_is_reported_not_run_forever(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    script = project(tmp_path / "project", with_venv=False)
    python = bare_python(tmp_path / "project" / ".venv")  # as after an interrupted `make site`
    result = run(python, script, "check", cwd=tmp_path / "project")
    assert result.returncode == 2
    assert result.stderr.startswith("error: .venv lacks jinja2, markdown, frontmatter")
    assert "delete .venv and run 'make site'" in result.stderr


@pytest.mark.parametrize("requirement", tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])
def test_every_dependency_is_among_the_modules_build_py_looks_for(requirement: str) -> None:
    distribution = requirement.split(">")[0].split("<")[0].split("[")[0].strip().casefold()
    provided = {
        module for module, names in packages_distributions().items() if distribution in {n.casefold() for n in names}
    }
    assert provided & set(build.REQUIRED_MODULES), f"{distribution} provides {sorted(provided)}"
