"""Accessibility and search, as a reader's browser meets them: real headless Chromium on the built sample site.

The sample site is built into a temporary folder and served by a plain static server
(http.server in a thread), as any host would serve it. axe-core comes from the npm package
pinned in tests/js/package-lock.json (installed by scripts/install-test-deps), not a copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import static_server
from tests.helpers import ROOT
from tests.publishing.sample import PAGE_TYPES, SampleSite, build_sample

from ..serve.preview_site import copy_site, running

pytestmark = pytest.mark.browser

AXE = ROOT / "tests/js/node_modules/axe-core/axe.min.js"
PHRASE = "former tram depot"  # from the Carrick & Vane article only
PHRASE_ARTICLE = "Glasgow distillery Carrick & Vane secures first US export deal"
DRAFT_PHRASE = "quantum marmalade"  # only in the sample's draft
OLD_ARTICLE = "Halvergate Precision marks 40 years on Teesside with apprenticeship pledge"  # the 2025 shard only
WIDTHS = {"phone": (360, 740), "200% zoom": (640, 400)}  # 200% zoom of a 1280×800 window


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> SampleSite:
    return build_sample(tmp_path_factory.mktemp("a11y") / "public")


@pytest.fixture(scope="module")
def site_url(built: SampleSite) -> Iterator[str]:
    """The build served by Python's plain static file server, as any static host would."""
    with static_server(built.out) as url:
        yield url


@pytest.fixture(scope="module")
def reader(browser: Browser) -> Iterator[Page]:
    """One tab for the page-by-page checks, with axe-core loaded into every page it opens."""
    assert AXE.is_file(), f"{AXE} is missing: run scripts/install-test-deps"
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    context.add_init_script(path=str(AXE))
    yield context.new_page()
    context.close()


def axe_violations(page: Page) -> list[str]:
    """Run every axe-core rule (WCAG A/AA and best practice) on the page; describe each violation."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(
            v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`)"""
    )
    return list(found)


def search_for(page: Page, text: str) -> str:
    """Type into the search box as a reader would and wait for the result count to be announced."""
    box = page.get_by_label("Search articles")
    box.fill("")
    box.press_sequentially(text)
    box.press("Enter")
    status = page.locator("#search-status")
    expect(status).to_contain_text(text)
    settled(page)
    return status.inner_text()


def settled(page: Page) -> None:
    """Wait until search.js has swapped in the results of the latest search (it marks the list busy till then)."""
    expect(page.locator("#search-results")).not_to_have_attribute("aria-busy", "true")


def sideways_overflow(page: Page, width: int, height: int) -> int:
    """How far the page scrolls sideways at a viewport this size (0 when it reflows)."""
    page.set_viewport_size({"width": width, "height": height})
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_page_type_passes_axe_and_reflows_for_phones_and_zoom(reader: Page, site_url: str, kind: str) -> None:
    reader.set_viewport_size({"width": 1280, "height": 800})
    reader.goto(site_url + PAGE_TYPES[kind])
    assert axe_violations(reader) == []
    assert reader.locator("html").get_attribute("lang") == "en-GB", "lang comes from site.toml"
    assert reader.locator("h1").count() == 1, "one main heading"
    for name, (width, height) in WIDTHS.items():
        assert sideways_overflow(reader, width, height) <= 0, f"scrolls sideways on a {name} ({width}px wide)"


def test_axe_finds_no_violations_in_search_results(page: Page, site_url: str) -> None:
    page.goto(site_url + "/search/")
    search_for(page, "energy")
    expect(page.locator(".search-result").first).to_be_visible()
    assert axe_violations(page) == []


def test_skip_link_is_the_first_stop_visible_and_moves_focus_to_the_content(page: Page, site_url: str) -> None:
    page.goto(site_url + PAGE_TYPES["article"])
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to content")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0, "the focused skip link is on screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "byline--main"
    page.keyboard.press("Tab")
    first_in_main = page.evaluate("document.activeElement.closest('main') !== null")
    assert first_in_main, "after skipping, the next stop is inside the content"


