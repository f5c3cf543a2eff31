"""What a reader's search costs: ``python -m benchmarks.search_cost --articles 10000``.

Builds a generated corpus with Byline (or reuses one kept with ``--keep``), serves the
output on 127.0.0.1 with a plain static file server, and for each query opens ``/search/``
in a fresh headless Chromium context (a cold cache), waits until the page has loaded
the index and the network is quiet, then types the query. Per query it prints what the
reader downloaded from ``/pagefind/`` (response headers and bodies as transferred,
the search worker's requests included: when the page opened, and for the query), how many requests
that took and from how many bundles, and the time from the last keystroke to the first
result painted (the results list gets its first item; the search page waits for a pause
in typing first, and that pause is counted) and to the count painted (the status line
says what was found: the first page is complete). A filter, when a query has one, is chosen before typing
without starting a search of its own. It also prints, per Pagefind bundle (shard), its
documents, files and bytes. ``--compare OUTPUT`` (repeatable) measures outputs already
built instead, say two branches' builds of one kept corpus, each query's runs
alternating between them. Issue 20 compares shard rules with these figures. Not a
test: nothing asserts a duration.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, Request, sync_playwright
from playwright.sync_api import Error as BrowserError

from .corpus import CORPUS_FORMAT, generate_corpus
from .run import KEEP_MARKER, build_command, build_environment, run_child
from .serve_latency import CHROMIUM, CHROMIUM_ARGS

BUNDLE = "/pagefind/"
GENERATED = "corpus-format"  # written once the kept corpus is whole: the generator's format
_SINCE = re.compile(r" since (.+?)\. ")  # the status of a search that has not reached the oldest shard yet
QUIET_MS = 500  # no request in flight for this long: the page has fetched what it needed
TYPING_DELAY_MS = 60  # between keystrokes, under the search page's pause in typing
WAIT_MS = 120_000
TABLE = (
    "query",
    "filter",
    "results",
    "bundles",
    "opening: KB (requests)",
    "query: KB (requests)",
    "total KB",
    "to first result",
    "to the count",
)
SHARD_TABLE = ("bundle", "documents", "files", "KB")

# Runs at the start of the search page: notes the last keystroke, when the results list
# first holds an item after it, and when the status line first says what was found, each
# once that frame is painted (a task queued from requestAnimationFrame runs after the paint).
_WATCH = """
(() => {
  window.bylineTyped = null;
  window.bylineFirstResult = null;
  window.bylineCounted = null;
  document.addEventListener("input", () => {
    window.bylineTyped = performance.now();
    window.bylineFirstResult = null;
    window.bylineCounted = null;
  }, true);
  const painted = (name) => {
    window[name] = -1;
    requestAnimationFrame(() => setTimeout(() => { window[name] = performance.now(); }));
  };
  document.addEventListener("DOMContentLoaded", () => {
    const list = document.getElementById("search-results");
    const status = document.getElementById("search-status");
    if (!list || !status) return;
    new MutationObserver(() => {
      if (window.bylineTyped === null || window.bylineFirstResult !== null || !list.children.length) return;
      painted("bylineFirstResult");
    }).observe(list, { childList: true });
    new MutationObserver(() => {
      if (window.bylineTyped === null || window.bylineCounted !== null || !status.textContent) return;
      painted("bylineCounted");
    }).observe(status, { childList: true, characterData: true, subtree: true });
  });
})();
"""
_SETTLED = """() => {
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const painted = window.bylineFirstResult !== null && window.bylineFirstResult >= 0;
  const none = status.textContent !== "" && !list.children.length;
  const counted = window.bylineCounted !== null && window.bylineCounted >= 0;
  return !list.hasAttribute("aria-busy") && counted && (painted || none);
}"""


@dataclass(frozen=True)
class Query:
    """What a reader types, and the filters chosen before typing (select name -> option)."""

    text: str
    filters: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, spec: str) -> Query:
        """``TEXT`` or ``TEXT|name=value|...``: the query, then filters by the search form's select names."""
        text, *pairs = spec.split("|")
        filters = []
        for pair in pairs:
            name, equals, value = pair.partition("=")
            if not equals or not name.strip() or not value.strip():
                raise ValueError(f"expected a filter like section=News, not {pair!r}")
            filters.append((name.strip(), value.strip()))
        if not text.strip():
            raise ValueError("a query needs some words")
        return cls(text.strip(), tuple(filters))

    @property
    def filter_text(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in self.filters) or "none"


