"""Full-text search: a Pagefind index of the published articles, made once per build.

Pagefind (PyPI ``pagefind[extended]``, whose binary ``python -m pagefind`` runs) indexes one small
document per published article, written from the article's view: headline, standfirst
and body, with filters for section, company, author, topic and region and a date to sort by.
Drafts, scheduled articles and index pages are never given to it. Indexing the views
rather than the rendered pages keeps a template edit from re-indexing the site, and lets
indexing run while pages render.

The index is one Pagefind bundle ("shard") per calendar year of the articles' dates (in
the site's timezone, as in their URLs), named by the year (``pagefind/2026/``), except
that the newest month is a shard of its own (``pagefind/2026-11/``), and a year of more
than ``SHARD_CAP`` articles is split into months (``pagefind/2026-03/``). The rule
depends on the content only, so a clean build and an incremental one make the same
shards. ``pagefind/shards.json`` names them, newest first; the search page merges them,
and only the first carries Pagefind's code. When a shard's documents are exactly those
the previous build indexed (their digest is kept in it as ``byline-search.txt``), that
build's bundle is kept (left in place when the build patches its output, linked into
a fresh one otherwise); so an edit re-indexes one year (or month), a new article or an
edit of a recent one the newest month, and a template edit nothing.

The shards to index are indexed by one background process, which writes each shard's
documents out, runs Pagefind on them, removes them and tidies the bundle itself:
memory is a few shards' worth, and rendering is not held up. It runs up to ``workers``
Pagefinds at once (a build's ``--jobs``): one Pagefind keeps about one and a half cores
busy, so one at a time left a core idle for the last half-minute of a cold 10,000-article
build. Pagefind's output depends only on its input (see ``canonicalise``), so a reused
bundle equals a fresh one, and shards indexed at once equal shards indexed in turn.

Its input includes the order in which the file system lists the documents' folders:
Pagefind numbers pages in the order it walks them. So the documents always go to the
temporary folder, never to memory (``/dev/shm``), though that was a third faster here:
tmpfs lists a folder in another order than ext4 does, and a build that chose by free
memory could index a shard differently from the build before it. (Another file system,
or ext4 made with another hash seed, numbers the pages differently too: the index is
the same from build to build on one machine, not from machine to machine; the golden
test reads those files back page-order-free, ``tests/golden/search_bundles.py``.)
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import gzip
import hashlib
import html
import inspect
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from byline.content.markup import Html
from byline.errors import BuildFailed, ContentError

SEARCH_VERSION = "4"  # change when the documents or the way they are indexed change
BUNDLE = "pagefind"  # the output folder of the index; urls.OWN_FOLDERS keeps pages out of it
KEY_FILE = "byline-search.txt"
MANIFEST = "shards.json"
SHARD_CAP = 2500  # a year with more articles than this is split into one shard per month
ENVIRONMENT_EXIT = 3  # the indexing process's status when an OSError (a full disk) stopped it
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
    article: Mapping[str, Any]  # the article's view
    language: str
    shard: str

    @cached_property
    def fields(self) -> tuple[Any, ...]:
        """What of the article the document shows: the document is made from these, the language and the shard."""
        return _fields(self.article)

    @property
    def html(self) -> str:
        """The document as indexed; its shard is a filter, so it is part of the document.

        Made each time it is asked for, never kept: it is written once, for Pagefind, and
        holding every document's HTML cost a cold 10,000-article build ~80 MB.
        """
        return _document(self.fields, self.language, self.shard)


@dataclass
class SearchResult:
    """What the search stage did, for the build's timing lines and for tests."""

    documents: int = 0
    shards: list[str] = field(default_factory=list)
    indexed: list[str] = field(default_factory=list)  # the shards Pagefind (re)built; the rest were reused
    kept: list[str] = field(default_factory=list)  # files of reused shards left in the output (in_place)
    seconds: float = 0.0
    files: int = 0

    @property
    def reused(self) -> bool:
        """True when no shard had to be indexed again."""
        return not self.indexed


