"""Jinja2 rendering: the site's templates over the built-in theme, autoescaped, strict."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import jinja2

from .errors import BuildFailed, ContentError

THEME = Path(__file__).resolve().parent.parent  # the repo's templates/ and static/ are the theme
THEME_TEMPLATES = THEME / "templates"
THEME_STATIC = THEME / "static"


def template_dirs(root: Path) -> list[Path]:
    """Site templates first, so any file there overrides the theme's file of the same name."""
    dirs = [root / "templates", THEME_TEMPLATES]
    unique = []
    for folder in dirs:
        if folder.is_dir() and folder.resolve() not in [d.resolve() for d in unique]:
            unique.append(folder)
    return unique


def make_environment(dirs: list[Path]) -> jinja2.Environment:
    """A strict environment: a typo in a template is an error, never a silent blank."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "xml"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class Renderer:
    """Render outputs with one environment; template errors become ``path:line`` problems."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.dirs = template_dirs(root)
        self.env = make_environment(self.dirs)

    def render(self, template: str, context: dict[str, Any]) -> bytes:
        try:
            return self.env.get_template(template).render(context).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            raise BuildFailed(
                [ContentError(self._display(exc.filename, template), exc.lineno or 0, f"template error: {exc.message}")]
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise BuildFailed([ContentError(f"templates/{template}", 0, f"template not found: {exc.name}")]) from None
        except Exception as exc:  # a runtime error inside a template: point at its line
            filename, line = self._template_frame(exc)
            raise BuildFailed(
                [ContentError(self._display(filename, template), line, f"template error: {type(exc).__name__}: {exc}")]
            ) from None

    def template_source(self, name: str) -> Path | None:
        """Which file a template name resolves to (site override or theme)."""
        for folder in self.dirs:
            if (folder / name).is_file():
                return folder / name
        return None

    def _template_frame(self, exc: BaseException) -> tuple[str | None, int]:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if any(frame.filename.startswith(str(d)) for d in self.dirs):
                return frame.filename, frame.lineno or 0
        return None, 0

    def _display(self, filename: str | None, template: str) -> str:
        if not filename:
            return f"templates/{template}"
        path = Path(filename).resolve()
        if path.is_relative_to(self.root):
            return path.relative_to(self.root).as_posix()
        return str(path)
