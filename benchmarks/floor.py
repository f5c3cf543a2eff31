"""The least time a build can take here: ``python -m benchmarks.floor --articles 10000``.

Measures, on a generated corpus, the work no Byline build can skip, and what it puts
under the speed targets of a 10,000-article site:

- a cold build must parse every article (Python-Markdown and nh3, as ``load_source``
  does, in this process) and index every published one (Pagefind, run on the build's
  own search documents, shard by shard as a build runs it). Their CPU, spread over every
  core, is the least wall time a cold build can take, before one page is rendered;
- a one-article edit must start Python and import Byline, then read, load (from the
  cache) and model the whole site, as ARCHITECTURE.md has every build do, and run its
  checks (``pipeline.check`` times these). That sum is the least an edit can take
  before one page is planned, fingerprinted or written.

Other sizes are scaled linearly to 10,000 in the last column, which is rough: a small
corpus has few articles in each search shard, so Pagefind's start-up per shard weighs
more. Measure at the default size for the figures that count. Not a test: nothing
asserts a duration.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from byline.config import BuildOptions, load_config
from byline.content.load import LoadRules, load_source
from byline.content.sources import find_sources, read_source
from byline.output.search.documents import SearchDocument, shards_of
from byline.output.search.pagefind_run import run_pagefind
from byline.pipeline import build, check

from .corpus import CORPUS_NOW, generate_corpus
from .run import REPO, build_environment

TARGET_ARTICLES = 10_000
COLD_TARGET_S = 20.0
EDIT_TARGET_S = 2.0
EDIT_STAGES = ("read", "load", "model", "checks")
HEADER = ("part", "measured", f"at {TARGET_ARTICLES:,} articles")


@dataclass(frozen=True)
class Floor:
    """A share of the least time: what was measured at the corpus's size, and that scaled to 10,000."""

    part: str
    seconds: float
    scaled: float
    unit: str  # "CPU s" or "s"


def parse_cpu(root: Path, rules: LoadRules) -> tuple[float, int]:
    """CPU seconds to parse every article of the site in this process, and how many there were."""
    listed, _ = find_sources(root, {})
    sources = [read_source(root, s) for s in listed if s.path.startswith("content/articles/")]
    started = time.process_time()
    for source in sources:
        load_source(source, rules)
    return time.process_time() - started, len(sources)


def pagefind_cpu(documents: list[SearchDocument], scratch: Path) -> float:
    """CPU seconds Pagefind takes to index ``documents``, shard by shard, run by the build's own code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for number, shard in enumerate(shards_of(documents).values()):
        bundle = scratch / f"bundle-{number}"
        run_pagefind((json.dumps([d.path, d.html]) for d in shard), bundle, scratch)
        shutil.rmtree(bundle)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # Pagefind's processes are the only children since
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def startup_seconds(environment: dict[str, str], runs: int = 5) -> float:
    """Wall seconds to start Python and import the build pipeline, as ``python build.py`` does (the fastest of ``runs``)."""
    command = [sys.executable, "-c", "import byline.cli, byline.pipeline"]
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=REPO, env=environment, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def edit_seconds(options: BuildOptions, article: Path) -> dict[str, float]:
    """The whole-model stages of a rebuild after one article's body is edited: seconds by stage."""
    with article.open("a", encoding="utf-8") as stream:
        stream.write("\nOne more paragraph, added by the floor benchmark.\n")
    checked = check(options)
    if checked.parsed != 1:  # the others must come from the cache, as in an editor's rebuild
        raise RuntimeError(f"the edit re-parsed {checked.parsed} files, not 1: the cache was not used")
    return {stage: checked.timings[stage] for stage in EDIT_STAGES}


def measure(root: Path, work: Path) -> tuple[list[Floor], int]:
    """Every part of the floor for the corpus at ``root``; scratch files go under ``work``."""
    config, _ = load_config(root)
    parse, articles = parse_cpu(root, LoadRules.from_config(config))
    scale = TARGET_ARTICLES / articles
    now = datetime.fromisoformat(CORPUS_NOW).replace(tzinfo=config.timezone)  # site-local, as --now reads it
    options = BuildOptions(root=root, output=work / "public", now=now, quiet=True, search_index=False)
    documents = build(options).search_documents  # also fills the cache an edit reads
    (work / "pagefind").mkdir()
    index = pagefind_cpu(documents, work / "pagefind")
    cores = os.cpu_count() or 1
    cold = [
        Floor("cold: parse every article (Python-Markdown, nh3), CPU", parse, parse * scale, "CPU s"),
        Floor(f"cold: Pagefind indexes {len(documents):,} published articles, CPU", index, index * scale, "CPU s"),
    ]
    cold.append(_total(f"cold floor: both, on all {cores} cores (target {COLD_TARGET_S:g} s)", cold, divide=cores))
    newest = max(root.glob("content/articles/*/*/*.md"))
    stages = edit_seconds(options, newest)
    start = startup_seconds(build_environment(work / "pycache"))
    edit = [Floor("edit: start Python, import Byline", start, start, "s")]
    edit += [Floor(f"edit: {stage} (whole site)", seconds, seconds * scale, "s") for stage, seconds in stages.items()]
    edit.append(_total(f"edit floor: all of the above (target {EDIT_TARGET_S:g} s)", edit))
    return cold + edit, articles


def _total(part: str, parts: Sequence[Floor], divide: int = 1) -> Floor:
    """The parts' sum in wall seconds: CPU seconds divided among ``divide`` cores."""
    return Floor(part, sum(p.seconds for p in parts) / divide, sum(p.scaled for p in parts) / divide, "s")


def table(floors: Sequence[Floor]) -> str:
    """A Markdown table, as benchmarks.run prints."""
    lines = ["| " + " | ".join(HEADER) + " |", "|---|---:|---:|"]
    for floor in floors:
        lines.append(f"| {floor.part} | {floor.seconds:.2f} {floor.unit} | {floor.scaled:.2f} {floor.unit} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--articles", type=int, default=TARGET_ARTICLES, help=f"corpus size (default {TARGET_ARTICLES})"
    )
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    with tempfile.TemporaryDirectory(prefix="byline-floor-") as folder:
        work = Path(folder)
        corpus = generate_corpus(work / "site", args.articles, args.seed)
        print("# The least time a Byline build can take on this machine\n")
        print(f"Corpus: {corpus.describe()}.\n")
        floors, articles = measure(corpus.root, work)
        print(table(floors))
        print(f"\n(measured on {articles:,} article files; the last column scales to {TARGET_ARTICLES:,})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
