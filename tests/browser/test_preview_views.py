"""The preview as an editor meets it in Chromium: the view switch, a draft's dateline, the favicon,
the opaque overlay and the dashboard (issue 17, item 10)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from byline.preview.server import PreviewServer

from ..serve.preview_site import ARTICLE_TITLE, ARTICLE_URL, article_text, copy_site, running

pytestmark = pytest.mark.browser

SCHEDULED = "Harbour Street annual results"  # dated next February
DRAFT = "Quarterly figures"
DRAFT_URL = "/articles/2026/07/01/quarterly-figures/"
# Four independent problems in one file (issue 17, item 4): all shown, and counted, at once.
LAYERED = """---
title: Harbour Street signs a port deal
date: 06/12/2026
author: simon-malla
image: /static/images/carrick-vane-casks.jpg
---
Harbour Street has signed a deal.

![The berth](/static/images/berth.png)
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PreviewServer]:
    root = copy_site(tmp_path / "site")
    (root / "content/articles/2027").mkdir(parents=True)
    (root / "content/articles/2027/results.md").write_text(article_text(SCHEDULED, date="2027-02-03 09:00"))
    (root / "content/articles/2026/06/draft.md").write_text(article_text(DRAFT, extra="draft: true\n"))
    with running(root) as server:
        yield server


def url(server: PreviewServer, path: str) -> str:
    return server.url.rstrip("/") + path


def bar(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("complementary", name="Preview")


def lead_headline(page: Page) -> str:
    return page.locator("main h2, main h3").first.inner_text()


def test_the_bar_switches_the_front_page_to_as_published_now_and_back(page: Page, server: PreviewServer) -> None:
    page.goto(url(server, "/"))
    expect(bar(page)).to_contain_text("Preview: with drafts and scheduled")
    assert lead_headline(page) == SCHEDULED  # next February's article leads, as the preview shows everything
    bar(page).get_by_role("button", name="Show as published now").click()
    expect(bar(page)).to_contain_text("Preview: as published now")
    assert page.url == url(server, "/")
    assert lead_headline(page) == ARTICLE_TITLE  # the newest article out today
    expect(page.get_by_text(SCHEDULED)).to_have_count(0)
    expect(page.get_by_text(DRAFT)).to_have_count(0)
    bar(page).get_by_role("button", name="Show drafts and scheduled").click()
    expect(bar(page)).to_contain_text("Preview: with drafts and scheduled")
    assert lead_headline(page) == SCHEDULED


def test_switching_on_a_draft_goes_to_the_front_page_and_keeps_other_pages(page: Page, server: PreviewServer) -> None:
    page.goto(url(server, ARTICLE_URL))
    bar(page).get_by_role("button", name="Show as published now").click()
    expect(bar(page)).to_contain_text("as published now")
    assert page.url == url(server, ARTICLE_URL)  # still there as published
    bar(page).get_by_role("button", name="Show drafts and scheduled").click()
    page.goto(url(server, DRAFT_URL))
    bar(page).get_by_role("button", name="Show as published now").click()
    expect(bar(page)).to_contain_text("as published now")
    assert page.url == url(server, "/")  # the draft is not there as published


def test_a_drafts_page_does_not_claim_it_was_published(page: Page, server: PreviewServer) -> None:
    page.goto(url(server, DRAFT_URL))
    expect(page.locator(".banner-draft")).to_be_visible()
    dateline = page.locator(".dateline")
    expect(dateline).to_contain_text("Not yet published")
    expect(dateline).not_to_contain_text("Published 1 July")
    page.goto(url(server, "/articles/2027/02/03/harbour-street-annual-results/"))
    expect(page.locator(".dateline")).to_contain_text("To be published 3 February 2027")


@pytest.mark.parametrize("path", ["/", ARTICLE_URL, DRAFT_URL, "/_byline/", "/no/such/page/"])
def test_pages_log_no_failed_request_and_no_console_error(page: Page, server: PreviewServer, path: str) -> None:
    failed: list[str] = []
    errors: list[str] = []
    address = url(server, path)
    page.on(
        "response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 and r.url != address else None
    )
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "404" not in m.text else None)
    if path.startswith("/_byline/"):
        page.goto(address)  # the preview's own pages ask for no icon at all
    else:
        with page.expect_response(lambda r: "favicon" in r.url) as icon:
            page.goto(address)
        assert (icon.value.status, icon.value.url) == (200, url(server, "/static/icons/favicon.svg"))
    page.wait_for_function("window.bylinePreview && window.bylinePreview.listening")
    assert failed == []
    assert errors == []


def test_the_error_overlay_is_opaque_over_the_menu(page: Page, server: PreviewServer) -> None:
    page.goto(url(server, ARTICLE_URL))
    page.wait_for_function("window.bylinePreview && window.bylinePreview.listening")
    (Path(server.root) / "content/articles/2026/06/layered.md").write_text(LAYERED)
    panel = page.locator("#byline-overlay .panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", level=2)).to_have_text("Build failed: 4 errors")  # item 4: all of them
    expect(panel.locator("ol").first.locator("li")).to_have_count(4)  # warnings follow in a list of their own
    assert panel.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(20, 20, 20)"
    menu = page.get_by_role("navigation", name="Sections").get_by_role("link").first
    box = menu.bounding_box()
    assert box is not None
    on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y).id", [box["x"] + 2, box["y"] + 2])
    assert on_top == "byline-overlay"  # the overlay, not the menu, is what is seen and clicked there


def test_the_dashboard_shows_times_with_their_zone_recent_articles_and_files(page: Page, server: PreviewServer) -> None:
    page.goto(url(server, "/_byline/"))
    scheduled = page.get_by_role("table").nth(1)
    expect(scheduled).to_contain_text("3 February 2027 09:00 GMT")
    expect(scheduled).to_contain_text("content/articles/2027/results.md")
    recent = page.locator("section", has=page.get_by_role("heading", name="Recently published (3)"))
    expect(recent.get_by_role("link", name=ARTICLE_TITLE)).to_be_visible()
    expect(recent).to_contain_text("22 June 2026 14:00 BST")
    expect(recent).to_contain_text("content/articles/2026/06/mersey-loop-appoints-coo.md")
    expect(page.get_by_text("Built at")).to_contain_text("GMT in")
