"""The `publish` command: a draft becomes an article dated when it goes out, not when it was started.

Published with the date `new` gave it, a story approved weeks later would sort below newer ones and miss
the news sitemap; the two lines are edited as text, so every other byte stays the editor's.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from byline import urls
from byline.config import BuildOptions, SiteConfig, load_config
from byline.content.front_matter import FrontMatter, split_front_matter
from byline.content.load import LoadRules, load_source
from byline.content.models import Article
from byline.content.sources import SourceFile
from byline.dates import ACCEPTED_FORMS, parse_datetime
from byline.errors import BuildFailed, ContentError, UsageError
from byline.site.checks import describe_moment
from byline.site.images import inspect_images
from byline.state.workspace import image_cache
from byline.theme import static_files

_DATE_LINE = re.compile(r"^(?P<key>date[ \t]*:[ \t]*)(?P<value>.*?)(?P<comment>[ \t]+#.*?)?(?P<end>\r?)$")
_DRAFT_LINE = re.compile(r"^draft[ \t]*:")


@dataclass(frozen=True)
class Publication:
    """What `publish` did: the file, its new date, whether that is still to come, and the URL it will have."""

    path: str
    at: datetime
    when: str  # ``at`` as editors read it: site time with its zone
    scheduled: bool
    url: str


def publish(options: BuildOptions, path: str, at: str | None = None) -> Publication:
    """Make the draft at ``path`` public, dated ``at`` or now; raise BuildFailed or UsageError, changing nothing."""
    config, _ = load_config(options.root, options.base_url)
    file, relative = _article_file(options.root, path)
    data = file.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BuildFailed([ContentError(relative, 1, "file is not valid UTF-8 text; save it as UTF-8")]) from None
    parsed, problems = split_front_matter(relative, text.removeprefix("\ufeff").replace("\r\n", "\n"))
    if parsed is None:
        raise BuildFailed(problems)
    now = options.clock()
    moment = _moment(at, config) if at else now.replace(second=0, microsecond=0)
    _refuse_if_published(options, config, relative, parsed, now)
    new_text = _edit(text, parsed, _date_text(moment, config), relative)
    article = _validate(relative, new_text, config, options.root)
    _replace(file, new_text.encode("utf-8"))
    local = moment.astimezone(config.timezone)
    url = config.origin + config.base_path + urls.article(local, article.slug)
    return Publication(relative, moment, describe_moment(moment, config), moment > now, url)


def _article_file(root: Path, path: str) -> tuple[Path, str]:
    """The article's file, given from the current folder or from the site root, and its path in the site."""
    given = Path(path)
    candidates = [given] if given.is_absolute() else [given, root / given]
    articles = (root / "content" / "articles").resolve()
    for candidate in candidates:
        if candidate.is_file():
            resolved = candidate.resolve()
            if resolved.suffix == ".md" and resolved.is_relative_to(articles):
                return resolved, resolved.relative_to(root.resolve()).as_posix()
            raise UsageError(f"{path} is not an article: articles are .md files under {root / 'content' / 'articles'}")
    raise UsageError(f"{path}: no such file")


def _moment(value: str, config: SiteConfig) -> datetime:
    moment = parse_datetime(value, config.timezone)
    if moment is None:
        raise UsageError(f"--at {value!r} is not a date; use {ACCEPTED_FORMS}")
    return moment


def _date_text(moment: datetime, config: SiteConfig) -> str:
    """The date as `new` writes it: site time, to the minute (to the second when it has seconds)."""
    local = moment.astimezone(config.timezone)
    return f"{local:%Y-%m-%d %H:%M:%S}" if local.second else f"{local:%Y-%m-%d %H:%M}"


def _refuse_if_published(
    options: BuildOptions, config: SiteConfig, relative: str, parsed: FrontMatter, now: datetime
) -> None:
    """An article that is out already keeps its date: its URL is made from it."""
    if parsed.values.get("draft") is True:
        return
    date = parse_datetime(parsed.values.get("date"), config.timezone)
    if date is None or date > now:
        return  # scheduled (or undated): publishing sets its date
    from byline.pipeline import published_before

    article_id = str(parsed.values.get("id", "")) or None
    if any(r.source == relative or (article_id and r.id == article_id) for r in published_before(options, config)):
        raise UsageError(
            f"{relative} is published already (dated {describe_moment(date, config)}); its URL is made from its date,"
            " so change 'date:' by hand, and add the old URL to 'aliases:', if it must move"
        )


def _edit(text: str, parsed: FrontMatter, date: str, relative: str) -> str:
    """The file with its `date:` line rewritten and its `draft:` line gone; every other byte as it was."""
    lines = text.split("\n")  # not splitlines(): form feeds and U+2028 are not lines to YAML
    if "date" not in parsed.lines:
        raise BuildFailed([ContentError(relative, 1, "missing required key 'date'")])
    index = parsed.lines["date"] - 1
    found = _DATE_LINE.match(lines[index])
    if found is None:
        raise BuildFailed([ContentError(relative, index + 1, "'date:' must be on a line of its own to be published")])
    lines[index] = found["key"] + date + (found["comment"] or "") + found["end"]
    if "draft" in parsed.lines:
        draft = parsed.lines["draft"] - 1
        if not _DRAFT_LINE.match(lines[draft]):
            raise BuildFailed([ContentError(relative, draft + 1, "'draft:' must be on a line of its own")])
        del lines[draft]
    return "\n".join(lines)


def _validate(relative: str, text: str, config: SiteConfig, root: Path) -> Article:
    """The article as it would be published, or BuildFailed with every problem that stops it."""
    data = text.encode("utf-8")
    source = SourceFile(relative, "article", data, hashlib.sha256(data).hexdigest())
    model, problems = load_source(source, LoadRules.from_config(config))
    errors = [p for p in problems if p.severity == "error"]
    if not isinstance(model, Article):
        raise BuildFailed(errors)
    for index, author in enumerate(model.authors):
        if not (root / "content" / "authors" / f"{author}.md").is_file():
            line = model.lines.get(f"author[{index}]") or model.line("author")
            errors.append(ContentError(relative, line, f"unknown author '{author}': no content/authors/{author}.md"))
    if model.company and not (root / "content" / "companies" / f"{model.company}.md").is_file():
        message = f"unknown company '{model.company}': no content/companies/{model.company}.md"
        errors.append(ContentError(relative, model.line("company"), message))
    _, image_problems = inspect_images([model], [], static_files(root), image_cache(root), root, save=False)
    errors += [p for p in image_problems if p.severity == "error"]
    if errors:
        raise BuildFailed(errors)
    return model


def _replace(file: Path, data: bytes) -> None:
    """Write the whole file at once, keeping its permissions: an editor's open copy never sees half of it."""
    mode = file.stat().st_mode & 0o7777
    with tempfile.NamedTemporaryFile(dir=file.parent, prefix=f".{file.name}.", delete=False) as stream:
        stream.write(data)
    os.chmod(stream.name, mode)
    os.replace(stream.name, file)
