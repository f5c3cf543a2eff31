"""Assemble loaded models into the Site: what is published, and every grouping pages need.

A build from the command line models the whole site; a builder that builds again (the
preview's) keeps the model and swaps edits in when they change nothing read here (``kept``).
"""

from __future__ import annotations

import difflib
import functools
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from byline import urls
from byline.config import SiteConfig
from byline.content.models import Article, Author, Company, Page, Unfinished
from byline.errors import ContentError
from byline.site import related

RELATED_LIMIT = 5
_BUILT_IN = "<built-in>"
Status = Literal["published", "draft", "scheduled"]


@dataclass(frozen=True)
class Group:
    """Articles gathered under a name: a topic, region or section, newest first."""

    slug: str
    name: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Year:
    year: int
    months: tuple[Month, ...]
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Site:
    """Everything the pages are made from; articles are newest first."""

    config: SiteConfig
    articles: tuple[Article, ...]
    authors: tuple[Author, ...]
    pages: tuple[Page, ...]
    sections: tuple[Group, ...]
    topics: tuple[Group, ...]
    regions: tuple[Group, ...]
    years: tuple[Year, ...]
    by_author: Mapping[str, tuple[Article, ...]]
    related: Mapping[str, tuple[Article, ...]]
    url_of: Mapping[str, str]
    status_of: Mapping[str, Status]
    topic_slug: Mapping[str, str] = field(default_factory=dict)
    hidden: tuple[Article, ...] = ()
    author: Mapping[str, Author] = field(default_factory=dict)
    companies: tuple[Company, ...] = ()  # those with a shown article, A to Z: only they get pages
    company: Mapping[str, Company] = field(default_factory=dict)  # every profile, by slug
    company_of: Mapping[str, str] = field(default_factory=dict)  # article source -> its company's slug, if any
    by_company: Mapping[str, tuple[Article, ...]] = field(default_factory=dict)
    unfinished: tuple[Unfinished, ...] = ()  # files with errors, kept for the checks of later stages


def build_site(
    config: SiteConfig,
    articles: Iterable[Article],
    authors: Iterable[Author],
    pages: Iterable[Page],
    now: datetime,
    drafts: bool = False,
    future: bool = False,
    companies: Iterable[Company] = (),
    unfinished: Iterable[Unfinished] = (),
) -> tuple[Site, list[ContentError]]:
    """Resolve references, pick what is published, group it, and report cross-file problems.

    Files that failed to load (``unfinished``) are checked too, as far as they can be,
    so that one run reports all of a file's problems.
    """
    all_articles = sorted(articles, key=_newest_first)
    authors = tuple(sorted(authors, key=lambda a: (a.name.casefold(), a.slug)))
    pages = tuple(sorted(pages, key=lambda p: p.slug))
    company = {c.slug: c for c in companies}
    author = {a.slug: a for a in authors}
    unfinished = tuple(sorted(unfinished, key=lambda u: u.source))
    tz = config.timezone
    url_of = {a.source: urls.article(a.date.astimezone(tz), a.slug) for a in all_articles}
    url_of.update({p.source: urls.page(p.slug) for p in pages})
    status_of = {a.source: _status(a, now) for a in all_articles}
    broken_authors = {_stem(u.source) for u in unfinished if u.kind == "author"}
    broken_companies = {_stem(u.source) for u in unfinished if u.kind == "company"}
    problems = [
        *_check_authors([*all_articles, *(u for u in unfinished if u.authors)], authors, broken_authors),
        *_check_companies([*all_articles, *(u for u in unfinished if u.company)], authors, company, broken_companies),
        *_conflicts(config, all_articles, pages, url_of, drafts),
    ]
    shown = {"published"} | ({"draft"} if drafts else set()) | ({"scheduled"} if future else set())
    published = tuple(
        a for a in all_articles if status_of[a.source] in shown and all(map(author.__contains__, a.authors))
    )
    company_of = _companies_of(all_articles, author, company)
    by_company = _by_company(published, company_of)
    shown_sources = {a.source for a in published}
    hidden = tuple(a for a in all_articles if a.source not in shown_sources)
    topics, topic_slug, topic_problems = _group_topics(published)
    problems += topic_problems
    site = Site(
        config=config,
        articles=published,
        authors=authors,
        pages=pages,
        sections=_group_sections(published, config),
        topics=topics,
        regions=_group_regions(published),
        years=_archive(published, config),
        by_author=_by_author(published, authors),
        related=_related(published, topic_slug),
        url_of=url_of,
        status_of=status_of,
        topic_slug=topic_slug,
        hidden=hidden,
        author=author,
        companies=tuple(sorted((company[slug] for slug in by_company), key=_a_to_z)),
        company=company,
        company_of=company_of,
        by_company=by_company,
        unfinished=unfinished,
    )
    return site, problems


