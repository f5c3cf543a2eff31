"""Turn an untrusted Markdown body into safe HTML plus the plain-text facts pages need.

Pure and per file, so results can be cached by content digest and computed in worker
processes. MARKUP_VERSION must change whenever the output of ``render_markdown`` could.
"""

from __future__ import annotations

import re
import signal
import threading
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from typing import Any

import markdown
import nh3
from markdown.extensions.tables import PIPE_LEFT, PIPE_NONE, PIPE_RIGHT, TableProcessor
from markdown.extensions.toc import TocExtension, TocTreeprocessor
from markdown.inlinepatterns import Pattern
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import InlineProcessor
from markdown.util import Registry

from byline.content.embeds import replace_embeds
from byline.content.models import Rendered, pack_html
from byline.content.removals import find_removals
from byline.content.typography import Typography

MARKUP_VERSION = "7"

# What a news desk needs: tables, footnotes, curly quotes and dashes, heading ids, sane lists.
EXTENSIONS: list[str | markdown.Extension] = ["extra", Typography(), "toc", "sane_lists"]
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
# Element ids: the theme's all start with THEME_ID_PREFIX, which no heading's id can
# (Python-Markdown's slugs collapse runs of "-"); an id a member sets by hand there
# ({#byline--main}, <h2 id="...">) is moved out to MOVED_ID_PREFIX + id, so member text
# can never take the id of the skip link's or the corrections notice's target.
THEME_ID_PREFIX = "byline--"
MOVED_ID_PREFIX = "member-"
AUTHOR_BIO_ID_PREFIX = THEME_ID_PREFIX + "bio-"  # a bio shares the article page with the body: its ids apart
COMPANY_ABOUT_ID_PREFIX = THEME_ID_PREFIX + "about-"  # so does a company's About box

_VOID = {"br", "hr", "img", "wbr"}
_HAS_MARKUP = re.compile(r"<[A-Za-z]|\{[:#.]")  # member HTML, or attr_list's {: .class} and {#id}
_WHITESPACE = re.compile(r"\s+")
# Python-Markdown is quadratic in some inputs no fix can reach (tens of thousands of
# spans in one paragraph), so conversion gets a CPU-time budget that grows with the body:
# long prose converts within it, pathological input fails fast.
BUDGET_SECONDS = 10.0
BUDGET_SECONDS_PER_MB = 4.0
_converter: markdown.Markdown | None = None


class MarkupError(ValueError):
    """A body that cannot be converted (nesting deeper than Python can recurse): reported, never a traceback."""


def render_markdown(text: str, budget: float | None = None, id_prefix: str = "") -> Rendered:
    """Convert Markdown to sanitised HTML; derive the first paragraph and word count.

    Raises MarkupError for bodies too deep or too slow to convert, so the loader reports a line, not a crash or a hang.
    """
    global _converter
    if _converter is None:  # one per process: building the extension stack is costly
        _converter = make_converter()
    if budget is None:
        budget = BUDGET_SECONDS + BUDGET_SECONDS_PER_MB * len(text) / 1_000_000
    try:
        with _cpu_budget(budget):
            raw_html = _converter.reset().convert(text)
    except RecursionError:
        _converter = None  # unwound mid-conversion: its state cannot be trusted
        raise MarkupError(
            "the body nests lists, quotes or HTML blocks too deeply to convert; use fewer levels"
        ) from None
    except _OutOfTime:
        _converter = None
        raise MarkupError(
            f"the body took more than {budget:.3g} s to convert: it repeats a Markdown construct"
            " (emphasis, links, table cells, headings) tens of thousands of times in one block;"
            " split it into smaller paragraphs or tables"
        ) from None
    removed = (
        find_removals(raw_html, ALLOWED_TAGS, ALLOWED_ATTRIBUTES, ALLOWED_CLASSES, URL_SCHEMES)
        if _HAS_MARKUP.search(text)
        else ()
    )
    sanitised = sanitise(raw_html, id_prefix)
    safe_html, embeds = replace_embeds(sanitised)
    # A player's button and captions are not the article's words, nor its first paragraph.
    first, words = text_facts(replace_embeds(sanitised, lambda embed: "")[0] if embeds else safe_html)
    images, links = tuple(inline_sources(safe_html)), tuple(link_targets(safe_html))
    return Rendered(pack_html(safe_html), first, words, images, links, embeds, removed)


