"""schema.org JSON-LD on every page of the sample build, checked field by field against what the page shows."""

from __future__ import annotations

from datetime import datetime

import pytest
from PIL import Image

from tests.helpers import ROOT
from tests.publishing.dom import Element, canonical, json_ld, parse
from tests.publishing.sample import CARRICK, COBLE, COMPANY, NORTHGATE, PAGE_TYPES, SampleSite

INDEX_TYPES = ["front", "front page 2", "section", "topic", "topic list", "region", "region list", "author list"]
INDEX_TYPES += ["archive", "archive year", "archive month", "company list"]


def news_article(document: Element) -> dict:
    blocks = json_ld(document)
    articles = [b for b in blocks if b["@type"] == "NewsArticle"]
    assert len(articles) == 1, [b["@type"] for b in blocks]
    return articles[0]


def moment(text: str) -> datetime:
    stamp = datetime.fromisoformat(text)
    assert stamp.tzinfo is not None and stamp.utcoffset() is not None, f"{text} has no offset"
    return stamp


def test_every_article_describes_itself_as_the_page_shows_it(sample: SampleSite) -> None:
    assert len(sample.article_urls) >= 15
    for url in sample.article_urls:
        page = sample.page(url)
        data = news_article(page)
        where = f"{url}: "
        assert data["@context"] == "https://schema.org", where
        assert data["headline"] == page.one("h1", "headline").text, where
        lead = page.find("p", "standfirst") or page.one("div", "article-body").find_all("p")[0]  # shown once
        assert data["description"] == lead.text, where
        assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": canonical(page)}, where
        assert data["url"] == canonical(page) == sample.absolute(url), where
        assert data["keywords"] == [
            a.text for a in page.one("nav", "article-topics").find_all("a", "pill") if "pill-region" not in a.classes()
        ], where
        kicker = page.one("p", "kicker").one("a", "label")
        nav = {a.attrs["href"]: a.text for a in page.one("nav", "site-nav").find_all("a")}
        assert data["articleSection"] == nav[kicker.attrs["href"]], where
        assert data["inLanguage"] == page.one("html").attrs["lang"], where


def test_article_dates_carry_offsets_and_modified_is_never_before_published(sample: SampleSite) -> None:
    for url in sample.article_urls:
        page = sample.page(url)
        data = news_article(page)
        shown = [t.attrs["datetime"] for t in page.one("p", "dateline").find_all("time")]
        corrections = page.find("section", "corrections")
        corrected = [t.attrs["datetime"] for t in corrections.find_all("time")] if corrections else []
        published, modified = moment(data["datePublished"]), moment(data["dateModified"])
        assert data["datePublished"] == shown[0], url
        assert modified >= published, url
        assert modified == max(moment(s) for s in [*shown, *corrected]), url


def test_lead_image_is_an_absolute_url_with_the_size_shown(sample: SampleSite) -> None:
    with_image = 0
    for url in sample.article_urls:
        page = sample.page(url)
        data = news_article(page)
        figure = page.find("figure", "lead-image")
        if figure is None:
            assert "image" not in data, url
            continue
        with_image += 1
        img = figure.one("img")
        [image] = data["image"]
        assert image["@type"] == "ImageObject"
        assert image["url"] == sample.absolute(img.attrs["src"]) and image["url"].startswith("https://")
        assert (image["width"], image["height"]) == (int(img.attrs["width"]), int(img.attrs["height"]))
        with Image.open(sample.path_of(img.attrs["src"])) as picture:
            assert picture.size == (image["width"], image["height"])
        credit = figure.find("figcaption")
        assert image.get("creditText") == (credit.text if credit else None)
    assert with_image, "the sample should have an article with a lead image"


