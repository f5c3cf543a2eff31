"""The built pages hold together: links resolve, pagination is navigable, articles stay lean and complete."""

from __future__ import annotations

import json
import re
from datetime import datetime

from .scan import scan

ARTICLE_HTML_BUDGET = 50_000
CSS_BUDGET = 24_000
COBLE = "articles/2026/09/03/coble-marine-expansion-plan/index.html"
CARRICK = "articles/2026/07/15/carrick-vane-first-us-export-deal/index.html"


def test_every_internal_link_and_fragment_resolves(sample_build):
    problems = []
    for path in sample_build.html_files:
        where = path.relative_to(sample_build.out)
        text = path.read_text("utf-8")
        ids = set(re.findall(r'\sid="([^"]+)"', text))
        for ref in scan(path).references:
            local = ref.startswith(sample_build.base_url + "/") or (ref.startswith("/") and not ref.startswith("//"))
            if ref.startswith("#") and ref[1:] not in ids:
                problems.append(f"{where}: no element with id {ref!r}")
            elif local and sample_build.file_at(ref) is None:
                problems.append(f"{where}: broken link {ref}")
    assert not problems, "\n".join(problems)


def test_paginated_indexes_say_page_n_of_m_and_link_prev_next(sample_build):
    later_pages = [p for p in sample_build.html_files if "/page/" in p.as_posix()]
    assert later_pages, "the sample should have paginated indexes"
    assert not [p for p in later_pages if "/page/1/" in p.as_posix()], "page 1 must be the index URL itself"
    for path in later_pages:
        number = int(path.parent.name)
        first = path.parents[2] / "index.html"
        page, first_page = scan(path), scan(first)
        where = path.relative_to(sample_build.out)
        assert page.links_with_rel("prev") and page.anchors_with_rel("prev"), f"{where}: no rel=prev"
        match = re.search(r"Page (\d+) of (\d+)", page.plain_text)
        assert match and int(match[1]) == number, f"{where}: no 'Page {number} of M'"
        if number < int(match[2]):
            assert page.links_with_rel("next") and page.anchors_with_rel("next"), f"{where}: no rel=next"
        assert first_page.links_with_rel("next"), f"{first.relative_to(sample_build.out)}: no rel=next"
        assert not first_page.links_with_rel("prev")
        assert "Page 1 of" in first_page.plain_text


def test_article_page_shows_everything_a_reader_needs(sample_build):
    path = sample_build.out / COBLE
    text, page = path.read_text("utf-8"), scan(path)
    assert "Member Article" in page.plain_text
    assert re.search(r"<h1[^>]*>Coble Marine unveils £18m expansion plan on the Tyne</h1>", text)
    assert 'class="standfirst"' in text
    assert [a for a in page.anchors_with_rel("author") if a["href"] == "/authors/alison-reay/"]
    stamps = re.findall(r'<time datetime="([^"]+)"', text)
    assert "2026-09-03T09:00:00+01:00" in stamps and "2026-09-04T16:45:00+01:00" in stamps
    assert all(datetime.fromisoformat(s).tzinfo for s in stamps)
    hrefs = {a.get("href") for a in page.anchors}
    assert {"/regions/north-east/", "/topics/energy/", "/topics/manufacturing/", "/topics/exports/"} <= hrefs
    assert "An earlier version of this article said the new assembly hall would be 90 metres long." in text
    assert "This was posted in Bdaily's Members' News section by Alison Reay for Coble Marine." in page.plain_text
    assert 'class="author-box"' in text and "Alison handles media relations" in page.plain_text
    assert 'class="company-box"' in text and "/static/companies/coble-marine.svg" in text
    assert "Coble Marine is a family-owned offshore fabricator" in page.plain_text
    assert "Press contact: Alison Reay, communications manager" in page.plain_text
    related = re.search(r'<aside class="related".*?</aside>', text, re.S)
    assert related and 0 < related[0].count("<li>") <= 5
    lead = (sample_build.out / CARRICK).read_text("utf-8")
    assert re.search(r'<figure class="lead-image">\s*<img src="/static/images/carrick-vane-casks.jpg" alt="[^"]+', lead)
    assert "<figcaption>Illustration: Carrick &amp; Vane Distillers</figcaption>" in lead


def test_article_structured_data_is_valid_json_with_corrections(sample_build):
    text = (sample_build.out / COBLE).read_text("utf-8")
    blocks = [json.loads(b) for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)]
    assert [b["@type"] for b in blocks] == ["NewsArticle", "BreadcrumbList"]
    data = blocks[0]
    assert data["datePublished"] == "2026-09-03T09:00:00+01:00"
    assert data["author"][0]["url"] == f"{sample_build.base_url}/authors/alison-reay/"
    assert data["sourceOrganization"]["url"] == f"{sample_build.base_url}/companies/coble-marine/"
    assert data["correction"][0]["text"].startswith("An earlier version")


def test_pages_are_lean_and_need_no_javascript_to_read(sample_build):
    # What pages load: each stylesheet is also copied under a fingerprinted name, counted once here.
    linked = {link["href"] for p in sample_build.html_files for link in scan(p).links_with_rel("stylesheet")}
    css = [sample_build.file_at(href) for href in sorted(linked)]
    assert css and all(css), f"stylesheets not in the build: {sorted(linked)}"
    assert sum(p.stat().st_size for p in css) <= CSS_BUDGET, f"CSS weighs {[(p.name, p.stat().st_size) for p in css]}"
    for path in sample_build.html_files:
        where = path.relative_to(sample_build.out)
        text = path.read_text("utf-8")
        if where.parts[0] == "articles":
            assert len(text.encode()) <= ARTICLE_HTML_BUDGET, f"{where}: {len(text.encode())} bytes"
        scripts = re.findall(r"<script\b([^>]*)>", text)
        # Only search needs a script; a page with click-to-load embeds has one that only adds their buttons.
        plays = 'class="embed ' in text
        allowed = [
            s for s in scripts if 'type="application/ld+json"' in s or (plays and "/js/embed." in s and "defer" in s)
        ]
        assert where.parts[0] == "search" or scripts == allowed, f"{where}: runs JavaScript"
        assert len(scan(path).links_with_rel("stylesheet")) <= 1, f"{where}: more than one stylesheet"
