"""Site settings (site.toml) and build options (command line), validated once and frozen."""

from __future__ import annotations

import os
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from byline.errors import ContentError
from byline.text import describe, find_unwritable
from byline.theme import OUTSIDE, inside

CONFIG_FILE = "site.toml"
DEFAULT_ATTRIBUTION = "This was posted in {site}'s {section} section by {author}."
_ATTRIBUTION_FIELDS = {"site", "section", "author", "company"}
# An attribution's optional part: "[ for {company}]" is printed only for an article with a company.
_OPTIONAL_PART = re.compile(r"\[([^\[\]]*)\]")
_SECTION_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_NOT_IN_URLS = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")  # RFC 3986: unreserved, reserved and %
# schema.org types a section's articles may declare: Article and its news-flavoured subtypes.
SCHEMA_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "AnalysisNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "AdvertiserContentArticle",
        "BlogPosting",
        "Report",
    }
)
# rel values that tell search engines how far to trust an outbound link (Google's link attributes).
LINK_RELS = ("sponsored", "ugc", "nofollow")


@dataclass(frozen=True)
class SectionConfig:
    """One section of the site: its URL slug, title, badge and attribution sentence."""

    slug: str
    title: str
    label: str | None = None
    attribution: str | None = None
    schema_type: str = "NewsArticle"
    link_rel: tuple[str, ...] = ()  # added to outbound links in its articles' bodies
    link_new_tab: bool = False  # outbound links open a new tab (and so carry rel="noopener")
    member: bool = False  # its articles come from member companies: one without a company is warned about


@dataclass(frozen=True)
class PublisherConfig:
    """The organisation named as publisher in structured data: [publisher] in site.toml."""

    name: str | None = None  # None: the site's name
    logo: str | None = None  # a site path like /static/images/logo.png, or an absolute URL


_DEFAULT_SECTIONS = (
    SectionConfig("members-news", "Members' News", "Member Article", DEFAULT_ATTRIBUTION),
    SectionConfig("news", "News"),
)


@dataclass(frozen=True)
class SiteConfig:
    """Validated site.toml; ``extra`` keeps unknown keys for templates."""

    name: str = "Byline"
    base_url: str = "http://localhost:8000"
    language: str = "en-GB"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    default_section: str = "members-news"
    per_page: int = 20
    sections: tuple[SectionConfig, ...] = _DEFAULT_SECTIONS
    publisher: PublisherConfig = PublisherConfig()
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def section(self, slug: str) -> SectionConfig | None:
        """Look a section up by slug."""
        return next((s for s in self.sections if s.slug == slug), None)

    @cached_property
    def base_path(self) -> str:
        """The path part of base_url without its trailing slash ('' for a bare origin); asked for per link."""
        return urlsplit(self.base_url).path.rstrip("/")

    @cached_property
    def origin(self) -> str:
        """scheme://host[:port] of base_url."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class BuildOptions:
    """What the command line asked for; every stage reads, none writes."""

    root: Path
    output: Path
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    clean: bool = False
    now: datetime | None = None
    quiet: bool = False
    verbose: bool = False
    strict: bool = False  # check --strict: a draft's problems stay errors, as in a build with drafts
    # False: the build leaves /pagefind/ out and returns the search documents instead; the
    # preview server indexes them beside the served build, off the save-to-reload path.
    search_index: bool = True

    def clock(self) -> datetime:
        """The moment this run takes as now: ``--now``, else the real time, read here and nowhere else."""
        return self.now or datetime.now(UTC)


def load_config(root: Path, base_url: str | None = None) -> tuple[SiteConfig, list[ContentError]]:
    """Read ``root/site.toml`` (defaults when absent); return the config and its problems.

    On problems the returned config is the defaults with every valid setting applied,
    so later stages can still report their own problems in the same run.
    """
    path = root / CONFIG_FILE
    if refused := _refused(path, root):
        return _with_base_url(SiteConfig(), base_url), [ContentError(CONFIG_FILE, 0, refused)]
    if not path.is_file():
        raw: dict[str, Any] = {}
        text = ""
    else:
        try:
            text = path.read_bytes().decode("utf-8")
            raw = tomllib.loads(text)
        except UnicodeDecodeError:
            return _with_base_url(SiteConfig(), base_url), [
                ContentError(CONFIG_FILE, 1, "file is not valid UTF-8 text")
            ]
        except tomllib.TOMLDecodeError as exc:
            return _with_base_url(SiteConfig(), base_url), [_toml_error(exc)]
    lines = _KeyLines(text)
    settings, problems = _validate(raw, lines)
    config = SiteConfig(**settings)
    return _with_base_url(config, base_url), problems + _unwritable(raw, lines)


def _refused(path: Path, root: Path) -> str | None:
    """Why site.toml is not read: a symlink out of the site root, or not a regular file (a FIFO would hang)."""
    if not os.path.lexists(path):
        return None
    if not inside(path, root.resolve()):
        return OUTSIDE
    if os.path.exists(path) and not path.is_file():
        return "this is not a regular file; refused"
    return None


def _unwritable(raw: dict[str, Any], lines: _KeyLines) -> list[ContentError]:
    """Every key and text value pages or feeds would carry that holds a character they cannot (see ``text``)."""
    problems = []

    def visit(value: object, key: str, table: str | None) -> None:
        if isinstance(value, str) and (found := find_unwritable(value)):
            problems.append(ContentError(CONFIG_FILE, lines.of(key, table), f"{key!r} holds {describe(found)}"))
        elif isinstance(value, list):
            for item in value:
                visit(item, key, table)
        elif isinstance(value, dict):
            for name, item in value.items():
                visit(name, name, table)
                visit(item, name, f"{table}.{key}" if table and key else key or table)

    for name, item in raw.items():
        visit(name, name, None)
        visit(item, name, None)
    return problems


def _with_base_url(config: SiteConfig, base_url: str | None) -> SiteConfig:
    if base_url is None:
        return config
    return replace(config, base_url=base_url.rstrip("/") or base_url)


def check_base_url(value: str) -> str | None:
    """Return why ``value`` cannot be a base URL, or None when it can."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"base_url must be an absolute http(s) URL like https://example.com, not {value!r}"
    if parts.query or parts.fragment:
        return "base_url must not have a query or fragment"
    if found := _NOT_IN_URLS.search(value):
        return f"base_url holds {found.group()!r}, which a URL cannot hold (RFC 3986); write spaces as %20"
    try:
        if not parts.hostname or parts.port == 0:
            raise ValueError
    except ValueError:
        return f"base_url must name a host, and a port from 1 to 65535 if any, not {value!r}"
    return None


