"""byline.write and the build's output handling: staging, swap, and never harming the previous output."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from byline import __version__
from byline.errors import BuildFailed, UsageError
from byline.state import write
from byline.state.lock import output_lock
from byline.state.workspace import Records, Workspace
from byline.state.write import MARKER, Staging, WriteStats, check_output_folder
from tests.conftest import MakeSite
from tests.helpers import article, build_site, locked_by_another, snapshot, write_files

ARTICLE_PAGE = "articles/2026/03/01/quayside-tools-opens-a-depot/index.html"


def commit(staging: Staging) -> WriteStats:
    """Commit as a build does, journaled under the output's lock (with a cache of its own beside the output)."""
    workspace = Workspace(staging.output.parent / "site", staging.output)
    with output_lock(staging.output):
        workspace.held = True  # the output folders here are bare files, not builds: skip check_output_folder
        cache = workspace.cache()
        try:
            return workspace.commit(staging, cache, Records({}, None, []))
        finally:
            cache.close()


def leftovers(parent: Path) -> list[str]:
    parts = (".staging-", ".flat-", ".old-", ".trash-", ".journal", ".build-lock")
    return sorted(p.name for p in parent.iterdir() if any(part in p.name for part in parts))


def gone_soon(parent: Path, seconds: float = 20) -> bool:
    """True once nothing is left beside the output: a background deletion has finished."""
    deadline = time.monotonic() + seconds
    while leftovers(parent) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not leftovers(parent)


def test_staging_commit_creates_the_output(tmp_path: Path) -> None:
    output = tmp_path / "public"
    with Staging(output) as staging:
        assert staging.path.parent == tmp_path and staging.path.name.startswith(".public.staging-")
        staging.write("a/index.html", b"A")
        commit(staging)
    assert snapshot(output) == {"a/index.html": b"A"}
    assert leftovers(tmp_path) == []


def test_staging_commit_swaps_out_the_previous_output_whole(tmp_path: Path) -> None:
    output = write_files(tmp_path / "public", {"old.html": "old", "a/index.html": "old A"})
    with Staging(output) as staging:
        staging.write("a/index.html", b"new A")
        commit(staging)
    assert snapshot(output) == {"a/index.html": b"new A"}
    assert leftovers(tmp_path) == []


def test_staging_is_thrown_away_when_the_build_fails(tmp_path: Path) -> None:
    output = write_files(tmp_path / "public", {"index.html": "previous"})
    with pytest.raises(RuntimeError), Staging(output) as staging:
        staging.write("index.html", b"half-built")
        raise RuntimeError("render failed")
    assert snapshot(output) == {"index.html": b"previous"}
    assert leftovers(tmp_path) == []


def test_patching_renames_written_files_into_place_and_deletes_what_was_not_produced(tmp_path: Path) -> None:
    output = write_files(tmp_path / "public", {"a/index.html": "old A", "b/index.html": "B", "gone/index.html": "x"})
    with Staging(output, patch=True) as staging:
        staging.write("a/index.html", b"new A")
        staging.write("new/deep/index.html", b"N")  # a new page in folders the output lacks
        staging.expect(["b/index.html"])
        commit(staging)
    assert snapshot(output) == {"a/index.html": b"new A", "b/index.html": b"B", "new/deep/index.html": b"N"}
    assert leftovers(tmp_path) == []


def test_a_patch_of_a_listed_output_trusts_the_list_and_says_what_the_output_then_holds(tmp_path: Path) -> None:
    """The preview's builder lists the files of the folders it alone writes: the commit walks no folder."""
    files = {"a/index.html": "old A", "b/index.html": "B", "gone/index.html": "x", "deep/er/gone.html": "y"}
    output = write_files(tmp_path / "public", {**files, "not-listed.txt": "?"})
    with Staging(output, patch=True, listed=frozenset(files)) as staging:
        staging.write("a/index.html", b"new A")
        assert staging.reuse("b/index.html", output, 999)  # listed: its size is the one its commit recorded
        assert not staging.reuse("c/index.html", output, 1)
        staging.expect(["b/index.html"])
        commit(staging)
    assert snapshot(output) == {"a/index.html": b"new A", "b/index.html": b"B", "not-listed.txt": b"?"}
    assert staging.produced == {"a/index.html", "b/index.html"}
    assert leftovers(tmp_path) == []


def test_patching_stages_pages_without_making_a_folder_for_each(tmp_path: Path) -> None:
    output = write_files(tmp_path / "public", {"index.html": "old"})
    with Staging(output, patch=True) as staging:
        for n in range(50):
            staging.write(f"articles/{n}/index.html", b"page")
        assert [p for p in staging.path.rglob("*")] == []  # no folders made while rendering
        commit(staging)
    assert len(snapshot(output)) == 50
    assert leftovers(tmp_path) == []


