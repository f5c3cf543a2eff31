"""sitemap.xml, news-sitemap.xml and robots.txt follow their formats; every page names its canonical URL."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from .scan import scan

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"s": SITEMAP, "news": NEWS}
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$")


def root_of(sample_build, name):
    root = ET.parse(sample_build.out / name).getroot()
    return root


def article_pages(sample_build):
    """Every built article page (not alias redirects), with its published time and headline."""
    pages = {}
    for path in sorted((sample_build.out / "articles").rglob("index.html")):
        page = scan(path)
        if page.meta("robots") == "noindex":  # an alias redirect
            continue
        published = page.meta("article:published_time")
        assert published, f"{path}: no article:published_time"
        pages[sample_build.url_of(path)] = (datetime.fromisoformat(published), page.meta("og:title"))
    return pages


def test_sitemap_lists_every_indexable_page_with_absolute_urls(sample_build):
    root = root_of(sample_build, "sitemap.xml")
    assert root.tag == f"{{{SITEMAP}}}urlset"
    locs = [el.text or "" for el in root.findall("s:url/s:loc", NS)]
    assert len(locs) == len(set(locs)), "duplicate <loc> in sitemap.xml"
    assert len(locs) <= 50_000
    for loc in locs:
        assert loc.startswith(sample_build.base_url + "/"), f"<loc> not absolute under base_url: {loc}"
        assert sample_build.file_at(loc), f"<loc> names no built page: {loc}"
    for lastmod in root.findall("s:url/s:lastmod", NS):
        assert W3C_DATETIME.match(lastmod.text or ""), f"bad <lastmod> {lastmod.text!r}"
    indexable = set()
    for path in sample_build.html_files:
        if scan(path).meta("robots") != "noindex" and path.name == "index.html":
            indexable.add(sample_build.url_of(path))
    assert indexable == set(locs), f"missing: {sorted(indexable - set(locs))}; extra: {sorted(set(locs) - indexable)}"
    companies = {loc for loc in locs if loc.startswith(sample_build.base_url + "/companies/")}
    assert sample_build.base_url + "/companies/" in companies
    assert sample_build.base_url + "/companies/northgate-robotics/" in companies
    # A company with no published article (the sample's draft-only and scheduled-only ones) has no page.
    assert not [loc for loc in companies if "riverside-preserves" in loc or "harbour-street" in loc]


def test_news_sitemap_holds_exactly_the_last_two_days(sample_build):
    root = root_of(sample_build, "news-sitemap.xml")
    assert root.tag == f"{{{SITEMAP}}}urlset"
    urls = root.findall("s:url", NS)
    assert 0 < len(urls) <= 1000, f"{len(urls)} news entries (the sample has articles in the window)"
    window_start = sample_build.now - timedelta(days=2)
    articles = article_pages(sample_build)
    expected = {url for url, (published, _) in articles.items() if window_start <= published <= sample_build.now}
    locs = [u.findtext("s:loc", namespaces=NS) for u in urls]
    assert set(locs) == expected
    assert len(locs) == len(set(locs))
    for url in urls:
        loc = url.findtext("s:loc", namespaces=NS)
        assert loc.startswith(sample_build.base_url + "/")
        news = url.find("news:news", NS)
        assert news is not None, f"{loc}: no <news:news>"
        assert news.findtext("news:publication/news:name", namespaces=NS) == sample_build.name
        assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
        stamp = news.findtext("news:publication_date", namespaces=NS) or ""
        assert W3C_DATETIME.match(stamp) and datetime.fromisoformat(stamp).tzinfo, f"{loc}: date {stamp!r}"
        assert datetime.fromisoformat(stamp) == articles[loc][0], f"{loc}: not the original publication date"
        assert news.findtext("news:title", namespaces=NS) == articles[loc][1]


def test_robots_txt_names_both_sitemaps(sample_build):
    lines = (sample_build.out / "robots.txt").read_text("utf-8").splitlines()
    sitemaps = {line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("sitemap:")}
    assert sitemaps == {f"{sample_build.base_url}/sitemap.xml", f"{sample_build.base_url}/news-sitemap.xml"}
    assert any(line.lower().startswith("user-agent:") for line in lines)


def test_every_page_has_exactly_one_absolute_canonical_link(sample_build):
    problems = []
    for path in sample_build.html_files:
        where = path.relative_to(sample_build.out)
        page = scan(path)
        canonical = page.links_with_rel("canonical")
        if len(canonical) != 1:
            problems.append(f"{where}: {len(canonical)} canonical links")
            continue
        href = canonical[0].get("href", "")
        if not href.startswith(sample_build.base_url + "/"):
            problems.append(f"{where}: canonical {href!r} is not absolute under base_url")
        elif page.meta("robots") != "noindex" and href != sample_build.url_of(path):
            problems.append(f"{where}: canonical {href!r} is not the page's own URL")
        elif not sample_build.file_at(href):
            problems.append(f"{where}: canonical {href!r} names no built page")
    assert not problems, "\n".join(problems)
