"""The typographer gives Python-Markdown's smarty output, and reads quotes across inline elements as a reader does."""

from __future__ import annotations

import re

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from byline.content import typography
from byline.content.markup import render_markdown, sanitise
from byline.content.typography import educate

SMARTY = markdown.Markdown(extensions=["extra", "smarty", "toc", "sane_lists"], output_format="html")
OURS = markdown.Markdown(extensions=["extra", "byline.content.typography:Typography", "toc", "sane_lists"], output_format="html")
QUOTES = re.compile("[\"'\u2018\u2019\u201c\u201d]")


def smarty(text: str) -> str:
    return sanitise(SMARTY.reset().convert(text))


def ours(text: str) -> str:
    return sanitise(OURS.reset().convert(text))


# Prose, quotes, dashes, dots, escapes, entities and block markup; no inline element to touch a quote.
PROSE = st.text(alphabet=st.sampled_from(list("ab8s 1.-'\"\\&#;:|()[\n\u00a0\u2013")), max_size=120)
# The same with emphasis, code, links, pictures and inline HTML (but none of the tags SKIPPED names).
MARKDOWN = st.text(alphabet=st.sampled_from(list("ab8s 1.-'\"\\&#;:|()[]*_`<>!/\n")), max_size=120)


@settings(max_examples=400, deadline=None)
@given(PROSE)
def test_text_without_inline_elements_comes_out_exactly_as_smarty_makes_it(text: str) -> None:
    assert ours(text) == smarty(text)


@settings(max_examples=400, deadline=None)
@given(MARKDOWN)
def test_with_inline_elements_only_quotes_can_differ_from_smarty(text: str) -> None:
    """Where a quote touches an element's edge smarty reads the node alone; nothing else may change.

    (smarty also changes text inside <code> or <kbd> written as HTML, which this test's text cannot spell.)
    """
    assert QUOTES.sub("Q", ours(text)) == QUOTES.sub("Q", smarty(text))


def test_quotes_either_side_of_an_inline_element_open_and_close() -> None:
    """smarty makes ``"*word*"`` “word“ (it sees a lone quote after </em> as opening); a reader sees it closing."""
    assert smarty('"*word*"') == "<p>“<em>word</em>“</p>"
    assert render_markdown('"*word*" and \'[the report](/r)\', "`x`"').html == (
        '<p>“<em>word</em>” and ‘<a href="/r">the report</a>’, “<code>x</code>”</p>'
    )
    assert render_markdown('He said "[the report](/r)". *"Quoted"* it\'s **bold**\'s').html == (
        '<p>He said “<a href="/r">the report</a>”. <em>“Quoted”</em> it’s <strong>bold</strong>’s</p>'
    )


def test_code_attributes_escapes_and_raw_html_keep_their_straight_quotes() -> None:
    html = render_markdown(
        '`"code" -- x...` ![A "b"](/static/a.jpg "t\'s") \\"escaped\\" \\\'one\\\'\n\n'
        "    indented 'code'\n\n"
        '<div>"raw" -- HTML</div>\n\n'
        '<kbd>"key"</kbd> "after" <code>it\'s -- <em>"code"</em></code> it\'s'
    ).html
    assert '<code>"code" -- x...</code>' in html
    assert 'alt="A &quot;b&quot;"' in html and "title=\"t's\"" in html
    assert ' "escaped" \'one\'</p>' in html
    assert "<pre><code>indented 'code'\n</code></pre>" in html
    assert '<div>"raw" -- HTML</div>' in html
    assert '<kbd>"key"</kbd> “after” <code>it\'s -- <em>"code"</em></code> it’s</p>' in html


def test_dashes_ellipses_and_decades_as_smarty_makes_them() -> None:
    assert educate("1990--1995, a---b, wait... the '80s, ----") == "1990–1995, a—b, wait… the ’80s, ----"
    assert educate('"\'Quoted\' words" -- ok') == "“‘Quoted’ words” – ok"


def test_heading_ids_are_made_from_the_words_not_the_quotes() -> None:
    assert render_markdown("## The firm's '80s -- \"story\"...").html == (
        '<h2 id="the-firms-80s-story">The firm’s ’80s – “story”…</h2>'
    )


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab8s 1.,-'\"()[\x02\x03\u2013\u00a0\t\n")), min_size=1, max_size=80))
def test_quotes_read_a_few_characters_at_a_time_as_in_the_whole_text(text: str) -> None:
    """The rules read at most a few characters around a quote, so groups of quotes are educated apart."""
    if "'" in text or '"' in text:
        assert "".join(typography._by_quote(text)) == typography._quotes(text)