# A word in most articles, one in about one in a hundred, two words, each alone and in one section.
DEFAULT_QUERIES = tuple(
    Query.parse(spec)
    for spec in (
        "investment",
        "regeneration",
        "new jobs",
        "investment|section=News",
        "regeneration|section=News",
        "new jobs|section=News",
    )
)


@dataclass
class Traffic:
    """The page's requests (its workers' too), by the phase it was in when it made them."""

    phase: str = "opening"
    made: list[tuple[str, Request]] = field(default_factory=list)
    inflight: set[Request] = field(default_factory=set)
    last_change: float = field(default_factory=time.monotonic)

    def listen(self, context: BrowserContext) -> None:
        context.on("request", self._sent)
        context.on("requestfinished", self._ended)
        context.on("requestfailed", self._ended)

    def _sent(self, request: Request) -> None:
        self.made.append((self.phase, request))
        self.inflight.add(request)
        self.last_change = time.monotonic()

    def _ended(self, request: Request) -> None:
        self.inflight.discard(request)
        self.last_change = time.monotonic()

    def responses(self) -> list[tuple[str, str, int, str]]:
        """The search bundle's responses: the phase, the kind of file, its bytes on the wire (headers and body), its shard."""
        found = []
        for phase, request in self.made:
            path = urlsplit(request.url).path
            if path.startswith(BUNDLE) and request.failure is None:
                sent = request.sizes()
                size = sent["responseHeadersSize"] + sent["responseBodySize"]
                found.append((phase, file_kind(path), size, shard_of(path)))
        return found

    def wait_quiet(self, page: Page) -> None:
        """Return once no request has been in flight for QUIET_MS (events arrive while the page waits)."""
        deadline = time.monotonic() + WAIT_MS / 1000
        while time.monotonic() < deadline:
            page.wait_for_timeout(50)
            if not self.inflight and time.monotonic() - self.last_change >= QUIET_MS / 1000:
                return
        waiting = sorted(request.url for request in self.inflight)[:5]
        raise TimeoutError(f"requests still in flight after {WAIT_MS // 1000} s: {waiting}")


def shard_of(path: str) -> str:
    """The shard (bundle folder) a file of the index belongs to; "" for the list of shards."""
    inside = path[len(BUNDLE) :]
    return inside.split("/", 1)[0] if "/" in inside else ""


def file_kind(path: str) -> str:
    """What a file of the bundle is, from its name: ``pf_index``, ``pf_meta``, ``wasm``, ``js``, ``json``..."""
    name = path.rsplit("/", 1)[-1]
    if name.startswith("wasm."):
        return "wasm"
    return name.rsplit(".", 1)[-1] if "." in name else "other"


@dataclass(frozen=True)
class Cost:
    """One query's cost to a reader with a cold cache."""

    query: Query
    results: int
    opening: tuple[int, int]  # bytes, requests
    searching: tuple[int, int]
    first_result_ms: float | None  # None: no result to show
    kinds: tuple[tuple[str, int, int], ...] = ()  # kind of file, bytes, requests: opening and query together
    bundles: int = 0  # shards any file was fetched from
    since: str = ""  # how far back the first page searched, when not every shard: "October 2026"
    counted_ms: float | None = None  # from the last keystroke to the status line saying what was found

    @classmethod
    def of(
        cls,
        query: Query,
        results: int,
        responses: Sequence[tuple[str, str, int, str]],
        first: float | None,
        since: str = "",
        counted: float | None = None,
    ) -> Cost:
        """Sum the responses by phase and by kind of file, and count the shards they came from."""

        def total(chosen: list[int]) -> tuple[int, int]:
            return sum(chosen), len(chosen)

        opening = total([size for phase, _, size, _ in responses if phase == "opening"])
        searching = total([size for phase, _, size, _ in responses if phase == "query"])
        names = sorted({kind for _, kind, _, _ in responses})
        kinds = tuple((name, *total([size for _, kind, size, _ in responses if kind == name])) for name in names)
        bundles = len({shard for *_, shard in responses if shard})
        return cls(query, results, opening, searching, first, kinds, bundles, since, counted)

    def row(self) -> str:
        first = "no results" if self.first_result_ms is None else f"{self.first_result_ms:.0f} ms"
        cells = (
            self.query.text,
            self.query.filter_text,
            f"{self.results:,}" + (f" since {self.since}" if self.since else ""),
            f"{self.bundles}",
            _kb(self.opening),
            _kb(self.searching),
            f"{(self.opening[0] + self.searching[0]) / 1024:,.1f}",
            first,
            "" if self.counted_ms is None else f"{self.counted_ms:.0f} ms",
        )
        return "| " + " | ".join(cells) + " |"


