"""The preview server: serves a build, rebuilds on change, live-reloads browsers, shows errors.

Live reload is "one builder callback + an epoch" (MkDocs livereload, after mkdocs#2061):
the watcher only marks a rebuild wanted (``watch.Debouncer``); one build loop waits for
quiet, builds once and records the result as a new immutable ``State``; browsers hear of
it over Server-Sent Events. Builds alternate between two temporary folders: each build
patches the folder not being served, and only a finished good build is served, so a
half-built (or half-patched) site is never served, and a failed build leaves the last good
one in place while every open page shows the errors (Zola ``serve``, Hugo #5284). The
reload script is injected into responses and never written into files.

The pages browsers have open are not kept waiting for the whole rebuild (Hugo's fast
render): the build renders them first (``pipeline.FirstLook``) and they are served from
memory under the new build's token while the rest is compared and written. Meanwhile
every other request waits for the finished build, save stylesheets and scripts whose
fingerprinted name the served folder holds, so nothing served is from a mix of builds.

The request logic (``resolve``, ``respond``) is plain functions of a path and a state, so
it is tested without sockets; ``_Handler`` only adapts it to ``http.server``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import TCPServer
from typing import Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit

from byline.config import BuildOptions, load_config
from byline.errors import BuildFailed, ContentError, UsageError
from byline.output.search import BUNDLE as SEARCH_BUNDLE
from byline.pipeline import Builder, BuildResult, FirstLook, FirstPages
from byline.preview import overlay
from byline.preview.search import PreviewSearch
from byline.preview.watch import Debouncer, Watcher, WatchSet
from byline.site.model import Site
from byline.text import plural
from byline.theme import THEME_STATIC, THEME_TEMPLATES

EXIT_OK, EXIT_USAGE = 0, 2
EVENTS_URL = overlay.PREFIX + "events"
WORKER_SCRIPT = Path(__file__).with_name("livereload.js")
KEEPALIVE_SECONDS = 15.0  # an idle SSE stream writes a comment this often, to notice closed tabs
SEARCH_WAIT_SECONDS = 120.0  # a search request waits this long at most for the newest build's index
BUILD_WAIT_SECONDS = 600.0  # a request waits this long at most for the build its page came from
VIEWED_PAGES = 4  # the pages a rebuild renders first: the ones browsers asked for last
VIEW_SWITCH = Path("/_byline/view")  # not a file: the change a switch of the preview's view makes
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
MISDIRECTED = "This preview answers only requests for its own address (localhost, 127.0.0.1, [::1] or --host).\n"

Log = Callable[[str], None]

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".wasm": "application/wasm",
}
ATOM = "application/atom+xml; charset=utf-8"


# --- state ----------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """What the preview serves and tells browsers at one moment; replaced whole, never changed.

    ``token`` names the build being served ('' before any build succeeded) and ``attempt``
    counts builds tried, so browsers hear of failed builds too. While ``first`` is set, the
    build named by ``token`` is still being finished: only its first pages (and assets the
    served folder holds under the same fingerprinted names) are answered; other requests
    wait for it. ``serial`` counts published states, for the event streams.
    """

    token: str = ""
    previous: str = ""
    css_only: bool = False
    attempt: int = 0
    errors: tuple[ContentError, ...] = ()
    warnings: tuple[ContentError, ...] = ()
    site: Site | None = None
    finished: datetime | None = None
    seconds: float = 0.0
    shown_after: float | None = None  # seconds into the build its first pages were served
    moved: Mapping[str, str] = field(default_factory=dict)
    folder: Path | None = None  # where the build named by ``token`` is
    first: FirstPages | None = None
    serial: int = 0
    view: str = "all"  # what the build named by ``token`` shows: overlay.VIEWS

    @property
    def ok(self) -> bool:
        return not self.errors

    def message(self) -> str:
        """The state as browsers receive it (see livereload.js)."""
        return json.dumps(
            {
                "build": self.token,
                "previous": self.previous,
                "css": self.css_only,
                "overlay": overlay.overlay_html(self.errors) if self.errors else "",
            }
        )

    def report(self) -> overlay.BuildReport:
        return overlay.BuildReport(self.ok, self.finished, self.seconds, self.errors, self.warnings)


class Preview:
    """The one builder callback and its epoch: builds, keeps the result, wakes the waiting browsers."""

    def __init__(self, build: Callable[[], BuildResult], log: Log = print, quiet: bool = False):
        self._build = build
        self._log = log
        self._quiet = quiet
        self._instance = secrets.token_hex(4)  # a restarted server's builds never match an old page's
        self._epoch = 0
        self._state = State()
        self._changed = threading.Condition()
        self._closed = False
        self._serial = 0
        self._css_only = False  # the build under way changes stylesheets only
        self._first_token = ""  # the token the build under way showed its first pages under
        self._shown_after: float | None = None  # and how long into it
        self._started = 0.0  # when the build under way began (time.perf_counter)
        self._viewed: dict[str, None] = {}  # output paths of the pages browsers asked for, oldest first
        self.view = "all"  # what builds show: drafts and scheduled articles, or the site as published now
        self._building = "all"  # the view of the build under way
        self.ready = threading.Event()  # set once the first build has been tried

    @property
    def state(self) -> State:
        return self._state

    @property
    def closed(self) -> bool:
        return self._closed

    def rebuild(self, changed: Iterable[Path] = (), css_only: bool = False, root: Path | None = None) -> State:
        """Build once; on success the new build is served, on failure the last good one stays."""
        started = self._started = time.perf_counter()
        old = self._state
        view = self._building = self.view
        self._css_only = css_only and old.ok and bool(old.token)
        self._first_token, self._shown_after = "", None
        try:
            result = self._build()
        except BuildFailed as failed:
            state = replace(old, css_only=False, attempt=old.attempt + 1, errors=tuple(failed.errors))
        except UsageError as exc:  # e.g. content/articles/ renamed away while serving
            state = replace(old, css_only=False, attempt=old.attempt + 1, errors=(ContentError(".", 0, str(exc)),))
        except Exception as exc:  # a bug must not end the preview: report it and keep serving
            traceback.print_exc()
            problem = ContentError("byline", 0, f"internal error, please report: {type(exc).__name__}: {exc}")
            state = replace(old, css_only=False, attempt=old.attempt + 1, errors=(problem,))
        else:
            state = State(
                token=self._first_token or self._next_token(),
                previous=old.token,
                css_only=self._css_only,
                attempt=old.attempt + 1,
                warnings=tuple(result.warnings),
                site=result.site,
                moved=moved_urls(old.site, result.site, old.moved),
                folder=result.output.resolve(),
                shown_after=self._shown_after,
                view=view,
            )
        seconds = time.perf_counter() - started
        if not state.ok:  # made from the last good state, which may have shown pages early itself
            state = replace(state, shown_after=None)
        state = self._publish(replace(state, finished=datetime.now().astimezone(), seconds=seconds))
        self._tell(old, state, changed, root)
        return state

    def show_first(self, first: FirstPages) -> None:
        """Serve the build under way's first pages now, under its token; the rest waits for it (see State).

        Called again in the same build with more pages, it keeps the token: browsers that
        reloaded into the first pages are not reloaded again.
        """
        old = self._state
        if self._first_token:  # shown already in this build: more pages, same token, same reference
            self._publish(replace(old, first=first))
            return
        self._first_token = self._next_token()
        self._shown_after = time.perf_counter() - self._started
        self._publish(
            replace(
                old,
                token=self._first_token,
                previous=old.token,
                css_only=self._css_only,
                errors=(),
                shown_after=self._shown_after,
                folder=old.folder if old.token else None,
                first=first,
                view=self._building,
            )
        )

    def viewed(self, page: str) -> None:
        """Note a page a browser asked for: the next rebuild renders the last few first."""
        with self._changed:
            self._viewed.pop(page, None)
            self._viewed[page] = None
            while len(self._viewed) > VIEWED_PAGES:
                del self._viewed[next(iter(self._viewed))]

    def viewed_pages(self) -> frozenset[str]:
        with self._changed:
            return frozenset(self._viewed)

    def next_state(self, serial: int, timeout: float) -> State | None:
        """The state once one after ``serial`` is published (the same state on timeout); None when closing."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._state.serial != serial, timeout)
            return None if self._closed else self._state

    def wait(self, attempt: int, timeout: float) -> State | None:
        """The state once a build after ``attempt`` is done (the same state on timeout); None when closing."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._state.attempt != attempt, timeout)
            return None if self._closed else self._state

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self.ready.set()

    def _next_token(self) -> str:
        self._epoch += 1
        return f"{self._instance}.{self._epoch}"

    def _publish(self, state: State) -> State:
        with self._changed:
            self._serial += 1
            self._state = state = replace(state, serial=self._serial)
            self._changed.notify_all()
        self.ready.set()
        return state

    def _tell(self, old: State, new: State, changed: Iterable[Path], root: Path | None) -> None:
        """Print a build's outcome once: every error of a failed build, warnings when they change."""
        changed = sorted(changed)
        stamp = f"[{new.finished:%H:%M:%S}] " if new.finished else ""
        cause = _describe(changed, root)
        if not new.ok:
            for problem in new.errors:
                self._log(problem.format())
            kept = "still serving the last good build" if new.token else "no good build to serve yet"
            self._log(f"{stamp}{cause}Build failed: {plural(len(new.errors), 'error')}; {kept}.")
            return
        if new.warnings != old.warnings or old.attempt == 0:
            for problem in new.warnings:
                self._log(problem.format())
        if not self._quiet:
            what = "stylesheet swapped" if new.css_only else "rebuilt" if old.attempt else "built"
            size = f" ({plural(len(new.site.articles), 'article')})" if new.site and not old.attempt else ""
            shown = f" (open pages shown after {new.shown_after:.2f} s)" if new.shown_after is not None else ""
            self._log(f"{stamp}{cause}{what}{size} in {new.seconds:.2f} s{shown}")


