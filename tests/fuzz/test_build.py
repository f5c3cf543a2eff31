"""Whole builds of fuzzed sites: exit 0, or exit 1 with only `path:line: message` lines; never a traceback."""

from __future__ import annotations

import contextlib
import io
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from byline.cli.main import main
from tests.fuzz.strategies import HARD_ALIASES, PROBLEM, article_files
from tests.helpers import AUTHOR, AUTHOR_PATH, NOW_TEXT, article, write_files

BUILDS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WHERE = st.sampled_from(["content/articles/fuzz.md", AUTHOR_PATH, "content/pages/fuzz.md"])


@contextlib.contextmanager
def build(files: dict[str, str | bytes], *args: str, command: str = "build") -> Iterator[tuple[int, str, Path]]:
    """Build (or ``command``) a fresh site from ``files`` in this process; yield status, stderr and the output folder."""
    with tempfile.TemporaryDirectory(prefix="byline-fuzz-") as name:
        folder = Path(name)
        root = write_files(folder / "site", {AUTHOR_PATH: AUTHOR, "content/articles/ok.md": article(), **files})
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main(
                [command, "--root", str(root), "--output", str(folder / "out"), "--now", NOW_TEXT, "--jobs", "1", *args]
            )
        yield status, err.getvalue(), folder / "out"


def assert_reported_properly(status: int, err: str) -> None:
    assert "Traceback" not in err
    lines = err.splitlines()
    if status == 1:
        assert lines[-1].startswith("Build failed: "), err
        lines = lines[:-1]
    else:
        assert status == 0, err
    for line in lines:
        assert PROBLEM.match(line), line


@BUILDS
@given(article_files(), WHERE)
def test_any_file_builds_or_fails_with_path_line_messages(data: bytes, where: str) -> None:
    with build({where: data}) as (status, err, output):
        assert_reported_properly(status, err)
        event(f"exit {status}")
        if status == 0:
            for feed in output.rglob("feed.xml"):
                ElementTree.parse(feed)  # well-formed XML whatever the article held
            assert (output / "index.html").is_file()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(article_files(), min_size=2, max_size=4))
def test_several_fuzzed_articles_are_all_reported_in_one_run(files: list[bytes]) -> None:
    with build({f"content/articles/f{i}.md": data for i, data in enumerate(files)}, "--drafts") as (status, err, _):
        assert_reported_properly(status, err)


@BUILDS
@given(article_files(), WHERE)
def test_check_fails_exactly_when_the_build_would(data: bytes, where: str) -> None:
    # Issue 16, defect 6: `check` must find everything the build would fail on (surrogates, slugs, aliases...).
    with build({where: data}, command="check") as (checked, _, _), build({where: data}) as (built, err, output):
        assert_reported_properly(built, err)
        assert checked == built, err
        assert output.exists() == (built == 0)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(HARD_ALIASES) | st.from_regex(r"\A(/[a-z._]{1,12}){1,4}(/|\.html)\Z"), max_size=4))
def test_any_aliases_check_and_build_alike(aliases: list[str]) -> None:
    # Issue 16, defect 1: aliases whose files cannot form one tree passed `check` and broke the commit.
    files = {"content/articles/aliased.md": article("Aliased", "2026-02-01 09:00", aliases=repr(aliases))}
    with build(files, command="check") as (checked, _, _), build(files) as (built, err, output):
        assert_reported_properly(built, err)
        assert checked == built, err
        assert output.exists() == (built == 0)