def typical(costs: Sequence[Cost]) -> Cost:
    """One row for repeated runs of a query: the median of each figure (the downloads should not vary)."""

    def middle(values: Sequence[int]) -> int:
        return round(statistics.median(values))

    def pair(values: Sequence[tuple[int, int]]) -> tuple[int, int]:
        return middle([v[0] for v in values]), middle([v[1] for v in values])

    firsts = [cost.first_result_ms for cost in costs]
    counts = [cost.counted_ms for cost in costs if cost.counted_ms is not None]
    names = sorted({kind[0] for cost in costs for kind in cost.kinds})
    by_name = [{kind[0]: (kind[1], kind[2]) for kind in cost.kinds} for cost in costs]
    return replace(
        costs[-1],
        opening=pair([c.opening for c in costs]),
        searching=pair([c.searching for c in costs]),
        first_result_ms=None if None in firsts else statistics.median(f for f in firsts if f is not None),
        counted_ms=statistics.median(counts) if counts else None,
        kinds=tuple((name, *pair([kinds.get(name, (0, 0)) for kinds in by_name])) for name in names),
    )


def kinds_table(costs: Sequence[Cost]) -> str:
    """Where each query's bytes went, by kind of file: KB (requests), opening and query together."""
    names = sorted({kind[0] for cost in costs for kind in cost.kinds})
    lines = ["| query | filter | " + " | ".join(names) + " |", "|---|---|" + "---:|" * len(names)]
    for cost in costs:
        found = {kind[0]: (kind[1], kind[2]) for kind in cost.kinds}
        cells = [_kb(found.get(name, (0, 0))) for name in names]
        lines.append("| " + " | ".join([cost.query.text, cost.query.filter_text, *cells]) + " |")
    return "\n".join(lines)


def _kb(traffic: tuple[int, int]) -> str:
    return f"{traffic[0] / 1024:,.1f} ({traffic[1]})"


def search_cost(browser: Browser, base: str, query: Query) -> Cost:
    """Open the search page in a fresh context, wait for its index, type ``query``; what it cost."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        traffic = Traffic()
        traffic.listen(context)
        page.add_init_script(_WATCH)
        page.goto(base + "/search/")
        traffic.wait_quiet(page)
        _choose_quietly(page, query.filters)
        traffic.phase = "query"
        page.locator("#search-input").press_sequentially(query.text, delay=TYPING_DELAY_MS)
        page.wait_for_function(_SETTLED)
        traffic.wait_quiet(page)
        typed, first, counted = page.evaluate("[window.bylineTyped, window.bylineFirstResult, window.bylineCounted]")
        results = page.locator("#search-results > li").count()
        status = page.locator("#search-status").text_content() or ""
        count = int(status.split()[0].replace(",", "")) if results else 0
        since = _SINCE.search(status)
        first_ms = first - typed if results else None
        return Cost.of(query, count, traffic.responses(), first_ms, since[1] if since else "", counted - typed)
    finally:
        context.close()


def _choose_quietly(page: Page, filters: Sequence[tuple[str, str]]) -> None:
    """Set the filters' selects without a change event: the query, once typed, searches with them."""
    for name, value in filters:
        found = page.evaluate(
            """([name, value]) => {
                const select = document.querySelector(`select[name="${name}"]`);
                if (!select || ![...select.options].some((option) => option.value === value)) return false;
                select.value = value;
                return true;
            }""",
            [name, value],
        )
        if not found:
            raise ValueError(f"the search form has no filter {name!r} with the option {value!r}")


