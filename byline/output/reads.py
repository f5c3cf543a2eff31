"""The site as outputs read it: every look-up is recorded, with what it found, as it happens.

The fact keys and why they are shaped so: docs/design.md, "Dependency-tracked builds".
"""

from __future__ import annotations

import bisect
import hashlib
import inspect
import json
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from byline.content.models import Article, Author, Company, Page
from byline.dates import NEWS_WINDOW
from byline.site.images import ImageCatalog, ImageInfo
from byline.site.model import Group, Month, Site, Year

Reads = dict[str, str]  # fact key -> identity of what was read
_ABSENT = "\x00"  # the identity of a look-up that found nothing
_IDENTITY_MAX = 96  # identities longer than this are kept as a digest
NEWS_SITEMAP_LIMIT = 1_000


class Recorder:
    """Collects reads into nested scopes: an output's, and each shared view it builds.

    ``entities`` gives a content file's identity: the key its parse result is cached
    under, which changes whenever anything in the file, or how it is read, changes.
    """

    def __init__(self, entities: Mapping[str, str] | None = None) -> None:
        self._open: list[Reads | None] = []  # None: a muted scope, whose own reads are dropped
        self.entities: Mapping[str, str] = entities or {}

    @contextmanager
    def scope(self, muted: bool = False) -> Iterator[Reads]:
        """Record the reads of a block apart from its caller's (whose scope gets what the block returns).

        A muted scope drops its own reads unrecorded (a value made from the whole site, read as
        one fact), while the shared views made inside it still record theirs, in scopes of their own.
        """
        reads: Reads = {}
        self._open.append(None if muted else reads)
        try:
            yield reads
        finally:
            self._open.pop()

    @property
    def recording(self) -> bool:
        """Whether a read now is kept: callers skip making an identity nobody keeps."""
        return bool(self._open) and self._open[-1] is not None

    def read(self, key: str, identity: str) -> None:
        if self._open and (reads := self._open[-1]) is not None:
            reads[key] = identity

    def entity(self, value: Any) -> None:
        """Note that a model's content is read (any of it): the fact ``e|<source>``."""
        source = getattr(value, "source", None)
        if self._open and (reads := self._open[-1]) is not None and isinstance(source, str):
            reads[f"e|{source}"] = self.entities.get(source, "")

    def taken(self, value: Any) -> Any:
        """A model as lists and maps hand it out: each field read on its own (``f|<source>|<field>``)."""
        return Taken(value, self) if isinstance(getattr(value, "source", None), str) else value

    def replay(self, reads: Mapping[str, str]) -> None:
        """Record again what a memoised piece read when it was made."""
        if self._open and (top := self._open[-1]) is not None:
            top.update(reads)


class Strings:
    """One copy of each key and identity: outputs read the same facts, and a build holds every output's reads."""

    def __init__(self) -> None:
        self._kept: dict[str, str] = {}
        self.identities: Reads = {}  # every fact ``keys`` was given, with what it read

    def reads(self, reads: Mapping[str, str]) -> Reads:
        """``reads`` with every string replaced by the copy already kept, if there is one."""
        keep = self._kept.setdefault
        return {keep(key, key): keep(found, found) for key, found in reads.items()}

    def keys(self, reads: Mapping[str, str]) -> tuple[str, ...]:
        """The facts of ``reads``, their identities kept once in ``identities``: a fact reads the same all build long."""
        keep = self._kept.setdefault
        keys = tuple(keep(key, key) for key in reads)
        self.identities.update((key, keep(found, found)) for key, found in zip(keys, reads.values(), strict=True))
        return keys


