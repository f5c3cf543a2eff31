"""Smoke test of the benchmark tools at a tiny size: they run, they print, the corpus is valid.

CI cannot time builds meaningfully, so nothing here asserts a duration; the full
benchmark (1,000 and 10,000 articles) is run by hand: ``python -m benchmarks.run``.
The peers are not built here: Pelican installs from PyPI and Hugo may be absent, so
what is tested is what the benchmark gives them, read back as they read it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml
from PIL import Image

from benchmarks import body_cost, floor, graph_write, scan_cost
from benchmarks.corpus import CORPUS_NOW, LEAD_IMAGES, generate_corpus
from benchmarks.peers import (
    HUGO_LAYOUTS,
    Mirror,
    PeerUnavailable,
    Site,
    find_hugo,
    hugo_article,
    hugo_page,
    hugo_settings,
    make_peers,
    pelican_article,
    pelican_page,
    pelican_settings,
)
from benchmarks.run import HEADER, Measurement, build_environment, cold_ratio, measure, steps, table, typical
from benchmarks.search_cost import Cost, Query, file_kind, shard_of
from benchmarks.search_cost import typical as typical_cost
from byline.config import BuildOptions
from byline.pipeline import build, check
from byline.site.images import MIN_LEAD_PIXELS

REPO = Path(__file__).resolve().parent.parent
SMALL = 30
STEPS = (
    "cold build (no cache, no output)",
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
    ran = _run("-m", "benchmarks.run", "--articles", str(SMALL), "--keep", str(tmp_path), "--verbose-builds")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    assert "| " + " | ".join(HEADER) + " |" in lines
    for step in STEPS:
        row = next((line for line in lines if line.startswith(f"| {step} | Byline |")), None)
        assert row is not None, f"no row for {step!r} in:\n{ran.stdout}"
        assert len(row.strip("|").split("|")) == len(HEADER)
    # --verbose-builds: under the table, each build's stage timings (not its warnings) under its step.
    timings = ran.stdout.split("### Byline's stage timings (-v)", 1)[1]
    for step, following in zip(STEPS, [*STEPS[1:], None], strict=True):
        block = timings.split(f"#### {step}\n", 1)[1]
        block = block.split(f"#### {following}\n", 1)[0] if following else block
        if step == "no-change rebuild":
            assert "Up to date:" in block, block
        else:
            assert "  render " in block and "  search " in block and "Built " in block, block
        assert "warning" not in block
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


def test_body_cost_prints_a_figure_for_every_step_of_a_body() -> None:
    ran = _run("-m", "benchmarks.body_cost", "--articles", "12", "--seed", "3", "--repeat", "1")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    rows = [line.strip("| ").split(" | ") for line in lines if line.startswith("| ") and not line.startswith("| step")]
    assert [name for name, _ in rows] == list(body_cost.steps(["*One* body."]))
    assert all(float(ms) >= 0 for _, ms in rows)
    assert "12 article bodies" in ran.stdout


def test_load_cost_prints_get_parsed_and_the_codec_per_1000_results(tmp_path: Path) -> None:
    ran = _run("-m", "benchmarks.load_cost", "--articles", "12", "--seed", "3", "--repeat", "1")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    rows = [line.strip("| ").split(" | ") for line in lines if line.startswith("| ") and not line.startswith("| step")]
    figures = {name: float(ms) for name, ms in rows}
    files = len(list(generate_corpus(tmp_path / "site", 12, 3).root.joinpath("content").rglob("*.md")))
    assert list(figures) == [
        f"get_parsed, all {files} results",
        "decoding, per 1,000 results",
        "encoding, per 1,000 results",
    ]
    assert all(ms > 0 for ms in figures.values())
    unbuilt = _run("-m", "benchmarks.load_cost", "--root", str(tmp_path / "site"))  # no cache: said, not a traceback
    assert unbuilt.returncode == 2 and "build the site with it first" in unbuilt.stderr


def test_model_cost_prints_both_stages_per_thousand_articles_at_every_size() -> None:
    ran = _run("-m", "benchmarks.model_cost", "--articles", "12,24", "--seed", "3", "--repeat", "1")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    rows = [line.strip("| ").split(" | ") for line in ran.stdout.splitlines() if line.startswith("| ")]
    assert rows[0] == ["articles", "model, s", "checks, s", "model, ms per 1,000", "checks, ms per 1,000"]
    assert [row[0] for row in rows[1:]] == ["12", "24"]
    for row in rows[1:]:
        model_seconds, checks_seconds, model_per_thousand, checks_per_thousand = map(float, row[1:])
        assert model_seconds >= 0 and checks_seconds >= 0
        assert model_per_thousand > 0 and checks_per_thousand > 0


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


# --- the peers ------------------------------------------------------------------------


def _published(root: Path) -> tuple[Site, dict[str, tuple[Any, str | None]]]:
    """The peers' view of the site; from Byline's own model at the corpus clock, each published article by file, with its company's name."""
    peer_site = Site.read(root)
    checked = check(BuildOptions(root=root, output=root / "public", now=peer_site.now))
    model = checked.site
    assert model is not None, checked.problems
    company = {source: model.company[slug].name for source, slug in model.company_of.items()}
    return peer_site, {article.source: (article, company.get(article.source)) for article in model.articles}