def assign_shards(dates: list[str], cap: int = SHARD_CAP) -> list[str]:
    """The shard of each ISO date (``YYYY-MM-...``): its year, or its month when the year holds more than ``cap``.

    The newest month is always a shard of its own: it is where editors publish and
    correct, and re-indexing a month's articles takes a fraction of a year's (at 10,000
    articles, 0.3 s of Pagefind's time against 2.5 s). When a newer month begins, the
    last one joins its year, which is then indexed again, once.
    """
    per_year = Counter(date[:4] for date in dates)
    newest = max((date[:7] for date in dates), default="")
    return [date[:7] if date[:7] == newest or per_year[date[:4]] > cap else date[:4] for date in dates]


def search_documents(outputs: Iterable[Any], language: str) -> list[SearchDocument]:
    """One document per published article page among ``outputs``; nothing else is searchable."""
    found = []
    for output in outputs:
        article = output.context.get("article") if output.kind == "article" else None
        if article is None or article["status"] != "published":
            continue
        found.append((output.path, article))
    # The date in the site's timezone, as in the URL.
    shards = assign_shards([article["date"]["iso"] for _, article in found], SHARD_CAP)
    return [
        SearchDocument(path, article, language, shard) for (path, article), shard in zip(found, shards, strict=True)
    ]


def shards_of(documents: list[SearchDocument]) -> dict[str, list[SearchDocument]]:
    """The documents of each shard, newest shard first, each shard's in path order."""
    shards: dict[str, list[SearchDocument]] = {}
    for document in sorted(documents, key=lambda d: d.path):
        shards.setdefault(document.shard, []).append(document)
    return {name: shards[name] for name in sorted(shards, reverse=True)}


def _fields(article: Mapping[str, Any]) -> tuple[Any, ...]:
    """The parts of an article view a search document shows, and nothing else.

    Shards are keyed by these rather than by the whole view, which also holds related
    articles and the author's profile: a new article changes the related lists of
    articles in every year, and must not re-index every year.
    """
    region = article["region"]["name"] if article["region"] else None
    company = article["company"]["name"] if article["company"] else None
    date = article["date"]
    tags = tuple(tag["name"] for tag in article["tags"])
    return (
        article["title"],
        article["summary"],
        article["body_html"],
        article["section"]["title"],
        tuple(author["name"] for author in article["authors"]),
        company,
        tags,
        region,
        (date["display"], date["iso"], date["epoch"]),
    )


def _document(fields: tuple[Any, ...], language: str, shard: str) -> str:
    """A minimal page: indexed text in <main>; filters, sort key and meta in an unindexed block."""
    title, summary, body_html, section, authors, company, tags, region, (display, iso, epoch) = fields
    e = html.escape
    filters = [("section", section)]
    if company:
        filters.append(("company", company))
    filters += [("author", author) for author in authors]
    filters += [("topic", tag) for tag in tags]
    if region:
        filters.append(("region", region))
    filters.append(("shard", shard))  # lets the search page ask one shard at a time
    details = "".join(f'<span data-pagefind-filter="{k}">{e(v)}</span>' for k, v in filters)
    # Searchable too (Pagefind searches metadata): a search for "energy" finds articles on the topic.
    about = {"author": ", ".join(authors), "topics": ", ".join(tags)}
    if company:
        about["company"] = company
    if region:
        about["region"] = region
    details += "".join(f'<span data-pagefind-meta="{k}">{e(v)}</span>' for k, v in about.items() if v)
    details += f'<span data-pagefind-meta="date">{e(display)}</span>'
    details += f'<span data-pagefind-meta="iso">{e(iso)}</span>'
    details += f'<span data-pagefind-sort="date">{epoch:012d}</span>'
    return (
        f'<!doctype html><html lang="{e(language)}"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"</head><body><main><h1>{e(title)}</h1><p>{e(summary)}</p>\n"
        f"{_FOOTNOTE_LINKS.sub('', body_html)}\n"
        f"</main><div data-pagefind-ignore>{details}</div></body></html>\n"
    )


