"""The content model: frozen records of what editors wrote, with no I/O and no settings look-ups."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

PACKING_LEVEL = 1  # zlib's fastest (docs/design.md, "Bodies held packed")


class Html(str):
    """Sanitised HTML that pages show (an article's body, a bio): a str, with its digest.

    A body is most of the bytes of an article's view, and a build fingerprints every
    article page and hashes every search document; the digest is worked out once, the
    first time either asks, and stands in for the text in both. Unpacking makes one, and
    the views pass the same object on when they leave it unchanged, never a copy.
    """

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.encode()).hexdigest()  # SHA-256: CPUs hash it in hardware


def pack_html(html: str) -> bytes:
    """HTML as a parse result holds it: UTF-8, compressed (see ``Rendered.html``)."""
    return zlib.compress(html.encode("utf-8", "surrogatepass"), PACKING_LEVEL)


def unpack_html(packed: bytes) -> Html:
    """The HTML ``pack_html`` packed, as a new Html each time."""
    return Html(zlib.decompress(packed).decode("utf-8", "surrogatepass"))


@dataclass(frozen=True, slots=True)
class Rendered:
    """Markdown turned into safe HTML, with the plain text facts derived from it.

    The HTML is held packed: an archive's bodies are most of what a build holds of the site,
    and a build that renders a few pages reads a few of them (docs/design.md, "Bodies held packed").
    An article's decoded from the cache is not held at all: ``packed`` is None, and the render
    reads it back through ``Facts.packed_body`` (docs/design.md, "Bodies left in the cache").
    """

    packed: bytes | None  # the HTML, as ``pack_html`` makes it; None: left in the cache
    first_paragraph: str
    word_count: int
    images: tuple[str, ...] = ()  # the src of each <img> in ``html``, in order: found once, when parsed
    hrefs: tuple[str, ...] = ()  # the href of each <a> in ``html``, in order: checked on every build
    embeds: tuple[str, ...] = ()  # the provider of each click-to-load embed (``embeds``), in order
    removed: tuple[tuple[str, str], ...] = ()  # what sanitising took out: message, and text showing where

    @property
    def html(self) -> Html:
        """The HTML, unpacked anew at each call: a caller that wants it again keeps it."""
        if self.packed is None:
            raise LookupError("this body was left in the cache: read it through Facts.packed_body")
        return unpack_html(self.packed)


@dataclass(frozen=True, slots=True)
class Correction:
    """A dated correction notice shown on the article and in its feed entry."""

    date: datetime
    note: str


@dataclass(frozen=True, slots=True)
class Author:
    """An author profile from content/authors/<slug>.md."""

    slug: str
    name: str
    source: str
    bio: Rendered
    role: str | None = None
    organisation: str | None = None
    avatar: str | None = None
    links: tuple[tuple[str, str], ...] = ()
    company: str | None = None  # the slug of the member company they post for
    lines: Mapping[str, int] = field(default_factory=dict)

    def line(self, key: str) -> int:
        """Return the line of a front-matter key, falling back to 1."""
        return self.lines.get(key) or 1


@dataclass(frozen=True, slots=True)
class Company:
    """A member company from content/companies/<slug>.md; ``about`` is its "notes to editors" text."""

    slug: str
    name: str
    source: str
    about: Rendered
    website: str | None = None
    logo: str | None = None
    logo_alt: str | None = None
    sector: str | None = None
    region: str | None = None
    contact: str | None = None
    lines: Mapping[str, int] = field(default_factory=dict)

    def line(self, key: str) -> int:
        """Return the line of a front-matter key, falling back to 1."""
        return self.lines.get(key) or 1


@dataclass(frozen=True, slots=True)
class Article:
    """One article as written; ``lines`` maps front-matter keys to their line for later errors."""

    source: str
    title: str
    date: datetime
    authors: tuple[str, ...]  # author slugs, the byline's order
    section: str
    slug: str
    body: Rendered
    summary: str
    tags: tuple[str, ...] = ()
    region: str | None = None
    image: str | None = None
    image_alt: str | None = None
    image_credit: str | None = None
    updated: datetime | None = None
    corrections: tuple[Correction, ...] = ()
    aliases: tuple[str, ...] = ()
    id: str | None = None
    draft: bool = False
    company: str | None = None  # as written; the model stage defaults it to an author's company
    meta: Mapping[str, Any] = field(default_factory=dict)
    lines: Mapping[str, int] = field(default_factory=dict)

    def line(self, key: str) -> int:
        """Return the line of a front-matter key, falling back to the title's, then 1."""
        return self.lines.get(key) or self.lines.get("title") or 1

    @property
    def modified(self) -> datetime:
        """The latest of date, updated and correction dates: what feeds call 'updated'."""
        moments = [self.date, *(c.date for c in self.corrections)]
        if self.updated:
            moments.append(self.updated)
        return max(moments)


@dataclass(frozen=True, slots=True)
class Unfinished:
    """A file that failed to load, with what can still be checked of it: every problem of a file shows in one run.

    A bad date must not hide a misspelt author or a missing picture until the next run.
    """

    source: str
    kind: str  # "article", "author", "company" or "page"
    body: Rendered
    authors: tuple[str, ...] = ()  # an article's author slugs, those that read as one
    company: str | None = None  # the company it names, when it reads as a slug
    image: str | None = None  # an article's lead picture, when it reads as an address
    draft: bool = False
    lines: Mapping[str, int] = field(default_factory=dict)

    def line(self, key: str) -> int:
        """Return the line of a front-matter key, falling back to the title's, then 1."""
        return self.lines.get(key) or self.lines.get("title") or 1


@dataclass(frozen=True, slots=True)
class Page:
    """A standalone page from content/pages/<slug>.md."""

    source: str
    slug: str
    title: str
    body: Rendered
    summary: str
    meta: Mapping[str, Any] = field(default_factory=dict)
    lines: Mapping[str, int] = field(default_factory=dict)
