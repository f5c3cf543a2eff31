"""Time Byline builds of generated corpora: ``python -m benchmarks.run --articles 1000,10000``.

For each size: generate a corpus, then build it as an editor's day would, each build
its own child process, exactly as ``python build.py`` runs: a cold build (no cache, no
output), a rebuild with nothing changed, after editing one article's body, after adding
one article, after editing one template. Each row shows wall and CPU seconds, the peak
resident memory, and what the output holds and how much of it the build (re)wrote.
``--repeat N`` makes each change and build N times and shows the median times (and the
largest memory): on a shared machine one build can be 15% off the next.

The builds keep compiled bytecode, as Python does unless told not to: in the workspace
(``PYTHONPYCACHEPREFIX``), even where ``PYTHONDONTWRITEBYTECODE`` is set, so the numbers
are an editor's, not those of a machine compiling Byline and its libraries every run.
"""

from __future__ import annotations

import argparse
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from byline.state.write import trash_folders

from .corpus import CORPUS_NOW, Corpus, add_article, generate_corpus

REPO = Path(__file__).resolve().parent.parent
BUILD_PY = REPO / "build.py"
KEEP_MARKER = ".byline-benchmark"  # only folders holding this are ever deleted by --keep
PROFILE_TOP = 25
HEADER = ("step", "wall s", "CPU s", "peak RSS MB", "HTML pages", "files", "files written")


@dataclass(frozen=True)
class Measurement:
    """One build: how long, how much CPU and memory, and what it left in the output."""

    step: str
    wall: float
    cpu: float | None
    peak_rss_mb: float | None
    pages: int
    files: int
    written: int


@dataclass(frozen=True)
class Step:
    """A change an editor makes, then a build: ``prepare`` makes the change."""

    name: str
    prepare: Callable[[int], None]  # given the repeat's number: each repeat makes a change of its own
    clean: bool = False


class BuildError(RuntimeError):
    """A benchmarked build exited non-zero: the numbers would mean nothing."""


# --- one build, measured ----------------------------------------------------------


def build_command(root: Path, output: Path, *, clean: bool, jobs: int | None) -> list[str]:
    """The editor's command, quiet, on the corpus clock so scheduling never drifts with the date."""
    command = [sys.executable, str(BUILD_PY), "--root", str(root), "--output", str(output), "-q", "--now", CORPUS_NOW]
    if clean:
        command.append("--clean")
    if jobs:
        command += ["--jobs", str(jobs)]
    return command


def build_environment(pycache: Path) -> dict[str, str]:
    """The builds' environment: this one, but keeping compiled bytecode under ``pycache``."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPYCACHEPREFIX"] = str(pycache)
    return environment


def measure(step: str, command: list[str], output: Path, env: dict[str, str] | None = None) -> Measurement:
    """Run one build as a child process; its rusage (via wait4) covers it and its workers."""
    before = _inodes(output)
    wall, cpu, rss = _run_child(command, env)
    _wait_for_background_deletion(output)
    after = _inodes(output)
    old_inodes = set(before.values())
    pages = sum(1 for path in after if path.endswith(".html"))
    written = sum(1 for inode in after.values() if inode not in old_inodes)
    return Measurement(step, wall, cpu, rss, pages, len(after), written)


def _run_child(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float | None, float | None]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one child process tree.

    ``wait4`` returns the rusage of exactly this child plus the workers it reaped, so
    consecutive builds do not share one ever-growing RUSAGE_CHILDREN maximum.
    """
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env=env)
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            cpu: float | None = usage.ru_utime + usage.ru_stime
            scale = 1 if sys.platform == "darwin" else 1024  # macOS reports bytes, Linux KiB
            rss: float | None = usage.ru_maxrss * scale / 2**20
        else:  # Windows: no rusage; time only
            child.wait()
            cpu = rss = None
        wall = time.perf_counter() - started
        if child.returncode != 0:
            log.seek(0)
            text = log.read().decode("utf-8", "replace")
            raise BuildError(f"exit {child.returncode}: {' '.join(command)}\n{text[-4000:]}")
    return wall, cpu, rss


