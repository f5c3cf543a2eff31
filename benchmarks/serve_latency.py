"""Measure the preview's save-to-browser latency: ``python -m benchmarks.serve_latency [--articles N] [--edits 20]``.

``--corpus PATH`` measures a corpus made before (at 100,000 articles, making one takes minutes).

For the sample site (copied to a temporary folder) and a generated corpus of N articles
(default 1,000; ``benchmarks.corpus``), it runs ``python build.py serve`` exactly as an
editor does, opens the newest article in headless Chromium, then saves the article's
Markdown file ``--edits`` times (after one unmeasured warm-up save). Each latency runs
from the moment before the file is written to the moment the browser has laid out the
page showing the change, read from the page's own clock; the machine's wall clock is
shared by both sides. It prints the median and the worst, and the server's own rebuild
time for comparison. Not a test: nothing asserts a duration.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from .corpus import CORPUS_NOW, generate_corpus

REPO = Path(__file__).resolve().parent.parent
SAMPLE_ARTICLE = "content/articles/2026/11/wearside-talent-acquisition.md"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 300_000  # a slow machine's rebuild of a big corpus must not abort the run
FIRST_BUILD_WAIT_MS = 3_600_000  # the first build renders every page: 100,000 articles take minutes
_SERVING = re.compile(r"Serving the preview at (http://\S+/)")
_REBUILT = re.compile(r"rebuilt in ([0-9.]+) s(?: \(open pages shown after ([0-9.]+) s\))?")

# Runs at the start of every document the tab loads: once the probe the benchmark wrote
# (kept in sessionStorage across the reload) is in the page, note the time just after the
# next paint: a task queued from requestAnimationFrame runs once that frame is painted.
_SHOWN_AT = """
(() => {
  const probe = sessionStorage.getItem("bylineProbe");
  if (!probe) return;
  const look = () => {
    if (document.body && document.body.textContent.includes(probe)) {
      requestAnimationFrame(() => setTimeout(() => {
        window.bylineShown = { probe, at: performance.timeOrigin + performance.now() };
      }));
    } else {
      requestAnimationFrame(look);
    }
  };
  look();
})();
"""


@dataclass(frozen=True)
class Target:
    """A site to serve and the article whose file the benchmark edits."""

    name: str
    root: Path
    article: Path
    url_path: str
    now: str | None


@dataclass(frozen=True)
class Result:
    name: str
    latencies_ms: list[float]
    rebuilds_s: list[float]
    shown_s: list[float]  # when the server served the edited page, before the rebuild finished

    def row(self) -> str:
        """Latencies, the server's rebuild time, when it showed the page, and the rest (debounce, event, reload, paint)."""
        lat, builds = self.latencies_ms, self.rebuilds_s
        median = statistics.median(lat)
        build = statistics.median(builds) * 1000 if builds else float("nan")
        shown = statistics.median(self.shown_s) * 1000 if self.shown_s else build
        return (
            f"{self.name:<34} {len(lat):>5} {median:8.0f} ms {max(lat):8.0f} ms {min(lat):8.0f} ms"
            f" {build:13.0f} ms {shown:13.0f} ms {median - shown:13.0f} ms"
        )


HEADER = f"{'site':<34} {'edits':>5} {'median':>11} {'worst':>11} {'best':>11} {'rebuild (med.)':>16} {'shown (med.)':>16} {'rest (med.)':>16}"


def sample_site(workdir: Path) -> Target:
    """A copy of the repository's sample site; the article edited is a recent published one."""
    root = workdir / "sample"
    root.mkdir()
    shutil.copy2(REPO / "site.toml", root / "site.toml")
    for folder in ("content", "templates", "static"):
        shutil.copytree(REPO / folder, root / folder)
    url = _article_url(root / SAMPLE_ARTICLE)
    articles = sum(1 for _ in (root / "content/articles").rglob("*.md"))
    return Target(f"sample site ({articles} articles)", root, root / SAMPLE_ARTICLE, url, None)


def corpus_site(workdir: Path, articles: int) -> Target:
    """A generated corpus; the article edited is the newest published one (the front page's first)."""
    corpus = generate_corpus(workdir / f"corpus-{articles}", articles)
    article = corpus.newest_published
    return Target(
        f"generated corpus ({articles:,} articles)", corpus.root, corpus.root / article.path, article.url, CORPUS_NOW
    )


def existing_corpus(root: Path) -> Target:
    """A corpus ``benchmarks.corpus`` made before (``--corpus``), edited in place and put back as it was.

    At 100,000 articles making one takes minutes; its parse cache is reused too, but
    the preview's first build renders everything into its own folder all the same.
    """
    from byline.config import BuildOptions
    from byline.pipeline import check

    options = BuildOptions(root=root, output=root / "public", now=_corpus_now(root))
    checked = check(options)
    assert checked.site is not None, checked.problems
    newest = checked.site.articles[0]
    articles = len(checked.site.articles) + len(checked.site.hidden)
    name = f"existing corpus ({articles:,} articles)"
    return Target(name, root, root / newest.source, checked.site.url_of[newest.source], CORPUS_NOW)


def _corpus_now(root: Path) -> datetime:
    """The corpus clock in the site's timezone, as ``--now`` reads it."""
    from byline.config import load_config

    config, _ = load_config(root)
    return datetime.strptime(CORPUS_NOW, "%Y-%m-%d %H:%M").replace(tzinfo=config.timezone)