def _a_to_z(company: Company) -> tuple[str, str, str]:
    """Companies in an A to Z: by name with accents and punctuation set aside ('Écosse' under E)."""
    return (urls.slugify(company.name), company.name.casefold(), company.slug)


def _newest_first(article: Article) -> tuple[float, str]:
    return (-article.date.timestamp(), article.slug)


def _status(article: Article, now: datetime) -> Status:
    if article.draft:
        return "draft"
    return "scheduled" if article.date > now else "published"


def _conflicts(
    config: SiteConfig, articles: list[Article], pages: tuple[Page, ...], url_of: Mapping[str, str], drafts: bool
) -> list[ContentError]:
    """Two files claiming one URL or one id; in a build without drafts, a draft's claim is the draft's problem alone.

    A draft started as a copy of a published article shares its id: that must not stop
    the site, and ``pipeline.demote_drafts`` makes the draft's side a warning.
    """
    everything = [*_check_urls(config, articles, pages, url_of), *_check_ids(articles)]
    draft_files = {a.source for a in articles if a.draft}
    if drafts or not draft_files or not everything:
        return everything
    published = [a for a in articles if not a.draft]
    found = {*_check_urls(config, published, pages, url_of), *_check_ids(published)}
    return [*found, *(p for p in everything if p.path in draft_files and p not in found)]


def _stem(source: str) -> str:
    return source.rsplit("/", 1)[-1].removesuffix(".md")


def _check_authors(
    articles: list[Article | Unfinished], authors: tuple[Author, ...], broken: Collection[str] = ()
) -> list[ContentError]:
    """An article's author must have a profile; one whose profile has errors is reported there, not here."""
    slugs = sorted(a.slug for a in authors)
    known = set(slugs) | set(broken)
    problems = []
    for article in articles:
        for index, slug in enumerate(article.authors):
            if slug in known:
                continue
            line = article.lines.get(f"author[{index}]") or article.line("author")
            message = f"unknown author '{slug}': no content/authors/{slug}.md" + _did_you_mean(slug, slugs)
            problems.append(ContentError(article.source, line, message))
    return problems


def _check_companies(
    articles: list[Article | Unfinished],
    authors: tuple[Author, ...],
    company: Mapping[str, Company],
    broken: Collection[str] = (),
) -> list[ContentError]:
    """Every company an article or an author profile names has a profile in content/companies/.

    One whose profile has errors is reported there, not here.
    """
    slugs = sorted(company)
    problems = []
    for item in (*authors, *articles):
        if item.company is None or item.company in company or item.company in broken:
            continue
        message = f"unknown company '{item.company}': no content/companies/{item.company}.md"
        hint = _did_you_mean(item.company, slugs)
        message += hint or f'; create it with: python build.py companies new {item.company} --name "..."'
        problems.append(ContentError(item.source, item.line("company"), message))
    return problems


