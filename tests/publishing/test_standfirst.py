"""An article's lead is printed once: a summary repeating the opening paragraph is not shown above it (item 11)."""

from __future__ import annotations

from tests.publishing.sample import CARRICK, SampleSite


def test_every_sample_article_prints_its_opening_sentence_once(sample: SampleSite) -> None:
    for url in sample.article_urls:
        article = sample.page(url).one("article", "article")
        body = article.one("div", "article-body")
        opening = next(p.text for p in body.find_all("p"))
        assert article.text.count(opening[:80]) == 1, url


def test_a_summary_of_its_own_is_still_the_standfirst(sample: SampleSite) -> None:
    page = sample.page("/articles/2026/11/12/stoneheath-energy-innovation-grant/")
    standfirst = page.one("p", "standfirst").text
    assert standfirst and standfirst not in page.one("div", "article-body").text
    assert sample.page(CARRICK).find("p", "standfirst") is None  # its summary was its first paragraph