# --- the bundles ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bundle:
    """One Pagefind bundle in the output: its folder (relative to pagefind/), documents, files and bytes."""

    name: str
    documents: int
    files: int
    size: int


def bundles(output: Path) -> list[Bundle]:
    """Every Pagefind bundle under ``output/pagefind``, in ``shards.json``'s order where it names them."""
    root = output / BUNDLE.strip("/")
    found = []
    for entry in sorted(root.rglob("pagefind-entry.json")):
        folder = entry.parent
        languages = json.loads(entry.read_text(encoding="utf-8"))["languages"].values()
        files = [path for path in folder.rglob("*") if path.is_file()]
        name = folder.relative_to(root).as_posix()
        found.append(Bundle(name, sum(language["page_count"] for language in languages), len(files), _size(files)))
    manifest = root / "shards.json"
    order = json.loads(manifest.read_text(encoding="utf-8"))["shards"] if manifest.is_file() else []
    return sorted(found, key=lambda bundle: order.index(bundle.name) if bundle.name in order else len(order))


def _size(files: Sequence[Path]) -> int:
    return sum(path.stat().st_size for path in files)


def bundle_table(found: Sequence[Bundle]) -> str:
    lines = ["| " + " | ".join(SHARD_TABLE) + " |", "|---|---:|---:|---:|"]
    for bundle in found:
        lines.append(f"| {bundle.name} | {bundle.documents:,} | {bundle.files:,} | {bundle.size / 1024:,.1f} |")
    documents = sum(b.documents for b in found)
    files = sum(b.files for b in found)
    lines.append(f"| all {len(found)} | {documents:,} | {files:,} | {sum(b.size for b in found) / 1024:,.1f} |")
    return "\n".join(lines)


# --- serving and building ------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the name http.server uses
        """Print nothing per request."""


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 with Python's plain static file server, as a static host would; yield its URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def workspace(keep: Path | None, size: int, seed: int) -> Iterator[tuple[Path, bool]]:
    """A folder for the corpus and its output, and whether it already holds a corpus to reuse."""
    if keep is None:
        with tempfile.TemporaryDirectory(prefix=f"byline-search-{size}-") as temporary:
            yield Path(temporary), False
        return
    folder = keep / f"search-{size}-seed-{seed}"
    if folder.exists() and not (folder / KEEP_MARKER).is_file():
        raise FileExistsError(f"{folder} exists and was not made by the benchmark; remove it or choose another --keep")
    made = folder / GENERATED
    reuse = made.is_file() and made.read_text(encoding="utf-8").strip() == CORPUS_FORMAT
    if not reuse:  # nothing there, a corpus cut short, or one the generator no longer writes
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / KEEP_MARKER).write_text("made by python -m benchmarks.search_cost; safe to delete\n")
    yield folder, reuse


def corpus(folder: Path, size: int, seed: int, reuse: bool) -> Path:
    """Generate the corpus into ``folder/site`` unless reused, print which it is; the site's folder."""
    site = folder / "site"
    if reuse:
        print(f"Corpus: reused {site} ({size:,} articles, seed {seed}, corpus format {CORPUS_FORMAT}).")
    else:
        made = generate_corpus(site, size, seed)
        (folder / GENERATED).write_text(CORPUS_FORMAT + "\n")
        print(f"Corpus: {made.describe()} (seed {seed}).")
    return site


def build(folder: Path, size: int, seed: int, reuse: bool, clean: bool, jobs: int | None) -> Path:
    """Generate the corpus unless reused, build it (from nothing when asked), print what that took; the output."""
    site, output = corpus(folder, size, seed, reuse), folder / "public"
    command = build_command(site, output, clean=clean or not reuse, jobs=jobs)
    child = run_child(command, build_environment(folder / "pycache"))
    how = "a cold build" if clean or not reuse else "a rebuild with the cache"
    print(f"Built with {how} in {child.wall:.1f} s.")
    return output


