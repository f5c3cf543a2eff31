"""byline.output.views: the plain, template-ready data made from the Site."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from byline.content.models import Html
from byline.output.views import RECENT_ONLY, PackedBody, Shared, Views, view_identity
from byline.site.model import Site
from tests.conftest import MakeSite
from tests.helpers import article, check_site, messages

MAIN = "content/articles/quayside.md"


def views_of(root: Path) -> tuple[Views, Site]:
    result = check_site(root)
    assert messages(result.problems) == []
    assert result.site is not None
    return Views(result.site), result.site


def jpeg(width: int, height: int) -> bytes:
    """A real picture of the given size: lead images are measured, and a missing one is an error."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 180, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def main_article(site: Site):  # type: ignore[no-untyped-def]
    return next(a for a in site.articles if a.source == MAIN)


def test_links_carry_the_base_path_and_absolute_urls_the_origin(make_site: MakeSite) -> None:
    views, _ = views_of(make_site({"site.toml": 'base_url = "https://example.com/members/"\n'}))
    assert views.link("/about/") == "/members/about/"
    assert views.absolute("/about/") == "https://example.com/members/about/"
    assert views.link("https://elsewhere.example/x") == "https://elsewhere.example/x"
    site = views.site_view()
    assert (site["home_url"], site["feed_url"], site["static_url"]) == (
        "/members/",
        "/members/feed.xml",
        "/members/static/",
    )


def test_card_shows_dates_in_site_timezone_with_offset(make_site: MakeSite) -> None:
    root = make_site({MAIN: article(date="2025-06-30T23:30:00+00:00")})
    views, site = views_of(root)
    card = views.card(main_article(site))
    assert card["date"]["display"] == "1 July 2025"
    assert card["date"]["iso"] == "2025-07-01T00:30:00+01:00"
    assert card["url"] == "/articles/2025/07/01/quayside-tools-opens-a-depot/"
    assert card["abs_url"] == "http://localhost:8000/articles/2025/07/01/quayside-tools-opens-a-depot/"
    assert card["author"]["name"] == "Simon Malia"
    assert card["author"]["url"] == "/authors/simon-malia/"
    assert card["section"] == {
        "slug": "members-news",
        "title": "Members' News",
        "label": "Member Article",
        "url": "/members-news/",
    }
    assert card["status"] == "published"
    assert card["reading_minutes"] == 1


def test_article_view_has_everything_the_page_needs(make_site: MakeSite) -> None:
    root = make_site(
        {
            MAIN: article(
                tags="[bt, Ports]",
                region="North East",
                image="/static/images/depot.jpg",
                image_alt="The new depot",
                image_credit="'Photo: Quayside Tools'",
                updated="2026-03-01 15:00",
                corrections="\n  - date: 2026-03-02 09:00\n    note: The depot opens on Monday.",
                sponsor="Quayside",
                body="Opening *now*.",
            ),
            "content/articles/other.md": article("Other news", "2026-02-01", tags="[BT]"),
            "content/articles/another.md": article("Another", "2026-02-02", tags="[BT]"),
            "static/images/depot.jpg": jpeg(320, 180),
        }
    )
    views, site = views_of(root)
    view = views.article(main_article(site))
    assert view["body_html"] == "<p>Opening <em>now</em>.</p>"
    assert view["attribution"] == "This was posted in Byline's Members' News section by Simon Malia."
    assert view["tags"] == [
        {"name": "BT", "url": "/topics/bt/", "abs_url": "http://localhost:8000/topics/bt/"},
        {"name": "Ports", "url": "/topics/ports/", "abs_url": "http://localhost:8000/topics/ports/"},
    ]
    assert view["region"] == {"name": "North East", "url": "/regions/north-east/"}
    assert view["image"] == {
        "src": "/static/images/depot.jpg",
        "abs_src": "http://localhost:8000/static/images/depot.jpg",
        "alt": "The new depot",
        "credit": "Photo: Quayside Tools",
        "width": None,  # Views without the measured images (the build passes them in)
        "height": None,
        "srcset": None,
    }
    assert view["updated"]["display_time"] == "1 March 2026 15:00"
    assert view["modified"]["iso"] == "2026-03-02T09:00:00+00:00"
    assert view["corrections"] == [
        {"date": views.moment(main_article(site).corrections[0].date), "note": "The depot opens on Monday."}
    ]
    assert [r["title"] for r in view["related"]] == ["Another", "Other news"]
    assert view["author"]["bio_html"] == "<p>Simon covers ports and shipping.</p>"
    assert view["author"]["count"] == 3
    assert view["meta"] == {"sponsor": "Quayside"}
    assert view["scheduled_for"] is None


