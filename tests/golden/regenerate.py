"""Rebuild tests/golden/expected/ from tests/golden/site/: ``python -m tests.golden.regenerate``.

Run it (or ``make golden``) after a deliberate change to the output, then review the
diff of expected/ before committing it: that diff is the change readers will see.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from byline.state.workspace import CACHE_DIR

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SITE = HERE / "site"
EXPECTED = HERE / "expected"
NOW = "2026-05-20 12:00"  # the fixed clock: two articles fall in the news sitemap's window
MACHINE_TZ = "Pacific/Auckland"  # far from the site's Europe/London: the machine's zone must not matter


def build_golden(output: Path) -> subprocess.CompletedProcess[str]:
    """Build a copy of the golden site into ``output`` (the copy keeps the build cache out of the repository)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        shutil.copytree(SITE, root, ignore=shutil.ignore_patterns(CACHE_DIR))
        command = [sys.executable, str(ROOT / "build.py"), "--root", str(root), "--output", str(output)]
        command += ["--now", NOW, "--clean", "--quiet"]
        env = {**os.environ, "TZ": MACHINE_TZ}
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def main() -> int:
    """Replace expected/ with a fresh build of the golden site."""
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "public"
        result = build_golden(output)
        if result.returncode != 0:
            print(result.stdout + result.stderr, file=sys.stderr, end="")
            print(f"The golden site did not build (exit {result.returncode}); expected/ is unchanged.", file=sys.stderr)
            return 1
        if EXPECTED.exists():
            shutil.rmtree(EXPECTED)
        shutil.copytree(output, EXPECTED)
    files = sum(1 for p in EXPECTED.rglob("*") if p.is_file())
    print(f"Rebuilt {EXPECTED.relative_to(ROOT)}/ ({files} files). Review the diff before committing it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
