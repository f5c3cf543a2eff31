"""Just enough of a DOM to check built pages: elements with attributes, children and text.

The standard library's HTMLParser builds it, so the tests need no HTML package; the
theme's markup is valid HTML (the Nu checker sees to that), so a simple tree suffices.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The element's text with whitespace collapsed, as a reader sees it."""
        return " ".join("".join(self._texts()).split())

    def _texts(self) -> Iterator[str]:
        for child in self.children:
            if isinstance(child, str):
                yield child
            else:
                yield from child._texts()

    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Element]:
        """Descendants (and self) matching a tag, a class and exact attribute values."""
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag)
            and (cls is None or cls in e.classes())
            and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element | None:
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def one(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, cls, **attrs)
        assert len(found) == 1, f"expected one <{tag or '*'} class={cls!r} {attrs}>, found {len(found)}"
        return found[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(path: Path) -> Element:
    builder = _Builder()
    builder.feed(path.read_text("utf-8"))
    builder.close()
    return builder.root


def json_ld(document: Element) -> list[dict[str, Any]]:
    """Every JSON-LD object of a page, parsed."""
    return [json.loads(e.text) for e in document.find_all("script", type="application/ld+json")]


def meta_tags(document: Element) -> list[tuple[str, str]]:
    """(property or name, content) of every <meta> that has content, in page order."""
    return [
        (e.attrs.get("property") or e.attrs.get("name", ""), e.attrs["content"])
        for e in document.find_all("meta")
        if "content" in e.attrs and ("property" in e.attrs or "name" in e.attrs)
    ]


def meta(document: Element, key: str) -> str | None:
    values = [v for k, v in meta_tags(document) if k == key]
    assert len(values) <= 1, f"{key} appears {len(values)} times"
    return values[0] if values else None


def canonical(document: Element) -> str:
    return document.one("link", rel="canonical").attrs["href"]


def words_cut_cleanly(short: str, full: str) -> bool:
    """True when ``short`` is ``full``, or a start of it that ends at a word boundary followed by an ellipsis."""
    full = " ".join(full.split())
    if short == full:
        return True
    if not short.endswith("…"):
        return False
    kept = short[:-1]
    return full.startswith(kept) and re.match(r"[\s,;:–—-]", full[len(kept) :]) is not None