def moved_urls(old: Site | None, new: Site | None, earlier: Mapping[str, str]) -> dict[str, str]:
    """Old URL -> new URL of every page whose file is the same but whose URL changed this session.

    Editing a title changes the slug, so the page an editor is looking at would reload
    into a 404; the server redirects it to the page's new address instead.
    """
    if new is None:
        return dict(earlier)
    now = {}
    if old is not None:
        for source, url in old.url_of.items():
            if (moved := new.url_of.get(source)) and moved != url:
                now[url] = moved
    merged = {url: now.get(target, target) for url, target in earlier.items()}  # A -> B -> C is A -> C
    merged.update(now)
    live = set(new.url_of.values())
    return {url: target for url, target in merged.items() if url not in live and target in live}


def _describe(changed: list[Path], root: Path | None) -> str:
    if not changed:
        return ""
    if changed == [VIEW_SWITCH]:
        return "view switched: "
    first = changed[0]
    if root is not None and first.is_relative_to(root):
        first = first.relative_to(root)
    more = f" and {plural(len(changed) - 1, 'other')}" if len(changed) > 1 else ""
    return f"{first.as_posix()}{more} changed: "


# --- requests -------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """Where a request path leads inside the build folder."""

    kind: Literal["file", "redirect", "missing"]
    path: Path | None = None
    location: str = ""


