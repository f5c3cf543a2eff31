"""The latency benchmark still runs end to end (at a toy size; nothing here judges a duration).

A subprocess, because the benchmark starts its own Playwright and the session's browser
fixture may already hold one in this process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.serve_latency import HEADER

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]


def test_the_latency_benchmark_prints_a_row_per_site() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.serve_latency", "--articles", "3", "--edits", "1", "--no-sample"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    printed = run.stdout.splitlines()
    assert HEADER in printed
    row = printed[-1]
    # median, worst, best, the rebuild, when the open page was shown, the rest
    assert row.startswith("generated corpus (3 articles)") and row.count(" ms") == 6 and "nan" not in row
