"""byline.content.markup: what a news desk needs from Markdown, and sanitising untrusted member HTML."""

from __future__ import annotations

import re
import sys

import pytest

from byline.content.markup import AUTHOR_BIO_ID_PREFIX, THEME_ID_PREFIX, plain_text, reading_minutes, render_markdown
from byline.content.models import Html


def html(text: str) -> str:
    return render_markdown(text).html


def test_smart_quotes_dashes_and_ellipses() -> None:
    assert html('"Quoted" it\'s -- and --- done...') == "<p>“Quoted” it’s – and — done…</p>"


def test_tables() -> None:
    out = html("| Year | Sales |\n|---|--:|\n| 2025 | £4m |\n")
    assert "<table>" in out and "<th>Year</th>" in out
    assert '<td style="text-align:right">£4m</td>' in out


def test_footnotes_keep_their_links_and_classes() -> None:
    out = html("Turnover rose[^1].\n\n[^1]: Unaudited figures.")
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>' in out
    assert '<div class="footnote">' in out and '<li id="fn:1">' in out
    assert 'class="footnote-backref" href="#fnref:1"' in out


def test_headings_get_ids() -> None:
    assert (
        html("## Where the money goes\n\nText")
        == '<h2 id="where-the-money-goes">Where the money goes</h2>\n<p>Text</p>'
    )


def test_a_toc_line_lists_the_headings_and_only_there() -> None:
    listed = html("[TOC]\n\n## One\n\n## Two")
    assert '<li><a href="#one">One</a></li>\n<li><a href="#two">Two</a></li>' in listed
    assert html("## One\n\nAn inline [TOC] is text.") == '<h2 id="one">One</h2>\n<p>An inline [TOC] is text.</p>'


def test_sane_lists_do_not_merge_ordered_and_unordered() -> None:
    out = html("1. one\n2. two\n\n* three\n* four\n")
    assert out == "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n<ul>\n<li>three</li>\n<li>four</li>\n</ul>"


def test_ordered_list_keeps_its_start_number() -> None:
    assert '<ol start="3">' in html("3. three\n4. four\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>\n\nSafe.", "<p>Safe.</p>"),
        ("<style>body { display: none }</style>\n\nSafe.", "<p>Safe.</p>"),
        ('<p onclick="steal()" onmouseover="x()">Hi</p>', "<p>Hi</p>"),
        ('<img src="/a.png" onerror="steal()" alt="A">', '<p><img src="/a.png" alt="A"></p>'),
        ("[Click](javascript:alert(1))", "<p><a>Click</a></p>"),
        ('<a href="JaVaScRiPt:alert(1)">Click</a>', "<p><a>Click</a></p>"),
        ('<iframe src="https://video.example/embed"></iframe>\n\nSafe.', "<p>Safe.</p>"),
        ("![Pixel](data:image/png;base64,iVBORw0KGgo=)", '<p><img alt="Pixel"></p>'),
        ('<a href="data:text/html,<script>x()</script>">x</a>', "<p><a>x</a></p>"),
        ('<svg onload="x()"><circle r="4"/></svg>Safe.', "<p>Safe.</p>"),
        ('<object data="x.swf"></object><embed src="x.swf">Safe.', "<p>Safe.</p>"),
        ('<form action="/x"><input name="q"></form>Safe.', "<p>Safe.</p>"),
        ('<p style="position:fixed">Hi</p>', "<p>Hi</p>"),
        ("<!-- hidden note -->\n\nSafe.", "<p>Safe.</p>"),
    ],
)
def test_member_html_is_sanitised(text: str, expected: str) -> None:
    assert html(text).strip() == expected


@pytest.mark.parametrize(
    "danger", ["<script", "<style", "onclick", "onerror", "onload", "javascript:", "<iframe", "data:", "<svg"]
)
def test_nothing_dangerous_survives_a_hostile_article(danger: str) -> None:
    hostile = """
<script>alert(1)</script><style>*{}</style>
<p onclick="x()">a</p><img src=x onerror=alert(1)><svg onload=alert(1)></svg>
<iframe src="//evil.example"></iframe>
[a](javascript:alert(1)) [b](data:text/html;base64,PHNjcmlwdD4=)
<a href="java&#x09;script:alert(1)">c</a>
"""
    assert danger not in html(hostile).lower()


def test_member_cannot_borrow_theme_classes() -> None:
    assert 'class="site-nav"' not in html('<div class="site-nav">x</div>')


def test_safe_links_and_markup_survive() -> None:
    out = html('[Site](https://quayside.example/a?b=1) <a href="mailto:press@quayside.example">mail</a> **bold**')
    assert '<a href="https://quayside.example/a?b=1">Site</a>' in out
    assert '<a href="mailto:press@quayside.example">mail</a>' in out
    assert "<strong>bold</strong>" in out


def test_first_paragraph_is_plain_text() -> None:
    rendered = render_markdown('Quayside *Tools* has [opened](https://q.example) a "depot".\n\nSecond paragraph.')
    assert rendered.first_paragraph == "Quayside Tools has opened a “depot”."


def test_first_paragraph_skips_headings_quotes_and_footnote_markers() -> None:
    rendered = render_markdown("## Heading\n\n> A quote.\n\nThe first   real\nparagraph[^1].\n\n[^1]: Note.")
    assert rendered.first_paragraph == "The first real paragraph."


def test_first_paragraph_skips_a_picture_on_its_own() -> None:
    assert render_markdown("![The depot](/static/depot.jpg)\n\nThe real text.").first_paragraph == "The real text."


def test_first_paragraph_is_empty_without_paragraphs() -> None:
    assert render_markdown("* one\n* two\n").first_paragraph == ""


