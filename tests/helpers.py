"""Shared helpers for Byline's tests: tiny inline fixture sites and ways to build them.

Fixture sites are written from a dict of ``{relative path: text}`` (MkDocs'
``tempdir(files=...)`` style) into a temporary folder; builds go to temporary folders
too, never to the repository's own ``public/``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from byline.config import BuildOptions, SiteConfig, load_config
from byline.content.load import LoadRules, Model, load_source
from byline.content.sources import Kind, SourceFile
from byline.errors import ContentError
from byline.pipeline import BuildResult, Checked, build, check

ROOT = Path(__file__).resolve().parents[1]
LONDON = ZoneInfo("Europe/London")
NOW_TEXT = "2026-03-02 12:00"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=LONDON)
RULES = LoadRules(LONDON, frozenset({"members-news", "news"}), "members-news")

AUTHOR_PATH = "content/authors/simon-malia.md"
AUTHOR = """\
---
name: Simon Malia
role: Reporter
---
Simon covers ports and shipping.
"""


def article(
    title: str = "Quayside Tools opens a depot",
    date: str = "2026-03-01 09:00",
    author: str = "simon-malia",
    body: str = "Quayside Tools has opened a depot.",
    **keys: str,
) -> str:
    """Article text with the required keys and any others, as ``key: value`` lines."""
    lines = ["---", f"title: {title}", f"date: {date}", f"author: {author}"]
    lines += [f"{key}: {value}" for key, value in keys.items()]
    lines += ["---", body, ""]
    return "\n".join(lines)


def write_files(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text or bytes) under ``root``; return ``root``."""
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def options(root: Path, output: Path | None = None, **changes: object) -> BuildOptions:
    """Build options for a test: fixed clock, one process, quiet; output beside the root."""
    base = BuildOptions(
        root=root,
        output=output or root.parent / f"{root.name}-public",
        now=NOW,
        jobs=1,
        quiet=True,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def build_site(root: Path, output: Path | None = None, **changes: object) -> BuildResult:
    """Build in-process with ``byline.pipeline.build``."""
    return build(options(root, output, **changes))


def check_site(root: Path, **changes: object) -> Checked:
    """Load and model in-process (the ``check`` command); writes no output."""
    return check(options(root, **changes))


def messages(problems: list[ContentError]) -> list[str]:
    """Problems as the CLI prints them."""
    return [p.format() for p in problems]


def run_cli(*args: str | Path, cwd: Path = ROOT, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``python build.py ARGS`` as a user would, from ``cwd`` (the repository by default)."""
    command = [sys.executable, str(ROOT / "build.py"), *(str(a) for a in args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def load_text(
    text: str | bytes, kind: Kind = "article", path: str | None = None, rules: LoadRules = RULES
) -> tuple[Model | None, list[ContentError]]:
    """Load one file's text as ``kind`` without touching the disk."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if path is None:
        path = {
            "article": "content/articles/a.md",
            "author": AUTHOR_PATH,
            "company": "content/companies/bt-group.md",
            "page": "content/pages/about.md",
        }[kind]
    return load_source(SourceFile(path, kind, data, hashlib.sha256(data).hexdigest()), rules)


def config_from(root: Path, toml: str) -> tuple[SiteConfig, list[str]]:
    """Load a site.toml text; return the config and its problems as messages."""
    write_files(root, {"site.toml": toml})
    config, problems = load_config(root)
    return config, messages(problems)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes, keyed by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# An article whose member text reaches for the theme's element ids every way it can: headings
# named like the theme's sections, attr_list ids, raw HTML ids (one hidden behind a quoting
# trick), footnotes, and two author bios and a company's About text with ids of their own (the same
# ones). Used by the standards and browser tests.
MEMBER_IDS_PAGE = "articles/2026/03/01/quayside-tools-opens-a-depot/index.html"
MEMBER_IDS_BODY = """\
# Main

Quayside Tools has opened a depot.[^1]

## Corrections

## Related articles

## Author

## Skip {#main}

## Our own box {#byline--corrections}

<h2 id="byline--main">Raw heading</h2>

<ol><li value="1" id="byline--author-heading">A list item</li></ol>

See [the skip heading](#main), [our box](#byline--corrections) and [the depot](#main_1).

[^1]: Unaudited figures.
"""
MEMBER_IDS_FILES = {
    AUTHOR_PATH: "---\nname: Simon Malia\n---\nSimon covers ports.[^1]\n\n## Main\n\n[^1]: Since 2020.\n",
    # A co-author whose bio has the very same ids, and a company whose About text has them too.
    "content/authors/ruth-calloway.md": "---\nname: Ruth Calloway\n---\nRuth edits.[^1]\n\n## Main\n\n[^1]: Since 2019.\n",
    "content/companies/quayside-tools.md": (
        "---\nname: Quayside Tools\n---\nQuayside Tools makes tools.[^1]\n\n## Main\n\n"
        "## Company heading {#byline--company-heading}\n\n[^1]: Founded in 1990.\n"
    ),
    "content/articles/quayside.md": article(
        author="[simon-malia, ruth-calloway]",
        body=MEMBER_IDS_BODY,
        tags="[Ports]",
        corrections="[{date: 2026-03-02, note: An earlier version gave the wrong size.}]",
        company="quayside-tools",
    ),
    "content/articles/crane.md": article("Harbour crane arrives", "2026-02-20 09:00", tags="[Ports]"),
}


class Hung(Exception):
    """Raised by ``deadline`` in a test that waited too long."""


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail, rather than hang the suite, when code waits for ever (a FIFO opened for reading waits for a writer)."""

    def expire(*_: object) -> None:
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def locked_by_another(folder: Path) -> bool:
    """Whether some open description of ``folder`` holds a lock that an exclusive one would wait for."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(handle)