def test_section_without_attribution_has_none(make_site: MakeSite) -> None:
    views, site = views_of(make_site({MAIN: article(section="news")}))
    view = views.article(main_article(site))
    assert view["attribution"] is None
    assert view["section"]["label"] is None


def test_attribution_uses_site_section_and_author_names(make_site: MakeSite) -> None:
    root = make_site(
        {
            "site.toml": 'name = "Tyne Business Daily"\n[sections.members-news]\ntitle = "Member Updates"\n'
            'attribution = "{author} posted this in {section} on {site}."\n',
        }
    )
    views, site = views_of(root)
    assert (
        views.article(main_article(site))["attribution"]
        == "Simon Malia posted this in Member Updates on Tyne Business Daily."
    )


def test_entry_id_is_the_front_matter_id_as_a_urn(make_site: MakeSite) -> None:
    views, site = views_of(make_site({MAIN: article(id="3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c")}))
    assert views.entry_id(main_article(site)) == "urn:uuid:3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c"


def test_entry_id_without_an_id_survives_a_slug_edit(make_site: MakeSite) -> None:
    first, site = views_of(make_site({MAIN: article()}))
    second, edited = views_of(make_site({MAIN: article(slug="a-new-slug")}))
    before, after = first.entry_id(main_article(site)), second.entry_id(main_article(edited))
    assert before == after == "tag:localhost,2026-03-01:/quayside"


def test_views_are_plain_json_data(make_site: MakeSite) -> None:
    root = make_site({MAIN: article(tags="[Ports]", region="Wales", corrections="[{date: 2026-03-02, note: x}]")})
    views, site = views_of(root)
    for view in (views.site_view(), views.article(main_article(site)), [views.author(a) for a in site.authors]):
        assert json.loads(json.dumps(view)) == view  # no tuples, dates or objects: a fingerprint sees it all


def test_cards_are_shared_between_lists(make_site: MakeSite) -> None:
    views, site = views_of(make_site())
    assert views.card(main_article(site)) is views.card(main_article(site))


def test_views_let_go_are_made_again_the_same_and_leave_nothing_behind(make_site: MakeSite) -> None:
    """A build lets its search views go once the documents are written; one asked for again must be the same."""
    views, site = views_of(make_site())
    article = main_article(site)
    fact = f"v|search|{article.source}"
    first, card = views.search(article), views.card(article)
    identity, reads = views.made_identity(fact), views.made[fact]
    shown = json.dumps(first, default=repr, sort_keys=True)
    views.let_go("search")
    assert views.made_identity(fact) is None
    assert views.card(article) is card, "other kinds are kept"
    assert views.made[fact] == reads, "what it read stays for the build's record"
    assert id(first) not in views._stands_for, "a freed view's id may be another object's"
    again = views.search(article)
    assert again is not first and views.made_identity(fact) == identity
    assert json.dumps(again, default=repr, sort_keys=True) == shown


def test_page_view(make_site: MakeSite) -> None:
    views, site = views_of(make_site({"content/pages/about.md": "---\ntitle: About us\n---\nWe *report*.\n"}))
    assert views.page(site.pages[0]) == {
        "title": "About us",
        "summary": "We report.",
        "standfirst": None,
        "embeds": False,
        "url": "/about/",
        "abs_url": "http://localhost:8000/about/",
        "body_html": "<p>We <em>report</em>.</p>",
        "meta": {},
    }
    assert views.site_view()["pages"] == [{"title": "About us", "url": "/about/"}]


