"""Build the sample site once per session for the standards checks.

The build goes to a temporary folder, never to the repository's public/, and uses a fixed
clock (`--now`) so the news sitemap's two-day window holds a known set of articles.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from .nu import NuChecker, nu_messages

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-21 12:00"


@dataclass(frozen=True)
class SampleBuild:
    """The sample site built into ``out`` with the clock set to ``now``."""

    out: Path
    base_url: str
    name: str
    language: str
    now: datetime

    def files(self, pattern: str = "*") -> list[Path]:
        return sorted(p for p in self.out.rglob(pattern) if p.is_file())

    @property
    def html_files(self) -> list[Path]:
        return self.files("*.html")

    @property
    def feeds(self) -> list[Path]:
        return self.files("feed.xml")

    def url_of(self, path: Path) -> str:
        """The absolute URL a built file is served at (folders end in /)."""
        relative = path.relative_to(self.out).as_posix()
        if relative == "index.html":
            relative = ""
        elif relative.endswith("/index.html"):
            relative = relative.removesuffix("index.html")
        return f"{self.base_url}/{relative}"

    def file_at(self, url: str) -> Path | None:
        """The built file an absolute or root-relative URL of this site resolves to, if any."""
        path = url.removeprefix(self.base_url).split("#", 1)[0].split("?", 1)[0]
        if not path.startswith("/"):
            return None
        target = self.out / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        return target if target.is_file() else None


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> SampleBuild:
    out = tmp_path_factory.mktemp("standards") / "public"
    command = [sys.executable, "build.py", "--root", str(ROOT), "--output", str(out), "--now", NOW, "--quiet"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"sample build failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    config = tomllib.loads((ROOT / "site.toml").read_text(encoding="utf-8"))
    zone = ZoneInfo(config.get("timezone", "Europe/London"))
    return SampleBuild(
        out=out,
        base_url=config["base_url"].rstrip("/"),
        name=config["name"],
        language=config.get("language", "en-GB"),
        now=datetime.strptime(NOW, "%Y-%m-%d %H:%M").replace(tzinfo=zone),
    )


@pytest.fixture(scope="session")
def nu_checker() -> NuChecker:
    """The Nu HTML Checker, run on files; it needs Java and npm's vnu.jar, so a test asking for it is marked ``nu``."""
    return nu_messages
