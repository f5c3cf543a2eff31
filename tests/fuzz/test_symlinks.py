"""Symlinks in content/, static/ and templates/ cannot pull in files from outside the site root."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest

from byline.cli.main import main
from byline.output.render import Renderer
from tests.conftest import MakeSite
from tests.helpers import NOW_TEXT, article, deadline, write_files


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


def build(root: Path, output: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["--root", str(root), "--output", str(output), "--now", NOW_TEXT, "-q", "--jobs", "1"])
    return status, capsys.readouterr().err


@pytest.mark.parametrize(
    ("link", "target", "shown"),
    [
        ("static/images/env.txt", "/proc/self/environ", "static/images/env.txt"),
        ("static/images/passwd.txt", "/etc/passwd", "static/images/passwd.txt"),
        ("static/elsewhere", "{outside}", "static/elsewhere"),
        ("static", "{outside}", "static"),
        ("static/css/style.css", "{outside}/secret.txt", "static/css/style.css"),
    ],
    ids=["environ", "system-file", "folder", "static-itself", "overriding-a-theme-file"],
)
def test_a_static_symlink_out_of_the_site_is_refused_and_nothing_published(
    make_site: MakeSite,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    link: str,
    target: str,
    shown: str,
) -> None:
    # Regression (issue 16, defect 4): the build published its own environment (CI secrets) at /static/images/env.txt.
    monkeypatch.setenv("SECRET_TOKEN", "do-not-publish-me")
    outside = write_files(tmp_path / "elsewhere", {"secret.txt": "do-not-publish-me"})
    root = make_site({"static/images/logo.txt": "ours"})
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    if link == "static":
        (root / "static/images/logo.txt").unlink()
        (root / "static/images").rmdir()
        (root / "static").rmdir()
    os.symlink(target.format(outside=outside), root / link)
    refused = f"{shown}:0: symlink points outside the site root; refused"
    assert check(root, capsys) == (1, "", f"{refused}\n1 error found.\n")
    assert build(root, tmp_path / "out", capsys) == (
        1,
        f"{refused}\nBuild failed: 1 error; {_shown(tmp_path / 'out')} was left as it was.\n",
    )
    assert not (tmp_path / "out").exists()


def _shown(path: Path) -> str:
    return os.path.relpath(path) + os.sep


def test_static_symlinks_within_the_site_root_are_published(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site({"shared/logo.txt": "shared logo", "shared/icons/a.txt": "icon a", "static/own.txt": "own"})
    os.symlink(root / "shared/logo.txt", root / "static/logo.txt")
    os.symlink(root / "shared/icons", root / "static/icons", target_is_directory=True)
    os.symlink(root / "static", root / "static/again", target_is_directory=True)  # a loop: walked once
    assert build(root, tmp_path / "out", capsys) == (0, "")
    published = tmp_path / "out/static"
    assert (published / "logo.txt").read_text() == "shared logo"
    assert (published / "icons/a.txt").read_text() == "icon a"
    assert not (published / "again").exists()


def test_a_fifo_in_static_is_refused_not_copied(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site({"static/own.txt": "own"})
    os.mkfifo(root / "static/pipe.txt")
    with deadline(30):
        status, _, err = check(root, capsys)
    assert (status, err) == (
        1,
        "static/pipe.txt:0: this is not a regular file (a FIFO, socket or device); refused\n1 error found.\n",
    )
    with deadline(30):
        assert build(root, tmp_path / "out", capsys)[0] == 1


@pytest.mark.parametrize("link", ["templates/base.html", "templates"])
def test_a_template_symlink_out_of_the_site_is_refused(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str], link: str
) -> None:
    outside = write_files(tmp_path / "elsewhere", {"base.html": "{{ site.name }} SECRET"})
    root = make_site()
    (root / "templates").mkdir(exist_ok=link != "templates")
    if link == "templates":
        (root / "templates").rmdir()
    os.symlink(outside / "base.html" if link.endswith(".html") else outside, root / link)
    refused = f"{link}:0: symlink points outside the site root; refused"
    assert check(root, capsys) == (1, "", f"{refused}\n1 error found.\n")
    assert build(root, tmp_path / "out", capsys)[0] == 1
    assert not (tmp_path / "out").exists()
    renderer = Renderer(root)
    if link == "templates":
        assert root / "templates" not in renderer.dirs
    else:
        with pytest.raises(jinja2.TemplateNotFound, match="symlink points outside the site root"):
            renderer.env.get_template("base.html")