# The code that makes documents from their fields: a change to it re-indexes every shard.
_DOCUMENT_CODE = hashlib.sha256(f"{inspect.getsource(_document)}|{_FOOTNOTE_LINKS.pattern}".encode()).hexdigest()[:16]


def index_key(documents: list[SearchDocument], code: bool, digests: DocumentDigests | None = None) -> str:
    """Everything the bundle depends on: the documents, whether it carries the search code, the versions."""
    version = f"{SEARCH_VERSION}|{_DOCUMENT_CODE}|pagefind={_pagefind_version()}|code={code}"
    digest = hashlib.sha256(version.encode())
    of = (digests or DocumentDigests()).digest
    for document in documents:
        digest.update(of(document))
    return digest.hexdigest()


def _document_digest(document: SearchDocument) -> bytes:
    """A document's digest: it is made from its fields, language and shard alone."""
    title, summary, body_html, *rest = document.fields
    # The body (most of the bytes) is hashed as it is, after its length: repr() of 10,000
    # bodies took three times as long as hashing them. A view's body (``markup.Html``) brings
    # its own digest, worked out once for this and for the fingerprint of its page.
    body = f"$${body_html.digest}" if type(body_html) is Html else f"\0{body_html}"
    head = _dumps([document.path, document.language, document.shard, title, summary, rest, len(body_html)])
    return hashlib.sha256(f"{head}{body}".encode()).digest()


class DocumentDigests:
    """Each search document's digest, kept from one indexing to the next (the preview indexes after every save).

    Hashing every body again cost ~0.3 s at 10,000 articles, in the preview server's own
    process, beside the next rebuild. A document is looked up by everything it is made
    from; its body is the parsed model's string, whose hash Python keeps, so a lookup
    costs a tuple hash, not a pass over the text. ``keep_only`` forgets the rest. One
    indexing uses it at a time (``PreviewSearch`` runs them one after another).
    """

    def __init__(self) -> None:
        self._known: dict[tuple[Any, ...], bytes] = {}

    def digest(self, document: SearchDocument) -> bytes:
        key = _identity(document)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = _document_digest(document)
        return found

    def keep_only(self, documents: Iterable[SearchDocument]) -> None:
        if not self._known:  # a build's own memo, new and empty: nothing to forget, no identities to make
            return
        wanted = {_identity(d) for d in documents}
        self._known = {key: value for key, value in self._known.items() if key in wanted}


def _identity(document: SearchDocument) -> tuple[Any, ...]:
    return (document.path, document.language, document.shard, document.fields)


_dumps = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


@lru_cache(maxsize=1)
def _pagefind_version() -> str:
    """Asked for every shard's key: the installed distributions are looked through once."""
    for name in ("pagefind-bin-extended", "pagefind-bin", "pagefind"):
        try:
            return f"{name}={version(name)}"
        except PackageNotFoundError:
            continue
    return "unknown"


