"""Build the repository's sample site into a folder and find its pages by kind.

Shared by the publishing checks and the accessibility tests in tests/browser, each of
which builds its own copy (a session fixture cannot cross test folders without a root
conftest, and the build takes a few seconds).
"""

from __future__ import annotations

import io
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from byline.config import BuildOptions
from byline.pipeline import BuildResult, build
from tests.helpers import ROOT
from tests.publishing.dom import Element, parse

NOW = "2026-11-21 12:00"
CARRICK = "/articles/2026/07/15/carrick-vane-first-us-export-deal/"  # the article with a lead image
COBLE = "/articles/2026/09/03/coble-marine-expansion-plan/"  # the article with a correction and an update
NORTHGATE = (
    "/articles/2026/10/06/northgate-robotics-expands/"  # a member company's release by two of its people, with a video
)
COMPANY = "/companies/northgate-robotics/"  # the page of a company three people post for
# One URL of every page type the sample has, for checks that must see each kind.
PAGE_TYPES = {
    "front": "/",
    "front page 2": "/page/2/",
    "article": CARRICK,
    "article with correction": COBLE,
    "co-written article": NORTHGATE,
    "section": "/members-news/",
    "author": "/authors/simon-malia/",
    "author list": "/authors/",
    "company": COMPANY,
    "company list": "/companies/",
    "topic": "/topics/energy/",
    "topic list": "/topics/",
    "region": "/regions/north-east/",
    "region list": "/regions/",
    "archive": "/archive/",
    "archive year": "/archive/2026/",
    "archive month": "/archive/2026/09/",
    "search": "/search/",
    "standalone page": "/about/",
    "404": "/404.html",
}


@dataclass(frozen=True)
class SampleSite:
    """The sample site built into ``out``."""

    out: Path
    result: BuildResult
    base_url: str

    def path_of(self, url: str) -> Path:
        relative = url.removeprefix(self.base_url).lstrip("/")
        target = self.out / relative
        return target / "index.html" if url.endswith("/") else target

    def page(self, url: str) -> Element:
        return parse(self.path_of(url))

    def absolute(self, url: str) -> str:
        return url if "://" in url else self.base_url + url

    @property
    def article_urls(self) -> list[str]:
        return sorted(
            "/" + p.parent.relative_to(self.out).as_posix() + "/"
            for p in (self.out / "articles").rglob("index.html")
            if 'http-equiv="refresh"' not in p.read_text("utf-8")
        )

    @property
    def html_pages(self) -> list[Path]:
        return sorted(p for p in self.out.rglob("*.html") if 'http-equiv="refresh"' not in p.read_text("utf-8"))


def build_sample(out: Path, **changes: object) -> SampleSite:
    """Build the repository's sample site into ``out`` with the fixed clock, in this process."""
    now = datetime.strptime(NOW, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo("Europe/London"))
    options = BuildOptions(root=ROOT, output=out, now=now, jobs=1, quiet=True, **changes)  # type: ignore[arg-type]
    result = build(options)
    base_url = tomllib.loads((ROOT / "site.toml").read_text("utf-8"))["base_url"].rstrip("/")
    return SampleSite(out, result, base_url)


def picture(width: int, height: int, kind: str = "JPEG") -> bytes:
    """A real image of the given size, for fixture sites: pictures are measured, so they must exist."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (170, 120, 80)).save(buffer, kind)
    return buffer.getvalue()