def test_pelican_reads_what_byline_reads_from_the_converted_corpus(tmp_path: Path) -> None:
    """Pelican's Markdown reader takes its metadata from Python-Markdown's meta extension: read it back so."""
    corpus = generate_corpus(tmp_path / "site", SMALL)
    mirror = Mirror(corpus.root, tmp_path / "pelican", pelican_article, pelican_page)
    assert mirror.sync() == SMALL + 1  # every article and the about page
    site, published = _published(corpus.root)
    assert any(company for _, company in published.values())  # members' releases name their company
    for spec in corpus.articles:
        converted = (tmp_path / "pelican" / spec.path.removeprefix("content/")).read_text(encoding="utf-8")
        reader = markdown.Markdown(extensions=["meta"])
        body = reader.convert(converted)
        meta = {key: values[0] for key, values in reader.Meta.items()}
        assert meta["title"] == spec.title
        article, company = published.get(spec.path, (None, None))
        if article is None:  # a draft, or scheduled after the corpus clock: not published by Byline, nor by Pelican
            assert meta["status"] == "draft", spec
            continue
        assert "status" not in meta
        date = datetime.strptime(meta["date"], "%Y-%m-%d %H:%M").replace(tzinfo=site.timezone)
        assert date == article.date
        assert [tag.strip() for tag in meta["tags"].split(",")] == list(article.tags)
        assert meta["authors"] == ", ".join(site.authors[slug] for slug in article.authors)
        assert meta.get("company") == company
        assert f"/articles/{date:%Y/%m/%d}/{meta['slug']}/" == spec.url
        assert meta["category"] == site.config.section(article.section).title
        assert body and "Title:" not in body
    settings = pelican_settings(site, tmp_path / "pelican", tmp_path / "cache")
    values: dict[str, object] = {}
    exec(settings, values)  # noqa: S102 - what Pelican itself does with pelicanconf.py
    assert values["ARTICLE_SAVE_AS"] == "articles/{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html"
    assert values["TIMEZONE"] == "Europe/London" and values["LOAD_CONTENT_CACHE"] is True


def test_hugo_reads_what_byline_reads_from_the_converted_corpus(tmp_path: Path) -> None:
    corpus = generate_corpus(tmp_path / "site", SMALL)
    Mirror(corpus.root, tmp_path / "hugo", hugo_article, hugo_page).sync()
    site, published = _published(corpus.root)
    for spec in corpus.articles:
        converted = (tmp_path / "hugo" / spec.path.removeprefix("content/")).read_text(encoding="utf-8")
        _, front_text, body = converted.split("---\n", 2)
        front = yaml.safe_load(front_text)
        assert front["title"] == spec.title and body
        article, company = published.get(spec.path, (None, None))
        if article is None:
            assert front["draft"] is True, spec
            continue
        assert "draft" not in front
        assert datetime.fromisoformat(front["date"]) == article.date
        assert front["tags"] == list(article.tags)
        assert front["authors"] == [site.authors[slug] for slug in article.authors]
        assert front.get("companies") == ([company] if company else None)
        assert f"/articles/{article.date:%Y/%m/%d}/{front['slug']}/" == spec.url
    settings = hugo_settings(site, pagination_table=False)
    assert 'articles = "/articles/:year/:month/:day/:slug/"' in settings and "paginate = 20" in settings
    assert "pagerSize = 20" in hugo_settings(site, pagination_table=True)
    assert {"_default/single.html", "_default/list.html", "index.html"} <= set(HUGO_LAYOUTS)