def test_word_count_counts_words_of_the_text() -> None:
    assert render_markdown("One two *three*.\n\n## Four five\n\n- six\n- seven").word_count == 7
    assert render_markdown("").word_count == 0


def test_html_entities_count_as_text() -> None:
    rendered = render_markdown("Fish &amp; chips &mdash; now")
    assert rendered.first_paragraph == "Fish & chips — now"


def test_reading_minutes_never_less_than_one() -> None:
    assert reading_minutes(0) == 1
    assert reading_minutes(230) == 1
    assert reading_minutes(690) == 3


def test_plain_text_collapses_whitespace() -> None:
    assert plain_text("<p>Hello\n  <b>world</b></p>") == "Hello world"


def test_rendering_is_repeatable() -> None:
    text = "Text[^1]\n\n## Head\n\n[^1]: Note."
    assert render_markdown(text) == render_markdown(text)


# --- element ids -----------------------------------------------------------------------------


@pytest.mark.parametrize("heading", ["Byline -- main", "byline--main", "Byline — Main", "BYLINE  --  MAIN", "-- x --"])
def test_no_heading_slug_is_in_the_themes_id_namespace(heading: str) -> None:
    out = html(f"## {heading}\n")
    assert f'id="{THEME_ID_PREFIX}' not in out and 'id="' in out


def test_an_id_set_in_the_themes_namespace_is_moved_out_with_the_links_to_it() -> None:
    out = html('## Box {#byline--corrections}\n\n<h3 id="byline--main">Raw</h3>\n\n[box](#byline--corrections)')
    assert '<h2 id="member-byline--corrections">Box</h2>' in out
    assert '<h3 id="member-byline--main">Raw</h3>' in out
    assert '<a href="#member-byline--corrections">box</a>' in out


def test_a_quoting_trick_cannot_hide_an_id() -> None:
    assert '<li value=" id=" id="member-byline--main">' in html('<ol><li value=" id=" id="byline--main">x</li></ol>')


def test_repeated_ids_are_numbered_and_links_go_to_the_first() -> None:
    out = html('<h2 id="plan">A</h2>\n\n<h2 id="plan">B</h2>\n\n## Plan\n\n[plan](#plan)')
    assert [*re.findall(r'id="([^"]*)"', out)] == ["plan", "plan_1", "plan_2"]
    assert '<a href="#plan">plan</a>' in out


def test_ids_lose_whitespace_and_empty_ids_are_dropped() -> None:
    out = html('<h2 id="two words">A</h2>\n\n<h2 id=" ">B</h2>\n\n[a](#two words)')
    assert '<h2 id="two-words">A</h2>' in out and "<h2>B</h2>" in out


def test_an_id_prefix_moves_every_id_and_every_link_to_one() -> None:
    out = render_markdown("Bio.[^1]\n\n## Main\n\n[^1]: Note.", id_prefix=AUTHOR_BIO_ID_PREFIX).html
    ids = re.findall(r'id="([^"]*)"', out)
    fragments = re.findall(r'href="#([^"]*)"', out)
    assert ids and all(i.startswith(AUTHOR_BIO_ID_PREFIX) for i in ids)
    assert fragments and set(fragments) <= set(ids)


def test_footnotes_and_ordinary_links_are_left_alone() -> None:
    text = "Rose[^1] [top](#) [site](/about/) [mail](mailto:a@b.example)\n\n[^1]: N."
    out = html(text)
    assert 'href="#fn:1"' in out and 'href="#fnref:1"' in out and 'id="fn:1"' in out
    assert 'href="#"' in out and 'href="/about/"' in out and 'href="mailto:a@b.example"' in out


def test_the_images_a_body_shows_are_listed_once_when_it_is_parsed() -> None:
    rendered = render_markdown(
        'Intro ![Plant](/static/images/plant.jpg "The plant")\n\n<img src="/static/a&amp;b.png" alt="x">\n\n'
        '<img alt="no source"> ![Remote](https://example.com/r.png)'
    )
    assert rendered.images == ("/static/images/plant.jpg", "/static/a&b.png", "https://example.com/r.png")
    assert render_markdown("No pictures here, only text.").images == ()


def test_the_links_a_body_holds_are_listed_once_when_it_is_parsed() -> None:
    """Link checks read them on every build, from the cache, instead of scanning every body."""
    rendered = render_markdown(
        "See [the report](/articles/2026/03/01/report/?a=1&b=2#key) and <https://example.com/x>.\n\n"
        '<a name="anchor">no href</a> [mail](mailto:desk@example.com) text with a < b\n\n'
        "Ships[^1] sail.\n\n[^1]: A note."
    )
    assert rendered.hrefs == (
        "/articles/2026/03/01/report/?a=1&b=2#key",
        "https://example.com/x",
        "mailto:desk@example.com",
        "#fn:1",
        "#fnref:1",
    )
    assert render_markdown("Only text, no <links>.").hrefs == ()


def test_a_body_is_held_packed_and_unpacks_to_the_exact_html() -> None:
    """Bodies are most of what a build holds of the site: held as compressed UTF-8, a fraction of the text's size."""
    text = "\n\n".join(f"Paragraph {n}: the company’s “new” depot — at {n} Quay Street…" for n in range(60))
    rendered = render_markdown(text)
    unpacked = rendered.html
    assert type(unpacked) is Html and unpacked.count("<p>") == 60 and "company’s “new” depot — at 59" in unpacked
    assert unpacked == rendered.html and unpacked is not rendered.html  # each call unpacks anew: nothing kept
    assert len(rendered.packed) * 4 < sys.getsizeof(unpacked)  # curly quotes make the text two bytes a character
    assert render_markdown("").html == "" and type(render_markdown("").html) is Html