def test_authors_are_people_named_and_linked_to_their_pages(sample: SampleSite) -> None:
    co_written = 0
    for url in sample.article_urls:
        page = sample.page(url)
        bylined = page.one("p", "byline").find_all("a", rel="author")
        people = news_article(page)["author"]
        assert len(people) == len(bylined), f"{url}: every author in the byline is a Person, in its order"
        co_written += len(people) > 1
        for person, byline in zip(people, bylined, strict=True):
            assert person["@type"] == "Person"
            assert person["name"] == byline.text, f"{url}: the name alone, no role or 'By'"
            assert person["url"] == sample.absolute(byline.attrs["href"])
            profile = sample.page(byline.attrs["href"])
            profiles_elsewhere = [a.attrs["href"] for a in profile.find_all("a", rel="me")]
            assert person.get("sameAs", []) == [h for h in profiles_elsewhere if h.startswith("http")], url
            assert person.get("worksFor") == employer(profile, sample), f"{url}: {person['name']}"
    assert co_written, "the sample should have an article with more than one author"


def employer(profile: Element, sample: SampleSite) -> dict | None:
    """What an author page says the person works for: the member company linked, else the organisation named."""
    shown = profile.one("header", "author-header").find("p", "author-role")
    if shown is None:
        return None
    link = shown.find("a")
    if link is not None:
        return {"@type": "Organization", "name": link.text, "url": sample.absolute(link.attrs["href"])}
    parts = shown.text.split(", ", 1)
    return {"@type": "Organization", "name": parts[1]} if len(parts) == 2 else None


def test_member_articles_name_the_company_of_their_about_box_as_source(sample: SampleSite) -> None:
    sourced = 0
    for url in sample.article_urls:
        page = sample.page(url)
        data = news_article(page)
        box = page.find("section", "company-box")
        if box is None:
            assert "sourceOrganization" not in data, url
            continue
        sourced += 1
        name = box.one("h2").one("a")
        organisation = data["sourceOrganization"]
        assert organisation["@type"] == "Organization"
        assert organisation["name"] == name.text == page.one("span", "byline-company").one("a").text, url
        assert organisation["url"] == sample.absolute(name.attrs["href"]), url
        logo = box.find("img", "company-logo")
        if logo is None:
            assert "logo" not in organisation, url
        else:
            assert organisation["logo"]["url"] == sample.absolute(logo.attrs["src"]), url
            assert (organisation["logo"]["width"], organisation["logo"]["height"]) == (
                int(logo.attrs["width"]),
                int(logo.attrs["height"]),
            )
        website = box.find("dl", "company-facts")
        links = [a.attrs["href"] for a in website.find_all("a")] if website else []
        assert organisation.get("sameAs", []) == links, url
    assert sourced >= 10, "the sample's member articles come from companies"
    assert "sourceOrganization" in news_article(sample.page(NORTHGATE))


def test_company_pages_are_profile_pages_of_an_organisation(sample: SampleSite) -> None:
    paths = sorted((sample.out / "companies").glob("*/index.html"))
    assert len(paths) >= 6
    for path in paths:
        page = parse(path)
        blocks = json_ld(page)
        assert [b["@type"] for b in blocks] == ["ProfilePage", "BreadcrumbList"], path
        profile = blocks[0]
        assert profile["url"] == profile["@id"] == canonical(page)
        organisation = profile["mainEntity"]
        assert organisation["@type"] == "Organization"
        assert organisation["name"] == page.one("h1").text
        assert organisation["url"] == canonical(page)
        header = page.one("header", "company-header")
        website = [a.attrs["href"] for a in header.one("ul").find_all("a") if "feed-link" not in a.classes()]
        assert organisation.get("sameAs", []) == website, path
        logo = header.find("img", "company-logo")
        assert organisation.get("logo", {}).get("url") == (sample.absolute(logo.attrs["src"]) if logo else None)
        assert organisation.get("description", "") in " ".join(header.one("div", "company-about").text.split())
        trail = blocks[1]["itemListElement"]
        assert [i["item"] for i in trail] == [sample.base_url + "/", sample.base_url + "/companies/", canonical(page)]
    company = json_ld(sample.page(COMPANY))[0]["mainEntity"]
    assert company["sameAs"] == ["https://northgaterobotics.example"]


