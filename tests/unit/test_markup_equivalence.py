"""Byline's faster Markdown converter must give exactly stock Python-Markdown's output.

markup.make_converter runs the inline processors one block at a time, each block with
only the patterns it could match, and tests tables lazily; these tests compare it with an
unmodified Markdown instance, so a Python-Markdown upgrade that breaks a replacement fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.util import Registry

from byline.content import markup

REPO = Path(__file__).resolve().parents[2]
TRICKY = [
    "He said \"'Quoted' words\" -- and ... 'the '80s' \\* not *em* _u_ `code 'x'` <span>\"a\"</span>",
    "'\"Hi,\" she said.' --- Rock 'n' roll's 'best' \"years\"...",
    "line one  \nline two &amp; &copy; &#8212; <http://example.com> <me@example.com>",
    "*a **b** c* ***d*** _e_ __f__ ![img](/x.png \"t\") [ref][1] [^1]\n\n[1]: http://e.x\n[^1]: A 'note'.",
    "| a | \"b\" |\n|---|--:|\n| 'c' | d -- e |",
    "1. one\n2. two\n\n- three\n- 'four'\n\n> quoted \"text\"\n\n## Heading 'x'\n\n    code \"block\"",
    "[TOC]\n\n# One\n\n## Two *x*\n\n## Two *x*\n\n### Three {#custom}\n\n[TOC]",
    "Not a marker: [TOC] inline.\n\n## Heading",
    "AT&T &#1 fish & chips &amp; <b>bold</b>\n\n<div>\nblock\n</div>",
    "```\ncode 'x' -- y\n```\n\n~~~ {.python}\nmore\n~~~",
]


def stock() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=markup.EXTENSIONS, extension_configs=markup.EXTENSION_CONFIGS, output_format="html"
    )


OURS, THEIRS = markup.make_converter(), stock()


def test_sample_and_golden_bodies_convert_exactly_as_stock_markdown() -> None:
    bodies = TRICKY + [
        path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        for folder in ("content", "tests/golden/site/content")
        for path in sorted((REPO / folder).rglob("*.md"))
    ]
    ours, theirs = markup.make_converter(), stock()
    for body in bodies:
        assert ours.reset().convert(body) == theirs.reset().convert(body)


MARKDOWNISH = st.text(alphabet=st.sampled_from(list("ab 1.-*_`'\"\\[]()!<>&#:|^\n")), max_size=200)


@settings(max_examples=300, deadline=None)
@given(MARKDOWNISH)
def test_any_text_converts_exactly_as_stock_markdown(body: str) -> None:
    assert OURS.reset().convert(body) == THEIRS.reset().convert(body)


def test_each_replacement_takes_the_place_of_the_processor_it_replaces() -> None:
    """Registered through the public API at Python-Markdown's documented priorities: the same order as stock."""
    ours, theirs = markup.make_converter(), stock()
    replacements = {markup._PerBlockInline, markup._LazyTableProcessor, markup._TocOnRequest}

    def kinds(registry: Registry[Any]) -> list[type]:
        """Each processor's class, a replacement's as the class it replaces (or wraps)."""
        return [
            type(p.wrapped) if isinstance(p, markup._OnlyWith) else type(p).__base__ if type(p) in replacements else type(p)
            for p in registry
        ]

    for mine, stocks, names in (
        (ours.treeprocessors, theirs.treeprocessors, ("inline", "typography", "toc")),
        (ours.parser.blockprocessors, theirs.parser.blockprocessors, ("table",)),
        (ours.preprocessors, theirs.preprocessors, ("fenced_code_block", "html_block")),
    ):
        assert kinds(mine) == kinds(stocks)
        assert [mine.get_index_for_name(n) for n in names] == [stocks.get_index_for_name(n) for n in names]
    assert isinstance(ours.treeprocessors["inline"], markup._PerBlockInline)
    assert isinstance(ours.parser.blockprocessors["table"], markup._LazyTableProcessor)
    assert isinstance(ours.treeprocessors["toc"], markup._TocOnRequest)
