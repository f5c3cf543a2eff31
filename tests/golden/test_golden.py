"""The golden-output test: a fresh build of tests/golden/site/ must equal tests/golden/expected/, byte for byte.

A deliberate change to the output is recorded with ``make golden`` (``python -m tests.golden.regenerate``).
"""

from __future__ import annotations

import difflib
import itertools
import json
from pathlib import Path

import pytest

from byline.output.search import bundle
from tests.golden import search_bundles
from tests.golden.regenerate import EXPECTED, build_golden
from tests.golden.search_bundles import PAGE_NUMBERED
from tests.helpers import snapshot

MAX_DIFF_LINES = 40
REGENERATE = "If the change is intended, run `make golden` (python -m tests.golden.regenerate) and review the diff."


def describe(name: str, expected: bytes, built: bytes) -> str:
    """A readable account of how one file differs."""
    try:
        old, new = expected.decode("utf-8"), built.decode("utf-8")
    except UnicodeDecodeError:
        return f"{name}: binary file differs ({len(expected)} bytes expected, {len(built)} built)"
    diff = list(
        difflib.unified_diff(old.splitlines(), new.splitlines(), f"expected/{name}", f"built/{name}", n=2, lineterm="")
    )
    if len(diff) > MAX_DIFF_LINES:
        diff = [*diff[:MAX_DIFF_LINES], f"... {len(diff) - MAX_DIFF_LINES} more diff lines"]
    return "\n".join(diff)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    output = tmp_path_factory.mktemp("golden") / "public"
    result = build_golden(output)
    assert result.returncode == 0, result.stdout + result.stderr
    return snapshot(output)


def test_build_matches_the_golden_output_file_by_file(built: dict[str, bytes]) -> None:
    """Byte for byte, but for the search index's page-numbered files, which are compared as they read."""
    expected = snapshot(EXPECTED)
    problems = _differences(_unnumbered(expected), _unnumbered(built))
    expected_index, built_index = search_bundles.bundles(expected), search_bundles.bundles(built)
    problems += [
        f"{folder}: the search index reads differently, or is missing"
        for folder in sorted(expected_index.keys() | built_index.keys())
        if expected_index.get(folder) != built_index.get(folder)
    ]
    if problems:
        pytest.fail(
            f"{len(problems)} files differ from {EXPECTED}. {REGENERATE}\n\n" + "\n\n".join(problems), pytrace=False
        )


def _unnumbered(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if not PAGE_NUMBERED.match(name)}


def _differences(expected: dict[str, bytes], built: dict[str, bytes]) -> list[str]:
    problems = [f"missing from the build: {name}" for name in sorted(expected.keys() - built.keys())]
    problems += [f"built but not in expected/: {name}" for name in sorted(built.keys() - expected.keys())]
    problems += [
        describe(name, expected[name], built[name])
        for name in sorted(expected.keys() & built.keys())
        if expected[name] != built[name]
    ]
    return problems


@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "page/2/index.html",
        "articles/2026/05/20/tidewell-ferries-orders-two-hybrid-vessels-for-the-tyne-crossing/index.html",
        "articles/2026/04/28/fellgate-analytics-raises-funding/index.html",  # an alias redirect
        "members-news/index.html",
        "members-news/page/2/index.html",
        "news/index.html",
        "authors/index.html",
        "authors/hannah-okoro/index.html",
        "authors/hannah-okoro/page/2/index.html",
        "companies/index.html",
        "companies/tidewell-ferries/index.html",
        "companies/tidewell-ferries/page/2/index.html",
        "topics/index.html",
        "topics/shipping/index.html",
        "topics/shipping/page/2/index.html",
        "regions/index.html",
        "regions/north-east/index.html",
        "archive/index.html",
        "archive/2026/index.html",
        "archive/2026/05/index.html",
        "archive/2025/12/index.html",
        "search/index.html",
        "about/index.html",
        "feed.xml",
        "members-news/feed.xml",
        "news/feed.xml",
        "authors/callum-reid/feed.xml",
        "companies/tidewell-ferries/feed.xml",
        "topics/recruitment/feed.xml",
        "sitemap.xml",
        "news-sitemap.xml",
        "robots.txt",
        "404.html",
        "static/images/ferry.svg",
        "static/companies/tidewell-ferries.svg",
        ".well-known/byline.json",
    ],
)
def test_golden_site_touches_every_row_of_the_url_table(path: str) -> None:
    assert (EXPECTED / path).is_file()


