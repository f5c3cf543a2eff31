"""Where the built-in theme lives: the repository's own templates/ and static/ folders."""

from __future__ import annotations

from pathlib import Path

THEME = Path(__file__).resolve().parent.parent
THEME_TEMPLATES = THEME / "templates"
THEME_STATIC = THEME / "static"


def template_dirs(root: Path) -> list[Path]:
    """Site templates first, so any file there overrides the theme's file of the same name."""
    return _existing_unique([root / "templates", THEME_TEMPLATES])


def static_dirs(root: Path) -> list[Path]:
    """The theme's static files first, then the site's, which override them by path."""
    return _existing_unique([THEME_STATIC, root / "static"])


def _existing_unique(folders: list[Path]) -> list[Path]:
    unique: list[Path] = []
    for folder in folders:
        if folder.is_dir() and folder.resolve() not in [d.resolve() for d in unique]:
            unique.append(folder)
    return unique
