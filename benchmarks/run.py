"""Time Byline builds of generated corpora: ``python -m benchmarks.run --articles 1000,10000``.

For each size: generate a corpus, then build it as an editor's day would, each build
its own child process, exactly as ``python build.py`` runs: a cold build (no cache, no
output), a rebuild with nothing changed, after editing one article's body, after adding
one article, after editing one template. Each row shows wall and CPU seconds, the peak
resident memory, and what the output holds and how much of it the build (re)wrote.
``--repeat N`` makes each change and build N times and shows the median times (and the
largest memory): on a shared machine one build can be 15% off the next.

``--peers pelican,hugo`` also builds the same corpus with those generators (see
``benchmarks.peers``), measured the same way, in the same table, for the steps that
mean something to them (not the template edit); ``--verbose-builds`` runs Byline's
builds with ``-v`` and prints each one's stage timings under the table. Each build is
announced on standard error as it starts; the tables go to standard output.

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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from byline.state.workspace import CACHE_DIR
from byline.state.write import trash_folders
from byline.theme import THEME_TEMPLATES

from .corpus import CORPUS_NOW, Corpus, add_article, generate_corpus
from .peers import PEER_NAMES, describe_peers, make_peers

REPO = Path(__file__).resolve().parent.parent
BUILD_PY = REPO / "build.py"
KEEP_MARKER = ".byline-benchmark"  # only folders holding this are ever deleted by --keep
PROFILE_TOP = 25
HEADER = ("step", "tool", "wall s", "CPU s", "peak RSS MB", "HTML pages", "files", "files written")
BYLINE = "Byline"
COLD_TARGET_VS_PELICAN = 0.75  # issue 20: a cold build in at most this share of Pelican's
STAGE_LINES = ("  ", "Built ", "Up to date")  # how -v's stage lines and summary begin; its warnings do not


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
    tool: str = BYLINE
    log: str = field(default="", compare=False)  # what the build printed


@dataclass(frozen=True)
class Step:
    """A change an editor makes, then a build: ``prepare`` makes the change."""

    name: str
    prepare: Callable[[int], None]  # given the repeat's number: each repeat makes a change of its own
    clean: bool = False
    byline_only: bool = False  # a change that means nothing to another generator (Byline's own templates)


@dataclass(frozen=True)
class Child:
    """One finished child process: wall and CPU seconds, peak RSS in MB (None where unknown), its output."""

    wall: float
    cpu: float | None
    peak_rss_mb: float | None
    log: str


class Tool(Protocol):
    """A generator the benchmark times: Byline, or a peer building its converted copy of the corpus."""

    @property
    def label(self) -> str: ...

    corpus: Corpus
    output: Path

    def command(self, clean: bool) -> list[str]: ...

    def forget(self) -> None: ...

    def sync(self) -> None: ...


@dataclass
class Byline:
    """Byline building the corpus itself, as an editor runs it."""

    corpus: Corpus
    output: Path
    jobs: int | None = None
    verbose: bool = False
    label: str = BYLINE

    def command(self, clean: bool) -> list[str]:
        return build_command(self.corpus.root, self.output, clean=clean, jobs=self.jobs, verbose=self.verbose)

    def forget(self) -> None:
        """Nothing: the cold step removes Byline's cache itself."""

    def sync(self) -> None:
        """Nothing: Byline reads the corpus the steps edit."""


class BuildError(RuntimeError):
    """A benchmarked build exited non-zero: the numbers would mean nothing."""


# --- one build, measured ----------------------------------------------------------


def build_command(root: Path, output: Path, *, clean: bool, jobs: int | None, verbose: bool = False) -> list[str]:
    """The editor's command, quiet (or with stage timings), on the corpus clock so scheduling never drifts with the date."""
    command = [sys.executable, str(BUILD_PY), "--root", str(root), "--output", str(output), "--now", CORPUS_NOW]
    command.append("-v" if verbose else "-q")
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


def measure(
    step: str, command: list[str], output: Path, env: dict[str, str] | None = None, tool: str = BYLINE
) -> Measurement:
    """Run one build as a child process; its rusage (via wait4) covers it and its workers."""
    before = _files(output)
    child = run_child(command, env)
    _wait_for_background_deletion(output)
    after = _files(output)
    old = set(before.values())
    pages = sum(1 for path in after if path.endswith(".html"))
    written = sum(1 for signature in after.values() if signature not in old)
    return Measurement(step, child.wall, child.cpu, child.peak_rss_mb, pages, len(after), written, tool, child.log)