def measure(outputs: Sequence[Path], queries: Sequence[Query], repeat: int, live: bool) -> list[list[Cost]]:
    """Each query's typical cost on each output; a query's runs alternate between the outputs (A, B, A, B...).

    ``live`` prints each row as it is measured (one output only).
    """
    with ExitStack() as stack, sync_playwright() as driver:
        bases = [stack.enter_context(serving(output)) for output in outputs]
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        costs: list[list[Cost]] = [[] for _ in outputs]
        for query in queries:
            runs: list[list[Cost]] = [[] for _ in outputs]
            for _ in range(repeat):  # interleaved: a busy minute slows every output, not one
                for number, base in enumerate(bases):
                    runs[number].append(search_cost(browser, base, query))
            for number, done in enumerate(runs):
                costs[number].append(typical(done))
            if live:
                print(costs[0][-1].row(), flush=True)
        browser.close()
    return costs


def queries_header(repeat: int) -> str:
    lines = ["## Queries (KB as transferred, headers included; time from the last keystroke)\n"]
    if repeat > 1:
        lines.append(f"Each row: the median of {repeat} runs, each in a fresh browser context.\n")
    lines.append("| " + " | ".join(TABLE) + " |\n|---|---|" + "---:|" * (len(TABLE) - 2))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure each query's cost; exit 1 if the build or the page fails, 2 on bad arguments."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000, help="corpus size (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--keep", type=Path, help="keep the corpus and output in DIR/search-N-seed-S; reuse them later")
    parser.add_argument("--clean", action="store_true", help="build from nothing even when reusing a kept corpus")
    parser.add_argument("--jobs", type=int, help="passed to the build")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query; rows show medians (default 3)")
    parser.add_argument(
        "--query",
        action="append",
        type=_query,
        help="TEXT or TEXT|name=value (a search form filter), repeatable (default: six built-in queries)",
    )
    parser.add_argument(
        "--compare",
        action="append",
        type=Path,
        metavar="OUTPUT",
        help="measure this built output instead of building, repeatable: each query's runs alternate between them",
    )
    args = parser.parse_args(argv)
    if args.articles < 1 or args.repeat < 1:
        parser.error("--articles and --repeat must be at least 1")
    for output in args.compare or ():
        if not (output / BUNDLE.strip("/") / "shards.json").is_file():
            parser.error(f"{output} holds no search index (pagefind/shards.json)")
    queries = args.query or list(DEFAULT_QUERIES)
    print("# What a reader's search costs\n")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Machine: {os.cpu_count()} CPUs, load average {load}; Chromium {CHROMIUM}, a fresh context per query.")
    try:
        if args.compare:
            compare(args.compare, queries, args.repeat)
            return 0
        with workspace(args.keep, args.articles, args.seed) as (folder, reuse):
            output = build(folder, args.articles, args.seed, reuse, args.clean, args.jobs)
            print(f"\n## Search bundles\n\n{bundle_table(bundles(output))}\n")
            print(queries_header(args.repeat), flush=True)
            [costs] = measure([output], queries, args.repeat, live=True)
            print(f"\n## Where the bytes went: KB (requests) by kind of file\n\n{kinds_table(costs)}")
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (RuntimeError, ValueError, TimeoutError, BrowserError) as failed:
        print(f"\nThe measurement failed: {failed}", file=sys.stderr)
        return 1
    return 0


def compare(outputs: Sequence[Path], queries: Sequence[Query], repeat: int) -> None:
    """Measure built outputs side by side (say, two branches' builds of one corpus) and print each one's tables."""
    print(f"Comparing {len(outputs)} outputs; each query's runs alternate between them.", flush=True)
    results = measure(outputs, queries, repeat, live=False)
    for output, costs in zip(outputs, results, strict=True):
        print(f"\n# {output}\n\n## Search bundles\n\n{bundle_table(bundles(output))}\n")
        print(queries_header(repeat))
        print("\n".join(cost.row() for cost in costs))
        print(f"\n## Where the bytes went: KB (requests) by kind of file\n\n{kinds_table(costs)}")


def _query(text: str) -> Query:
    try:
        return Query.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


if __name__ == "__main__":
    sys.exit(main())
