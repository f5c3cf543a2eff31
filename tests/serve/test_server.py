"""The preview server end to end over real sockets (no browser): rebuilds on change, the event
stream, concurrency, and the command's behaviour at the edges (port taken, Ctrl-C, public hosts).
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from byline.preview.server import PreviewServer, serve
from byline.preview.state import State
from byline.state.workspace import Workspace

from .preview_site import ARTICLE, ARTICLE_TITLE, ARTICLE_URL, SAMPLE, article_text, copy_site, options_for, running

BUILD_TIMEOUT = 30.0


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(tmp_path / "site")


@pytest.fixture
def server(site: Path) -> Iterator[PreviewServer]:
    with running(site) as server:
        yield server


def fetch(
    server: PreviewServer, path: str, method: str = "GET", host: str | None = None
) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", server.http.server_port, timeout=BUILD_TIMEOUT)
    try:
        connection.request(method, path, headers={"Host": host} if host else {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def after_build(server: PreviewServer, change: Callable[[], object]) -> State:
    """Make a change on disk and return the state once the rebuild it causes is done.

    One change per call: a folder made just before the call could be built on its own.
    """
    before = server.preview.state.attempt
    change()
    deadline = time.monotonic() + BUILD_TIMEOUT
    while time.monotonic() < deadline:
        state = server.preview.wait_for_build(before, deadline - time.monotonic())
        if state is not None and state.attempt != before:
            return state
    raise AssertionError("no rebuild after the change")


def test_the_preview_builds_into_a_temporary_folder_never_public(site: Path) -> None:
    with running(site) as server:
        served = server.preview.state.folder
        assert server.preview.state.ok and served is not None and served.is_relative_to(server.folder.resolve())
        assert not (site / "public").exists()
        folder = server.folder
    assert not folder.exists()  # removed on stop


def test_stopping_removes_the_folders_before_dropping_their_records(site: Path) -> None:
    """A large site's records take long to drop; the folders, in memory, must not wait for them (or be left)."""
    gone_first: list[bool] = []
    with running(site) as server:
        forget = server.builder.forget

        def noting(output: Path) -> None:
            gone_first.append(not server.folder.exists())
            forget(output)

        server.builder.forget = noting  # type: ignore[method-assign]
    assert gone_first and all(gone_first)


def test_a_session_drops_the_records_an_earlier_one_was_stopped_before_dropping(site: Path) -> None:
    """A preview killed as it stopped leaves its folders' records (millions of rows at 100,000 articles)."""
    with running(site) as first:
        left = first.outputs["all"][0]
        assert first_records(site, left)
        first._forget_build = lambda: shutil.rmtree(first.folder)  # type: ignore[method-assign]  # killed half-way
    assert first_records(site, left)
    log: list[str] = []
    with running(site, log) as second:
        assert not first_records(site, left)
        assert "dropped the cache's records of 2 build folders an earlier preview left behind" in log
        assert first_records(site, second.outputs["all"][0])  # its own, made since


def first_records(site: Path, output: Path) -> bool:
    """Whether the site's cache records a commit into ``output``."""
    cache = Workspace(site, output).cache(read_only=True)
    try:
        return cache.marker_of(output.resolve()) is not None
    finally:
        cache.close()


def test_each_build_patches_the_folder_not_being_served(server: PreviewServer, site: Path) -> None:
    page = ARTICLE_URL.strip("/") + "/index.html"
    first = server.preview.state.folder
    assert first is not None
    path = site / ARTICLE
    original = path.read_text()
    second = after_build(server, lambda: path.write_text(original + "\nFirst addition.\n")).folder
    assert second is not None and second != first
    assert "First addition." in (second / page).read_text()
    assert "First addition." not in (first / page).read_text()  # the served build was never touched
    third = after_build(server, lambda: path.write_text(original + "\nSecond addition.\n"))
    assert third.folder == first
    assert "Second addition." in (first / page).read_text() and "First addition." not in (first / page).read_text()
    assert fetch(server, ARTICLE_URL)[2].count("Second addition.") == 1


