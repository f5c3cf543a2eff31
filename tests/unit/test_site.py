"""byline.site.model: what is published, grouping, related articles, cross-file problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from byline.site.model import Site
from tests.conftest import MakeSite
from tests.helpers import article, check_site, messages

PUBLISHED = article("Quayside Tools opens a depot", "2026-03-01 09:00", tags="[Ports, Tools]", region="North East")
DRAFT = article("Draft about ports", "2026-02-01 09:00", tags="[Ports, Drafts only]", region="Wales", draft="true")
SCHEDULED = article("Scheduled about ports", "2026-04-01 09:00", tags="[Ports, Future only]", region="Scotland")


def checked_site(root: Path, **changes: object) -> Site:
    result = check_site(root, **changes)
    assert messages(result.problems) == []
    assert result.site is not None
    return result.site


def titles(articles: object) -> list[str]:
    return [a.title for a in articles]  # type: ignore[attr-defined]


def everything_listed(site: Site) -> set[str]:
    """Titles appearing anywhere a reader could find an article."""
    found = set(titles(site.articles))
    for group in (*site.sections, *site.topics, *site.regions):
        found |= set(titles(group.articles))
    for year in site.years:
        found |= set(titles(year.articles))
        for month in year.months:
            found |= set(titles(month.articles))
    for listed in (*site.by_author.values(), *site.related.values()):
        found |= set(titles(listed))
    return found


def test_drafts_and_scheduled_articles_are_excluded_everywhere(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/quayside.md": PUBLISHED,
            "content/articles/draft.md": DRAFT,
            "content/articles/scheduled.md": SCHEDULED,
        }
    )
    site = checked_site(root)
    assert everything_listed(site) == {"Quayside Tools opens a depot"}
    assert [g.name for g in site.topics] == ["Ports", "Tools"]
    assert [len(g.articles) for g in site.topics] == [1, 1]
    assert [g.name for g in site.regions] == ["North East"]
    assert [y.year for y in site.years] == [2026]
    assert [m.month for m in site.years[0].months] == [3]
    assert len(site.by_author["simon-malia"]) == 1
    assert site.related["content/articles/quayside.md"] == ()
    assert site.status_of == {
        "content/articles/quayside.md": "published",
        "content/articles/draft.md": "draft",
        "content/articles/scheduled.md": "scheduled",
    }
    assert sorted(titles(site.hidden)) == ["Draft about ports", "Scheduled about ports"]


def test_drafts_and_future_options_include_them(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/quayside.md": PUBLISHED,
            "content/articles/draft.md": DRAFT,
            "content/articles/scheduled.md": SCHEDULED,
        }
    )
    assert titles(checked_site(root, drafts=True).articles) == ["Quayside Tools opens a depot", "Draft about ports"]
    assert titles(checked_site(root, future=True).articles) == ["Scheduled about ports", "Quayside Tools opens a depot"]
    both = checked_site(root, drafts=True, future=True)
    assert len(both.articles) == 3
    assert len(next(g for g in both.topics if g.name == "Ports").articles) == 3
    assert len(both.related["content/articles/quayside.md"]) == 2


def test_article_is_scheduled_until_its_date(make_site: MakeSite) -> None:
    root = make_site({"content/articles/quayside.md": article(date="2026-03-02 12:00")})
    assert len(checked_site(root).articles) == 1  # the build's now is 2026-03-02 12:00 exactly
    root = make_site({"content/articles/quayside.md": article(date="2026-03-02 12:01")})
    assert checked_site(root).articles == ()


def test_articles_are_newest_first(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/b.md": article("Second", "2026-02-01"),
            "content/articles/c.md": article("Third", "2026-02-02T09:00:00+00:00"),
            "content/articles/a.md": article("First", "2026-01-05"),
        },
        with_article=False,
    )
    site = checked_site(root)
    assert titles(site.articles) == ["Third", "Second", "First"]
    assert [y.year for y in site.years] == [2026]
    assert [m.month for m in site.years[0].months] == [2, 1]


def test_topics_differing_only_in_case_are_one_topic_in_the_most_used_spelling(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/a.md": article("One", "2026-01-01", tags="[BT]"),
            "content/articles/b.md": article("Two", "2026-01-02", tags="[bt]"),
            "content/articles/c.md": article("Three", "2026-01-03", tags="[BT, Outsourcing]"),
        },
        with_article=False,
    )
    site = checked_site(root)
    assert [(g.slug, g.name, len(g.articles)) for g in site.topics] == [
        ("bt", "BT", 3),
        ("outsourcing", "Outsourcing", 1),
    ]
    assert site.topic_slug["bt"] == site.topic_slug["BT"] == "bt"
    assert titles(site.topics[0].articles) == ["Three", "Two", "One"]  # newest first, whatever the spelling


def test_topics_differing_only_in_punctuation_are_one_topic(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/a.md": article("One", "2026-01-01", tags="[E-commerce, Start-ups]"),
            "content/articles/b.md": article("Two", "2026-01-02", tags="[Ecommerce, 'Start-ups!']"),
            "content/articles/c.md": article("Three", "2026-01-03", tags="[e-commerce., Startups]"),
            "content/articles/d.md": article("Four", "2026-01-04", tags="['B.T.', BT]"),
            "content/articles/e.md": article("Five", "2026-01-05", tags="[BT]"),
        },
        with_article=False,
    )
    site = checked_site(root)
    assert [(g.slug, g.name, len(g.articles)) for g in site.topics] == [
        ("bt", "BT", 2),
        ("e-commerce", "E-commerce", 3),
        ("start-ups", "Start-ups", 3),
    ]
    assert {site.topic_slug[t] for t in ("E-commerce", "Ecommerce", "e-commerce.")} == {"e-commerce"}
    # Each spelling's articles merged newest first, an article using two spellings once.
    assert [titles(g.articles) for g in site.topics] == [
        ["Five", "Four"],
        ["Three", "Two", "One"],
        ["Three", "Two", "One"],
    ]


def test_topic_spelling_tie_goes_to_the_alphabetically_first(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/a.md": article("One", "2026-01-01", tags="[fintech]"),
            "content/articles/b.md": article("Two", "2026-01-02", tags="[FinTech]"),
        },
        with_article=False,
    )
    assert [g.name for g in checked_site(root).topics] == ["FinTech"]


def test_tag_without_letters_is_reported(make_site: MakeSite) -> None:
    root = make_site({"content/articles/quayside.md": article(tags="\n  - Ports\n  - '!!!'")})
    assert messages(check_site(root).problems) == [
        "content/articles/quayside.md:7: topic '!!!' has no letters or digits to make a URL from"
    ]


def test_regions_merge_spellings_like_topics(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/a.md": article("One", "2026-01-01", region="North East"),
            "content/articles/b.md": article("Two", "2026-01-02", region="north-east"),
            "content/articles/c.md": article("Three", "2026-01-03", region="North East"),
        },
        with_article=False,
    )
    assert [(g.slug, g.name, len(g.articles)) for g in checked_site(root).regions] == [("north-east", "North East", 3)]


def related_site(make_site: MakeSite) -> Site:
    return checked_site(related_root(make_site))


def related_root(make_site: MakeSite) -> Path:
    files = {
        # the article under test shares topics A, B and C
        "content/articles/main.md": article("Main", "2026-01-10", tags="[A, B, C]"),
        "content/articles/three-old.md": article("Shares three, old", "2026-01-01", tags="[A, B, C]"),
        "content/articles/two-new.md": article("Shares two, new", "2026-01-09", tags="[A, B]"),
        "content/articles/two-old.md": article("Shares two, old", "2026-01-02", tags="[b, c]"),
        "content/articles/one-newest.md": article("Shares one, newest", "2026-02-01", tags="[C, Z]"),
        "content/articles/one-new.md": article("Shares one, new", "2026-01-08", tags="[A]"),
        "content/articles/one-old.md": article("Shares one, old", "2026-01-03", tags="[B]"),
        "content/articles/none.md": article("Shares none", "2026-02-02", tags="[Z]"),
        "content/articles/draft.md": article("Draft shares three", "2026-01-09", tags="[A, B, C]", draft="true"),
    }
    return make_site(files, with_article=False)


def test_related_articles_rank_by_shared_topics_then_recency_at_most_five(make_site: MakeSite) -> None:
    site = related_site(make_site)
    assert titles(site.related["content/articles/main.md"]) == [
        "Shares three, old",
        "Shares two, new",
        "Shares two, old",
        "Shares one, newest",
        "Shares one, new",
    ]


def test_related_articles_never_include_itself_or_unrelated_ones(make_site: MakeSite) -> None:
    site = related_site(make_site)
    for source, related in site.related.items():
        assert source not in [a.source for a in related]
    assert titles(site.related["content/articles/none.md"]) == ["Shares one, newest"]


def test_a_ranking_reused_after_an_edit_lists_the_edited_articles_not_their_old_copies(
    make_site: MakeSite,
) -> None:
    """The ranking is remembered from the last build with the same topics and order (site._rank_related)."""
    from byline.site import model as site_module
    from tests.helpers import write_files

    site_module._rank_related.cache_clear()
    root = related_root(make_site)
    checked_site(root)
    write_files(root, {"content/articles/two-new.md": article("Shares two, retitled", "2026-01-09", tags="[A, B]")})
    edited = checked_site(root)
    assert site_module._rank_related.cache_info().hits == 1  # the topics and the order did not change
    listed = edited.related["content/articles/main.md"]
    assert titles(listed)[:2] == ["Shares three, old", "Shares two, retitled"]
    current = {a.source: a for a in edited.articles}
    assert all(a is current[a.source] for related in edited.related.values() for a in related)
    write_files(root, {"content/articles/one-old.md": article("Shares one, old", "2026-01-03", tags="[A, B, C]")})
    assert titles(checked_site(root).related["content/articles/main.md"])[:2] == [
        "Shares one, old",
        "Shares three, old",
    ]
    assert site_module._rank_related.cache_info().misses == 2  # a topic changed: ranked again


def test_article_without_topics_has_no_related(make_site: MakeSite) -> None:
    root = make_site({"content/articles/other.md": article("Other", "2026-01-01")})
    assert set(checked_site(root).related.values()) == {()}


def test_two_articles_with_the_same_url_name_both_files(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/a.md": article("Quayside Tools opens a depot", "2026-03-01 08:00"),
            "content/articles/sub/b.md": article("Another", "2026-03-01 18:00", slug="quayside-tools-opens-a-depot"),
        },
        with_article=False,
    )
    assert messages(check_site(root).problems) == [
        "content/articles/a.md:2: URL /articles/2026/03/01/quayside-tools-opens-a-depot/ is also used by content/articles/sub/b.md:5",
        "content/articles/sub/b.md:5: URL /articles/2026/03/01/quayside-tools-opens-a-depot/ is also used by content/articles/a.md:2",
    ]


def test_url_date_is_the_site_timezone_day(make_site: MakeSite) -> None:
    root = make_site({"content/articles/quayside.md": article(date="2026-06-30T23:30:00+00:00")})
    site = checked_site(root)
    assert site.url_of["content/articles/quayside.md"] == "/articles/2026/07/01/quayside-tools-opens-a-depot/"


def test_alias_colliding_with_an_article_url_is_reported(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/old.md": article(
                "Old", "2026-01-01", aliases="[/articles/2026/03/01/quayside-tools-opens-a-depot/]"
            )
        }
    )
    assert messages(check_site(root).problems) == [
        "content/articles/old.md:5: alias /articles/2026/03/01/quayside-tools-opens-a-depot/ is also used by content/articles/quayside.md:2",
        "content/articles/quayside.md:2: URL /articles/2026/03/01/quayside-tools-opens-a-depot/ is also used by content/articles/old.md:5",
    ]


def test_same_alias_on_two_articles_is_reported(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/a.md": article("One", "2026-01-01", aliases="[/old/]"),
            "content/articles/b.md": article("Two", "2026-01-02", aliases="\n  - /older/\n  - /old/"),
        },
        with_article=False,
    )
    assert messages(check_site(root).problems) == [
        "content/articles/a.md:5: alias /old/ is also used by content/articles/b.md:7",
        "content/articles/b.md:7: URL /old/ is also used by content/articles/a.md:5",
    ]


def test_alias_may_not_take_a_reserved_or_section_url(make_site: MakeSite) -> None:
    root = make_site({"content/articles/quayside.md": article(aliases="[/authors/, /news/]")})
    assert messages(check_site(root).problems) == [
        "content/articles/quayside.md:5: alias /authors/ is reserved for Byline's own pages; choose another",
        "content/articles/quayside.md:5: alias /news/ is the index of a section in site.toml; choose another",
    ]


@pytest.mark.parametrize(
    "alias",
    [
        "/",
        "/index.html",
        "/404.html",
        "/page/2/",
        "/authors/simon-malia/",
        "/companies/",
        "/companies/bt-group/page/2/",
        "/topics/ports/",
        "/regions/wales/index.html",
        "/archive/2026/",
        "/search/index.html",
        "/members-news/page/2/",
        "/news/feed.html",
        "/static/old.html",
    ],
)
def test_alias_may_not_share_a_file_with_a_generated_page(make_site: MakeSite, alias: str) -> None:
    # it would overwrite that page, or be overwritten by it, depending on the order of writes
    root = make_site({"content/articles/quayside.md": article(aliases=f"['{alias}']")})
    assert messages(check_site(root).problems) == [
        f"content/articles/quayside.md:5: alias {alias} is reserved for Byline's own pages; choose another"
    ]


def test_alias_naming_index_html_collides_with_the_folder_url(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/old.md": article(
                "Old", "2026-01-01", aliases="[/articles/2026/03/01/quayside-tools-opens-a-depot/index.html]"
            ),
            "content/pages/about.md": "---\ntitle: About\n---\nx\n",
            "content/articles/older.md": article("Older", "2026-01-02", aliases="[/about/index.html]"),
        }
    )
    assert messages(check_site(root).problems) == [
        "content/articles/old.md:5: alias /articles/2026/03/01/quayside-tools-opens-a-depot/index.html is also used by content/articles/quayside.md:2",
        "content/articles/older.md:5: alias /about/index.html is also used by content/pages/about.md:1",
        "content/articles/quayside.md:2: URL /articles/2026/03/01/quayside-tools-opens-a-depot/ is also used by content/articles/old.md:5",
        "content/pages/about.md:1: URL /about/ is also used by content/articles/older.md:5",
    ]


def test_alias_under_articles_or_a_page_folder_is_fine(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/articles/quayside.md": article(
                aliases="[/articles/2014/01/27/old-slug/, /about/team/, /old.html, /newsindex.html]"
            ),
            "content/pages/about.md": "---\ntitle: About\n---\nx\n",
        }
    )
    assert messages(check_site(root).problems) == []


def test_page_slug_may_not_be_companies(make_site: MakeSite) -> None:
    root = make_site({"content/pages/companies.md": "---\ntitle: Our members\n---\nMembers.\n"})
    assert messages(check_site(root).problems) == [
        "content/pages/companies.md:1: page URL /companies/ is reserved for Byline's own pages; choose another"
    ]


def test_page_slug_may_not_be_reserved_or_a_section(make_site: MakeSite) -> None:
    root = make_site(
        {
            "content/pages/search.md": "---\ntitle: Search us\n---\nx\n",
            "content/pages/members-news.md": "---\ntitle: Members\n---\nx\n",
            "content/pages/about.md": "---\ntitle: About\n---\nx\n",
        }
    )
    assert messages(check_site(root).problems) == [
        "content/pages/members-news.md:1: page URL /members-news/ is the index of a section in site.toml; choose another",
        "content/pages/search.md:1: page URL /search/ is reserved for Byline's own pages; choose another",
    ]


def test_unknown_section_is_reported(make_site: MakeSite) -> None:
    root = make_site({"content/articles/quayside.md": article(section="sport")})
    assert messages(check_site(root).problems) == [
        "content/articles/quayside.md:5: unknown section 'sport'; sections are: members-news, news"
    ]


def test_sections_come_from_site_toml(make_site: MakeSite) -> None:
    root = make_site(
        {
            "site.toml": '[sections.results]\ntitle = "Results"\n',
            "content/articles/quayside.md": article(section="results"),
        }
    )
    site = checked_site(root)
    assert [(g.slug, g.name, titles(g.articles)) for g in site.sections] == [
        ("results", "Results", ["Quayside Tools opens a depot"])
    ]


def test_unknown_author_suggests_near_miss(make_site: MakeSite) -> None:
    root = make_site({"content/articles/quayside.md": article(author="simon-malla")})
    result = check_site(root)
    assert messages(result.problems) == [
        "content/articles/quayside.md:4: unknown author 'simon-malla': no content/authors/simon-malla.md; did you mean 'simon-malia'?"
    ]


def test_unknown_author_without_near_miss_has_no_suggestion(make_site: MakeSite) -> None:
    root = make_site({"content/articles/quayside.md": article(author="priya-raman")})
    assert messages(check_site(root).problems) == [
        "content/articles/quayside.md:4: unknown author 'priya-raman': no content/authors/priya-raman.md"
    ]


def test_draft_with_unknown_author_is_an_error_only_where_drafts_count(make_site: MakeSite) -> None:
    root = make_site({"content/articles/draft.md": article("Draft", author="nobody", draft="true")})
    problem = "content/articles/draft.md:4: unknown author 'nobody': no content/authors/nobody.md"
    assert messages(check_site(root, drafts=True).problems) == [problem]
    assert messages(check_site(root, strict=True).problems) == [problem]
    assert messages(check_site(root).problems) == [
        problem.replace(":4: ", ":4: warning: draft cannot be published as it is: ")
    ]


def test_authors_without_articles_are_listed_with_none(make_site: MakeSite) -> None:
    root = make_site({"content/authors/ada-okafor.md": "---\nname: Ada Okafor\n---\nAda.\n"})
    site = checked_site(root)
    assert [a.slug for a in site.authors] == ["ada-okafor", "simon-malia"]
    assert site.by_author["ada-okafor"] == ()


def test_two_articles_with_the_same_id_name_both_files(make_site: MakeSite) -> None:
    # a copied file keeps its id: feed readers would merge the two entries into one
    same = "3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c"
    root = make_site(
        {
            "content/articles/a.md": article("One", "2026-01-01", id=same),
            "content/articles/b.md": article("Two", "2026-01-02", region="Wales", id=same.upper()),
        },
        with_article=False,
    )
    assert messages(check_site(root).problems) == [
        f"content/articles/a.md:5: id {same} is also used by content/articles/b.md:6",
        f"content/articles/b.md:6: id {same} is also used by content/articles/a.md:5",
    ]


# --- member companies -------------------------------------------------------------------

NORTHGATE = "---\nname: Northgate Robotics\n---\nRobots.\n"
HANNAH = "---\nname: Hannah Okafor\ncompany: northgate-robotics\n---\nHannah.\n"
COMPANIES = {
    "content/companies/northgate-robotics.md": NORTHGATE,
    "content/companies/coble-marine.md": "---\nname: Coble Marine\n---\nShips.\n",
    "content/authors/hannah-okafor.md": HANNAH,
}


def test_an_article_takes_its_first_authors_company_unless_it_names_its_own(make_site: MakeSite) -> None:
    root = make_site(
        {
            **COMPANIES,
            "content/articles/a.md": article("From Hannah", "2026-03-01", author="hannah-okafor"),
            "content/articles/b.md": article("Co-written", "2026-02-01", author="[simon-malia, hannah-okafor]"),
            "content/articles/c.md": article(
                "For a client", "2026-01-01", author="hannah-okafor", company="coble-marine"
            ),
            "content/articles/d.md": article("Newsroom", "2025-12-01"),
        },
        with_article=False,
    )
    site = checked_site(root)
    assert {source.rsplit("/", 1)[1]: slug for source, slug in site.company_of.items()} == {
        "a.md": "northgate-robotics",
        "b.md": "northgate-robotics",
        "c.md": "coble-marine",
    }
    assert {slug: titles(items) for slug, items in site.by_company.items()} == {
        "northgate-robotics": ["From Hannah", "Co-written"],
        "coble-marine": ["For a client"],
    }
    assert [c.slug for c in site.companies] == ["coble-marine", "northgate-robotics"]  # A to Z


def test_a_co_written_article_is_listed_under_every_author(make_site: MakeSite) -> None:
    root = make_site(
        {**COMPANIES, "content/articles/quayside.md": article(author="[hannah-okafor, simon-malia]")},
    )
    site = checked_site(root)
    assert (
        titles(site.by_author["hannah-okafor"])
        == titles(site.by_author["simon-malia"])
        == ["Quayside Tools opens a depot"]
    )


def test_a_company_without_a_shown_article_has_no_page(make_site: MakeSite) -> None:
    root = make_site(
        {
            **COMPANIES,
            "content/articles/quayside.md": article(company="coble-marine", draft="true"),
        }
    )
    assert checked_site(root).companies == ()
    assert [c.slug for c in checked_site(root, drafts=True).companies] == ["coble-marine"]
    assert set(checked_site(root).company) == {"coble-marine", "northgate-robotics"}  # every profile, for views


def test_companies_are_listed_a_to_z_with_accents_and_case_set_aside(make_site: MakeSite) -> None:
    names = {"zeta": "Zeta Foods", "ecosse": "École Écosse", "alba": "alba Labs", "bay": "Bay & Co"}
    files = {f"content/companies/{slug}.md": f"---\nname: {name}\n---\n" for slug, name in names.items()}
    files |= {f"content/articles/{slug}.md": article(slug.title(), company=slug) for slug in names}
    site = checked_site(make_site(files, with_article=False))
    assert [c.name for c in site.companies] == ["alba Labs", "Bay & Co", "École Écosse", "Zeta Foods"]


def test_unknown_company_on_an_article_suggests_near_miss_at_its_line(make_site: MakeSite) -> None:
    root = make_site({**COMPANIES, "content/articles/quayside.md": article(company="northgate-robotic")})
    assert messages(check_site(root).problems) == [
        "content/articles/quayside.md:5: unknown company 'northgate-robotic': no content/companies/northgate-robotic.md;"
        " did you mean 'northgate-robotics'?"
    ]


def test_unknown_company_on_an_author_profile_says_how_to_create_it(make_site: MakeSite) -> None:
    root = make_site({"content/authors/hannah-okafor.md": HANNAH})
    assert messages(check_site(root).problems) == [
        "content/authors/hannah-okafor.md:3: unknown company 'northgate-robotics': no"
        ' content/companies/northgate-robotics.md; create it with: python build.py companies new northgate-robotics --name "..."'
    ]


def test_each_unknown_co_author_is_reported_at_its_own_line(make_site: MakeSite) -> None:
    text = "---\ntitle: Joint\ndate: 2026-03-01\nauthor:\n  - simon-malia\n  - ruth-caloway\n  - nobody\n---\nBody.\n"
    root = make_site({"content/authors/ruth-calloway.md": "---\nname: Ruth\n---\n", "content/articles/j.md": text})
    assert messages(check_site(root).problems) == [
        "content/articles/j.md:6: unknown author 'ruth-caloway': no content/authors/ruth-caloway.md;"
        " did you mean 'ruth-calloway'?",
        "content/articles/j.md:7: unknown author 'nobody': no content/authors/nobody.md",
    ]


LONG_NAME = "a" * 300
LONG_PATH = "/" + "b" * 200 + "/" + "c/" * 1000


@pytest.mark.parametrize(
    ("aliases", "expected"),
    [
        ("['/_redirects/']", ["alias /_redirects/ is reserved for Byline's own pages; choose another"]),
        (
            "['/.well-known/byline.json/']",
            ["alias /.well-known/byline.json/ is reserved for Byline's own pages; choose another"],
        ),
        (
            "['/.well-known/security.html']",
            ["alias /.well-known/security.html is reserved for Byline's own pages; choose another"],
        ),
        ("['/robots.txt/']", ["alias /robots.txt/ is reserved for Byline's own pages; choose another"]),
        ("['/feed.xml/']", ["alias /feed.xml/ is reserved for Byline's own pages; choose another"]),
        ("['/pagefind/x.html']", ["alias /pagefind/x.html is reserved for Byline's own pages; choose another"]),
        (
            f"['/{LONG_NAME}/']",
            [
                f"alias /{LONG_NAME[:59]}… cannot be published: its file name {LONG_NAME[:20]}… is 300 bytes long; "
                "file systems take names of at most 255 bytes"
            ],
        ),
        (
            f"['{LONG_PATH}']",
            [
                f"alias {LONG_PATH[:60]}… cannot be published: its file path is 2,211 bytes long; "
                "a URL may be at most 2,000"
            ],
        ),
    ],
)
def test_an_alias_byline_could_not_write_is_an_error_at_its_line(
    make_site: MakeSite, aliases: str, expected: list[str]
) -> None:
    # Regression (issue 16, defect 1): each passed `check` and stopped the build half-way through its commit.
    root = make_site({"content/articles/quayside.md": article(aliases=aliases)})
    assert messages(check_site(root).problems) == [f"content/articles/quayside.md:5: {m}" for m in expected]


def test_a_path_cannot_be_a_file_for_one_alias_and_a_folder_for_another(make_site: MakeSite) -> None:
    # Regression (issue 16, defect 1): ["/x.html", "/x.html/"] passed `check` and broke the commit.
    root = make_site({"content/articles/quayside.md": article(aliases='["/x.html", "/x.html/"]')})
    both = "a path cannot be both, choose another"
    assert messages(check_site(root).problems) == [
        "content/articles/quayside.md:5: URL /x.html is the file x.html, but /x.html/ (content/articles/quayside.md:5)"
        f" needs x.html/ as a folder; {both}",
        "content/articles/quayside.md:5: URL /x.html/ needs x.html/ as a folder, but it is the file of /x.html"
        f" (content/articles/quayside.md:5); {both}",
    ]


def test_an_alias_inside_an_articles_page_file_is_an_error_on_both_files(make_site: MakeSite) -> None:
    # Regression (issue 16, defect 1): /articles/…/hello-world/index.html/ would need the page's file as a folder.
    page = "/articles/2026/03/01/quayside-tools-opens-a-depot/"
    root = make_site({"content/articles/old.md": article("Old", "2026-01-01", aliases=f"['{page}index.html/']")})
    assert messages(check_site(root).problems) == [
        f"content/articles/old.md:5: URL {page}index.html/ needs {page[1:]}index.html/ as a folder, but it is the"
        f" file of {page} (content/articles/quayside.md:2); a path cannot be both, choose another",
        f"content/articles/quayside.md:2: URL {page} is the file {page[1:]}index.html, but {page}index.html/"
        f" (content/articles/old.md:5) needs {page[1:]}index.html/ as a folder; a path cannot be both, choose another",
    ]


def test_a_slug_longer_than_a_slugified_title_may_be_is_an_error(make_site: MakeSite) -> None:
    # Regression (issue 16, defect 6): a 300-character slug passed `check` and failed in Pagefind.
    root = make_site({"content/articles/quayside.md": article(slug="a" * 300)})
    assert messages(check_site(root).problems) == [
        "content/articles/quayside.md:5: slug is 300 characters long; make it at most 80"
    ]
