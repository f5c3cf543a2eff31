"""The related-articles ranking must give exactly what the plain definition gives, on any site.

``reference`` is the ranking Byline used before issue 20 made it linear (bitmasks over
every article), kept here as the definition the faster ``related.rank`` is held to.
"""

from __future__ import annotations

import random
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from byline.site import related
from byline.site.model import RELATED_LIMIT

Keyed = related.Keyed


def reference(articles: Keyed, limit: int = RELATED_LIMIT) -> dict[str, tuple[str, ...]]:
    """Other articles by topics shared, then position: at_least[k] holds those sharing k topics or more."""
    masks: dict[str, int] = defaultdict(int)
    for index, (_, slugs) in enumerate(articles):
        for slug in slugs:
            masks[slug] |= 1 << index
    ranked = {}
    for index, (source, slugs) in enumerate(articles):
        at_least = [0] * (len(slugs) + 1)
        for slug in slugs:
            mask = masks[slug]
            for k in range(len(slugs), 1, -1):
                at_least[k] |= at_least[k - 1] & mask
            at_least[1] |= mask
        chosen: list[int] = []
        taken = 1 << index
        for k in range(len(slugs), 0, -1):
            candidates = at_least[k] & ~taken
            while candidates and len(chosen) < limit:
                lowest = candidates & -candidates
                chosen.append(lowest.bit_length() - 1)
                candidates ^= lowest
                taken |= lowest
            if len(chosen) == limit:
                break
        ranked[source] = tuple(articles[i][0] for i in chosen)
    return ranked


def keyed(topic_sets: list[frozenset[str]]) -> Keyed:
    return tuple((f"content/articles/a{i}.md", tuple(sorted(topics))) for i, topics in enumerate(topic_sets))


TOPICS = st.frozensets(st.sampled_from("abcdefghij"), max_size=related.SUBSET_LIMIT + 3)


@settings(max_examples=400, deadline=None)
@given(st.lists(TOPICS, max_size=40), st.integers(min_value=1, max_value=7))
def test_ranking_equals_the_reference_on_any_site(topic_sets: list[frozenset[str]], limit: int) -> None:
    articles = keyed(topic_sets)
    assert related.rank(articles, limit) == reference(articles, limit)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.frozensets(st.sampled_from("abcd"), max_size=4), max_size=60))
def test_ranking_equals_the_reference_when_many_articles_share_every_topic(topic_sets: list[frozenset[str]]) -> None:
    """Few topics: many ties, many articles with the very same set, lists cut short at every level."""
    articles = keyed(topic_sets)
    assert related.rank(articles, RELATED_LIMIT) == reference(articles, RELATED_LIMIT)


def test_ranking_equals_the_reference_on_a_site_shaped_like_the_benchmark() -> None:
    """A few thousand articles with one to eight topics of a few hundred, some far more used than others."""
    rng = random.Random(20)
    names = [f"topic-{n:03d}" for n in range(300)]
    weights = [1 / (n + 1) for n in range(300)]
    sets = [frozenset(rng.choices(names, weights, k=rng.choice([0, 1, 2, 3, 4, 5, 8]))) for _ in range(3000)]
    articles = keyed(sets)
    assert related.rank(articles, RELATED_LIMIT) == reference(articles, RELATED_LIMIT)


def test_the_ranking_keeps_the_articles_order() -> None:
    articles = keyed([frozenset("b"), frozenset(), frozenset("ab"), frozenset("a")])
    ranked = related.rank(articles, RELATED_LIMIT)
    assert list(ranked) == [source for source, _ in articles]
    assert ranked == {
        "content/articles/a0.md": ("content/articles/a2.md",),
        "content/articles/a1.md": (),
        "content/articles/a2.md": ("content/articles/a0.md", "content/articles/a3.md"),
        "content/articles/a3.md": ("content/articles/a2.md",),
    }
