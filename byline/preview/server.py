"""The preview's lifecycle: ``serve`` binds, builds, then watches, rebuilds and serves until stopped.

``PreviewServer`` owns what a session makes (its build folders, the watcher, the build loop,
the HTTP server, the search indexer) and removes it all on stop; docs/design.md, "Preview",
says why it is shaped so.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from byline.config import BuildOptions, load_config
from byline.pipeline import Builder, BuildResult, FirstLook
from byline.preview import overlay
from byline.preview.http_server import PreviewHTTPServer
from byline.preview.search import PreviewSearch
from byline.preview.signals import stop_on_signals
from byline.preview.state import BUILD_WAIT_SECONDS, VIEW_SWITCH, Log, Preview, State
from byline.preview.watch import Debouncer, Watcher, WatchSet, changed_since
from byline.site.model import Site
from byline.theme import THEME_STATIC, THEME_TEMPLATES

EXIT_OK, EXIT_USAGE = 0, 2


class PreviewServer:
    """Everything ``serve`` runs: the HTTP server, the watcher and the build loop, started and stopped together.

    Binding comes first, so a port in use fails before any work.
    """

    def __init__(
        self, options: BuildOptions, host: str = "127.0.0.1", port: int = 8000, log: Log = print, quiet: bool = False
    ):
        self.root = options.root.resolve()
        self.log = log
        self.preview = Preview(self._build, log=log, quiet=quiet)
        config, _ = load_config(options.root, options.base_url)
        self.base_path = config.base_path
        self.folder = build_folder(self.root)
        try:
            self.http = PreviewHTTPServer((host, port), self.preview, self.base_path, options.verbose)
        except OSError:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.url = f"http://{_url_host(host)}:{self.http.server_port}{self.base_path}/"
        # Two folders per view, built in turn: each view's builds are checked against its own last one.
        self.outputs = {view: (self.folder / f"{view}-a", self.folder / f"{view}-b") for view in overlay.VIEWS}
        self.options = replace(
            options,
            output=self.outputs["all"][0],
            drafts=True,
            future=True,
            base_url=self.url.rstrip("/"),
            search_index=False,  # indexed apart, after the reload: self.search
        )
        self.search = PreviewSearch(self.folder / "search", log=log)
        self.http.search = self.search
        self.http.switch_view = self.switch_view
        self.fixed_clock = options.now is not None
        self.builder = Builder(self.options)
        # Every change after the first build begins reaches the builder (start, _build_loop).
        self.builder.watched = True
        self.watch = WatchSet.for_site(self.root, theme=(THEME_TEMPLATES, THEME_STATIC))
        self.debouncer = Debouncer()
        # Made in start(), after the first build: watchdog's observer starts a thread when made.
        self.watcher: Watcher | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = False

    def __enter__(self) -> PreviewServer:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def start(self) -> None:
        """Build once before any thread exists (the first build may fork workers), then watch, rebuild and serve.

        A save made during the first build is found by its time and rebuilt at once.
        """
        started = time.time()
        if gone := self.builder.forget_gone():  # records of folders an earlier session could not drop
            self.log(f"dropped the cache's records of {len(gone)} build folders an earlier preview left behind")
        if self.preview.rebuild().folder is not None:
            first, second = self.outputs["all"]
            self.builder.prime(second, first)  # now, not on the first save
        self.builder.options = replace(self.builder.options, jobs=1)
        self.watcher = Watcher(self.watch, self.debouncer.add)
        self.watcher.start()
        self.debouncer.add(changed_since(self.watch, started))
        for target, name in ((self._build_loop, "byline-build"), (self._serve_http, "byline-http")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop watching, building and serving; remove the temporary build."""
        if self._stopping:
            return
        self._stopping = True
        self.debouncer.close()
        self.preview.close()
        self.search.close()
        if self.watcher is not None:
            with contextlib.suppress(Exception):
                self.watcher.stop()
        if any(t.name == "byline-http" for t in self._threads):
            self.http.shutdown()
        self.http.server_close()
        for thread in self._threads:
            thread.join(timeout=30)
        self._forget_build()

    def _build(self) -> BuildResult:
        """Build into the view's folder not being served; its second folder starts as a copy of its first."""
        view = self.preview.view
        first, second = self.outputs[view]
        served = self.preview.state.folder
        target = second if served == first.resolve() else first
        if served in (first.resolve(), second.resolve()) and not target.exists():
            self.builder.prime(target, served)
        everything = view == "all"
        self.builder.options = replace(self.builder.options, output=target, drafts=everything, future=everything)
        result = self.builder.build(first=FirstLook(self.preview.viewed_pages(), self.preview.serve_first_pages))
        self.search.submit(result.search_documents)
        return result

    def switch_view(self, view: str) -> State:
        """Show the site ``view``s way (overlay.VIEWS); return the state once a build of it is served, or has failed."""
        preview = self.preview
        state = preview.state
        if preview.view == view and state.view == view:
            return state
        attempt = state.attempt
        preview.view = view
        self.debouncer.add([VIEW_SWITCH])
        deadline = time.monotonic() + BUILD_WAIT_SECONDS
        while (later := preview.wait_for_build(attempt, max(0.0, deadline - time.monotonic()))) is not None:
            if later.view == view or not later.ok or later.attempt == attempt:
                return later
            attempt = later.attempt  # a build begun before the switch: the next one is the switch's
        return preview.state

    def _build_loop(self) -> None:
        while not self._stopping:
            changed = self.debouncer.wait(timeout=self._until_next_schedule())
            if self._stopping or self.debouncer.closed:
                return
            paths = changed or frozenset()  # None: a scheduled article's time has come
            self.builder.note_changes(paths)
            self.preview.rebuild(paths, css_only=self.watch.css_only(paths), root=self.root)

    def _serve_http(self) -> None:
        self.http.serve_forever(poll_interval=0.05)

    def _until_next_schedule(self) -> float | None:
        site = self.preview.state.site
        return None if site is None or self.fixed_clock else until_next_schedule(site, self.options.clock())

    def _forget_build(self) -> None:
        """Remove this session's folders, then drop their records from the site's cache.

        The folders first: they hold the site in memory (two copies per view), and dropping a
        large site's records of reads can outlast an editor's patience with Ctrl-C.
        """
        shutil.rmtree(self.folder, ignore_errors=True)
        for output in (folder for pair in self.outputs.values() for folder in pair):
            self.builder.forget(output)


