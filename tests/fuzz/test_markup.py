"""Markdown conversion: the linear-time passes give Python-Markdown's own output, and output is always safe."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

import markdown
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from byline.content.markup import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    EXTENSION_CONFIGS,
    EXTENSIONS,
    THEME_ID_PREFIX,
    render_markdown,
    sanitise,
)
from tests.fuzz.strategies import markdown_text

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_stock = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")
_fast = None


def stock(text: str) -> str:
    return _stock.reset().convert(text)


def fast(text: str) -> str:
    from byline.content import markup

    markup.render_markdown("")  # make the module's converter
    assert markup._converter is not None
    return markup._converter.reset().convert(text)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


@FUZZ
@given(markdown_text)
def test_fast_converter_output_is_python_markdowns(text: str) -> None:
    assert fast(text) == stock(text)


@FUZZ
@given(st.lists(st.sampled_from(["| a | b |", "|---|---|", "| 1 | 2 |", "# H", "x", "", "- i", "> q"]), max_size=30))
def test_fast_converter_on_tables_headings_and_blocks(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert fast(text) == stock(text)


@FUZZ
@given(markdown_text)
def test_rendered_html_holds_only_allowed_tags_and_attributes(text: str) -> None:
    parser = _Elements()
    parser.feed(render_markdown(text).html)
    for tag, attrs in parser.found:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"class"}, (tag, name)
            assert not (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:")), value


@FUZZ
@given(st.text(max_size=200))
def test_sanitise_is_idempotent(text: str) -> None:
    once = sanitise(text)
    assert sanitise(once) == once


_ID_PARTS = st.sampled_from(["byline", "--", "-", "main", " ", "\t", "corrections", "_1", "#", "fn:1", "\u00a0"])
_BLOCK_KINDS = st.sampled_from(["heading", "attr_list", "raw"])


@FUZZ
@given(markdown_text, st.lists(st.tuples(_BLOCK_KINDS, st.lists(_ID_PARTS, max_size=6).map("".join)), max_size=8))
def test_ids_are_valid_unique_and_never_the_themes(text: str, blocks: list[tuple[str, str]]) -> None:
    parts = [text]
    for kind, value in blocks:
        if kind == "heading":
            parts.append(f"## {value} x")
        elif kind == "attr_list":
            parts.append(f"## Heading {{#{value}}}")
        else:
            parts.append(f'<h2 id="{escape(value)}">Raw</h2>')
    parser = _Elements()
    parser.feed(render_markdown("\n\n".join(parts)).html)
    ids = [value or "" for _, attrs in parser.found for name, value in attrs if name == "id"]
    assert len(ids) == len(set(ids)), ids
    for value in ids:
        assert value and not set(value) & set(" \t\n\f\r"), repr(value)
        assert not value.startswith(THEME_ID_PREFIX), value
