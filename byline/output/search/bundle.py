"""Tidying a Pagefind bundle so that the same documents always give the same bytes.

Pagefind writes its filter values, and the list of filters in its metadata, in an order
that changes from run to run; a clean build must equal an incremental one, so those
files are rewritten in sorted order. Anything unexpected leaves the bundle as it is.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2

# Pagefind's data files: gzip of SIGNATURE + CBOR.
SIGNATURE = b"pagefind_dcd"
_META_FILTERS = 3  # the metadata is [version, pages, index chunks, filters, sorts, meta fields]


def canonicalise(bundle: Path) -> bool:
    """Rewrite the bundle's filter index in sorted order; False (and nothing changed) if its layout is unknown."""
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text("utf-8"))
        plans = [_plan_language(bundle, language, info) for language, info in entry["languages"].items()]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return False
    if any(plan is None for plan in plans):
        return False
    for language, plan in zip(entry["languages"], plans, strict=True):
        assert plan is not None
        entry["languages"][language]["hash"] = _apply(bundle, plan)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return True


def filters(bundle: Path) -> dict[str, list[Any]]:
    """Each filter's name and its values, as [value, page numbers], from the bundle's one language."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    [(language, info)] = entry["languages"].items()
    plan = _plan_language(bundle, language, info)
    if plan is None:
        raise ValueError(f"{bundle}: not a Pagefind bundle this reader knows")
    return {name: values for _, (name, values) in plan.filters}


@dataclass
class _Plan:
    """One language's metadata and filter files, decoded, with the files they came from."""

    language: str
    meta_path: Path
    meta: list[Any]
    filters: list[tuple[Path, list[Any]]]


def _plan_language(bundle: Path, language: str, info: dict[str, Any]) -> _Plan | None:
    meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
    meta = decode(meta_path.read_bytes())
    if not (isinstance(meta, list) and len(meta) == 6 and isinstance(meta[_META_FILTERS], list)):
        return None
    found = []
    for item in meta[_META_FILTERS]:
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
            return None
        path = bundle / "filter" / f"{item[1]}.pf_filter"
        index = decode(path.read_bytes())
        if not (isinstance(index, list) and len(index) == 2 and index[0] == item[0] and isinstance(index[1], list)):
            return None
        found.append((path, index))
    return _Plan(language, meta_path, meta, found)


def _apply(bundle: Path, plan: _Plan) -> str:
    """Write the sorted filter files and metadata under names from their content; return the metadata's hash."""
    names: list[list[str]] = []
    for path, (name, values) in plan.filters:
        data = cbor2.dumps([name, sorted(values, key=lambda value: value[0])])
        path.unlink()
        short = _short_hash(plan.language, data, 7)
        (bundle / "filter" / f"{short}.pf_filter").write_bytes(_file(data))
        names.append([name, short])
    plan.meta[_META_FILTERS] = sorted(names)
    data = cbor2.dumps(plan.meta)
    plan.meta_path.unlink()
    short = _short_hash(plan.language, data, len(plan.language) + 8)
    (bundle / f"pagefind.{short}.pf_meta").write_bytes(_file(data))
    return short


def _short_hash(language: str, data: bytes, length: int) -> str:
    """A name from the file's content, shaped as Pagefind's own: the language, then the start of a digest."""
    return f"{language}_{hashlib.sha256(data).hexdigest()[:length]}"


def decode(data: bytes) -> Any:
    """One Pagefind data file's value, checking that encoding it again gives back exactly its bytes."""
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise ValueError("not a Pagefind data file")
    try:
        value = cbor2.loads(raw[len(SIGNATURE) :])
        again = SIGNATURE + cbor2.dumps(value)
    except cbor2.CBORError as error:
        raise ValueError(f"not CBOR as Pagefind writes it: {error}") from None
    if again != raw:  # trailing bytes, or CBOR written otherwise (other lengths, indefinite arrays)
        raise ValueError("CBOR that this reader would not write back unchanged")
    return value


def encode(value: Any) -> bytes:
    """A Pagefind data file holding ``value``."""
    return _file(cbor2.dumps(value))


def _file(cbor: bytes) -> bytes:
    """gzip's header carries no time, so a file's bytes depend on its value alone."""
    return gzip.compress(SIGNATURE + cbor, mtime=0)