def test_times_and_topics_are_made_once_and_shown_in_the_sites_timezone(make_site: MakeSite) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    views, site = views_of(make_site({MAIN: article(tags="[Ports, Logistics]")}))
    summer = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    same_instant = summer.astimezone(ZoneInfo("Asia/Tokyo"))
    assert views.moment(summer) is views.moment(same_instant)  # one instant, one view, whatever its zone
    assert views.moment(summer) == {
        "iso": "2026-07-01T09:30:00+01:00",
        "display": views.moment(same_instant)["display"],
        "display_time": views.moment(same_instant)["display_time"],
        "epoch": int(summer.timestamp()),
    }
    assert views.moment(datetime(2026, 12, 1, 8, 30, tzinfo=UTC))["iso"] == "2026-12-01T08:30:00+00:00"
    card_date = views.card(main_article(site))["date"]
    assert views.article(main_article(site))["date"] is card_date
    tags = views.article(main_article(site))["tags"]
    assert [t["name"] for t in tags] == ["Ports", "Logistics"] and views.tag("Ports") is tags[0]


def sponsored_links_site(make_site: MakeSite, main_body: str) -> tuple[Views, Site]:
    """The main article with ``main_body``, and one linking out, in a section whose outbound links are marked."""
    policy = '[sections.members-news]\ntitle = "Members\' News"\nlink_rel = ["sponsored"]\n'
    outbound = article("Outbound", body="See [the maker](https://maker.example/).")
    return views_of(
        make_site({"site.toml": policy, MAIN: article(body=main_body), "content/articles/out.md": outbound})
    )


def test_a_body_is_unpacked_once_and_one_nothing_changes_is_not_copied(make_site: MakeSite) -> None:
    """A copy of every body cost ~90 MB at 10,000 articles; an outbound link under a policy makes a new one."""
    body = "Read [the desk](mailto:desk@example.com) and ![a plan](https://example.com/plan.png)."
    views, site = sponsored_links_site(make_site, body)
    inside, outside = main_article(site), next(a for a in site.articles if a.source != MAIN)
    body = views.body(inside)
    assert body == inside.body.html and type(body) is Html and views.body(inside) is body
    assert views.body(outside) != outside.body.html and 'rel="sponsored"' in views.body(outside)
    assert views.body(outside).digest != outside.body.html.digest


def test_a_search_view_holds_its_body_packed_standing_for_the_same_text(make_site: MakeSite) -> None:
    """Search views live to the build's end: at 100,000 articles their bodies as text were 0.9 GB."""
    views, site = sponsored_links_site(make_site, "Read [the desk](mailto:desk@example.com).")
    for made in site.articles:
        packed = views.search(made)["body_html"]
        assert isinstance(packed, PackedBody) and packed.unpack() == views.body(made)
        assert packed.digest == views.body(made).digest
        assert (packed.packed == made.body.packed) == (made.source == MAIN)  # finished as parsed: no new packing
        assert view_identity(Shared({"b": packed}), {}) == view_identity(Shared({"b": views.body(made)}), {})


