"""The `new`, `authors new` and `companies new` commands: start a file with its front matter filled in.

They refuse, as usage errors, whatever the build would reject later, so an editor learns of a typo at once,
not at publishing; where the editor's words are needed they write ``placeholders``.
"""

from __future__ import annotations

import difflib
import re
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from byline.config import BuildOptions, load_config
from byline.content import placeholders
from byline.content.front_matter import split_front_matter
from byline.errors import UsageError
from byline.text import describe, find_unwritable
from byline.theme import static_files
from byline.urls import SLUG_PATTERN, WEB_ADDRESS, slugify

_BY = re.compile(r"^by\b", re.IGNORECASE)


def new_article(
    options: BuildOptions,
    title: str,
    author: str,
    now: datetime | None = None,
    section: str | None = None,
    tags: Sequence[str] = (),
    region: str | None = None,
    slug: str | None = None,
    image: str | None = None,
    image_alt: str | None = None,
) -> Path:
    """Write content/articles/YYYY/MM/<slug>.md as a draft dated ``now`` and return its path."""
    config, _ = load_config(options.root)
    title = _one_line(title, "title")
    if not title:
        raise UsageError("the title is empty")
    if slug is not None and not SLUG_PATTERN.match(slug):
        raise UsageError(f"--slug {slug!r} must be lowercase letters, digits and hyphens, like harbour-deal")
    file_slug = slug or slugify(title)
    if not file_slug:
        raise UsageError(f"cannot make a file name from the title {title!r}; use letters or digits, or give --slug")
    _check_profile(options.root, "author", author)
    company = _company_of(options.root, author)
    section = _check_section(section, [s.slug for s in config.sections]) or config.default_section
    picture = _check_image(options.root, image, image_alt)
    topics = list(dict.fromkeys(t for t in (_one_line(t, "topic") for t in tags) if t))
    region = _one_line(region, "region") if region else None
    moment = (now or options.clock()).astimezone(config.timezone)
    path = options.root / "content" / "articles" / f"{moment:%Y}" / f"{moment:%m}" / f"{file_slug}.md"
    if path.exists():
        raise UsageError(f"{path} already exists; choose another title" + ("" if slug else " or give --slug"))
    lines = [
        "---",
        f"title: {_yaml_string(title)}",
        f"date: {moment:%Y-%m-%d %H:%M}",
        f"author: {author}",
        *([f"company: {company}"] if company else []),
        f"section: {section}",
        f"summary: {_yaml_string(placeholders.SUMMARY)}",
        f"tags: [{', '.join(_yaml_string(t) for t in topics)}]",
    ]
    if region:
        lines.append(f"region: {_yaml_string(region)}")
    lines += [f"{key}: {_yaml_string(value)}" for key, value in picture]
    if slug:
        lines.append(f"slug: {slug}")
    lines += [f"id: {uuid.uuid4()}", "draft: true", "---"]
    lines += [placeholders.ARTICLE_BODY, ""]
    _create(path, "\n".join(lines))
    return path


def topic_warnings(options: BuildOptions, tags: Sequence[str], written: Path) -> list[str]:
    """The typo warning `check` would give each topic of the article just ``written``: did-you-mean, at once."""
    if not tags:
        return []
    from byline.pipeline import check
    from byline.site.checks import topic_typo

    site = check(replace(options, quiet=True)).site
    source = written.resolve().relative_to(options.root.resolve()).as_posix()
    others = [a for a in (*site.articles, *site.hidden) if a.source != source] if site is not None else []
    return [message for tag in tags if (message := topic_typo(tag, others))]


def new_author(
    options: BuildOptions,
    slug: str,
    name: str,
    role: str | None = None,
    organisation: str | None = None,
    company: str | None = None,
) -> Path:
    """Write content/authors/<slug>.md and return its path."""
    if not SLUG_PATTERN.match(slug):
        raise UsageError(f"author slug {slug!r} must be lowercase letters, digits and hyphens, like simon-malia")
    name = _one_line(name, "name")
    if not name:
        raise UsageError("the name is empty")
    if _BY.match(name):
        raise UsageError(f"the name {name!r} starts with 'By'; pages print 'By' before it, so give the name alone")
    if company is not None:
        _check_profile(options.root, "company", company)
    path = options.root / "content" / "authors" / f"{slug}.md"
    if path.exists():
        raise UsageError(f"{path} already exists; that author has a profile")
    lines = ["---", f"name: {_yaml_string(name)}"]
    lines += [
        f"{key}: {_yaml_string(_one_line(value, key))}"
        for key, value in (("role", role), ("organisation", organisation))
        if value and _one_line(value, key)
    ]
    if company is not None:
        lines.append(f"company: {company}")
    lines += ["---", placeholders.AUTHOR_BIO, ""]
    _create(path, "\n".join(lines))
    return path