def resolve(folder: Path, target: str, base_path: str = "") -> Resolved:
    """Map a request target to a file in ``folder``, never outside it.

    Dot segments, encoded or not, are refused rather than normalised; symlinks are
    followed only while they stay inside the folder. A folder URL without its slash
    redirects to the URL with it, as a static host would.
    """
    raw_path, query = split_target(target)
    path = unquote(raw_path)
    if not path.startswith("/") or "\0" in path or "\\" in path:
        return Resolved("missing")
    if base_path:
        if path in ("/", base_path):
            return Resolved("redirect", location=_quote(base_path + "/"))
        if not path.startswith(base_path + "/"):
            return Resolved("missing")
        path = path[len(base_path) :]
    segments = path.split("/")
    if any(s in (".", "..") for s in segments):
        return Resolved("missing")
    relative = "/".join(s for s in segments if s)
    try:
        return _find(Path(os.path.realpath(folder)), relative, path, query, base_path)
    except OSError:  # a name or path longer than the file system takes, a loop: no such file
        return Resolved("missing")


def _find(root: Path, relative: str, path: str, query: str, base_path: str) -> Resolved:
    real = Path(os.path.realpath(root / relative))
    if not real.is_relative_to(root):
        return Resolved("missing")
    if real.is_dir():
        index = Path(os.path.realpath(real / "index.html"))
        if not (index.is_file() and index.is_relative_to(root)):
            return Resolved("missing")
        if path.endswith("/"):
            return Resolved("file", index)
        location = _quote(base_path + "/" + relative + "/") + (f"?{query}" if query else "")
        return Resolved("redirect", location=location)
    if real.is_file() and not path.endswith("/"):
        return Resolved("file", real)
    return Resolved("missing")


