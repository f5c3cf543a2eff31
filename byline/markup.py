"""Turn an untrusted Markdown body into safe HTML plus the plain-text facts pages need.

Pure and per file, so results can be cached by content digest and computed in worker
processes. MARKUP_VERSION must change whenever the output of ``render_markdown`` could.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown
import nh3

from .models import Rendered

MARKUP_VERSION = "2"

# What a news desk needs: smart quotes, tables, footnotes, heading ids, sane lists.
EXTENSIONS = ["extra", "smarty", "toc", "sane_lists"]
EXTENSION_CONFIGS = {"toc": {"permalink": False}}

_HEADINGS = {f"h{n}": {"id"} for n in range(1, 7)}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "img": {"src", "alt", "title", "width", "height"},
    "li": {"id", "value"},
    "ol": {"start", "reversed", "type"},
    "q": {"cite"},
    "sup": {"id"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "time": {"datetime"},
    **_HEADINGS,
}
ALLOWED_TAGS = set(ALLOWED_ATTRIBUTES) | {
    "b",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "hr",
    "i",
    "ins",
    "kbd",
    "mark",
    "p",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "u",
    "ul",
}
# Classes the Markdown extensions emit; a member cannot borrow the theme's own classes.
ALLOWED_CLASSES = {
    "a": {"footnote-ref", "footnote-backref"},
    "div": {"footnote"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_VOID = {"br", "hr", "img", "wbr"}
_WHITESPACE = re.compile(r"\s+")
_converter: markdown.Markdown | None = None


def render_markdown(text: str) -> Rendered:
    """Convert Markdown to sanitised HTML; derive the first paragraph and word count."""
    global _converter
    if _converter is None:  # one per process: building the extension stack is costly
        _converter = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")
    raw_html = _converter.reset().convert(text)
    safe_html = sanitise(raw_html)
    facts = _TextFacts()
    facts.feed(safe_html)
    facts.close()
    return Rendered(html=safe_html, first_paragraph=facts.first_paragraph, word_count=facts.words)


def sanitise(html: str) -> str:
    """Strip anything that could run code or restyle the page from member HTML."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        filter_style_properties={"text-align"},
        link_rel=None,
        strip_comments=True,
    )


def plain_text(html: str) -> str:
    """Return the text of an HTML fragment with whitespace collapsed."""
    facts = _TextFacts()
    facts.feed(html)
    facts.close()
    return " ".join(facts.all_text)


def reading_minutes(word_count: int, words_per_minute: int = 230) -> int:
    """Estimate reading time, never less than a minute."""
    return max(1, round(word_count / words_per_minute))


class _TextFacts(HTMLParser):
    """Collect the text of the first top-level paragraph and count every word."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.skip_depth = 0  # inside a footnote marker, whose digit is not prose
        self.in_paragraph = False
        self.paragraph: list[str] = []
        self.first_paragraph = ""
        self.all_text: list[str] = []
        self.words = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p" and self.depth == 0 and not self.first_paragraph:
            self.in_paragraph = True
        if tag in _VOID:
            return
        self.depth += 1
        if tag == "sup" or self.skip_depth:
            self.skip_depth += 1

    def handle_endtag(self, tag: str) -> None:
        self.depth = max(0, self.depth - 1)
        self.skip_depth = max(0, self.skip_depth - 1)
        if tag == "p" and self.in_paragraph and self.depth == 0:
            self.in_paragraph = False
            self.first_paragraph = _WHITESPACE.sub(" ", "".join(self.paragraph)).strip()
            self.paragraph = []

    def handle_data(self, data: str) -> None:
        chunks = data.split()
        # Punctuation after inline markup ("<em>three</em>.") arrives as its own chunk: not a word.
        self.words += sum(1 for chunk in chunks if any(c.isalnum() for c in chunk))
        self.all_text.extend(chunks)
        if self.in_paragraph and not self.skip_depth:
            self.paragraph.append(data)
