"""The latency benchmark still runs end to end (at a toy size; nothing here judges a duration)."""

from __future__ import annotations

import pytest

from benchmarks.serve_latency import HEADER, main

pytestmark = pytest.mark.browser


def test_the_latency_benchmark_prints_a_row_per_site(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--articles", "3", "--edits", "1", "--no-sample"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert HEADER in printed
    row = printed[-1]
    assert row.startswith("generated corpus (3 articles)") and row.count(" ms") == 5