def split_target(target: str) -> tuple[str, str]:
    """A request target's path and query, undecoded.

    Not urlsplit: it would read the 'evil.example' of '//evil.example/' as a host name.
    """
    path, _, query = target.partition("?")
    return path.partition("#")[0], query.partition("#")[0]


def _quote(path: str) -> str:
    return quote(path, safe="/!$&'()*+,;=:@-._~")


def content_type(path: Path, head: bytes = b"") -> str:
    """The Content-Type for a built file; ``head`` (its first bytes) tells an Atom feed from other XML."""
    suffix = path.suffix.lower()
    if suffix == ".xml" and (path.name == "feed.xml" or b"<feed" in head):
        return ATOM
    return _TYPES.get(suffix, "application/octet-stream")


@dataclass
class Response:
    """A response before it meets a socket; a big file is sent from ``file`` rather than held in ``body``."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    file: Path | None = None
    page: str = ""  # the output path of the built page answered, if one was

    @property
    def length(self) -> int:
        return self.file.stat().st_size if self.file is not None else len(self.body)


def respond(
    state: State, folder: Path | None, target: str, base_path: str = "", search: Path | None = None
) -> Response:
    """Answer a GET or HEAD for ``target`` from the build in ``folder`` (the SSE stream is handled apart).

    ``search``, when given, is the folder whose ``pagefind/`` answers for the build's (see preview_search).
    """
    path = split_target(target)[0]
    if path == overlay.PREFIX.rstrip("/") or path.startswith(overlay.PREFIX):
        return _internal(state, path, base_path)
    if not state.token or folder is None:  # no good build yet: every page explains, through the overlay
        return _page(HTTPStatus.SERVICE_UNAVAILABLE, overlay.standin_page(state.token, state.view))
    where = search if search is not None and is_search_path(path, base_path) else folder
    found = resolve(where, target, base_path)
    if found.kind == "redirect":
        return _no_store(Response(HTTPStatus.FOUND, {"Location": found.location}, b"", None))
    if found.kind == "missing" or found.path is None:
        site_path = unquote(split_target(target)[0]).removeprefix(base_path)
        if moved := state.moved.get(site_path):
            return _no_store(Response(HTTPStatus.FOUND, {"Location": _quote(base_path + moved)}))
        return _not_found(state, folder)
    response = _file(found.path, state)
    if response.status == HTTPStatus.OK and found.path.suffix.lower() == ".html":
        response.page = found.path.relative_to(os.path.realpath(where)).as_posix()
    return response


def respond_first(state: State, target: str, base_path: str = "") -> Response | None:
    """Answer while the build named by ``state.token`` is finished, or None: the request must wait for it.

    A first page is answered from memory; a fingerprinted asset from the served folder,
    whose file of that name has the same content. Anything else may be about to change.
    """
    assert state.first is not None
    path = split_target(target)[0]
    if path == overlay.PREFIX.rstrip("/") or path.startswith(overlay.PREFIX):
        return _internal(state, path, base_path)
    path = unquote(path)
    if base_path:
        if not path.startswith(base_path + "/"):
            return None
        path = path[len(base_path) :]
    relative = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
    if any(s in (".", "..") for s in relative.split("/")):
        return None
    if (page := state.first.pages.get(relative)) is not None and relative.endswith(".html"):
        return replace(_page(HTTPStatus.OK, overlay.inject(page, state.token, state.view)), page=relative)
    if relative in state.first.assets and state.folder is not None:
        found = resolve(state.folder, target, base_path)
        if found.kind == "file" and found.path is not None:
            return _file(found.path, state)
    return None


def is_search_path(path: str, base_path: str = "") -> bool:
    """Whether a request path (undecoded) is under the search index's folder."""
    return unquote(path).startswith(f"{base_path}/{SEARCH_BUNDLE}/")


