"""The model of the last build, kept in memory and brought up to date when an edit leaves its shape alone.

Most saves in the preview change an article's text (its body, summary or corrections),
which no grouping, order or cross-file check reads; then the new model is the last one with
the edited files' models swapped in, made in milliseconds instead of modelling the archive again
(docs/design.md, "A model kept between builds").
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from byline.config import SiteConfig
from byline.content.models import Article, Author, Company, Page, Unfinished
from byline.errors import ContentError
from byline.site.model import Group, Month, Site, Year, local_month, region_slug

Model = Article | Author | Company | Page

# Every field ``build_site`` reads of each kind of file (tests/unit/test_kept.py holds it to that).
MODEL_FIELDS: dict[type, tuple[str, ...]] = {
    Article: (
        "source",
        "date",
        "authors",
        "section",
        "slug",
        "tags",
        "region",
        "aliases",
        "id",
        "draft",
        "company",
        "lines",
    ),
    Author: ("source", "slug", "name", "company", "lines"),
    Company: ("source", "slug", "name", "lines"),
    Page: ("source", "slug", "lines"),
}

T = TypeVar("T")
RelatedIn = Mapping[str, list[str]]


@dataclass(frozen=True)
class Settings:
    """What the model is made under besides the files: a change to any of them models the site again."""

    config: SiteConfig
    drafts: bool
    future: bool


@dataclass(frozen=True)
class KeptModel:
    """A model with what it was made from: each file's loaded model (by source), the settings and the clock."""

    settings: Settings
    now: datetime
    due: datetime | None  # the first moment the clock alone changes an article's status
    models: Mapping[str, Model | Unfinished]
    site: Site
    problems: tuple[ContentError, ...]
    related_in: RelatedIn | None = None  # see ``related_lists``: made at the first edit, and kept
    # The same object for as long as the model is only refreshed: what is made from the site's lists,
    # maps and the fields MODEL_FIELDS names, and nothing else, can be kept under it.
    shape: object = field(default_factory=object, compare=False)


def keep(
    settings: Settings,
    now: datetime,
    models: Mapping[str, Model | Unfinished],
    site: Site,
    problems: Iterable[ContentError],
) -> KeptModel:
    """Remember a model just made, to bring up to date at the next build."""
    return KeptModel(settings, now, _due(models.values(), now), dict(models), site, tuple(problems))


def refreshed(
    kept: KeptModel | None,
    settings: Settings,
    now: datetime,
    models: Mapping[str, Model | Unfinished],
    changed: Collection[str] | None = None,
) -> KeptModel | None:
    """The kept model brought up to ``models``, or None when it must be made again (see ``model_key``).

    Unchanged files are the very objects the last build loaded (the parse results are kept
    in memory), so finding the changed ones is a comparison of references: of every file,
    or of those in ``changed`` when the caller knows that no other file's model can differ.
    """
    if kept is None or settings != kept.settings or models.keys() != kept.models.keys():
        return None
    if now < kept.now or (kept.due is not None and kept.due <= now):
        return None
    swapped: dict[str, Model] = {}
    looked = models.items() if changed is None else [(s, models[s]) for s in changed if s in models]
    for source, model in looked:
        old = kept.models[source]
        if model is old:
            continue
        if isinstance(model, Unfinished) or isinstance(old, Unfinished) or model_key(model) != model_key(old):
            return None
        swapped[source] = model
    if not swapped:
        return replace(kept, now=now)
    related_in = kept.related_in if kept.related_in is not None else related_lists(kept.site)
    site = _swap_site(kept.site, swapped, kept.models, related_in)
    return replace(kept, now=now, models=dict(models), site=site, related_in=related_in)


def model_key(model: Model) -> tuple[Any, ...]:
    """The fields of a file the model reads: files whose keys are equal make the same groupings and problems."""
    return (type(model), *(getattr(model, name) for name in MODEL_FIELDS[type(model)]))