@dataclass
class SearchIndexer:
    """Index in the background while pages render: ``start()`` before rendering, ``finish()`` after.

    Writes ``<staging>/pagefind/``; ``previous`` is the last build's output (None for a
    clean build), whose shard bundles are reused when their keys match: linked into the
    staging folder, or, when ``in_place`` (the build patches ``previous`` rather than
    replacing it), left where they are and listed in ``result.kept`` for the writer.
    """

    documents: list[SearchDocument]
    staging: Path
    previous: Path | None = None
    in_place: bool = False
    digests: DocumentDigests = field(default_factory=DocumentDigests)  # pass one on to reuse digests
    result: SearchResult = field(default_factory=SearchResult)
    workers: int = 1  # Pagefinds run at once
    _process: subprocess.Popen[bytes] | None = None
    _workdir: Path | None = None
    _started: float = 0.0

    def start(self) -> None:
        self._started = time.perf_counter()
        self.result.documents = len(self.documents)
        shards = shards_of(self.documents)
        self.result.shards = list(shards)
        self.digests.keep_only(self.documents)  # what is no longer published is forgotten
        if not shards:
            return  # Pagefind refuses an empty site; the search page says there is nothing to search
        bundle = self.staging / BUNDLE
        bundle.mkdir(parents=True)
        (bundle / MANIFEST).write_text(json.dumps({"shards": list(shards)}) + "\n")
        self.result.files = 1
        jobs = []
        for position, (shard, documents) in enumerate(shards.items()):
            code = position == 0  # the first shard's code searches them all
            key = index_key(documents, code, self.digests)
            if self.previous is not None and _read_key(self.previous / BUNDLE / shard) == key:
                if self.in_place:
                    kept = _files_under(self.previous, f"{BUNDLE}/{shard}")
                    self.result.kept += kept
                    self.result.files += len(kept)
                else:
                    self.result.files += _link_tree(self.previous / BUNDLE / shard, bundle / shard)
            else:
                jobs.append((shard, key, code, documents))
                self.result.indexed.append(shard)
        if jobs:
            self._start_child(jobs)

    def _start_child(self, jobs: list[tuple[str, str, bool, list[SearchDocument]]]) -> None:
        """Start the process that indexes ``jobs``, up to ``workers`` at once.

        The documents go to it as one file per shard: the child reads them while this
        process renders pages.
        """
        self._workdir = workdir = Path(tempfile.mkdtemp(prefix="byline-search-"))
        plan = []
        for number, (shard, key, code, documents) in enumerate(jobs):
            source = workdir / f"{number}.jsonl"
            with source.open("w", encoding="utf-8") as stream:
                for document in documents:
                    stream.write(json.dumps([document.path, document.html], ensure_ascii=False) + "\n")
            bundle = self.staging / BUNDLE / shard
            plan.append({"shard": shard, "key": key, "code": code, "source": str(source), "bundle": str(bundle)})
        workers = max(1, min(self.workers, len(jobs)))
        (workdir / "plan.json").write_text(json.dumps({"workers": workers, "jobs": plan}))
        command = [sys.executable, "-m", "byline.output.search", str(workdir), str(os.getpid())]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(_PACKAGE_HOME), os.environ.get("PYTHONPATH")])),
        }
        with (workdir / "log").open("wb") as log:  # a file, not a pipe: nobody reads while pages render
            # A process group of its own, so close() stops Pagefind too: killing the child alone
            # left Pagefind writing into a preview folder that had just been removed.
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, cwd=workdir, env=env, start_new_session=True
            )

    def finish(self) -> SearchResult:
        """Wait for the indexing process and count its files; raise BuildFailed if it failed."""
        process, workdir = self._process, self._workdir  # close() may clear them from another thread
        try:
            if process is not None and workdir is not None:
                code = process.wait()
                if code == ENVIRONMENT_EXIT:  # a full disk, a read-only folder: the build says so in one line
                    raise _child_os_error(workdir / "log")
                if code != 0:
                    log = (workdir / "log").read_text("utf-8", errors="replace").strip()
                    detail = f": {log}" if log else ""
                    raise BuildFailed([ContentError(BUNDLE, 0, f"search index: Pagefind failed (exit {code}){detail}")])
                self.result.files += int((workdir / "files").read_text())
        finally:
            self.close()
        self.result.seconds = time.perf_counter() - self._started
        return self.result

    def close(self) -> None:
        """Stop the indexing process if it still runs (a failed render) and remove its documents.

        Two threads may close at once (the preview's indexing thread as it finishes, and
        the server as it stops): each works on what it took, never on a field the other
        has just cleared.
        """
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            # The whole group, Pagefind included. Not yet waited for, the child holds its id,
            # so the group cannot be somebody else's.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        workdir, self._workdir = self._workdir, None
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


_PACKAGE_HOME = Path(__file__).resolve().parents[2]  # the folder holding byline/: the child imports this very Byline


# --- in the child process: python -m byline.search WORKDIR PARENT ---------------------------