@pytest.mark.parametrize("url", [PAGE_TYPES["front"], PAGE_TYPES["search"], PAGE_TYPES["article"]])
def test_keyboard_focus_is_always_visible(page: Page, site_url: str, url: str) -> None:
    page.goto(site_url + url)
    seen = 0
    for _ in range(25):
        page.keyboard.press("Tab")
        ring = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                const s = getComputedStyle(el);
                const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
                return {tag: el.tagName, text: el.textContent.trim().slice(0, 30), shown: outline || s.boxShadow !== "none"};
            }"""
        )
        if ring is None:
            break
        seen += 1
        assert ring["shown"], f"{url}: no visible focus on {ring}"
    assert seen >= 10


def test_reduced_motion_turns_smooth_scrolling_off(browser: Browser, site_url: str) -> None:
    context = browser.new_context(reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(site_url + PAGE_TYPES["article"])
        assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
    finally:
        context.close()


def test_search_finds_an_article_by_a_phrase_from_it(page: Page, site_url: str) -> None:
    page.goto(site_url + "/search/")
    status = search_for(page, PHRASE)
    assert status.startswith("1 article")
    result = page.locator(".search-result-title a")
    expect(result).to_have_count(1)
    expect(result).to_have_text(PHRASE_ARTICLE)
    expect(page.locator(".search-result mark").first).to_be_visible()
    result.click()
    expect(page.locator("h1")).to_have_text(PHRASE_ARTICLE)


def test_search_finds_nothing_from_the_draft(page: Page, site_url: str) -> None:
    page.goto(site_url + "/search/")
    status = search_for(page, DRAFT_PHRASE)
    assert status.startswith("No articles")
    expect(page.locator(".search-result")).to_have_count(0)


def test_search_filters_narrow_the_results_and_live_in_the_address(page: Page, site_url: str) -> None:
    page.goto(site_url + "/search/")
    search_for(page, "energy")
    everywhere = page.locator(".search-result").count()
    page.get_by_label("Region").select_option("Yorkshire")
    expect(page.locator("#search-status")).to_contain_text("Yorkshire")
    settled(page)
    assert 0 < page.locator(".search-result").count() < everywhere
    assert "region=Yorkshire" in page.url and "q=energy" in page.url
    page.reload()
    expect(page.locator("#search-status")).to_contain_text("Yorkshire")
    expect(page.get_by_label("Search articles")).to_have_value("energy")


def test_the_company_filter_keeps_that_companys_releases_only(page: Page, site_url: str) -> None:
    page.goto(site_url + "/search/")
    search_for(page, "Northgate")  # also named in Coble Marine's release
    everywhere = page.locator(".search-result").count()
    page.get_by_label("Company").select_option("Northgate Robotics")
    expect(page.locator("#search-status")).to_contain_text("Northgate Robotics")
    settled(page)
    titles = sorted(page.locator(".search-result-title a").all_inner_texts())
    assert titles == [
        "Northgate Robotics expands into Germany after landmark contract",
        "Northgate Robotics opens £4.2m automation centre in Sunderland",
    ]
    assert everywhere > len(titles)
    expect(page.locator(".search-result-meta").first).to_contain_text("Northgate Robotics")
    assert "company=Northgate+Robotics" in page.url


def test_newest_first_orders_results_across_both_shards(page: Page, site_url: str) -> None:
    page.goto(site_url + "/search/?region=North+East")
    expect(page.locator("#search-status")).to_contain_text("North East")
    page.get_by_label("Order").select_option("newest")
    expect(page).to_have_url(re.compile(r"sort=newest"))
    settled(page)
    stamps = [t.get_attribute("datetime") or "" for t in page.locator(".search-result time").all()]
    moments = [datetime.fromisoformat(s) for s in stamps]
    assert len(moments) >= 5 and moments == sorted(moments, reverse=True)
    assert {m.year for m in moments} == {2025, 2026}, "the 2025 shard's articles follow the 2026 one's"


@pytest.mark.parametrize("query", ["machinists", "halverg", "toolmaker machinists"])
def test_search_finds_words_only_an_older_shard_holds(page: Page, site_url: str, query: str) -> None:
    """Whole words, the start of a word being typed and several words, all only in a 2025 article."""
    page.goto(site_url + "/search/")
    status = search_for(page, query)
    assert status.startswith("1 article"), status
    expect(page.locator(".search-result-title a")).to_have_text(OLD_ARTICLE)


def test_search_works_inside_the_preview_server(page: Page, tmp_path: Path) -> None:
    with running(copy_site(tmp_path / "site")) as server:
        page.goto(server.url.rstrip("/") + "/search/")
        status = search_for(page, "chief operating officer")
        assert status.startswith("1 article")
        expect(page.locator(".search-result-title a")).to_have_text(
            "Mersey Loop Logistics appoints new chief operating officer"
        )