def identity(value: Any) -> str:
    """What a read found, as a string that differs whenever what pages could show from it differs."""
    text = value if type(value) is str else _identity(value)
    if len(text) <= _IDENTITY_MAX:
        return text
    return "#" + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _digest(value: Any) -> str:
    """A digest of a plain value (lists, dicts, strings, numbers), for facts made from the whole site."""
    data = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.blake2b(data.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _map_digest(data: Mapping[str, Any]) -> str:
    """A digest of every key of a map with the identity a look-up of it would record."""
    parts: list[str] = []
    for key, value in data.items():
        parts.append(key)
        parts.append(value if type(value) is str else identity(value))
    return _digest(parts)


def _identity(value: Any) -> str:
    if value is None:
        return _ABSENT
    if isinstance(value, str):
        return value
    if type(value) is tuple:  # before the model test below: a tuple has no source to look for
        return _sequence_identity(value)
    if isinstance(value, bool | int | float):
        return repr(value)
    source = getattr(value, "source", None)
    if isinstance(source, str):  # a model: its content is the entity fact, read where it is used
        return source
    if isinstance(value, Group | TrackedGroup):
        return f"{value.slug}\x1e{value.name}"
    if isinstance(value, Year | Month | TrackedYear | TrackedMonth):
        return f"{value.year}\x1e{getattr(value, 'month', '')}"
    if isinstance(value, list):
        return _sequence_identity(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value)  # a field's other values (a body, corrections, meta): long, so kept as a digest


def _sequence_identity(items: tuple[Any, ...] | list[Any]) -> str:
    """The identities of a list's items joined; most lists read are of models, so their sources are tried first."""
    try:
        return "\x1f".join([item.source for item in items])
    except (AttributeError, TypeError):
        return "\x1f".join([_identity(item) for item in items])


class TrackedMap(Mapping[str, Any]):
    """A map whose look-ups are facts ``m|<name>|<key>``; models it hands out are entity facts too."""

    def __init__(self, name: str, data: Mapping[str, Any], recorder: Recorder):
        self.name = name
        self.data = data
        self.recorder = recorder

    def __getitem__(self, key: str) -> Any:
        value = self.data[key]
        return self._found(key, value)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.data.get(key)
        if value is None:
            self.recorder.read(f"m|{self.name}|{key}", _ABSENT)
            return default
        return self._found(key, value)

    def __contains__(self, key: object) -> bool:
        found = self.data.get(key) if isinstance(key, str) else None
        if isinstance(key, str) and self.recorder.recording:
            self.recorder.read(f"m|{self.name}|{key}", _ABSENT if found is None else identity(found))
        return found is not None

    def _found(self, key: str, value: Any) -> Any:
        if self.recorder.recording:
            self.recorder.read(f"m|{self.name}|{key}", identity(value))
        if isinstance(value, tuple):  # models' contents are read only when taken from the list
            return TakenList(value, self.recorder)
        return self.recorder.taken(value)

    def __iter__(self) -> Iterator[str]:
        raise TypeError(f"iterate the site's lists, not the {self.name} map: the read could not be recorded")

    def __len__(self) -> int:
        raise TypeError(f"count the site's lists, not the {self.name} map")


class TakenList(Sequence[Any]):
    """Models a recorded look-up found: each one's content is an entity fact once it is taken out."""

    def __init__(self, items: tuple[Any, ...], recorder: Recorder):
        self._items = items
        self._recorder = recorder

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: Any) -> Any:
        found = self._items[index]
        if isinstance(index, slice):
            return tuple(self._recorder.taken(item) for item in found)
        return self._recorder.taken(found)

    def __iter__(self) -> Iterator[Any]:
        for item in self._items:
            yield self._recorder.taken(item)


class TrackedList(Sequence[Any]):
    """A named list of the site: its length is ``n|<name>``, each slice read ``s|<name>|<start>|<end>``."""

    def __init__(self, name: str, items: Sequence[Any], recorder: Recorder):
        self.name = name
        self._items = items
        self._recorder = recorder

    def __len__(self) -> int:
        self._recorder.read(f"n|{self.name}", str(len(self._items)))
        return len(self._items)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop = index.start or 0, index.stop  # as asked: a page reads up to 20 whether or not 20 are there
            if index.step not in (None, 1) or start < 0 or (stop is not None and stop < 0):
                raise ValueError("a site list is read in ranges from its start")
            return self.range(start, stop)
        if index < 0:
            index += len(self)  # counted from the end: which member that is depends on the length, so it is read
        return self.range(index, index + 1)[0]

    def range(self, start: int, stop: int | None) -> tuple[Any, ...]:
        """Members ``start`` to ``stop`` (to the end when None: the read is then of all that follow, however many)."""
        part = tuple(self._items[start:stop])
        if self._recorder.recording:
            self._recorder.read(f"s|{self.name}|{start}|{'*' if stop is None else stop}", identity(part))
        return tuple(self._recorder.taken(item) for item in part)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.range(0, None))


