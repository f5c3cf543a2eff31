"""Byline's faster Markdown converter must give exactly stock Python-Markdown's output.

markup._make_converter replaces InlineProcessor's inner loop (skipping patterns whose
trigger text is absent) and two quadratic passes; these tests compare it with an
unmodified Markdown instance, so a Python-Markdown upgrade that breaks the override fails here.
"""

from __future__ import annotations

from pathlib import Path

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from byline.content import markup

REPO = Path(__file__).resolve().parents[2]
TRICKY = [
    "He said \"'Quoted' words\" -- and ... 'the '80s' \\* not *em* _u_ `code 'x'` <span>\"a\"</span>",
    "'\"Hi,\" she said.' --- Rock 'n' roll's 'best' \"years\"...",
    "line one  \nline two &amp; &copy; &#8212; <http://example.com> <me@example.com>",
    "*a **b** c* ***d*** _e_ __f__ ![img](/x.png \"t\") [ref][1] [^1]\n\n[1]: http://e.x\n[^1]: A 'note'.",
    "| a | \"b\" |\n|---|--:|\n| 'c' | d -- e |",
    "1. one\n2. two\n\n- three\n- 'four'\n\n> quoted \"text\"\n\n## Heading 'x'\n\n    code \"block\"",
]


def stock() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=markup.EXTENSIONS, extension_configs=markup.EXTENSION_CONFIGS, output_format="html"
    )


OURS, THEIRS = markup._make_converter(), stock()


def test_sample_and_golden_bodies_convert_exactly_as_stock_markdown() -> None:
    bodies = TRICKY + [
        path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        for folder in ("content", "tests/golden/site/content")
        for path in sorted((REPO / folder).rglob("*.md"))
    ]
    ours, theirs = markup._make_converter(), stock()
    for body in bodies:
        assert ours.reset().convert(body) == theirs.reset().convert(body)


MARKDOWNISH = st.text(alphabet=st.sampled_from(list("ab 1.-*_`'\"\\[]()!<>&#:|^\n")), max_size=200)


@settings(max_examples=300, deadline=None)
@given(MARKDOWNISH)
def test_any_text_converts_exactly_as_stock_markdown(body: str) -> None:
    assert OURS.reset().convert(body) == THEIRS.reset().convert(body)