def test_golden_output_has_no_page_1_and_no_unpublished_articles() -> None:
    assert not list(EXPECTED.rglob("page/1"))
    assert not (EXPECTED / "companies/quayside-provisions").exists(), "a company with nothing published has no page"
    for name, data in snapshot(EXPECTED).items():
        for secret in (
            b"Unannounced Plans",
            b"third shop",
            b"names its first hybrid",
            b"Ceremonies",
            b"Quayside Provisions",
        ):
            assert secret not in data, f"{name} shows {secret!r}"


def test_news_sitemap_of_the_golden_site_holds_the_last_two_days(built: dict[str, bytes]) -> None:
    news = built["news-sitemap.xml"].decode()
    assert news.count("<url>") == 2
    assert "tidewell-ferries-orders-two-hybrid-vessels" in news and "brackenmoor-bakery-opens-a-second-shop" in news


def test_expected_holds_no_trace_of_the_machine(built: dict[str, bytes]) -> None:
    for name, data in built.items():
        assert b"/tmp/" not in data and str(Path.home()).encode() + b"/" not in data, name


def _renumbered(files: dict[str, bytes], folder: str, new: list[int]) -> dict[str, bytes]:
    """``files`` with the bundle's page ``n`` renumbered ``new[n]``, as another file system's order gives."""
    files = dict(files)
    entry = json.loads(files[f"{folder}/pagefind-entry.json"])
    [info] = entry["languages"].values()
    meta = bundle.decode(files[f"{folder}/pagefind.{info['hash']}.pf_meta"])
    pages = [None] * len(meta[1])
    for old, page in enumerate(meta[1]):
        pages[new[old]] = page
    meta[1] = pages
    for _, _, chunk in meta[2]:
        name = f"{folder}/index/{chunk}.pf_index"
        [entries] = bundle.decode(files[name])
        for word in entries:
            numbers = list(itertools.accumulate(posting[0] for posting in word[1]))
            moved = sorted((new[n], posting[1:]) for n, posting in zip(numbers, word[1], strict=True))
            word[1] = [
                [n - before, *rest] for (n, rest), before in zip(moved, [0] + [n for n, _ in moved[:-1]], strict=True)
            ]
        files[name] = bundle.encode([entries])
    for _, filter_file in meta[3]:
        name = f"{folder}/filter/{filter_file}.pf_filter"
        filter_name, values = bundle.decode(files[name])
        files[name] = bundle.encode([filter_name, [[value, sorted(new[n] for n in numbers)] for value, numbers in values]])
    meta[4] = [[sort, [new[n] for n in order]] for sort, order in meta[4]]
    files[f"{folder}/pagefind.{info['hash']}.pf_meta"] = bundle.encode(meta)
    return files


def test_the_search_index_compares_equal_whatever_order_pagefind_met_the_pages_in() -> None:
    """ext4 lists a folder in an order seeded when the disk was formatted: another machine numbers pages otherwise."""
    expected = snapshot(EXPECTED)
    folder = "pagefind/2026"
    reordered = _renumbered(expected, folder, [2, 0, 1])
    assert reordered != expected
    assert search_bundles.bundles(reordered) == search_bundles.bundles(expected)
    swapped = _renumbered(expected, folder, [1, 0, 2])  # a real change still shows: a filter moved to other pages
    [shard_filter] = [name for name in swapped if name.startswith(f"{folder}/filter/")][:1]
    changed = {**reordered, shard_filter: swapped[shard_filter]}
    assert search_bundles.bundles(changed) != search_bundles.bundles(expected)
