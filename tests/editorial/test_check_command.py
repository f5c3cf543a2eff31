"""`check --strict`, `check --format json` and the "next scheduled" line, as users run them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from byline.cli.main import main
from tests.conftest import MakeSite
from tests.helpers import NOW_TEXT, article, run_cli

LONG = article("x" * 111)  # one warning: the headline is too long
HEADLINE_WARNING = (
    "content/articles/quayside.md:2: warning: headline is 111 characters; keep it to 110 or fewer"
    " so search results and feeds show it whole\n"
)
SCHEDULED = article("Results day", "2026-04-01 07:00")


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """Run the command line in this process (quicker than a subprocess); return status, stdout, stderr."""
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def test_warnings_alone_exit_0_and_are_counted(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/articles/quayside.md": LONG})
    assert run(capsys, "check", "--root", root, "--now", NOW_TEXT) == (
        0,
        "No errors (1 warning): 1 published article, 1 author, 0 pages.\n",
        HEADLINE_WARNING,
    )


def test_strict_fails_on_warnings(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/articles/quayside.md": LONG})
    assert run(capsys, "check", "--strict", "--root", root, "--now", NOW_TEXT) == (
        1,
        "",
        HEADLINE_WARNING + "1 warning found, and --strict fails on warnings.\n",
    )


def test_strict_passes_a_clean_site(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "check", "--strict", "--root", make_site(), "--now", NOW_TEXT)
    assert (status, out, err) == (0, "No errors: 1 published article, 1 author, 0 pages.\n", "")


def test_errors_and_warnings_are_reported_together(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/articles/quayside.md": LONG, "content/articles/bad.md": article("Bad", "soon")})
    status, out, err = run(capsys, "check", "--root", root, "--now", NOW_TEXT)
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        "content/articles/bad.md:3: 'date' is not a date: 'soon'; use 2014-01-27, 2014-01-27 10:30,"
        " 2014-01-27 10:30:00 or 2014-01-27T10:30:00+00:00",
        HEADLINE_WARNING.rstrip("\n"),
        "1 error found.",
    ]


def test_json_report_for_tools(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/articles/quayside.md": LONG, "content/articles/later.md": SCHEDULED})
    status, out, err = run(capsys, "check", "--format", "json", "--root", root, "--now", NOW_TEXT)
    assert (status, err) == (0, "")
    assert json.loads(out) == {
        "ok": True,
        "errors": 0,
        "warnings": 1,
        "problems": [
            {
                "path": "content/articles/quayside.md",
                "line": 2,
                "severity": "warning",
                "message": "headline is 111 characters; keep it to 110 or fewer so search results and feeds show it whole",
            }
        ],
        "published": {"articles": 1, "authors": 1, "pages": 0},
        "next_scheduled": {"path": "content/articles/later.md", "at": "2026-04-01T07:00:00+01:00"},
    }


def test_json_report_with_strict_and_errors(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/articles/quayside.md": LONG})
    status, out, _ = run(capsys, "check", "--strict", "--format", "json", "--root", root, "--now", NOW_TEXT)
    assert status == 1
    assert json.loads(out)["ok"] is False
    root = make_site({"content/articles/quayside.md": "no front matter"})
    status, out, _ = run(capsys, "check", "--format", "json", "--root", root)
    report = json.loads(out)
    assert (status, report["errors"], report["published"]["articles"]) == (1, 1, 0)
    assert report["problems"][0]["message"] == "missing front matter: the file must start with a line '---'"


def test_unknown_format_is_a_usage_error(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "check", "--format", "xml", "--root", make_site())
    assert status == 2
    assert "invalid choice: 'xml'" in err


def test_check_names_the_next_scheduled_article(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(
        {"content/articles/later.md": SCHEDULED, "content/articles/much-later.md": article("Later", "2026-05-01")}
    )
    assert run(capsys, "check", "--root", root, "--now", NOW_TEXT) == (
        0,
        "No errors: 1 published article, 1 author, 0 pages.\n"
        "next scheduled: content/articles/later.md at 2026-04-01 07:00 BST — rebuild then to publish it\n",
        "",
    )


def test_once_its_time_has_come_it_is_published_and_the_next_one_is_named(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site(
        {"content/articles/later.md": SCHEDULED, "content/articles/much-later.md": article("Later", "2026-05-01")}
    )
    status, out, _ = run(capsys, "check", "--root", root, "--now", "2026-04-01 07:00")
    assert status == 0
    assert out == (
        "No errors: 2 published articles, 1 author, 0 pages.\n"
        "next scheduled: content/articles/much-later.md at 2026-05-01 00:00 BST — rebuild then to publish it\n"
    )


def test_drafts_are_not_scheduled_and_future_builds_have_nothing_waiting(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site({"content/articles/d.md": article("Draft", "2026-04-01", draft="true")})
    assert "next scheduled" not in run(capsys, "check", "--root", root, "--now", NOW_TEXT)[1]
    root = make_site({"content/articles/later.md": SCHEDULED})
    assert "next scheduled" not in run(capsys, "check", "--future", "--root", root, "--now", NOW_TEXT)[1]


def test_quiet_check_prints_no_schedule(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/articles/later.md": SCHEDULED})
    assert run(capsys, "check", "-q", "--root", root, "--now", NOW_TEXT) == (0, "", "")


def test_build_prints_the_next_scheduled_article_last(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/articles/later.md": SCHEDULED})
    result = run_cli("--root", root, "--output", tmp_path / "out", "--now", NOW_TEXT, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Built 1 article, ")
    assert lines[1:] == [
        "next scheduled: content/articles/later.md at 2026-04-01 07:00 BST — rebuild then to publish it"
    ]
