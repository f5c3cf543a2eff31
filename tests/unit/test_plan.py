"""byline.output.plan: every output of the site, with pagination, feeds and sitemaps decided here."""

from __future__ import annotations

import gc
from datetime import timedelta
from pathlib import Path

import pytest

from byline.output import metadata, plan, reads
from byline.output.plan import Output, plan_site
from byline.output.render import Renderer
from byline.parallel import collection_paused
from byline.site.checks import editorial_problems
from byline.site.model import Site, build_site
from tests.conftest import MakeSite
from tests.helpers import NOW, article, check_site, messages


def many_articles(count: int, **keys: str) -> dict[str, str | None]:
    """``count`` articles a day apart, newest first by number: n1 is the newest (2026-03-01)."""
    files: dict[str, str | None] = {"content/articles/quayside.md": None}
    for n in range(1, count + 1):
        day = NOW - timedelta(days=n, hours=3)
        files[f"content/articles/n{n}.md"] = article(f"Story {n}", f"{day:%Y-%m-%d %H:%M}", **keys)
    return files


def site_of(root: Path, **changes: object) -> Site:
    result = check_site(root, **changes)
    assert messages(result.problems) == []
    assert result.site is not None
    return result.site


def by_url(outputs: list[Output]) -> dict[str, Output]:
    return {o.url: o for o in outputs}


def test_every_output_has_its_own_file(make_site: MakeSite) -> None:
    outputs = plan_site(site_of(make_site(many_articles(5, tags="[Ports]"))), NOW)
    paths = [o.path for o in outputs]
    assert len(paths) == len(set(paths))


def test_contract_urls_are_planned(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/quayside.md": article(
                tags="[Ports]", region="North East", aliases="[/old/]", company="quayside-tools"
            ),
            "content/companies/quayside-tools.md": "---\nname: Quayside Tools\n---\nTools for ports.\n",
            "content/pages/about.md": "---\ntitle: About\n---\nAbout us.\n",
        }
    )
    planned = by_url(plan_site(site_of(root), NOW))
    expected = {
        "/": "index.html",
        "/articles/2026/03/01/quayside-tools-opens-a-depot/": "article.html",
        "/old/": "redirect.html",
        "/members-news/": "index.html",
        "/news/": "index.html",
        "/authors/": "authors.html",
        "/authors/simon-malia/": "author.html",
        "/companies/": "companies.html",
        "/companies/quayside-tools/": "company.html",
        "/topics/": "topics.html",
        "/topics/ports/": "index.html",
        "/regions/": "topics.html",
        "/regions/north-east/": "index.html",
        "/archive/": "archive.html",
        "/archive/2026/": "archive.html",
        "/archive/2026/03/": "archive_month.html",
        "/search/": "search.html",
        "/about/": "page.html",
        "/feed.xml": "feed.xml",
        "/members-news/feed.xml": "feed.xml",
        "/news/feed.xml": "feed.xml",
        "/authors/simon-malia/feed.xml": "feed.xml",
        "/companies/quayside-tools/feed.xml": "feed.xml",
        "/topics/ports/feed.xml": "feed.xml",
        "/sitemap.xml": "sitemap.xml",
        "/news-sitemap.xml": "news_sitemap.xml",
        "/robots.txt": "robots.txt",
        "/404.html": "404.html",
    }
    assert {url: o.template for url, o in planned.items()} == expected


