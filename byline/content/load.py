"""Turn source files into validated models, reporting every problem with its line."""

from __future__ import annotations

import re
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from byline.config import SiteConfig
from byline.content.front_matter import FrontMatter, split_front_matter
from byline.content.markup import AUTHOR_BIO_ID_PREFIX, COMPANY_ABOUT_ID_PREFIX, MarkupError, render_markdown
from byline.content.models import Article, Author, Company, Correction, Page, Rendered, Unfinished, pack_html
from byline.content.placeholders import find_placeholders
from byline.content.sources import SourceFile
from byline.dates import ACCEPTED_FORMS, NonexistentTime, parse_datetime
from byline.errors import ContentError
from byline.text import describe, find_unwritable
from byline.urls import MAX_SLUG_LENGTH, SLUG_PATTERN, WEB_ADDRESS, check_alias, slugify

ARTICLE_KEYS = {
    "title",
    "date",
    "author",
    "section",
    "summary",
    "tags",
    "region",
    "image",
    "image_alt",
    "image_credit",
    "slug",
    "updated",
    "corrections",
    "aliases",
    "id",
    "draft",
    "company",
}
AUTHOR_KEYS = {"name", "role", "organisation", "avatar", "links", "company"}
COMPANY_KEYS = {"name", "website", "logo", "logo_alt", "sector", "region", "contact"}
PAGE_KEYS = {"title", "summary"}


@dataclass(frozen=True)
class LoadRules:
    """The settings loading depends on: small and picklable, so files can load in workers."""

    timezone: ZoneInfo
    sections: frozenset[str]
    default_section: str

    @classmethod
    def from_config(cls, config: SiteConfig) -> LoadRules:
        """Take what loading needs from the site config."""
        return cls(config.timezone, frozenset(s.slug for s in config.sections), config.default_section)


Model = Article | Author | Company | Page
Loaded = Model | Unfinished  # an Unfinished stands for a file with errors