def new_company(
    options: BuildOptions,
    slug: str,
    name: str,
    website: str | None = None,
    sector: str | None = None,
    region: str | None = None,
) -> Path:
    """Write content/companies/<slug>.md: its front matter, hints as YAML comments, and an empty About text."""
    if not SLUG_PATTERN.match(slug):
        raise UsageError(f"company slug {slug!r} must be lowercase letters, digits and hyphens, like bt-group")
    name = _one_line(name, "name")
    if not name:
        raise UsageError("the name is empty")
    if website is not None and not WEB_ADDRESS.match(website):
        raise UsageError(f"--website must be an http(s) address like https://www.example.com, not {website!r}")
    path = options.root / "content" / "companies" / f"{slug}.md"
    if path.exists():
        raise UsageError(f"{path} already exists; that company has a profile")
    lines = ["---", f"name: {_yaml_string(name)}"]
    lines += [
        f"{key}: {_yaml_string(_one_line(value, key))}"
        for key, value in (("website", website), ("sector", sector), ("region", region))
        if value and _one_line(value, key)
    ]
    lines += [
        f"# logo: /static/companies/{slug}.png",
        f"# logo_alt: {_yaml_string(name + ' logo')}",
        '# contact: "Press office, press@example.com, 0191 000 0000"',
        "# Below the closing line, write the company's About text (the notes to editors) in Markdown.",
        "---",
        "",
    ]
    _create(path, "\n".join(lines))
    return path


def parse_tags(text: str | None) -> list[str]:
    """Split --tags "BT, Lancashire County Council" into topics."""
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _create(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{path} already exists") from None


def _check_profile(root: Path, kind: str, slug: str) -> None:
    """Refuse a slug with no profile in content/authors/ or content/companies/, suggesting the likely one."""
    folder = {"author": "authors", "company": "companies"}[kind]
    found = root / "content" / folder
    known = sorted(p.stem for p in found.glob("*.md")) if found.is_dir() else []
    if SLUG_PATTERN.match(slug) and slug in known:
        return
    message = f"unknown {kind} '{slug}': no content/{folder}/{slug}.md"
    near = difflib.get_close_matches(slug, known, n=1, cutoff=0.6)
    if near:
        message += f"; did you mean '{near[0]}'?"
    else:
        message += f'; create it with: python build.py {folder} new {slug} --name "..."'
    raise UsageError(message)


def _company_of(root: Path, author: str) -> str | None:
    """The company the author's profile names, to write into a new article; None if it names none."""
    path = root / "content" / "authors" / f"{author}.md"
    try:
        parsed, _ = split_front_matter(str(path), path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    company = parsed.values.get("company") if parsed else None
    return company if isinstance(company, str) and SLUG_PATTERN.match(company) else None


def _check_image(root: Path, image: str | None, alt: str | None) -> list[tuple[str, str]]:
    """The image lines for --image and --image-alt, refusing what a build would: no description, no file."""
    if image is None:
        if alt is not None:
            raise UsageError("--image-alt describes the lead picture: give --image too")
        return []
    _refuse_unwritable(image, "image")
    if not alt or not _one_line(alt, "image description"):
        raise UsageError("--image needs --image-alt: what the picture shows, for readers who cannot see it")
    if image.startswith("/static/"):
        relative = image.removeprefix("/static/")
        if relative not in static_files(root):
            raise UsageError(
                f"--image {image}: no static/{relative} in the site or the theme; put the picture there first"
            )
    elif not re.match(r"^https?://\S+$", image):
        raise UsageError(f"--image {image!r} must be a site path like /static/images/depot.jpg or an http(s) address")
    return [("image", image), ("image_alt", _one_line(alt, "image description"))]


def _check_section(section: str | None, known: list[str]) -> str | None:
    if section is None or section in known:
        return section
    message = f"unknown section {section!r}; sections are: {', '.join(sorted(known))}"
    near = difflib.get_close_matches(section, known, n=1, cutoff=0.6)
    raise UsageError(message + (f"; did you mean '{near[0]}'?" if near else ""))


def _one_line(text: str, what: str) -> str:
    """The text with its runs of white space made one space; a character pages cannot carry is refused."""
    _refuse_unwritable(text, what)
    return " ".join(text.split())


def _refuse_unwritable(text: str, what: str) -> None:
    if found := find_unwritable(text):
        raise UsageError(f"the {what} holds {describe(found)}")


def _yaml_string(text: str) -> str:
    """Quote text for YAML: double quotes, with backslashes and quotes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