def _internal(state: State, path: str, base_path: str) -> Response:
    if path == overlay.PREFIX.rstrip("/"):
        return _no_store(Response(HTTPStatus.FOUND, {"Location": overlay.PREFIX}))
    if path == overlay.PREFIX:
        page = overlay.dashboard_html(state.site, state.report(), state.token, base_path, state.view)
        return _page(HTTPStatus.OK, page)
    if path == overlay.SCRIPT_URL:
        script = WORKER_SCRIPT.read_bytes()
        return _no_store(Response(HTTPStatus.OK, {"Content-Type": _TYPES[".js"]}, script))
    return _page(HTTPStatus.NOT_FOUND, overlay.not_found_page(state.token, state.view))


def _file(path: Path, state: State) -> Response:
    if path.suffix.lower() == ".html":
        return _page(HTTPStatus.OK, overlay.inject(path.read_bytes(), state.token, state.view))
    head = b""
    if path.suffix.lower() == ".xml":
        with path.open("rb") as stream:
            head = stream.read(512)
    return _no_store(Response(HTTPStatus.OK, {"Content-Type": content_type(path, head)}, file=path))


def _not_found(state: State, folder: Path) -> Response:
    page = folder / "404.html"
    if page.is_file():
        return _page(HTTPStatus.NOT_FOUND, overlay.inject(page.read_bytes(), state.token, state.view))
    return _page(HTTPStatus.NOT_FOUND, overlay.not_found_page(state.token, state.view))


def _page(status: int, html: bytes) -> Response:
    return _no_store(Response(status, {"Content-Type": _TYPES[".html"]}, html))