def end_with_parent(parent: int, workdir: Path) -> None:
    """Stop indexing, Pagefind included, when the build that started this process ends without closing it.

    A build killed outright (SIGKILL) cannot stop its indexer: left running, it went on
    writing into the staging folder the next build had removed, and left its documents
    in the temporary folder. Linux tells this process of its parent's end (``prctl``);
    it then stops its whole process group. Elsewhere the indexer finishes its shards.
    """

    def stop(*_: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.killpg(0, signal.SIGTERM)  # Pagefind, started by this process, is in its group
        shutil.rmtree(workdir, ignore_errors=True)
        os._exit(1)

    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it ended before this process asked to be told
        stop()


_PR_SET_PDEATHSIG = 1


def index_shards(workdir: Path) -> int:
    """Index the shards of ``workdir/plan.json``, several at once, and tidy their bundles; write the file count."""
    plan = json.loads((workdir / "plan.json").read_text())
    with ThreadPoolExecutor(plan["workers"]) as pool:  # newest shard first: they start in plan order
        started = [pool.submit(_index_shard, job, workdir / f"scratch-{n}") for n, job in enumerate(plan["jobs"])]
        try:
            files = sum(future.result() for future in started)
        except BaseException:
            pool.shutdown(cancel_futures=True)  # one failure fails the index: start no more
            raise
    (workdir / "files").write_text(f"{files}\n")
    return 0


def _index_shard(job: dict[str, Any], scratch: Path) -> int:
    """Index one shard into its bundle and tidy it; return the bundle's file count."""
    bundle = Path(job["bundle"])
    scratch.mkdir()
    with open(job["source"], encoding="utf-8") as stream:
        _pagefind(stream, bundle, scratch)
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
    if not job["code"]:  # merged into the first shard's search, which runs the code
        for path in [bundle / "pagefind.js", bundle / "pagefind-worker.js", *bundle.glob("wasm.*")]:
            path.unlink(missing_ok=True)
    canonicalise(bundle)
    (bundle / KEY_FILE).write_text(job["key"] + "\n")
    return sum(len(names) for _, _, names in os.walk(bundle))


def _pagefind(documents: Iterable[str], bundle: Path, scratch: Path) -> None:
    """Index ``documents`` (JSON lines of [path, html]) into ``bundle``: written out under ``scratch`` as a small site.

    Pagefind's CLI indexes on several threads and has written everything when it exits. Its
    service (the ``pagefind`` Python API, no files) was slower here (one document at a
    time: 4.8 s against 3.7 s for a year of 666 articles, writing and removing the files
    included), and it exits the moment its input ends, which once left a bundle half
    written. The files are removed here, in the background, so the build never waits.
    """
    site = scratch / "site"
    for line in documents:
        path, text = json.loads(line)
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(bundle), "--quiet"]
    try:
        code = subprocess.run(command, cwd=scratch).returncode
    finally:
        shutil.rmtree(site, ignore_errors=True)
    if code != 0:
        raise PagefindError(f"Pagefind failed on {bundle.name} (exit {code})")


class PagefindError(Exception):
    """Pagefind failed."""


def _read_key(bundle: Path) -> str | None:
    try:
        return (bundle / KEY_FILE).read_text().strip()
    except OSError:
        return None


def _files_under(root: Path, folder: str) -> list[str]:
    """The files under ``root/folder``, as paths relative to ``root``."""
    found = []
    for dirpath, _, filenames in os.walk(root / folder):
        prefix = Path(dirpath).relative_to(root).as_posix()
        found += [f"{prefix}/{name}" for name in filenames]
    return found


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


def _child_os_error(log: Path) -> OSError:
    """The OSError the indexing process stopped on, from the last line of its log."""
    try:
        number, message, filename = json.loads(log.read_text("utf-8").strip().splitlines()[-1])
        return OSError(int(number), str(message), filename)
    except (OSError, ValueError, TypeError, IndexError):
        return OSError(errno.EIO, "the search indexer could not write its files")


if __name__ == "__main__":  # python -m byline.search WORKDIR PARENT: see SearchIndexer._start_child
    end_with_parent(int(sys.argv[2]), Path(sys.argv[1]))
    try:
        sys.exit(index_shards(Path(sys.argv[1])))
    except PagefindError as error:
        sys.exit(str(error))
    except OSError as error:
        print(json.dumps([error.errno, error.strerror, error.filename]), file=sys.stderr)
        sys.exit(ENVIRONMENT_EXIT)
