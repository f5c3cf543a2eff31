"""What Pagefind indexes: one small document per published article, made from its view, and its shard.

A shard's key digests exactly what its documents show, so a build re-indexes only the
shards whose documents changed (docs/design.md, "Search").
"""

from __future__ import annotations

import hashlib
import html
import inspect
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from byline.output.plan import SitePlan

SEARCH_VERSION = "5"  # change when the documents or the way they are indexed change
SHARD_CAP = 2500  # a year with more articles than this is split into one shard per month
# Footnote markers and back-links: digits and arrows that would only clutter result excerpts.
_FOOTNOTE_LINKS = re.compile(r'<a class="footnote-(?:ref|backref)"[^>]*>.*?</a>', re.S)


@dataclass(frozen=True)
class SearchDocument:
    """What Pagefind indexes for one article: its output path (which gives the result URL), shard and content.

    ``identity`` digests what the document shows, so a shard's key is known without
    making its documents; ``view`` makes what it shows, only when its shard is indexed.
    """

    path: str
    source: str
    language: str
    shard: str
    identity: str
    view: Callable[[], Mapping[str, Any]] = field(compare=False, repr=False)

    @property
    def html(self) -> str:
        """The document as indexed, made each time it is asked for: it is written once, for Pagefind."""
        return _document(self.view(), self.language, self.shard)


def assign_shards(dates: list[str], cap: int = SHARD_CAP) -> list[str]:
    """The shard of each ISO date (``YYYY-MM-...``): its year, or its month when the year holds more than ``cap``.

    The newest month is always a shard of its own, since editors publish and correct
    there and a month re-indexes faster than a year; when a newer month begins, the last
    one joins its year, which is then indexed again, once.
    """
    per_year = Counter(date[:4] for date in dates)
    newest = max((date[:7] for date in dates), default="")
    return [date[:7] if date[:7] == newest or per_year[date[:4]] > cap else date[:4] for date in dates]


def search_documents(plan: SitePlan, known: Mapping[str, str] | None = None) -> list[SearchDocument]:
    """One document per published article; the last build's ``known`` identities (fact -> identity) spare making views."""
    views, known = plan.views, known or {}
    language = plan.facts.config.language
    entries = plan.searchable()
    shards = assign_shards([month for _, _, month in entries], SHARD_CAP)
    documents = []
    for (path, article, _), shard in zip(entries, shards, strict=True):
        fact = f"v|search|{article.source}"
        identity = views.made_identity(fact) or known.get(fact)
        if identity is None:
            views.search(article)
            identity = views.made_identity(fact)
            assert identity is not None
        view = partial(views.search, article)
        documents.append(SearchDocument(path, article.source, language, shard, identity, view))
    return documents


def shards_of(documents: list[SearchDocument]) -> dict[str, list[SearchDocument]]:
    """The documents of each shard, newest shard first, each shard's in path order."""
    shards: dict[str, list[SearchDocument]] = {}
    for document in sorted(documents, key=lambda d: d.path):
        shards.setdefault(document.shard, []).append(document)
    return {name: shards[name] for name in sorted(shards, reverse=True)}


def shard_members(documents: list[SearchDocument]) -> str:
    """A digest of which documents a shard holds and what each shows (``documents`` in path order)."""
    digest = hashlib.sha256()
    for document in documents:
        digest.update(f"{document.path}\0{document.language}\0{document.identity}\n".encode())
    return digest.hexdigest()


def _document(view: Mapping[str, Any], language: str, shard: str) -> str:
    """A minimal page: indexed text in <main>; filters, sort key and meta in an unindexed block."""
    title, summary, body_html = view["title"], view["summary"], view["body_html"]
    section, authors, company, tags, region = (
        view["section"],
        view["authors"],
        view["company"],
        view["tags"],
        view["region"],
    )
    display, iso, epoch = view["date"]
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


def index_key(documents: list[SearchDocument], code: bool) -> str:
    """Everything a shard's bundle depends on: its documents, whether it carries the search code, the versions."""
    version = f"{SEARCH_VERSION}|{_DOCUMENT_CODE}|pagefind={_pagefind_version()}|code={code}"
    shard = documents[0].shard if documents else ""
    return hashlib.sha256(f"{version}|{shard}|{shard_members(documents)}".encode()).hexdigest()


@lru_cache(maxsize=1)
def _pagefind_version() -> str:
    """Asked for every shard's key: the installed distributions are looked through once."""
    for name in ("pagefind-bin-extended", "pagefind-bin", "pagefind"):
        try:
            return f"{name}={version(name)}"
        except PackageNotFoundError:
            continue
    return "unknown"