def _did_you_mean(slug: str, known: list[str]) -> str:
    near = difflib.get_close_matches(slug, known, n=1, cutoff=0.6)
    return f"; did you mean '{near[0]}'?" if near else ""


def _companies_of(
    articles: list[Article], author: Mapping[str, Author], company: Mapping[str, Company]
) -> dict[str, str]:
    """Each article's company: its own ``company``, else that of the first of its authors who has one."""
    found: dict[str, str] = {}
    for article in articles:
        slug = article.company
        if slug is None:
            slug = next((c for s in article.authors if s in author and (c := author[s].company)), None)
        if slug is not None and slug in company:
            found[article.source] = slug
    return found


def _by_company(articles: tuple[Article, ...], company_of: Mapping[str, str]) -> dict[str, tuple[Article, ...]]:
    grouped: dict[str, list[Article]] = {}
    for article in articles:
        slug = company_of.get(article.source)
        if slug is not None:
            grouped.setdefault(slug, []).append(article)
    return {slug: tuple(items) for slug, items in grouped.items()}


def _check_ids(articles: list[Article]) -> list[ContentError]:
    """A permanent id belongs to one article: feed readers treat entries sharing an id as one entry.

    Copying an article file to start a new one copies its id too.
    """
    ids = [a.id for a in articles if a.id is not None]
    if len(set(ids)) == len(ids):
        return []
    first: dict[str, Article] = {}
    problems = []
    for article in sorted(articles, key=lambda a: a.source):
        if article.id is None:
            continue
        other = first.setdefault(article.id, article)
        if other is not article:
            for this, that in ((article, other), (other, article)):
                problems.append(
                    ContentError(
                        this.source, this.line("id"), f"id {this.id} is also used by {that.source}:{that.line('id')}"
                    )
                )
    return problems


_Claim = tuple[str, int, str]  # a URL's source file, line, and the URL as its source wrote it


def _check_urls(
    config: SiteConfig, articles: list[Article], pages: tuple[Page, ...], url_of: Mapping[str, str]
) -> list[ContentError]:
    """Every URL has one file, and every file fits one tree: built-in pages, sections, pages, articles, then aliases.

    The rule itself (one file per URL, a path never both a file and a folder, lengths a
    file system takes) is ``urls.OutputTree``'s; here each clash becomes a problem at its line.
    """
    tree: urls.OutputTree[_Claim] = urls.OutputTree()
    problems: list[ContentError] = []
    # Byline writes whole folders of its own (author, topic, archive pages, section pagination):
    # a URL there would share a file with a generated page, and one would silently replace the other.
    for folder in urls.OWN_FOLDERS:
        tree.claim_folder(folder, (_BUILT_IN, 0, f"/{folder}/"))
    for url in [*(f"/{name}" for name in urls.OWN_FILES), urls.ARTICLES]:
        tree.claim(url, (_BUILT_IN, 0, url))

    def claim(url: str, path: str, line: int, what: str) -> bool:
        clash = tree.claim(url, (path, line, url))
        if clash is not None:
            problems.extend(_clash_problems(clash, (path, line, url), what))
        return clash is None

    for section in config.sections:
        if claim(urls.section(section.slug), "site.toml", 1, "section URL"):
            tree.claim_folder(section.slug, (_BUILT_IN, 0, urls.section(section.slug)))
    for page in pages:
        claim(url_of[page.source], page.source, 1, "page URL")
    for article in articles:
        line = article.line("slug") if "slug" in article.lines else article.line("title")
        claim(url_of[article.source], article.source, line, "URL")
    for article in articles:
        for index, alias in enumerate(article.aliases):
            claim(alias, article.source, article.line(f"aliases[{index}]"), "alias")  # /x/index.html is /x/'s file
    return problems


