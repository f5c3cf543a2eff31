"""What Pagefind indexes: one small document per published article, made from its view, and its shard.

A shard's key digests exactly what its documents show, so a build re-indexes only the
shards whose documents changed (docs/design.md, "Search").
"""

from __future__ import annotations

import calendar
import hashlib
import html
import inspect
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache, partial
from importlib.metadata import PackageNotFoundError, version
from itertools import groupby
from typing import Any

from byline.output.plan import SitePlan

SEARCH_VERSION = "5"  # change when the documents or the way they are indexed change
SHARD_CAP = 400  # a period with more articles than this is split into smaller ones: at most this many re-indexed
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
    """The shard of each ISO date: the calendar period around it, made smaller while it holds more than ``cap``.

    So an edit re-indexes at most ``cap`` articles; the rule and its names: docs/design.md, "Search".
    """
    per_day = {date.fromisoformat(day): count for day, count in Counter(text[:10] for text in dates).items()}
    leaves: dict[date, _Period] = {}
    for year, days in groupby(sorted(per_day.items()), key=lambda item: item[0].year):
        _split(_Period(date(year, 1, 1), date(year, 12, 31), "year"), list(days), cap, leaves)
    newest = max(per_day, default=date.min)
    names, named = {}, {period: period.name for period in set(leaves.values())}
    for day, period in leaves.items():
        carved = (day.year, day.month) == (newest.year, newest.month) and period.kind in _CALENDAR
        names[day.isoformat()] = f"{day:%Y-%m}" if carved else named[period]
    return [names[text[:10]] for text in dates]


# The periods longer than a month, each split into periods of the next kind, this many months long.
_CALENDAR = {"year": ("half", 6), "half": ("quarter", 3), "quarter": ("month", 1)}


@dataclass(frozen=True)
class _Period:
    """A span of days a shard can cover: a year, half-year, quarter or month, or days of one month."""

    first: date
    last: date
    kind: str  # "year", "half", "quarter", "month" or "days"

    @property
    def name(self) -> str:
        if self.kind == "year":
            return f"{self.first:%Y}"
        return self.first.isoformat() if self.kind == "days" else f"{self.first:%Y-%m}"

    def parts(self) -> list[_Period]:
        """The periods it splits into; none for a single day."""
        first, last = self.first, self.last
        if self.kind in _CALENDAR:
            kind, months = _CALENDAR[self.kind]
            starts = range(first.month, last.month + 1, months)
            return [_Period(date(first.year, m, 1), _month_end(first.year, m + months - 1), kind) for m in starts]
        if first == last:
            return []
        middle = first + (last - first) // 2
        return [_Period(first, middle, "days"), _Period(middle + timedelta(days=1), last, "days")]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _split(period: _Period, days: list[tuple[date, int]], cap: int, leaves: dict[date, _Period]) -> None:
    """Give each of ``days`` (sorted, in ``period``, with their article counts) its smallest period up to ``cap``."""
    parts = period.parts() if sum(count for _, count in days) > cap else []
    if not parts:
        leaves.update((day, period) for day, _ in days)
        return
    for part in parts:
        inside = [(day, count) for day, count in days if part.first <= day <= part.last]
        if inside:
            _split(part, inside, cap, leaves)


def search_documents(plan: SitePlan, known: Mapping[str, str] | None = None) -> list[SearchDocument]:
    """One document per published article; the last build's ``known`` identities (fact -> identity) spare making views."""
    views, known = plan.views, known or {}
    language = plan.facts.config.language
    entries = plan.searchable()
    shards = assign_shards([day for _, _, day in entries], SHARD_CAP)
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
    title, summary, body_html = view["title"], view["summary"], view["body_html"].unpack()
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