def _article_url(path: Path) -> str:
    """The URL of an article, asked of the real pipeline rather than re-derived here."""
    from byline.config import BuildOptions
    from byline.pipeline import check

    root = path.parents[0]
    while not (root / "content").is_dir():
        root = root.parent
    checked = check(BuildOptions(root=root, output=root / "public", drafts=True, future=True))
    assert checked.site is not None, checked.problems
    return checked.site.url_of[path.relative_to(root).as_posix()]


@contextmanager
def serving(target: Target) -> Iterator[tuple[str, queue.Queue[str]]]:
    """Run ``python build.py serve`` on a free port; yield its URL and its stderr lines."""
    # -X faulthandler: on SIGABRT the server prints every thread's stack, which names a hang.
    command = [sys.executable, "-X", "faulthandler", str(REPO / "build.py"), "serve", "--root", str(target.root)]
    command += ["--port", "0"]
    if target.now:
        command += ["--now", target.now]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    try:
        seen: list[str] = []
        while (line := _next_line(lines, "the first build", FIRST_BUILD_WAIT_MS)) != "":
            seen.append(line)
            if match := _SERVING.search(line):
                yield match.group(1).rstrip("/"), lines
                return
        raise RuntimeError("the preview server stopped before serving:\n" + "".join(seen[-20:]))
    except Silent as silent:
        process.send_signal(signal.SIGABRT)
        stacks = _rest(lines)
        raise Silent(f"{silent}; its threads when stopped:\n{stacks}") from None
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


class Silent(RuntimeError):
    """The server printed nothing for WAIT_MS: a hang, reported with its threads' stacks."""


def _next_line(lines: queue.Queue[str], what: str = "its next line", wait_ms: int = WAIT_MS) -> str:
    try:
        return lines.get(timeout=wait_ms / 1000)
    except queue.Empty:
        raise Silent(f"the preview server printed nothing for {wait_ms // 1000} s, waiting for {what}") from None


def _rest(lines: queue.Queue[str], seconds: float = 10.0) -> str:
    """What the server prints until it ends (or ``seconds`` pass)."""
    found, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line == "":
            break
        found.append(line)
    return "".join(found)


def measure(target: Target, edits: int) -> Result:
    """Save the article ``edits`` times (plus a warm-up) and time each change reaching the page."""
    original = target.article.read_text()
    latencies: list[float] = []
    rebuilds: list[float] = []
    firsts: list[float] = []
    with serving(target) as (base, lines), sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(WAIT_MS)
        page.add_init_script(_SHOWN_AT)
        page.goto(base + target.url_path)
        _wait_listening(page)
        try:
            for number in range(edits + 1):
                probe = f"Latency probe {number} of the preview benchmark"
                page.evaluate("(probe) => sessionStorage.setItem('bylineProbe', probe)", probe)
                _drain(lines)
                started = time.time() * 1000
                target.article.write_text(original + f"\n{probe}.\n")
                shown = page.wait_for_function(
                    "(probe) => window.bylineShown && window.bylineShown.probe === probe && window.bylineShown.at",
                    arg=probe,
                ).json_value()
                _wait_listening(page)
                # The page can show before its rebuild ends (see serve.State.first): the next
                # save waits for the end, so it times one save, not a queue of them.
                rebuilt, first = _next_rebuild(lines)
                if number:  # the first save warms caches; it is not counted
                    latencies.append(shown - started)
                    rebuilds.append(rebuilt)
                    firsts += [first] if first is not None else []
        finally:
            target.article.write_text(original)
            browser.close()
    return Result(target.name, latencies, rebuilds, firsts)


def _wait_listening(page: Page) -> None:
    page.wait_for_function("window.bylinePreview && window.bylinePreview.listening")


def _drain(lines: queue.Queue[str]) -> None:
    while not lines.empty():
        lines.get_nowait()


def _next_rebuild(lines: queue.Queue[str]) -> tuple[float, float | None]:
    """The next rebuild the server logs: its seconds, and when it served the open pages (None: at its end)."""
    while (line := _next_line(lines, "the end of a rebuild after a save")) != "":
        if match := _REBUILT.search(line):
            return float(match.group(1)), float(match.group(2)) if match.group(2) else None
    raise RuntimeError("the preview server stopped")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve_latency", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="size of the generated corpus (default 1000)")
    parser.add_argument("--edits", type=int, default=20, help="measured saves per site (default 20)")
    parser.add_argument("--no-sample", action="store_true", help="skip the sample site")
    parser.add_argument(
        "--corpus", type=Path, help="measure this corpus (made by benchmarks.corpus) instead of generating one"
    )
    args = parser.parse_args(argv)
    if args.articles < 1 or args.edits < 1:
        parser.error("--articles and --edits must be 1 or more")
    with tempfile.TemporaryDirectory(prefix="byline-latency-") as folder:
        workdir = Path(folder)
        targets = [] if args.no_sample else [sample_site(workdir)]
        targets.append(existing_corpus(args.corpus) if args.corpus else corpus_site(workdir, args.articles))
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; latencies from save to painted")
        print(HEADER)
        for target in targets:
            print(measure(target, args.edits).row(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