def test_pagination_is_page_n_of_m_without_page_1(make_site: MakeSite) -> None:
    root = make_site({"site.toml": "per_page = 2\n", **many_articles(5)})
    planned = by_url(plan_site(site_of(root), NOW))
    section = [u for u in planned if u.startswith("/members-news/") and u.endswith("/")]
    assert section == ["/members-news/", "/members-news/page/2/", "/members-news/page/3/"]
    assert "/members-news/page/1/" not in planned
    assert "/page/2/" in planned and "/page/3/" in planned and "/page/1/" not in planned
    first, second, last = (planned[u].context for u in section)
    assert [c["pagination"]["number"] for c in (first, second, last)] == [1, 2, 3]
    assert {c["pagination"]["pages"] for c in (first, second, last)} == {3}
    assert (first["pagination"]["prev"], first["pagination"]["next"]) == (None, "/members-news/page/2/")
    assert (second["pagination"]["prev"], second["pagination"]["next"]) == ("/members-news/", "/members-news/page/3/")
    assert (last["pagination"]["prev"], last["pagination"]["next"]) == ("/members-news/page/2/", None)
    assert second["page"]["prev"] == "/members-news/" and second["page"]["next"] == "/members-news/page/3/"
    assert second["page"]["title"] == "Members' News – page 2 of 3"
    assert (
        second["page"]["canonical"] == "http://localhost:8000/members-news/page/2/"
    )  # pages canonicalise to themselves
    assert [a["title"] for c in (first, second, last) for a in c["index"]["articles"]] == [
        f"Story {n}" for n in range(1, 6)
    ]
    assert [link["url"] for link in second["pagination"]["links"]] == [
        "/members-news/",
        "/members-news/page/2/",
        "/members-news/page/3/",
    ]


def test_pagination_links_skip_far_pages(make_site: MakeSite) -> None:
    root = make_site({"site.toml": "per_page = 1\n", **many_articles(12)})
    planned = by_url(plan_site(site_of(root), NOW))
    links = planned["/members-news/page/6/"].context["pagination"]["links"]
    assert [link["number"] for link in links] == [1, 4, 5, 6, 7, 8, 12]
    assert [link["current"] for link in links] == [False, False, False, True, False, False, False]


def test_empty_section_still_has_its_index_page(make_site: MakeSite) -> None:
    planned = by_url(plan_site(site_of(make_site()), NOW))
    assert planned["/news/"].context["index"]["articles"] == []
    assert planned["/news/"].context["pagination"]["pages"] == 1
    assert planned["/news/feed.xml"].context["feed"]["entries"] == []


def test_author_and_topic_indexes_paginate_too(make_site: MakeSite) -> None:
    root = make_site({"site.toml": "per_page = 2\n", **many_articles(3, tags="[Ports]")})
    planned = by_url(plan_site(site_of(root), NOW))
    assert "/authors/simon-malia/page/2/" in planned
    assert "/topics/ports/page/2/" in planned
    assert "/authors/simon-malia/page/3/" not in planned


def test_feed_holds_the_latest_20_newest_first(make_site: MakeSite) -> None:
    planned = by_url(plan_site(site_of(make_site(many_articles(25))), NOW))
    feed = planned["/feed.xml"].context["feed"]
    assert len(feed["entries"]) == plan.FEED_LENGTH == 20
    assert [e["title"] for e in feed["entries"]] == [f"Story {n}" for n in range(1, 21)]
    assert feed["self_url"] == "http://localhost:8000/feed.xml"
    assert feed["alternate_url"] == "http://localhost:8000/"
    assert feed["updated"] == feed["entries"][0]["modified"]["iso"]
    assert planned["/members-news/feed.xml"].context["feed"]["title"] == "Members' News – Byline"


def test_feed_updated_is_the_latest_change_not_the_latest_date(make_site: MakeSite) -> None:
    files = many_articles(2)
    files["content/articles/n2.md"] = article("Story 2", "2026-02-27 09:00", updated="2026-03-02 08:00")
    planned = by_url(plan_site(site_of(make_site(files)), NOW))
    assert planned["/feed.xml"].context["feed"]["updated"] == "2026-03-02T08:00:00+00:00"


def test_sitemap_lists_every_indexable_page(make_site: MakeSite) -> None:
    root = make_site({"content/articles/quayside.md": article(aliases="[/old/]")})
    outputs = plan_site(site_of(root), NOW)
    entries = by_url(outputs)["/sitemap.xml"].context["entries"]
    locs = [e["loc"] for e in entries]
    pages = [o for o in outputs if o.kind in ("page", "article") and not o.context["page"]["noindex"]]
    assert len(locs) == len(pages) == len(set(locs))
    assert "http://localhost:8000/articles/2026/03/01/quayside-tools-opens-a-depot/" in locs
    for excluded in ("/old/", "/search/", "/404.html"):
        assert f"http://localhost:8000{excluded}" not in locs


