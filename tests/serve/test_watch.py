"""The watcher's decisions, without the file system: which events matter, and when a burst is over."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from watchdog.events import EventsLostEvent

from byline.preview.watch import Debouncer, Watcher, WatchSet, changed_paths, is_noise

ROOT = Path("/site")
THEME = Path("/theme")
WATCH = WatchSet(
    folders=(ROOT / "content", ROOT / "templates", ROOT / "static", THEME / "templates", THEME / "static"),
    files=(ROOT / "site.toml",),
    static=(ROOT / "static", THEME / "static"),
)


def relevant(path: str, is_directory: bool = False) -> bool:
    return WATCH.relevant(Path(path), is_directory)


@pytest.mark.parametrize(
    "path",
    [
        "/site/content/articles/2026/06/new.md",
        "/site/content/authors/simon-malia.md",
        "/site/templates/base.html",
        "/site/templates/partials/cards.html",
        "/site/static/css/style.css",
        "/site/static/images/logo.png",
        "/site/site.toml",
        "/theme/templates/article.html",
        "/theme/static/css/style.css",
    ],
)
def test_files_the_build_reads_are_relevant(path: str) -> None:
    assert relevant(path)


@pytest.mark.parametrize(
    "path",
    [
        "/site/content/articles/.new.md.swp",  # vim swap
        "/site/content/articles/new.md~",  # backup
        "/site/content/articles/.#new.md",  # emacs lock
        "/site/content/articles/#new.md#",  # emacs autosave
        "/site/content/articles/2026/4913",  # vim's write probe
        "/site/content/articles/new.md___jb_tmp___",  # JetBrains safe write
        "/site/content/articles/new.md.tmp",
        "/site/static/css/.style.css.kate-swp",
        "/site/static/.DS_Store",
        "/site/content/.git/index",
        "/site/content/articles/.git/objects/ab/cdef",
        "/site/content/articles/notes.txt",  # only Markdown is read from content/
        "/site/.git/HEAD",
        "/site/public/index.html",
        "/site/.byline-cache/cache.sqlite3",
        "/site/README.md",
        "/site/site.toml.swp",
        "/elsewhere/content/articles/x.md",
    ],
)
def test_scratch_files_and_unwatched_places_are_ignored(path: str) -> None:
    assert not relevant(path)


def test_year_folders_are_not_mistaken_for_vim_probes() -> None:
    assert relevant("/site/content/articles/2026", is_directory=True)
    assert relevant("/site/content/articles/2026/06/x.md")


def test_folders_under_content_count_when_they_move_or_vanish() -> None:
    assert changed_paths(WATCH, "deleted", "/site/content/articles/2026", is_directory=True) == [
        Path("/site/content/articles/2026")
    ]


def test_opening_and_reading_files_is_not_a_change() -> None:
    # The build itself reads every source: counting those reads would rebuild forever.
    for event in ("opened", "closed_no_write"):
        assert changed_paths(WATCH, event, "/site/content/articles/x.md") == []


def test_folder_modified_events_are_ignored() -> None:
    assert changed_paths(WATCH, "modified", "/site/content/articles", is_directory=True) == []


def test_an_atomic_save_counts_at_its_destination() -> None:
    paths = changed_paths(WATCH, "moved", "/site/content/articles/.x.md.tmp123", "/site/content/articles/x.md")
    assert paths == [Path("/site/content/articles/x.md")]


def test_a_rename_counts_at_both_ends() -> None:
    paths = changed_paths(WATCH, "moved", "/site/content/articles/a.md", "/site/content/articles/b.md")
    assert paths == [Path("/site/content/articles/a.md"), Path("/site/content/articles/b.md")]


def test_moving_a_file_out_of_content_is_a_deletion() -> None:
    paths = changed_paths(WATCH, "moved", "/site/content/articles/a.md", "/site/trash/a.md")
    assert paths == [Path("/site/content/articles/a.md")]


@pytest.mark.parametrize("event", ["created", "deleted", "modified", "closed"])
def test_writes_creations_and_deletions_count(event: str) -> None:
    assert changed_paths(WATCH, event, "/site/templates/base.html") == [Path("/site/templates/base.html")]


def test_noise_names() -> None:
    assert is_noise(".git") and is_noise("x.swp") and is_noise("x~") and is_noise("#x#")
    assert not is_noise("style.css") and not is_noise("2026")


def test_css_only_means_every_change_is_a_static_stylesheet() -> None:
    assert WATCH.css_only([Path("/site/static/css/style.css"), Path("/theme/static/print.css")])
    assert not WATCH.css_only([Path("/site/static/css/style.css"), Path("/site/content/articles/x.md")])
    assert not WATCH.css_only([Path("/site/templates/inline.css")])  # a template include, not a sheet
    assert not WATCH.css_only([])


def test_watch_set_for_a_site_includes_theme_folders_once(tmp_path: Path) -> None:
    watch = WatchSet.for_site(tmp_path, theme=(tmp_path / "templates", tmp_path / "elsewhere" / "static"))
    assert watch.folders.count(tmp_path.resolve() / "templates") == 1
    assert tmp_path.resolve() / "elsewhere" / "static" in watch.static
    assert watch.files == (tmp_path.resolve() / "site.toml",)
    assert watch.root == tmp_path.resolve()


def test_watcher_reports_only_relevant_events() -> None:
    reported: list[list[Path]] = []
    watcher = Watcher(WATCH, reported.append)  # never started: no file system involved
    watcher.on_event("opened", "/site/content/articles/x.md", "", False)
    watcher.on_event("created", "/site/content/articles/.x.md.swp", "", False)
    watcher.on_event("modified", "/site/content/articles/x.md", "", False)
    assert reported == [[Path("/site/content/articles/x.md")]]


def test_events_the_kernel_dropped_report_every_watched_place() -> None:
    """After an inotify overflow anything may have changed: the builder must look at every file again."""
    reported: list[list[Path]] = []
    watcher = Watcher(WATCH, reported.append)
    watcher._handler.dispatch(EventsLostEvent("/site/content", is_directory=True))
    assert reported == [[*WATCH.folders, *WATCH.files]]


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_500_files_is_one_change_set() -> None:
    clock = FakeClock()
    debouncer = Debouncer(quiet=0.05, max_wait=2.0, clock=clock)
    taken = []
    for index in range(500):  # a git checkout: a file every millisecond
        debouncer.add([Path(f"/site/content/articles/{index}.md")])
        clock.now += 0.001
        if (paths := debouncer.take(clock.now)) is not None:
            taken.append(paths)
    assert taken == []
    clock.now += 0.05
    burst = debouncer.take(clock.now)
    assert burst is not None and len(burst) == 500
    assert debouncer.take(clock.now + 10) is None  # nothing left over


def test_the_burst_is_due_once_quiet() -> None:
    clock = FakeClock()
    debouncer = Debouncer(quiet=0.05, max_wait=2.0, clock=clock)
    assert debouncer.due_in(0.0) is None
    debouncer.add([Path("/site/site.toml")])
    assert debouncer.due_in(0.0) == pytest.approx(0.05)
    clock.now = 0.04
    debouncer.add([Path("/site/site.toml")])  # the same file again: still one change
    assert debouncer.take(0.06) is None
    assert debouncer.take(0.09) == frozenset({Path("/site/site.toml")})


def test_a_file_written_forever_still_gets_a_build_after_max_wait() -> None:
    clock = FakeClock()
    debouncer = Debouncer(quiet=0.05, max_wait=2.0, clock=clock)
    builds = 0
    for _ in range(300):  # a change every 10 ms for 3 s: never quiet
        debouncer.add([Path("/site/static/log.txt")])
        clock.now += 0.01
        builds += debouncer.take(clock.now) is not None
    assert builds == 1


def test_adding_nothing_wants_no_build() -> None:
    debouncer = Debouncer(clock=FakeClock())
    debouncer.add([])
    assert debouncer.due_in(0.0) is None


def test_wait_returns_the_burst_and_close_ends_waiting() -> None:
    debouncer = Debouncer(quiet=0.0)
    debouncer.add([Path("/site/site.toml")])
    assert debouncer.wait(timeout=5) == frozenset({Path("/site/site.toml")})
    assert debouncer.wait(timeout=0) is None  # nothing pending: times out at once
    results: list[object] = []
    waiter = threading.Thread(target=lambda: results.append(debouncer.wait()))
    waiter.start()
    debouncer.close()
    waiter.join(timeout=5)
    assert results == [None]
