"""Each editorial rule of `check`: its exact message, severity and line (issue 6, point 1)."""

from __future__ import annotations

from pathlib import Path

from byline.errors import ContentError
from byline.output.plan import plan_site
from byline.site.layout import site_paths
from tests.conftest import MakeSite
from tests.helpers import AUTHOR, AUTHOR_PATH, NOW, article, build_site, check_site, write_files

# A second article to link to; its URL is /articles/2026/02/10/harbour-crane-arrives/.
CRANE = article("Harbour crane arrives", "2026-02-10 09:00", body="A new crane arrived.")
CRANE_URL = "/articles/2026/02/10/harbour-crane-arrives/"


def warnings(root: Path, **changes: object) -> list[str]:
    """Every problem of a check, asserting each is a warning, as the CLI prints it."""
    problems = check_site(root, **changes).problems
    assert [p for p in problems if p.severity != "warning"] == []
    return [p.format() for p in problems]


def with_body(body: str, **keys: str) -> dict[str, str]:
    return {"content/articles/quayside.md": article(body=body, **keys), "content/articles/crane.md": CRANE}


# --- links in bodies ---------------------------------------------------------------------


def test_broken_internal_link_names_its_line_and_the_likely_url(make_site: MakeSite) -> None:
    body = "Opening paragraph.\n\nSee [the crane](/articles/2026/02/10/harbour-crane-arive/) for more."
    root = make_site(with_body(body))
    assert warnings(root) == [
        "content/articles/quayside.md:8: warning: link to /articles/2026/02/10/harbour-crane-arive/ goes to no page"
        f" of this site; did you mean {CRANE_URL}?"
    ]


def test_broken_link_without_a_near_url_says_so_plainly(make_site: MakeSite) -> None:
    root = make_site(with_body("First.\n\nSecond with [a link](/no/such/page/)."))
    assert warnings(root) == [
        "content/articles/quayside.md:8: warning: link to /no/such/page/ goes to no page of this site"
    ]


def test_a_link_written_with_an_articles_file_name_suggests_its_url(make_site: MakeSite) -> None:
    files = with_body("First.\n\nSee [the survey](/articles/2026/02/crane/).")
    root = make_site(files)
    assert warnings(root) == [
        "content/articles/quayside.md:8: warning: link to /articles/2026/02/crane/ goes to no page of this site;"
        f" did you mean {CRANE_URL}?"
    ]


def test_a_link_written_with_a_slug_or_the_start_of_a_title_suggests_its_url(make_site: MakeSite) -> None:
    crane = article("Harbour crane arrives at the north quay", "2026-02-10 09:00", slug="crane-day")
    for link in ("/articles/crane-day/", "/harbour-crane-arrives-at-north-quay/", "/articles/harbour-crane-arrives/"):
        files = {
            "content/articles/quayside.md": article(body=f"First.\n\nSee [it]({link})."),
            "content/articles/x.md": crane,
        }
        assert warnings(make_site(files)) == [
            f"content/articles/quayside.md:8: warning: link to {link} goes to no page of this site;"
            " did you mean /articles/2026/02/10/crane-day/?"
        ]