def _clash_problems(clash: urls.Clash[_Claim], mine: _Claim, what: str) -> list[ContentError]:
    """The problems of one clash: at the claim that met it, and at the other claim when that is a file's too."""
    path, line, url = mine
    if clash.other is None:
        return [ContentError(path, line, f"{what} {_shortened(url)} cannot be published: its file {clash.reason}")]
    other_path, other_line, other_url = clash.other
    if other_path == _BUILT_IN or clash.kind == "inside":
        return [ContentError(path, line, f"{what} {url} is reserved for Byline's own pages; choose another")]
    if other_path == "site.toml":
        return [ContentError(path, line, f"{what} {url} is the index of a section in site.toml; choose another")]
    if clash.kind == "same":
        return [
            ContentError(path, line, f"{what} {url} is also used by {other_path}:{other_line}"),
            ContentError(other_path, other_line, f"URL {other_url} is also used by {path}:{line}"),
        ]
    file_side, folder_side = (clash.other, mine) if clash.kind == "under_file" else (mine, clash.other)
    where = clash.where
    return [
        ContentError(
            file_side[0],
            file_side[1],
            f"URL {file_side[2]} is the file {where}, but {folder_side[2]} ({folder_side[0]}:{folder_side[1]}) "
            f"needs {where}/ as a folder; a path cannot be both, choose another",
        ),
        ContentError(
            folder_side[0],
            folder_side[1],
            f"URL {folder_side[2]} needs {where}/ as a folder, but it is the file of {file_side[2]} "
            f"({file_side[0]}:{file_side[1]}); a path cannot be both, choose another",
        ),
    ]


def _shortened(url: str, most: int = 60) -> str:
    """A URL too long to print whole, cut to its start."""
    return url if len(url) <= most else url[:most] + "…"


def _group_topics(articles: tuple[Article, ...]) -> tuple[tuple[Group, ...], dict[str, str], list[ContentError]]:
    """Merge tags that differ only in case or punctuation; show the most used spelling.

    Worked out per distinct tag, not per use: a site has far more uses of tags than tags.
    """
    uses: dict[str, list[Article]] = {}  # tag -> its users in article order, once per use
    for article in articles:
        for tag in article.tags:
            users = uses.get(tag)
            if users is None:
                uses[tag] = [article]
            else:
                users.append(article)
    spellings: dict[str, Counter[str]] = {}
    parts: dict[str, list[list[Article]]] = {}
    unusable = set()
    for tag, users in uses.items():  # first use first, as a per-use loop would meet them
        slug = urls.slugify(tag)
        if not slug:
            unusable.add(tag)
            continue
        # Hyphens are punctuation too: "E-commerce"/"Ecommerce" and "B.T."/"BT" are one topic.
        key = slug.replace("-", "")
        spellings.setdefault(key, Counter())[tag] = len(users)
        parts.setdefault(key, []).append(users)
    members = _members(parts, articles)
    names = {key: _most_used(spellings[key]) for key in members}
    slugs = {key: urls.slugify(name) for key, name in names.items()}  # the URL follows the shown spelling
    topic_slug = {tag: slugs[key] for key in members for tag in spellings[key]}
    groups = tuple(
        sorted(
            (Group(slugs[key], names[key], tuple(members[key])) for key in members),
            key=lambda g: (g.name.casefold(), g.slug),
        )
    )
    return groups, topic_slug, _unusable_topics(articles, unusable)


def _members(parts: dict[str, list[list[Article]]], articles: tuple[Article, ...]) -> dict[str, list[Article]]:
    """Each topic's articles in site order, once each, from the users of each of its spellings."""
    position: dict[int, int] = {}
    members = {}
    for key, lists in parts.items():
        if len(lists) == 1 and len(set(map(id, lists[0]))) == len(lists[0]):
            members[key] = lists[0]  # one spelling, used once per article: the usual case
            continue
        if not position:
            position = {id(article): index for index, article in enumerate(articles)}
        unique = {id(article): article for users in lists for article in users}
        members[key] = sorted(unique.values(), key=lambda article: position[id(article)])
    return members