def test_many_replaced_or_dropped_files_are_deleted_in_the_background_after_the_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Freeing the blocks of 10,000 replaced pages took seconds: the patched output does not wait for it."""
    monkeypatch.setattr(write, "DELETE_INLINE_MAX", 3)
    handed: list[str] = []
    background = write.delete_in_background
    monkeypatch.setattr(write, "delete_in_background", lambda folder: handed.append(folder.name) or background(folder))
    old = {f"p{n}/index.html": f"old {n}" for n in range(6)}
    output = write_files(tmp_path / "public", {**old, "gone/index.html": "gone"})
    readers = [(output / page).open("rb") for page in ("p0/index.html", "gone/index.html")]
    with Staging(output, patch=True) as staging:
        for n in range(6):
            staging.write(f"p{n}/index.html", f"new {n}".encode())
        commit(staging)
    assert snapshot(output) == {f"p{n}/index.html": f"new {n}".encode() for n in range(6)}
    assert [reader.read() for reader in readers] == [b"old 0", b"gone"]  # replaced, never rewritten in place
    assert len(handed) == 1 and handed[0].startswith(".public.trash-")
    for reader in readers:
        reader.close()
    assert gone_soon(tmp_path)


def test_a_small_patch_deletes_what_it_replaced_before_it_returns(tmp_path: Path) -> None:
    output = write_files(tmp_path / "public", {"a/index.html": "old", "b/index.html": "gone"})
    with Staging(output, patch=True) as staging:
        staging.write("a/index.html", b"new")
        commit(staging)
    assert snapshot(output) == {"a/index.html": b"new"} and leftovers(tmp_path) == []


def test_a_big_swapped_out_build_is_deleted_in_the_background(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write, "DELETE_INLINE_MAX", 3)
    output = write_files(tmp_path / "public", {f"old{n}.html": "old" for n in range(5)})
    with Staging(output) as staging:
        for n in range(4):
            staging.write(f"new{n}.html", b"new")
        commit(staging)
    assert snapshot(output) == {f"new{n}.html": b"new" for n in range(4)}
    assert gone_soon(tmp_path)


def test_a_deletion_cut_short_is_finished_by_the_next_build(tmp_path: Path) -> None:
    output = write_files(tmp_path / "public", {MARKER: "{}", "index.html": "x"})
    write_files(tmp_path / ".public.trash-1-0", {"0": "left by a build whose deletion was killed", "1": "y"})
    with Workspace(tmp_path / "site", output).locked():
        pass
    assert snapshot(output) == {MARKER: b"{}", "index.html": b"x"}
    assert gone_soon(tmp_path)


def test_a_patch_works_where_files_cannot_be_linked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise PermissionError("no hard links on this filesystem")

    monkeypatch.setattr(os, "link", refuse)
    output = write_files(tmp_path / "public", {"a/index.html": "old", "b/index.html": "gone"})
    with Staging(output, patch=True) as staging:
        staging.write("a/index.html", b"new")
        commit(staging)
    assert snapshot(output) == {"a/index.html": b"new"} and leftovers(tmp_path) == []


def test_a_patch_with_a_file_nobody_declared_fails_before_the_output_changes(tmp_path: Path) -> None:
    """Workers' writes are known to the commit only through rendered(); a missing declaration is a bug, never a loss."""
    output = write_files(tmp_path / "public", {"index.html": "previous"})
    with pytest.raises(RuntimeError, match="not declared"), Staging(output, patch=True) as staging:
        staging.write("index.html", b"new")
        (staging.flat / "0123").write_bytes(b"from a worker that was never declared")
        commit(staging)
    assert snapshot(output) == {"index.html": b"previous"}
    assert leftovers(tmp_path) == []


def test_a_workers_file_declared_rendered_is_committed_and_one_only_expected_is_not_looked_for(tmp_path: Path) -> None:
    """Only the paths declared rendered are looked for under flat names: the kept ones are not hashed at all."""
    output = write_files(tmp_path / "public", {"a/index.html": "old a", "b/index.html": "old b"})
    with Staging(output, patch=True) as staging:
        (staging.flat / write._flat_name("a/index.html")).write_bytes(b"new a")  # as a worker writes it
        staging.expect(["a/index.html", "b/index.html"])
        staging.rendered(["a/index.html"])
        commit(staging)
    assert snapshot(output) == {"a/index.html": b"new a", "b/index.html": b"old b"}
    with pytest.raises(RuntimeError, match="not declared"), Staging(output, patch=True) as staging:
        (staging.flat / write._flat_name("b/index.html")).write_bytes(b"new b")
        staging.expect(["a/index.html", "b/index.html"])  # kept, not rendered: a bug in the caller
        commit(staging)
    assert snapshot(output) == {"a/index.html": b"new a", "b/index.html": b"old b"}