class Taken:
    """A model as lists and maps hand it out: its source is free to read, every other field a fact of its own."""

    __slots__ = ("_model", "_recorder")

    def __init__(self, model: Article | Author | Company | Page, recorder: Recorder):
        self._model = model
        self._recorder = recorder

    @property
    def source(self) -> str:
        return self._model.source

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._model, name)
        if self._recorder.recording:
            self._recorder.read(f"f|{self._model.source}|{name}", identity(value))
        return value


class TrackedPictures:
    """The site's pictures, looked up as ``ImageCatalog.get`` is (``body.finish_body`` takes either), each read recorded."""

    def __init__(self, images: ImageCatalog, recorder: Recorder):
        self._images = images
        self._recorder = recorder

    def get(self, src: str | None) -> ImageInfo | None:
        """A picture's measurements (None when it is not one of the site's): the fact ``i|<src>``."""
        if not src:
            return None
        info = self._images.get(src)
        if self._recorder.recording:
            self._recorder.read(f"i|{src}", identity(info))
        return info


@dataclass(frozen=True)
class TrackedGroup:
    """A topic, region or section as the planner reads it: its articles a tracked list of their own."""

    slug: str
    name: str
    articles: TrackedList


@dataclass(frozen=True)
class TrackedMonth:
    year: int
    month: int
    articles: TrackedList


@dataclass(frozen=True)
class TrackedYear:
    year: int
    months: TrackedList
    articles: TrackedList


def _dated(articles: Sequence[Article], start: datetime, end: datetime) -> Sequence[Article]:
    """The articles dated from ``start`` to ``end``, of a list newest first: found by bisection, not a pass."""
    first = bisect.bisect_left(articles, -end.timestamp(), key=_timestamp_negated)
    return articles[first : bisect.bisect_right(articles, -start.timestamp(), key=_timestamp_negated)]


def _timestamp_negated(article: Article) -> float:
    return -article.date.timestamp()