def _toml_error(exc: tomllib.TOMLDecodeError) -> ContentError:
    match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
    line = int(match.group(1)) if match else 1
    message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
    return ContentError(CONFIG_FILE, line, f"invalid TOML: {message}")


class _KeyLines:
    """Find the line a key was set on; tomllib gives values but not positions."""

    def __init__(self, text: str):
        self.lines = text.splitlines()

    def of(self, key: str, table: str | None = None) -> int:
        in_table = table is None
        key_pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number, line in enumerate(self.lines, start=1):
            stripped = line.strip()
            if stripped.startswith("["):
                header = stripped.strip("[]").strip().replace('"', "").replace("'", "")
                if table is None:
                    in_table = False
                else:
                    in_table = header == table
                    if in_table and key == "":
                        return number
                continue
            if in_table and key_pattern.match(line):
                return number
        return 1


class _Problem(Protocol):
    """Report a problem with a setting (``table``: the [table] it is in, if any) at that setting's line."""

    def __call__(self, key: str, message: str, table: str | None = None) -> None: ...


def _validate(raw: dict[str, Any], lines: _KeyLines) -> tuple[dict[str, Any], list[ContentError]]:
    problems: list[ContentError] = []
    settings: dict[str, Any] = {}

    def problem(key: str, message: str, table: str | None = None) -> None:
        problems.append(ContentError(CONFIG_FILE, lines.of(key, table), message))

    for key in ("name", "language"):
        if key in raw:
            if isinstance(raw[key], str) and raw[key].strip():
                settings[key] = raw[key].strip()
            else:
                problem(key, f"{key} must be a non-empty string")
    if "language" in settings and not _LANGUAGE.match(settings["language"]):
        problem("language", f"language must be a language tag like en-GB, not {settings.pop('language')!r}")
    if "base_url" in raw:
        value = raw["base_url"]
        reason = check_base_url(value) if isinstance(value, str) else "base_url must be a string"
        if reason:
            problem("base_url", reason)
        else:
            settings["base_url"] = value.rstrip("/") or value
    if "timezone" in raw:
        try:
            settings["timezone"] = ZoneInfo(str(raw["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            problem("timezone", f"unknown timezone {raw['timezone']!r}; use an IANA name like Europe/London")
    if "per_page" in raw:
        value = raw["per_page"]
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 1000:
            settings["per_page"] = value
        else:
            problem("per_page", "per_page must be a whole number from 1 to 1000")
    if "sections" in raw:
        sections = _validate_sections(raw["sections"], problem)
        if sections:
            settings["sections"] = sections
    if "publisher" in raw:
        publisher = _validate_publisher(raw["publisher"], problem)
        if publisher:
            settings["publisher"] = publisher
    section_slugs = {s.slug for s in settings.get("sections", _DEFAULT_SECTIONS)}
    if "default_section" in raw:
        value = raw["default_section"]
        if value in section_slugs:
            settings["default_section"] = value
        else:
            problem(
                "default_section",
                f"default_section {value!r} is not one of the sections: {', '.join(sorted(section_slugs))}",
            )
    elif SiteConfig.default_section not in section_slugs:
        settings["default_section"] = next(iter(settings["sections"])).slug
    # [publisher] stays in extra too: templates written before it was a setting read it there.
    known = {"name", "base_url", "language", "timezone", "default_section", "per_page", "sections"}
    settings["extra"] = MappingProxyType({k: v for k, v in raw.items() if k not in known})
    return settings, problems


def _validate_sections(value: object, problem: _Problem) -> tuple[SectionConfig, ...]:
    if not isinstance(value, dict) or not value:
        problem("sections", "sections must be tables like [sections.members-news]")
        return ()
    sections = []
    for slug, table in value.items():
        where = f"sections.{slug}"
        if not _SECTION_SLUG.match(slug):
            problem("", f"section name {slug!r} must be lowercase letters, digits and hyphens", where)
            continue
        if not isinstance(table, dict):
            problem("", f"[{where}] must be a table", where)
            continue
        title = table.get("title", slug.replace("-", " ").title())
        label = table.get("label")
        attribution = table.get("attribution")
        ok = True
        for key, item in (("title", title), ("label", label), ("attribution", attribution)):
            if item is not None and not (isinstance(item, str) and item.strip()):
                problem(key, f"{key} must be a non-empty string", where)
                ok = False
        if isinstance(attribution, str):
            reason = _check_attribution(attribution)
            if reason:
                problem("attribution", reason, where)
                ok = False
        policy = _validate_section_policy(table, where, problem)
        member = table.get("member", False)
        if not isinstance(member, bool):
            problem("member", "member must be true or false", where)
            ok = False
        if ok and policy is not None:
            sections.append(SectionConfig(slug, title, label, attribution, *policy, member=member))
    return tuple(sections)


def _validate_section_policy(
    table: dict[str, Any], where: str, problem: _Problem
) -> tuple[str, tuple[str, ...], bool] | None:
    """Read a section's schema_type, link_rel and link_new_tab; None when any is invalid."""
    ok = True
    schema_type = table.get("schema_type", "NewsArticle")
    if schema_type not in SCHEMA_TYPES:
        problem(
            "schema_type", f"schema_type must be one of {', '.join(sorted(SCHEMA_TYPES))}, not {schema_type!r}", where
        )
        ok = False
    rel = table.get("link_rel", [])
    rels = [rel] if isinstance(rel, str) else rel
    if not isinstance(rels, list) or any(r not in LINK_RELS for r in rels):
        problem(
            "link_rel", f'link_rel must be "sponsored", "ugc" or "nofollow" (or a list of them), not {rel!r}', where
        )
        ok = False
    new_tab = table.get("link_new_tab", False)
    if not isinstance(new_tab, bool):
        problem("link_new_tab", "link_new_tab must be true or false", where)
        ok = False
    if not ok:
        return None
    return schema_type, tuple(dict.fromkeys(rels)), new_tab


def _validate_publisher(value: object, problem: _Problem) -> PublisherConfig | None:
    """[publisher]: name and logo, both optional; the logo must be a site path or an http(s) URL."""
    if not isinstance(value, dict):
        problem("publisher", "publisher must be a table like [publisher] with name and logo")
        return None
    fields: dict[str, str] = {}
    for key in ("name", "logo"):
        item = value.get(key)
        if item is None:
            continue
        if not (isinstance(item, str) and item.strip()):
            problem(key, f"{key} must be a non-empty string", "publisher")
            return None
        fields[key] = item.strip()
    logo = fields.get("logo")
    if logo and not (logo.startswith("/") and not logo.startswith("//") or re.match(r"^https?://", logo)):
        problem(
            "logo",
            f"logo must be a site path like /static/images/logo.png or an http(s) URL, not {logo!r}",
            "publisher",
        )
        return None
    return PublisherConfig(**fields)


def _check_attribution(template: str) -> str | None:
    try:
        fields = _fields_of(template)
    except ValueError as exc:
        return f"attribution is not a valid template: {exc}"
    unknown = fields - _ATTRIBUTION_FIELDS
    if unknown:
        return (
            f"attribution may use {{site}}, {{section}}, {{author}} and {{company}} only, not {{{sorted(unknown)[0]}}}"
        )
    outside = _OPTIONAL_PART.sub("", template)
    if "[" in outside or "]" in outside:
        return "attribution has an unmatched or nested '[' or ']'; square brackets mark an optional part like [ for {company}]"
    if "company" in _fields_of(outside):
        return (
            "attribution uses {company} outside square brackets; write it as an optional part, like"
            " 'by {author}[ for {company}]', so the sentence reads correctly for an article without a company"
        )
    for part in _OPTIONAL_PART.findall(template):
        if "company" not in _fields_of(part):
            return (
                f"attribution's optional part [{part}] must use {{company}}: it is printed only for articles with one"
            )
    return None


def _fields_of(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def format_attribution(template: str, site: str, section: str, author: str, company: str | None) -> str:
    """Fill in a section's attribution sentence; its optional part in [ ] only when there is a company."""
    text = _OPTIONAL_PART.sub(lambda part: part.group(1) if company else "", template)
    return text.format(site=site, section=section, author=author, company=company or "")
