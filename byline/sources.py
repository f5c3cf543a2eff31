"""Find the site's content files and read them as bytes, with a digest for caching."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import ContentError, UsageError

Kind = Literal["article", "author", "page"]

CONTENT_DIRS: dict[Kind, tuple[str, bool]] = {
    # kind: (folder under the site root, whether sub-folders count)
    "article": ("content/articles", True),
    "author": ("content/authors", False),
    "page": ("content/pages", False),
}


@dataclass(frozen=True)
class SourceFile:
    """One content file: ``path`` is relative to the site root, in POSIX form, for messages."""

    path: str
    kind: Kind
    data: bytes
    digest: str

    @property
    def stem(self) -> str:
        """The file name without '.md': an author's or page's slug."""
        return self.path.rsplit("/", 1)[-1][: -len(".md")]


def find_sources(root: Path) -> tuple[list[SourceFile], list[ContentError]]:
    """Read every Markdown file under content/, sorted by path so builds are reproducible."""
    root = root.resolve()
    if not (root / "content" / "articles").is_dir():
        raise UsageError(f"{root}: no content/articles/ folder here; is --root the site root?")
    files: list[SourceFile] = []
    problems: list[ContentError] = []
    for kind, (folder, recursive) in CONTENT_DIRS.items():
        inside = (root / folder).resolve().is_relative_to(root)  # content/x may itself be a symlink
        for path, is_link in _markdown_files(root / folder, recursive):
            rel = path.relative_to(root).as_posix()
            if not inside or (is_link and not path.resolve().is_relative_to(root)):
                problems.append(ContentError(rel, 0, "symlink points outside the site root; refused"))
                continue
            try:
                data = path.read_bytes()
            except OSError as exc:  # a dangling symlink, or a file deleted while we walked
                problems.append(ContentError(rel, 0, f"cannot read this file: {exc.strerror or exc}"))
                continue
            files.append(SourceFile(rel, kind, data, hashlib.sha256(data).hexdigest()))
    return files, problems


def _markdown_files(folder: Path, recursive: bool) -> list[tuple[Path, bool]]:
    """Markdown files under ``folder`` with whether each is a symlink (from the directory listing: no extra calls)."""
    found: list[tuple[Path, bool]] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return found
    for entry in entries:
        name = entry.name
        if name.startswith("."):  # hidden folders hold editor and VCS state, never articles
            continue
        if entry.is_dir(follow_symlinks=False):
            if recursive:
                found.extend(_markdown_files(Path(entry.path), recursive))
        elif name.endswith(".md") and not name.startswith(("#", "~")):
            found.append((Path(entry.path), entry.is_symlink()))
    return sorted(found, key=lambda item: item[0].as_posix())