MEMORY = Path("/dev/shm")  # Linux's RAM-backed tmpfs, present on every modern distribution
MIN_MEMORY_FREE = 512 * 2**20
OUTPUT_PER_SOURCE_BYTE = 20  # room for a build, its staging folder and headroom (docs/design.md, "Preview")


def build_folder(root: Path, memory: Path = MEMORY) -> Path:
    """A fresh folder for the preview's builds: in memory when there is room, since rebuilds churn thousands of files.

    An explicit TMPDIR is obeyed.
    """
    if "TMPDIR" not in os.environ and memory.is_dir() and os.access(memory, os.W_OK):
        try:
            stats = os.statvfs(memory)
            needed = max(MIN_MEMORY_FREE, OUTPUT_PER_SOURCE_BYTE * _size_of(root / "content", root / "static"))
            if stats.f_bavail * stats.f_frsize >= needed:
                return Path(tempfile.mkdtemp(prefix="byline-preview-", dir=memory))
        except OSError:
            pass
    return Path(tempfile.mkdtemp(prefix="byline-preview-"))


def _size_of(*folders: Path) -> int:
    total = 0
    for folder in folders:
        for dirpath, _, filenames in os.walk(folder):
            for name in filenames:
                with contextlib.suppress(OSError):
                    total += os.stat(os.path.join(dirpath, name)).st_size
    return total


def until_next_schedule(site: Site, now: datetime) -> float | None:
    """Seconds until the next scheduled article goes live, so its banner goes without a save."""
    waiting = (*site.articles, *site.hidden)  # the scheduled are hidden when the preview shows the site as published
    times = [a.date for a in waiting if site.status_of.get(a.source) == "scheduled" and a.date > now]
    return (min(times) - now).total_seconds() + 0.5 if times else None


def serve(options: BuildOptions, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Run the preview until Ctrl-C; return 0, or 2 when the address cannot be used."""
    log = _printer()
    if not _is_loopback(host):
        log(
            f"warning: serving on {host} makes the preview, drafts and scheduled articles included, "
            "reachable from other machines; use --host 127.0.0.1 to keep it private"
        )
    restore = stop_on_signals()
    try:
        try:
            server = PreviewServer(options, host, port, log=log, quiet=options.quiet)
        except OverflowError:  # raised by bind for ports above 65535
            print(f"error: --port {port} is not a port number; use 1 to 65535", file=sys.stderr)
            return EXIT_USAGE
        except OSError as exc:
            print(f"error: {_bind_problem(exc, host, port)}", file=sys.stderr)
            return EXIT_USAGE
        with server:
            server.start()
            dashboard = f"http://{_url_host(host)}:{server.http.server_port}{overlay.PREFIX}"
            log(f"Serving the preview at {server.url} (dashboard: {dashboard}); press Ctrl-C to stop.")
            while True:
                time.sleep(3600)  # the threads do the work; Ctrl-C ends this with KeyboardInterrupt
    except KeyboardInterrupt:
        log("Stopped.")
    finally:
        restore()
    return EXIT_OK


def _printer() -> Log:
    lock = threading.Lock()

    def log(line: str) -> None:
        with lock:
            print(line, file=sys.stderr, flush=True)

    return log


def _bind_problem(exc: OSError, host: str, port: int) -> str:
    import errno

    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use (another preview?); stop it or choose another with --port"
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on port {port}; choose a port above 1023 with --port"
    if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {host}: no such address on this machine; try --host 127.0.0.1"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    """The host as it goes in a URL: wildcards become localhost, IPv6 gets brackets."""
    if host in ("", "0.0.0.0", "::"):
        return "localhost"
    return f"[{host}]" if ":" in host else host
