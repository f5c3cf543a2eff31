"""SVG files that could run scripts on the site's origin: refused, each at the line that would.

An SVG opened on its own is a document with the site's cookies; a picture needs no script, so
the editor exports a clean copy rather than Byline rewriting it.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Mapping
from pathlib import Path
from xml.parsers import expat

from byline.errors import ContentError

SVG_SUFFIXES = (".svg", ".svgz")
MAX_SVG_BYTES = 16_000_000  # as content files: a picture past this is a mistake, or a decompression bomb
# Elements that run script or hold a document of their own: SVG's script and foreignObject,
# SVG Tiny's handler and XML Events' listener, and HTML's frames and plug-ins in any namespace.
ACTIVE_ELEMENTS = frozenset(
    {"script", "foreignobject", "handler", "listener", "iframe", "frame", "embed", "object", "applet"}
)
# URL schemes that run code when followed or loaded; browsers ignore ASCII whitespace and
# control characters inside a scheme, so they are dropped before looking.
_SCRIPT_URL = re.compile(r"(?:java|vb)script:|data:text/html")
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20]+")
_HINT = "a picture needs none: remove it, or export the picture again as plain SVG"


def unsafe_svgs(static: Mapping[str, Path]) -> list[ContentError]:
    """A problem for each SVG among the static files (by path under /static/) that could run script."""
    problems = []
    for name, path in static.items():
        if name.lower().endswith(SVG_SUFFIXES):
            problems += svg_problems(f"static/{name}", path)
    return problems


def svg_problems(shown: str, path: Path) -> list[ContentError]:
    """Everything active in one SVG file, each at its line; ``shown`` names the file in problems."""
    try:
        data = _read(path)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return [ContentError(shown, 0, f"cannot read this SVG: {exc}")]
    if data is None:
        return [ContentError(shown, 0, f"SVG is over {MAX_SVG_BYTES // 1_000_000} MB (uncompressed); refused")]
    finder = _ActiveParts(shown)
    try:
        finder.parse(data)
    except expat.ExpatError as exc:
        finder.problems.append(
            ContentError(shown, exc.lineno, f"not well-formed XML ({expat.errors.messages[exc.code]}); refused")
        )
    return finder.problems


def _read(path: Path) -> bytes | None:
    """The file's XML (uncompressed for .svgz), or None when it is bigger than MAX_SVG_BYTES."""
    opener = gzip.open if path.name.lower().endswith(".svgz") else open
    with opener(path, "rb") as stream:
        data = stream.read(MAX_SVG_BYTES + 1)
    return None if len(data) > MAX_SVG_BYTES else data


class _ActiveParts:
    """An expat pass over an SVG noting each element, attribute and processing instruction that runs code."""

    def __init__(self, shown: str):
        self.shown = shown
        self.problems: list[ContentError] = []
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.StartElementHandler = self._element
        self.parser.ProcessingInstructionHandler = self._instruction

    def parse(self, data: bytes) -> None:
        self.parser.Parse(data, True)

    def _problem(self, message: str) -> None:
        self.problems.append(ContentError(self.shown, self.parser.CurrentLineNumber, f"{message}; {_HINT}"))

    def _element(self, name: str, attributes: dict[str, str]) -> None:
        local = _local(name)
        if local.casefold() in ACTIVE_ELEMENTS:
            self._problem(f"SVG has a <{local}> element, which can run script when the file is opened")
        for attribute, value in attributes.items():
            key = _local(attribute)
            if key.casefold().startswith("on"):
                self._problem(f"SVG has an event handler ({key}=...), which runs script")
            elif _SCRIPT_URL.search(_IGNORED_IN_URLS.sub("", value).casefold()):
                self._problem(f"SVG has a script address in {key}=..., which runs script")
            elif key == "attributeName" and value.strip().casefold().startswith("on"):
                self._problem(f"SVG animates the event handler {value.strip()}, which runs script")

    def _instruction(self, target: str, data: str) -> None:
        if target == "xml-stylesheet" and "xsl" in data.casefold():
            self._problem("SVG asks for an XSLT stylesheet, which can turn it into a page with scripts")


def _local(name: str) -> str:
    """An element or attribute name without its namespace (expat gives 'namespace name')."""
    return name.rpartition(" ")[2]