def run_child(command: list[str], env: dict[str, str] | None = None) -> Child:
    """Wall seconds, CPU seconds, peak RSS (MB) and output of one child process tree.

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
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
        if child.returncode != 0:
            raise BuildError(f"exit {child.returncode}: {' '.join(command)}\n{text[-4000:]}")
    return Child(wall, cpu, rss, text)


def _wait_for_background_deletion(output: Path, seconds: float = 300) -> None:
    """Let a build's background deletion of the files it replaced end before the next build starts.

    The build has returned, its output complete, so the deletion is not in its time; but
    it must not slow the next step's build either.
    """
    deadline = time.monotonic() + seconds
    while trash_folders(output) and time.monotonic() < deadline:
        time.sleep(0.05)


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder``, with its inode and modification time.

    Byline hard-links unchanged outputs from the previous build, and the previous
    output stays alive until the new one is swapped in, so a file with an inode the
    old output did not have is a file this build wrote; a generator that rewrites
    its files in place (Pelican, Hugo) keeps the inode but changes the time.
    """
    found: dict[str, tuple[int, int]] = {}
    stack = [folder] if folder.is_dir() else []
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                else:
                    found[entry.path] = (entry.inode(), entry.stat(follow_symlinks=False).st_mtime_ns)
    return found


# --- the editor's day -------------------------------------------------------------


def steps(corpus: Corpus, output: Path) -> list[Step]:
    """The scenario, in order: each step's build starts from the previous step's output."""
    root = corpus.root

    def cold(repeat: int) -> None:
        shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
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
        Step("cold build (no cache, no output)", cold, clean=True),
        Step("no-change rebuild", lambda repeat: None),
        Step("after editing one article's body", edit_body),
        Step("after editing the oldest article's body", correct_old),
        Step("after adding one article", add_one),
        Step("after editing one template (article.html)", edit_template, byline_only=True),
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
    """The built-in theme's article.html."""
    return THEME_TEMPLATES / "article.html"


def run_tool(tool: Tool, repeat: int = 1, env: dict[str, str] | None = None) -> list[Measurement]:
    """Apply the steps to the tool's corpus and measure its build after each, ``repeat`` times a step."""
    rows = []
    for step in steps(tool.corpus, tool.output):
        if step.byline_only and tool.label != BYLINE:
            continue
        runs = []
        for number in range(repeat):
            step.prepare(number)
            if step.clean:
                tool.forget()
            tool.sync()
            print(f"{tool.label}: {step.name} ({number + 1} of {repeat})", file=sys.stderr, flush=True)
            runs.append(measure(step.name, tool.command(step.clean), tool.output, env, tool.label))
        rows.append(typical(runs))
    return rows


def typical(runs: Sequence[Measurement]) -> Measurement:
    """One row for repeated builds of a step: median times, the largest memory, the last run's files.

    Its log is that of the build whose wall time is nearest the median.
    """
    cpus = [run.cpu for run in runs if run.cpu is not None]
    peaks = [run.peak_rss_mb for run in runs if run.peak_rss_mb is not None]
    wall = statistics.median(run.wall for run in runs)
    return replace(
        runs[-1],
        wall=wall,
        cpu=statistics.median(cpus) if cpus else None,
        peak_rss_mb=max(peaks) if peaks else None,
        log=min(runs, key=lambda run: abs(run.wall - wall)).log,
    )


# --- reporting --------------------------------------------------------------------