def test_publisher_is_the_organisation_with_its_logo(sample: SampleSite) -> None:
    data = news_article(sample.page(CARRICK))
    publisher = data["publisher"]
    assert publisher["@type"] == "Organization"
    assert publisher["name"] == "Bdaily"
    assert publisher["url"] == sample.base_url + "/"
    logo = publisher["logo"]
    assert logo["url"] == sample.base_url + "/static/images/logo.png"
    with Image.open(ROOT / "static/images/logo.png") as picture:
        assert (logo["width"], logo["height"]) == picture.size
    assert sample.path_of(logo["url"]).is_file()


def test_each_correction_is_a_correction_comment_as_shown(sample: SampleSite) -> None:
    page = sample.page(COBLE)
    shown = page.one("section", "corrections").find_all("li")
    data = news_article(page)
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": li.text.split(": ", 1)[1],
            "datePublished": li.one("time").attrs["datetime"],
        }
        for li in shown
    ]
    for url in sample.article_urls:
        page = sample.page(url)
        if page.find("section", "corrections") is None:
            assert "correction" not in news_article(page), url


def test_articles_have_a_breadcrumb_trail_home_section_article(sample: SampleSite) -> None:
    page = sample.page(COBLE)
    [trail] = [b for b in json_ld(page) if b["@type"] == "BreadcrumbList"]
    items = trail["itemListElement"]
    assert [i["position"] for i in items] == [1, 2, 3]
    assert [i["item"] for i in items] == [sample.base_url + "/", sample.base_url + "/members-news/", canonical(page)]
    assert items[2]["name"] == page.one("h1", "headline").text


def test_author_pages_are_profile_pages_of_a_person(sample: SampleSite) -> None:
    paths = sorted((sample.out / "authors").glob("*/index.html"))
    assert paths
    for path in paths:
        page = parse(path)
        blocks = json_ld(page)
        assert [b["@type"] for b in blocks] == ["ProfilePage", "BreadcrumbList"], path
        profile = blocks[0]
        assert profile["url"] == profile["@id"] == canonical(page)
        person = profile["mainEntity"]
        assert person["@type"] == "Person"
        assert person["name"] == page.one("h1").text
        assert person["url"] == canonical(page)
        assert person.get("sameAs", []) == [a.attrs["href"] for a in page.find_all("a", rel="me")]
        assert blocks[1]["itemListElement"][-1]["item"] == canonical(page)


@pytest.mark.parametrize("kind", INDEX_TYPES)
def test_indexes_are_collection_pages_listing_what_they_show(sample: SampleSite, kind: str) -> None:
    page = sample.page(PAGE_TYPES[kind])
    blocks = {b["@type"]: b for b in json_ld(page)}
    collection = blocks["CollectionPage"]
    assert collection["url"] == collection["@id"] == canonical(page)
    assert collection["isPartOf"] == {"@type": "WebSite", "name": "Bdaily", "url": sample.base_url + "/"}
    listed = [i["url"] for i in collection.get("mainEntity", {}).get("itemListElement", [])]
    shown = listing(page.one("main"))
    assert shown, f"{kind}: the page lists nothing"
    assert listed == [sample.absolute(h) for h in shown], kind
    if kind == "front":
        assert "WebSite" in blocks and "BreadcrumbList" not in blocks
        return
    trail = blocks["BreadcrumbList"]["itemListElement"]
    assert trail[0]["item"] == sample.base_url + "/"
    assert trail[-1]["item"] == canonical(page)
    assert [i["position"] for i in trail] == list(range(1, len(trail) + 1))


def listing(main: Element) -> list[str]:
    """What an index page lists, in order: articles, else authors, topics or regions, years or months."""
    for found in (
        [title.one("a") for title in main.find_all(cls="card-title")],
        [card.one("h2").one("a") for card in main.find_all("li", "author-card")],
        [card.one("h3").one("a") for card in main.find_all("li", "company-card")],
        [a for group in main.find_all("ul", "group-list") for a in group.find_all("a")],
        [a for heading in main.find_all("h2", "rail-heading") for a in heading.find_all("a")],
        [a for grid in main.find_all("ul", "month-grid") for a in grid.find_all("a")],
    ):
        if found:
            return [a.attrs["href"] for a in found]
    return []
