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
        for path in _markdown_files(root / folder, recursive):
            rel = path.relative_to(root).as_posix()
            real = path.resolve()
            if not real.is_relative_to(root):
                problems.append(ContentError(rel, 0, "symlink points outside the site root; refused"))
                continue
            try:
                data = real.read_bytes()
            except OSError as exc:  # a dangling symlink, or a file deleted while we walked
                problems.append(ContentError(rel, 0, f"cannot read this file: {exc.strerror or exc}"))
                continue
            files.append(SourceFile(rel, kind, data, hashlib.sha256(data).hexdigest()))
    return files, problems


def _markdown_files(folder: Path, recursive: bool) -> list[Path]:
    if not folder.is_dir():
        return []
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        # Hidden folders hold editor and VCS state, never articles.
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")) if recursive else []
        found.extend(
            Path(dirpath) / name for name in filenames if name.endswith(".md") and not name.startswith((".", "#", "~"))
        )
    return sorted(found, key=lambda p: p.as_posix())
