"""Every input of issue 16's review, as `check` and the build see it: the same errors, as `path:line` lines.

Each input passed `check` and broke the build, hung it, or published something it must not.
Now `check` and the build both exit 1 with the same `path:line: message` lines (the `new`
commands exit 2 with one `error:` line), promptly, and the build writes nothing.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from byline.cli.main import main
from tests.fuzz.strategies import PROBLEM
from tests.helpers import AUTHOR, AUTHOR_PATH, NOW_TEXT, article, deadline, write_files

ARTICLE = "content/articles/quayside.md"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">{}</svg>\n'
Setup = Callable[[Path], None]


def with_article(**keys: str) -> Setup:
    return lambda root: write_files(root, {ARTICLE: article(**keys)})


def link(path: str, target: str, folder: bool = False) -> Setup:
    def make(root: Path) -> None:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target.replace("{root}", str(root)), root / path, target_is_directory=folder)

    return make


def fifo(path: str) -> Setup:
    return lambda root: os.mkfifo(root / path)


def sparse(path: str) -> Setup:
    def make(root: Path) -> None:
        with open(root / path, "wb") as stream:
            stream.truncate(1_000_000_000)

    return make


def write(path: str, text: str) -> Setup:
    return lambda root: write_files(root, {path: text})


INPUTS: dict[str, Setup] = {
    "alias-redirects": with_article(aliases="['/_redirects/']"),
    "alias-file-and-folder": with_article(aliases='["/x.html", "/x.html/"]'),
    "alias-well-known": with_article(aliases="['/.well-known/byline.json/']"),
    "alias-through-a-page": with_article(aliases="['/articles/2026/03/01/quayside-tools-opens-a-depot/index.html/']"),
    "alias-long-name": with_article(aliases=f"['/{'a' * 300}/']"),
    "alias-long-path": with_article(aliases=f"['/{'b/' * 2100}']"),
    "surrogate-title": with_article(title='"Smile \\ud83d\\ude00"'),
    "surrogate-tag": with_article(tags='["\\udfff"]'),
    "surrogate-image": with_article(image='"/static/\\ud800.png"', image_alt="A picture"),
    "long-slug": with_article(slug="a" * 300),
    "time-the-clocks-skip": with_article(date="2026-03-29 01:30"),
    "symlink-loop": link("content/articles/loop.md", "{root}/content/articles/loop.md"),
    "fifo": fifo("content/articles/pipe.md"),
    "sparse-1-gb": sparse("content/articles/big.md"),
    "static-environ": link("static/images/env.txt", "/proc/self/environ"),
    "static-folder-out": link("static/etc", "/etc", folder=True),
    "static-itself-out": link("static", "/usr/share", folder=True),
    "static-fifo": lambda root: (root / "static").mkdir() or os.mkfifo(root / "static/pipe.css"),
    "template-out": link("templates/base.html", "/etc/hostname"),
    "svg-script": write("static/images/x.svg", SVG.format("<script>alert(1)</script>")),
    "svg-handler": write("static/images/x.svg", SVG.format('<rect onload="alert(1)"/>')),
    "svg-foreign-object": write("static/images/x.svg", SVG.format("<foreignObject><p>x</p></foreignObject>")),
    "svg-javascript-link": write("static/images/x.svg", SVG.format('<a href="javascript:alert(1)">x</a>')),
    "toml-name": write("site.toml", 'name = "Bdaily\\u0001"\n'),
    "toml-section": write("site.toml", '[sections.members-news]\ntitle = "A\\u0007"\nlabel = "B\\u001b"\n'),
    "toml-publisher": write("site.toml", '[publisher]\nname = "P\\u0085"\n'),
    "toml-base-url": write("site.toml", 'base_url = "https://example.com/my news"\n'),
    "missing-avatar": write(AUTHOR_PATH, AUTHOR.replace("role:", "avatar: /static/authors/gone.png\nrole:")),
    "inline-image-line": with_article(title="Fix x", body='See below.\n\n<img src="x" alt="x">'),
}


def run(*args: str) -> tuple[int, list[str]]:
    err = io.StringIO()
    with deadline(60), contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(list(args))
    return status, err.getvalue().splitlines()


@pytest.mark.parametrize("name", INPUTS)
def test_check_and_build_report_the_same_errors_and_write_nothing(tmp_path: Path, name: str) -> None:
    root = write_files(tmp_path / "site", {AUTHOR_PATH: AUTHOR, ARTICLE: article()})
    INPUTS[name](root)
    common = ["--root", str(root), "--output", str(tmp_path / "out"), "--now", NOW_TEXT, "--jobs", "1"]
    checked, check_lines = run("check", *common)
    built, build_lines = run("build", *common)
    assert (checked, built) == (1, 1), build_lines
    assert check_lines[-1].endswith(" found.") and build_lines[-1].startswith("Build failed: ")
    assert check_lines[:-1] == build_lines[:-1]
    for line in build_lines[:-1]:
        assert PROBLEM.match(line), line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["new", "Deal\x01 signed", "--author", "simon-malia"],
        ["new", "Caf\udce9", "--author", "simon-malia"],
        ["new", "Deal", "--author", "simon-malia", "--tags", "A\x1b"],
        ["authors", "new", "megan-pryce", "--name", "Megan\x0c Pryce"],
        ["authors", "new", "megan-pryce", "--name", "Megan", "--role", "\x00"],
        ["companies", "new", "coble-marine", "--name", "Coble\x1f Marine"],
    ],
)
def test_new_commands_refuse_what_the_build_would(tmp_path: Path, args: list[str]) -> None:
    root = write_files(tmp_path / "site", {AUTHOR_PATH: AUTHOR, ARTICLE: article()})
    clock = ["--now", NOW_TEXT] if args[0] == "new" else []  # only `new` dates what it writes
    status, lines = run(*args, "--root", str(root), *clock)
    assert status == 2 and len(lines) == 1 and lines[0].startswith("error: the "), lines
    assert sorted(p.name for p in (root / "content").rglob("*.md")) == ["quayside.md", "simon-malia.md"]
