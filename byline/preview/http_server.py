"""The preview's HTTP adapter: ``routes`` answers carried over http.server, and the live-reload event stream.

Each connection gets a thread, so the event streams open tabs hold never keep a page waiting.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sys
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer

from byline.preview import overlay
from byline.preview.routes import (
    Response,
    allowed_hosts,
    host_allowed,
    is_search_path,
    misdirected,
    respond,
    respond_first,
    respond_post,
    split_target,
)
from byline.preview.search import PreviewSearch
from byline.preview.state import BUILD_WAIT_SECONDS, Preview, State

EVENTS_URL = overlay.PREFIX + "events"
KEEPALIVE_SECONDS = 15.0  # an idle SSE stream writes a comment this often, to notice closed tabs
SEARCH_WAIT_SECONDS = 120.0  # a search request waits this long at most for the newest build's index


class RequestHandler(BaseHTTPRequestHandler):
    """Carries ``routes`` answers to and from http.server, and streams each new State as a Server-Sent Event."""

    server: PreviewHTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive: a page's assets reuse connections
    server_version = "Byline-preview"
    timeout = 60  # an idle keep-alive connection gives its thread back after this
    # Headers and body go out as two writes: with Nagle's algorithm the second would wait for the
    # browser's delayed ACK of the first (docs/design.md, "Preview").
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        if self._host_refused():
            return
        server = self.server
        answer = respond_post(
            server.preview.state, self.path, self.headers.get, self.rfile.read, server.switch_view, server.base_path
        )
        self._send(answer)

    def _serve(self, head: bool) -> None:
        if self._host_refused(head):
            return
        if split_target(self.path)[0] == EVENTS_URL and not head:
            self._stream_events()
            return
        response = self._respond()
        if response.page:
            self.server.preview.viewed(response.page)
        self._send(response, head)

    def _respond(self) -> Response:
        """Answer from one state, whose token and folder belong together; wait while the file may be about to change."""
        preview, base_path = self.server.preview, self.server.base_path
        state = preview.state
        deadline = time.monotonic() + BUILD_WAIT_SECONDS
        # While a build is being finished, wait for this file to be among its first pages, or for the build.
        while state.first is not None:
            if (response := respond_first(state, self.path, base_path)) is not None:
                return response
            later = preview.wait_for_change(state.serial, timeout=max(0.0, deadline - time.monotonic()))
            if later is None or later.serial == state.serial:
                break  # closing, or the build never ended: answer from what is served
            state = later
        search = None
        if self.server.search is not None and is_search_path(split_target(self.path)[0], base_path):
            search = self.server.search.folder(timeout=SEARCH_WAIT_SECONDS)  # the index of the newest build
        return respond(state, state.folder, self.path, base_path, search)

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
        self._send(misdirected(), head)
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
                while (
                    state := preview.wait_for_change(serial, KEEPALIVE_SECONDS)
                ) is not None and state.serial == serial:
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
        super().__init__(address, RequestHandler)
        self.hosts = allowed_hosts(address[0], self.server_port)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn), which can stall for seconds.
        TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a closed tab is not an error
            super().handle_error(request, client_address)