def test_a_peers_copy_follows_each_edit_addition_and_deletion(tmp_path: Path) -> None:
    corpus = generate_corpus(tmp_path / "site", 5)
    mirror = Mirror(corpus.root, tmp_path / "copy", pelican_article, pelican_page)
    mirror.sync()
    assert mirror.sync() == 0  # nothing changed, nothing converted
    changes = {step.name: step for step in steps(corpus, tmp_path / "public")}
    changes["after editing one article's body"].prepare(0)
    assert mirror.sync() == 1
    edited = tmp_path / "copy" / corpus.newest_published.path.removeprefix("content/")
    assert edited.read_text(encoding="utf-8").endswith("in statement 1 on Friday.\n")
    changes["after adding one article"].prepare(0)
    assert mirror.sync() == 1
    assert (tmp_path / "copy" / corpus.articles[-1].path.removeprefix("content/")).is_file()
    (corpus.root / corpus.oldest_published.path).unlink()
    assert mirror.sync() == 1
    assert not (tmp_path / "copy" / corpus.oldest_published.path.removeprefix("content/")).exists()
    # A company renamed: the articles that name it change, and only they are rewritten.
    profile = next((corpus.root / "content/companies").glob("*.md"))
    text = profile.read_text(encoding="utf-8")
    name = next(line for line in text.splitlines() if line.startswith("name: ")).removeprefix("name: ").strip('"')
    profile.write_text(
        text.replace(f"name: {name}", "name: Renamed Holdings", 1).replace(
            f'name: "{name}"', "name: Renamed Holdings", 1
        ),
        encoding="utf-8",
    )
    naming = [
        path for path in (tmp_path / "copy").rglob("*.md") if f"Company: {name}\n" in path.read_text(encoding="utf-8")
    ]
    assert naming and mirror.sync() == len(naming)
    assert all("Company: Renamed Holdings\n" in path.read_text(encoding="utf-8") for path in naming)


def test_a_peer_that_cannot_be_had_is_skipped_with_the_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(PeerUnavailable, match="apt-get install -y hugo"):
        find_hugo(path=str(tmp_path))
    corpus = generate_corpus(tmp_path / "site", 2)
    monkeypatch.setenv("PATH", str(tmp_path))  # no hugo here
    peers, notes = make_peers(["hugo"], corpus, tmp_path / "peers", tmp_path / "venvs")
    assert peers == [] and notes == ["hugo skipped: no hugo binary on the PATH; on Debian: apt-get install -y hugo"]
    ran = _run("-m", "benchmarks.run", "--articles", "2", "--peers", "jekyll")
    assert ran.returncode == 2 and "unknown peer 'jekyll'" in ran.stderr


def test_peers_share_the_table_and_the_cold_build_is_set_against_pelicans() -> None:
    cold, edit = STEPS[0], STEPS[2]
    rows = [
        Measurement(cold, 30.0, 50.0, 300.0, 10, 20, 20),
        Measurement(edit, 1.0, 1.0, 100.0, 10, 20, 3),
        Measurement(cold, 40.0, 40.0, 190.0, 8, 9, 9, "Pelican 4.12.0"),
        Measurement(edit, 20.0, 20.0, 190.0, 8, 9, 9, "Pelican 4.12.0"),
    ]
    lines = table(rows).splitlines()
    assert [line.split(" | ")[:2] for line in lines[2:]] == [
        ["| " + cold, "Byline"],
        ["| " + cold, "Pelican 4.12.0"],
        ["| " + edit, "Byline"],
        ["| " + edit, "Pelican 4.12.0"],
    ]
    assert cold_ratio(rows) == (
        "Cold build: Byline 30.0 s, Pelican 4.12.0 40.0 s: 0.75× Pelican's (target ≤ 0.75×);"
        " CPU 50.0 s against 40.0 s, 1.25×."
    )
    assert cold_ratio(rows[:2]) is None


