"""What writing a record of reads whole costs: ``python -m benchmarks.graph_write --outputs 25000``.

A cold build writes what every output read, about 44 facts each, into the cache's sqlite
database: spilled to temporary tables a chunk at a time as the workers send it back
(``byline.state.spill``), then copied by the commit (``byline.state.graph.save``). This
makes a record of that shape (``--outputs`` readers, ``--reads`` facts each, drawn from
about eight times as many facts as readers, as the 10,000-article corpus has), spills it
and saves it afresh into a new database file as a build does, and prints the wall seconds
of each; with ``--memory``, the most Python memory the two held at once beyond the record
itself (measured under tracemalloc, which slows it: no time is printed then).
``--cache-kib`` replaces ``graph.BULK_CACHE_KIB`` to compare page caches. Not a test:
nothing asserts a duration.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

from byline.pipeline import SPILLED_CHUNK
from byline.state import graph
from byline.state.spill import Spill

FACTS_PER_OUTPUT = 8  # the 10,000-article corpus: 206,000 facts for 25,000 outputs


def record(outputs: int, reads: int, seed: int = 1) -> graph.Learnt:
    """A fresh record of ``outputs`` readers, each of ``reads`` distinct facts."""
    chance = random.Random(seed)
    facts = [f"e|content/articles/{number}.md" for number in range(outputs * FACTS_PER_OUTPUT)]
    learnt = graph.Learnt("benchmark", fresh=True)
    learnt.identities = {fact: f"{number:x}" for number, fact in enumerate(facts)}
    for number in range(outputs):
        learnt.readers[f"o:{number}/index.html"] = ("article.html|article", tuple(chance.sample(facts, reads)))
    return learnt


def save_seconds(learnt: graph.Learnt, folder: Path) -> tuple[float, float]:
    """Wall seconds to spill ``learnt`` as a render does and to save it into a new database in ``folder``."""
    db = sqlite3.connect(folder / "cache.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    graph.create(db)
    started = time.perf_counter()
    learnt.spill = Spill(db)
    names = list(learnt.readers)
    for start in range(0, len(names), SPILLED_CHUNK):
        chunk = [(name, *learnt.readers.pop(name)) for name in names[start : start + SPILLED_CHUNK]]
        learnt.spill.add((name, spec, {fact: learnt.identities[fact] for fact in reads}) for name, spec, reads in chunk)
    spilled = time.perf_counter()
    with db:
        graph.save(db, "/site/public", learnt)
    saved = time.perf_counter()
    db.close()
    return spilled - started, saved - spilled


def save_peak_mb(learnt: graph.Learnt, folder: Path) -> float:
    """Megabytes of Python memory the save of ``learnt`` held at its peak, beyond what was held before it."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        save_seconds(learnt, folder)
        return (tracemalloc.get_traced_memory()[1] - before) / 1e6
    finally:
        tracemalloc.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.graph_write", description=__doc__.splitlines()[0])
    parser.add_argument("--outputs", type=int, default=25_000, help="readers (default 25,000: 10,000 articles)")
    parser.add_argument("--reads", type=int, default=44, help="facts each reader read (default 44)")
    parser.add_argument("--cache-kib", type=int, help=f"page cache for the save (default {graph.BULK_CACHE_KIB})")
    parser.add_argument("--memory", action="store_true", help="print the save's peak Python memory, not its time")
    args = parser.parse_args(argv)
    if args.cache_kib is not None:
        graph.BULK_CACHE_KIB = args.cache_kib
    learnt = record(args.outputs, args.reads)
    rows = args.outputs * args.reads
    shape = f"{args.outputs:,} readers, {rows:,} reads, page cache {graph.BULK_CACHE_KIB:,} KiB"
    with tempfile.TemporaryDirectory() as folder:
        if args.memory:
            print(
                f"{shape}: the spill and save held {save_peak_mb(learnt, Path(folder)):.1f} MB of Python memory at its peak"
            )
        else:
            spill, save = save_seconds(learnt, Path(folder))
            print(f"{shape}: spilled in {spill:.2f} s as a render would, saved in {save:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