class _OutOfTime(BaseException):
    """Raised by the CPU-time alarm; a BaseException so no ``except Exception`` inside Markdown swallows it."""


@contextmanager
def _cpu_budget(seconds: float) -> Iterator[None]:
    """Raise _OutOfTime in this thread after ``seconds`` of CPU time.

    CPU time, not wall time, so a busy machine does not fail a build that an idle one
    passes. Signals reach only the main thread; elsewhere (a preview server's worker
    thread) the conversion runs unguarded.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def make_converter() -> markdown.Markdown:
    """Python-Markdown with its slowest processors replaced by faster equivalents (same output)."""
    # _Faster last: it replaces processors the others registered
    extensions: list[str | markdown.Extension] = [*EXTENSIONS, _Faster()]
    return markdown.Markdown(extensions=extensions, extension_configs=EXTENSION_CONFIGS, output_format="html")


# Where Python-Markdown registers the processors replaced here, as its reference documents them
# (markdown.treeprocessors.build_treeprocessors, TableExtension and TocExtension.extendMarkdown).
INLINE_PRIORITY = 20
TABLE_PRIORITY = 75
TOC_PRIORITY = 5
# Preprocessors that change only text holding what they act on (fences, HTML), with their priorities.
ONLY_WITH: dict[str, tuple[tuple[str, ...], int]] = {
    "fenced_code_block": (("```", "~~~"), 25),
    "html_block": (("<", "&"), 20),  # its HTML parser also writes out "&#1" and "AT&T " as references
}


class _Faster(markdown.Extension):
    """Registers the replacements under the names and priorities of the processors they replace."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(_PerBlockInline(md), "inline", INLINE_PRIORITY)
        if "table" in md.parser.blockprocessors:
            config = md.parser.blockprocessors["table"].config  # type: ignore[attr-defined]  # not in types-Markdown
            table = _LazyTableProcessor(md.parser, config)
            md.parser.blockprocessors.register(table, "table", TABLE_PRIORITY)
        if "toc" in md.treeprocessors:
            toc = _TocOnRequest(md, TocExtension(**EXTENSION_CONFIGS["toc"]).getConfigs())
            md.treeprocessors.register(toc, "toc", TOC_PRIORITY)
        for name, (needs, priority) in ONLY_WITH.items():
            if name in md.preprocessors:
                md.preprocessors.register(_OnlyWith(md, md.preprocessors[name], needs), name, priority)


class _OnlyWith(Preprocessor):
    """A preprocessor run only on a body holding one of the texts it acts on.

    The HTML block preprocessor feeds every body through an HTML parser, the fenced code
    one searches it for fences; a body without ``<`` and ``&``, or without a fence, comes
    out of them unchanged.
    """

    def __init__(self, md: markdown.Markdown, wrapped: Preprocessor, needs: tuple[str, ...]):
        super().__init__(md)
        self.wrapped, self.needs = wrapped, needs

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        return self.wrapped.run(lines) if any(need in text for need in self.needs) else lines


class _TocOnRequest(TocTreeprocessor):
    """TocTreeprocessor that makes the table of contents only for a body asking for one with its marker.

    Every body needs its headings' ids; the table (built, pretty-printed, serialised and
    post-processed for every body) only the rare one with a ``[TOC]`` line.
    """

    def run(self, doc: etree.Element) -> None:
        self.wanted = bool(self.marker) and any(self.marker in text for text in doc.itertext())
        super().run(doc)

    def build_toc_div(self, toc_list: list[Any]) -> etree.Element:
        return super().build_toc_div(toc_list) if self.wanted else etree.Element("div")

    def replace_marker(self, root: etree.Element, elem: etree.Element) -> None:
        if self.wanted:
            super().replace_marker(root, elem)


