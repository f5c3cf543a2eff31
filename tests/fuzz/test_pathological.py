"""Pathological input ends in a `path:line` problem or a build, promptly: deep nesting, huge files, long lines."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from byline.cli.main import main
from byline.content import markup
from tests.conftest import MakeSite
from tests.helpers import NOW_TEXT, article

PATH = "content/articles/quayside.md"
BODY_LINE = 6  # article(): three keys between the fences, so the body starts on line 6


def build(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    status = main(["--root", str(root), "--output", str(tmp_path / "out"), "--now", NOW_TEXT, "--jobs", "1", "-q"])
    return status, capsys.readouterr().err.splitlines()


def failed_with(message: str, line: int = BODY_LINE) -> list[str]:
    return [f"{PATH}:{line}: {message}", "Build failed: 1 error; out/ was left as it was."]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the failure line names the output relative to the working folder


TOO_DEEP = "the body nests lists, quotes or HTML blocks too deeply to convert; use fewer levels"


def test_nesting_too_deep_to_convert_is_reported_on_the_body(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = '<div markdown="1">\n' * 500 + "x\n" + "</div>\n" * 500  # Python-Markdown recurses per level
    root = make_site({PATH: article(body=body)})
    assert build(root, tmp_path, capsys) == (1, failed_with(TOO_DEEP))


def test_a_list_300_levels_deep_builds_or_is_reported_on_the_body(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python-Markdown up to 3.11.3 recursed once per level of a list; 3.11.4 does not, and converts it.

    Either way the editor gets a page or a problem at the body's line, never a traceback.
    """
    body = "".join("    " * depth + "- item\n" for depth in range(300))
    root = make_site({PATH: article(body=body)})
    assert build(root, tmp_path, capsys) in ((0, []), (1, failed_with(TOO_DEEP)))


def test_deeply_nested_front_matter_is_reported(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site({PATH: article(extra="[" * 5000 + "]" * 5000)})
    status, err = build(root, tmp_path, capsys)
    assert status == 1
    assert err[0].startswith(f"{PATH}:") and "nested too deeply" in err[0]


def test_deep_quotes_and_lists_within_reach_build(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "> " * 2000 + "quoted\n\n" + "".join("    " * depth + "- item\n" for depth in range(60))
    root = make_site({PATH: article(body=body)})
    assert build(root, tmp_path, capsys) == (0, [])


def test_a_conversion_over_its_cpu_budget_is_refused_on_the_body_line(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # 40 000 emphasised words in one paragraph: quadratic in Python-Markdown (45 s for 160 KB).
    monkeypatch.setattr(markup, "BUDGET_SECONDS", 0.5)
    monkeypatch.setattr(markup, "BUDGET_SECONDS_PER_MB", 0.0)
    root = make_site({PATH: article(body="*a* " * 40_000)})
    started = time.process_time()
    assert build(root, tmp_path, capsys) == (
        1,
        failed_with(
            "the body took more than 0.5 s to convert: it repeats a Markdown construct (emphasis, links, table"
            " cells, headings) tens of thousands of times in one block; split it into smaller paragraphs or tables"
        ),
    )
    assert time.process_time() - started < 10


def test_the_budget_leaves_no_timer_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    markup.render_markdown("*short*", budget=5)
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGPROF) in (signal.SIG_DFL, signal.SIG_IGN, None)


def test_a_file_over_16_mb_is_refused_without_being_parsed(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site({PATH: article(body="word " * 3_400_000)})  # 17 MB
    started = time.process_time()
    assert build(root, tmp_path, capsys) == (1, failed_with("file is 17.0 MB; a content file may be at most 16 MB", 1))
    assert time.process_time() - started < 5


def test_a_one_megabyte_line_builds(make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({PATH: article(body="Quayside " * 110_000)})
    assert build(root, tmp_path, capsys) == (0, [])


def test_a_two_megabyte_article_builds_in_seconds(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paragraph = "The council said the [partnership](/about/) would bring **jobs** and growth to the region. " * 8
    sections = [f"## Part {n}\n\n" + f"{paragraph}\n\n" * 10 for n in range(300)]
    body = "".join(sections)
    assert len(body) > 2_000_000
    root = make_site({PATH: article(body=body), "content/pages/about.md": "---\ntitle: About\n---\nUs.\n"})
    started = time.process_time()
    assert build(root, tmp_path, capsys) == (0, [])
    assert time.process_time() - started < 30  # about 4 s on one idle core; the CPU budget would be 18 s
    assert (tmp_path / "out/articles/2026/03/01/quayside-tools-opens-a-depot/index.html").stat().st_size > 2_000_000
