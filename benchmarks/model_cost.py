"""What the model and the editorial checks cost as the archive grows: ``python -m benchmarks.model_cost``.

For each size in ``--articles`` a corpus is generated and loaded once; then the model
stage (``build_site``) and the editorial checks (``editorial_problems``, against a
previous build that published every article, as an edit build has) are timed alone,
each with the collector paused as the build pauses it. It prints CPU milliseconds per
1,000 articles, the median of ``--repeat`` runs: equal figures at every size mean
linear cost. Not a test: nothing asserts a duration.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from byline.config import BuildOptions, load_config
from byline.parallel import collection_paused
from byline.pipeline import Builder
from byline.site import model
from byline.site.checks import Published, editorial_problems, static_paths
from byline.site.model import Site, build_site

from .corpus import CORPUS_NOW, generate_corpus
from .run import article_sizes


@dataclass(frozen=True)
class Cost:
    """Median CPU seconds of the two stages for one site."""

    articles: int
    model: float
    checks: float

    def per_thousand(self, seconds: float) -> float:
        return seconds * 1000 * 1000 / self.articles


def measure(root: Path, repeat: int, jobs: int) -> Cost:
    """Load ``root`` once, then time its model and checks ``repeat`` times each, taking turns."""
    config, _ = load_config(root)
    now = datetime.fromisoformat(CORPUS_NOW).replace(tzinfo=config.timezone)
    with tempfile.TemporaryDirectory(prefix="byline-model-cost-") as folder:
        options = BuildOptions(root=root, output=Path(folder) / "public", now=now, quiet=True, jobs=jobs)
        checked = Builder(options).check(write_cache=False)
    if checked.site is None:
        raise SystemExit(f"{root} has errors: the model stage made no site")
    loaded = checked.site
    static = static_paths(checked.static)

    def model_stage() -> Site:
        model._rank_related.cache_clear()  # a command-line build is a new process: nothing is remembered
        return build_site(
            config,
            [*loaded.articles, *loaded.hidden],
            loaded.authors,
            loaded.pages,
            now=now,
            companies=loaded.company.values(),
            unfinished=loaded.unfinished,
        )[0]

    site = model_stage()
    previous = [Published(site.url_of[a.source], a.source, a.id) for a in site.articles]
    models, checks = [], []
    for _ in range(repeat):
        models.append(_timed(model_stage))
        checks.append(_timed(lambda: editorial_problems(site, root, static, previous, now)))
    return Cost(len(site.articles) + len(site.hidden), statistics.median(models), statistics.median(checks))


def _timed(step: Callable[[], object]) -> float:
    with collection_paused():
        started = time.process_time()
        step()
        return time.process_time() - started


def table(costs: list[Cost]) -> str:
    lines = [
        "| articles | model, s | checks, s | model, ms per 1,000 | checks, ms per 1,000 |",
        "|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {c.articles:,} | {c.model:.3f} | {c.checks:.3f} | {c.per_thousand(c.model):.1f} | "
        f"{c.per_thousand(c.checks):.1f} |"
        for c in costs
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.model_cost", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument(
        "--articles", type=article_sizes, default=[1000, 10000], help="corpus sizes (default 1000,10000)"
    )
    parser.add_argument("--root", type=Path, action="append", help="measure this site instead (repeatable)")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the table shows medians (default 5)")
    parser.add_argument("--jobs", type=int, default=2, help="processes parsing each corpus (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.jobs < 1:
        parser.error("--repeat and --jobs must be at least 1")
    costs = []
    if args.root:
        costs = [measure(root, args.repeat, args.jobs) for root in args.root]
    else:
        for size in args.articles:
            with tempfile.TemporaryDirectory(prefix="byline-model-cost-") as folder:
                corpus = generate_corpus(Path(folder) / "site", size, args.seed)
                costs.append(measure(corpus.root, args.repeat, args.jobs))
    print(f"# Model and checks: CPU time, medians of {args.repeat} runs\n")
    print(table(costs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
