"""Request handling without sockets: path resolution, responses, and the http.server adapter."""

from __future__ import annotations

import io
import os
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from byline.pipeline import FirstPages
from byline.preview.http_server import RequestHandler
from byline.preview.routes import (
    ATOM,
    MISDIRECTED,
    Resolved,
    Response,
    allowed_hosts,
    content_type,
    host_allowed,
    resolve,
    respond,
    respond_first,
)
from byline.preview.state import Preview, State

TOKEN = "cafe.1"
STATE = State(token=TOKEN, attempt=1)


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A build folder with the kinds of files a Byline build writes, and a secret beside it."""
    out = tmp_path / "site"
    files = {
        "index.html": "<!doctype html><html><body><h1>Front</h1></body></html>",
        "authors/index.html": "<html><body>Authors</body></html>",
        "authors/simon-malia/index.html": "<html><body>Simon</body></html>",
        "feed.xml": '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>',
        "news/feed.xml": '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>',
        "sitemap.xml": '<?xml version="1.0"?><urlset></urlset>',
        "robots.txt": "User-agent: *\n",
        "404.html": "<html><body><h1>Page not found</h1></body></html>",
        "static/css/style.css": "body{}",
        "static/images/logo.png": "\x89PNG",
        "static/a b.txt": "spaced",
        "empty/readme.txt": "a folder without index.html",
    }
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    (tmp_path / "secret.txt").write_text("outside the build")
    return out


@pytest.mark.parametrize(
    ("target", "relative"),
    [
        ("/", "index.html"),
        ("/authors/", "authors/index.html"),
        ("/authors/simon-malia/", "authors/simon-malia/index.html"),
        ("/authors/simon-malia/?utm=x", "authors/simon-malia/index.html"),
        ("/feed.xml", "feed.xml"),
        ("/static/css/style.css", "static/css/style.css"),
        ("/static/a%20b.txt", "static/a b.txt"),
        ("//static//css/style.css", "static/css/style.css"),
    ],
)
def test_paths_resolve_to_files_in_the_build(built: Path, target: str, relative: str) -> None:
    assert resolve(built, target) == resolve(built, target)  # pure: same answer twice
    found = resolve(built, target)
    assert found.kind == "file"
    assert found.path == (built / relative).resolve()


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/static/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/static/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/static/..%5c..%5csecret.txt",
        "/./index.html",
        "/index.html%00.png",
        "secret.txt",
    ],
)
def test_paths_never_leave_the_build_folder(built: Path, target: str) -> None:
    assert resolve(built, target).kind == "missing"


def test_symlinks_out_of_the_build_are_refused(built: Path) -> None:
    os.symlink(built.parent / "secret.txt", built / "static" / "leak.txt")
    os.symlink(built.parent, built / "static" / "up")
    assert resolve(built, "/static/leak.txt").kind == "missing"
    assert resolve(built, "/static/up/secret.txt").kind == "missing"


def test_symlinks_inside_the_build_are_followed(built: Path) -> None:
    os.symlink(built / "robots.txt", built / "static" / "robots-copy.txt")
    found = resolve(built, "/static/robots-copy.txt")
    assert found.kind == "file" and found.path == (built / "robots.txt").resolve()


def test_folder_urls_without_a_slash_redirect_keeping_the_query(built: Path) -> None:
    assert resolve(built, "/authors").location == "/authors/"
    assert resolve(built, "/authors/simon-malia?ref=x").location == "/authors/simon-malia/?ref=x"


def test_missing_things_are_missing(built: Path) -> None:
    assert resolve(built, "/nope/").kind == "missing"
    assert resolve(built, "/robots.txt/").kind == "missing"  # a file is not a folder
    assert resolve(built, "/empty/").kind == "missing"  # a folder without index.html
    assert resolve(built, "/empty").kind == "missing"


def test_a_double_slash_cannot_become_an_open_redirect(built: Path) -> None:
    (built / "evil.example").mkdir()
    (built / "evil.example" / "index.html").write_text("<html></html>")
    assert resolve(built, "//evil.example").location == "/evil.example/"


def test_a_base_path_is_served_under_its_prefix(built: Path) -> None:
    assert resolve(built, "/news/authors/", "/news").path == (built / "authors/index.html").resolve()
    assert resolve(built, "/", "/news").location == "/news/"
    assert resolve(built, "/news", "/news").location == "/news/"
    assert resolve(built, "/news/authors", "/news").location == "/news/authors/"
    assert resolve(built, "/authors/", "/news").kind == "missing"
    assert resolve(built, "/newsroom/", "/news").kind == "missing"


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("feed.xml", b"", ATOM),
        ("recent.xml", b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">', ATOM),
        ("sitemap.xml", b"<urlset>", "application/xml; charset=utf-8"),
        ("index.html", b"", "text/html; charset=utf-8"),
        ("style.css", b"", "text/css; charset=utf-8"),
        ("app.js", b"", "text/javascript; charset=utf-8"),
        ("search.json", b"", "application/json"),
        ("robots.txt", b"", "text/plain; charset=utf-8"),
        ("logo.PNG", b"", "image/png"),
        ("photo.jpg", b"", "image/jpeg"),
        ("icon.svg", b"", "image/svg+xml"),
        ("font.woff2", b"", "font/woff2"),
        ("archive.unknown", b"", "application/octet-stream"),
    ],
)
def test_content_types(name: str, head: bytes, expected: str) -> None:
    assert content_type(Path(name), head) == expected


def test_feeds_are_served_as_atom(built: Path) -> None:
    for target in ("/feed.xml", "/news/feed.xml"):
        assert respond(STATE, built, target).headers["Content-Type"] == ATOM
    assert respond(STATE, built, "/sitemap.xml").headers["Content-Type"] == "application/xml; charset=utf-8"


def test_html_gets_the_live_reload_script_and_files_on_disk_do_not(built: Path) -> None:
    before = (built / "index.html").read_bytes()
    response = respond(STATE, built, "/")
    assert response.status == 200
    assert b'<script src="/_byline/livereload.js" data-build="cafe.1" defer></script>\n</body>' in response.body
    assert (built / "index.html").read_bytes() == before


def test_other_files_are_sent_unchanged(built: Path) -> None:
    response = respond(STATE, built, "/static/css/style.css")
    assert response.file == (built / "static/css/style.css").resolve()
    assert response.length == len("body{}")


def test_folder_without_slash_redirects(built: Path) -> None:
    response = respond(STATE, built, "/authors")
    assert (response.status, response.headers["Location"]) == (302, "/authors/")


def test_a_moved_page_redirects_to_its_new_address(built: Path) -> None:
    state = State(token=TOKEN, attempt=2, moved={"/articles/old/": "/authors/"})
    response = respond(state, built, "/articles/old/?x=1")
    assert (response.status, response.headers["Location"]) == (302, "/authors/")
    assert respond(state, built, "/news/articles/old/", "/news").headers["Location"] == "/news/authors/"


def test_missing_pages_get_the_sites_404_page_with_status_404(built: Path) -> None:
    response = respond(STATE, built, "/no/such/page/")
    assert response.status == 404
    assert b"Page not found" in response.body and b"livereload.js" in response.body


def test_missing_pages_without_a_404_page_still_get_404(built: Path) -> None:
    (built / "404.html").unlink()
    response = respond(STATE, built, "/../secret.txt")
    assert response.status == 404 and b"Not found" in response.body


@pytest.mark.parametrize(
    "target", ["/", "/authors", "/feed.xml", "/static/css/style.css", "/nope", "/_byline/", "/_byline/livereload.js"]
)
def test_every_response_is_no_store(built: Path, target: str) -> None:
    assert respond(STATE, built, target).headers["Cache-Control"] == "no-store"


def test_before_any_good_build_pages_explain_instead_of_serving_nothing(built: Path) -> None:
    assert respond(State(), None, "/authors/").status == 503
    response = respond(State(), built, "/authors/")
    assert response.status == 503 and b"No good build yet" in response.body and b"livereload.js" in response.body


def test_the_reload_script_and_dashboard_are_served_by_the_server(built: Path) -> None:
    script = respond(STATE, built, "/_byline/livereload.js")
    assert script.headers["Content-Type"].startswith("text/javascript") and b"EventSource" in script.body
    assert respond(STATE, built, "/_byline").headers["Location"] == "/_byline/"
    assert b"Preview dashboard" in respond(STATE, built, "/_byline/").body
    assert respond(STATE, built, "/_byline/nothing").status == 404
    assert not (built / "_byline").exists()


# --- the http.server adapter, driven through an in-memory "socket" ---------------------


class FakeConnection:
    """Just enough of a socket for StreamRequestHandler: the request in, the response out."""

    def __init__(self, request: bytes):
        self.incoming = io.BytesIO(request)
        self.sent = bytearray()

    def makefile(self, mode: str, *_: object) -> io.BytesIO:
        return self.incoming

    def sendall(self, data: bytes) -> None:
        self.sent += data

    def settimeout(self, _: object) -> None:
        pass

    def setsockopt(self, *_: object) -> None:
        pass

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", 8000)


HOSTS = allowed_hosts("127.0.0.1", 8000)


def exchange(built: Path, request: str) -> tuple[str, bytes]:
    """Run one request through the real handler class; return the head and body sent."""
    preview = Preview(lambda: None)  # type: ignore[arg-type, return-value]
    preview._state = replace(STATE, folder=built)  # the build is served from the folder it names
    preview.ready.set()
    server = SimpleNamespace(preview=preview, base_path="", verbose=False, search=None, hosts=HOSTS)
    connection = FakeConnection(request.encode())
    RequestHandler(connection, ("127.0.0.1", 1), server)  # type: ignore[arg-type]
    head, _, body = bytes(connection.sent).partition(b"\r\n\r\n")
    return head.decode(), body


def test_get_sends_status_headers_and_body(built: Path) -> None:
    head, body = exchange(built, "GET /authors/ HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: close\r\n\r\n")
    assert head.startswith("HTTP/1.1 200")
    assert "Cache-Control: no-store" in head and f"Content-Length: {len(body)}" in head
    assert body.startswith(b"<html><body>Authors")


def test_head_sends_the_headers_of_get_without_a_body(built: Path) -> None:
    get_head, get_body = exchange(built, "GET /feed.xml HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: close\r\n\r\n")
    head, body = exchange(built, "HEAD /feed.xml HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: close\r\n\r\n")
    assert body == b""
    assert f"Content-Length: {len(get_body)}" in head
    assert f"Content-Type: {ATOM}" in head and "Cache-Control: no-store" in head
    assert head.splitlines()[0] == get_head.splitlines()[0] == "HTTP/1.1 200 OK"


def test_head_of_a_missing_page_is_404(built: Path) -> None:
    head, body = exchange(built, "HEAD /nope/ HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: close\r\n\r\n")
    assert head.startswith("HTTP/1.1 404") and body == b""


def test_redirect_over_the_wire(built: Path) -> None:
    head, _ = exchange(built, "GET /authors/simon-malia HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: close\r\n\r\n")
    assert head.startswith("HTTP/1.1 302") and "Location: /authors/simon-malia/" in head


def test_a_response_knows_its_length() -> None:
    assert Response(200, body=b"abc").length == 3


def first_state(built: Path, **pages: bytes) -> State:
    """A state whose build is being finished, its first pages given as path=bytes (``_`` for ``/``)."""
    shown = {name.replace("_", "/"): data for name, data in pages.items()}
    first = FirstPages(shown, frozenset({"static/css/style.css"}))
    return State(token="cafe.2", previous=TOKEN, attempt=1, folder=built.resolve(), first=first)


def test_pages_shown_first_are_answered_from_memory_under_the_new_token(built: Path) -> None:
    state = first_state(built, **{"authors_index.html": b"<html><body>New authors</body></html>"})
    response = respond_first(state, "/authors/?from=feed")
    assert response is not None and response.status == 200 and response.page == "authors/index.html"
    assert b"New authors" in response.body and b'data-build="cafe.2"' in response.body
    assert response.headers["Cache-Control"] == "no-store"
    base = respond_first(state, "/news/authors/", "/news")
    assert base is not None and b"New authors" in base.body


def test_only_fingerprinted_assets_come_from_the_served_folder_while_a_build_finishes(built: Path) -> None:
    state = first_state(built, **{"authors_index.html": b"<html></html>"})
    style = respond_first(state, "/static/css/style.css")  # its name is its content: unchanged
    assert style is not None and style.file == (built / "static/css/style.css").resolve()
    script = respond_first(state, "/_byline/livereload.js")
    assert script is not None and script.status == 200


@pytest.mark.parametrize(
    ("target", "base_path"),
    [
        ("/", ""),  # not among the first pages
        ("/authors/simon-malia/", ""),
        ("/feed.xml", ""),
        ("/static/images/logo.png", ""),  # named by its editor: may be about to change
        ("/authors", ""),  # a redirect: answered by the finished build
        ("/nope/", ""),
        ("/authors/../authors/", ""),
        ("/static/css/../css/style.css", ""),
        ("/authors/", "/news"),  # outside the base path
    ],
)
def test_anything_else_waits_for_the_build_being_finished(built: Path, target: str, base_path: str) -> None:
    state = first_state(built, **{"authors_index.html": b"<html></html>"})
    assert respond_first(state, target, base_path) is None


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1:8000", "localhost:8000", "LOCALHOST:8000", "[::1]:8000"],
)
def test_the_preview_answers_its_own_names(built: Path, host: str) -> None:
    head, _ = exchange(built, f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
    assert head.startswith("HTTP/1.1 200")


@pytest.mark.parametrize(
    ("target", "host"),
    [
        ("/", "attacker.example"),
        ("/", "attacker.example:8000"),
        ("/", "localhost.attacker.example:8000"),
        ("/", "127.0.0.1:9999"),
        ("/", "localhost"),
        ("/", ""),
        ("/_byline/", "attacker.example:8000"),
        ("/_byline/events", "attacker.example:8000"),
        ("/authors/", None),
    ],
)
def test_any_other_host_or_none_is_misdirected(built: Path, target: str, host: str | None) -> None:
    # Regression (issue 16, defect 5): any Host was answered, so a site whose name resolved here (DNS
    # rebinding) could read embargoed articles, the drafts dashboard and the build errors.
    header = "" if host is None else f"Host: {host}\r\n"
    head, body = exchange(built, f"GET {target} HTTP/1.1\r\n{header}Connection: close\r\n\r\n")
    assert head.startswith("HTTP/1.1 421")
    assert b"Authors" not in body and b"Front" not in body
    assert body.decode() == MISDIRECTED


def test_host_rules() -> None:
    hosts = allowed_hosts("0.0.0.0", 8000)
    assert hosts == {"localhost:8000", "127.0.0.1:8000", "[::1]:8000", "0.0.0.0:8000"}
    assert host_allowed("192.168.1.5:8000", hosts, ("192.168.1.5", 8000))  # the address it was reached at
    assert host_allowed("[fe80::1]:8000", hosts, ("fe80::1", 8000, 0, 0))
    assert not host_allowed("laptop.example:8000", hosts, ("192.168.1.5", 8000))
    assert allowed_hosts("preview.internal", 80) >= {"preview.internal", "preview.internal:80", "localhost"}
    assert allowed_hosts("::1", 8000) == {"localhost:8000", "127.0.0.1:8000", "[::1]:8000"}


def test_a_name_too_long_for_the_file_system_is_not_found(built: Path) -> None:
    # Regression (issue 16, defect 10): ENAMETOOLONG escaped resolve() and the connection was dropped.
    assert resolve(built, "/" + "a" * 300 + "/") == Resolved("missing")
    assert resolve(built, "/static/" + "b" * 5000) == Resolved("missing")
    head, body = exchange(
        built, "GET /" + "a" * 300 + "/ HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: close\r\n\r\n"
    )
    assert head.startswith("HTTP/1.1 404") and b"Page not found" in body
