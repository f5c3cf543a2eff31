"""Full-text search: a Pagefind index of the published articles, made once per build.

Pagefind (PyPI ``pagefind[extended]``, whose binary ``python -m pagefind`` runs) indexes
one small document per published article, written from the article's view: headline,
standfirst and body, with filters for section, author, topic and region and a date to
sort by. Drafts, scheduled articles and index pages are never given to it. Indexing the
views rather than the rendered pages keeps a template edit from re-indexing the site,
and lets indexing run while pages render.

Indexing a large site takes tens of seconds, so the index is two Pagefind bundles that
the search page merges: ``recent`` (the articles of the newest year, where editors work)
and ``archive`` (all older ones). When a bundle's documents are exactly those the
previous build indexed (their digest is kept in it as ``byline-search.txt``), that
build's bundle is linked into the new output instead; so an edit or a new article
re-indexes the recent year only, and a template edit nothing. Pagefind's output depends
only on its input (see ``canonicalise``), so a reused bundle equals a fresh one.
``pagefind/shards.json`` names the bundles, newest first.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .errors import BuildFailed, ContentError

SEARCH_VERSION = "2"  # change when the documents or the way they are indexed change
BUNDLE = "pagefind"  # the output folder of the index; urls.RESERVED keeps pages out of it
KEY_FILE = "byline-search.txt"
MANIFEST = "shards.json"
SHARDS = ("recent", "archive")  # newest first: the search page lists "newest first" shard by shard
# Pagefind's own ready-made interfaces: the theme has its own, so these are dropped from the output.
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
)
# Footnote markers and back-links: digits and arrows that would only clutter result excerpts.
_FOOTNOTE_LINKS = re.compile(r'<a class="footnote-(?:ref|backref)"[^>]*>.*?</a>', re.S)


@dataclass(frozen=True)
class SearchDocument:
    """What Pagefind indexes for one article: its output path (which gives the result URL) and shard."""

    path: str
    year: int
    article: Mapping[str, Any]  # the article's view
    language: str
    shard: str = "recent"

    @cached_property
    def html(self) -> str:
        """The document as indexed; its shard is a filter, so it is part of the document."""
        return _document(self.article, self.language, self.shard)


@dataclass
class SearchResult:
    """What the search stage did, for the build's timing lines and for tests."""

    documents: int = 0
    shards: list[str] = field(default_factory=list)
    indexed: list[str] = field(default_factory=list)  # the shards Pagefind (re)built; the rest were reused
    seconds: float = 0.0
    files: int = 0

    @property
    def reused(self) -> bool:
        """True when no shard had to be indexed again."""
        return not self.indexed


def search_documents(outputs: Iterable[Any], language: str) -> list[SearchDocument]:
    """One document per published article page among ``outputs``; nothing else is searchable."""
    found = []
    for output in outputs:
        article = output.context.get("article") if output.kind == "article" else None
        if article is None or article["status"] != "published":
            continue
        year = int(article["date"]["iso"][:4])  # the year in the site's timezone, as in the URL
        found.append((output.path, year, article))
    newest = max((year for _, year, _ in found), default=0)
    return [
        SearchDocument(path, year, article, language, SHARDS[0] if year == newest else SHARDS[1])
        for path, year, article in found
    ]


def shards_of(documents: list[SearchDocument]) -> dict[str, list[SearchDocument]]:
    """The documents of each non-empty shard, newest shard first."""
    shards = {name: [d for d in documents if d.shard == name] for name in SHARDS}
    return {name: docs for name, docs in shards.items() if docs}


def _document(article: Mapping[str, Any], language: str, shard: str) -> str:
    """A minimal page: indexed text in <main>; filters, sort key and meta in an unindexed block."""
    e = html.escape
    filters = [("section", article["section"]["title"]), ("author", article["author"]["name"])]
    filters += [("topic", tag["name"]) for tag in article["tags"]]
    if article["region"]:
        filters.append(("region", article["region"]["name"]))
    filters.append(("shard", shard))  # lets the search page ask one shard at a time
    details = "".join(f'<span data-pagefind-filter="{k}">{e(v)}</span>' for k, v in filters)
    # Searchable too (Pagefind searches metadata): a search for "energy" finds articles on the topic.
    about = {"author": article["author"]["name"], "topics": ", ".join(t["name"] for t in article["tags"])}
    if article["region"]:
        about["region"] = article["region"]["name"]
    details += "".join(f'<span data-pagefind-meta="{k}">{e(v)}</span>' for k, v in about.items() if v)
    details += f'<span data-pagefind-meta="date">{e(article["date"]["display"])}</span>'
    details += f'<span data-pagefind-meta="iso">{e(article["date"]["iso"])}</span>'
    details += f'<span data-pagefind-sort="date">{article["date"]["epoch"]:012d}</span>'
    return (
        f'<!doctype html><html lang="{e(language)}"><head><meta charset="utf-8"><title>{e(article["title"])}</title>'
        f"</head><body><main><h1>{e(article['title'])}</h1><p>{e(article['summary'])}</p>\n"
        f"{_FOOTNOTE_LINKS.sub('', article['body_html'])}\n"
        f"</main><div data-pagefind-ignore>{details}</div></body></html>\n"
    )


