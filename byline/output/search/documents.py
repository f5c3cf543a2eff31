"""What Pagefind indexes: one small document per published article, made from its view, and its shard.

A shard's key digests exactly what its documents show, so a build re-indexes only the
shards whose documents changed (docs/design.md, "Search").
"""

from __future__ import annotations

import hashlib
import html
import inspect
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from byline.content.markup import Html

SEARCH_VERSION = "4"  # change when the documents or the way they are indexed change
SHARD_CAP = 2500  # a year with more articles than this is split into one shard per month
# Footnote markers and back-links: digits and arrows that would only clutter result excerpts.
_FOOTNOTE_LINKS = re.compile(r'<a class="footnote-(?:ref|backref)"[^>]*>.*?</a>', re.S)


@dataclass(frozen=True)
class SearchDocument:
    """What Pagefind indexes for one article: its output path (which gives the result URL) and shard."""

    path: str
    article: Mapping[str, Any]  # the article's view
    language: str
    shard: str

    @cached_property
    def fields(self) -> tuple[Any, ...]:
        """What of the article the document shows: the document is made from these, the language and the shard."""
        return _fields(self.article)

    @property
    def html(self) -> str:
        """The document as indexed; its shard is a filter, so it is part of the document.

        Made each time it is asked for, never kept: it is written once, for Pagefind, and
        every document's HTML held at once would weigh on a cold build's memory.
        """
        return _document(self.fields, self.language, self.shard)


def assign_shards(dates: list[str], cap: int = SHARD_CAP) -> list[str]:
    """The shard of each ISO date (``YYYY-MM-...``): its year, or its month when the year holds more than ``cap``.

    The newest month is always a shard of its own, since editors publish and correct
    there and a month re-indexes faster than a year; when a newer month begins, the last
    one joins its year, which is then indexed again, once.
    """
    per_year = Counter(date[:4] for date in dates)
    newest = max((date[:7] for date in dates), default="")
    return [date[:7] if date[:7] == newest or per_year[date[:4]] > cap else date[:4] for date in dates]


def search_documents(outputs: Iterable[Any], language: str) -> list[SearchDocument]:
    """One document per published article page among ``outputs``; nothing else is searchable."""
    found = []
    for output in outputs:
        article = output.context.get("article") if output.kind == "article" else None
        if article is None or article["status"] != "published":
            continue
        found.append((output.path, article))
    # The date in the site's timezone, as in the URL.
    shards = assign_shards([article["date"]["iso"] for _, article in found], SHARD_CAP)
    return [
        SearchDocument(path, article, language, shard) for (path, article), shard in zip(found, shards, strict=True)
    ]


def shards_of(documents: list[SearchDocument]) -> dict[str, list[SearchDocument]]:
    """The documents of each shard, newest shard first, each shard's in path order."""
    shards: dict[str, list[SearchDocument]] = {}
    for document in sorted(documents, key=lambda d: d.path):
        shards.setdefault(document.shard, []).append(document)
    return {name: shards[name] for name in sorted(shards, reverse=True)}


def _fields(article: Mapping[str, Any]) -> tuple[Any, ...]:
    """The parts of an article view a search document shows, and nothing else.

    Shards are keyed by these rather than by the whole view, which also holds related
    articles and the author's profile: a new article changes the related lists of
    articles in every year, and must not re-index every year.
    """
    region = article["region"]["name"] if article["region"] else None
    company = article["company"]["name"] if article["company"] else None
    date = article["date"]
    tags = tuple(tag["name"] for tag in article["tags"])
    return (
        article["title"],
        article["summary"],
        article["body_html"],
        article["section"]["title"],
        tuple(author["name"] for author in article["authors"]),
        company,
        tags,
        region,
        (date["display"], date["iso"], date["epoch"]),
    )


