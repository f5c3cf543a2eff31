"""The build, top to bottom: load -> model -> plan -> render -> write.

The only code that calls the stages, in order. Everything is gathered and rendered
before anything is written, so a failed build leaves the previous output untouched.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .config import BuildOptions, SiteConfig, load_config
from .errors import BuildFailed, ContentError, only_errors
from .load import LoadRules, load_source
from .models import Article, Author, Page
from .plan import Output, plan_site
from .render import THEME_STATIC, Renderer
from .site import Site, build_site
from .sources import find_sources
from .write import MARKER, Staging, check_output_folder

Progress = Callable[[int, int], None]


@dataclass
class BuildResult:
    """What a build did, for the summary line, the preview server and tests."""

    output: Path
    articles: int = 0
    pages: int = 0
    files: int = 0
    seconds: float = 0.0
    warnings: list[ContentError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    site: Site | None = None


@dataclass
class Checked:
    """The model stage's result: the site, if it could be made, and every problem found."""

    site: Site | None
    problems: list[ContentError]
    timings: dict[str, float]


def check(options: BuildOptions) -> Checked:
    """Load and model the site, reporting every problem; writes nothing."""
    options = _with_clock(options)
    timer = _Timer()
    config, problems = load_config(options.root, options.base_url)
    sources, source_problems = find_sources(options.root)
    problems += source_problems
    timer.lap("read")
    articles, authors, pages = [], [], []
    rules = LoadRules.from_config(config)
    for source in sources:
        model, file_problems = load_source(source, rules)
        problems += file_problems
        if isinstance(model, Article):
            articles.append(model)
        elif isinstance(model, Author):
            authors.append(model)
        elif isinstance(model, Page):
            pages.append(model)
    timer.lap("load")
    site, site_problems = build_site(
        config,
        articles,
        authors,
        pages,
        now=options.now,
        drafts=options.drafts,
        future=options.future,
    )
    problems += site_problems
    timer.lap("model")
    return Checked(site, sorted(set(problems)), timer.laps)


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the site into options.output, or raise BuildFailed leaving it as it was."""
    started = time.perf_counter()
    options = _with_clock(options)  # one reading of the clock for the whole build
    check_output_folder(options.root, options.output)
    checked = check(options)
    if only_errors(checked.problems) or checked.site is None:
        raise BuildFailed(checked.problems)
    site = checked.site
    timer = _Timer()
    outputs = plan_site(site, options.now)
    timer.lap("plan")
    rendered = _render(Renderer(options.root), outputs, progress)
    timer.lap("render")
    with Staging(options.output) as staging:
        for path, data in rendered:
            staging.write(path, data)
        for static in _static_dirs(options.root):
            staging.copy_tree(static, "static")
        staging.write(MARKER, _marker(site.config))
        stats = staging.commit()
    timer.lap("write")
    return BuildResult(
        output=options.output,
        articles=len(site.articles),
        pages=sum(1 for o in outputs if o.kind in ("page", "article")),
        files=stats.files,
        seconds=time.perf_counter() - started,
        warnings=[p for p in checked.problems if p.severity == "warning"],
        timings={**checked.timings, **timer.laps},
        site=site,
    )


def _render(renderer: Renderer, outputs: list[Output], progress: Progress | None) -> list[tuple[str, bytes]]:
    rendered = []
    total = len(outputs)
    for done, output in enumerate(outputs, start=1):
        rendered.append((output.path, renderer.render(output.template, output.context)))
        if progress and (done % 200 == 0 or done == total):
            progress(done, total)
    return rendered


def _static_dirs(root: Path) -> list[Path]:
    """The theme's static files first, then the site's, which override them by path."""
    dirs = [THEME_STATIC, root / "static"]
    return [d for i, d in enumerate(dirs) if d.is_dir() and d.resolve() not in [x.resolve() for x in dirs[:i]]]


def _marker(config: SiteConfig) -> bytes:
    return (json.dumps({"generator": f"Byline {__version__}", "site": config.base_url}, indent=2) + "\n").encode()


def _with_clock(options: BuildOptions) -> BuildOptions:
    return options if options.now else replace(options, now=datetime.now(UTC))


class _Timer:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now
