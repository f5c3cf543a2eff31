"""Tell from file sizes and times alone that a rebuild would write exactly the same site.

A build whose inputs, options and clock match the last one's record does nothing; imports are
kept light, as this runs before the pipeline's libraries load.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import marshal
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from byline import __version__
from byline.config import BuildOptions
from byline.state.write import MARKER
from byline.theme import static_sources, template_dirs

MANIFEST_VERSION = 2
CONFIG_FILE = "site.toml"
_PACKAGE = Path(__file__).resolve().parents[1]  # all of byline/, not just this package


@dataclass(frozen=True)
class Record:
    """A successful build: what it read, until when it holds, and what to tell the editor."""

    inputs: str  # inputs_digest of what the build read
    marker: list[int]
    built_at: str
    valid_until: str | None
    summary: str
    messages: list[list[str]]  # [stream, text] pairs, as JSON keeps them


def scan_inputs(options: BuildOptions) -> dict[str, list[int]]:
    """Size and mtime of every file a build can read, Byline's code included."""
    root = options.root.resolve()
    found: dict[str, list[int]] = {}
    config = root / CONFIG_FILE
    if config.is_file():
        _record(found, "site", config)
    _walk(found, "content", root / "content")
    for index, folder in enumerate(template_dirs(root)):
        _walk(found, f"templates{index}", folder)
    for index, source in enumerate(static_sources(root)):
        _walk(found, f"static{index}", source.folder)
    _walk(found, "byline", _PACKAGE)
    return found


def is_current(path: Path, options: BuildOptions, now: datetime, inputs: dict[str, list[int]]) -> Record | None:
    """The last build's record (kept at ``path``) when nothing it depends on has changed since, else None.

    ``inputs`` is a ``scan_inputs`` just made, which the caller keeps for ``save`` rather than
    listing the files twice.
    """
    record = _read(path, options)
    if record is None:
        return None
    if not (datetime.fromisoformat(record.built_at) <= now):
        return None  # an earlier clock can un-publish scheduled articles
    if record.valid_until is not None and now >= datetime.fromisoformat(record.valid_until):
        return None
    if marker_stat(options.output) != record.marker:
        return None  # the output was replaced, removed or touched
    if inputs_digest(inputs) != record.inputs:
        return None
    return record


def inputs_digest(inputs: dict[str, list[int]]) -> str:
    """A scan as one digest, so the record is not a listing to read and compare (docs/design.md, "What it costs").

    marshal's version 2 has no back-references, so equal scans in the same order give equal bytes.
    """
    return hashlib.blake2b(marshal.dumps(inputs, 2), digest_size=16).hexdigest()


def save(
    path: Path,
    options: BuildOptions,
    inputs: dict[str, list[int]],
    now: datetime,
    valid_until: datetime | None,
    summary: str,
    messages: list[list[str]],
) -> None:
    """Record a successful build; ``inputs`` must be scanned before the build read them."""
    record = {
        "version": MANIFEST_VERSION,
        "key": _options_key(options),
        "inputs": inputs_digest(inputs),
        "marker": marker_stat(options.output),
        "built_at": now.isoformat(),
        "valid_until": valid_until.isoformat() if valid_until else None,
        "summary": summary,
        "messages": messages,
    }
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(record, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:  # no record only means the next build does the work
        with contextlib.suppress(OSError):
            temporary.unlink()


def forget(path: Path) -> None:
    """Drop the record: a commit is about to change the output it describes."""
    with contextlib.suppress(OSError):
        path.unlink()


def _read(path: Path, options: BuildOptions) -> Record | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != MANIFEST_VERSION or data.get("key") != _options_key(options):
            return None
        return Record(
            inputs=data["inputs"],
            marker=data["marker"],
            built_at=data["built_at"],
            valid_until=data["valid_until"],
            summary=data["summary"],
            messages=list(data["messages"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing, truncated or foreign: just build


def _options_key(options: BuildOptions) -> str:
    """Everything besides the files and the clock that changes what a build writes."""
    parts = [
        __version__,
        sys.version,
        str(options.root.resolve()),
        str(options.output.resolve()),
        str(options.drafts),
        str(options.future),
        str(options.base_url),
        _library_versions(),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@functools.cache
def _library_versions() -> str:
    """The libraries that change what a build writes, read once a process: it runs the ones it started with."""
    from importlib.metadata import PackageNotFoundError, version

    names = ("jinja2", "markdown", "nh3", "python-slugify", "pyyaml", "pillow", "pagefind", "tzdata")
    found = []
    for name in names:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=none")
    return ",".join(found)


def marker_stat(output: Path) -> list[int]:
    """The identity of an output's marker file, which every commit replaces: [] when there is none."""
    try:
        stat = (output / MARKER).stat()
    except OSError:
        return []
    return [stat.st_ino, stat.st_mtime_ns, stat.st_size]


def _record(found: dict[str, list[int]], key: str, path: Path) -> None:
    stat = path.stat()
    found[key] = [stat.st_size, stat.st_mtime_ns]


def _walk(found: dict[str, list[int]], prefix: str, folder: Path) -> None:
    """List a folder's files recursively (hidden names skipped, as the build skips them).

    Each file is looked at by its name within its open folder, so the system does not walk
    its whole path again (docs/design.md, "What it costs").
    """
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY) if _BY_HANDLE else None
    except OSError:
        return
    try:
        with os.scandir(folder if handle is None else handle) as listing:
            entries = list(listing)
    except OSError:
        entries = []
    try:
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name == "__pycache__":
                continue
            key = f"{prefix}/{name}"
            try:
                if entry.is_dir(follow_symlinks=False):
                    _walk(found, key, folder / name)
                else:
                    stat = os.stat(name, dir_fd=handle) if handle is not None else os.stat(folder / name)
                    found[key] = [stat.st_size, stat.st_mtime_ns]
            except OSError:
                found[key] = [-1, -1]  # unreadable now: differs from any real record
    finally:
        if handle is not None:
            os.close(handle)


_BY_HANDLE = os.stat in os.supports_dir_fd and os.scandir in os.supports_fd
