"""Scaffold text left in anything published is an error naming its line (issue 17, item 2)."""

from __future__ import annotations

from pathlib import Path

from byline.cli.scaffold import new_article, new_author
from byline.content import placeholders
from tests.conftest import MakeSite
from tests.helpers import NOW, article, check_site, options

DRAFT = "content/articles/2026/03/quayside-tools-wins-a-contract.md"


def errors(root: Path, **changes: object) -> list[str]:
    return [p.format() for p in check_site(root, **changes).problems if p.severity == "error"]


def scaffolded(make_site: MakeSite) -> tuple[Path, Path]:
    root = make_site()
    path = new_article(options(root), "Quayside Tools wins a contract", "simon-malia", now=NOW)
    return root, path


def test_a_fresh_draft_is_not_an_error(make_site: MakeSite) -> None:
    root, _ = scaffolded(make_site)
    assert errors(root) == []
    assert errors(root, drafts=True) == []  # the preview shows it, placeholders and all


def test_the_scaffold_published_as_it_is_is_an_error_at_each_placeholder(make_site: MakeSite) -> None:
    root, path = scaffolded(make_site)
    path.write_text(path.read_text().replace("draft: true\n", ""))
    assert errors(root) == [
        f"{DRAFT}:6: 'summary' still holds the scaffold's placeholder \"{placeholders.SUMMARY}\": replace it with"
        " the summary, or delete the line to use the first paragraph",
        f'{DRAFT}:10: the body still holds the scaffold\'s placeholder "{placeholders.ARTICLE_BODY[:89]}…":'
        " replace it with the article (an empty 'summary:' shows its first paragraph)",
    ]


def test_an_empty_summary_falling_back_to_the_scaffold_body_is_an_error(make_site: MakeSite) -> None:
    root, path = scaffolded(make_site)
    text = path.read_text().replace("draft: true\n", "")
    path.write_text(text.replace(f'summary: "{placeholders.SUMMARY}"', 'summary: ""'))
    assert [e.split(": ", 1)[1][:40] for e in errors(root)] == ["the body still holds the scaffold's plac"]


def test_the_old_scaffold_sentences_are_found_too(make_site: MakeSite) -> None:
    body = "Write the article here. Delete 'draft: true' above when it is ready to publish."
    root = make_site({"content/articles/quayside.md": article(body=body)})
    assert errors(root) == [
        f'content/articles/quayside.md:6: the body still holds the scaffold\'s placeholder "{body}": replace it'
        " with the article (an empty 'summary:' shows its first paragraph)"
    ]


def test_a_placeholder_in_any_front_matter_value_is_found(make_site: MakeSite) -> None:
    root = make_site({"content/articles/quayside.md": article(image_credit='"[[Who took it]]"')})
    assert errors(root) == [
        "content/articles/quayside.md:5: 'image_credit' still holds the scaffold's placeholder \"[[Who took it]]\":"
        " replace it"
    ]


def test_a_new_authors_bio_is_an_error_until_written(make_site: MakeSite) -> None:
    root = make_site()
    path = new_author(options(root), "megan-pryce", "Megan Pryce")
    assert errors(root) == [
        f'content/authors/megan-pryce.md:4: the body still holds the scaffold\'s placeholder "{placeholders.AUTHOR_BIO}":'
        " replace it with their biography: it shows on their page and beside their articles"
    ]
    path.write_text(path.read_text().replace(placeholders.AUTHOR_BIO, "Megan covers retail."))
    assert errors(root) == []


def test_escaped_brackets_are_the_members_own(make_site: MakeSite) -> None:
    root = make_site({"content/articles/quayside.md": article(body="Wiki links look like \\[\\[this]].")})
    assert errors(root) == []
