"""The golden-output test: a fresh build of tests/golden/site/ must equal tests/golden/expected/, byte for byte.

A deliberate change to the output is recorded with ``make golden`` (``python -m tests.golden.regenerate``).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.golden.regenerate import EXPECTED, build_golden
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
    expected = snapshot(EXPECTED)
    problems = [f"missing from the build: {name}" for name in sorted(expected.keys() - built.keys())]
    problems += [f"built but not in expected/: {name}" for name in sorted(built.keys() - expected.keys())]
    problems += [
        describe(name, expected[name], built[name])
        for name in sorted(expected.keys() & built.keys())
        if expected[name] != built[name]
    ]
    if problems:
        pytest.fail(
            f"{len(problems)} files differ from {EXPECTED}. {REGENERATE}\n\n" + "\n\n".join(problems), pytrace=False
        )
    assert built.keys() == expected.keys()


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
        "topics/recruitment/feed.xml",
        "sitemap.xml",
        "news-sitemap.xml",
        "robots.txt",
        "404.html",
        "static/images/ferry.svg",
        ".well-known/byline.json",
    ],
)
def test_golden_site_touches_every_row_of_the_url_table(path: str) -> None:
    assert (EXPECTED / path).is_file()


def test_golden_output_has_no_page_1_and_no_unpublished_articles() -> None:
    assert not list(EXPECTED.rglob("page/1"))
    for name, data in snapshot(EXPECTED).items():
        for secret in (b"Unannounced Plans", b"third shop", b"names its first hybrid", b"Ceremonies"):
            assert secret not in data, f"{name} shows {secret!r}"


def test_news_sitemap_of_the_golden_site_holds_the_last_two_days(built: dict[str, bytes]) -> None:
    news = built["news-sitemap.xml"].decode()
    assert news.count("<url>") == 2
    assert "tidewell-ferries-orders-two-hybrid-vessels" in news and "brackenmoor-bakery-opens-a-second-shop" in news


def test_expected_holds_no_trace_of_the_machine(built: dict[str, bytes]) -> None:
    for name, data in built.items():
        assert b"/tmp/" not in data and str(Path.home()).encode() + b"/" not in data, name
