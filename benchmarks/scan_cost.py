"""What the no-change check's look at every file costs: ``python -m benchmarks.scan_cost --root SITE``.

A build first lists every file it could read with its size and time (``manifest.scan_inputs``)
and digests the listing; when that matches the last build's, it stops there. At 100,000
articles this look is most of a no-change build. Prints the medians of ``--repeat`` runs of
wall, user and system seconds. Not a test: nothing asserts a duration.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from byline.config import BuildOptions
from byline.state.manifest import inputs_digest, scan_inputs

from .corpus import generate_corpus, parse_site_options


@dataclass(frozen=True)
class Scan:
    """One run: how many files were listed, and the seconds it took."""

    files: int
    wall: float
    user: float
    system: float


def scan_once(root: Path) -> Scan:
    """List and digest the inputs of the site at ``root`` once, as a build's no-change check does."""
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    inputs = scan_inputs(BuildOptions(root=root, output=root / "public"))
    inputs_digest(inputs)
    wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
    return Scan(len(inputs), wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime)


def table(scans: list[Scan]) -> str:
    """The medians, as a Markdown table."""
    median = {name: statistics.median(getattr(s, name) for s in scans) for name in ("wall", "user", "system")}
    lines = ["| files listed | wall s | user s | system s |", "|---:|---:|---:|---:|"]
    lines.append(f"| {scans[0].files:,} | {median['wall']:.3f} | {median['user']:.3f} | {median['system']:.3f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scan_cost", description=(__doc__ or "").splitlines()[0])
    args = parse_site_options(parser, argv, "list the files of this site instead", repeat=5)
    with tempfile.TemporaryDirectory(prefix="byline-scan-cost-") as folder:
        root: Path = args.root or generate_corpus(Path(folder) / "site", args.articles, args.seed).root
        scans = [scan_once(root) for _ in range(args.repeat)]
        print(f"# What listing a site's inputs costs: {root}, medians of {args.repeat} runs\n")
        print(table(scans))
    return 0


if __name__ == "__main__":
    sys.exit(main())
