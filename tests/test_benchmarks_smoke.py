"""Smoke test of the benchmark tools at a tiny size: they run, they print, the corpus is valid.

CI cannot time builds meaningfully, so nothing here asserts a duration; the full
benchmark (1,000 and 10,000 articles) is run by hand: ``python -m benchmarks.run``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from benchmarks import floor
from benchmarks.corpus import CORPUS_NOW, LEAD_IMAGES, generate_corpus
from benchmarks.run import HEADER, Measurement, build_environment, steps, typical
from byline.config import BuildOptions
from byline.pipeline import build
from byline.site.images import MIN_LEAD_PIXELS

REPO = Path(__file__).resolve().parent.parent
SMALL = 30
STEPS = (
    "cold build (--clean, no cache, no output)",
    "no-change rebuild",
    "after editing one article's body",
    "after editing the oldest article's body",
    "after adding one article",
    "after editing one template (article.html)",
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=120)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_a_byte_identical_corpus(tmp_path: Path) -> None:
    made = _run("-m", "benchmarks.corpus", "--articles", str(SMALL), "--out", str(tmp_path / "a"), "--seed", "5")
    assert made.returncode == 0, made.stderr
    generate_corpus(tmp_path / "b", SMALL, seed=5)
    generate_corpus(tmp_path / "c", SMALL, seed=6)
    first = _tree(tmp_path / "a")
    assert len([p for p in first if p.startswith("content/articles/")]) == SMALL
    assert first == _tree(tmp_path / "b")
    assert first != _tree(tmp_path / "c")


def test_generated_corpus_is_a_complete_site_that_checks_and_builds(tmp_path: Path) -> None:
    corpus = generate_corpus(tmp_path / "site", SMALL)
    root = corpus.root
    for needed in ("site.toml", "content/pages/about.md", "static/images/lead-1.png"):
        assert (root / needed).is_file(), needed
    assert len(list((root / "content/authors").glob("*.md"))) == 150
    assert corpus.companies and len(list((root / "content/companies").glob("*.md"))) == len(corpus.companies)
    statuses = {a.status for a in corpus.articles}
    assert statuses == {"published", "draft", "scheduled"}

    checked = _run("build.py", "check", "--root", str(root), "--now", CORPUS_NOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "lead image" not in checked.stdout + checked.stderr  # no warning per article about its picture
    built = _run("build.py", "--root", str(root), "--output", str(tmp_path / "public"), "--now", CORPUS_NOW, "-q")
    assert built.returncode == 0, built.stdout + built.stderr
    newest = corpus.newest_published.url.strip("/")
    assert (tmp_path / "public" / newest / "index.html").is_file()


def test_lead_images_are_large_yet_a_few_kilobytes(tmp_path: Path) -> None:
    generate_corpus(tmp_path / "site", 1)
    leads = sorted((tmp_path / "site/static/images").glob("lead-*.png"))
    assert len(leads) == LEAD_IMAGES
    for path in leads:
        with Image.open(path) as image:
            image.load()  # decodes every pixel: the hand-made compressed stream is valid
            assert image.size[0] >= 1200 and image.size[1] >= 675 and image.size[0] * 9 == image.size[1] * 16
            assert image.width * image.height >= MIN_LEAD_PIXELS
        assert path.stat().st_size < 16_000


def test_benchmark_prints_a_row_for_every_step(tmp_path: Path) -> None:
    # --profile is left out: one more (profiled) cold build would double this test's time.
    ran = _run("-m", "benchmarks.run", "--articles", str(SMALL), "--keep", str(tmp_path))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    assert "| " + " | ".join(HEADER) + " |" in lines
    for step in STEPS:
        row = next((line for line in lines if line.startswith(f"| {step} |")), None)
        assert row is not None, f"no row for {step!r} in:\n{ran.stdout}"
        assert len(row.strip("|").split("|")) == len(HEADER)
    assert (tmp_path / f"articles-{SMALL}" / "site" / "templates" / "article.html").is_file()
    # The builds kept their bytecode in the workspace, as an editor's Python keeps it, whatever the environment.
    kept = {path.name.split(".")[0] for path in (tmp_path / f"articles-{SMALL}" / "pycache").rglob("*.pyc")}
    assert {"pipeline", "render", "markup"} <= kept


def test_each_repeat_of_a_step_makes_a_change_of_its_own(tmp_path: Path) -> None:
    """A repeat that changed nothing would time an up-to-date check, not a rebuild."""
    corpus = generate_corpus(tmp_path / "site", 3)
    changes = {step.name: step for step in steps(corpus, tmp_path / "public")}
    for name in STEPS[2:]:
        trees = [_tree(tmp_path / "site")]
        for number in range(3):
            changes[name].prepare(number)
            trees.append(_tree(tmp_path / "site"))
        assert all(a != b for a, b in zip(trees, trees[1:], strict=False)), name


def test_repeated_builds_show_median_times_and_the_largest_memory() -> None:
    runs = [
        Measurement("edit", wall, cpu, rss, 5, 9, written)
        for wall, cpu, rss, written in [(3.0, 4.0, 90.0, 7), (1.0, 2.0, 120.0, 8), (2.0, 9.0, 100.0, 6)]
    ]
    assert typical(runs) == Measurement("edit", 2.0, 4.0, 120.0, 5, 9, 6)
    assert typical(runs[:1]) == runs[0]


def test_builds_keep_their_bytecode_outside_the_repository(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    environment = build_environment(tmp_path / "pycache")
    assert "PYTHONDONTWRITEBYTECODE" not in environment
    assert environment["PYTHONPYCACHEPREFIX"] == str(tmp_path / "pycache")
    assert environment["PATH"] == os.environ["PATH"]


def test_floor_benchmark_prints_every_part_of_the_least_build_time(tmp_path: Path) -> None:
    ran = _run("-m", "benchmarks.floor", "--articles", "12", "--seed", "3")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    measured = {}  # each row's part and its measured figure
    for line in ran.stdout.splitlines():
        if line.startswith("| ") and not line.startswith("| part |"):
            part, figure, _ = line.strip("| ").split(" | ")
            measured[part] = float(figure.split()[0])
    parts = ("cold: parse", "cold: Pagefind", "cold floor", "edit: start", "edit: read", "edit: load", "edit: model")
    for part in (*parts, "edit: checks", "edit floor"):
        found = [value for name, value in measured.items() if name.startswith(part)]
        assert len(found) == 1, f"no row for {part!r} in:\n{ran.stdout}"
        assert found[0] >= 0
    assert next(value for name, value in measured.items() if name.startswith("cold: Pagefind")) > 0


def test_floor_edit_reads_all_but_the_edited_article_from_the_cache(tmp_path: Path) -> None:
    corpus = generate_corpus(tmp_path / "site", 8)
    options = BuildOptions(root=corpus.root, output=tmp_path / "public", now=datetime(2026, 11, 1, 9, tzinfo=UTC))
    build(replace(options, quiet=True))
    newest = max(corpus.root.glob("content/articles/*/*/*.md"))
    stages = floor.edit_seconds(options, newest)
    assert set(stages) == set(floor.EDIT_STAGES) and all(seconds >= 0 for seconds in stages.values())
    assert newest.read_text().endswith("added by the floor benchmark.\n")
    (tmp_path / "site" / ".byline-cache").rename(tmp_path / "gone")  # no cache: every file is parsed
    every = len(list((corpus.root / "content").rglob("*.md")))
    with pytest.raises(RuntimeError, match=f"re-parsed {every} files, not 1"):
        floor.edit_seconds(options, newest)