def test_a_file_rewritten_in_place_counts_as_written(tmp_path: Path) -> None:
    """Pelican and Hugo rewrite their output files in place (same inode): a new time still counts."""
    output = tmp_path / "public"
    output.mkdir()
    (output / "a.html").write_text("old")
    (output / "b.html").write_text("kept")
    rewrite = f"import pathlib; pathlib.Path({str(output / 'a.html')!r}).write_text('new')"
    row = measure("rewrite", [sys.executable, "-c", rewrite], output)
    assert (row.pages, row.files, row.written) == (2, 2, 1)


# --- the search cost ----------------------------------------------------------------------


def test_a_query_is_words_then_filters() -> None:
    assert Query.parse("new jobs") == Query("new jobs")
    assert Query.parse(" investment | section=News|region = Wales ") == Query(
        "investment", (("section", "News"), ("region", "Wales"))
    )
    for bad in ("", "jobs|section", "jobs|=News"):
        with pytest.raises(ValueError):
            Query.parse(bad)


def test_a_querys_responses_are_summed_by_phase_and_kind_and_repeats_give_medians() -> None:
    query = Query("jobs")
    responses = [
        ("opening", "json", 1, ""),
        ("opening", "js", 40, "2026-10"),
        ("opening", "pf_meta", 10, "2026-10"),
        ("query", "pf_index", 300, "2026-10"),
        ("query", "pf_meta", 5, "2026-07"),
    ]
    cost = Cost.of(query, 5, responses, 700.0, since="July 2026", counted=800.0)
    assert (cost.opening, cost.searching) == ((51, 3), (305, 2))
    assert cost.kinds == (("js", 40, 1), ("json", 1, 1), ("pf_index", 300, 1), ("pf_meta", 15, 2))
    assert cost.bundles == 2, "the shard list is no bundle"
    assert "| 5 since July 2026 | 2 |" in cost.row() and cost.row().endswith("| 700 ms | 800 ms |")
    costs = [cost, replace(cost, first_result_ms=500.0, counted_ms=600.0), replace(cost, first_result_ms=900.0)]
    costs[-1] = replace(costs[-1], searching=(1, 1), counted_ms=1000.0)
    assert typical_cost(costs) == cost
    assert typical_cost([*costs, Cost.of(query, 0, responses, None)]).first_result_ms is None
    kinds = [file_kind(f"/pagefind/2026/{name}") for name in ("wasm.en-gb.pagefind", "index/en_1.pf_index")]
    assert kinds == ["wasm", "pf_index"]
    assert [shard_of(path) for path in ("/pagefind/shards.json", "/pagefind/2026-07/index/en_1.pf_index")] == [
        "",
        "2026-07",
    ]