def test_bodies_and_article_views_keep_only_the_most_recently_used(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build's worker renders tens of thousands of article pages: their bodies are not all kept."""
    monkeypatch.setitem(RECENT_ONLY, "body", 2)
    root = make_site({f"content/articles/a{n}.md": article(f"Story {n}", body=f"Body {n}.") for n in range(4)})
    views, site = views_of(root)
    mine = {f"content/articles/a{n}.md" for n in range(4)}
    first, second, third, fourth = sorted((a for a in site.articles if a.source in mine), key=lambda a: a.source)
    kept, earlier = views.body(first), views.body(second)
    assert views.body(first) is kept  # used again: now the most recent
    views.body(third)  # over the bound: the least recently used, the second, goes
    assert views.body(first) is kept and views.body(second) is not earlier and views.body(second) == earlier
    with views.recorder.scope() as remembered:
        views.body(second)
    views.body(third), views.body(fourth)
    with views.recorder.scope() as made_again:
        views.body(second)
    assert remembered and remembered == made_again  # a piece made again reads what it read the first time


# --- member companies -------------------------------------------------------------------

COMPANY = {
    "content/companies/quayside-tools.md": "---\nname: Quayside Tools\nwebsite: https://www.quayside.example/\n"
    "logo: /static/logo.png\nlogo_alt: Quayside Tools logo\nsector: Tools\nregion: North East\n"
    "contact: Press office, press@quayside.example\n---\nQuayside Tools makes *tools*.\n",
    "static/logo.png": jpeg(60, 40),
    "content/authors/ruth-calloway.md": "---\nname: Ruth Calloway\ncompany: quayside-tools\n---\nRuth.\n",
    "site.toml": '[sections.members-news]\nattribution = "Posted by {author}[ for {company}]."\n',
}


def test_a_member_articles_view_has_its_company_and_every_author(make_site: MakeSite) -> None:
    root = make_site({**COMPANY, MAIN: article(author="[simon-malia, ruth-calloway]")})
    views, site = views_of(root)
    view = views.article(main_article(site))
    assert [a["name"] for a in view["authors"]] == ["Simon Malia", "Ruth Calloway"]
    assert view["author"] is view["authors"][0]  # templates written for one author keep working
    assert view["authors"][1]["company"] == {
        "slug": "quayside-tools",
        "name": "Quayside Tools",
        "url": "/companies/quayside-tools/",
        "abs_url": "http://localhost:8000/companies/quayside-tools/",
    }
    company = view["company"]
    assert (company["name"], company["url"], company["feed_url"]) == (
        "Quayside Tools",
        "/companies/quayside-tools/",
        "/companies/quayside-tools/feed.xml",
    )
    assert company["about_html"] == "<p>Quayside Tools makes <em>tools</em>.</p>"
    assert company["summary"] == "Quayside Tools makes tools."
    assert (company["website"], company["website_label"]) == ("https://www.quayside.example/", "www.quayside.example")
    assert company["logo"] == {
        "src": "/static/logo.png",
        "abs_src": "http://localhost:8000/static/logo.png",
        "alt": "Quayside Tools logo",
        "width": None,  # Views without the measured images (the build passes them in)
        "height": None,
    }
    assert (company["sector"], company["region"], company["contact"]) == (
        "Tools",
        "North East",
        "Press office, press@quayside.example",
    )
    assert view["attribution"] == "Posted by Simon Malia and Ruth Calloway for Quayside Tools."
    card = views.card(main_article(site))
    assert card["company"] is views.company_ref("quayside-tools")
    assert [a["name"] for a in card["authors"]] == ["Simon Malia", "Ruth Calloway"]
    assert json.loads(json.dumps(view)) == view


def test_an_article_without_a_company_drops_the_attributions_optional_part(make_site: MakeSite) -> None:
    three = "[simon-malia, ruth-calloway, ada-okafor]"
    root = make_site(
        {
            **COMPANY,
            "content/authors/ruth-calloway.md": "---\nname: Ruth Calloway\n---\nRuth.\n",
            "content/authors/ada-okafor.md": "---\nname: Ada Okafor\n---\nAda.\n",
            MAIN: article(author=three),
        }
    )
    views, site = views_of(root)
    view = views.article(main_article(site))
    assert view["company"] is None and views.card(main_article(site))["company"] is None
    assert view["attribution"] == "Posted by Simon Malia, Ruth Calloway and Ada Okafor."


def test_a_company_with_no_page_is_named_but_not_linked(make_site: MakeSite) -> None:
    """An author's company with no published article has no page to link to."""
    root = make_site({**COMPANY, "content/articles/draft.md": article("Draft", company="quayside-tools", draft="true")})
    views, site = views_of(root)
    assert views.author(site.author["ruth-calloway"])["company"] == {
        "slug": "quayside-tools",
        "name": "Quayside Tools",
        "url": None,
        "abs_url": None,
    }


def test_a_summary_repeating_the_opening_paragraph_is_shown_once(make_site: MakeSite) -> None:
    body = "Quayside Tools\u2019s \u201cnew\u201d depot\u2014its third\u2026 opens   today.\n\nMore."
    pasted = "summary: 'Quayside Tools''s \"new\" depot---its third... opens today.'"
    files = {
        MAIN: article(body=body, summary=pasted.removeprefix("summary: ")),
        "content/articles/other.md": article("Other", body="Opening.\n\nMore.", summary="A different summary."),
        "content/articles/none.md": article("None", body="Only the body.", slug="none"),
    }
    views, site = views_of(make_site(files))
    shown = {a.source: views.article(a)["standfirst"] for a in site.articles}
    assert shown == {MAIN: None, "content/articles/other.md": "A different summary.", "content/articles/none.md": None}
    assert views.article(main_article(site))["summary"] == 'Quayside Tools\'s "new" depot---its third... opens today.'
