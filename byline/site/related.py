"""Related articles: for each article, the others sharing most of its topics, newest first among equals.

The ranking is exact and costs in proportion to the articles, not their square:
docs/design.md, "Related articles in linear time", says how and why.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from itertools import combinations

SUBSET_LIMIT = 6  # sets of more topics are ranked by counting every article that shares one

Keyed = tuple[tuple[str, tuple[str, ...]], ...]  # (source, its distinct topic slugs sorted), newest first


def rank(articles: Keyed, limit: int) -> dict[str, tuple[str, ...]]:
    """Each article's first ``limit`` others by topics shared (most first), then by position in ``articles``.

    Articles sharing no topic are never listed; one without topics has none.
    """
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)  # a set of topics -> its articles, in order
    for index, (_, slugs) in enumerate(articles):
        groups[slugs].append(index)
    table = _Table(groups, limit + 1)
    names = [source for source, _ in articles]
    found: list[tuple[str, ...]] = [()] * len(articles)
    for slugs, members in groups.items():
        best = table.best(slugs)  # the same for every article of the set, whose own members it may hold
        ranked = tuple([names[i] for i in best])
        for index in members:
            if index in best:
                at = best.index(index)
                found[index] = (ranked[:at] + ranked[at + 1 :])[:limit]
            else:
                found[index] = ranked[:limit]
    return dict(zip(names, found, strict=True))


class _Table:
    """The first few articles holding each subset of each set of topics, to rank any set from."""

    def __init__(self, groups: Mapping[tuple[str, ...], list[int]], keep: int):
        self.keep = keep
        self.firsts: dict[tuple[str, ...], list[int]] = {}  # subsets of sets of at most SUBSET_LIMIT topics
        self.many: dict[str, list[int]] = defaultdict(list)  # topic -> its articles with more topics than that
        self.every: dict[str, list[int]] = {}  # topic -> all its articles, made only for a set of many topics
        self._groups = groups
        held_by = self.firsts.get
        for slugs, members in groups.items():  # in order of their first articles
            if len(slugs) > SUBSET_LIMIT:
                for slug in slugs:
                    self.many[slug] += members
                continue
            newest = members[:keep]
            for size in range(1, len(slugs) + 1):
                for subset in combinations(slugs, size):
                    held = held_by(subset)
                    if held is None:
                        self.firsts[subset] = newest
                    elif len(held) < keep or held[-1] > newest[0]:
                        self.firsts[subset] = sorted(held + newest)[:keep]

    def best(self, slugs: tuple[str, ...]) -> list[int]:
        """The ``keep`` articles sharing most of ``slugs``, newest first among equals, those holding it all included."""
        if len(slugs) > SUBSET_LIMIT:
            return _most_shared(slugs, self._every(), self.keep)
        shared = _counted(self.many[s] for s in slugs if s in self.many) if self.many else None
        firsts, keep = self.firsts, self.keep
        chosen: list[int] = []
        for size in range(len(slugs), 0, -1):
            if size == len(slugs) and not shared:
                chosen = list(firsts[slugs])  # those holding them all: sorted, and none chosen yet
            else:
                pool = {i for subset in combinations(slugs, size) for i in firsts[subset]}
                if shared:
                    pool.update(i for i, n in shared.items() if n >= size)
                pool.difference_update(chosen)
                chosen += sorted(pool)[: keep - len(chosen)]
            if len(chosen) == keep:
                break
        return chosen

    def _every(self) -> dict[str, list[int]]:
        if not self.every:
            every: dict[str, list[int]] = defaultdict(list)
            for slugs, members in self._groups.items():
                for slug in slugs:
                    every[slug] += members
            self.every = every
        return self.every


def _counted(lists: Iterable[list[int]]) -> Counter[int]:
    """How many of ``lists`` each article is in."""
    counts: Counter[int] = Counter()
    for items in lists:
        counts.update(items)
    return counts


def _most_shared(slugs: tuple[str, ...], every: Mapping[str, list[int]], keep: int) -> list[int]:
    counts = _counted(every[s] for s in slugs if s in every)
    return [i for i, _ in heapq.nsmallest(keep, counts.items(), key=lambda item: (-item[1], item[0]))]
