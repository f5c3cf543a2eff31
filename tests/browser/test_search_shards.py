"""Searching many shards in Chromium: the newest first, older ones only as a reader needs them.

A site of 36 monthly articles is built with a shard cap of three, so its index is 14
shards (quarters, and the newest month); every article holds the word "harbour". The
tests count which shards the page fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from byline.output.search import documents as search_docs
from tests.browser.conftest import TIMEOUT_MS, static_server
from tests.helpers import AUTHOR, AUTHOR_PATH, article, build_site, write_files

pytestmark = pytest.mark.browser

MONTHS = [(2023 + (month - 1) // 12, (month - 1) % 12 + 1) for month in range(3, 39)]  # 2023-03 to 2026-02
OLDEST_WORD = "zeppelin"  # in the oldest article only
NEWEST_WORD = "gondola"  # in the newest article only


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The site served as a static host would, and its shards, newest first."""
    root = tmp_path_factory.mktemp("shards") / "site"
    files = {AUTHOR_PATH: AUTHOR}
    for number, (year, month) in enumerate(MONTHS):
        extra = OLDEST_WORD if number == 0 else NEWEST_WORD if number == len(MONTHS) - 1 else "ferry"
        body = f"The harbour board met in month {number}. A {extra} was discussed."
        title = f"Harbour board report {year}-{month:02d}"
        files[f"content/articles/report-{number}.md"] = article(title, f"{year}-{month:02d}-10 09:00", body=body)
    write_files(root, files)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_docs, "SHARD_CAP", 3)
        result = build_site(root)
    assert result.search is not None and len(result.search.shards) == 14
    with static_server(result.output) as url:
        yield url, result.search.shards


@pytest.fixture
def fetched(page: Page) -> list[str]:
    """The shards (folders under /pagefind/) the page has fetched anything from, in order."""
    shards: list[str] = []

    def note(url: str) -> None:
        match = re.search(r"/pagefind/([^/]+)/", url)
        if match and match[1] not in shards:
            shards.append(match[1])

    page.context.on("request", lambda request: note(request.url))
    return shards


def search(page: Page, url: str, address: str) -> str:
    """Open the search page at ``address`` and wait for the first page of results; the status."""
    page.goto(url + address)
    results = page.locator("#search-results")
    expect(page.locator("#search-status")).not_to_have_text("", timeout=TIMEOUT_MS)
    expect(results).not_to_have_attribute("aria-busy", "true")
    return page.locator("#search-status").inner_text()


def show_everything(page: Page) -> None:
    """Press "Show more results" until it is gone."""
    more = page.locator("#search-more")
    while more.is_visible():
        shown = page.locator(".search-result").count()
        more.get_by_role("button").click()
        expect(page.locator(".search-result")).not_to_have_count(shown)
        expect(page.locator("#search-results")).not_to_have_attribute("aria-busy", "true")


def test_a_common_word_fetches_the_newest_shards_only(
    page: Page, site: tuple[str, list[str]], fetched: list[str]
) -> None:
    url, shards = site
    status = search(page, url, "/search/?q=harbour")
    assert re.fullmatch(r"\d+ articles for “harbour” since \w+ 2025\. Show more to search older articles\.", status)
    expect(page.locator(".search-result")).to_have_count(10)
    assert fetched == shards[: len(fetched)], "newest first, in order"
    assert len(fetched) <= 5 and shards[-1] not in fetched, "the older shards were never fetched"


def test_show_more_reaches_back_to_the_oldest_shard(
    page: Page, site: tuple[str, list[str]], fetched: list[str]
) -> None:
    url, shards = site
    search(page, url, "/search/?q=harbour")
    page.locator("#search-more button").click()
    expect(page.locator(".search-result")).to_have_count(20)
    expect(page.locator(".search-result").nth(10).locator("a")).to_be_focused()
    show_everything(page)
    expect(page.locator(".search-result")).to_have_count(len(MONTHS))
    expect(page.locator("#search-status")).to_have_text(f"{len(MONTHS)} articles for “harbour”.")
    assert fetched == shards
    titles = page.locator(".search-result-title a").all_inner_texts()
    assert len(set(titles)) == len(MONTHS), "no article twice"


def test_newest_first_stays_in_date_order_across_shards_and_pages(page: Page, site: tuple[str, list[str]]) -> None:
    url, _ = site
    search(page, url, "/search/?q=harbour&sort=newest")
    show_everything(page)
    stamps = [t.get_attribute("datetime") or "" for t in page.locator(".search-result time").all()]
    moments = [datetime.fromisoformat(stamp) for stamp in stamps]
    assert len(moments) == len(MONTHS) and moments == sorted(moments, reverse=True)


def test_a_word_only_the_oldest_shard_holds_is_found(
    page: Page, site: tuple[str, list[str]], fetched: list[str]
) -> None:
    url, shards = site
    assert search(page, url, f"/search/?q={OLDEST_WORD}") == f"1 article for “{OLDEST_WORD}”."
    expect(page.locator(".search-result-title a")).to_have_text("Harbour board report 2023-03")
    assert fetched == shards
    expect(page.locator("#search-more")).to_be_hidden()


def test_every_word_must_be_in_one_article_wherever_the_words_are(page: Page, site: tuple[str, list[str]]) -> None:
    url, _ = site
    status = search(page, url, f"/search/?q={OLDEST_WORD}+{NEWEST_WORD}")
    assert status.startswith("No articles"), status
    expect(page.locator(".search-result")).to_have_count(0)


def test_a_new_search_while_older_shards_load_shows_only_its_own_results(
    page: Page, site: tuple[str, list[str]]
) -> None:
    url, _ = site
    page.goto(url + "/search/")
    box = page.get_by_label("Search articles")
    box.fill(OLDEST_WORD)  # reaches back through every shard...
    box.press("Enter")
    box.fill(NEWEST_WORD)  # ...while this one is answered by the newest
    box.press("Enter")
    expect(page.locator("#search-status")).to_have_text(f"1 article for “{NEWEST_WORD}”.")
    expect(page.locator(".search-result-title a")).to_have_text("Harbour board report 2026-02")
    page.wait_for_timeout(500)  # the first search finishing late must not replace it
    expect(page.locator(".search-result-title a")).to_have_text("Harbour board report 2026-02")
