"""Bylines as readers see them: every author, linked, then the company the release comes from."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import AUTHOR, AUTHOR_PATH, article, build_site, write_files
from tests.publishing.dom import Element, parse

# (title, authors, the article's own company, the byline shown)
CASES = [
    ("Newsroom story", "simon-malia", "", "By Simon Malia, Reporter"),  # no company: the role, as before
    ("From its own people", "ada-okafor", "", "By Ada Okafor, Quayside Tools"),  # the author's company
    ("For a member", "simon-malia", "quayside-tools", "By Simon Malia, Quayside Tools"),  # the article's own
    ("Two reporters", "[simon-malia, ruth-calloway]", "", "By Simon Malia and Ruth Calloway"),
    (
        "Three together",
        "[simon-malia, ruth-calloway, ada-okafor]",
        "",
        "By Simon Malia, Ruth Calloway and Ada Okafor, Quayside Tools",
    ),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {
        AUTHOR_PATH: AUTHOR,
        "content/authors/ruth-calloway.md": "---\nname: Ruth Calloway\nrole: Business Editor\n---\nRuth.\n",
        "content/authors/ada-okafor.md": "---\nname: Ada Okafor\ncompany: quayside-tools\n---\nAda.\n",
        "content/companies/quayside-tools.md": "---\nname: Quayside Tools\n---\nTools.\n",
    }
    for day, (title, authors, company, _) in enumerate(CASES, start=1):
        keys = {"company": company} if company else {}
        files[f"content/articles/{day}.md"] = article(title, f"2026-02-0{day} 09:00", author=authors, **keys)
    root = write_files(tmp_path_factory.mktemp("bylines") / "site", files)
    return build_site(root, root.parent / "public").output


def card_titled(out: Path, title: str) -> Element:
    cards = parse(out / "index.html").find_all("article", "card")
    return next(c for c in cards if c.one(cls="card-title").text == title)


@pytest.mark.parametrize(("day", "case"), list(enumerate(CASES, start=1)))
def test_the_byline_names_every_author_then_the_company(built: Path, day: int, case: tuple[str, ...]) -> None:
    title, authors, _, byline = case
    page = parse(built / f"articles/2026/02/0{day}/{title.lower().replace(' ', '-')}/index.html")
    shown = page.one("p", "byline")
    assert " ".join(shown.text.split()) == byline
    people = [f"/authors/{slug.strip()}/" for slug in authors.strip("[]").split(",")]
    assert [a.attrs["href"] for a in shown.find_all("a", rel="author")] == people
    assert len(page.find_all("aside", "author-box")) == len(people)
    from_company = byline.endswith("Quayside Tools")
    if from_company:
        assert shown.find_all("a")[-1].attrs["href"] == "/companies/quayside-tools/"
        assert page.one("section", "company-box").one("h2").text.endswith("Quayside Tools")
    else:
        assert page.find("section", "company-box") is None
    card = card_titled(built, title)
    assert [a.text for a in card.one("p", "card-meta").find_all("a")] == [
        a.text for a in shown.find_all("a", rel="author")
    ]
    kicker = card.one("p", "card-kicker").find("a", "card-company")
    assert (kicker.text if kicker else None) == ("Quayside Tools" if from_company else None)