def test_an_edit_is_served_after_the_rebuild(server: PreviewServer, site: Path) -> None:
    path = site / ARTICLE
    state = after_build(server, lambda: path.write_text(path.read_text() + "\nA late paragraph about Wirral.\n"))
    status, _, body = fetch(server, ARTICLE_URL)
    assert state.ok and status == 200 and "A late paragraph about Wirral." in body


def test_a_page_whose_title_edit_moved_it_redirects_to_its_new_address(server: PreviewServer, site: Path) -> None:
    path = site / ARTICLE
    after_build(server, lambda: path.write_text(path.read_text().replace(ARTICLE_TITLE, "Mersey Loop names COO")))
    status, headers, _ = fetch(server, ARTICLE_URL)
    assert (status, headers["Location"]) == (302, "/articles/2026/06/22/mersey-loop-names-coo/")
    assert ">Mersey Loop names COO</h1>" in fetch(server, headers["Location"])[2]
    after_build(server, lambda: path.write_text(path.read_text().replace("names COO", "hires a COO")))
    assert fetch(server, ARTICLE_URL)[1]["Location"] == "/articles/2026/06/22/mersey-loop-hires-a-coo/"


def test_new_deleted_and_renamed_files_show_up_without_a_restart(server: PreviewServer, site: Path) -> None:
    new = site / "content/articles/2026/06/fresh.md"  # an existing folder: no mkdir to race the write
    after_build(server, lambda: new.write_text(article_text("A fresh article")))
    assert "A fresh article" in fetch(server, "/")[2]
    moved = site / "content/articles/2026/06/renamed.md"
    after_build(server, lambda: new.rename(moved))
    assert fetch(server, "/articles/2026/07/01/a-fresh-article/")[0] == 200  # same slug, new file name
    after_build(server, moved.unlink)
    assert fetch(server, "/articles/2026/07/01/a-fresh-article/")[0] == 404
    assert "A fresh article" not in fetch(server, "/")[2]


def test_a_draft_flipped_to_published_loses_its_banner(server: PreviewServer, site: Path) -> None:
    draft = site / "content/articles/2026/06/draft.md"
    url = "/articles/2026/07/01/work-in-progress/"
    after_build(server, lambda: draft.write_text(article_text("Work in progress", extra="draft: true\n")))
    assert "Draft: not published" in fetch(server, url)[2]
    assert "Work in progress" in fetch(server, "/_byline/")[2]
    after_build(server, lambda: draft.write_text(article_text("Work in progress")))
    assert "Draft: not published" not in fetch(server, url)[2]


def test_scheduled_articles_show_their_time(server: PreviewServer, site: Path) -> None:
    later = site / "content/articles/2026/06/later.md"
    after_build(server, lambda: later.write_text(article_text("Results day", date="2027-02-03 09:00")))
    assert "Scheduled for 3 February 2027 09:00" in fetch(server, "/articles/2027/02/03/results-day/")[2]
    dashboard = fetch(server, "/_byline/")[2]
    assert "Scheduled (1)" in dashboard and "3 February 2027 09:00" in dashboard


def test_a_failed_rebuild_keeps_the_last_good_build(server: PreviewServer, site: Path) -> None:
    path = site / ARTICLE
    original = path.read_text()
    broken = after_build(server, lambda: path.write_text(original.replace("title: ", "title: [", 1)))
    assert [(e.path, e.line) for e in broken.errors] == [
        (ARTICLE, 3)
    ]  # YAML notices the bracket left open on the next line
    status, _, body = fetch(server, ARTICLE_URL)
    assert status == 200 and f">{ARTICLE_TITLE}</h1>" in body
    assert f"{ARTICLE}:3" in fetch(server, "/_byline/")[2]
    fixed = after_build(server, lambda: path.write_text(original))
    assert fixed.ok and fixed.token != broken.token


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (
            lambda site: (site / "templates/base.html").write_text("{% block main %}\n{% if %}\n"),
            "templates/base.html:2",
        ),
        (
            lambda site: (site / ARTICLE).write_text(article_text("Who wrote this?", author="nobody")),
            f"{ARTICLE}:4",
        ),
        (lambda site: (site / "site.toml").write_text("name = [\n"), "site.toml:1"),
    ],
    ids=["template-syntax", "unknown-author", "site-toml"],
)
def test_errors_name_the_file_and_line(
    server: PreviewServer, site: Path, change: Callable[[Path], object], where: str
) -> None:
    state = after_build(server, lambda: change(site))
    assert where in [f"{e.path}:{e.line}" for e in state.errors]
    assert fetch(server, "/")[0] == 200