@dataclass
class Facts:
    """The Site, its pictures and the clock, reachable only through recorded reads.

    ``templates`` gives a template's digest (with everything it includes).
    """

    site: Site
    images: ImageCatalog = field(default_factory=ImageCatalog)
    now: datetime | None = None
    recorder: Recorder = field(default_factory=Recorder)
    templates: Callable[[str], str] | None = None
    # Values made from the site's shape alone (its lists, maps and models' keys, not their text), kept by
    # a caller that knows this site has the shape of the last one it passed them for (site.kept.KeptModel).
    shaped: dict[str, Any] | None = None
    # An article's parsed body, packed, by its source, for the articles the model holds without it.
    bodies: Callable[[str], bytes] | None = None

    def __post_init__(self) -> None:
        site, recorder = self.site, self.recorder
        self.config = site.config
        self._groups: dict[str, TrackedGroup] = {}
        self._months: dict[str, TrackedMonth] = {}
        self._years: dict[str, TrackedYear] = {}
        self.articles = self._list("articles", site.articles)
        self.authors = self._list("authors", site.authors)
        self.pages = self._list("pages", site.pages)
        self.companies = self._list("companies", site.companies)
        self.sections = self._list("sections", [self._group("section", g) for g in site.sections])
        self.topics = self._list("topics", [self._group("topic", g) for g in site.topics])
        self.regions = self._list("regions", [self._group("region", g) for g in site.regions])
        self.years = self._list("years", [self._year(y) for y in site.years])
        now = self.now
        recent = [] if now is None else list(_dated(site.articles, now - NEWS_WINDOW, now))[:NEWS_SITEMAP_LIMIT]
        self.recent = self._list("recent", recent)
        self.url_of = TrackedMap("url_of", site.url_of, recorder)
        self.status_of = TrackedMap("status_of", site.status_of, recorder)
        self.topic_slug = TrackedMap("topic_slug", site.topic_slug, recorder)
        self.author = TrackedMap("author", site.author, recorder)
        self.company = TrackedMap("company", site.company, recorder)
        self.company_of = TrackedMap("company_of", site.company_of, recorder)
        self.by_author = TrackedMap("by_author", site.by_author, recorder)
        self.by_company = TrackedMap("by_company", site.by_company, recorder)
        self.related = TrackedMap("related", site.related, recorder)
        self.article = TrackedMap("article", {a.source: a for a in (*site.articles, *site.hidden)}, recorder)
        self.page = TrackedMap("page", {p.source: p for p in site.pages}, recorder)
        self.topic_name = TrackedMap("topic_name", {g.slug: g.name for g in site.topics}, recorder)
        self.region_name = TrackedMap("region_name", {g.slug: g.name for g in site.regions}, recorder)
        self.group = TrackedMap("group", self._groups, recorder)
        self.pictures = TrackedPictures(self.images, recorder)
        models: tuple[Article | Author | Company | Page, ...] = (
            *site.articles,
            *site.hidden,
            *site.authors,
            *site.pages,
        )
        self._models = {m.source: m for m in models}
        self._models.update((c.source, c) for c in site.company.values())
        self._computed: dict[str, Callable[[], Callable[[], Any] | None]] = {}
        self._of_shape: set[str] = set()  # the computed values made from the site's shape alone
        self._made: dict[str, tuple[Any, str]] = {}
        self._maps = {name: value.data for name, value in vars(self).items() if isinstance(value, TrackedMap)}
        self._map_digests: dict[str, str] | None = None

    # --- reads that are not map look-ups ------------------------------------------------
    def compute(self, name: str, make: Callable[[], Any], of_shape: bool = False) -> None:
        """Say how the value ``name`` is made from the whole site (before any build compares facts).

        ``of_shape``: it reads only the site's shape (see ``shaped``), so a value kept there is used.
        A method is held weakly: its object (the planner) holds these facts, and must not be held back by them.
        """
        self._computed[name] = weakref.WeakMethod(make) if inspect.ismethod(make) else (lambda: make)
        if of_shape:
            self._of_shape.add(name)

    def computed(self, name: str) -> Any:
        """The value ``name`` (see ``compute``); the caller reads it as ``c|<name>``, not what went into it."""
        found = self._make(name)
        assert found is not None, f"the maker of {name} is gone"
        self.recorder.read(f"c|{name}", found[1])
        return found[0]

    def _make(self, name: str) -> tuple[Any, str] | None:
        """A computed value and its digest, made once per build; None when there is no maker of ``name``."""
        found = self._made.get(name)
        if found is not None:
            return found
        kept = self.shaped if self.shaped is not None and name in self._of_shape else None
        found = None if kept is None else kept.get(f"c|{name}")
        if found is None:
            make = self._computed[name]() if name in self._computed else None
            if make is None:
                return None
            with self.recorder.scope(muted=True):  # what making it reads is not the caller's
                value = make()
            found = (value, _digest(value))
            if kept is not None:
                kept[f"c|{name}"] = found
        self._made[name] = found
        return found

    def inputs(self) -> Reads:
        """What a build records of its inputs beside what outputs read: every file's entity fact, and every
        map's digest. The next build compares fields and look-ups only of the files and maps that changed."""
        return {**{f"e|{source}": key for source, key in self.recorder.entities.items()}, **self.map_digests()}

    def map_digests(self) -> dict[str, str]:
        """Each tracked map's whole content as one digest (fact ``d|<map>``): a map that digests as the last
        build's did needs none of its look-ups compared again."""
        if self._map_digests is None:
            kept = None if self.shaped is None else self.shaped.get("d|")
            self._map_digests = kept or {f"d|{name}": _map_digest(data) for name, data in self._maps.items()}
            if self.shaped is not None:
                self.shaped["d|"] = self._map_digests
        return self._map_digests

    def template(self, name: str) -> None:
        if self.templates is not None:
            self.recorder.read(f"t|{name}", self.templates(name))

    def entity(self, value: Any) -> Any:
        """A model the caller holds (perhaps as taken from a list): its content is read now; the model itself."""
        model = value._model if type(value) is Taken else value
        self.recorder.entity(model)
        return model

    def packed_body(self, article: Article) -> bytes:
        """An article's parsed body, packed: the model's own, or read back where the load left it.

        Its reads are the article's entity, which the caller has read (``entity``).
        """
        packed = article.body.packed
        if packed is None:
            if self.bodies is None:
                raise LookupError(f"{article.source}: its body was left in the cache and no reader of bodies was given")
            packed = self.bodies(article.source)
        return packed

    def month(self, year: int, month: int) -> TrackedMonth:
        return self._months[f"{year:04d}-{month:02d}"]

    def year(self, year: int) -> TrackedYear:
        return self._years[f"{year:04d}"]

    # --- what each fact reads now --------------------------------------------------------
    def evaluate(self, key: str) -> str | None:
        """The identity a recorded read would have now; None for a read of something no longer there."""
        kind, _, rest = key.partition("|")
        if kind == "e":
            return self.recorder.entities.get(rest)
        if kind == "f":
            source, _, name = rest.rpartition("|")
            model = self._models.get(source)
            return None if model is None else identity(getattr(model, name, None))
        if kind == "m":
            name, _, item = rest.partition("|")
            data = self._maps.get(name)
            if data is None:
                return None
            value = data.get(item)
            return _ABSENT if value is None else identity(value)
        if kind in ("n", "s"):
            name, *bounds = rest.split("|")
            items = self._named(name)
            if items is None:
                return None
            if kind == "n":
                return str(len(items))
            start, stop = int(bounds[0]), None if bounds[1] == "*" else int(bounds[1])
            return identity(tuple(items[start:stop]))
        if kind == "i":
            return identity(self.images.get(rest))
        if kind == "t":
            return self.templates(rest) if self.templates is not None else None
        if kind == "c" and (found := self._make(rest)) is not None:
            return found[1]
        return None

    def _named(self, name: str) -> Sequence[Any] | None:
        """A list by the name its reads carry, as it is now (its own items, untracked)."""
        top = getattr(self, name, None)
        if isinstance(top, TrackedList):
            return top._items
        kind, _, slug = name.partition(":")
        if kind in ("section", "topic", "region") and name in self._groups:
            return self._groups[name].articles._items
        if kind == "month" and slug in self._months:
            return self._months[slug].articles._items
        if kind == "year" and slug in self._years:
            return self._years[slug].articles._items
        if kind == "months" and slug in self._years:
            return self._years[slug].months._items
        return None

    # --- making the tracked structures ------------------------------------------------
    def _list(self, name: str, items: Sequence[Any]) -> TrackedList:
        return TrackedList(name, items, self.recorder)

    def _group(self, kind: str, group: Group) -> TrackedGroup:
        tracked = TrackedGroup(group.slug, group.name, self._list(f"{kind}:{group.slug}", group.articles))
        self._groups[f"{kind}:{group.slug}"] = tracked
        return tracked

    def _year(self, year: Year) -> TrackedYear:
        months = [self._month(m) for m in year.months]
        tracked = TrackedYear(
            year.year, self._list(f"months:{year.year:04d}", months), self._list(f"year:{year.year:04d}", year.articles)
        )
        self._years[f"{year.year:04d}"] = tracked
        return tracked

    def _month(self, month: Month) -> TrackedMonth:
        key = f"{month.year:04d}-{month.month:02d}"
        tracked = TrackedMonth(month.year, month.month, self._list(f"month:{key}", month.articles))
        self._months[key] = tracked
        return tracked


def articles_of(facts: Facts, sources: Sequence[str]) -> list[Article]:
    """Articles by source, each read as an entity (for callers holding only their paths)."""
    by_source = {a.source: a for a in (*facts.site.articles, *facts.site.hidden)}
    return [facts.entity(by_source[source]) for source in sources]
