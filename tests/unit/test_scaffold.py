"""byline.cli.scaffold: the `new` command writes a draft article that loads cleanly."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from byline.cli.scaffold import new_article
from byline.content.models import Article
from byline.errors import UsageError
from tests.conftest import MakeSite
from tests.helpers import check_site, load_text, messages, options

SUMMER_UTC = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 1 July 00:30 in London


def test_new_writes_a_draft_with_front_matter_filled_in(make_site: MakeSite) -> None:
    root = make_site()
    path = new_article(options(root), "Quayside Tools wins £2m port contract", "simon-malia", now=SUMMER_UTC)
    assert path == root / "content/articles/2026/07/quayside-tools-wins-2m-port-contract.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[:6] == [
        "---",
        'title: "Quayside Tools wins £2m port contract"',
        "date: 2026-07-01 00:30",
        "author: simon-malia",
        "section: members-news",
        'summary: "[[The news in one or two sentences, at most 200 characters; or delete this line]]"',
    ]
    id_line = next(line for line in lines if line.startswith("id: "))
    assert uuid.UUID(id_line.removeprefix("id: ")).version == 4
    assert "draft: true" in lines


def test_new_article_loads_cleanly_as_a_draft(make_site: MakeSite) -> None:
    root = make_site()
    path = new_article(options(root), 'He said "yes": a \\ backslash', "simon-malia", now=SUMMER_UTC)
    model, problems = load_text(path.read_bytes(), path=path.relative_to(root).as_posix())
    assert problems == []
    assert isinstance(model, Article)
    assert model.title == 'He said "yes": a \\ backslash'
    assert model.draft is True
    assert model.summary == "[[The news in one or two sentences, at most 200 characters; or delete this line]]"
    result = check_site(root)
    assert messages(result.problems) == []
    assert result.site is not None and result.site.status_of[model.source] == "draft"


def test_new_article_ids_are_fresh(make_site: MakeSite) -> None:
    root = make_site()
    first = new_article(options(root), "One", "simon-malia", now=SUMMER_UTC).read_text()
    second = new_article(options(root), "Two", "simon-malia", now=SUMMER_UTC).read_text()
    ids = [next(line for line in text.splitlines() if line.startswith("id: ")) for text in (first, second)]
    assert ids[0] != ids[1]


def test_new_uses_the_site_timezone_and_default_section(make_site: MakeSite) -> None:
    root = make_site({"site.toml": 'timezone = "Asia/Tokyo"\ndefault_section = "news"\n'})
    path = new_article(options(root), "Tokyo office", "simon-malia", now=SUMMER_UTC)
    text = path.read_text()
    assert "date: 2026-07-01 08:30\n" in text
    assert "section: news\n" in text


def test_new_refuses_an_unknown_author_with_a_suggestion(make_site: MakeSite) -> None:
    root = make_site()
    with pytest.raises(
        UsageError,
        match="unknown author 'simon-malla': no content/authors/simon-malla.md; did you mean 'simon-malia'\\?",
    ):
        new_article(options(root), "Title", "simon-malla", now=SUMMER_UTC)
    assert not (root / "content/articles/2026").exists()


def test_new_refuses_an_existing_file_and_keeps_it(make_site: MakeSite) -> None:
    root = make_site()
    path = new_article(options(root), "Quayside news", "simon-malia", now=SUMMER_UTC)
    path.write_text("edited by hand")
    with pytest.raises(UsageError, match="already exists"):
        new_article(options(root), "Quayside news", "simon-malia", now=SUMMER_UTC)
    assert path.read_text() == "edited by hand"


@pytest.mark.parametrize("title", ["", "   ", "!!!"])
def test_new_refuses_a_title_without_letters(make_site: MakeSite, title: str) -> None:
    with pytest.raises(UsageError):
        new_article(options(make_site()), title, "simon-malia", now=SUMMER_UTC)


def test_new_refuses_an_author_that_is_not_a_slug(make_site: MakeSite) -> None:
    with pytest.raises(UsageError, match="unknown author"):
        new_article(options(make_site()), "Title", "../simon-malia", now=SUMMER_UTC)
