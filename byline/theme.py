"""Where the built-in theme lives, and how a site's own folders layer over it.

The repository is both the built-in theme and the sample site, so its folders hold both.
Its templates/ is all theme. Its static/ is not: only ``THEME_ASSETS`` (the stylesheet,
scripts and icon the templates load) belong to the theme; the rest (the sample articles'
pictures, its authors' avatars, its logo) is the sample site's own, published when the
repository itself is the site root and by no other site. ``static_files`` is the one
list of what a build publishes under /static/: copying, fingerprinting, image look-ups
and link checks all read it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

THEME = Path(__file__).resolve().parent.parent
THEME_TEMPLATES = THEME / "templates"
THEME_STATIC = THEME / "static"
THEME_ASSETS = ("css", "icons", "js")  # the folders of static/ the theme's templates load from


@dataclass(frozen=True)
class StaticSource:
    """A folder whose files are published under /static/``into``/."""

    folder: Path
    into: str  # a POSIX path under static/, "" for static/ itself


def template_dirs(root: Path) -> list[Path]:
    """Site templates first, so any file there overrides the theme's file of the same name."""
    return _existing_unique([root / "templates", THEME_TEMPLATES])


def static_sources(root: Path) -> list[StaticSource]:
    """The theme's own assets first, then the site's static/, which overrides them file by file.

    When the site is the repository itself, its static/ is the site's, all of it.
    """
    site = root / "static"
    theme = [] if _same_folder(site, THEME_STATIC) else [StaticSource(THEME_STATIC / a, a) for a in THEME_ASSETS]
    return [source for source in [*theme, StaticSource(site, "")] if source.folder.is_dir()]


def static_files(root: Path) -> dict[str, Path]:
    """Every file a build of ``root`` publishes under /static/, by its path there ("css/style.css").

    Each maps to the file that wins: the site's own over the theme's. Hidden files and
    folders (".DS_Store", ".git") are never published.
    """
    found: dict[str, Path] = {}
    for source in static_sources(root):
        prefix = f"{source.into}/" if source.into else ""
        for dirpath, dirnames, filenames in os.walk(source.folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            folder = Path(dirpath)
            relative = folder.relative_to(source.folder).as_posix()
            inner = "" if relative == "." else f"{relative}/"
            for name in sorted(filenames):
                if not name.startswith("."):
                    found[f"{prefix}{inner}{name}"] = folder / name
    return dict(sorted(found.items()))


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _existing_unique(folders: list[Path]) -> list[Path]:
    unique: list[Path] = []
    for folder in folders:
        if folder.is_dir() and folder.resolve() not in [d.resolve() for d in unique]:
            unique.append(folder)
    return unique