def _document(fields: tuple[Any, ...], language: str, shard: str) -> str:
    """A minimal page: indexed text in <main>; filters, sort key and meta in an unindexed block."""
    title, summary, body_html, section, authors, company, tags, region, (display, iso, epoch) = fields
    e = html.escape
    filters = [("section", section)]
    if company:
        filters.append(("company", company))
    filters += [("author", author) for author in authors]
    filters += [("topic", tag) for tag in tags]
    if region:
        filters.append(("region", region))
    filters.append(("shard", shard))  # lets the search page ask one shard at a time
    details = "".join(f'<span data-pagefind-filter="{k}">{e(v)}</span>' for k, v in filters)
    # Searchable too (Pagefind searches metadata): a search for "energy" finds articles on the topic.
    about = {"author": ", ".join(authors), "topics": ", ".join(tags)}
    if company:
        about["company"] = company
    if region:
        about["region"] = region
    details += "".join(f'<span data-pagefind-meta="{k}">{e(v)}</span>' for k, v in about.items() if v)
    details += f'<span data-pagefind-meta="date">{e(display)}</span>'
    details += f'<span data-pagefind-meta="iso">{e(iso)}</span>'
    details += f'<span data-pagefind-sort="date">{epoch:012d}</span>'
    return (
        f'<!doctype html><html lang="{e(language)}"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"</head><body><main><h1>{e(title)}</h1><p>{e(summary)}</p>\n"
        f"{_FOOTNOTE_LINKS.sub('', body_html)}\n"
        f"</main><div data-pagefind-ignore>{details}</div></body></html>\n"
    )


# The code that makes documents from their fields: a change to it re-indexes every shard.
_DOCUMENT_CODE = hashlib.sha256(f"{inspect.getsource(_document)}|{_FOOTNOTE_LINKS.pattern}".encode()).hexdigest()[:16]


def index_key(documents: list[SearchDocument], code: bool, digests: DocumentDigests | None = None) -> str:
    """Everything the bundle depends on: the documents, whether it carries the search code, the versions."""
    version = f"{SEARCH_VERSION}|{_DOCUMENT_CODE}|pagefind={_pagefind_version()}|code={code}"
    digest = hashlib.sha256(version.encode())
    of = (digests or DocumentDigests()).digest
    for document in documents:
        digest.update(of(document))
    return digest.hexdigest()


def _document_digest(document: SearchDocument) -> bytes:
    """A document's digest: it is made from its fields, language and shard alone."""
    title, summary, body_html, *rest = document.fields
    # The body (most of the bytes) is hashed as it is, after its length, not through repr().
    # A view's body (``markup.Html``) brings its own digest, shared with its page's fingerprint.
    body = f"$${body_html.digest}" if type(body_html) is Html else f"\0{body_html}"
    head = _dumps([document.path, document.language, document.shard, title, summary, rest, len(body_html)])
    return hashlib.sha256(f"{head}{body}".encode()).digest()


class DocumentDigests:
    """Each search document's digest, kept from one indexing to the next, so the preview hashes only what changed.

    A document is looked up by everything it is made from; ``keep_only`` forgets the
    rest. One indexing uses it at a time (``PreviewSearch`` runs them one after another).
    """

    def __init__(self) -> None:
        self._known: dict[tuple[Any, ...], bytes] = {}

    def digest(self, document: SearchDocument) -> bytes:
        key = _identity(document)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = _document_digest(document)
        return found

    def keep_only(self, documents: Iterable[SearchDocument]) -> None:
        if not self._known:  # a build's own memo, new and empty: nothing to forget, no identities to make
            return
        wanted = {_identity(d) for d in documents}
        self._known = {key: value for key, value in self._known.items() if key in wanted}


def _identity(document: SearchDocument) -> tuple[Any, ...]:
    """Everything a document is made from; its body's hash is Python's cached str hash, so lookups are cheap."""
    return (document.path, document.language, document.shard, document.fields)


_dumps = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


@lru_cache(maxsize=1)
def _pagefind_version() -> str:
    """Asked for every shard's key: the installed distributions are looked through once."""
    for name in ("pagefind-bin-extended", "pagefind-bin", "pagefind"):
        try:
            return f"{name}={version(name)}"
        except PackageNotFoundError:
            continue
    return "unknown"
