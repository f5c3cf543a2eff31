"""Symlinks in content/ cannot pull in files from outside the site root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from byline.cli.main import main
from tests.conftest import MakeSite
from tests.helpers import NOW_TEXT, article, write_files


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(["check", "--root", str(root), "--now", NOW_TEXT])
    out, err = capsys.readouterr()
    return status, out, err


def test_a_symlink_to_a_file_outside_the_root_is_refused(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = write_files(tmp_path / "elsewhere", {"secret.md": article("Leaked", body="the server's secrets")})
    root = make_site()
    os.symlink(secret / "secret.md", root / "content/articles/leak.md")
    assert check(root, capsys) == (
        1,
        "",
        "content/articles/leak.md:0: symlink points outside the site root; refused\n1 error found.\n",
    )
    status = main(["--root", str(root), "--output", str(tmp_path / "out"), "--now", NOW_TEXT, "-q"])
    assert status == 1
    assert not (tmp_path / "out").exists()


def test_a_symlink_to_a_system_file_is_refused(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    os.symlink("/etc/passwd", root / "content/authors/root.md")
    status, _, err = check(root, capsys)
    assert status == 1
    assert err.splitlines()[0] == "content/authors/root.md:0: symlink points outside the site root; refused"


def test_a_symlinked_folder_pointing_outside_is_not_followed(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_files(tmp_path / "elsewhere", {"secret.md": article("Leaked")})
    root = make_site()
    os.symlink(tmp_path / "elsewhere", root / "content/articles/outside", target_is_directory=True)
    assert check(root, capsys) == (0, "No errors: 1 published article, 1 author, 0 pages.\n", "")


def test_a_symlink_within_the_site_root_is_allowed(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"drafts/shared.md": article("Shared story", "2026-02-01")})
    os.symlink(root / "drafts/shared.md", root / "content/articles/shared.md")
    assert check(root, capsys) == (0, "No errors: 2 published articles, 1 author, 0 pages.\n", "")


def test_a_dangling_symlink_is_a_problem_not_a_traceback(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site()
    os.symlink(root / "content/articles/missing-target.md", root / "content/articles/dangling.md")
    status, _, err = check(root, capsys)
    assert status == 1
    assert err.splitlines()[0].startswith("content/articles/dangling.md:0: ")
    assert "Traceback" not in err