def index_key(documents: list[SearchDocument]) -> str:
    """Everything the bundle depends on: the documents, Pagefind's version and this module's."""
    digest = hashlib.sha256(f"{SEARCH_VERSION}|pagefind={_pagefind_version()}".encode())
    for document in documents:
        digest.update(f"\0{document.path}\0{document.html}".encode())
    return digest.hexdigest()


def _pagefind_version() -> str:
    for name in ("pagefind-bin-extended", "pagefind-bin", "pagefind"):
        try:
            return f"{name}={version(name)}"
        except PackageNotFoundError:
            continue
    return "unknown"


@dataclass
class _Job:
    """One shard being indexed by its own Pagefind process."""

    shard: str
    key: str
    workdir: Path
    process: subprocess.Popen[bytes]


@dataclass
class SearchIndexer:
    """Index in the background while pages render: ``start()`` before rendering, ``finish()`` after.

    Writes ``<staging>/pagefind/``; ``previous`` is the last build's output (None for a
    clean build), whose shard bundles are reused when their keys match.
    """

    documents: list[SearchDocument]
    staging: Path
    previous: Path | None = None
    result: SearchResult = field(default_factory=SearchResult)
    _jobs: list[_Job] = field(default_factory=list)
    _started: float = 0.0

    def start(self) -> None:
        self._started = time.perf_counter()
        self.result.documents = len(self.documents)
        shards = shards_of(self.documents)
        self.result.shards = list(shards)
        if not shards:
            return  # Pagefind refuses an empty site; the search page says there is nothing to search
        bundle = self.staging / BUNDLE
        bundle.mkdir(parents=True)
        (bundle / MANIFEST).write_text(json.dumps({"shards": list(shards)}) + "\n")
        self.result.files = 1
        for shard, documents in shards.items():
            key = index_key(documents)
            if self.previous is not None and _read_key(self.previous / BUNDLE / shard) == key:
                self.result.files += _link_tree(self.previous / BUNDLE / shard, bundle / shard)
            else:
                self._jobs.append(_start_pagefind(shard, key, documents, bundle / shard))
                self.result.indexed.append(shard)

    def finish(self) -> SearchResult:
        """Wait for Pagefind, tidy its bundles and record their keys; raise BuildFailed if it failed."""
        try:
            for job in self._jobs:
                code = job.process.wait()
                if code != 0:
                    log = (job.workdir / "log").read_text("utf-8", errors="replace").strip()
                    detail = f": {log}" if log else ""
                    raise BuildFailed([ContentError(BUNDLE, 0, f"search index: Pagefind failed (exit {code}){detail}")])
                bundle = self.staging / BUNDLE / job.shard
                for name in UNUSED:
                    (bundle / name).unlink(missing_ok=True)
                if job.shard != SHARDS[0]:  # merged into the first shard's search, which runs the code
                    for path in [bundle / "pagefind.js", bundle / "pagefind-worker.js", *bundle.glob("wasm.*")]:
                        path.unlink(missing_ok=True)
                canonicalise(bundle)
                (bundle / KEY_FILE).write_text(job.key + "\n")
                self.result.files += sum(len(files) for _, _, files in os.walk(bundle))
        finally:
            self.close()
        self.result.seconds = time.perf_counter() - self._started
        return self.result

    def close(self) -> None:
        """Stop any Pagefind still running (a failed render) and remove the documents."""
        for job in self._jobs:
            if job.process.poll() is None:
                job.process.kill()
                job.process.wait()
            shutil.rmtree(job.workdir, ignore_errors=True)
        self._jobs = []


def _start_pagefind(shard: str, key: str, documents: list[SearchDocument], bundle: Path) -> _Job:
    """Start a process that writes the shard's documents as a small site and runs Pagefind on it.

    The documents go to it as one file: writing thousands of small files takes seconds, and
    the child does that while this process renders pages.
    """
    workdir = Path(tempfile.mkdtemp(prefix=f"byline-search-{shard}-"))
    with (workdir / "documents.jsonl").open("w", encoding="utf-8") as stream:
        for document in documents:
            stream.write(json.dumps([document.path, document.html], ensure_ascii=False) + "\n")
    command = [sys.executable, "-m", "byline.search", str(workdir), str(bundle)]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(_PACKAGE_HOME), os.environ.get("PYTHONPATH")])),
    }
    with (workdir / "log").open("wb") as log:  # a file, not a pipe: nobody reads while pages render
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=workdir, env=env)
    return _Job(shard, key, workdir, process)


_PACKAGE_HOME = Path(__file__).resolve().parents[1]  # so the child imports this very Byline


def index_documents(workdir: Path, bundle: Path) -> int:
    """In the child process: write ``workdir/documents.jsonl`` out as a site and index it with Pagefind."""
    site = workdir / "site"
    with (workdir / "documents.jsonl").open(encoding="utf-8") as stream:
        for line in stream:
            path, text = json.loads(line)
            target = site / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(bundle), "--quiet"]
    return subprocess.run(command, cwd=workdir).returncode


