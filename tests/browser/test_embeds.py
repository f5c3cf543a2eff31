"""Click-to-load embeds in real Chromium: nothing from a provider loads until the reader asks (item 6)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import static_server
from tests.helpers import AUTHOR, AUTHOR_PATH, ROOT, article, build_site, write_files

pytestmark = pytest.mark.browser

AXE = ROOT / "tests/js/node_modules/axe-core/axe.min.js"
PAGE = "/articles/2026/03/01/quayside-tools-films-its-new-depot/"
BODY = """\
Quayside Tools has filmed its new depot.

https://www.youtube.com/watch?v=Nq7rK2pL4xA

https://vimeo.com/912345678

https://x.com/QuaysideTools/status/1790012345678901234

https://www.linkedin.com/posts/quayside-tools_ports-activity-7262481930576153600-Qx3v/
"""


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = write_files(
        tmp_path_factory.mktemp("embeds") / "site",
        {AUTHOR_PATH: AUTHOR, "content/articles/depot.md": article("Quayside Tools films its new depot", body=BODY)},
    )
    out = root.parent / "out"
    build_site(root, out)
    with static_server(out) as url:
        yield url


def record(page: Page, site_url: str) -> list[str]:
    """Every request the page makes to another origin, answered here with a stand-in: the test needs no network."""
    elsewhere: list[str] = []
    local = urlsplit(site_url).netloc

    def answer(route: Route) -> None:
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
            return
        elsewhere.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>player</title><p>player")

    page.route("**/*", answer)
    return elsewhere


def test_the_page_loads_nothing_from_any_provider(page: Page, site_url: str) -> None:
    elsewhere = record(page, site_url)
    page.goto(site_url + PAGE, wait_until="networkidle")
    buttons = page.get_by_role("button")
    expect(buttons).to_have_count(4)  # shown by the script: it ran
    assert [b.inner_text() for b in buttons.all()] == ["Play the video here"] * 2 + ["Show the post here"] * 2
    assert page.locator("iframe").count() == 0
    assert elsewhere == []


def test_pressing_play_loads_that_player_only(page: Page, site_url: str) -> None:
    elsewhere = record(page, site_url)
    page.goto(site_url + PAGE, wait_until="networkidle")
    page.get_by_role("button", name="Play the video here").first.click()
    frame = page.locator("iframe.embed-frame")
    expect(frame).to_have_count(1)
    expect(frame).to_have_attribute("title", "YouTube video")
    expect(frame).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/Nq7rK2pL4xA?autoplay=1")
    expect(frame).to_be_focused()
    page.wait_for_load_state("networkidle")
    assert {urlsplit(url).netloc for url in elsewhere} == {"www.youtube-nocookie.com"}
    page.get_by_role("button", name="Show the post here").last.click()
    expect(page.locator("iframe.embed-frame")).to_have_count(2)
    page.wait_for_load_state("networkidle")
    assert {urlsplit(url).netloc for url in elsewhere} == {"www.youtube-nocookie.com", "www.linkedin.com"}


def test_without_javascript_each_embed_is_a_link_to_the_original(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + PAGE)
    assert page.get_by_role("button").count() == 0  # hidden until the script shows them
    links = page.get_by_role("link", name="Open it on", exact=False)
    assert [link.get_attribute("href") for link in links.all()] == [
        "https://www.youtube.com/watch?v=Nq7rK2pL4xA",
        "https://vimeo.com/912345678",
        "https://x.com/QuaysideTools/status/1790012345678901234",
        "https://www.linkedin.com/feed/update/urn:li:activity:7262481930576153600/",
    ]
    context.close()


def test_the_facades_pass_axe(page: Page, site_url: str) -> None:
    record(page, site_url)
    page.goto(site_url + PAGE, wait_until="networkidle")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(
            v => `${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`)"""
    )
    assert found == []


def test_the_script_refuses_a_player_byline_did_not_write(page: Page, site_url: str) -> None:
    elsewhere = record(page, site_url)
    page.goto(site_url + PAGE, wait_until="networkidle")
    page.evaluate(
        """() => {
            const button = document.querySelector("button.embed-load");
            const copy = button.cloneNode(true);
            copy.dataset.embedSrc = "https://evil.example/";
            copy.hidden = true;
            button.closest(".embed-box").append(copy);
            const script = document.createElement("script");
            script.src = [...document.scripts].find(s => s.src.includes("embed")).src + "?again";
            document.body.append(script);
        }"""
    )
    page.wait_for_load_state("networkidle")
    assert page.locator('button[data-embed-src="https://evil.example/"]').is_hidden()
    assert elsewhere == []
