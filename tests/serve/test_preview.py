"""The build loop's bookkeeping, with a fake builder: epochs, failures, the last good build, messages."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from byline.errors import BuildFailed, ContentError, UsageError
from byline.pipeline import BuildResult, FirstPages
from byline.preview.state import Preview, State, moved_urls

BAD_YAML = ContentError("content/articles/a.md", 3, "invalid YAML")
LONG_SUMMARY = ContentError("content/articles/b.md", 2, "summary is long", "warning")


class FakeBuilds:
    """Returns or raises what the test queues, like pipeline.build would; a queued function is called."""

    def __init__(self) -> None:
        self.outcomes: list[object] = []

    def __call__(self) -> BuildResult:
        outcome = self.outcomes.pop(0)
        if callable(outcome):
            return outcome()  # type: ignore[no-any-return]
        if isinstance(outcome, BaseException):
            raise outcome
        assert isinstance(outcome, BuildResult)
        return outcome


def good(*warnings: ContentError) -> BuildResult:
    return BuildResult(output=Path("/tmp/out"), warnings=list(warnings))


@pytest.fixture
def builds() -> FakeBuilds:
    return FakeBuilds()


@pytest.fixture
def log() -> list[str]:
    return []


@pytest.fixture
def preview(builds: FakeBuilds, log: list[str]) -> Preview:
    return Preview(builds, log=log.append)


def test_each_good_build_is_served_under_a_new_token(preview: Preview, builds: FakeBuilds) -> None:
    builds.outcomes += [good(), good()]
    first = preview.rebuild()
    second = preview.rebuild()
    assert first.token and second.token and first.token != second.token
    assert second.previous == first.token and (first.attempt, second.attempt) == (1, 2)
    assert preview.ready.is_set()


def test_a_failed_build_keeps_the_last_good_one_and_records_its_errors(
    preview: Preview, builds: FakeBuilds, log: list[str]
) -> None:
    builds.outcomes += [good(), BuildFailed([BAD_YAML])]
    served = preview.rebuild()
    failed = preview.rebuild()
    assert failed.token == served.token  # still serving the last good build
    assert failed.errors == (BAD_YAML,) and not failed.ok
    assert failed.attempt == served.attempt + 1  # browsers hear of the failure
    assert "content/articles/a.md:3: invalid YAML" in log
    assert log[-1].endswith("Build failed: 1 error; still serving the last good build.")


def test_errors_print_once_per_rebuild(preview: Preview, builds: FakeBuilds, log: list[str]) -> None:
    builds.outcomes += [good(), BuildFailed([BAD_YAML]), BuildFailed([BAD_YAML])]
    for _ in range(3):
        preview.rebuild()
    assert log.count(BAD_YAML.format()) == 2


def test_fixing_the_files_clears_the_errors(preview: Preview, builds: FakeBuilds) -> None:
    builds.outcomes += [good(), BuildFailed([BAD_YAML]), good()]
    preview.rebuild()
    preview.rebuild()
    fixed = preview.rebuild()
    assert fixed.ok and fixed.errors == ()


def test_a_first_build_that_fails_leaves_nothing_to_serve(preview: Preview, builds: FakeBuilds, log: list[str]) -> None:
    builds.outcomes += [BuildFailed([BAD_YAML])]
    state = preview.rebuild()
    assert state.token == "" and state.errors == (BAD_YAML,)
    assert log[-1].endswith("no good build to serve yet.")


def test_a_css_only_change_is_marked_only_after_a_good_build(preview: Preview, builds: FakeBuilds) -> None:
    builds.outcomes += [good(), good(), BuildFailed([BAD_YAML]), good(), good()]
    assert not preview.rebuild(css_only=True).css_only  # nothing on screen to restyle yet
    assert preview.rebuild(css_only=True).css_only
    preview.rebuild()
    # Recovering from a failure is more than a restyle (pages must drop the overlay): reload.
    assert not preview.rebuild(css_only=True).css_only
    assert preview.rebuild(css_only=True).css_only


def test_warnings_print_with_the_first_build_and_when_they_change(
    preview: Preview, builds: FakeBuilds, log: list[str]
) -> None:
    builds.outcomes += [good(LONG_SUMMARY), good(LONG_SUMMARY), good()]
    for _ in range(3):
        preview.rebuild()
    assert log.count(LONG_SUMMARY.format()) == 1
    assert preview.state.warnings == ()


def test_the_terminal_names_what_changed(preview: Preview, builds: FakeBuilds, log: list[str]) -> None:
    builds.outcomes += [good(), good()]
    preview.rebuild()
    root = Path("/site")
    preview.rebuild([root / "content/articles/b.md", root / "content/articles/a.md"], root=root)
    assert "content/articles/a.md and 1 other changed: rebuilt in" in log[-1]


def test_a_usage_error_while_serving_becomes_a_shown_error(preview: Preview, builds: FakeBuilds) -> None:
    builds.outcomes += [good(), UsageError("no content/articles/ folder here")]
    preview.rebuild()
    state = preview.rebuild()
    assert state.errors[0].message == "no content/articles/ folder here" and state.token


def test_a_bug_in_the_build_does_not_end_the_preview(
    preview: Preview, builds: FakeBuilds, capsys: pytest.CaptureFixture[str]
) -> None:
    builds.outcomes += [good(), ZeroDivisionError("oops"), good()]
    preview.rebuild()
    broken = preview.rebuild()
    assert "internal error" in broken.errors[0].message and "ZeroDivisionError" in capsys.readouterr().err
    assert preview.rebuild().ok


def test_waiting_browsers_wake_on_the_next_build(preview: Preview, builds: FakeBuilds) -> None:
    builds.outcomes += [good(), good()]
    seen = preview.rebuild()
    woke: list[State | None] = []
    waiter = threading.Thread(target=lambda: woke.append(preview.wait_for_build(seen.attempt, timeout=30)))
    waiter.start()
    newer = preview.rebuild()
    waiter.join(timeout=30)
    assert woke == [newer]


def test_waiting_times_out_with_the_same_state_and_ends_when_closed(preview: Preview, builds: FakeBuilds) -> None:
    builds.outcomes += [good()]
    seen = preview.rebuild()
    assert preview.wait_for_build(seen.attempt, timeout=0) == seen
    preview.close()
    assert preview.wait_for_build(seen.attempt, timeout=30) is None


def site_with(urls: dict[str, str]):  # type: ignore[no-untyped-def]
    """Just enough of a Site for moved_urls: which file has which URL."""
    from types import SimpleNamespace

    return SimpleNamespace(url_of=urls)


def test_pages_that_changed_address_are_remembered_for_the_session() -> None:
    first = site_with({"a.md": "/a/", "b.md": "/b/"})
    second = site_with({"a.md": "/a2/", "b.md": "/b/"})
    third = site_with({"a.md": "/a3/", "b.md": "/b/"})
    moves = moved_urls(first, second, {})
    assert moves == {"/a/": "/a2/"}
    assert moved_urls(second, third, moves) == {"/a/": "/a3/", "/a2/": "/a3/"}


def test_an_address_taken_again_or_a_deleted_page_is_no_longer_redirected() -> None:
    moves = {"/a/": "/a2/", "/c/": "/c2/"}
    now = site_with({"a.md": "/a2/", "new.md": "/c/"})
    assert moved_urls(now, now, moves) == {"/a/": "/a2/"}
    assert moved_urls(now, site_with({}), moves) == {}


def test_pages_shown_first_are_served_under_the_token_the_finished_build_keeps(
    preview: Preview, builds: FakeBuilds, log: list[str]
) -> None:
    seen: list[State] = []

    def build() -> BuildResult:
        preview.serve_first_pages(FirstPages({"a/index.html": b"<p>A</p>"}, frozenset()))
        seen.append(preview.state)
        preview.serve_first_pages(FirstPages({"a/index.html": b"<p>A</p>", "index.html": b"<p>Home</p>"}, frozenset()))
        seen.append(preview.state)
        return good()

    builds.outcomes += [good(), build]
    served = preview.rebuild()
    final = preview.rebuild()
    early, more = seen
    assert early.first is not None and list(early.first.pages) == ["a/index.html"]
    assert early.token != served.token and early.previous == served.token and early.attempt == served.attempt
    assert early.folder == served.folder  # everything else still comes from the served build
    assert more.token == early.token and more.first is not None and len(more.first.pages) == 2
    assert served.serial < early.serial < more.serial < final.serial  # event streams send each
    assert final.first is None and final.token == early.token and final.attempt == served.attempt + 1
    assert final.shown_after is not None and final.shown_after <= final.seconds
    assert "open pages shown after" in log[-1]


def test_a_build_failing_after_its_first_pages_goes_back_to_the_last_good_one(
    preview: Preview, builds: FakeBuilds, log: list[str]
) -> None:
    def build() -> BuildResult:
        preview.serve_first_pages(FirstPages({"a/index.html": b"<p>A</p>"}, frozenset()))
        raise BuildFailed([BAD_YAML])

    builds.outcomes += [good(), build]
    served = preview.rebuild()
    failed = preview.rebuild()
    assert failed.token == served.token and failed.first is None and failed.errors == (BAD_YAML,)
    assert failed.shown_after is None
    assert log[-1].endswith("Build failed: 1 error; still serving the last good build.")
