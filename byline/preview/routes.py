"""Requests to responses: plain functions of a request and a State, so they are tested without sockets.

Paths, answers, the host names the preview answers and the view switch live here;
``http_server`` only carries the answers to and from sockets.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit

from byline.output.search.indexer import BUNDLE as SEARCH_BUNDLE
from byline.preview import overlay
from byline.preview.state import State

WORKER_SCRIPT = Path(__file__).with_name("livereload.js")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
MISDIRECTED = "This preview answers only requests for its own address (localhost, 127.0.0.1, [::1] or --host).\n"
MAX_FORM_BYTES = 1024
_REFUSED = b"Only the preview's own pages may switch what it shows.\n"


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


@dataclass(frozen=True)
class Resolved:
    """Where a request path leads inside the build folder."""

    kind: Literal["file", "redirect", "missing"]
    path: Path | None = None
    location: str = ""


def resolve(folder: Path, target: str, base_path: str = "") -> Resolved:
    """Map a request target to a file in ``folder``, never outside it.

    Dot segments, encoded or not, are refused rather than normalised, and symlinks followed only
    while they stay inside; a folder URL without its slash redirects, as a static host's does.
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


def respond_post(
    state: State,
    target: str,
    header: Callable[[str], str | None],
    read: Callable[[int], bytes],
    switch: Callable[[str], State] | None,
    base_path: str = "",
) -> Response:
    """Answer a POST: the one form the preview takes is the bar's switch between its two views.

    ``read`` is called for the form only once it is a switch's, of a form's size; ``switch``
    returns the state once the view asked for is served (or its build has failed).
    """
    length = int(header("Content-Length") or 0)
    if split_target(target)[0] != overlay.VIEW_URL or switch is None:
        return _page(HTTPStatus.NOT_FOUND, overlay.not_found_page(state.token))
    if length > MAX_FORM_BYTES:
        return _no_store(Response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE))
    view, back = view_request(read(length), header("Origin"), header("Referer"), header("Host"))
    if view is None:
        return _no_store(Response(HTTPStatus.FORBIDDEN, {"Content-Type": _TYPES[".txt"]}, _REFUSED))
    served = switch(view)
    if served.folder is None or resolve(served.folder, back, base_path).kind == "missing":
        back = base_path + "/"  # a draft's page is not there as published now
    return _no_store(Response(HTTPStatus.SEE_OTHER, {"Location": back}))


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


def misdirected() -> Response:
    """421 Misdirected Request, for a request whose Host the preview does not answer (see allowed_hosts)."""
    return _no_store(Response(HTTPStatus.MISDIRECTED_REQUEST, {"Content-Type": _TYPES[".txt"]}, MISDIRECTED.encode()))
