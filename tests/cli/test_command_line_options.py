"""Common options before or after the command, each command's own help, and `new`'s options (item 9)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import MakeSite
from tests.helpers import NOW_TEXT, article, run_cli

BUILD_ONLY = ("--jobs", "--clean", "--drafts", "--future", "--output", "--verbose")


def options_in_help(*command: str) -> set[str]:
    result = run_cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    return set(re.findall(r"(--[a-z-]+)", result.stdout))


def test_common_options_work_before_the_command(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    result = run_cli("--root", root, "--now", NOW_TEXT, "check", "--strict", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("No errors: 1 published article")
    author = run_cli("--root", root, "authors", "new", "megan-pryce", "--name", "Megan Pryce", cwd=tmp_path)
    assert author.returncode == 0, author.stderr
    assert (root / "content/authors/megan-pryce.md").is_file()
    company = run_cli("--root", root, "companies", "new", "quayside-tools", "--name", "Quayside Tools", cwd=tmp_path)
    assert company.returncode == 0, company.stderr
    assert (root / "content/companies/quayside-tools.md").is_file()


def test_common_options_work_after_the_command_and_without_one(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    assert run_cli("check", "--root", root, "-q", cwd=tmp_path).returncode == 0
    built = run_cli("-q", "--root", root, "--output", tmp_path / "out", cwd=tmp_path)
    assert built.returncode == 0 and (tmp_path / "out/index.html").is_file()


def test_each_commands_help_lists_only_what_affects_it() -> None:
    assert set(BUILD_ONLY) <= options_in_help("build")
    assert set(BUILD_ONLY) - {"--verbose"} <= options_in_help("check")
    new = options_in_help("new")
    assert new.isdisjoint(BUILD_ONLY + ("--base-url", "--quiet", "--host"))
    assert {"--root", "--now", "--author", "--slug", "--date", "--image", "--image-alt", "--tags"} <= new
    assert options_in_help("serve").isdisjoint({"--drafts", "--future", "--output"})
    assert options_in_help("publish") == {"--help", "--root", "--base-url", "--now", "--at"}
    assert options_in_help("authors", "new") == {"--help", "--root", "--name", "--role", "--organisation", "--company"}
    assert options_in_help("companies", "new") == {"--help", "--root", "--name", "--website", "--sector", "--region"}


def test_an_option_that_does_nothing_for_the_command_is_refused(make_site: MakeSite) -> None:
    root = make_site()
    result = run_cli("--jobs", "4", "new", "Title", "--author", "simon-malia", "--root", root)
    assert result.returncode == 2
    assert result.stderr == "error: --jobs does nothing for 'new'; see: python build.py new --help\n"
    assert not (root / "content/articles/2026").exists()


def test_new_takes_a_slug_a_date_and_a_picture(make_site: MakeSite) -> None:
    root = make_site({"static/images/depot.jpg": b"not measured by new"})
    result = run_cli(
        "new", "Quayside Tools opens its biggest depot yet", "--author", "simon-malia", "--slug", "quayside-depot",
        "--date", "2026-04-01 08:00", "--image", "/static/images/depot.jpg", "--image-alt", "The depot  at dawn",
        "--root", root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    path = root / "content/articles/2026/04/quayside-depot.md"
    assert result.stdout == f"{path}\n"
    lines = path.read_text().splitlines()
    assert "date: 2026-04-01 08:00" in lines
    assert lines[lines.index("tags: []") + 1 : lines.index("draft: true") - 1] == [
        'image: "/static/images/depot.jpg"',
        'image_alt: "The depot at dawn"',
        "slug: quayside-depot",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--image", "/static/images/depot.jpg"], "error: --image needs --image-alt: what the picture shows"),
        (["--image-alt", "A depot"], "error: --image-alt describes the lead picture: give --image too"),
        (
            ["--image", "/static/images/none.jpg", "--image-alt", "x"],
            "error: --image /static/images/none.jpg: no static/images/none.jpg",
        ),
        (["--image", "images/depot.jpg", "--image-alt", "x"], "must be a site path like /static/images/depot.jpg"),
        (["--slug", "Quayside_Depot"], "error: --slug 'Quayside_Depot' must be lowercase letters"),
        (["--date", "1/4/2026"], "error: --date '1/4/2026' is not a date"),
    ],
)
def test_new_refuses_what_a_build_would_refuse(make_site: MakeSite, args: list[str], message: str) -> None:
    root = make_site({"static/images/depot.jpg": b"x"})
    result = run_cli("new", "Depot", "--author", "simon-malia", *args, "--root", root)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert not (root / "content/articles/2026").exists()


def test_new_warns_at_once_of_a_topic_that_looks_like_a_typo(make_site: MakeSite) -> None:
    established = {
        f"content/articles/{n}.md": article(f"Factory {n}", f"2026-02-0{n} 09:00", tags="[Manufacturing]")
        for n in (1, 2, 3)
    }
    root = make_site(established)
    result = run_cli(
        "new", "Quayside Tools opens a factory", "--author", "simon-malia", "--tags", "Manufactoring, Ports",
        "--root", root, "--now", NOW_TEXT,
    )  # fmt: skip
    assert result.returncode == 0
    assert result.stdout.endswith("quayside-tools-opens-a-factory.md\n")
    assert result.stderr == (
        "warning: topic 'Manufactoring' is used by this article only; did you mean 'Manufacturing' (used by 3 articles)?\n"
    )
