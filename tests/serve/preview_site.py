"""A small copy of the sample site, and a preview server running on it, for the serve and browser tests.

Every test works on its own copy in tmp_path: never on the repository's content/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from byline.config import BuildOptions
from byline.preview.server import PreviewServer

SAMPLE = Path(__file__).resolve().parents[2]
ARTICLES = (
    "content/articles/2026/06/mersey-loop-appoints-coo.md",
    "content/articles/2026/06/north-east-business-confidence.md",
    "content/articles/2026/06/northgate-robotics-automation-centre.md",
)
ARTICLE = ARTICLES[0]
ARTICLE_URL = "/articles/2026/06/22/mersey-loop-logistics-appoints-new-chief-operating-officer/"
ARTICLE_TITLE = "Mersey Loop Logistics appoints new chief operating officer"
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def copy_site(dest: Path) -> Path:
    """Copy settings, theme, authors, companies, pages and three articles of the sample site into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(SAMPLE / "site.toml", dest / "site.toml")
    for folder in ("templates", "static", "content/authors", "content/companies", "content/pages"):
        shutil.copytree(SAMPLE / folder, dest / folder)
    for article in ARTICLES:
        (dest / article).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(SAMPLE / article, dest / article)
    return dest


def article_text(title: str, date: str = "2026-07-01 09:00", author: str = "simon-malia", extra: str = "") -> str:
    """A minimal valid article; ``extra`` adds front-matter lines such as 'draft: true'."""
    lines = f"---\ntitle: {title}\ndate: {date}\nauthor: {author}\n{extra}---\nFirst paragraph of {title}.\n"
    return lines


def options_for(root: Path) -> BuildOptions:
    """Serve options as the command line makes them, with one worker and a fixed clock."""
    return BuildOptions(root=root, output=root / "public", drafts=True, future=True, jobs=1, now=NOW)


@contextmanager
def running(root: Path, log: list[str] | None = None) -> Iterator[PreviewServer]:
    """A preview server on a free port, started, its first build done; stopped afterwards."""
    lines = log if log is not None else []
    server = PreviewServer(options_for(root), "127.0.0.1", 0, log=lines.append)
    try:
        server.start()
        assert server.preview.ready.wait(60), "the first build did not finish"
        yield server
    finally:
        server.stop()
