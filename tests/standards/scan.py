"""A small, dependency-free reading of a built HTML page: the links and metadata the checks need."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path


@dataclass
class Page:
    """What a page declares: <link>s, <meta>s, every href/src, and its visible text."""

    links: list[dict[str, str]] = field(default_factory=list)
    metas: list[dict[str, str]] = field(default_factory=list)
    anchors: list[dict[str, str]] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def links_with_rel(self, rel: str) -> list[dict[str, str]]:
        return [link for link in self.links if rel in link.get("rel", "").lower().split()]

    def anchors_with_rel(self, rel: str) -> list[dict[str, str]]:
        return [a for a in self.anchors if rel in a.get("rel", "").lower().split()]

    def meta(self, key: str) -> str | None:
        """The content of the first <meta name|property=key>."""
        for meta in self.metas:
            if key in (meta.get("name"), meta.get("property")):
                return meta.get("content")
        return None

    @property
    def plain_text(self) -> str:
        return " ".join(" ".join(self.text).split())


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "link":
            self.page.links.append(values)
        elif tag == "meta":
            self.page.metas.append(values)
        elif tag == "a":
            self.page.anchors.append(values)
        elif tag in ("script", "style", "template"):
            self._skip += 1
        for name in ("href", "src"):
            if values.get(name):
                self.page.references.append(values[name])
        if values.get("srcset"):
            self.page.references += [part.split()[0] for part in values["srcset"].split(",") if part.strip()]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.page.text.append(data)


def scan(path: Path) -> Page:
    scanner = _Scanner()
    scanner.feed(path.read_text(encoding="utf-8"))
    scanner.close()
    return scanner.page