def _wait_for_background_deletion(output: Path, seconds: float = 300) -> None:
    """Let a build's background deletion of the files it replaced end before the next build starts.

    The build has returned, its output complete, so the deletion is not in its time; but
    it must not slow the next step's build either.
    """
    deadline = time.monotonic() + seconds
    while trash_folders(output) and time.monotonic() < deadline:
        time.sleep(0.05)


def _inodes(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` and its inode.

    Byline hard-links unchanged outputs from the previous build, and the previous
    output stays alive until the new one is swapped in, so a file with an inode the
    old output did not have is exactly a file this build wrote.
    """
    found: dict[str, int] = {}
    stack = [folder] if folder.is_dir() else []
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                else:
                    found[entry.path] = entry.inode()
    return found


# --- the editor's day -------------------------------------------------------------


def steps(corpus: Corpus, output: Path) -> list[Step]:
    """The scenario, in order: each step's build starts from the previous step's output."""
    root = corpus.root

    def cold(repeat: int) -> None:
        shutil.rmtree(root / ".byline-cache", ignore_errors=True)
        shutil.rmtree(output, ignore_errors=True)

    def edit_body(repeat: int) -> None:
        path = root / corpus.newest_published.path
        line = f"\nThe company confirmed the figures in statement {repeat + 1} on Friday.\n"
        path.write_bytes(path.read_bytes() + line.encode())

    def correct_old(repeat: int) -> None:
        path = root / corpus.oldest_published.path
        line = f"\nThis article was corrected ({repeat + 1}): the contract was worth less.\n"
        path.write_bytes(path.read_bytes() + line.encode())

    def add_one(repeat: int) -> None:
        add_article(corpus)  # a new one each time

    def edit_template(repeat: int) -> None:
        target = root / "templates" / "article.html"
        target.parent.mkdir(exist_ok=True)
        text = edited_template(_theme_article().read_text(encoding="utf-8"))
        again = f"{{# edit {repeat + 1} #}}\n" if repeat else ""  # a repeat must change the template too
        target.write_text(text + again, encoding="utf-8")

    return [
        Step("cold build (--clean, no cache, no output)", cold, clean=True),
        Step("no-change rebuild", lambda repeat: None),
        Step("after editing one article's body", edit_body),
        Step("after editing the oldest article's body", correct_old),
        Step("after adding one article", add_one),
        Step("after editing one template (article.html)", edit_template),
    ]


def edited_template(text: str) -> str:
    """The theme's article template with one visible change: a class, else a comment."""
    for old, new in (
        ('class="article"', 'class="article article-edited"'),
        ("{% block main %}", "{% block main %}<!-- edited by the benchmark -->"),
    ):
        if old in text:
            return text.replace(old, new, 1)
    return text + "{# edited by the benchmark #}\n"


def _theme_article() -> Path:
    """The built-in theme's article.html, wherever the renderer keeps the theme."""
    try:
        from byline.output.render import THEME_TEMPLATES

        return Path(THEME_TEMPLATES) / "article.html"
    except (ImportError, AttributeError):
        return REPO / "templates" / "article.html"


def run_size(
    corpus: Corpus, output: Path, jobs: int | None, repeat: int = 1, env: dict[str, str] | None = None
) -> list[Measurement]:
    """Apply every step to the corpus and measure the build after each, ``repeat`` times a step."""
    rows = []
    for step in steps(corpus, output):
        runs = []
        for number in range(repeat):
            step.prepare(number)
            command = build_command(corpus.root, output, clean=step.clean, jobs=jobs)
            runs.append(measure(step.name, command, output, env))
        rows.append(typical(runs))
    return rows


def typical(runs: Sequence[Measurement]) -> Measurement:
    """One row for repeated builds of a step: median times, the largest memory, the last run's files."""
    cpus = [run.cpu for run in runs if run.cpu is not None]
    peaks = [run.peak_rss_mb for run in runs if run.peak_rss_mb is not None]
    return replace(
        runs[-1],
        wall=statistics.median(run.wall for run in runs),
        cpu=statistics.median(cpus) if cpus else None,
        peak_rss_mb=max(peaks) if peaks else None,
    )


# --- reporting --------------------------------------------------------------------


def table(rows: Sequence[Measurement]) -> str:
    """A Markdown table, one row per step."""
    lines = ["| " + " | ".join(HEADER) + " |", "|---|" + "---:|" * (len(HEADER) - 1)]
    for row in rows:
        cells = (
            row.step,
            f"{row.wall:.2f}",
            "n/a" if row.cpu is None else f"{row.cpu:.2f}",
            "n/a" if row.peak_rss_mb is None else f"{row.peak_rss_mb:.0f}",
            f"{row.pages:,}",
            f"{row.files:,}",
            f"{row.written:,}",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _machine(jobs: int | None) -> str:
    load = "n/a"
    if hasattr(os, "getloadavg"):
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    workers = f"--jobs {jobs}" if jobs else f"--jobs default ({os.cpu_count()} cores)"
    machine = f"Python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs; {workers}"
    return f"{machine}; bytecode kept between builds; load average {load}"


def profile_cold_build(corpus: Corpus, output: Path, stats_path: Path) -> None:
    """cProfile one cold build in one process (workers are invisible to cProfile) and print its top."""
    shutil.rmtree(corpus.root / ".byline-cache", ignore_errors=True)
    shutil.rmtree(output, ignore_errors=True)
    command = build_command(corpus.root, output, clean=True, jobs=1)
    command[1:2] = ["-m", "cProfile", "-o", str(stats_path), str(BUILD_PY)]
    wall, _, _ = _run_child(command)
    print(f"\n### cProfile of a cold build, --jobs 1 ({wall:.2f} s under the profiler): {stats_path}\n")
    for order, title in (("cumulative", "cumulative time"), ("tottime", "total (own) time")):
        print(f"Top {PROFILE_TOP} by {title}:\n\n```")
        stats = pstats.Stats(str(stats_path), stream=sys.stdout)
        stats.strip_dirs().sort_stats(order).print_stats(PROFILE_TOP)
        print("```\n")


@contextmanager
def workspace(keep: Path | None, size: int) -> Iterator[Path]:
    """A folder for one size's corpus and outputs: temporary, or kept under ``keep``."""
    if keep is None:
        with tempfile.TemporaryDirectory(prefix=f"byline-bench-{size}-") as folder:
            yield Path(folder)
        return
    folder = keep / f"articles-{size}"
    if folder.exists():
        if not (folder / KEEP_MARKER).is_file():
            raise FileExistsError(
                f"{folder} exists and was not made by the benchmark; remove it or choose another --keep"
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / KEEP_MARKER).write_text("made by python -m benchmarks.run; safe to delete\n")
    yield folder


def benchmark(
    size: int, seed: int, jobs: int | None, keep: Path | None, profile: bool, repeat: int = 1
) -> list[Measurement]:
    """Generate one corpus, print its table (and profile), and return the rows."""
    with workspace(keep, size) as folder:
        corpus = generate_corpus(folder / "site", size, seed)
        print(f"\n## {size:,} articles\n")
        print(f"Corpus: {corpus.describe()}; generated in {corpus.seconds:.2f} s (seed {seed}).")
        print(f"Machine: {_machine(jobs)}.")
        if repeat > 1:
            print(f"Each row: the median of {repeat} builds (peak RSS: the largest; files: the last build's).")
        print()
        rows = run_size(corpus, folder / "public", jobs, repeat, build_environment(folder / "pycache"))
        print(table(rows), flush=True)
        if profile:
            stats_dir = keep if keep is not None else Path.cwd()
            profile_cold_build(corpus, folder / "profile-public", stats_dir / f"profile-cold-{size}.pstats")
    return rows


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 1000,10000, not {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be whole numbers of at least 1")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark for each size; exit 1 if any build fails, 2 on bad arguments."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=_sizes, default=[1000, 10000], help="corpus sizes (default 1000,10000)")
    parser.add_argument("--jobs", type=int, help="passed to every build (default: Byline's default)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--keep", type=Path, help="keep corpora and outputs in DIR/articles-N instead of a temp folder")
    parser.add_argument("--profile", action="store_true", help="also cProfile a cold build; print its top entries")
    parser.add_argument("--repeat", type=int, default=1, help="builds per step; rows show the median (default 1)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    print("# Byline build benchmark")
    try:
        for size in args.articles:
            benchmark(size, args.seed, args.jobs, args.keep, args.profile, args.repeat)
    except BuildError as failed:
        print(f"\nA build failed, so no numbers: {failed}", file=sys.stderr)
        return 1
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
