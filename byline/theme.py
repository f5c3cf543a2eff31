"""Where the built-in theme lives, and how a site's own folders layer over it.

The repository is both the theme and the sample site: of its static/, only ``THEME_ASSETS`` are
the theme's, and ``static_files`` is the one list of what a build publishes under /static/.
"""

from __future__ import annotations

import os
import stat as stats
from dataclasses import dataclass, field
from pathlib import Path

from byline.errors import ContentError

THEME = Path(__file__).resolve().parent.parent
THEME_TEMPLATES = THEME / "templates"
THEME_STATIC = THEME / "static"
THEME_ASSETS = ("css", "icons", "js")  # the folders of static/ the theme's templates load from


OUTSIDE = "symlink points outside the site root; refused"


@dataclass(frozen=True)
class StaticSource:
    """A folder whose files are published under /static/``into``/; none may lead out of ``within``."""

    folder: Path
    into: str  # a POSIX path under static/, "" for static/ itself
    within: Path = field(default=THEME, compare=False)  # the site root, or the theme for its own assets


def template_dirs(root: Path) -> list[Path]:
    """Site templates first, so any file there overrides the theme's file of the same name.

    A site's templates/ that is a symlink out of the site root is left out (``template_problems`` says why).
    """
    site = [root / "templates"] if inside(root / "templates", root.resolve()) else []
    return _existing_unique([*site, THEME_TEMPLATES])


def template_bound(folder: Path) -> Path:
    """The folder a template folder's files must stay in: the theme for the theme's, else its site root."""
    return THEME if _same_folder(folder, THEME_TEMPLATES) else folder.parent.resolve()


def template_problems(root: Path) -> list[ContentError]:
    """The site's template files that lead out of the site root: refused, as content files are."""
    folder = root / "templates"
    if not folder.is_dir() or _same_folder(folder, THEME_TEMPLATES):
        return []
    walk = _Walk(root.resolve())
    walk.folder(folder, "templates")
    return walk.problems


def static_sources(root: Path) -> list[StaticSource]:
    """The theme's own assets first, then the site's static/, which overrides them file by file.

    When the site is the repository itself, its static/ is the site's, all of it.
    """
    site = root / "static"
    theme = [] if _same_folder(site, THEME_STATIC) else [StaticSource(THEME_STATIC / a, a) for a in THEME_ASSETS]
    own = StaticSource(site, "", root.resolve())
    return [source for source in [*theme, own] if source.folder.is_dir()]


def find_static(root: Path) -> tuple[dict[str, Path], list[ContentError]]:
    """Every file a build of ``root`` publishes under /static/, by its path there ("css/style.css"), and what is refused.

    The site's own file wins over the theme's; hidden files are left out, and a symlink out
    of the site root or anything but a regular file (a FIFO would hang the copy) is refused.
    """
    found: dict[str, Path] = {}
    problems: list[ContentError] = []
    for source in static_sources(root):
        walk = _Walk(source.within)
        files = walk.folder(source.folder, "static" + (f"/{source.into}" if source.into else ""))
        found.update((f"{source.into}/{name}" if source.into else name, path) for name, path in files.items())
        problems += walk.problems
    return dict(sorted(found.items())), problems


def static_files(root: Path) -> dict[str, Path]:
    """The files of ``find_static``, without its problems."""
    return find_static(root)[0]


class _Walk:
    """List a folder's files, following symlinks only while they stay within ``bound``."""

    def __init__(self, bound: Path):
        self.bound = bound
        self.problems: list[ContentError] = []
        self.walked: set[str] = set()  # real paths of folders listed, so a link back up is not walked twice

    def folder(self, folder: Path, shown: str) -> dict[str, Path]:
        """The files under ``folder`` by their path below it; what is refused goes to ``problems``, named from ``shown``."""
        files: dict[str, Path] = {}
        if not inside(folder, self.bound):
            self.problems.append(ContentError(shown, 0, OUTSIDE))
            return files
        pending = [(str(folder), "")]
        while pending:
            path, prefix = pending.pop()
            real = os.path.realpath(path)
            if real in self.walked:
                continue
            self.walked.add(real)
            try:
                entries = sorted(os.scandir(path), key=lambda e: e.name)
            except OSError as exc:
                self.problems.append(ContentError(shown + "/" + prefix, 0, f"cannot read this folder: {exc.strerror}"))
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                name, where = prefix + entry.name, f"{shown}/{prefix}{entry.name}"
                if entry.is_symlink() and not inside(entry.path, self.bound):
                    self.problems.append(ContentError(where, 0, OUTSIDE))
                elif entry.is_dir():
                    pending.append((entry.path, name + "/"))
                elif problem := _not_publishable(entry):
                    self.problems.append(ContentError(where, 0, problem))
                else:
                    files[name] = Path(entry.path)
        return files


def _not_publishable(entry: os.DirEntry[str]) -> str | None:
    """Why a listed entry cannot be copied as a file: not a regular file, or a symlink going nowhere."""
    try:
        mode = entry.stat().st_mode
    except OSError as exc:
        return f"cannot read this file: {exc.strerror or exc}"
    return None if stats.S_ISREG(mode) else "this is not a regular file (a FIFO, socket or device); refused"


def inside(path: Path | str, bound: Path) -> bool:
    """Whether ``path``, its symlinks followed, is within ``bound`` (a resolved folder); a loop stays where it is."""
    return Path(os.path.realpath(path)).is_relative_to(bound)


def _same_folder(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def _existing_unique(folders: list[Path]) -> list[Path]:
    unique: list[Path] = []
    for folder in folders:
        if folder.is_dir() and os.path.realpath(folder) not in [os.path.realpath(d) for d in unique]:
            unique.append(folder)
    return unique
