"""The preview's switch between 'with drafts and scheduled' and 'as published now' (item 10)."""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from pathlib import Path

import pytest

from byline.preview.routes import respond_post, view_request
from byline.preview.server import PreviewServer
from byline.preview.state import State

from .preview_site import article_text, copy_site, running

HOST = "127.0.0.1:8000"
OWN = f"http://{HOST}"


@pytest.mark.parametrize(
    ("form", "origin", "referer", "expected"),
    [
        (b"view=published", OWN, f"{OWN}/articles/x/", ("published", "/articles/x/")),
        (b"view=all", None, f"{OWN}/topics/?page=2", ("all", "/topics/")),  # no Origin: the Referer's
        (b"view=published", OWN, None, ("published", "/")),
        (b"view=published", "http://evil.example", f"{OWN}/", (None, "/")),  # another site's form
        (b"view=published", None, "http://evil.example/", (None, "/")),
        (b"view=published", None, None, (None, "/")),
        (b"view=everything", OWN, f"{OWN}/", (None, "/")),
        (b"view=published", OWN, "http://127.0.0.1:8000.evil.example/x/", ("published", "/")),
    ],
)
def test_only_the_previews_own_pages_may_switch_it(
    form: bytes, origin: str | None, referer: str | None, expected: tuple[str | None, str]
) -> None:
    assert view_request(form, origin, referer, HOST) == expected


@dataclass
class Answered:
    """A POST answered without sockets: its status and Location, the views it switched to, whether its form was read."""

    status: int
    location: str | None
    switched: list[str]
    read: bool


def answer_post(target: str, form: bytes, headers: dict[str, str], served: Path | None = None) -> Answered:
    state = State(token="cafe.1", attempt=1, folder=served)
    switched: list[str] = []
    read: list[int] = []

    def switch(view: str) -> State:
        switched.append(view)
        return state

    def read_form(length: int) -> bytes:
        read.append(length)
        return form[:length]

    header = {"Content-Length": str(len(form)), **headers}.get
    response = respond_post(state, target, header, read_form, switch)
    return Answered(response.status, response.headers.get("Location"), switched, read == [len(form)])


def test_a_switch_from_the_previews_own_page_goes_back_to_it(tmp_path: Path) -> None:
    (tmp_path / "articles/x").mkdir(parents=True)
    (tmp_path / "articles/x/index.html").write_text("<p>x</p>")
    headers = {"Origin": OWN, "Referer": f"{OWN}/articles/x/", "Host": HOST}
    assert answer_post("/_byline/view", b"view=published", headers, tmp_path) == Answered(
        303, "/articles/x/", ["published"], True
    )
    headers["Referer"] = f"{OWN}/articles/draft/"  # not in the view switched to: the front page instead
    assert answer_post("/_byline/view", b"view=published", headers, tmp_path).location == "/"


@pytest.mark.parametrize(
    ("target", "form", "origin", "status", "read"),
    [
        ("/articles/", b"view=published", OWN, 404, False),  # the switch is the only form
        ("/_byline/view", b"view=published&" + b"x" * 2000, OWN, 413, False),  # too big to read
        ("/_byline/view", b"view=published", "http://evil.example", 403, True),  # another site's form
    ],
)
def test_other_posts_switch_nothing(target: str, form: bytes, origin: str, status: int, read: bool) -> None:
    answered = answer_post(target, form, {"Origin": origin, "Host": HOST})
    assert (answered.status, answered.switched, answered.read) == (status, [], read)


def post(server: PreviewServer, body: bytes, origin: str) -> tuple[int, str | None]:
    """POST the bar's form as a browser on ``origin`` would; the status and Location of the answer."""
    host = f"127.0.0.1:{server.http.server_port}"
    connection = http.client.HTTPConnection(host, timeout=60)
    try:
        headers = {"Origin": origin, "Content-Type": "application/x-www-form-urlencoded", "Host": host}
        connection.request("POST", "/_byline/view", body, headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location")
    finally:
        connection.close()  # a keep-alive connection left open would hold a server thread for a minute


def test_the_switch_rebuilds_without_drafts_and_scheduled_and_back(tmp_path: Path) -> None:
    root = copy_site(tmp_path / "site")
    (root / "content/articles/2026/06/draft.md").write_text(article_text("Quarterly figures", extra="draft: true\n"))
    (root / "content/articles/2026/06/later.md").write_text(article_text("Results day", date="2027-02-03 09:00"))
    log: list[str] = []
    with running(root, log) as server:
        own = f"http://127.0.0.1:{server.http.server_port}"
        assert post(server, b"view=published", "http://evil.example")[0] == 403
        assert server.preview.state.view == "all"
        assert post(server, b"view=published", own) == (303, "/")
        state = server.preview.state
        assert state.view == "published" and state.site is not None
        assert [a.title for a in state.site.articles][:1] == [
            "Mersey Loop Logistics appoints new chief operating officer"
        ]
        # Compared with the last build of this view, not the other's: no draft "moved" or "went".
        assert [w.message for w in state.warnings if "previous build" in w.message] == []
        assert post(server, b"view=all", own)[0] == 303
        state = server.preview.state
        assert state.view == "all" and state.site is not None
        assert {"Quarterly figures", "Results day"} <= {a.title for a in state.site.articles}
    assert "view switched: rebuilt" in "\n".join(log)


def test_other_posts_are_not_found(tmp_path: Path) -> None:
    with running(copy_site(tmp_path / "site")) as server:
        connection = http.client.HTTPConnection(f"127.0.0.1:{server.http.server_port}", timeout=30)
        try:
            connection.request("POST", "/articles/", b"x=1")
            assert connection.getresponse().status == 404
        finally:
            connection.close()
