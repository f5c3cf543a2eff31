"""Fingerprinted asset names: ``css/style.css`` is also written as ``css/style.3f2a1c9b7e.css``.

A name that changes whenever the content does can be served with a cache lifetime of a
year: a reader's browser never asks again, yet sees a new stylesheet the moment it
ships. Templates get the fingerprinted URL through the site view (``site.assets``); the
original name is still copied as-is, as the contract promises for static/.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

FINGERPRINTED = (".css", ".js", ".mjs")  # what pages load on every visit; images are named by their editors
DIGEST_LENGTH = 10


def find_assets(static_dirs: Iterable[Path]) -> dict[str, str]:
    """Map each stylesheet and script under the static folders to its fingerprinted name.

    Later folders override earlier ones by relative path, exactly as the static copy does;
    keys and values are POSIX paths relative to static/.
    """
    chosen: dict[str, Path] = {}
    for folder in static_dirs:
        if not folder.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                path = Path(dirpath) / name
                if not name.startswith(".") and path.suffix in FINGERPRINTED:
                    chosen[path.relative_to(folder).as_posix()] = path
    return {relative: fingerprinted_name(relative, path.read_bytes()) for relative, path in sorted(chosen.items())}


def fingerprinted_name(relative: str, data: bytes) -> str:
    """``css/style.css`` -> ``css/style.<digest>.css``: the digest of the content goes before the suffix."""
    stem, dot, suffix = relative.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH]
    return f"{stem}.{digest}.{suffix}" if dot else f"{relative}.{digest}"


def write_fingerprinted(assets: dict[str, str], static_dirs: Iterable[Path], static_output: Path) -> int:
    """Write each asset's fingerprinted copy, taken from the static folder that wins for it.

    Copied from the source, not linked: an editor saving the stylesheet in place must
    not change a published file whose name promises its old content.
    """
    folders = [folder for folder in static_dirs if folder.is_dir()]
    for original, fingerprinted in assets.items():
        source = next(folder / original for folder in reversed(folders) if (folder / original).is_file())
        target = static_output / fingerprinted
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.unlink()
        shutil.copyfile(source, target)
    return len(assets)
