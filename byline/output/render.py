"""Jinja2 rendering: the site's templates over the built-in theme, autoescaped, strict."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import traceback
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
from jinja2.loaders import split_template_path

from byline import __version__
from byline.errors import BuildFailed, ContentError
from byline.output.views import Derived, Shared
from byline.theme import OUTSIDE, inside, template_bound, template_dirs


class _ViewEnvironment(jinja2.Environment):
    """Jinja's environment with a faster ``a.b`` for views, which are dicts.

    A view's key is read first unless the name is one of dict's own attributes: Jinja's
    result, without the AttributeError its ``getattr`` would raise first.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) in _VIEW_TYPES and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


_VIEW_TYPES: frozenset[type] = frozenset((dict, Shared))
_DICT_ATTRIBUTES = frozenset(dir(dict)) | frozenset(dir(Shared))


class _ContainedLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, refusing a template whose file is a symlink out of the site (or the theme).

    ``theme.template_problems`` reports such a file in ``check``; this keeps the renderer
    from reading it whatever called it.
    """

    def __init__(self, dirs: list[Path]):
        super().__init__([str(d) for d in dirs])
        self.bounds = [(str(d), template_bound(d)) for d in dirs]

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        pieces = split_template_path(template)
        for folder, bound in self.bounds:
            candidate = os.path.join(folder, *pieces)
            if os.path.isfile(candidate):
                if not inside(candidate, bound):
                    raise jinja2.TemplateNotFound(template, f"templates/{template}: {OUTSIDE}")
                break
        return super().get_source(environment, template)


class VerifiedBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, each entry stored with the SHA-256 of its bytes.

    Jinja checks an entry against its template's source only, so a damaged entry would be loaded as code.
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            with open(self._get_cache_filename(bucket), "rb") as stream:
                data = stream.read()
        except OSError:
            return
        digest, payload = data[:32], data[32:]
        if hashlib.sha256(payload).digest() == digest:
            bucket.bytecode_from_string(payload)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        payload = bucket.bytecode_to_string()
        name = self._get_cache_filename(bucket)
        temporary = f"{name}.{os.getpid()}.tmp"
        try:
            with open(temporary, "wb") as stream:
                stream.write(hashlib.sha256(payload).digest() + payload)
            os.replace(temporary, name)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def make_environment(dirs: list[Path], compiled: Path | None = None) -> jinja2.Environment:
    """A strict environment: a typo in a template is an error, never a silent blank.

    ``compiled`` keeps templates' compiled code between runs (see VerifiedBytecodeCache).
    """
    bytecode_cache = None
    if compiled is not None:
        try:
            compiled.mkdir(parents=True, exist_ok=True)
            bytecode_cache = VerifiedBytecodeCache(str(compiled))
        except OSError:
            bytecode_cache = None
    return _ViewEnvironment(
        loader=_ContainedLoader(dirs),
        bytecode_cache=bytecode_cache,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "xml"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# {% extends/include/import/from "name" %}: a lexical scan, much cheaper than parsing, and
# conservative: a tag naming its template with an expression depends on every template.
_TEMPLATE_TAG = re.compile(r"\{%[-+]?\s*(?:extends|include|import|from)\s+(.)")
_TEMPLATE_NAME = re.compile(r"""\{%[-+]?\s*(?:extends|include|import|from)\s+\[?\s*(["'])([^"']+)\1""")


def _referenced_templates(source: str, env: jinja2.Environment) -> list[str]:
    if any(m.group(1) not in "\"'" for m in _TEMPLATE_TAG.finditer(source)):
        return env.list_templates()
    return [m.group(2) for m in _TEMPLATE_NAME.finditer(source)]


def _made(context: dict[str, Any]) -> dict[str, Any]:
    """The context as templates see it: each Derived of its top-level dicts made into its list."""
    made = context
    for key, value in context.items():
        if type(value) is dict and any(type(item) is Derived for item in value.values()):
            if made is context:
                made = dict(context)
            made[key] = {name: item.made(value) if type(item) is Derived else item for name, item in value.items()}
    return made


class Renderer:
    """Render outputs with one environment; template errors become ``path:line`` problems.

    ``compiled`` is where templates' compiled code is kept between builds (none: not kept).
    """

    def __init__(self, root: Path, compiled: Path | None = None):
        self.root = root.resolve()
        self.dirs = template_dirs(root)
        self.env = make_environment(self.dirs, compiled=compiled)
        self._digests: dict[str, str] = {}

    def render(self, template: str, context: dict[str, Any]) -> bytes:
        try:
            return self.env.get_template(template).render(_made(context)).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            raise BuildFailed(
                [ContentError(self._display(exc.filename, template), exc.lineno or 0, f"template error: {exc.message}")]
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise BuildFailed([ContentError(f"templates/{template}", 0, f"template not found: {exc.name}")]) from None
        except BuildFailed:  # a problem of content the template showed (a body read back), not of the template
            raise
        except Exception as exc:  # a runtime error inside a template: point at its line
            filename, line = self._template_frame(exc)
            raise BuildFailed(
                [ContentError(self._display(filename, template), line, f"template error: {type(exc).__name__}: {exc}")]
            ) from None

    def template_digest(self, name: str) -> str:
        """Hash a template with every template it extends, includes or imports."""
        if name not in self._digests:
            self._digests[name] = self._closure_digest(name)
        return self._digests[name]

    def _closure_digest(self, name: str) -> str:
        seen: dict[str, str] = {}
        pending = [name]
        loader = self.env.loader
        assert loader is not None, "make_environment always gives the environment a loader"
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            try:
                source, _, _ = loader.get_source(self.env, current)
            except jinja2.TemplateNotFound:
                seen[current] = "missing"
                continue
            seen[current] = source
            pending.extend(_referenced_templates(source, self.env))
        digest = hashlib.sha256(__version__.encode())
        for template in sorted(seen):
            digest.update(f"\0{template}\0{seen[template]}".encode())
        return digest.hexdigest()

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
