"""Tidying a Pagefind bundle: its data files read and write back unchanged, and any filter order tidies to one.

The bundles of tests/golden/expected/ are real Pagefind output (its index files as
Pagefind wrote them; its metadata and filter files as ``canonicalise`` rewrote them).
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
from pathlib import Path

import pytest

from byline.output.search import bundle
from tests.helpers import snapshot

EXPECTED = Path(__file__).resolve().parents[1] / "golden/expected/pagefind"
SHARD = EXPECTED / "2026"  # several filters with several values each
DATA_FILES = sorted(p for p in EXPECTED.rglob("*") if p.suffix in {".pf_meta", ".pf_filter", ".pf_index"})


def test_the_golden_bundles_have_every_kind_of_data_file() -> None:
    assert {p.suffix for p in DATA_FILES} == {".pf_meta", ".pf_filter", ".pf_index"}


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(EXPECTED)))
def test_a_data_file_reads_and_writes_back_byte_for_byte(path: Path) -> None:
    data = path.read_bytes()
    again = bundle.encode(bundle.decode(data))
    assert gzip.decompress(again) == gzip.decompress(data)
    if path.suffix != ".pf_index":  # written by canonicalise, so compressed as it compresses too
        assert again == data


def test_a_tidy_bundle_is_left_as_it_is(tmp_path: Path) -> None:
    shutil.copytree(SHARD, tmp_path / "shard")
    assert bundle.canonicalise(tmp_path / "shard") is True
    assert snapshot(tmp_path / "shard") == snapshot(SHARD)


def test_filters_in_any_order_are_tidied_to_the_same_bytes(tmp_path: Path) -> None:
    """Pagefind lists filters and their values in hash-map order, which changes from run to run."""
    shard = tmp_path / "shard"
    shutil.copytree(SHARD, shard)
    _shuffle(shard, random.Random(19))
    assert snapshot(shard) != snapshot(SHARD)
    assert bundle.canonicalise(shard) is True
    assert snapshot(shard) == snapshot(SHARD)


def _shuffle(shard: Path, rng: random.Random) -> None:
    """Rewrite ``shard``'s filter files and metadata with their lists in another order, under other names."""
    entry = json.loads((shard / "pagefind-entry.json").read_text())
    [info] = entry["languages"].values()
    meta_path = shard / f"pagefind.{info['hash']}.pf_meta"
    meta = bundle.decode(meta_path.read_bytes())
    for number, item in enumerate(meta[3]):
        path = shard / f"filter/{item[1]}.pf_filter"
        name, values = bundle.decode(path.read_bytes())
        assert len(values) > 1 or name == "shard"
        rng.shuffle(values)
        path.unlink()
        item[1] = f"en-gb_shuffled{number}"
        (shard / f"filter/{item[1]}.pf_filter").write_bytes(bundle.encode([name, values]))
    meta[3].reverse()
    meta_path.unlink()
    info["hash"] = "en-gb_shuffled"
    (shard / "pagefind.en-gb_shuffled.pf_meta").write_bytes(bundle.encode(meta))
    (shard / "pagefind-entry.json").write_text(json.dumps(entry))


@pytest.mark.parametrize(
    "raw",
    [
        b"not_pagefind" + bytes([0x80]),  # another signature
        bundle.SIGNATURE + bytes([0x18, 0x05]),  # 5 in two bytes: CBOR that would not be written back so
        bundle.SIGNATURE + bytes([0x9F, 0x01, 0xFF]),  # an indefinite-length array
        bundle.SIGNATURE + bytes([0x80, 0x80]),  # a value, then more bytes
        bundle.SIGNATURE + bytes([0x82, 0x01]),  # an array cut short
    ],
)
def test_data_a_reader_would_not_write_back_unchanged_is_refused(raw: bytes) -> None:
    with pytest.raises(ValueError):
        bundle.decode(gzip.compress(raw))


def test_a_bundle_with_unexpected_data_is_left_as_it_is(tmp_path: Path) -> None:
    shard = tmp_path / "shard"
    shutil.copytree(SHARD, shard)
    [filter_file, *_] = sorted((shard / "filter").iterdir())
    filter_file.write_bytes(gzip.compress(bundle.SIGNATURE + bytes([0x9F, 0x01, 0xFF]), mtime=0))
    before = snapshot(shard)
    assert bundle.canonicalise(shard) is False
    assert snapshot(shard) == before


def test_filters_reads_each_filters_values() -> None:
    found = bundle.filters(SHARD)
    assert sorted(found) == ["author", "company", "region", "section", "shard", "topic"]
    assert [value for value, _ in found["shard"]] == ["2026"]