def test_shard_cost_indexes_each_size_and_fits_a_line(tmp_path: Path) -> None:
    ran = _run(
        "-m", "benchmarks.shard_cost", "--articles", "12", "--keep", str(tmp_path), "--sizes", "2,5", "--repeat", "2"
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    rows = [line.strip("| ").split(" | ") for line in ran.stdout.splitlines() if line.startswith("| ")]
    assert [row[0] for row in rows[1:]] == ["2", "5"]
    for _, wall, spread, cpu in rows[1:]:
        low, high = (float(part) for part in spread.split("–"))
        assert 0 < low <= float(wall) <= high and float(cpu) > 0
    assert "wall: about " in ran.stdout and " ms per document" in ran.stdout
    too_many = _run("-m", "benchmarks.shard_cost", "--articles", "12", "--keep", str(tmp_path), "--sizes", "500")
    assert too_many.returncode == 1 and "fewer than 500" in too_many.stderr
    assert "Corpus: reused" in too_many.stdout


@pytest.mark.browser
def test_search_cost_prints_each_bundle_and_each_querys_downloads(tmp_path: Path) -> None:
    queries = ("--query", "investment", "--query", "investment|section=News")
    ran = _run("-m", "benchmarks.search_cost", "--articles", "12", "--keep", str(tmp_path), "--repeat", "1", *queries)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    tables = ran.stdout.split("## Where the bytes went", 1)[0]  # the bundles', then the queries'
    rows = [line.strip("| ").split(" | ") for line in tables.splitlines() if line.startswith("| ")]
    bundles = [row for row in rows if len(row) == 4 and row[0] != "bundle"]
    total = bundles.pop()
    assert total[0] == f"all {len(bundles)}" and len(bundles) >= 2
    assert 0 < int(total[1]) <= 12  # the published articles, each in one bundle
    costs = [row for row in rows if len(row) == 9 and row[0] != "query"]
    assert [(row[0], row[1]) for row in costs] == [("investment", "none"), ("investment", "section=News")]
    for _, _, results, fetched, opening, searching, _, first, counted in costs:
        assert float(opening.split()[0]) > 0 and float(searching.split()[0]) > 0
        assert int(results.split()[0]) > 0 and first.endswith(" ms") and counted.endswith(" ms")
        assert 1 <= int(fetched) <= len(bundles)
    built = str(tmp_path / "search-12-seed-1/public")
    compared = _run(
        "-m", "benchmarks.search_cost", "--compare", built, "--compare", built, "--query", "investment", "--repeat", "1"
    )
    assert compared.returncode == 0, compared.stdout + compared.stderr
    assert "Comparing 2 outputs" in compared.stdout and compared.stdout.count(f"# {built}\n") == 2
    assert compared.stdout.count("| investment | none | ") == 4, "a query row and a kinds row per output"
    nothing = _run("-m", "benchmarks.search_cost", "--compare", str(tmp_path))
    assert nothing.returncode == 2 and "holds no search index" in nothing.stderr
    again = _run("-m", "benchmarks.search_cost", "--articles", "12", "--keep", str(tmp_path), "--query", "x|topic=Nope")
    assert "Corpus: reused" in again.stdout
    (tmp_path / "search-12-seed-1/corpus-format").write_text("0\n")  # made by an older generator: not reused
    older = _run("-m", "benchmarks.search_cost", "--articles", "12", "--keep", str(tmp_path), "--query", "x|topic=Nope")
    assert "Corpus: reused" not in older.stdout and "Corpus: 12 articles" in older.stdout
    by_kind = ran.stdout.split("## Where the bytes went", 1)[1]
    assert "pf_index" in by_kind and "pf_meta" in by_kind and "| investment | section=News |" in by_kind
    assert again.returncode == 1 and "no filter 'topic' with the option 'Nope'" in again.stderr


def test_graph_write_saves_a_record_of_the_asked_shape_and_prints_its_time(tmp_path: Path) -> None:
    learnt = graph_write.record(outputs=40, reads=5)
    assert len(learnt.readers) == 40 and all(len(set(reads)) == 5 for _, reads in learnt.readers.values())
    assert min(graph_write.save_seconds(learnt, tmp_path)) >= 0
    db = sqlite3.connect(tmp_path / "cache.sqlite3")
    assert db.execute("SELECT count(*) FROM reads").fetchone() == (200,)
    ran = _run("-m", "benchmarks.graph_write", "--outputs", "40", "--reads", "5", "--cache-kib", "1024")
    assert ran.returncode == 0, ran.stderr
    assert (
        "40 readers, 200 reads, page cache 1,024 KiB: spilled in " in ran.stdout and " would, saved in " in ran.stdout
    )
    (tmp_path / "again").mkdir()
    assert graph_write.save_peak_mb(graph_write.record(outputs=40, reads=5), tmp_path / "again") > 0
    ran = _run("-m", "benchmarks.graph_write", "--outputs", "40", "--reads", "5", "--memory")
    assert ran.returncode == 0, ran.stderr
    assert " KiB: the spill and save held " in ran.stdout and " MB of Python memory at its peak" in ran.stdout


def test_scan_cost_lists_every_input_of_a_site_and_prints_the_medians(tmp_path: Path) -> None:
    root = generate_corpus(tmp_path / "site", SMALL).root
    scan = scan_cost.scan_once(root)
    content = sum(1 for path in (root / "content").rglob("*") if path.is_file())
    assert scan.files > content and scan.wall >= 0 and scan.user >= 0 and scan.system >= 0
    ran = _run("-m", "benchmarks.scan_cost", "--root", str(root), "--repeat", "2")
    assert ran.returncode == 0, ran.stderr
    assert f"| {scan.files:,} | " in ran.stdout and "medians of 2 runs" in ran.stdout