# The text each inline pattern needs before its regex can possibly match. Python-Markdown
# tries every pattern on every text node; skipping a pattern whose text is absent changes nothing else.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "reference": ("[",),
    "link": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_reference": ("[",),
    "short_image_ref": ("![",),
    "autolink": ("<",),
    "automail": ("<",),
    "linebreak": ("  \n",),
    "html": ("<",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
    "em_strong2": ("_",),
    "not_strong": ("*", "_"),
    "footnote": ("[^",),
}


class _PerBlockInline(InlineProcessor):
    """Run inline patterns one top-level block at a time, each block trying only the patterns it could match.

    InlineProcessor.run keeps a work list it pops from the front, so a body with many
    blocks costs time quadratic in their number. Each top-level block is independent for
    inline processing, so running them one by one gives the same tree in linear time.
    """

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        registry = self.inlinePatterns
        patterns = _Patterns(registry)  # type: ignore[arg-type]  # types-Markdown: Registry[InlineProcessor]
        try:
            children = list(tree)
            if len(children) <= 1:
                self.inlinePatterns = patterns.able("".join(tree.itertext()))  # type: ignore[assignment]  # a list: see able
                return super().run(tree, ancestors)
            del tree[:]
            holder = etree.Element(tree.tag)  # same tag: patterns see the same ancestors
            done: list[etree.Element] = []
            for child in children:
                self.inlinePatterns = patterns.able("".join(child.itertext()) + (child.tail or ""))  # type: ignore[assignment]  # see able
                holder.append(child)
                super().run(holder, ancestors)
                done.extend(holder)
                del holder[:]
            tree.extend(done)
            return tree
        finally:
            self.inlinePatterns = registry


class _Patterns:
    """A registry's inline patterns, less those whose trigger text a block lacks.

    Matches only ever replace text with placeholders, and the text a pattern's element
    holds is part of the block's, so a trigger absent from a block is absent from every
    string inline processing makes of it: its pattern would be tried and never match.
    """

    def __init__(self, registry: Registry[Pattern]) -> None:
        needs = {id(registry[name]): texts for name, texts in TRIGGERS.items() if name in registry}
        self._patterns = [(pattern, needs.get(id(pattern))) for pattern in registry]
        self._texts = sorted({text for _, texts in self._patterns if texts for text in texts})
        self._found: dict[frozenset[str], list[Pattern]] = {}

    def able(self, text: str) -> list[Pattern]:
        """The patterns that could match in ``text``, in the registry's order.

        A list: InlineProcessor takes its patterns' count and each by index, which a
        list answers faster than a registry (docs/design.md, "Markup").
        """
        present = frozenset(trigger for trigger in self._texts if trigger in text)
        found = self._found.get(present)
        if found is None:
            found = self._found[present] = [
                p for p, texts in self._patterns if texts is None or not present.isdisjoint(texts)
            ]
        return found


class _LazyTableProcessor(TableProcessor):
    """TableProcessor whose test reads only the rows it needs.

    The original splits and strips the whole block on every test, and other block
    processors re-test a long block once per line they peel off it, which is quadratic
    in its lines. The decision made here is the original's.
    """

    def test(self, parent: etree.Element, block: str) -> bool:
        rows = _stripped_lines(block)
        header0 = next(rows)
        second = next(rows, None)
        if second is None:
            return False
        border = PIPE_NONE
        if header0.startswith("|"):
            border |= PIPE_LEFT
        if self.RE_END_BORDER.search(header0) is not None:
            border |= PIPE_RIGHT
        self.border = border  # type: ignore[assignment]  # PIPE_* flags; types-Markdown says bool
        row0_len = len(self._split_row(header0))  # type: ignore[attr-defined]  # not in types-Markdown
        is_table = row0_len > 1
        if not is_table and row0_len == 1 and border:
            for row in _chain(second, rows):
                is_table = row.startswith("|") or self.RE_END_BORDER.search(row) is not None
                if not is_table:
                    break
        if is_table:
            row = self._split_row(second)  # type: ignore[attr-defined]  # not in types-Markdown
            is_table = len(row) == row0_len and set("".join(row)) <= set("|:- ")
            if is_table:
                self.separator = row
        return is_table


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _stripped_lines(block: str) -> Iterator[str]:
    """Yield the block's lines stripped of spaces, splitting only as far as they are read."""
    start = 0
    while True:
        end = block.find("\n", start)
        if end < 0:
            yield block[start:].strip(" ")
            return
        yield block[start:end].strip(" ")
        start = end + 1


def sanitise(html: str, id_prefix: str = "") -> str:
    """Strip anything that could run code, restyle the page or take the theme's ids from member HTML."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_MemberIds(id_prefix),
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        filter_style_properties={"text-align"},
        link_rel=None,
        strip_comments=True,
    )


class _MemberIds:
    """nh3's attribute filter for one fragment: its ids valid, unique and outside the theme's.

    nh3 calls it on the parsed tree, so no quoting trick can hide an id from it (docs/design.md, "Load stage").
    """

    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.taken: set[str] = set()

    def __call__(self, tag: str, attribute: str, value: str) -> str | None:
        if attribute == "id":
            wanted = _member_id(value)
            if not wanted:
                return None
            unique, count = wanted, 0
            while unique in self.taken:
                count += 1
                unique = f"{wanted}_{count}"
            self.taken.add(unique)
            return self.prefix + unique
        if attribute == "href" and value.startswith("#") and len(value) > 1:
            return "#" + self.prefix + _member_id(value[1:])
        return value


def _member_id(value: str) -> str:
    """An id as member text may have it: no whitespace, and never in the theme's namespace."""
    value = "-".join(value.split())
    return MOVED_ID_PREFIX + value if value.startswith(THEME_ID_PREFIX) else value


# Sanitised bodies quote every attribute with double quotes (nh3 serialises them so).
IMG_TAG = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')


def img_attributes(tag: str) -> dict[str, str]:
    """The attributes of one <img> tag of a sanitised body, still HTML-escaped."""
    return dict(_ATTRIBUTE.findall(tag))


def inline_sources(body: str) -> list[str]:
    """The src of every <img> in a sanitised body, in order."""
    if "<img" not in body:  # most bodies: a substring search is far cheaper than the regex's scan
        return []
    tags = (img_attributes(tag) for tag in IMG_TAG.findall(body))
    return [unescape(attrs["src"]) for attrs in tags if attrs.get("src")]


_ANCHOR_TAG = re.compile(r"<a\s[^>]*>")  # every '<' outside a tag is escaped
HREF_ATTRIBUTE = re.compile(r'\shref="([^"]*)"')


def link_targets(body: str) -> list[str]:
    """The href of every <a> in a sanitised body, in order."""
    if "<a" not in body:
        return []
    found = (HREF_ATTRIBUTE.search(tag) for tag in _ANCHOR_TAG.findall(body))
    return [unescape(href.group(1)) for href in found if href]


def plain_text(html: str) -> str:
    """Return the text of an HTML fragment with whitespace collapsed."""
    return " ".join(_text(html).split())


def reading_minutes(word_count: int, words_per_minute: int = 230) -> int:
    """Estimate reading time, never less than a minute."""
    return max(1, round(word_count / words_per_minute))


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^>]*>")
_WORD = re.compile(r"\S*[^\W_]\S*")  # a run of non-space holding a letter or digit