def test_a_burst_of_500_files_is_one_rebuild(server: PreviewServer, site: Path) -> None:
    folder = site / "static/files"
    start = server.preview.state.attempt

    def checkout() -> None:  # like a git checkout: many files as fast as the disk takes them
        folder.mkdir()
        for index in range(500):
            (folder / f"{index}.txt").write_text(str(index))

    after_build(server, checkout)
    after_build(server, lambda: (site / "static/files/last.txt").write_text("sentinel"))
    assert server.preview.state.attempt == start + 2
    assert fetch(server, "/static/files/499.txt")[2] == "499"


def read_event(stream: http.client.HTTPResponse) -> dict[str, object]:
    for raw in iter(stream.readline, b""):
        if raw.startswith(b"data: "):
            return json.loads(raw[len(b"data: ") :])
    raise AssertionError("the event stream ended")


def open_stream(server: PreviewServer) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.http.server_port, timeout=BUILD_TIMEOUT)
    connection.request("GET", "/_byline/events")
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("Content-Type", "").startswith("text/event-stream")
    return response


def test_the_event_stream_tells_of_each_build(server: PreviewServer, site: Path) -> None:
    stream = open_stream(server)
    try:
        first = read_event(stream)
        assert first["build"] == server.preview.state.token and first["overlay"] == ""
        path = site / ARTICLE
        original = path.read_text()
        path.write_text(original.replace("title: ", "title: [", 1))
        failed = read_event(stream)
        assert failed["build"] == first["build"] and f"{ARTICLE}:3" in str(failed["overlay"])
        (site / "static/css/style.css").write_text(original and "body { color: red; }\n")
        path.write_text(original)
        fixed = read_event(stream)
        assert fixed["build"] != first["build"] and fixed["overlay"] == "" and fixed["css"] is False
        (site / "static/css/style.css").write_text("body { color: blue; }\n")
        restyled = read_event(stream)
        assert restyled["css"] is True and restyled["previous"] == fixed["build"]
    finally:
        stream.close()


def test_open_event_streams_do_not_hold_up_a_page_with_30_assets(server: PreviewServer, site: Path) -> None:
    assets = [f"/static/images/{p.name}" for p in (site / "static/images").iterdir()]
    assets += [f"/static/authors/{p.name}" for p in (site / "static/authors").iterdir()]
    assets = (assets * 30)[:30]
    streams = [open_stream(server) for _ in range(12)]  # twelve tabs, each with its own stream
    try:
        for stream in streams:
            read_event(stream)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=30) as pool:
            statuses = list(pool.map(lambda path: fetch(server, path, "HEAD")[0], [ARTICLE_URL, *assets]))
        assert statuses == [200] * 31
        assert time.monotonic() - started < 10
    finally:
        for stream in streams:
            stream.close()