def _unusable_topics(articles: tuple[Article, ...], unusable: set[str]) -> list[ContentError]:
    """A problem at each use of a tag with nothing to make a URL from."""
    if not unusable:
        return []
    return [
        ContentError(
            article.source, article.line(f"tags[{index}]"), f"topic {tag!r} has no letters or digits to make a URL from"
        )
        for article in articles
        for index, tag in enumerate(article.tags)
        if tag in unusable
    ]


def _group_sections(articles: tuple[Article, ...], config: SiteConfig) -> tuple[Group, ...]:
    members: dict[str, list[Article]] = {s.slug: [] for s in config.sections}
    for article in articles:
        found = members.get(article.section)
        if found is not None:
            found.append(article)
    return tuple(Group(s.slug, s.title, tuple(members[s.slug])) for s in config.sections)


def _group_regions(articles: tuple[Article, ...]) -> tuple[Group, ...]:
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    members: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        if slug := region_slug(article):
            spellings[slug][article.region] += 1  # type: ignore[index]
            members[slug].append(article)
    return tuple(
        sorted(
            (Group(slug, _most_used(spellings[slug]), tuple(members[slug])) for slug in members),
            key=lambda g: (g.name.casefold(), g.slug),
        )
    )


def _most_used(counter: Counter[str]) -> str:
    """The most used spelling; ties go to the alphabetically first, so output is stable."""
    return min(counter.items(), key=lambda item: (-item[1], item[0]))[0]


def _archive(articles: tuple[Article, ...], config: SiteConfig) -> tuple[Year, ...]:
    by_month: dict[tuple[int, int], list[Article]] = defaultdict(list)
    for article in articles:
        by_month[local_month(article, config)].append(article)
    years = []
    for year in sorted({y for y, _ in by_month}, reverse=True):
        months = tuple(
            Month(year, month, tuple(by_month[(year, month)]))
            for month in range(12, 0, -1)
            if (year, month) in by_month
        )
        years.append(Year(year, months, tuple(a for m in months for a in m.articles)))
    return tuple(years)


def region_slug(article: Article) -> str:
    """The slug of the region group an article is in ('' for none): also how ``kept`` finds it."""
    return urls.slugify(article.region) if article.region else ""


def local_month(article: Article, config: SiteConfig) -> tuple[int, int]:
    """The year and month of the archive an article is in: also how ``kept`` finds it."""
    local = article.date.astimezone(config.timezone)
    return local.year, local.month


def _by_author(articles: tuple[Article, ...], authors: tuple[Author, ...]) -> dict[str, tuple[Article, ...]]:
    grouped: dict[str, list[Article]] = {a.slug: [] for a in authors}
    for article in articles:
        for slug in article.authors:
            grouped[slug].append(article)
    return {slug: tuple(items) for slug, items in grouped.items()}


def _related(articles: tuple[Article, ...], topic_slug: Mapping[str, str]) -> dict[str, tuple[Article, ...]]:
    """Each article's related articles: ranked from its topics and the order of all articles, nothing else.

    Those are the ranking's whole key, so an edit to a body, title or summary reuses the last ranking.
    """
    topics_of: dict[tuple[str, ...], tuple[str, ...]] = {}  # each distinct list of tags, made into slugs once
    key = []
    for article in articles:
        slugs = topics_of.get(article.tags)
        if slugs is None:
            slugs = topics_of[article.tags] = tuple(sorted({topic_slug[t] for t in article.tags if t in topic_slug}))
        key.append((article.source, slugs))
    by_source = {a.source: a for a in articles}.__getitem__
    return {source: tuple(map(by_source, others)) for source, others in _rank_related(tuple(key)).items()}


@functools.lru_cache(maxsize=1)
def _rank_related(articles: related.Keyed) -> dict[str, tuple[str, ...]]:
    """The ranking, remembered while its whole key is the same: most saves in the preview leave it so."""
    return related.rank(articles, RELATED_LIMIT)