def test_sitemap_becomes_an_index_past_the_limit(make_site: MakeSite) -> None:
    site = site_of(make_site(many_articles(4)))
    small = by_url(plan_site(site, NOW))
    total = len(small["/sitemap.xml"].context["entries"])
    planned = by_url(plan_site(site, NOW, sitemap_limit=5))
    index = planned["/sitemap.xml"]
    assert index.template == "sitemap_index.xml"
    parts = [u for u in planned if u.startswith("/sitemaps/")]
    assert parts == [f"/sitemaps/sitemap-{n}.xml" for n in range(1, -(-total // 5) + 1)]
    assert [s["loc"] for s in index.context["sitemaps"]] == [f"http://localhost:8000{u}" for u in parts]
    sizes = [len(planned[u].context["entries"]) for u in parts]
    assert all(size <= 5 for size in sizes) and sum(sizes) == total


def test_sitemap_at_the_limit_stays_one_file(make_site: MakeSite) -> None:
    site = site_of(make_site())
    total = len(by_url(plan_site(site, NOW))["/sitemap.xml"].context["entries"])
    planned = by_url(plan_site(site, NOW, sitemap_limit=total))
    assert planned["/sitemap.xml"].template == "sitemap.xml"
    assert not [u for u in planned if u.startswith("/sitemaps/")]


def test_news_sitemap_holds_only_the_last_two_days_before_now(make_site: MakeSite) -> None:
    files = {
        "content/articles/quayside.md": None,
        "content/articles/now.md": article("Exactly now", "2026-03-02 12:00"),
        "content/articles/recent.md": article("Yesterday", "2026-03-01 12:00", updated="2026-03-02 10:00"),
        "content/articles/edge.md": article("Two days ago", "2026-02-28 12:00"),
        "content/articles/old.md": article("Too old", "2026-02-28 11:59"),
        "content/articles/future.md": article("Tomorrow", "2026-03-03 12:00"),
    }
    site = site_of(make_site(files), future=True)
    news = by_url(plan_site(site, NOW))["/news-sitemap.xml"].context
    assert [e["title"] for e in news["entries"]] == ["Exactly now", "Yesterday", "Two days ago"]
    assert news["entries"][1]["published"] == "2026-03-01T12:00:00+00:00"  # original publication date
    assert news["publication_language"] == "en"


def test_news_sitemap_holds_at_most_the_limit(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reads, "NEWS_SITEMAP_LIMIT", 2)
    files = {"content/articles/quayside.md": None}
    for n in range(4):
        files[f"content/articles/n{n}.md"] = article(f"Story {n}", f"2026-03-02 0{n}:00")
    news = by_url(plan_site(site_of(make_site(files)), NOW))["/news-sitemap.xml"].context
    assert [e["title"] for e in news["entries"]] == ["Story 3", "Story 2"]


def test_robots_names_both_sitemaps(make_site: MakeSite) -> None:
    robots = by_url(plan_site(site_of(make_site()), NOW))["/robots.txt"]
    assert robots.context["sitemaps"] == ["http://localhost:8000/sitemap.xml", "http://localhost:8000/news-sitemap.xml"]


def test_alias_redirects_to_the_article(make_site: MakeSite) -> None:
    root = make_site({"content/articles/quayside.md": article(aliases="[/articles/2014/01/27/old-slug/]")})
    redirect = by_url(plan_site(site_of(root), NOW))["/articles/2014/01/27/old-slug/"]
    assert redirect.kind == "redirect"
    assert redirect.context["target"]["url"] == "/articles/2026/03/01/quayside-tools-opens-a-depot/"


def test_an_alias_page_is_unchanged_when_only_its_articles_related_list_changes(make_site: MakeSite) -> None:
    """A new article on the same topic joins the old one's related list; its old URL's page stays the same."""
    old = article("Mill reopens", "2026-02-01", tags="[Textiles]", aliases="[/mill/]")
    root = make_site({"content/articles/mill.md": old})
    renderer = Renderer(root)

    def fingerprints() -> tuple[bytes, object]:
        outputs = by_url(plan_site(site_of(root), NOW))
        article_page = outputs["/articles/2026/02/01/mill-reopens/"]
        alias = outputs["/mill/"]
        return renderer.render(alias.template, alias.context), article_page.context["article"]["related"]

    before = fingerprints()
    (root / "content/articles/loom.md").write_text(article("Loom maker expands", "2026-02-05", tags="[Textiles]"))
    after = fingerprints()
    assert before[1] != after[1] and before[0] == after[0]


def test_drafts_are_planned_nowhere(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/draft.md": article(
                "Secret draft", "2026-02-01", tags="[Secret]", region="Hidden", draft="true"
            ),
            "content/articles/scheduled.md": article(
                "Secret scheduled", "2026-04-01", tags="[Secret]", aliases="[/x/]"
            ),
        }
    )
    outputs = plan_site(site_of(root), NOW)
    assert "/topics/secret/" not in by_url(outputs)
    assert "/x/" not in by_url(outputs)
    assert "/archive/2026/04/" not in by_url(outputs)
    for output in outputs:
        assert "Secret" not in repr(output.context), output.url


def test_only_the_news_sitemap_depends_on_the_clock(make_site: MakeSite) -> None:
    site = site_of(make_site(many_articles(3)))
    early = plan_site(site, NOW - timedelta(days=30))
    late = plan_site(site, NOW)
    changed = [a.url for a, b in zip(early, late, strict=True) if a != b]
    assert changed == ["/news-sitemap.xml"]


def test_model_checks_and_plan_make_no_reference_cycles(make_site: MakeSite) -> None:
    """They run with the cyclic collector paused, which is only safe while they make no cycles."""
    root = make_site(many_articles(30, tags="[Ports, Shipping]", region="North East"))
    site = site_of(root)
    gc.collect()
    with collection_paused():
        again, _ = build_site(site.config, [*site.articles, *site.hidden], site.authors, site.pages, now=NOW)
        editorial_problems(again, root, frozenset(), [])
        outputs = plan_site(again, NOW)
        del again, outputs
        assert gc.collect() == 0  # everything was freed by reference counting alone


def test_structured_data_and_social_tags_are_made_only_for_pages_that_render(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    social_tags, article_json_ld = metadata.social_tags, metadata.article_json_ld
    monkeypatch.setattr(metadata, "social_tags", lambda *a, **k: made.append("social") or social_tags(*a, **k))
    monkeypatch.setattr(metadata, "article_json_ld", lambda *a: made.append("json-ld") or article_json_ld(*a))
    root = make_site(many_articles(5))
    outputs = by_url(plan_site(site_of(root), NOW))
    assert made == []
    page = outputs["/articles/2026/02/28/story-2/"]
    html = Renderer(root).render(page.template, page.context).decode()
    assert sorted(made) == ["json-ld", "social"]
    assert '<meta property="og:title" content="Story 2">' in html
    assert '"@type": "NewsArticle"' in html or '"@type":"NewsArticle"' in html


def test_a_plan_in_two_steps_equals_one_and_plans_the_articles_once(make_site: MakeSite) -> None:
    files = many_articles(4)
    files["content/articles/n1.md"] = article("Story 1", "2026-02-28 09:00", aliases="[/old-story/]")
    site = site_of(make_site(files))
    steps = plan.SitePlan(site, now=NOW)
    articles = steps.articles()
    assert [o.kind for o in articles] == ["article", "redirect", "article", "article", "article"]
    outputs = steps.complete()
    assert outputs[: len(articles)] == articles and all(a is b for a, b in zip(articles, outputs, strict=False))
    assert outputs == plan_site(site, NOW)


def test_an_article_planned_ahead_equals_its_outputs_in_the_whole_plan(make_site: MakeSite) -> None:
    """The preview shows an open article before the rest is planned: it must be the same page."""
    files = many_articles(4)
    files["content/articles/n2.md"] = article("Story 2", "2026-02-27 09:00", aliases="[/old-story/]")
    site = site_of(make_site(files))
    steps = plan.SitePlan(site, now=NOW)
    wanted = {"articles/2026/02/27/story-2/index.html", "old-story/index.html", "index.html", "nowhere/index.html"}
    ahead = steps.article_pages(wanted)
    assert [(o.path, o.kind) for o in ahead] == [
        ("articles/2026/02/27/story-2/index.html", "article"),
        ("old-story/index.html", "redirect"),  # the article's own outputs, wanted or not
    ]
    whole = {o.path: o for o in plan_site(site, NOW)}
    assert all(o == whole[o.path] for o in ahead)
    assert steps.article_pages(set()) == [] and steps.article_pages({"index.html"}) == []
    # The plan then takes the very outputs planned ahead (what their pages read is recorded on them).
    articles = steps.complete()
    assert [o.path for o in articles] == [o.path for o in plan_site(site, NOW)]
    assert [o for o in articles if any(o is a for a in ahead)] == ahead
    assert [(o.path, o.kind) for o in steps.article_pages(wanted)] == [(o.path, o.kind) for o in ahead]


def test_planning_an_article_ahead_plans_no_other(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    site = site_of(make_site(many_articles(5)))
    wanted = plan.SitePlan(site, now=NOW).articles()[2]
    planned: list[str] = []
    outputs_of = plan._Planner.article_outputs
    monkeypatch.setattr(
        plan._Planner, "article_outputs", lambda self, a: planned.append(a.source) or outputs_of(self, a)
    )
    ahead = plan.SitePlan(site, now=NOW).article_pages({wanted.path})
    assert [o.path for o in ahead] == [wanted.path]
    assert planned == [site.articles[2].source]


def test_a_company_page_paginates_and_has_a_feed_and_the_list_is_a_to_z(make_site: MakeSite) -> None:
    root = make_site(
        {
            "site.toml": "per_page = 2\n",
            **many_articles(3, company="quayside-tools"),
            "content/articles/solo.md": article("Solo", "2025-06-01 09:00", company="amble-boats"),
            "content/companies/quayside-tools.md": "---\nname: Quayside Tools\nsector: Tools\n---\nTools.\n",
            "content/companies/amble-boats.md": "---\nname: Amble Boats\nregion: North East\n---\n",
            "content/companies/idle-co.md": "---\nname: Idle Co\n---\nNo articles.\n",
        }
    )
    planned = by_url(plan_site(site_of(root), NOW))
    first = planned["/companies/quayside-tools/"]
    assert first.template == "company.html"
    assert first.context["index"]["company"]["name"] == "Quayside Tools"
    assert [a["title"] for a in first.context["index"]["articles"]] == ["Story 1", "Story 2"]
    assert first.context["page"]["description"] == "Tools."
    assert first.context["page"]["feed"] == "/companies/quayside-tools/feed.xml"
    assert [a["title"] for a in planned["/companies/quayside-tools/page/2/"].context["index"]["articles"]] == [
        "Story 3"
    ]
    assert "/companies/quayside-tools/page/3/" not in planned
    feed = planned["/companies/quayside-tools/feed.xml"].context["feed"]
    assert [e["title"] for e in feed["entries"]] == ["Story 1", "Story 2", "Story 3"]
    assert planned["/companies/amble-boats/"].context["page"]["description"] == "News from Amble Boats."
    assert not [url for url in planned if url.startswith("/companies/idle-co/")]  # nothing published: no page
    listed = planned["/companies/"].context["companies"]
    assert [(c["name"], c["letter"], c["count"], c["latest"]["display"]) for c in listed] == [
        ("Amble Boats", "A", 1, "1 June 2025"),
        ("Quayside Tools", "Q", 3, "1 March 2026"),
    ]
    assert [(c["sector"], c["region"], c["url"]) for c in listed] == [
        (None, "North East", "/companies/amble-boats/"),
        ("Tools", None, "/companies/quayside-tools/"),
    ]


def test_search_offers_a_company_filter_of_the_published_articles_companies(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/quayside.md": article(company="quayside-tools"),
            "content/articles/draft.md": article("Draft", company="amble-boats", draft="true"),
            "content/companies/quayside-tools.md": "---\nname: Quayside Tools\n---\n",
            "content/companies/amble-boats.md": "---\nname: Amble Boats\n---\n",
        }
    )
    filters = by_url(plan_site(site_of(root), NOW))["/search/"].context["filters"]
    assert [f["key"] for f in filters] == ["section", "company", "author", "topic", "region"]
    assert filters[1] == {"key": "company", "label": "Company", "options": ["Quayside Tools"]}