def _no_store(response: Response) -> Response:
    """Every response is fresh: a preview must never show a cached earlier build."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


MAX_FORM_BYTES = 1024
_REFUSED = b"Only the preview's own pages may switch what it shows.\n"


def view_request(form: bytes, origin: str | None, referer: str | None, host: str | None) -> tuple[str | None, str]:
    """The view a POST to the switch asks for (None: refused), and the page to go back to.

    Any web page can send a form to 127.0.0.1: only one from the preview's own pages
    (its Origin, else its Referer, on this Host) may switch it.
    """
    own = f"http://{host}" if host else None
    sender = origin or _origin_of(referer)
    values = parse_qs(form.decode("ascii", "replace"))
    view = (values.get("view") or [""])[0]
    if own is None or sender != own or view not in overlay.VIEWS:
        return None, "/"
    path = split_target(referer[len(own) :])[0] if referer and referer.startswith(own + "/") else "/"
    return view, path


def _origin_of(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


# --- HTTP adapter -----------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    """Adapts ``respond`` to http.server, plus the Server-Sent Events stream."""

    server: PreviewHTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive: a page's assets reuse connections
    server_version = "Byline-preview"
    timeout = 60  # an idle keep-alive connection gives its thread back after this
    # Headers and body go out as two writes; with Nagle's algorithm the second waits for the
    # browser's delayed ACK of the first, adding ~40 ms to every response.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        """The one form the preview takes: the bar's switch between its two views."""
        if self._host_refused():
            return
        length = int(self.headers.get("Content-Length") or 0)
        if split_target(self.path)[0] != overlay.VIEW_URL or self.server.switch_view is None:
            self._send(_page(HTTPStatus.NOT_FOUND, overlay.not_found_page(self.server.preview.state.token)))
            return
        if length > MAX_FORM_BYTES:
            self._send(_no_store(Response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)))
            return
        form = self.rfile.read(length)
        view, back = view_request(
            form, self.headers.get("Origin"), self.headers.get("Referer"), self.headers.get("Host")
        )
        if view is None:
            self._send(_no_store(Response(HTTPStatus.FORBIDDEN, {"Content-Type": _TYPES[".txt"]}, _REFUSED)))
            return
        state = self.server.switch_view(view)
        base_path = self.server.base_path
        if state.folder is None or resolve(state.folder, back, base_path).kind == "missing":
            back = base_path + "/"  # a draft's page is not there as published now
        self._send(_no_store(Response(HTTPStatus.SEE_OTHER, {"Location": back})))

    def _serve(self, head: bool) -> None:
        preview = self.server.preview
        if self._host_refused(head):
            return
        if split_target(self.path)[0] == EVENTS_URL and not head:
            self._stream_events()
            return
        state = preview.state  # one state per request: its token and its folder belong together
        base_path = self.server.base_path
        response = None
        deadline = time.monotonic() + BUILD_WAIT_SECONDS
        # While a build is being finished, this file may be about to change: wait for it to be
        # shown among the first pages, or for the finished build.
        while state.first is not None and (response := respond_first(state, self.path, base_path)) is None:
            later = preview.next_state(state.serial, timeout=max(0.0, deadline - time.monotonic()))
            if later is None or later.serial == state.serial:
                break  # closing, or the build never ended: answer from what is served
            state = later
        if response is None:
            search = None
            if self.server.search is not None and is_search_path(split_target(self.path)[0], base_path):
                search = self.server.search.folder(timeout=SEARCH_WAIT_SECONDS)  # the index of the newest build
            response = respond(state, state.folder, self.path, base_path, search)
        if response.page:
            preview.viewed(response.page)
        self._send(response, head)

    def _send(self, response: Response, head: bool = False) -> None:
        try:
            with contextlib.ExitStack() as opened:
                # Open before measuring: the length sent must be the length of the bytes sent.
                stream = opened.enter_context(response.file.open("rb")) if response.file else None
                length = os.fstat(stream.fileno()).st_size if stream else len(response.body)
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                if head:
                    return
                if stream:
                    shutil.copyfileobj(stream, self.wfile)
                else:
                    self.wfile.write(response.body)
        except OSError:  # the browser went away mid-response (a reload, a closed tab), or the file did
            self.close_connection = True

    def _host_refused(self, head: bool = False) -> bool:
        """Answer 421 to a request for another host name (a page of any site whose name leads here: DNS rebinding)."""
        if host_allowed(self.headers.get("Host"), self.server.hosts, self.connection.getsockname()):
            return False
        headers = {"Content-Type": _TYPES[".txt"]}
        self._send(_no_store(Response(HTTPStatus.MISDIRECTED_REQUEST, headers, MISDIRECTED.encode())), head)
        return True

    def _stream_events(self) -> None:
        """Send the current state, then each new one, until the tab or the server goes."""
        preview = self.server.preview
        self.close_connection = True  # the stream has no length; it ends with the connection
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"retry: 500\n\n")
            state: State | None = preview.state
            while state is not None:
                self.wfile.write(f"data: {state.message()}\n\n".encode())
                self.wfile.flush()
                serial = state.serial
                while (state := preview.next_state(serial, KEEPALIVE_SECONDS)) is not None and state.serial == serial:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
        except OSError:
            return

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class PreviewHTTPServer(ThreadingHTTPServer):
    """A thread per connection, so open event streams never hold up page requests."""

    daemon_threads = True
    block_on_close = False  # event streams end when the server does; do not wait for them
    request_queue_size = 128  # a page with many assets opens many connections at once
    allow_reuse_address = os.name != "nt"  # on Windows it would let two servers share a port

    def __init__(self, address: tuple[str, int], preview: Preview, base_path: str, verbose: bool):
        self.preview = preview
        self.base_path = base_path
        self.verbose = verbose
        self.search: PreviewSearch | None = None  # answers for /pagefind/ when set
        self.switch_view: Callable[[str], State] | None = None  # builds a view, returns its state
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)
        self.hosts = allowed_hosts(address[0], self.server_port)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn), which can stall for seconds.
        TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a closed tab is not an error
            super().handle_error(request, client_address)  # type: ignore[arg-type]


# --- the server -----------------------------------------------------------------------