def text_facts(html: str) -> tuple[str, int]:
    """Return the first top-level paragraph's text and the word count.

    Regular expressions over nh3's output, which is well-formed (tags closed, attributes
    quoted). Chunks of punctuation alone ("<em>three</em>.") are not words.
    """
    return first_paragraph(html), len(_WORD.findall(_text(html)))


def _text(html: str) -> str:
    """The fragment's text, each tag a space: words never run across a tag, as a reader sees them."""
    text = _TAG.sub(" ", html)
    return unescape(text) if "&" in text else text


def first_paragraph(html: str) -> str:
    """The text of the first top-level paragraph that has any, whitespace collapsed, footnote markers (<sup>) left out.

    The tags are read only as far as that paragraph's end.
    """
    depth = skip = 0
    collecting = False
    paragraph: list[str] = []
    position = 0
    for match in _TAG.finditer(html):
        if collecting and not skip and match.start() > position:
            paragraph.append(html[position : match.start()])
        position = match.end()
        closing, tag = match.group(1), match.group(2).lower()
        if tag in _VOID:
            continue
        if closing:
            depth = max(0, depth - 1)
            skip = max(0, skip - 1)
            if tag == "p" and collecting and depth == 0:
                collecting = False
                first = _WHITESPACE.sub(" ", unescape("".join(paragraph))).strip()
                if first:
                    return first
        else:
            if tag == "p" and depth == 0:
                collecting, paragraph = True, []
            depth += 1
            if tag == "sup" or skip:
                skip += 1
    return ""
