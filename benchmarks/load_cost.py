"""What taking parse results from the build cache costs: ``python -m benchmarks.load_cost --articles 2000``.

A build parses only the files that changed and takes every other file's parse result
from the build cache, so an edit build's load stage is mostly ``Cache.get_parsed``. This
fills a cache with the parse results of a generated corpus (or reads the cache of a site
built with this code, ``--root``) and prints CPU milliseconds, the median of ``--repeat``
runs: the whole ``get_parsed`` of every stored result (rows read, checked and decoded),
and per 1,000 results, decoding and encoding alone; then the memory the decoded results
hold. Not a test: nothing asserts a duration.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from byline.config import load_config
from byline.content.load import LoadRules, load_source
from byline.content.loaded import ParseResult
from byline.content.sources import find_sources
from byline.state.cache import Cache, decode_result, encode_result, parse_key
from byline.state.workspace import Workspace

from .corpus import generate_corpus, parse_site_options


@dataclass(frozen=True)
class Costs:
    """Median CPU milliseconds of each measured step."""

    results: int
    get_parsed: float  # every stored result, in one call
    decode_per_1000: float
    encode_per_1000: float
    held_mb: float  # memory the decoded results hold, all of them at once


def site_cache(root: Path, read_only: bool = False) -> Cache:
    """The build cache of the site at ``root``, as its builds open it."""
    return Workspace(root, root / "public").cache(read_only=read_only)


def fill_cache(root: Path) -> int:
    """Parse every content file under ``root`` and store the results as a build would; how many there are."""
    rules = LoadRules.from_config(load_config(root)[0])
    sources, _ = find_sources(root)
    cache = site_cache(root)
    try:
        cache.put_parsed({parse_key(source, rules): encode_result(*load_source(source, rules)) for source in sources})
    finally:
        cache.close()
    return len(sources)


def stored_keys(cache: Cache) -> list[str]:
    """Every parse result's key in ``cache``: an edit build wants all of them but the edited file's."""
    if cache.db is None:
        raise RuntimeError(f"{cache.path}: no cache this code can read; build the site with it first")
    return [key for (key,) in cache.db.execute("SELECT key FROM parse")]


def cpu_ms(step: Callable[[], object]) -> float:
    """CPU milliseconds of one run of ``step``, with what an earlier run made already freed."""
    gc.collect()
    started = time.process_time()
    step()
    return (time.process_time() - started) * 1000


def collection_paused_ms(step: Callable[[], object]) -> float:
    """As ``cpu_ms``, with Python's cyclic collector paused: the cost of the codec alone."""
    gc.collect()
    gc.disable()
    try:
        return cpu_ms(step)
    finally:
        gc.enable()


def measure(root: Path, repeat: int) -> Costs:
    """Time ``get_parsed`` of every result in the cache of ``root``, then decoding and encoding them in memory."""
    cache = site_cache(root, read_only=True)
    try:
        keys = stored_keys(cache)
        results: dict[str, ParseResult] = cache.get_parsed(keys)
        whole = [cpu_ms(lambda: cache.get_parsed(keys)) for _ in range(repeat)]
    finally:
        cache.close()
    parsed = list(results.values())
    encoded = [encode_result(*result) for result in parsed]
    if [decode_result(item) for item in encoded] != parsed:
        raise RuntimeError("a parse result does not read back as it was written")
    per_1000 = 1000 / max(1, len(parsed))
    decode = [collection_paused_ms(lambda: [decode_result(item) for item in encoded]) for _ in range(repeat)]
    encode = [collection_paused_ms(lambda: [encode_result(*result) for result in parsed]) for _ in range(repeat)]
    return Costs(
        len(results),
        statistics.median(whole),
        statistics.median(decode) * per_1000,
        statistics.median(encode) * per_1000,
        held_mb(encoded),
    )


def held_mb(encoded: list[bytes]) -> float:
    """Megabytes that decoding every result allocates and keeps: what an edit build holds of the site."""
    tracemalloc.start()
    try:
        decoded = [decode_result(item) for item in encoded]
        held = tracemalloc.get_traced_memory()[0]
        del decoded
        return held / 1e6
    finally:
        tracemalloc.stop()


def table(costs: Costs) -> str:
    lines = ["| step | CPU ms |", "|---|---:|"]
    lines.append(f"| get_parsed, all {costs.results:,} results | {costs.get_parsed:.1f} |")
    lines.append(f"| decoding, per 1,000 results | {costs.decode_per_1000:.1f} |")
    lines.append(f"| encoding, per 1,000 results | {costs.encode_per_1000:.1f} |")
    lines.append(f"\nThe {costs.results:,} decoded results hold {costs.held_mb:.1f} MB.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load_cost", description=(__doc__ or "").splitlines()[0])
    args = parse_site_options(parser, argv, "read the cache of this site, built with this code, instead", repeat=5)
    with tempfile.TemporaryDirectory(prefix="byline-load-cost-") as folder:
        if args.root is not None:
            root: Path = args.root
            described = f"the cache of {root}"
        else:
            root = generate_corpus(Path(folder) / "site", args.articles, args.seed).root
            described = f"{fill_cache(root):,} files of a {args.articles:,}-article corpus"
        try:
            costs = measure(root, args.repeat)
        except RuntimeError as error:
            parser.error(str(error))
        print(f"# What taking parse results from the cache costs: {described}, medians of {args.repeat} runs\n")
        print(table(costs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
