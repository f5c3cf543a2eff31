"""Outbound links follow their section's policy; stylesheets and scripts get fingerprinted names."""

from __future__ import annotations

import hashlib
import re

from byline.output.body import NEW_TAB_NOTE, LinkPolicy, finish_body
from byline.site.images import ImageCatalog
from tests.conftest import MakeSite
from tests.helpers import article, build_site, check_site, messages
from tests.publishing.dom import parse
from tests.publishing.sample import SampleSite

BODY = (
    "See [the report](https://research.example/report), [our archive](http://localhost:8000/archive/), "
    "[the about page](/about/) and [write to us](mailto:desk@example.com).\n"
)
POLICY = """\
[sections.members-news]
title = "Members' News"
link_rel = ["sponsored", "nofollow"]
link_new_tab = true

[sections.news]
title = "News"
"""


def body_links(out, slug):  # type: ignore[no-untyped-def]
    page = parse(out / f"articles/2026/03/01/{slug}/index.html")
    return page.one("div", "article-body").find_all("a")


def test_outbound_links_in_member_articles_follow_the_section_policy(make_site: MakeSite) -> None:
    root = make_site(
        {
            "site.toml": POLICY,
            "content/articles/quayside.md": article(body=BODY, slug="member"),
            "content/articles/desk.md": article("Desk news", section="news", body=BODY, slug="desk"),
        }
    )
    out = build_site(root).output
    report, archive, about, mail = body_links(out, "member")
    assert report.attrs["rel"] == "sponsored nofollow noopener"
    assert report.attrs["target"] == "_blank"
    assert report.text == "the report (opens in a new tab)"
    for own in (archive, about, mail):  # the site's own pages and mail links are not outbound
        assert "rel" not in own.attrs and "target" not in own.attrs
    assert all("rel" not in a.attrs for a in body_links(out, "desk")), "the news section has no policy"


def test_a_link_opening_a_new_tab_always_has_noopener(sample: SampleSite) -> None:
    new_tabs = 0
    for path in sample.html_pages:
        for anchor in parse(path).find_all("a"):
            if anchor.attrs.get("target") == "_blank":
                new_tabs += 1
                assert "noopener" in anchor.attrs.get("rel", "").split(), f"{path}: {anchor.attrs}"
    rels = {
        a.attrs.get("rel") for p in sample.article_urls for a in sample.page(p).one("div", "article-body").find_all("a")
    }
    assert "ugc" in rels, "the sample's members' section marks outbound links ugc (site.toml)"
    assert new_tabs == 0, "the sample opens no new tabs"


def test_link_policy_leaves_other_markup_alone() -> None:
    html = '<p><a href="https://x.example/a?b=1&amp;c=2" title="X">X</a> and <a href="#fn">1</a></p>'

    def finished(host: str, rel: tuple[str, ...], new_tab: bool) -> str:
        return finish_body(html, ImageCatalog(), str, "", LinkPolicy(host, rel, new_tab))

    assert finished("localhost", ("ugc",), False) == (
        '<p><a href="https://x.example/a?b=1&amp;c=2" title="X" rel="ugc">X</a> and <a href="#fn">1</a></p>'
    )
    assert finished("x.example", ("ugc",), True) == html  # links to the site itself
    assert NEW_TAB_NOTE in finished("localhost", (), True)


def test_an_unknown_link_rel_or_schema_type_is_reported_at_its_line(make_site: MakeSite) -> None:
    toml = '[sections.members-news]\ntitle = "M"\nlink_rel = "follow"\nschema_type = "Tweet"\n'
    problems = messages(check_site(make_site({"site.toml": toml})).problems)
    assert problems == [
        'site.toml:3: link_rel must be "sponsored", "ugc" or "nofollow" (or a list of them), not \'follow\'',
        "site.toml:4: schema_type must be one of AdvertiserContentArticle, AnalysisNewsArticle, Article, "
        "BackgroundNewsArticle, BlogPosting, NewsArticle, OpinionNewsArticle, Report, ReportageNewsArticle, "
        "ReviewNewsArticle, not 'Tweet'",
    ]


def test_a_section_schema_type_is_the_article_type(make_site: MakeSite) -> None:
    toml = '[sections.members-news]\ntitle = "M"\nschema_type = "AdvertiserContentArticle"\n'
    out = build_site(make_site({"site.toml": toml, "content/articles/quayside.md": article(slug="q")})).output
    page = (out / "articles/2026/03/01/q/index.html").read_text()
    assert '"@type": "AdvertiserContentArticle"' in page and '"@type": "NewsArticle"' not in page


def test_a_missing_publisher_logo_is_reported_in_site_toml(make_site: MakeSite) -> None:
    toml = 'name = "X"\n\n[publisher]\nname = "X Media"\nlogo = "/static/images/none.png"\n'
    assert messages(check_site(make_site({"site.toml": toml})).problems) == [
        "site.toml:5: image /static/images/none.png not found: no static/images/none.png in the site or the theme"
    ]


def test_stylesheet_gets_a_fingerprinted_name_that_pages_use(sample: SampleSite) -> None:
    css = (sample.out / "static/css/style.css").read_bytes()
    digest = hashlib.sha256(css).hexdigest()[:10]
    fingerprinted = sample.out / f"static/css/style.{digest}.css"
    assert fingerprinted.read_bytes() == css
    for path in sample.html_pages:
        hrefs = [link.attrs["href"] for link in parse(path).find_all("link", rel="stylesheet")]
        assert hrefs == [f"/static/css/style.{digest}.css"], path
    search = (sample.out / "search/index.html").read_text()
    script = re.search(r'<script type="module" src="/static/js/search\.([0-9a-f]{10})\.js"></script>', search)
    assert script, "the search script is a module (deferred, never render-blocking) with a fingerprinted name"
    assert (sample.out / f"static/js/search.{script[1]}.js").is_file()


def test_editing_the_stylesheet_changes_its_name(make_site: MakeSite) -> None:
    root = make_site({"static/css/style.css": "body { color: black }\n"})
    first = build_site(root)
    page = first.output / "index.html"
    before = re.search(r"/static/css/style\.[0-9a-f]{10}\.css", page.read_text())
    (root / "static/css/style.css").write_text("body { color: navy }\n")
    after = re.search(
        r"/static/css/style\.[0-9a-f]{10}\.css",
        build_site(root, first.output).output.joinpath("index.html").read_text(),
    )
    assert before and after and before[0] != after[0]
    assert (first.output / after[0].lstrip("/")).read_text() == "body { color: navy }\n"