def test_the_sample_sites_own_example_link_gets_its_suggestion(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[2]
    files = {p.relative_to(repo).as_posix(): p.read_bytes() for p in (repo / "content").rglob("*.md")}
    files["content/articles/2026/11/link.md"] = article(
        "Survey link", "2026-11-02 09:00", author="ruth-calloway",
        body="First.\n\nSee [the survey](/articles/2026/06/north-east-business-confidence/).",
    )  # fmt: skip
    problems = check_site(write_files(tmp_path / "sample", files), now=NOW.replace(year=2027, month=3)).problems
    assert [p.format() for p in problems if "link.md" in p.path] == [
        "content/articles/2026/11/link.md:8: warning: link to /articles/2026/06/north-east-business-confidence/"
        " goes to no page of this site; did you mean"
        " /articles/2026/06/09/north-east-business-confidence-edges-up-for-second-quarter-running/?"
    ]


def test_links_to_pages_feeds_static_files_and_fragments_are_fine(make_site: MakeSite) -> None:
    links = [
        CRANE_URL,
        "/articles/2026/02/10/harbour-crane-arrives",  # no trailing slash: the host adds it
        f"{CRANE_URL}index.html",
        f"{CRANE_URL}#quote",
        "/members-news/",
        "/authors/simon-malia/",
        "/topics/",
        "/archive/2026/02/",
        "/feed.xml",
        "/about/",
        "/static/reports/annual.pdf",
        "https://example.org/anything/",
        "mailto:desk@example.com",
        "#notes",
        "../../../02/10/harbour-crane-arrives/",  # relative to the article's own URL
        "http://localhost:8000/articles/2026/02/10/harbour-crane-arrives/",  # the site's own origin
    ]
    body = "\n\n".join(f"[link {i}]({url})" for i, url in enumerate(links))
    root = make_site(
        {
            **with_body(body),
            "content/pages/about.md": "---\ntitle: About\n---\nAbout us.\n",
            "static/reports/annual.pdf": b"%PDF-1.4",
        }
    )
    assert warnings(root) == []


def test_absolute_link_to_the_sites_own_origin_is_checked(make_site: MakeSite) -> None:
    root = make_site(with_body("First.\n\n[gone](http://localhost:8000/articles/2026/01/01/gone/)"))
    assert warnings(root) == [
        "content/articles/quayside.md:8: warning: link to http://localhost:8000/articles/2026/01/01/gone/"
        " goes to no page of this site"
    ]


def test_relative_link_is_resolved_against_the_article_url(make_site: MakeSite) -> None:
    root = make_site(with_body("[up](../missing/)"))
    assert warnings(root) == [
        "content/articles/quayside.md:6: warning: link to ../missing/ goes to no page of this site"
    ]


def test_one_relative_link_in_two_articles_is_resolved_against_each_articles_own_url(make_site: MakeSite) -> None:
    """Addresses are resolved once per site only when they mean the same on every page (checks.Targets.resolve)."""
    link = "First.\n\nSee [the crane](../../10/harbour-crane-arrives/)."
    february = article("Quay opens", "2026-02-12 09:00", body=link)  # ../../10/ from 2026/02/12/quay-opens/
    root = make_site({**with_body(link), "content/articles/february.md": february})
    assert warnings(root) == [
        "content/articles/quayside.md:8: warning: link to ../../10/harbour-crane-arrives/ goes to no page"
        " of this site; did you mean /articles/2026/02/10/harbour-crane-arrives/?"
    ]


def test_one_mistyped_link_in_two_articles_is_reported_in_both_with_its_suggestion(make_site: MakeSite) -> None:
    link = "First.\n\nSee [the crane](/articles/2026/02/10/harbour-crane-arive/)."
    root = make_site({**with_body(link), "content/articles/another.md": article("Another", body=link)})
    assert warnings(root) == [
        f"content/articles/{name}.md:8: warning: link to /articles/2026/02/10/harbour-crane-arive/ goes to no page"
        f" of this site; did you mean {CRANE_URL}?"
        for name in ("another", "quayside")
    ]


def test_link_to_a_draft_says_it_is_a_draft(make_site: MakeSite) -> None:
    draft = article("Unannounced plans", "2026-02-20 09:00", draft="true")
    root = make_site(
        {**with_body("[soon](/articles/2026/02/20/unannounced-plans/)"), "content/articles/draft.md": draft}
    )
    assert warnings(root) == [
        "content/articles/quayside.md:6: warning: link to /articles/2026/02/20/unannounced-plans/ goes to a draft"
        " (content/articles/draft.md); it will not work until that is published"
    ]


def test_link_to_a_scheduled_article_says_when_it_will_work(make_site: MakeSite) -> None:
    scheduled = article("Results day", "2026-04-01 07:00")
    root = make_site({**with_body("[results](/articles/2026/04/01/results-day/)"), "content/articles/s.md": scheduled})
    assert warnings(root) == [
        "content/articles/quayside.md:6: warning: link to /articles/2026/04/01/results-day/ goes to an article"
        " scheduled for 2026-04-01 07:00 BST; it will not work until then"
    ]
    assert warnings(root, future=True) == []


def test_broken_link_in_a_page_is_reported_too(make_site: MakeSite) -> None:
    root = make_site({"content/pages/about.md": "---\ntitle: About\n---\nWho we are.\n\n[Desk](/desk/)\n"})
    assert warnings(root) == ["content/pages/about.md:6: warning: link to /desk/ goes to no page of this site"]


def test_reference_style_link_is_found_on_its_definition_line(make_site: MakeSite) -> None:
    root = make_site(with_body("See [the story][s].\n\n[s]: /nowhere/"))
    assert warnings(root) == ["content/articles/quayside.md:8: warning: link to /nowhere/ goes to no page of this site"]


def test_link_with_an_ampersand_is_located_and_reported_once(make_site: MakeSite) -> None:
    root = make_site(with_body("[a](/search/x?a=1&b=2)\n\n[again](/search/x?a=1&b=2)"))
    assert warnings(root) == [
        "content/articles/quayside.md:6: warning: link to /search/x?a=1&b=2 goes to no page of this site"
    ]


# --- front matter ---------------------------------------------------------------------------


def test_headline_over_110_characters(make_site: MakeSite) -> None:
    title = "Quayside Tools " + "x" * 96  # 111 characters
    root = make_site({"content/articles/quayside.md": article(title)})
    assert warnings(root) == [
        "content/articles/quayside.md:2: warning: headline is 111 characters; keep it to 110 or fewer"
        " so search results and feeds show it whole"
    ]
    root = make_site({"content/articles/quayside.md": article(title[:110])})
    assert warnings(root) == []


def test_summary_over_200_characters(make_site: MakeSite) -> None:
    summary = "A summary " * 20 + "z"  # 201 characters
    root = make_site({"content/articles/quayside.md": article(summary=summary)})
    assert warnings(root) == [
        "content/articles/quayside.md:5: warning: summary is 201 characters; keep it to 200 or fewer"
        " so lists and search results show it whole"
    ]


def test_a_long_first_paragraph_standing_in_for_the_summary_is_not_flagged(make_site: MakeSite) -> None:
    root = make_site({"content/articles/quayside.md": article(body="word " * 100)})
    assert warnings(root) == []


def test_updated_before_date(make_site: MakeSite) -> None:
    root = make_site({"content/articles/quayside.md": article(date="2026-03-01 09:00", updated="2026-02-28")})
    assert warnings(root) == [
        "content/articles/quayside.md:5: warning: 'updated' (2026-02-28 00:00 GMT) is before 'date'"
        " (2026-03-01 09:00 GMT); an article cannot be updated before it is published"
    ]


def test_correction_dated_before_the_article(make_site: MakeSite) -> None:
    corrections = "\n  - date: 2026-02-01\n    note: Wrong figure."
    root = make_site({"content/articles/quayside.md": article(date="2026-03-01 09:00", corrections=corrections)})
    assert warnings(root) == [
        "content/articles/quayside.md:5: warning: correction dated 2026-02-01 00:00 GMT is before 'date'"
        " (2026-03-01 09:00 GMT)"
    ]


def test_an_update_or_correction_dated_later_than_now_is_a_warning(make_site: MakeSite) -> None:
    corrections = (
        "\n  - date: 2026-03-01 10:00\n    note: Wrong size.\n  - date: 2026-03-04 10:00\n    note: Wrong town."
    )
    text = article(date="2026-03-01 09:00", updated="2026-03-05 08:00", corrections=corrections)
    root = make_site({"content/articles/quayside.md": text})
    later = "is later than now (2026-03-02 12:00 GMT); feeds, the sitemap and structured data would say the article changed then"
    assert warnings(root) == [
        f"content/articles/quayside.md:5: warning: 'updated' (2026-03-05 08:00 GMT) {later}",
        f"content/articles/quayside.md:6: warning: correction dated 2026-03-04 10:00 GMT {later}",
    ]


def test_a_scheduled_articles_later_update_waits_for_its_own_build(make_site: MakeSite) -> None:
    text = article(date="2026-03-10 09:00", updated="2026-03-12 08:00")
    assert warnings(make_site({"content/articles/quayside.md": text})) == []


def test_author_name_starting_with_by(make_site: MakeSite) -> None:
    profile = "---\nrole: Reporter\nname: By Simon Malia\n---\nBio.\n"
    root = make_site({"content/authors/simon-malia.md": profile})
    assert warnings(root) == [
        "content/authors/simon-malia.md:3: warning: name 'By Simon Malia' starts with 'By'; pages already"
        " print 'By' before it, so remove it"
    ]


def test_a_name_merely_beginning_with_the_letters_by_is_fine(make_site: MakeSite) -> None:
    root = make_site({"content/authors/simon-malia.md": AUTHOR.replace("Simon Malia", "Byron Malia")})
    assert warnings(root) == []


# --- member sections ---------------------------------------------------------------------------

MEMBER_SECTION = '[sections.members-news]\nmember = true\n[sections.news]\ntitle = "News"\n'
QUAYSIDE = "---\nname: Quayside Tools\n---\nTools.\n"


def test_a_member_section_article_without_a_company_is_warned_about_even_as_a_draft(make_site: MakeSite) -> None:
    root = make_site(
        {
            "site.toml": MEMBER_SECTION,
            "content/articles/quayside.md": article(section="members-news"),
            "content/articles/draft.md": article("Draft", draft="true"),  # the default section, by its author line
            "content/articles/news.md": article("Newsroom", section="news"),
        }
    )
    hint = "is a member section, but this article has no company: add 'company: SLUG' (a file of content/companies/), or give its author one"
    assert warnings(root) == [
        f"content/articles/draft.md:4: warning: 'members-news' {hint}",
        f"content/articles/quayside.md:5: warning: 'members-news' {hint}",
    ]


def test_a_member_section_article_with_its_own_or_its_authors_company_is_fine(make_site: MakeSite) -> None:
    author = AUTHOR.replace("role: Reporter", "role: Reporter\ncompany: quayside-tools")
    root = make_site(
        {
            "site.toml": MEMBER_SECTION,
            "content/companies/quayside-tools.md": QUAYSIDE,
            "content/authors/ruth-calloway.md": "---\nname: Ruth\n---\nRuth.\n",
            "content/articles/quayside.md": article(author="[ruth-calloway, simon-malia]"),
            "content/articles/own.md": article("Own", author="ruth-calloway", company="quayside-tools"),
            AUTHOR_PATH: author,
        }
    )
    assert warnings(root) == []


def test_links_to_company_pages_and_feeds_are_fine(make_site: MakeSite) -> None:
    body = "See [the company](/companies/quayside-tools/), [its feed](/companies/quayside-tools/feed.xml) and [all](/companies/)."
    root = make_site({"content/companies/quayside-tools.md": QUAYSIDE, **with_body(body, company="quayside-tools")})
    assert warnings(root) == []
    idle = make_site({"content/companies/idle.md": QUAYSIDE, **with_body("See [idle](/companies/idle/).")})
    assert warnings(idle) == [
        "content/articles/quayside.md:6: warning: link to /companies/idle/ goes to no page of this site"
    ]


# --- topics ----------------------------------------------------------------------------------


def tagged(tags: list[str]) -> dict[str, str]:
    return {
        f"content/articles/a{i}.md": article(f"Story {i}", f"2026-02-{i + 1:02d} 09:00", tags=f"[{t}]")
        for i, t in enumerate(tags)
    }


def test_topic_used_once_that_looks_like_another_is_a_likely_typo(make_site: MakeSite) -> None:
    root = make_site(tagged(["Manufacturing", "Manufacturing", "Manufacturing", "Manufactring"]), with_article=False)
    assert warnings(root) == [
        "content/articles/a3.md:5: warning: topic 'Manufactring' is used by this article only;"
        " did you mean 'Manufacturing' (used by 3 articles)?"
    ]


def test_topic_typo_is_found_in_the_list_position_it_sits(make_site: MakeSite) -> None:
    files = tagged(["Exports", "Exports"])
    files["content/articles/x.md"] = article("Other", "2026-02-20", tags="\n  - Ports\n  - Exprts")
    root = make_site(files, with_article=False)
    assert warnings(root) == [
        "content/articles/x.md:7: warning: topic 'Exprts' is used by this article only;"
        " did you mean 'Exports' (used by 2 articles)?"
    ]


def test_one_off_topics_unlike_any_other_are_fine(make_site: MakeSite) -> None:
    root = make_site(tagged(["Energy", "Energy", "Brickfold Ltd", "Retail"]), with_article=False)
    assert warnings(root) == []


def test_spellings_the_site_merges_into_one_topic_are_not_typos(make_site: MakeSite) -> None:
    root = make_site(tagged(["E-commerce", "E-commerce", "Ecommerce"]), with_article=False)
    assert warnings(root) == []


# --- the URL table the warnings rely on ------------------------------------------------------


def test_site_paths_are_exactly_the_urls_the_build_plans(make_site: MakeSite) -> None:
    files = {
        f"content/articles/a{i}.md": article(
            f"Story {i}", f"2026-0{1 + i % 2}-{i + 1:02d} 09:00", tags="[Ports, Energy]", region="North East"
        )
        for i in range(25)
    }
    files["content/articles/a0.md"] = article("Story 0", "2026-01-01", aliases="[/old/story-0/]")
    files["content/pages/about.md"] = "---\ntitle: About\n---\nUs.\n"
    root = make_site(files, with_article=False)
    site = check_site(root).site
    assert site is not None
    planned = {o.url for o in plan_site(site, NOW)}
    assert site_paths(site) == planned
    assert "/members-news/page/2/" in planned and "/topics/ports/page/2/" in planned


def test_warnings_never_stop_a_build(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/articles/quayside.md": article("x" * 120, body="[a](/nowhere/)")})
    result = build_site(root, tmp_path / "out")
    assert [w.format().split(": warning: ")[1][:8] for w in result.warnings] == ["headline", "link to "]
    assert (tmp_path / "out" / "index.html").is_file()


def test_a_sample_of_the_repository_content_is_clean(tmp_path: Path) -> None:
    """The sample site itself raises no editorial warning (the real content is the best fixture)."""
    repo = Path(__file__).resolve().parents[2]
    root = write_files(
        tmp_path / "sample",
        {p.relative_to(repo).as_posix(): p.read_bytes() for p in (repo / "content").rglob("*.md")},
    )
    for folder in ("static",):
        if (repo / folder).is_dir():
            write_files(
                root,
                {p.relative_to(repo).as_posix(): p.read_bytes() for p in (repo / folder).rglob("*") if p.is_file()},
            )
    problems: list[ContentError] = check_site(root).problems
    assert [p.format() for p in problems] == []
