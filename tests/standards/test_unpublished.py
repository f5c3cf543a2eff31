"""Drafts and scheduled articles leave no trace in any file of a normal build."""

from __future__ import annotations

import html

import frontmatter
import pytest

from .conftest import NOW, ROOT

# Phrases that occur only in the sample's draft and in its scheduled (future-dated) article.
UNPUBLISHED = {"draft": "quantum marmalade", "scheduled": "heliotrope ledger"}


def source_with(phrase):
    matches = [p for p in sorted((ROOT / "content/articles").rglob("*.md")) if phrase in p.read_text("utf-8")]
    assert len(matches) == 1, f"expected exactly one sample article containing {phrase!r}, found {matches}"
    return matches[0]


def forbidden_strings(phrase):
    """The phrase, plus the article's title and slug as they would appear in HTML or XML."""
    post = frontmatter.load(source_with(phrase))
    title = str(post["title"])
    strings = {phrase, title, html.escape(title), html.escape(title, quote=False)}
    if post.get("slug"):
        strings.add(str(post["slug"]))
    return {s.lower().encode() for s in strings}


@pytest.mark.parametrize("kind", sorted(UNPUBLISHED))
def test_unpublished_article_appears_in_no_output_file(sample_build, kind):
    forbidden = forbidden_strings(UNPUBLISHED[kind])
    found = []
    for path in sample_build.files():
        data = path.read_bytes().lower()
        found += [f"{path.relative_to(sample_build.out)}: {s.decode()!r}" for s in forbidden if s in data]
    assert not found, f"the {kind} article leaked into the build:\n" + "\n".join(found)


def test_the_checked_phrases_really_are_in_the_sources():
    """Guard against a vacuous pass: the sample must hold a draft and a scheduled article."""
    draft = frontmatter.load(source_with(UNPUBLISHED["draft"]))
    assert draft.get("draft") is True
    scheduled = frontmatter.load(source_with(UNPUBLISHED["scheduled"]))
    assert str(scheduled["date"])[:10] > NOW[:10], "the scheduled sample article should be dated after --now"
