"""What only a browser shows of the preview: pages updating by themselves, the error overlay,
stylesheets swapped in place, and many tabs sharing one connection.

Each test serves its own copy of a small site; the test edits files and never reloads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from byline.preview.server import PreviewServer

from ..serve.preview_site import ARTICLE, ARTICLE_TITLE, ARTICLE_URL, article_text, copy_site, running

pytestmark = pytest.mark.browser

OVERLAY = "#byline-overlay .panel"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(tmp_path / "site")


@pytest.fixture
def server(site: Path) -> Iterator[PreviewServer]:
    with running(site) as server:
        yield server


def url(server: PreviewServer, path: str) -> str:
    return server.url.rstrip("/") + path


def open_live(page: Page, address: str) -> None:
    """Open a page and wait until build news reaches it (the overlay and reloads depend on it)."""
    page.goto(address)
    page.wait_for_function("window.bylinePreview && window.bylinePreview.listening")


def built_after(server: PreviewServer, change: Callable[[], object]) -> None:
    """Make a change and wait for the build it causes, for tests that open a page afterwards."""
    attempt = server.preview.state.attempt
    change()
    while (state := server.preview.wait_for_build(attempt, 30)) is not None and state.attempt == attempt:
        pass


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_an_edited_title_appears_without_reloading(page: Page, server: PreviewServer, site: Path) -> None:
    open_live(page, url(server, ARTICLE_URL))
    expect(page.locator("h1")).to_have_text(ARTICLE_TITLE)
    edit(site / ARTICLE, ARTICLE_TITLE, "Mersey Loop names Hannah Greaves COO")
    expect(page.locator("h1")).to_have_text("Mersey Loop names Hannah Greaves COO")
    # The slug followed the title; the page followed the slug.
    assert page.url.endswith("/articles/2026/06/22/mersey-loop-names-hannah-greaves-coo/")


def test_broken_yaml_shows_the_overlay_until_it_is_fixed(page: Page, server: PreviewServer, site: Path) -> None:
    open_live(page, url(server, ARTICLE_URL))
    path = site / ARTICLE
    original = path.read_text()
    path.write_text(original.replace("title: ", "title: [", 1))
    overlay = page.locator(OVERLAY)
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text(f"{ARTICLE}:3")
    expect(overlay).to_contain_text("invalid YAML")
    expect(page.locator("h1")).to_have_text(ARTICLE_TITLE)  # still the last good build underneath
    path.write_text(original.replace("appoints new chief", "appoints a new chief", 1))
    expect(page.locator(OVERLAY)).to_have_count(0)
    expect(page.locator("h1")).to_have_text(ARTICLE_TITLE.replace("appoints new", "appoints a new"))


def test_a_page_opened_while_the_build_is_broken_shows_the_overlay(
    page: Page, server: PreviewServer, site: Path
) -> None:
    built_after(server, lambda: edit(site / "templates/base.html", "</main>", "{% if %}</main>"))
    open_live(page, url(server, "/"))
    expect(page.locator(OVERLAY)).to_contain_text("templates/base.html:")
    expect(page.locator(OVERLAY)).to_contain_text("template error")


def test_a_css_change_restyles_the_page_without_reloading(page: Page, server: PreviewServer, site: Path) -> None:
    open_live(page, url(server, ARTICLE_URL))
    page.evaluate("window.bylineMarker = 'still the same page'")
    with (site / "static/css/style.css").open("a") as css:
        css.write("\nbody { border-top: 7px solid rgb(1, 2, 3); }\n")
    page.wait_for_function("getComputedStyle(document.body).borderTopWidth === '7px'")
    assert page.evaluate("window.bylineMarker") == "still the same page"
    assert page.locator('link[rel="stylesheet"]').count() == 1  # the old sheet was removed


def test_a_new_article_appears_on_the_front_page(page: Page, server: PreviewServer, site: Path) -> None:
    open_live(page, url(server, "/"))
    expect(page.get_by_text("Harbour crane order lifts Tyne yard")).to_have_count(0)
    (site / "content/articles/2026/06/crane-order.md").write_text(
        article_text("Harbour crane order lifts Tyne yard", date="2026-11-20 08:00")
    )
    expect(page.get_by_role("link", name="Harbour crane order lifts Tyne yard").first).to_be_visible()


def test_a_draft_shows_its_banner_until_it_is_published(page: Page, server: PreviewServer, site: Path) -> None:
    path = site / "content/articles/2026/06/draft.md"
    built_after(server, lambda: path.write_text(article_text("Quarterly figures", extra="draft: true\n")))
    open_live(page, url(server, "/articles/2026/07/01/quarterly-figures/"))
    expect(page.locator(".banner-draft")).to_be_visible()
    path.write_text(article_text("Quarterly figures"))
    expect(page.locator(".banner-draft")).to_have_count(0)
    expect(page.locator("h1")).to_have_text("Quarterly figures")


def test_many_open_tabs_all_load_and_all_update(browser: Browser, server: PreviewServer, site: Path) -> None:
    # Browsers allow six HTTP/1.1 connections per host; tabs share one event stream, so an
    # eighth tab still loads (with a stream per tab it would stall).
    context = browser.new_context()
    context.set_default_timeout(15_000)
    try:
        tabs = [context.new_page() for _ in range(8)]
        for tab in tabs:
            tab.goto(url(server, ARTICLE_URL))
            expect(tab.locator("h1")).to_have_text(ARTICLE_TITLE)
        tabs[-1].wait_for_function("document.readyState === 'complete'")
        edit(site / ARTICLE, "\n---\n", "\nslug: mersey-loop-coo\n---\n")  # every tab must move
        for tab in tabs:
            tab.wait_for_url("**/mersey-loop-coo/")
            expect(tab.locator("h1")).to_have_text(ARTICLE_TITLE)
    finally:
        context.close()


def test_the_dashboard_lists_drafts_and_links_to_them(page: Page, server: PreviewServer, site: Path) -> None:
    draft = site / "content/articles/2026/06/draft.md"
    built_after(server, lambda: draft.write_text(article_text("Board changes", extra="draft: true\n")))
    page.goto(url(server, "/_byline/"))
    page.get_by_role("link", name="Board changes").click()
    expect(page.locator(".banner-draft")).to_be_visible()
    assert page.url.endswith("/articles/2026/07/01/board-changes/")


def test_repeated_css_changes_keep_restyling(page: Page, server: PreviewServer, site: Path) -> None:
    open_live(page, url(server, "/"))
    page.evaluate("window.bylineMarker = 'still the same page'")
    css = site / "static/css/style.css"
    original = css.read_text()
    for width in (3, 5, 3):
        css.write_text(original + f"\nbody {{ border-top: {width}px solid rgb(1, 2, 3); }}\n")
        page.wait_for_function(f"getComputedStyle(document.body).borderTopWidth === '{width}px'")
    assert page.evaluate("window.bylineMarker") == "still the same page"