def load_source(source: SourceFile, rules: LoadRules) -> tuple[Loaded | None, list[ContentError]]:
    """Decode, split and validate one file into its model.

    A file with errors gives an Unfinished, so later stages still check what it has, or None
    when its front matter cannot be read.
    """
    data = source.data
    if data is None:
        raise ValueError(f"{source.path} was listed but not read: read_source reads it")
    try:
        text = data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [
            ContentError(
                source.path,
                line,
                f"file is not valid UTF-8 text (byte {data[exc.start]:#04x}); save it as UTF-8",
            )
        ]
    control = find_unwritable(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        return None, [ContentError(source.path, line, describe(control).removeprefix("an "))]
    parsed, problems = split_front_matter(source.path, text)
    if parsed is None:
        return None, problems
    fields = _Fields(source.path, parsed, problems)
    fields.refuse_control_characters()
    loader = {"article": _article, "author": _author, "company": _company, "page": _page}[source.kind]
    model = loader(source, fields, rules)
    if fields.failed or model is None:
        return _unfinished(source, fields), fields.problems
    return model, fields.problems


def _unfinished(source: SourceFile, fields: _Fields) -> Unfinished:
    """What the model and picture checks can still use of a file with errors: its authors, company, pictures, draft flag."""
    values = fields.values
    authors, company, image = values.get("author"), values.get("company"), values.get("image")
    return Unfinished(
        source=source.path,
        kind=source.kind,
        body=fields.rendered,
        authors=tuple(_slugs(authors)) if source.kind == "article" else (),
        company=company if isinstance(company, str) and SLUG_PATTERN.match(company) else None,
        image=_usable_address(image),
        draft=values.get("draft") is True,
        lines=dict(fields.lines),
    )


def _usable_address(value: object) -> str | None:
    """A picture address later checks can still look up; one holding what pages cannot carry is not (nor cached)."""
    if not isinstance(value, str) or find_unwritable(value):
        return None
    return value.strip() if _ADDRESS.match(value.strip()) else None


def _slugs(value: object) -> list[str]:
    """The slugs among a front-matter value: one, or a list (an article's ``author``)."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str) and SLUG_PATTERN.match(item)]


class _Fields:
    """Typed access to front-matter values that records a problem for each bad one."""

    def __init__(self, path: str, parsed: FrontMatter, problems: list[ContentError]):
        self.path = path
        self.values = parsed.values
        self.lines = parsed.lines
        self.body = parsed.body
        self.body_line = parsed.body_line
        self.problems = list(problems)
        self.rendered = Rendered(pack_html(""), "", 0)

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def error(self, key: str, message: str) -> None:
        self.problems.append(ContentError(self.path, self.line(key), message))

    def refuse_control_characters(self) -> None:
        """Report values that YAML escapes ("\\x01", "\\ud83d") turned into characters pages cannot carry."""
        for key, value in self.values.items():
            found = _find_control(value)
            if found:
                self.error(key, f"'{key}' holds {describe(found)}")

    def render_body(self, id_prefix: str = "") -> Rendered:
        """Convert the body; a body Markdown cannot convert becomes a problem on its first line."""
        try:
            self.rendered = render_markdown(self.body, id_prefix=id_prefix)
        except MarkupError as exc:
            self.problems.append(ContentError(self.path, self.body_line, str(exc)))
        folded = self.body.casefold() if self.rendered.removed else ""
        for message, where in self.rendered.removed:  # published anyway, but the editor should know
            offset = folded.find(where.casefold())
            line = self.body_line_at(offset) if offset >= 0 else self.body_line
            self.problems.append(ContentError(self.path, line, message, "warning"))
        return self.rendered

    def body_line_at(self, offset: int) -> int:
        """The file's line of an offset into the body."""
        first = self.body_line - self.body.startswith("\n")  # the body starts with the closing fence's newline
        return first + self.body.count("\n", 0, offset)

    def refuse_placeholders(self, body_hint: str) -> None:
        """Scaffold text left in anything published is an error at its line: nothing half-written goes out."""
        for key, value in self.values.items():
            for text in _strings(value):
                for _, found in find_placeholders(text):
                    self.error(
                        key,
                        f"'{key}' still holds the scaffold's placeholder {_quoted(found)}: {_HINTS.get(key, 'replace it')}",
                    )
        for offset, found in find_placeholders(self.body):
            message = f"the body still holds the scaffold's placeholder {_quoted(found)}: {body_hint}"
            self.problems.append(ContentError(self.path, self.body_line_at(offset), message))

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.values.get(key)
        if value is None:
            if required:
                self.problems.append(ContentError(self.path, 1, f"missing required key '{key}'"))
            return None
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
        if value == "" and not required:  # summary: "" is no summary, as 'summary:' is
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not required:
            return str(value)
        hint = "; put it in quotes" if isinstance(value, (int, float, bool)) else ""
        self.error(key, f"'{key}' must be text{hint}, not {_describe(value)}")
        return None

    def moment(
        self, key: str, tz: ZoneInfo, required: bool = False, value: Any = None, where: str | None = None
    ) -> datetime | None:
        value = self.values.get(key) if value is None else value
        if value is None:
            if required:
                self.problems.append(ContentError(self.path, 1, f"missing required key '{key}'"))
            return None
        try:
            parsed = parse_datetime(value, tz)
        except NonexistentTime as exc:
            self.error(where or key, f"'{key}' {exc}")
            return None
        if parsed is None:
            self.error(where or key, f"'{key}' is not a date: {value!r}; use {ACCEPTED_FORMS}")
        return parsed

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.values.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(key, f"'{key}' must be a list like [One, Two], not {_describe(value)}")
            return ()
        items = []
        for index, item in enumerate(value):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                self.error(f"{key}[{index}]", f"each of '{key}' must be text, not {_describe(item)}")
                continue
            items.append(" ".join(item.split()))
        return tuple(dict.fromkeys(items))  # drop repeats, keep order

    def meta(self, known: set[str]) -> dict[str, Any]:
        extra = {}
        for key, value in self.values.items():
            if key in known:
                continue
            if _is_plain(value):
                extra[key] = value
            else:
                self.error(key, f"'{key}' holds a value Byline cannot pass to templates ({_describe(value)})")
        return extra


def _article(source: SourceFile, fields: _Fields, rules: LoadRules) -> Article | None:
    title = fields.text("title", required=True)
    date = fields.moment("date", rules.timezone, required=True)
    authors = _authors(fields)
    company = _company_slug(fields)
    section = fields.text("section") or rules.default_section
    if "section" in fields.values and section not in rules.sections:
        fields.error("section", f"unknown section {section!r}; sections are: {', '.join(sorted(rules.sections))}")
    image = fields.text("image")
    _check_address(fields, "image", image)
    image_alt = fields.text("image_alt")
    if image and not image_alt:
        fields.error(
            "image", "'image' needs 'image_alt': a short description of the picture for readers who cannot see it"
        )
    slug = _article_slug(fields, title)
    draft = fields.values.get("draft", False)
    if not isinstance(draft, bool):
        fields.error("draft", f"'draft' must be true or false, not {_describe(draft)}")
    aliases = fields.text_list("aliases")
    for index, alias in enumerate(aliases):
        reason = check_alias(alias)
        if reason:
            fields.error(f"aliases[{index}]", reason)
    article_id = _article_id(fields)
    corrections = _corrections(fields, rules.timezone)
    updated = fields.moment("updated", rules.timezone)
    region = fields.text("region")
    if region and not slugify(region):  # it would link to /regions//
        fields.error("region", f"region {region!r} has no letters or digits to make a URL from")
    body = fields.render_body()
    summary = fields.text("summary") or body.first_paragraph
    meta = fields.meta(ARTICLE_KEYS)
    if draft is not True:
        fields.refuse_placeholders("replace it with the article (an empty 'summary:' shows its first paragraph)")
    if fields.failed or title is None or date is None or not authors or slug is None:
        return None
    return Article(
        source=source.path,
        title=title,
        date=date,
        authors=_shared(authors),
        section=sys.intern(section),
        slug=slug,
        body=body,
        summary=summary,
        tags=_shared(fields.text_list("tags")),
        region=None if region is None else sys.intern(region),
        image=image,
        image_alt=image_alt,
        image_credit=fields.text("image_credit"),
        updated=updated,
        corrections=corrections,
        aliases=aliases,
        id=article_id,
        draft=bool(draft),
        company=None if company is None else sys.intern(company),
        meta=meta,
        lines=dict(fields.lines),
    )


def _shared(values: tuple[str, ...]) -> tuple[str, ...]:
    """Values thousands of articles repeat (topics, authors), interned: the cache stores them so, and a model
    decoded from it holds one string for each (docs/design.md, "An edit's memory, again")."""
    return tuple(map(sys.intern, values))


def _authors(fields: _Fields) -> tuple[str, ...]:
    """``author``: one author's slug, or a list of them (a co-written piece), in byline order."""
    value = fields.values.get("author")
    if isinstance(value, list):
        if not value:
            fields.error("author", "'author' is an empty list; name at least one author, like [simon-malia]")
        slugs = []
        for index, item in enumerate(value):
            if isinstance(item, str) and SLUG_PATTERN.match(item):
                slugs.append(item)
            else:
                where = f"author[{index}]"
                fields.error(where, f"each author must be an author's file name like simon-malia, not {item!r}")
        return tuple(dict.fromkeys(slugs))
    author = fields.text("author", required=True)
    if author is None:
        return ()
    if not SLUG_PATTERN.match(author):
        fields.error("author", f"author must be an author's file name like simon-malia, not {author!r}")
        return ()
    return (author,)


def _company_slug(fields: _Fields) -> str | None:
    """``company``: a member company's slug; whether it exists is the model stage's to check."""
    company = fields.text("company")
    if company is not None and not SLUG_PATTERN.match(company):
        fields.error("company", f"company must be a company's file name like bt-group, not {company!r}")
        return None
    return company


_ADDRESS = re.compile(r"^(/(?!/)|https?://)\S*$")
_HINTS = {"summary": "replace it with the summary, or delete the line to use the first paragraph"}


def _check_address(fields: _Fields, key: str, value: str | None) -> None:
    """Pictures are site paths or web addresses: a relative path breaks feed URLs, other schemes are unsafe."""
    if value and not _ADDRESS.match(value):
        fields.error(
            key, f"'{key}' must be a site path like /static/images/photo.jpg or an http(s) address, not {value!r}"
        )


def _article_slug(fields: _Fields, title: str | None) -> str | None:
    if "slug" in fields.values:
        slug = fields.values["slug"]
        if isinstance(slug, str) and SLUG_PATTERN.match(slug) and len(slug) <= MAX_SLUG_LENGTH:
            return slug
        if isinstance(slug, str) and SLUG_PATTERN.match(slug):
            fields.error("slug", f"slug is {len(slug)} characters long; make it at most {MAX_SLUG_LENGTH}")
        else:
            fields.error("slug", f"slug must be lowercase letters, digits and hyphens ([a-z0-9-]+), not {slug!r}")
        return None
    if title is None:
        return None
    slug = slugify(title)
    if not slug:
        fields.error("title", "cannot make a URL slug from this title; add a 'slug:' key")
        return None
    return slug


def _article_id(fields: _Fields) -> str | None:
    value = fields.values.get("id")
    if value is None:
        return None
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        fields.error("id", f"'id' must be a UUID like 3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c, not {value!r}")
        return None


def _corrections(fields: _Fields, tz: ZoneInfo) -> tuple[Correction, ...]:
    value = fields.values.get("corrections")
    if value is None:
        return ()
    if not isinstance(value, list):
        fields.error("corrections", "'corrections' must be a list of entries with 'date' and 'note'")
        return ()
    corrections = []
    for index, item in enumerate(value):
        where = f"corrections[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("note"), str) or "date" not in item:
            fields.error(where, "each correction needs a 'date' and a 'note'")
            continue
        moment = fields.moment("date", tz, required=True, value=item["date"], where=where)
        if moment is not None:
            corrections.append(Correction(moment, " ".join(item["note"].split())))
    return tuple(sorted(corrections, key=lambda c: c.date))


def _author(source: SourceFile, fields: _Fields, rules: LoadRules) -> Author | None:
    _check_file_name(source, fields, "author")
    name = fields.text("name", required=True)
    links = _links(fields)
    # Shown beside an article's body, and beside the other authors' bios: ids of its own.
    bio = fields.render_body(f"{AUTHOR_BIO_ID_PREFIX}{source.stem}-")
    role, organisation, avatar = (fields.text(k) for k in ("role", "organisation", "avatar"))
    _check_address(fields, "avatar", avatar)
    company = _company_slug(fields)
    fields.meta(AUTHOR_KEYS)  # reports unpassable values; author pages need no extras yet
    fields.refuse_placeholders("replace it with their biography: it shows on their page and beside their articles")
    if fields.failed or name is None:
        return None
    return Author(
        slug=source.stem,
        name=name,
        source=source.path,
        bio=bio,
        role=role,
        organisation=organisation,
        avatar=avatar,
        links=links,
        company=company,
        lines=dict(fields.lines),
    )


def _company(source: SourceFile, fields: _Fields, rules: LoadRules) -> Company | None:
    _check_file_name(source, fields, "company")
    name = fields.text("name", required=True)
    website = fields.text("website")
    if website and not WEB_ADDRESS.match(website):
        fields.error("website", f"'website' must be an http(s) address like https://www.example.com, not {website!r}")
    logo, logo_alt = fields.text("logo"), fields.text("logo_alt")
    if logo and not logo.startswith("/static/"):
        fields.error("logo", f"'logo' must be a picture under /static/, like /static/companies/logo.png, not {logo!r}")
    if logo and not logo_alt:
        fields.error(
            "logo", "'logo' needs 'logo_alt': a short text for readers who cannot see it, like 'BT Group logo'"
        )
    sector, region, contact = (fields.text(k) for k in ("sector", "region", "contact"))
    about = fields.render_body(COMPANY_ABOUT_ID_PREFIX)  # shown beside an article's body: ids of its own
    fields.meta(COMPANY_KEYS)  # reports unpassable values, as for authors
    fields.refuse_placeholders("replace it with the company's About text (the notes to editors)")
    if fields.failed or name is None:
        return None
    return Company(
        slug=source.stem,
        name=name,
        source=source.path,
        about=about,
        website=website,
        logo=logo,
        logo_alt=logo_alt,
        sector=sector,
        region=region,
        contact=contact,
        lines=dict(fields.lines),
    )


def _check_file_name(source: SourceFile, fields: _Fields, kind: str) -> None:
    """A profile's or page's file name is its URL's slug."""
    if not SLUG_PATTERN.match(source.stem):
        message = f"{kind} file name {source.stem!r} must be lowercase letters, digits and hyphens"
        fields.problems.append(ContentError(source.path, 1, message))


def _links(fields: _Fields) -> tuple[tuple[str, str], ...]:
    value = fields.values.get("links")
    if value is None:
        return ()
    if not isinstance(value, dict):
        fields.error("links", "'links' must be a mapping like {twitter: \"https://...\"}")
        return ()
    links = []
    for name, url in value.items():
        if not isinstance(url, str) or not re.match(r"^(https?://|mailto:)\S+$", url):
            fields.error("links", f"link {name!r} must be an http(s) or mailto: address")
            continue
        links.append((str(name), url))
    return tuple(links)


def _page(source: SourceFile, fields: _Fields, rules: LoadRules) -> Page | None:
    _check_file_name(source, fields, "page")
    title = fields.text("title", required=True)
    body = fields.render_body()
    summary = fields.text("summary") or body.first_paragraph
    meta = fields.meta(PAGE_KEYS)
    fields.refuse_placeholders("replace it with the page's text")
    if fields.failed or title is None:
        return None
    return Page(
        source=source.path,
        slug=source.stem,
        title=title,
        body=body,
        summary=summary,
        meta=meta,
        lines=dict(fields.lines),
    )


def _find_control(value: object, depth: int = 0) -> re.Match[str] | None:
    if isinstance(value, str):
        return find_unwritable(value)
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    if depth > 20:
        return None
    for key, item in items:
        found = _find_control(key, depth + 1) or _find_control(item, depth + 1)
        if found:
            return found
    return None


def _strings(value: object, depth: int = 0) -> Iterator[str]:
    """Every string in a front-matter value, however nested."""
    if isinstance(value, str):
        yield value
    elif depth < 20 and isinstance(value, (list, dict)):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _strings(item, depth + 1)


def _quoted(text: str, limit: int = 90) -> str:
    return f'"{text}"' if len(text) <= limit else f'"{text[: limit - 1]}…"'


def _is_plain(value: object, depth: int = 0) -> bool:
    """True for JSON-like values: templates get them, fingerprints can hash them."""
    if depth > 20:
        return False
    if value is None or isinstance(value, (str, int, float, bool)):
        return True
    if isinstance(value, list):
        return all(_is_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v, depth + 1) for k, v in value.items())
    return False


def _describe(value: object) -> str:
    kinds: dict[type, str] = {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "a mapping"}
    if value is None:
        return "nothing"
    return kinds.get(type(value), type(value).__name__)
