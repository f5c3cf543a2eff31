"""The `new` command: start an article with its front matter filled in."""

from __future__ import annotations

import difflib
import uuid
from datetime import UTC, datetime
from pathlib import Path

from .config import BuildOptions, load_config
from .errors import UsageError
from .urls import SLUG_PATTERN, slugify


def new_article(options: BuildOptions, title: str, author: str, now: datetime | None = None) -> Path:
    """Write content/articles/YYYY/MM/<slug>.md as a draft and return its path."""
    config, _ = load_config(options.root)
    title = " ".join(title.split())
    if not title:
        raise UsageError("the title is empty")
    slug = slugify(title)
    if not slug:
        raise UsageError(f"cannot make a file name from the title {title!r}; use letters or digits")
    _check_author(options.root, author)
    moment = (now or datetime.now(UTC)).astimezone(config.timezone)
    path = options.root / "content" / "articles" / f"{moment:%Y}" / f"{moment:%m}" / f"{slug}.md"
    if path.exists():
        raise UsageError(f"{path} already exists; choose another title")
    path.parent.mkdir(parents=True, exist_ok=True)
    front = "\n".join(
        [
            "---",
            f"title: {_yaml_string(title)}",
            f"date: {moment:%Y-%m-%d %H:%M}",
            f"author: {author}",
            f"section: {config.default_section}",
            "summary: ",
            "tags: []",
            f"id: {uuid.uuid4()}",
            "draft: true",
            "---",
            "Write the article here. Delete 'draft: true' above when it is ready to publish.",
            "",
        ]
    )
    with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(front)
    return path


def _check_author(root: Path, author: str) -> None:
    folder = root / "content" / "authors"
    known = sorted(p.stem for p in folder.glob("*.md")) if folder.is_dir() else []
    if SLUG_PATTERN.match(author) and author in known:
        return
    message = f"unknown author '{author}': no content/authors/{author}.md"
    near = difflib.get_close_matches(author, known, n=1, cutoff=0.6)
    if near:
        message += f"; did you mean '{near[0]}'?"
    raise UsageError(message)


def _yaml_string(text: str) -> str:
    """Quote a title for YAML: double quotes, with backslashes and quotes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
