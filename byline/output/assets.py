"""Fingerprinted asset names: ``css/style.css`` is also written as ``css/style.3f2a1c9b7e.css``.

A name that changes with the content can be cached for a year, yet a new stylesheet is seen the moment it ships.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping
from pathlib import Path

FINGERPRINTED = (".css", ".js", ".mjs")  # what pages load on every visit; images are named by their editors
DIGEST_LENGTH = 10


def find_assets(static: Mapping[str, Path]) -> dict[str, str]:
    """Map each stylesheet and script among the static files to its fingerprinted name.

    ``static`` is ``theme.static_files``: each path under static/ and the file that wins
    for it. Keys and values are POSIX paths relative to static/.
    """
    return {
        relative: fingerprinted_name(relative, path.read_bytes())
        for relative, path in sorted(static.items())
        if path.suffix in FINGERPRINTED
    }


def fingerprinted_name(relative: str, data: bytes) -> str:
    """``css/style.css`` -> ``css/style.<digest>.css``: the digest of the content goes before the suffix."""
    stem, dot, suffix = relative.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH]
    return f"{stem}.{digest}.{suffix}" if dot else f"{relative}.{digest}"


def write_fingerprinted(assets: dict[str, str], static: Mapping[str, Path], static_output: Path) -> int:
    """Write each asset's fingerprinted copy, taken from the file ``static`` says wins for it.

    Copied from the source, not linked: an editor saving the stylesheet in place must
    not change a published file whose name promises its old content.
    """
    for original, fingerprinted in assets.items():
        target = static_output / fingerprinted
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.unlink()
        shutil.copyfile(static[original], target)
    return len(assets)