def _read_key(bundle: Path) -> str | None:
    try:
        return (bundle / KEY_FILE).read_text().strip()
    except OSError:
        return None


def _link_tree(source: Path, target: Path) -> int:
    """Hard-link every file of ``source`` into ``target`` (copy across file systems); return the count."""
    count = 0
    for dirpath, _, filenames in os.walk(source):
        folder = target / Path(dirpath).relative_to(source)
        folder.mkdir(parents=True, exist_ok=True)
        for name in filenames:
            try:
                os.link(Path(dirpath) / name, folder / name)
            except OSError:
                shutil.copy2(Path(dirpath) / name, folder / name)
            count += 1
    return count


# --- making Pagefind's output reproducible --------------------------------------------------
#
# Pagefind 1.5.2 writes each filter's values, and the list of filters in its metadata, in
# hash-map order, which changes from run to run: the same site indexed twice gives different
# bytes and file names (newer Pagefind sources sort them). A clean build must equal an
# incremental one, so the filter files and the metadata are rewritten in sorted order.
# Their format: gzip of b"pagefind_dcd" + CBOR. Anything unexpected leaves the bundle as it is.

_SIGNATURE = b"pagefind_dcd"
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


@dataclass
class _Plan:
    """One language's metadata and filter files, decoded, with the files they came from."""

    language: str
    meta_path: Path
    meta: list[Any]
    filters: list[tuple[Path, list[Any]]]


def _plan_language(bundle: Path, language: str, info: dict[str, Any]) -> _Plan | None:
    meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
    meta = _read(meta_path)
    if not (isinstance(meta, list) and len(meta) == 6 and isinstance(meta[_META_FILTERS], list)):
        return None
    filters = []
    for item in meta[_META_FILTERS]:
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
            return None
        path = bundle / "filter" / f"{item[1]}.pf_filter"
        index = _read(path)
        if not (isinstance(index, list) and len(index) == 2 and index[0] == item[0] and isinstance(index[1], list)):
            return None
        filters.append((path, index))
    return _Plan(language, meta_path, meta, filters)


def _apply(bundle: Path, plan: _Plan) -> str:
    """Write the sorted filter files and metadata under names from their content; return the metadata's hash."""
    names: list[list[str]] = []
    for path, (name, values) in plan.filters:
        data = _cbor_encode([name, sorted(values, key=lambda value: value[0])])
        path.unlink()
        short = _short_hash(plan.language, data, 7)
        _write(bundle / "filter" / f"{short}.pf_filter", data)
        names.append([name, short])
    plan.meta[_META_FILTERS] = sorted(names)
    data = _cbor_encode(plan.meta)
    plan.meta_path.unlink()
    short = _short_hash(plan.language, data, len(plan.language) + 8)
    _write(bundle / f"pagefind.{short}.pf_meta", data)
    return short


def _short_hash(language: str, data: bytes, length: int) -> str:
    return f"{language}_{hashlib.sha256(data).hexdigest()[:length]}"


def _read(path: Path) -> Any:
    """Decode one Pagefind file, checking that re-encoding gives back exactly its bytes."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise ValueError(f"{path.name}: not a Pagefind data file")
    value, end = _cbor_decode(raw, len(_SIGNATURE))
    if end != len(raw) or _SIGNATURE + _cbor_encode(value) != raw:
        raise ValueError(f"{path.name}: CBOR that this reader would not write back unchanged")
    return value


def _write(path: Path, value_bytes: bytes) -> None:
    path.write_bytes(gzip.compress(_SIGNATURE + value_bytes, mtime=0))


def _cbor_head(major: int, number: int) -> bytes:
    if number < 24:
        return bytes([major << 5 | number])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if number < 1 << (8 * size):
            return bytes([major << 5 | info]) + number.to_bytes(size, "big")
    raise ValueError("integer too large for CBOR")


def _cbor_encode(value: Any) -> bytes:
    """The subset of CBOR Pagefind's index uses: integers, text, byte strings and arrays."""
    if isinstance(value, bool) or value is None:
        raise ValueError("unexpected CBOR simple value")
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _cbor_head(3, len(data)) + data
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(v) for v in value)
    raise ValueError(f"unexpected value {type(value).__name__}")


def _cbor_decode(data: bytes, at: int) -> tuple[Any, int]:
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info < 24:
        number = info
    elif info <= 27:
        size = 1 << (info - 24)
        number = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise ValueError("indefinite lengths and floats are not expected")
    if major == 0:
        return number, at
    if major == 1:
        return -1 - number, at
    if major in (2, 3):
        chunk = data[at : at + number]
        return (chunk if major == 2 else chunk.decode("utf-8")), at + number
    if major == 4:
        items = []
        for _ in range(number):
            item, at = _cbor_decode(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"unexpected CBOR major type {major}")


if __name__ == "__main__":  # python -m byline.search WORKDIR BUNDLE: see _start_pagefind
    sys.exit(index_documents(Path(sys.argv[1]), Path(sys.argv[2])))