def test_a_staging_folder_is_held_while_the_build_writes_and_let_go_after(tmp_path: Path) -> None:
    with Staging(tmp_path / "out") as staging:
        assert staging.writers_lock is not None and locked_by_another(staging.path)
    assert staging.writers_lock is None


# A killed build's writer: holds the staging folder as an inherited descriptor would, says so,
# and writes into it a moment later (making the folders it needs, as Pagefind does).
LATE_WRITER = """
import fcntl, os, sys, time
folder = sys.argv[1]
handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
fcntl.flock(handle, fcntl.LOCK_SH)
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
os.makedirs(os.path.join(folder, "pagefind", "2026"), exist_ok=True)
open(os.path.join(folder, "pagefind", "2026", "late.pf_index"), "w").close()
"""


def _late_writer(folder: Path, seconds: float) -> subprocess.Popen[str]:
    writer = subprocess.Popen(
        [sys.executable, "-c", LATE_WRITER, str(folder), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None and writer.stdout.readline() == "holding\n"
    return writer


def test_a_sweep_waits_for_a_killed_builds_writers_before_removing_its_staging_folder(tmp_path: Path) -> None:
    """A killed build's indexer wrote its last files after the next build's sweep: the folder came back."""
    output = tmp_path / "out"
    output.mkdir()
    staging = tmp_path / ".out.staging-4242"
    (staging / "articles").mkdir(parents=True)
    writer = _late_writer(staging, 0.4)
    write.sweep(output)
    assert writer.wait(timeout=30) == 0
    assert not staging.exists()


def test_a_sweep_waits_for_writers_for_a_while_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer that never ends (no parent-death signal outside Linux) cannot hold the next build for ever."""
    output = tmp_path / "out"
    output.mkdir()
    staging = tmp_path / ".out.staging-4243"
    staging.mkdir()
    monkeypatch.setattr(write, "WRITERS_WAIT_SECONDS", 0.3)
    writer = _late_writer(staging, 60)
    try:
        started = time.monotonic()
        write.sweep(output)
        assert 0.3 <= time.monotonic() - started < 10
        assert not staging.exists()
    finally:
        writer.kill()
        writer.wait()


def test_staging_refuses_to_write_outside_itself(tmp_path: Path) -> None:
    with Staging(tmp_path / "public") as staging, pytest.raises(ValueError, match="outside the output folder"):
        staging.write("../escape.html", b"x")
    assert not (tmp_path / "escape.html").exists()


@pytest.mark.parametrize("where", [".", "content", "content/articles", "templates", "static", ".."])
def test_output_folder_may_not_be_the_site_root_its_folders_or_an_ancestor(tmp_path: Path, where: str) -> None:
    root = write_files(tmp_path / "site", {"content/articles/a.md": "x", "templates/x.html": "", "static/x.css": ""})
    with pytest.raises(UsageError):
        check_output_folder(root, root / where)


def test_output_folder_inside_content_is_refused(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", {"content/articles/a.md": "x"})
    with pytest.raises(UsageError, match="is inside"):
        check_output_folder(root, root / "content" / "public")


def test_output_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", {"content/articles/a.md": "x", "public": "a file"})
    with pytest.raises(UsageError, match="is a file"):
        check_output_folder(root, root / "public")


def test_non_empty_folder_not_built_by_byline_is_refused(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", {"content/articles/a.md": "x"})
    output = write_files(tmp_path / "documents", {"thesis.docx": "precious"})
    with pytest.raises(UsageError, match="not empty and was not built by Byline"):
        check_output_folder(root, output)


def test_empty_folder_and_a_previous_build_are_accepted(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", {"content/articles/a.md": "x"})
    (tmp_path / "empty").mkdir()
    check_output_folder(root, tmp_path / "empty")
    check_output_folder(root, write_files(tmp_path / "built", {MARKER: "{}", "index.html": "x"}))
    check_output_folder(root, tmp_path / "not-yet")
    check_output_folder(root, root / "public")


def test_build_refuses_a_folder_it_did_not_make_and_leaves_it_alone(make_site: MakeSite, tmp_path: Path) -> None:
    output = write_files(tmp_path / "documents", {"thesis.docx": "precious"})
    with pytest.raises(UsageError):
        build_site(make_site(), output)
    assert snapshot(output) == {"thesis.docx": b"precious"}


def test_build_writes_the_marker(make_site: MakeSite) -> None:
    result = build_site(make_site())
    marker = json.loads((result.output / MARKER).read_text())
    assert marker == {"generator": f"Byline {__version__}", "site": "http://localhost:8000"}


def test_failed_build_leaves_previous_output_byte_for_byte(make_site: MakeSite) -> None:
    root = make_site()
    output = build_site(root).output
    before = snapshot(output)
    write_files(
        root, {"content/articles/quayside.md": article(author="nobody"), "content/articles/new.md": article("New")}
    )
    with pytest.raises(BuildFailed):
        build_site(root, output)
    assert snapshot(output) == before
    assert leftovers(output.parent) == []


def test_failure_while_rendering_leaves_previous_output_byte_for_byte(make_site: MakeSite) -> None:
    root = make_site()
    output = build_site(root).output
    before = snapshot(output)
    write_files(
        root, {"templates/article.html": "{{ article.nope.deeper }}", "content/articles/new.md": article("New")}
    )
    with pytest.raises(BuildFailed):
        build_site(root, output)
    assert snapshot(output) == before
    assert leftovers(output.parent) == []


def test_rebuild_removes_files_of_deleted_articles(make_site: MakeSite) -> None:
    root = make_site({"content/articles/other.md": article("Other story", "2026-02-01")})
    output = build_site(root).output
    assert (output / "articles/2026/02/01/other-story/index.html").is_file()
    (root / "content/articles/other.md").unlink()
    build_site(root, output)
    assert not (output / "articles/2026/02/01").exists()
    assert (output / ARTICLE_PAGE).is_file()


def test_a_rebuild_drops_strays_listing_only_the_folders_changed_since_the_last(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first build records every folder's listing; the next lists the folders its commit and the strays moved."""
    from byline.state import folders

    monkeypatch.setattr(folders, "RACY_NS", 0)  # the folders here changed a moment ago; see test_folders
    root = make_site({"content/articles/other.md": article("Other story", "2026-02-01")})
    output = build_site(root).output.resolve()
    listed: list[str] = []
    real = os.scandir
    monkeypatch.setattr(
        os, "scandir", lambda path: (str(path).startswith(f"{output}/") and listed.append(path)) or real(path)
    )
    unchanged, edited = f"{output}/{os.path.dirname(ARTICLE_PAGE)}", f"{output}/articles/2026/02/01/other-story"
    write_files(output, {"articles/2026/02/stray.html": "?", "old/copy/index.html": "?"})
    write_files(root, {"content/articles/other.md": article("Other story", "2026-02-01", body="Edited.")})
    build_site(root, output)
    assert not (output / "articles/2026/02/stray.html").exists() and not (output / "old").exists()
    assert f"{output}/articles/2026/02" in listed and unchanged not in listed
    listed.clear()  # the folders that commit moved a page into are listed again, and those it did not are not
    write_files(root, {"content/articles/other.md": article("Other story", "2026-02-01", body="Again.")})
    build_site(root, output)
    assert edited in listed and unchanged not in listed


def test_second_build_renders_nothing_and_changes_no_byte(make_site: MakeSite) -> None:
    root = make_site()
    first = build_site(root)
    before = snapshot(first.output)
    second = build_site(root, first.output)
    assert (second.rendered, second.parsed) == (0, 0)
    assert snapshot(first.output) == before


def test_one_edit_rerenders_only_the_pages_that_show_it(make_site: MakeSite) -> None:
    root = make_site({"content/articles/other.md": article("Other story", "2026-02-01", section="news")})
    first = build_site(root)
    write_files(
        root, {"content/articles/other.md": article("Other story", "2026-02-01", section="news", body="Edited.")}
    )
    second = build_site(root, first.output)
    assert second.parsed == 1
    assert 0 < second.rendered < first.rendered
    assert "Edited." in (first.output / "articles/2026/02/01/other-story/index.html").read_text()


def test_incremental_build_matches_a_clean_build(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/articles/other.md": article("Other story", "2026-02-01", tags="[Ports]")})
    incremental = build_site(root).output
    write_files(root, {"content/articles/quayside.md": article(tags="[Ports]", body="Changed.")})
    build_site(root, incremental)
    clean = build_site(root, tmp_path / "clean", clean=True).output
    assert snapshot(incremental) == snapshot(clean)


def test_cache_from_other_byline_code_is_not_used(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    from byline.state import cache

    root = make_site()
    first = build_site(root)
    second = build_site(root, first.output)
    assert (second.parsed, second.rendered) == (0, 0)
    # the generation names Byline's own source, so a cache written by other code is dropped
    sources = b"".join(p.read_bytes() for p in sorted(Path(cache.__file__).parents[1].rglob("*.py")))
    assert f"source={hashlib.sha256(sources).hexdigest()[:16]}|" in cache._GENERATION
    monkeypatch.setattr(cache, "_GENERATION", cache._GENERATION.replace("source=", "source=other-"))
    again = build_site(root, first.output)
    assert again.parsed == first.parsed == 2
    assert again.rendered == first.rendered
