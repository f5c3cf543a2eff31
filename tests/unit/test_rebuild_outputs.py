"""Which outputs a one-article edit renders (``BuildResult.made``) and which it writes (``written``, ``removed``).

The fixture is small enough to work out by hand where the edited article shows; each
expected page below says why it is there. Two pages per index, so the article is on
page 1 of every index it is in and page 2 never shows it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from byline.pipeline import BuildResult
from tests.conftest import MakeSite
from tests.helpers import article, build_site, snapshot, write_files

DEPOT_SOURCE = "content/articles/depot.md"
DEPOT = "/articles/2026/03/01/quayside-depot/"
TITLE = "Quayside opens a depot"
SENTENCE = "The depot employs twelve people."


def depot(title: str = TITLE, sentence: str = SENTENCE) -> str:
    """The article every test edits: the newest, in two topics and a region, with a summary of its own and an old URL.

    Its slug and summary are given, so a new title keeps its URL and a new body keeps its cards' summary.
    """
    return article(
        title,
        "2026-03-01 09:00",  # within the news sitemap's two days of the tests' clock (2026-03-02 12:00)
        body=f"Quayside Tools has opened a depot on the north quay.\n\n{sentence}",
        slug="quayside-depot",
        summary="A new depot for the quayside.",
        tags="[Ports, Tools]",
        region="North East",
        aliases="[/old/depot/]",
    )


@pytest.fixture
def site(make_site: MakeSite, tmp_path: Path) -> tuple[Path, Path]:
    """Five articles, newest first: depot (Simon, Quayside Tools), crane (Ruth, Amble Boats), desk (Ruth, News),
    tools (Simon) and history (Simon); built once. Simon posts for Quayside Tools, so his articles are its articles."""
    root = make_site(
        {
            "site.toml": "per_page = 2\n",
            "content/authors/simon-malia.md": "---\nname: Simon Malia\ncompany: quayside-tools\n---\nSimon.\n",
            "content/authors/ruth-calloway.md": "---\nname: Ruth Calloway\n---\nRuth.\n",
            "content/companies/quayside-tools.md": "---\nname: Quayside Tools\n---\nTools for ports.\n",
            "content/companies/amble-boats.md": "---\nname: Amble Boats\n---\nBoats.\n",
            "content/articles/quayside.md": None,
            DEPOT_SOURCE: depot(),
            "content/articles/crane.md": article(
                "Harbour crane arrives", "2026-02-28 09:00", author="ruth-calloway", company="amble-boats", tags="[Ports]"
            ),
            "content/articles/desk.md": article(
                "Desk view", "2026-02-26 09:00", author="ruth-calloway", section="news", tags="[Boats]"
            ),
            "content/articles/tools.md": article("Tool hire grows", "2026-02-20 09:00", tags="[Tools]"),
            "content/articles/history.md": article(
                "Quay history", "2026-01-15 09:00", tags="[Ports]", region="North East"
            ),
        }
    )
    output = tmp_path / "public"
    build_site(root, output)
    return root, output


def rebuild_after(site: tuple[Path, Path], text: str) -> tuple[BuildResult, dict[str, bytes]]:
    """Save the depot article as ``text`` and rebuild; the result, and the output as it was before."""
    root, output = site
    before = snapshot(output)
    write_files(root, {DEPOT_SOURCE: text})
    return build_site(root, output), before


def site_paths(paths: list[str]) -> set[str]:
    return {"/" + path.removesuffix("index.html") for path in paths}


def files_holding(files: dict[str, bytes], text: str) -> set[str]:
    """The outputs (pages, feeds, sitemaps) whose bytes hold ``text``: an oracle apart from the dependency graph."""
    pages = {path for path, data in files.items() if path.endswith((".html", ".xml")) and not path.startswith("_byline")}
    return site_paths(sorted(path for path in pages if text.encode() in files[path]))


# Every Atom feed carries the depot's entry (title and body): the site's, its section's, its
# author's, its company's and each of its topics'. Regions have no feed.
FEEDS = {
    "/feed.xml",
    "/members-news/feed.xml",
    "/authors/simon-malia/feed.xml",
    "/companies/quayside-tools/feed.xml",
    "/topics/ports/feed.xml",
    "/topics/tools/feed.xml",
}

# Page 1 of every index the depot is in shows its card (it is the newest of each).
LISTINGS = {
    "/",
    "/members-news/",
    "/authors/simon-malia/",
    "/companies/quayside-tools/",
    "/topics/ports/",
    "/topics/tools/",
    "/regions/north-east/",
    "/archive/2026/03/",  # its month's archive lists it
}

# The other pages that show its card: the articles sharing a topic with it list it as related
# (crane and history share Ports, tools shares Tools; desk shares none), its old URL's
# redirect page shows where it went, and the 404 page lists the latest articles.
CARDS_ELSEWHERE = {
    "/articles/2026/02/28/harbour-crane-arrives/",
    "/articles/2026/01/15/quay-history/",
    "/articles/2026/02/20/tool-hire-grows/",
    "/old/depot/",
    "/404.html",
}

# The feeds of an article listing the depot as related, besides those above: the crane's (Ruth's, Amble Boats').
# A feed entry is made from the article's whole view, related cards included, though the feed prints none:
# a change to the depot's card renders them again, and they come out as they were, so they are not written.
RELATED_FEEDS = {"/authors/ruth-calloway/feed.xml", "/companies/amble-boats/feed.xml"}


def test_a_body_edit_renders_and_writes_the_article_page_and_the_feeds_carrying_the_body(
    site: tuple[Path, Path],
) -> None:
    """Cards show the summary, not the body, and the word count (so the reading time) stays: no listing changes."""
    result, before = rebuild_after(site, depot(sentence="The depot employs fifteen people."))
    expected = {DEPOT} | FEEDS
    assert site_paths(result.made) == expected
    assert site_paths(result.written) == expected
    assert result.removed == []
    assert files_holding(before, SENTENCE) == expected  # exactly the pages that showed the old sentence


def test_a_title_edit_renders_and_writes_every_page_showing_the_title(site: tuple[Path, Path]) -> None:
    """Written: the article page, every feed and listing with its card, the related articles' pages, its redirect
    page, the 404 page and the news sitemap (which lists its title); not page 2 of any index, nor the news section,
    Ruth's pages, the Boats topic or another month's archive. Rendered too: the related feeds, kept as they were."""
    result, before = rebuild_after(site, depot(title="Quayside opens a second depot"))
    expected = {DEPOT, "/news-sitemap.xml"} | FEEDS | LISTINGS | CARDS_ELSEWHERE
    assert site_paths(result.made) == expected | RELATED_FEEDS
    assert site_paths(result.written) == expected
    assert result.removed == []
    assert files_holding(before, TITLE) == expected  # exactly the pages that showed the old title


def test_a_longer_body_renders_every_page_with_its_card_but_writes_only_those_showing_the_reading_time(
    site: tuple[Path, Path],
) -> None:
    """The card's reading time goes from 1 to 2 minutes: each page holding the card is rendered again, but only the
    front page's lead card prints a reading time, so the other listings come out as they were and are kept."""
    longer = SENTENCE + " It" + " stocks tools" * 250 + "."  # about 520 words: 2 minutes at 230 a minute
    result, _ = rebuild_after(site, depot(sentence=longer))
    assert site_paths(result.made) == {DEPOT} | FEEDS | LISTINGS | CARDS_ELSEWHERE | RELATED_FEEDS
    assert site_paths(result.written) == {DEPOT, "/"} | FEEDS


def test_a_new_slug_writes_the_new_page_and_removes_the_old_one(site: tuple[Path, Path]) -> None:
    root, output = site
    result, _ = rebuild_after(site, depot().replace("slug: quayside-depot", "slug: north-quay-depot"))
    assert "articles/2026/03/01/north-quay-depot/index.html" in result.written
    assert result.removed == ["articles/2026/03/01/quayside-depot/index.html"]
    assert not (output / "articles/2026/03/01/quayside-depot").exists()


def test_a_rebuild_with_nothing_changed_renders_and_writes_nothing(site: tuple[Path, Path]) -> None:
    root, output = site
    result = build_site(root, output)
    assert (result.made, result.written, result.removed) == ([], [], [])
