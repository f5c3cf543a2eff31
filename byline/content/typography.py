"""Curly quotes, dashes and ellipses by Python-Markdown's smarty rules, in one visit to each text node.

smarty ran a second inline processor over every node; this gives its output for a
fraction of the cost (docs/design.md, "Markup"), and reads quotes across inline elements.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as etree
from collections.abc import Iterator

import markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, HTML_PLACEHOLDER_RE, STX, AtomicString

# smarty's character classes (markdown.extensions.smarty), with Unicode in place of its entities.
_PUNCT = r"""[!"#\$\%'()*+,-.\/:;<=>?\@\[\\\]\^_`{|}~]"""
_CLOSE = r"[^\ \t\r\n\[\{\(\-\u0002\u0003]"
_OPENING = r"(\s|&nbsp;|--|–|—|&[mn]dash;|&#8211;|&#8212;)"
SMARTY_PRIORITY = 6  # markdown.extensions.smarty's tree processor: after abbr (7), before toc (5)
LSQUO, RSQUO, LDQUO, RDQUO = "\u2018", "\u2019", "\u201c", "\u201d"
NDASH, MDASH, HELLIP = "\u2013", "\u2014", "\u2026"

# smarty's quote patterns in the order it tries them, each with what replaces a match:
# text (a group of the match, by number, or a character) and the text the pattern needs.
_QUOTES: list[tuple[re.Pattern[str], tuple[int | str, ...], str]] = [
    (re.compile(rf"^'(?={_PUNCT}\B)"), (RSQUO,), "'"),
    (re.compile(rf'^"(?={_PUNCT}\B)'), (RDQUO,), '"'),
    (re.compile(r""""'(?=\w)"""), (LDQUO + LSQUO,), "\"'"),
    (re.compile(r"""'"(?=\w)"""), (LSQUO + LDQUO,), "'\""),
    (re.compile(rf"(?<={_CLOSE})'\""), (RSQUO + RDQUO,), "'\""),
    (re.compile(rf"(?<={_CLOSE})\"'"), (RDQUO + RSQUO,), "\"'"),
    (re.compile(r"(?<!\w)'(?=\d{2}s)"), (RSQUO,), "'"),
    (re.compile(rf"{_OPENING}'(?=\w)"), (1, LSQUO), "'"),
    (re.compile(rf"(?<={_CLOSE})'(?!\s|s\b|\d)"), (RSQUO,), "'"),
    (re.compile(r"'(\s|s\b)"), (RSQUO, 1), "'"),
    (re.compile(r"'"), (LSQUO,), "'"),
    (re.compile(rf'{_OPENING}"(?=\w)'), (1, LDQUO), '"'),
    (re.compile(r'"(?=\s)'), (RDQUO,), '"'),
    (re.compile(rf'(?<={_CLOSE})"'), (RDQUO,), '"'),
    (re.compile(r'"'), (LDQUO,), '"'),
]
_EM_DASH = re.compile(r"(?<!-)---(?!-)")
_EN_DASH = re.compile(r"(?<!-)--(?!-)")
_ELLIPSIS = re.compile(r"(?<!\.)\.{3}(?!\.)")
_QUOTE = re.compile("['\"]")
# Until a node is done, each replacement stands in it as smarty's do: STX, a mark, ETX (which
# is what later rules see around it). A mark is a character Python-Markdown's own
# placeholders never hold (theirs are ASCII): a dash's is fixed, a quote's its index in a list.
_EM_MARK, _EN_MARK = f"{STX}\U000F0000{ETX}", f"{STX}\U000F0001{ETX}"
_FIRST_QUOTE_MARK = 0xF0100
_QUOTE_MARK = re.compile(f"{STX}([\U000F0100-\U000FFFFD]){ETX}")
# How far the rules read around a quote: a character before the space or dash an opening
# quote takes with it (entities, which reach further, are placeholders by now; a node with
# "&" is read whole), and three after it ("'80s"). Quotes further apart are independent.
_READS_BEFORE, _READS_AFTER = 2, 4
_APART = _READS_BEFORE + _READS_AFTER + 2
# Elements whose text is never changed: code and what shows code or machine text.
SKIPPED = frozenset({"code", "pre", "kbd", "samp", "script", "style", "math"})
_SKIPPED_TAG = re.compile(r"<(/?)(code|pre|kbd|samp|script|style|math)\b", re.IGNORECASE)
# Elements inside a line of text: quotes read across their edges. Any other element is a block.
INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "img", "ins", "kbd", "mark",
     "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr"}
)  # fmt: skip
# The character before a node as its first quote sees it: one that a rule would change is
# given as another of the same kind to the rules that read it (so "-" is not half a dash).
_AS_CONTEXT = {"-": "(", ".": ",", "'": ",", '"': ","}


