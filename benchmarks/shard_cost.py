"""What re-indexing one search shard costs: ``python -m benchmarks.shard_cost --articles 10000``.

An edit re-indexes the one shard that holds the edited article, so a shard rule is
judged by what indexing a shard of N documents costs. This takes the N oldest published
articles of a generated corpus (the one ``search_cost --keep DIR`` keeps, reused),
writes their search documents as a build does, and runs the build's own indexing
process on them as one shard (``python -m byline.output.search``: Python starting, the
documents written out, Pagefind, the bundle tidied), each size in turn, ``--repeat``
rounds interleaved. It prints each size's median wall and CPU seconds (the process and
Pagefind, from ``wait4``) and the least-squares line through them: a fixed cost plus a
cost per document. Not a test: nothing asserts a duration.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from byline.config import BuildOptions, load_config
from byline.dates import parse_datetime
from byline.output.plan import SitePlan
from byline.output.search.documents import SearchDocument, search_documents
from byline.pipeline import check

from .corpus import CORPUS_NOW
from .run import REPO, run_child
from .search_cost import corpus, workspace

DEFAULT_SIZES = (100, 250, 500, 1000, 2500)


@dataclass(frozen=True)
class Run:
    """One indexing of ``documents`` documents: wall and CPU seconds."""

    documents: int
    wall: float
    cpu: float


def oldest_documents(site: Path) -> list[SearchDocument]:
    """Every published article's search document, oldest first, as a build on the corpus clock makes them."""
    now = parse_datetime(CORPUS_NOW, load_config(site)[0].timezone)
    options = BuildOptions(root=site, output=site.parent / "public", now=now)
    checked = check(options)
    if checked.site is None:
        raise RuntimeError("the corpus does not check: " + "; ".join(p.format() for p in checked.problems[:3]))
    plan = SitePlan(checked.site, now=options.now)
    dated = [(article.date, path) for path, article, _ in plan.searchable()]
    by_path = {document.path: document for document in search_documents(plan)}
    return [by_path[path] for _, path in sorted(dated)]


def write_shard(documents: Sequence[SearchDocument], folder: Path) -> Path:
    """The documents as the build hands them to its indexing process: one JSON line each."""
    source = folder / f"{len(documents)}.jsonl"
    with source.open("w", encoding="utf-8") as stream:
        for document in documents:
            stream.write(json.dumps([document.path, document.html], ensure_ascii=False) + "\n")
    return source


def index_once(source: Path, documents: int) -> Run:
    """Run the build's indexing process on one shard, into a fresh bundle; what it took."""
    with tempfile.TemporaryDirectory(prefix="byline-shard-cost-") as scratch:
        workdir = Path(scratch)
        job = {"shard": "measured", "key": "-", "code": False, "source": str(source), "bundle": str(workdir / "out")}
        (workdir / "plan.json").write_text(json.dumps({"workers": 1, "jobs": [job]}))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        child = run_child([sys.executable, "-m", "byline.output.search", str(workdir), str(os.getpid())], env)
    assert child.cpu is not None, "wait4 is needed for CPU seconds"
    return Run(documents, child.wall, child.cpu)


def table(runs: Sequence[Run]) -> str:
    """Per size: median wall and CPU seconds, with the range of wall times."""
    lines = ["| documents | wall s (median) | wall s (range) | CPU s (median) |", "|---:|---:|---:|---:|"]
    for size in sorted({run.documents for run in runs}):
        walls = [run.wall for run in runs if run.documents == size]
        cpus = [run.cpu for run in runs if run.documents == size]
        middle = f"{statistics.median(walls):.2f}"
        lines.append(f"| {size:,} | {middle} | {min(walls):.2f}–{max(walls):.2f} | {statistics.median(cpus):.2f} |")
    return "\n".join(lines)


def fit(runs: Sequence[Run], measure: str) -> tuple[float, float]:
    """The least-squares line through each size's median ``measure`` ("wall" or "cpu"): (fixed s, s per document)."""
    sizes = sorted({run.documents for run in runs})
    medians = [statistics.median(getattr(run, measure) for run in runs if run.documents == size) for size in sizes]
    slope, intercept = statistics.linear_regression(sizes, medians)
    return intercept, slope


def main(argv: Sequence[str] | None = None) -> int:
    """Measure each size; exit 2 on bad arguments, 1 if the corpus has too few articles or indexing fails."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.shard_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000, help="corpus size (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--keep", type=Path, help="keep the corpus in DIR/search-N-seed-S (search_cost's); reuse it")
    parser.add_argument("--sizes", type=_sizes, default=DEFAULT_SIZES, help="shard sizes, e.g. 100,250,500")
    parser.add_argument("--repeat", type=int, default=5, help="rounds over the sizes; rows show medians (default 5)")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.repeat < 1:
        parser.error("--articles and --repeat must be at least 1")
    print("# What re-indexing one search shard costs\n")
    print(f"Machine: {os.cpu_count()} CPUs, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}.")
    try:
        with workspace(args.keep, args.articles, args.seed) as (folder, reuse):
            documents = oldest_documents(corpus(folder, args.articles, args.seed, reuse))
            if len(documents) < max(args.sizes):
                raise RuntimeError(f"{len(documents)} published articles, fewer than {max(args.sizes)}")
            sources = folder / "shard-cost"
            shutil.rmtree(sources, ignore_errors=True)
            sources.mkdir()
            written = {size: write_shard(documents[:size], sources) for size in args.sizes}
            runs = []
            for _ in range(args.repeat):  # interleaved: a busy minute slows every size, not one
                runs += [index_once(written[size], size) for size in args.sizes]
            shutil.rmtree(sources, ignore_errors=True)
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as failed:  # BuildError too: the indexing process failed
        print(f"\nThe measurement failed: {failed}", file=sys.stderr)
        return 1
    print(f"Each row: the median of {args.repeat} runs of the oldest N published articles, sizes interleaved.\n")
    print(table(runs))
    for measure in ("wall", "cpu"):
        fixed, each = fit(runs, measure)
        print(f"\n{measure}: about {fixed:.2f} s + {each * 1000:.2f} ms per document (least squares over the medians)")
    return 0


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(part) for part in text.split(",")}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 100,250,500, not {text!r}") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be at least 1")
    return sizes


if __name__ == "__main__":
    sys.exit(main())