def _due(models: Iterable[Model | Unfinished], now: datetime) -> datetime | None:
    """The earliest date after ``now`` of an article that is not a draft: when it goes from scheduled to published."""
    dates = [m.date for m in models if isinstance(m, Article) and not m.draft and m.date > now]
    return min(dates, default=None)


def _swap_site(
    site: Site, swapped: Mapping[str, Model], old: Mapping[str, Model | Unfinished], related_in: RelatedIn
) -> Site:
    """``site`` with each model in ``swapped`` put where ``old``, the model of the same file, was."""
    by_id = {id(old[source]): model for source, model in swapped.items()}

    def swap(items: tuple[T, ...]) -> tuple[T, ...]:
        """``items`` with the edited models in place of theirs: passes in C, as lists run to every article."""
        ids = list(map(id, items))
        if by_id.keys().isdisjoint(ids):
            return items
        replaced: list[Any] = list(items)
        for ident, model in by_id.items():
            for at in _places(ids, ident):
                replaced[at] = model
        return tuple(replaced)

    def swap_in(mapping: Mapping[str, tuple[T, ...]], keys: Iterable[str]) -> Mapping[str, tuple[T, ...]]:
        found = {key: swap(mapping[key]) for key in keys if key in mapping}
        return {**mapping, **found} if found else mapping

    articles = [m for m in swapped.values() if isinstance(m, Article)]
    config = site.config
    sections = {a.section for a in articles}
    topics = {site.topic_slug.get(tag) for a in articles for tag in a.tags}
    regions = {region_slug(a) for a in articles}
    years = {local_month(a, config)[0] for a in articles}

    def swap_groups(groups: tuple[Group, ...], holding: set[Any]) -> tuple[Group, ...]:
        """Only the groups an edited article is in (by the fields the grouping read) are looked through."""
        return tuple(_with_articles(g, swap) if g.slug in holding else g for g in groups)

    return replace(
        site,
        articles=swap(site.articles),
        hidden=swap(site.hidden),
        authors=swap(site.authors),
        pages=swap(site.pages),
        companies=swap(site.companies),
        sections=swap_groups(site.sections, sections),
        topics=swap_groups(site.topics, topics),
        regions=swap_groups(site.regions, regions),
        years=tuple(_swap_year(y, swap) if y.year in years else y for y in site.years),
        by_author=swap_in(site.by_author, (slug for a in articles for slug in a.authors)),
        by_company=swap_in(site.by_company, (site.company_of.get(a.source, "") for a in articles)),
        related=swap_in(site.related, (key for a in articles for key in related_in.get(a.source, ()))),
        author={**site.author, **{m.slug: m for m in swapped.values() if isinstance(m, Author)}},
        company={**site.company, **{m.slug: m for m in swapped.values() if isinstance(m, Company)}},
    )


def _places(ids: list[int], ident: int) -> Iterator[int]:
    """Every index of ``ident`` in ``ids``, found by ``list.index``."""
    start = 0
    while True:
        try:
            at = ids.index(ident, start)
        except ValueError:
            return
        yield at
        start = at + 1


def related_lists(site: Site) -> RelatedIn:
    """Article source -> the articles whose related list holds it: which lists an edit of it touches."""
    found: dict[str, list[str]] = {}
    for source, others in site.related.items():
        for other in others:
            found.setdefault(other.source, []).append(source)
    return found


Swap = Callable[[tuple[Article, ...]], tuple[Article, ...]]


def _with_articles(group: Group, swap: Swap) -> Group:
    articles = swap(group.articles)
    return group if articles is group.articles else replace(group, articles=articles)


def _swap_year(year: Year, swap: Swap) -> Year:
    articles = swap(year.articles)
    if articles is year.articles:
        return year
    months = tuple(m if (a := swap(m.articles)) is m.articles else Month(m.year, m.month, a) for m in year.months)
    return Year(year.year, months, articles)
