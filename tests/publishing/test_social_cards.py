"""Open Graph and Twitter cards on every page, within Twitter's limits, cut at word boundaries."""

from __future__ import annotations

import pytest

from byline.output.metadata import DESCRIPTION_LIMIT, TWITTER_TITLE_LIMIT, shorten
from tests.conftest import MakeSite
from tests.helpers import article, build_site
from tests.publishing.dom import Element, canonical, json_ld, meta, meta_tags, parse, words_cut_cleanly
from tests.publishing.sample import CARRICK, COBLE, NORTHGATE, PAGE_TYPES, SampleSite, picture

LONG_TITLE = "Northumberland ferry operator Tidewell orders two hybrid vessels for the Tyne crossing in a record deal"


def description(page: Element) -> str:
    return page.one("meta", name="description").attrs["content"]


@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_every_page_type_has_open_graph_and_twitter_tags(sample: SampleSite, kind: str) -> None:
    page = sample.page(PAGE_TYPES[kind])
    title = page.one("title").text
    assert meta(page, "og:site_name") == "Bdaily"
    assert meta(page, "og:locale") == "en_GB"
    assert meta(page, "og:url") == canonical(page)
    assert meta(page, "og:title") and meta(page, "og:title") in title
    expected_type = {"author": "profile"} | dict.fromkeys(
        ["article", "article with correction", "co-written article"], "article"
    )
    assert meta(page, "og:type") == expected_type.get(kind, "website")
    assert meta(page, "twitter:card") == ("summary_large_image" if meta(page, "og:image") else "summary")
    assert words_cut_cleanly(meta(page, "twitter:title") or "", meta(page, "og:title") or "")
    if page.find("meta", name="description"):
        for key in ("og:description", "twitter:description"):
            assert words_cut_cleanly(meta(page, key) or "", description(page)), key


def test_every_page_keeps_within_twitters_limits(sample: SampleSite) -> None:
    checked = 0
    for path in sample.html_pages:
        page = parse(path)
        title, text = meta(page, "twitter:title"), meta(page, "twitter:description")
        if title is None:
            continue
        checked += 1
        assert len(title) <= TWITTER_TITLE_LIMIT, path
        assert text is None or len(text) <= DESCRIPTION_LIMIT, path
        assert len(meta(page, "og:description") or "") <= DESCRIPTION_LIMIT, path
    assert checked > 50


def test_a_long_summary_is_cut_at_a_word_boundary_in_the_sample(sample: SampleSite) -> None:
    page = sample.page(CARRICK)
    full = description(page)
    assert len(full) > DESCRIPTION_LIMIT, "the Carrick summary is long enough to need cutting"
    cut = meta(page, "twitter:description") or ""
    assert cut.endswith("…") and len(cut) <= DESCRIPTION_LIMIT
    assert words_cut_cleanly(cut, full)


def test_article_tags_match_the_article(sample: SampleSite) -> None:
    for url in (CARRICK, COBLE, NORTHGATE):
        page = sample.page(url)
        [data] = [b for b in json_ld(page) if b["@type"] == "NewsArticle"]
        assert meta(page, "article:published_time") == data["datePublished"]
        assert meta(page, "article:modified_time") == data["dateModified"]
        # Open Graph's author is each person (their profile), never the company the release comes from.
        authors = [v for k, v in meta_tags(page) if k == "article:author"]
        assert authors == [person["url"] for person in data["author"]]
        assert all("/authors/" in author for author in authors)
        assert meta(page, "article:section") == data["articleSection"]
        assert [v for k, v in meta_tags(page) if k == "article:tag"] == data["keywords"]


def test_lead_image_gives_the_card_image_with_size_and_alt(sample: SampleSite) -> None:
    page = sample.page(CARRICK)
    img = page.one("figure", "lead-image").one("img")
    assert meta(page, "og:image") == meta(page, "twitter:image") == sample.absolute(img.attrs["src"])
    assert meta(page, "og:image:width") == img.attrs["width"]
    assert meta(page, "og:image:height") == img.attrs["height"]
    assert meta(page, "og:image:alt") == meta(page, "twitter:image:alt") == img.attrs["alt"]
    assert meta(page, "twitter:card") == "summary_large_image"
    assert meta(sample.page(COBLE), "twitter:card") == "summary"  # no lead image


def test_a_long_headline_is_shortened_for_twitter_only(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/quayside.md": article(
                LONG_TITLE, image="/static/images/ferry.jpg", image_alt="The new ferry", slug="ferries"
            ),
            "static/images/ferry.jpg": picture(400, 300),
        }
    )
    out = build_site(root).output
    page = parse(out / "articles/2026/03/01/ferries/index.html")
    assert meta(page, "og:title") == LONG_TITLE
    short = meta(page, "twitter:title") or ""
    assert len(LONG_TITLE) > TWITTER_TITLE_LIMIT >= len(short)
    assert short == "Northumberland ferry operator Tidewell orders two hybrid vessels for…"
    assert words_cut_cleanly(short, LONG_TITLE)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Short enough", 70, "Short enough"),
        ("one two three four", 13, "one two…"),
        ("one two, three four", 13, "one two…"),  # no comma left dangling before the ellipsis
        ("Supercalifragilistic", 8, "Superca…"),  # one long word: cut inside it
        ("  spaced   out  ", 70, "spaced out"),
    ],
)
def test_shorten_cuts_at_word_boundaries(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit
