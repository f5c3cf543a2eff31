"""In Chromium, the theme's in-page links still reach the theme's elements when member text reaches for their ids.

The article (tests.helpers.MEMBER_IDS_FILES) has body headings "Main", "Corrections",
"Related articles" and "Author", sets {#main} and the theme's own ids by hand, and has
footnotes, as do its two authors' bios and its company's About text.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import static_server
from tests.helpers import MEMBER_IDS_FILES, MEMBER_IDS_PAGE, build_site, write_files

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def article_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = write_files(tmp_path_factory.mktemp("member-ids") / "site", MEMBER_IDS_FILES)
    with static_server(build_site(root, root.parent / "public").output) as url:
        yield f"{url}/{MEMBER_IDS_PAGE.removesuffix('index.html')}"


def target(page: Page) -> dict[str, str] | None:
    """The element the address's fragment points at (CSS :target), as tag, id and classes."""
    return page.evaluate(
        "(() => { const t = document.querySelector(':target');"
        " return t && {tag: t.tagName.toLowerCase(), id: t.id, cls: t.className}; })()"
    )


def test_skip_link_moves_focus_to_the_pages_main_element(page: Page, article_url: str) -> None:
    page.goto(article_url)
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.tagName") == "MAIN"
    assert (target(page) or {}).get("tag") == "main"


def test_corrected_notice_goes_to_the_corrections_box(page: Page, article_url: str) -> None:
    page.goto(article_url)
    page.get_by_role("link", name="This article has been corrected").click()
    found = target(page)
    assert found is not None and found["tag"] == "section" and "corrections" in found["cls"].split()
    expect(page.locator(":target")).to_contain_text("An earlier version gave the wrong size.")


def test_member_links_reach_the_members_own_headings_and_footnotes(page: Page, article_url: str) -> None:
    page.goto(article_url)
    body = page.locator(".article-body")
    body.get_by_role("link", name="the skip heading").click()
    expect(page.locator(":target")).to_have_text("Skip")
    body.get_by_role("link", name="our box").click()
    expect(page.locator(":target")).to_have_text("Our own box")
    body.locator("a.footnote-ref").click()
    expect(page.locator(":target")).to_contain_text("Unaudited figures.")
    page.locator(".author-bio a.footnote-ref").first.click()
    expect(page.locator(":target")).to_contain_text("Since 2020.")
    page.locator(".author-bio a.footnote-ref").last.click()
    expect(page.locator(":target")).to_contain_text("Since 2019.")
    page.locator(".company-about a.footnote-ref").click()
    expect(page.locator(":target")).to_contain_text("Founded in 1990.")