class PreviewServer:
    """Everything ``serve`` runs: the HTTP server, the watcher and the build loop, started and stopped together.

    Binding happens first, so a port in use fails before any work; the build goes to a
    fresh temporary folder with drafts and scheduled articles shown and absolute links
    (feeds, canonical) pointing at this server.
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
        """Build once, then watch, rebuild and serve in background threads.

        The first build runs before any thread exists because it may fork worker processes
        (parallel.fork_map), and forking beside running threads can deadlock the children
        on a lock some thread held. Later builds run beside the server's threads, so they
        stay in one process; they are mostly incremental. A save made during the first
        build is found by its time and rebuilt at once.
        """
        started = time.time()
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
        result = self.builder.build(first=FirstLook(self.preview.viewed_pages(), self.preview.show_first))
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
        while (later := preview.wait(attempt, max(0.0, deadline - time.monotonic()))) is not None:
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
            self.preview.rebuild(paths, css_only=self.watch.css_only(paths), root=self.root)

    def _serve_http(self) -> None:
        self.http.serve_forever(poll_interval=0.05)

    def _until_next_schedule(self) -> float | None:
        site = self.preview.state.site
        return None if site is None or self.fixed_clock else until_next_schedule(site, datetime.now(UTC))

    def _forget_build(self) -> None:
        """Drop this session's output records from the site's cache, then the folders themselves."""
        for output in (folder for pair in self.outputs.values() for folder in pair):
            self.builder.forget(output)
        shutil.rmtree(self.folder, ignore_errors=True)


MEMORY = Path("/dev/shm")  # Linux's RAM-backed tmpfs, present on every modern distribution
MIN_MEMORY_FREE = 512 * 2**20
OUTPUT_PER_SOURCE_BYTE = 20  # a build is ~8x its sources; the staging folder and headroom double it


def build_folder(root: Path, memory: Path = MEMORY) -> Path:
    """A fresh folder for the preview's builds: in memory when there is room for it, as hugo server does.

    A build writes, links and later deletes thousands of folders; on a busy disk that
    took seconds per rebuild, on tmpfs milliseconds. An explicit TMPDIR is obeyed.
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


def changed_since(watch: WatchSet, moment: float) -> list[Path]:
    """Files the build reads that were modified at or after ``moment`` (a time.time() value)."""
    found = [f for f in watch.files if f.is_file() and f.stat().st_mtime >= moment]
    for folder in watch.folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if watch.relevant(Path(dirpath) / d, is_directory=True)]
            for name in filenames:
                path = Path(dirpath) / name
                with contextlib.suppress(OSError):
                    if watch.relevant(path) and path.stat().st_mtime >= moment:
                        found.append(path)
    return found


def serve(options: BuildOptions, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Run the preview until Ctrl-C; return 0, or 2 when the address cannot be used."""
    log = _printer()
    if not _is_loopback(host):
        log(
            f"warning: serving on {host} makes the preview, drafts and scheduled articles included, "
            "reachable from other machines; use --host 127.0.0.1 to keep it private"
        )
    restore = _on_signals()
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


def _on_signals() -> Callable[[], None]:
    """Make Ctrl-C and SIGTERM stop the preview once, cleanly, with no traceback from any process.

    The first signal raises KeyboardInterrupt in the main thread (even mid-build); later
    ones are ignored while shutting down. Build workers put back the default action as
    they start (``parallel._start_worker``), so they end silently and at once; should any
    other fork inherit this handler, in it too the handler falls back to the default.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    signals = [signal.SIGINT, signal.SIGTERM]
    previous = {s: signal.getsignal(s) for s in signals}
    parent = os.getpid()
    stopping = [False]

    def handle(number: int, _: object) -> None:
        if os.getpid() != parent:
            signal.signal(number, signal.SIG_DFL)
            os.kill(os.getpid(), number)
            return
        if not stopping[0]:
            stopping[0] = True
            raise KeyboardInterrupt

    for s in signals:
        signal.signal(s, handle)

    def restore() -> None:
        for s, handler in previous.items():
            signal.signal(s, handler)

    return restore


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


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host headers the preview answers: this machine's loopback names and the --host value, with the port.

    Anything else is a page of some other site whose name was pointed here (DNS
    rebinding): it must not read drafts, embargoed articles or build errors.
    """
    names = {*LOOPBACK_NAMES, f"[{host}]" if ":" in host else host}
    hosts = {f"{name}:{port}".lower() for name in names}
    return frozenset(hosts | ({name.lower() for name in names} if port == 80 else set()))


def host_allowed(header: str | None, hosts: frozenset[str], arrived_at: tuple[str, int]) -> bool:
    """Whether a request's Host is one the preview answers: in ``hosts``, or the address it arrived at.

    The address a connection arrived at is how another machine reaches a preview bound to
    0.0.0.0; a literal address cannot be rebound by DNS, so it is as safe as the rest.
    """
    if not header:
        return False
    host = header.strip().lower()
    return host in hosts or host in allowed_hosts(*arrived_at[:2])


def _url_host(host: str) -> str:
    """The host as it goes in a URL: wildcards become localhost, IPv6 gets brackets."""
    if host in ("", "0.0.0.0", "::"):
        return "localhost"
    return f"[{host}]" if ":" in host else host