def test_a_port_in_use_is_a_usage_error(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert serve(options_for(site), "127.0.0.1", port) == 2
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is already in use" in err and "--port" in err
    assert "Traceback" not in err


def start_command(site: Path, *args: str) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
    """Run `python build.py serve` on a free port; its stderr lines arrive on the queue."""
    process = subprocess.Popen(
        [sys.executable, str(SAMPLE / "build.py"), "serve", "--root", str(site), "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    return process, lines


def wait_for_line(lines: queue.Queue[str], text: str) -> list[str]:
    seen = []
    while (line := lines.get(timeout=BUILD_TIMEOUT)) != "":
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"{text!r} never printed; got {seen}")


def drain(lines: queue.Queue[str]) -> str:
    rest = []
    while (line := lines.get(timeout=BUILD_TIMEOUT)) != "":
        rest.append(line)
    return "".join(rest)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_stops_cleanly_without_a_traceback(site: Path, stop: signal.Signals) -> None:
    process, lines = start_command(site)
    try:
        printed = wait_for_line(lines, "Serving the preview at http://127.0.0.1:")
        assert not any("warning: serving on" in line for line in printed)
        process.send_signal(stop)
        assert process.wait(timeout=BUILD_TIMEOUT) == 0
        rest = drain(lines)
        assert "Traceback" not in rest and "Stopped." in rest
    finally:
        process.kill()


def test_binding_beyond_this_machine_warns(site: Path) -> None:
    process, lines = start_command(site, "--host", "0.0.0.0")
    try:
        printed = wait_for_line(lines, "Serving the preview at")
        assert "warning: serving on 0.0.0.0" in printed[0]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=BUILD_TIMEOUT) == 0
    finally:
        process.kill()


def test_the_first_build_runs_beside_no_thread_of_the_server(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It may fork workers, and a thread running at a fork can leave a lock held in them for ever.

    watchdog's observer starts a thread as soon as it is made: it is made after the first build.
    """
    before = set(threading.enumerate())
    server = PreviewServer(options_for(site), "127.0.0.1", 0, log=lambda line: None)
    beside: list[set[str]] = []
    build = server.builder.build

    def first_build(*args: object, **kwargs: object) -> object:
        beside.append({thread.name for thread in set(threading.enumerate()) - before})
        return build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(server.builder, "build", first_build)
    try:
        server.start()
        assert server.watcher is not None  # watching once the first build is done
    finally:
        server.stop()
    assert beside[0] == set()


def test_files_saved_during_the_first_build_are_found_by_their_time(site: Path) -> None:
    from byline.preview.watch import WatchSet, changed_since

    watch = WatchSet.for_site(site)
    moment = time.time() + 60  # as if the first build started later than everything on disk
    assert changed_since(watch, moment) == []
    fresh = site / ARTICLE
    swap = site / "content/articles/.draft.md.swp"
    for path in (fresh, swap, site / "site.toml"):
        path.touch()
        os.utime(path, (moment, moment))
    assert sorted(changed_since(watch, moment)) == sorted([fresh.resolve(), (site / "site.toml").resolve()])


def test_builds_go_to_memory_when_it_has_room(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from byline.preview.server import build_folder

    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the fallback goes: not left in /tmp
    memory = tmp_path / "shm"
    memory.mkdir()
    folder = build_folder(site, memory)
    assert folder.parent == memory and folder.is_dir()
    monkeypatch.setattr("byline.preview.server.MIN_MEMORY_FREE", 2**62)  # no machine has this much free
    assert build_folder(site, memory).parent != memory
    assert build_folder(site, tmp_path / "absent").parent != tmp_path / "absent"


def test_an_explicit_tmpdir_is_obeyed(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from byline.preview.server import build_folder

    chosen = tmp_path / "chosen"
    chosen.mkdir()
    monkeypatch.setenv("TMPDIR", str(chosen))
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile caches the folder it picked
    memory = tmp_path / "shm"
    memory.mkdir()
    assert build_folder(site, memory).parent == chosen


def test_a_site_under_a_base_path_is_previewed_under_it(site: Path) -> None:
    settings = (site / "site.toml").read_text()
    moved = re.sub(r"^base_url = .*$", 'base_url = "https://example.com/news"', settings, count=1, flags=re.M)
    assert moved != settings
    (site / "site.toml").write_text(moved)
    with running(site) as server:
        assert server.url.endswith("/news/")
        status, headers, _ = fetch(server, "/")
        assert (status, headers["Location"]) == (302, "/news/")
        status, _, body = fetch(server, "/news" + ARTICLE_URL)
        assert status == 200 and f'href="{server.url}' in body  # canonical and feed links point here
        assert fetch(server, ARTICLE_URL)[0] == 404


def test_a_site_folder_deleted_and_made_again_is_still_watched(server: PreviewServer, site: Path) -> None:
    templates = site / "templates"
    saved = site.parent / "templates-saved"
    shutil.copytree(templates, saved)
    after_build(server, lambda: shutil.rmtree(templates))  # the theme's templates take over
    after_build(server, lambda: shutil.copytree(saved, templates))
    state = after_build(server, lambda: (templates / "base.html").write_text("{% if %}\n"))
    assert "templates/base.html:1" in [f"{e.path}:{e.line}" for e in state.errors]


def test_an_open_page_is_served_from_the_rebuild_before_the_rest_of_it_is_written(
    server: PreviewServer, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fast render: the page a browser has open comes back once planned; every other file waits for the build."""
    import byline.pipeline

    assert fetch(server, ARTICLE_URL)[0] == 200  # the page an editor has open
    produce, reached, release = byline.pipeline._produce, threading.Event(), threading.Event()

    def held(*args: object, **kwargs: object) -> object:  # the build stops before comparing and writing
        reached.set()
        assert release.wait(BUILD_TIMEOUT)
        return produce(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(byline.pipeline, "_produce", held)
    waiting_on: queue.Queue[int] = queue.Queue()  # the serial of the state each waiting request waits past
    wait_for_change = server.preview.wait_for_change

    def noted(serial: int, timeout: float) -> State | None:
        waiting_on.put(serial)
        return wait_for_change(serial, timeout)

    monkeypatch.setattr(server.preview, "wait_for_change", noted)
    before = server.preview.state
    path = site / ARTICLE
    path.write_text(path.read_text() + "\nA paragraph shown at once.\n")
    with ThreadPoolExecutor(2) as pool:
        try:
            assert reached.wait(BUILD_TIMEOUT), "the rebuild never started"
            early = server.preview.state
            assert early.first is not None and early.token != before.token and early.attempt == before.attempt
            status, _, body = fetch(server, ARTICLE_URL)
            assert status == 200 and "A paragraph shown at once." in body and f'data-build="{early.token}"' in body
            stylesheet = re.search(r'href="(/static/css/style\.[0-9a-f]+\.css)"', body)
            assert stylesheet and fetch(server, stylesheet.group(1))[0] == 200  # same name, same bytes
            home = pool.submit(fetch, server, "/")  # may change with the article: waits for the build
            feed = pool.submit(fetch, server, "/feed.xml")  # not a page shown first: waits too
            waited = [waiting_on.get(timeout=BUILD_TIMEOUT) for _ in range(2)]
            assert waited == [early.serial, early.serial]  # both wait for a state after the early one
            assert not home.done() and not feed.done() and server.preview.state.serial == early.serial
        finally:
            release.set()
        assert "A paragraph shown at once." in feed.result()[2] and home.result()[0] == 200
    final = server.preview.state
    assert final.first is None and final.token == early.token and final.attempt == before.attempt + 1
    assert fetch(server, ARTICLE_URL)[2] == body  # the page shown first is the page the build wrote


def test_a_request_for_another_host_name_is_refused_over_the_wire(server: PreviewServer) -> None:
    # Regression (issue 16, defect 5): curl -H 'Host: attacker.example' got the embargoed article.
    for path in (ARTICLE_URL, "/_byline/", "/_byline/events"):
        status, _, body = fetch(server, path, host="attacker.example")
        assert status == 421 and ARTICLE_TITLE not in body
    assert fetch(server, ARTICLE_URL, host=f"localhost:{server.http.server_port}")[0] == 200