def educate(text: str, before: str = "") -> str:
    """``text`` with smarty's quotes, dashes and ellipses; ``before`` is the character that precedes it, if any."""
    quoted = "'" in text or '"' in text
    dashed = "--" in text
    if not (quoted or dashed or "..." in text):
        return text
    if dashed:
        text = _EN_DASH.sub(_EN_MARK, _EM_DASH.sub(_EM_MARK, text))
    if quoted:
        context = bool(before) and text[0] in "'\""
        if context:
            text = _AS_CONTEXT.get(before, before) + text
        text = _quotes(text) if "&" in text else "".join(_by_quote(text))
        if context:
            text = text[1:]
    if "..." in text:
        text = _ELLIPSIS.sub(HELLIP, text)
    if dashed:
        text = text.replace(_EM_MARK, MDASH).replace(_EN_MARK, NDASH)
    return text


def _by_quote(text: str) -> Iterator[str]:
    """``text`` with its quotes educated a few characters at a time: each group of quotes with what the rules read around it."""
    found = [match.start() for match in _QUOTE.finditer(text)]
    done = 0
    first = last = found[0]
    for position in [*found[1:], len(text) + _APART + 1]:
        if position - last <= _APART:
            last = position
            continue
        start, end = max(0, first - _READS_BEFORE), min(len(text), last + _READS_AFTER + 1)
        yield text[done:start]
        yield _quotes(text[start:end])
        done, first, last = end, position, position
    yield text[done:]


@functools.lru_cache(maxsize=4096)
def _quotes(text: str) -> str:
    """smarty's quote rules, each applied left to right as Python-Markdown applies a pattern.

    Each match is replaced at once, and the search goes on after it, so a later match
    (of this rule or the next) sees the replacement's STX and ETX, not the quote.
    """
    kept: list[str] = []
    for pattern, replacement, needs in _QUOTES:
        if needs not in text:
            continue
        position = 0
        while (match := pattern.search(text, position)) is not None:
            kept.append("".join(match.group(p) if isinstance(p, int) else p for p in replacement))
            done = f"{STX}{chr(_FIRST_QUOTE_MARK + len(kept) - 1)}{ETX}"
            text = text[: match.start()] + done + text[match.end() :]
            position = match.start() + len(done)
    return _QUOTE_MARK.sub(lambda mark: kept[ord(mark.group(1)) - _FIRST_QUOTE_MARK], text)


class _Typographer(Treeprocessor):
    """Educates the tree's text but for SKIPPED elements, written in Markdown or as HTML, and raw HTML itself."""

    def run(self, root: etree.Element) -> None:
        _Walk(self.md.htmlStash.rawHtmlBlocks).inside(root, True)


class _Walk:
    """One walk through the tree in reading order, carrying what a text node needs from those before it.

    ``before`` is the last character of the line so far ("" at a block's start); ``raw`` the
    SKIPPED elements opened by inline HTML (which Python-Markdown keeps aside, leaving a
    placeholder in the text) and not yet closed.
    """

    def __init__(self, stash: list[str | etree.Element]):
        self.stash = stash
        self.before = ""
        self.raw: list[str] = []

    def inside(self, parent: etree.Element, editable: bool) -> None:
        for child in parent:
            block = child.tag not in INLINE
            if block:
                self.before, self.raw = "", []
            inner = editable and child.tag not in SKIPPED
            if child.text:
                child.text = self.text(child.text, inner)
            if len(child):
                self.inside(child, inner)
            if block:
                self.before, self.raw = "", []
            if child.tail:
                child.tail = self.text(child.tail, editable)

    def text(self, text: str, editable: bool) -> str:
        editable = editable and not isinstance(text, AtomicString)
        if self.raw or (STX in text and self._opens_raw(text)):
            text = "".join(self._pieces(text, editable))
        elif editable:
            text = educate(text, self.before)
        self.before = text[-1]
        return text

    def _opens_raw(self, text: str) -> bool:
        return any(_SKIPPED_TAG.match(self._raw(m)) for m in HTML_PLACEHOLDER_RE.finditer(text))

    def _raw(self, placeholder: re.Match[str]) -> str:
        found = self.stash[int(placeholder.group(1))]
        return found if isinstance(found, str) else ""

    def _pieces(self, text: str, editable: bool) -> Iterator[str]:
        """The text between inline HTML's placeholders, educated where no SKIPPED element is open."""
        start = 0
        for placeholder in HTML_PLACEHOLDER_RE.finditer(text):
            yield self._piece(text[start : placeholder.start()], editable)
            yield placeholder.group(0)
            self.before = ETX
            tag = _SKIPPED_TAG.match(self._raw(placeholder))
            if tag and tag.group(1):
                if tag.group(2).lower() in self.raw:
                    del self.raw[self.raw.index(tag.group(2).lower()) :]
            elif tag:
                self.raw.append(tag.group(2).lower())
            start = placeholder.end()
        yield self._piece(text[start:], editable)

    def _piece(self, text: str, editable: bool) -> str:
        if text and editable and not self.raw:
            text = educate(text, self.before)
        if text:
            self.before = text[-1]
        return text


class Typography(markdown.Extension):
    """Registers the typographer where smarty's processor runs, and lets ``\\"`` and ``\\'`` keep a quote straight."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(_Typographer(md), "typography", SMARTY_PRIORITY)
        md.ESCAPED_CHARS.extend(['"', "'"])