def table(rows: Sequence[Measurement]) -> str:
    """A Markdown table, one row per step and tool: each step's rows together, in the order they were measured."""
    order = list(dict.fromkeys(row.step for row in rows))
    lines = ["| " + " | ".join(HEADER) + " |", "|---|---|" + "---:|" * (len(HEADER) - 2)]
    for row in sorted(rows, key=lambda row: order.index(row.step)):
        cells = (
            row.step,
            row.tool,
            f"{row.wall:.2f}",
            "n/a" if row.cpu is None else f"{row.cpu:.2f}",
            "n/a" if row.peak_rss_mb is None else f"{row.peak_rss_mb:.0f}",
            f"{row.pages:,}",
            f"{row.files:,}",
            f"{row.written:,}",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cold_ratio(rows: Sequence[Measurement]) -> str | None:
    """Byline's cold build as a share of Pelican's in the same run, beside issue 20's target; None without Pelican."""
    cold = {row.tool: row for row in rows if row.step == rows[0].step}
    pelican = next((tool for tool in cold if tool.startswith("Pelican")), None)
    if pelican is None or BYLINE not in cold:
        return None
    ours, theirs = cold[BYLINE], cold[pelican]
    line = (
        f"Cold build: Byline {ours.wall:.1f} s, {pelican} {theirs.wall:.1f} s: "
        f"{ours.wall / theirs.wall:.2f}× Pelican's (target ≤ {COLD_TARGET_VS_PELICAN:g}×)"
    )
    if ours.cpu and theirs.cpu:
        line += f"; CPU {ours.cpu:.1f} s against {theirs.cpu:.1f} s, {ours.cpu / theirs.cpu:.2f}×"
    return line + "."


def stage_timings(rows: Sequence[Measurement]) -> str:
    """Each Byline build's ``-v`` stage lines and summary under its step's name (the build nearest the median)."""
    parts = []
    for row in rows:
        lines = [line for line in row.log.splitlines() if line.startswith(STAGE_LINES)]
        if row.tool == BYLINE and lines:
            parts.append(f"#### {row.step}\n\n```\n" + "\n".join(lines) + "\n```")
    return "\n\n".join(parts)


def _machine(jobs: int | None) -> str:
    load = "n/a"
    if hasattr(os, "getloadavg"):
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    workers = f"--jobs {jobs}" if jobs else f"--jobs default ({os.cpu_count()} cores)"
    machine = f"Python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs; {workers}"
    return f"{machine}; bytecode kept between builds; load average {load}"


def profile_cold_build(corpus: Corpus, output: Path, stats_path: Path) -> None:
    """cProfile one cold build in one process (workers are invisible to cProfile) and print its top."""
    shutil.rmtree(corpus.root / CACHE_DIR, ignore_errors=True)
    shutil.rmtree(output, ignore_errors=True)
    command = build_command(corpus.root, output, clean=True, jobs=1)
    command[1:2] = ["-m", "cProfile", "-o", str(stats_path), str(BUILD_PY)]
    wall = run_child(command).wall
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
        with tempfile.TemporaryDirectory(prefix=f"byline-bench-{size}-") as temporary:
            yield Path(temporary)
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


@dataclass(frozen=True)
class Options:
    """How to run the benchmark for each size."""

    seed: int = 1
    jobs: int | None = None
    keep: Path | None = None
    profile: bool = False
    repeat: int = 1
    peers: tuple[str, ...] = ()
    verbose: bool = False
    venvs: Path | None = None  # where the peers' virtualenvs live (made if absent)


def benchmark(size: int, options: Options) -> tuple[list[Measurement], list[str]]:
    """Generate one corpus, build it with Byline and the peers, print the table; return the rows and any peer's failure."""
    with workspace(options.keep, size) as folder:
        corpus = generate_corpus(folder / "site", size, options.seed)
        print(f"\n## {size:,} articles\n")
        print(f"Corpus: {corpus.describe()}; generated in {corpus.seconds:.2f} s (seed {options.seed}).")
        print(f"Machine: {_machine(options.jobs)}.")
        peers, notes = make_peers(options.peers, corpus, folder / "peers", options.venvs or folder / "venvs")
        if options.peers:
            print("Peers: " + "; ".join([describe_peers(peers), *notes]) + ".")
        if options.repeat > 1:
            print(f"Each row: the median of {options.repeat} builds (peak RSS: the largest; files: the last build's).")
        print()
        environment = build_environment(folder / "pycache")
        rows = run_tool(Byline(corpus, folder / "public", options.jobs, options.verbose), options.repeat, environment)
        failures = []
        for peer in peers:
            try:
                rows += run_tool(peer, options.repeat, environment)
            except BuildError as failed:
                failures.append(f"{peer.label}: {failed}")
        print(table(rows), flush=True)
        if ratio := cold_ratio(rows):
            print(f"\n{ratio}")
        if options.verbose:
            print(f"\n### Byline's stage timings (-v)\n\n{stage_timings(rows)}")
        if options.profile:
            stats_dir = options.keep if options.keep is not None else Path.cwd()
            profile_cold_build(corpus, folder / "profile-public", stats_dir / f"profile-cold-{size}.pstats")
    return rows, failures


def _peers(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [name for name in names if name not in PEER_NAMES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown peer {unknown[0]!r}; choose from {', '.join(PEER_NAMES)}")
    return names


def article_sizes(text: str) -> list[int]:
    """A comma-separated list of corpus sizes, as `--articles` takes it."""
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
    parser.add_argument(
        "--articles", type=article_sizes, default=[1000, 10000], help="corpus sizes (default 1000,10000)"
    )
    parser.add_argument("--jobs", type=int, help="passed to every build (default: Byline's default)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--keep", type=Path, help="keep corpora and outputs in DIR/articles-N instead of a temp folder")
    parser.add_argument("--profile", action="store_true", help="also cProfile a cold build; print its top entries")
    parser.add_argument("--repeat", type=int, default=1, help="builds per step; rows show the median (default 1)")
    parser.add_argument(
        "--peers", type=_peers, default=(), help="also build with these: pelican, hugo (comma-separated)"
    )
    parser.add_argument("--verbose-builds", action="store_true", help="print each Byline build's -v stage timings")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    venvs = args.keep / "venvs" if args.keep is not None else None
    options = Options(
        args.seed, args.jobs, args.keep, args.profile, args.repeat, args.peers, args.verbose_builds, venvs
    )
    print("# Byline build benchmark")
    failures = []
    try:
        for size in args.articles:
            failures += benchmark(size, options)[1]
    except BuildError as failed:
        print(f"\nA build failed, so no numbers: {failed}", file=sys.stderr)
        return 1
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for failure in failures:
        print(f"\nA peer's build failed, so it has no rows: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
