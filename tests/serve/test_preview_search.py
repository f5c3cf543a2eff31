"""The preview's search index: made beside the served build after each good build, never holding up a reload."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from byline.output.search.documents import SearchDocument
from byline.preview.routes import is_search_path, respond
from byline.preview.search import NICENESS, PreviewSearch
from byline.preview.server import PreviewServer
from byline.preview.state import State
from tests.helpers import AUTHOR, AUTHOR_PATH, article, build_site, write_files

from .preview_site import ARTICLE, copy_site, running
from .test_server import after_build, fetch

WAIT = 60.0


def documents(tmp_path: Path, *titles: str) -> list[SearchDocument]:
    """The search documents a preview build of a site with these articles hands over."""
    files = {AUTHOR_PATH: AUTHOR}
    files.update(
        {f"content/articles/a{n}.md": article(title, f"2026-02-0{n + 1} 09:00") for n, title in enumerate(titles)}
    )
    root = write_files(tmp_path / f"site-{len(titles)}", files)
    result = build_site(root, tmp_path / f"out-{len(titles)}", search_index=False)
    assert not (result.output / "pagefind").exists()
    assert len(result.search_documents) == len(titles)
    return result.search_documents


@pytest.fixture
def search(tmp_path: Path) -> Iterator[PreviewSearch]:
    indexes = PreviewSearch(tmp_path / "search", log=lambda line: None)
    yield indexes
    indexes.close()


def shards_in(folder: Path) -> list[str]:
    return json.loads((folder / "pagefind" / "shards.json").read_text())["shards"]


def test_nothing_submitted_means_no_folder_and_no_wait(search: PreviewSearch) -> None:
    assert search.folder(timeout=WAIT) is None


def test_a_submission_is_indexed_in_a_new_folder_and_the_last_one_is_removed(
    search: PreviewSearch, tmp_path: Path
) -> None:
    search.submit(documents(tmp_path, "Harbour crane arrives"))
    first = search.folder(timeout=WAIT)
    assert first is not None and shards_in(first)
    assert list((first / "pagefind").rglob("*.pf_fragment"))
    search.submit(documents(tmp_path, "Harbour crane arrives", "Depot opens"))
    second = search.folder(timeout=WAIT)
    assert second is not None and second != first and first.exists()  # a request may still be reading it
    assert len(list((second / "pagefind").rglob("*.pf_fragment"))) == 2
    search.submit(documents(tmp_path, "Harbour crane arrives", "Depot opens", "Ferry ordered"))
    third = search.folder(timeout=WAIT)
    assert third is not None and third not in (first, second) and second.exists()
    search.close()  # waits for the indexer's thread, which removes the folder two runs old just after a run
    assert not first.exists() and second.exists() and third.exists()


def test_the_folder_waits_for_the_newest_submission(search: PreviewSearch, tmp_path: Path) -> None:
    made = [documents(tmp_path, *(f"Story number {n}" for n in range(count))) for count in range(1, 4)]
    for docs in made:  # submitted faster than they can be indexed: the last one wins
        search.submit(docs)
    folder = search.folder(timeout=WAIT)
    assert folder is not None
    assert len(list((folder / "pagefind").rglob("*.pf_fragment"))) == 3


def test_only_requests_under_pagefind_are_search_requests() -> None:
    assert is_search_path("/pagefind/shards.json")
    assert is_search_path("/news/pagefind/x.js", "/news")
    assert is_search_path("/%70agefind/x.js")  # decoded, as resolve() decodes it
    assert not is_search_path("/search/")
    assert not is_search_path("/pagefind")
    assert not is_search_path("/pagefind/x.js", "/news")


def test_search_files_come_from_the_search_folder_and_the_rest_from_the_build(tmp_path: Path) -> None:
    build, index = tmp_path / "build", tmp_path / "index"
    (build / "pagefind").mkdir(parents=True)
    (build / "pagefind" / "stale.json").write_text("{}")
    (build / "index.html").write_text("<!doctype html><title>Front</title>")
    (build / "404.html").write_text("<!doctype html><title>Not here</title>")
    (index / "pagefind").mkdir(parents=True)
    (index / "pagefind" / "shards.json").write_text('{"shards": ["2026"]}')
    state = State(token="t.1", folder=build)
    assert respond(state, build, "/pagefind/shards.json", search=index).file == index / "pagefind" / "shards.json"
    missing = respond(state, build, "/pagefind/stale.json", search=index)
    assert missing.status == 404 and b"Not here" in missing.body  # the site's own 404 page
    assert respond(state, build, "/", search=index).body.count(b"Front") == 1
    assert respond(state, build, "/pagefind/stale.json").file == build / "pagefind" / "stale.json"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PreviewServer]:
    with running(copy_site(tmp_path / "site")) as server:
        yield server


def test_the_preview_build_has_no_index_and_the_server_serves_one_made_apart(server: PreviewServer) -> None:
    folder = server.preview.state.folder
    assert folder is not None and (folder / "search" / "index.html").is_file()
    assert not (folder / "pagefind").exists()  # never on the way from a save to the reload
    status, headers, body = fetch(server, "/pagefind/shards.json")
    assert status == 200 and json.loads(body)["shards"]
    assert headers["Cache-Control"] == "no-store"
    first_shard = json.loads(body)["shards"][0]
    assert fetch(server, f"/pagefind/{first_shard}/pagefind.js")[0] == 200


def test_an_edit_reaches_the_preview_search(server: PreviewServer) -> None:
    site = server.root
    path = site / ARTICLE
    state: State = after_build(server, lambda: path.write_text(path.read_text() + "\nQuokkasaurus.\n"))
    assert state.ok
    folder = server.search.folder(timeout=WAIT)  # what a /pagefind/ request waits for
    assert folder is not None
    texts = [gzip.decompress(p.read_bytes()) for p in (folder / "pagefind").rglob("*.pf_fragment")]
    assert texts and any(b"Quokkasaurus" in text for text in texts)


def test_indexing_runs_below_the_server_in_priority(search: PreviewSearch, tmp_path: Path) -> None:
    """Only the search thread (and the Pagefind it starts) gives way; the builds and requests keep theirs."""
    before = os.nice(0)
    search.submit(documents(tmp_path, "Harbour crane arrives"))
    assert search.folder(timeout=WAIT) is not None
    assert os.nice(0) == before
    assert search._thread is not None
    niceness = int(Path(f"/proc/self/task/{search._thread.native_id}/stat").read_text().rsplit(")", 1)[1].split()[16])
    assert niceness == min(19, before + NICENESS)
