"""Issue 16: output you can trust after any failure. Each test reproduces one defect of the review.

Builds run in this process (``main``), each with its own site and output folders.
Faults are injected at the build's named points (``byline.faults``) or, for a full
disk, where a file is written.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from byline import faults
from byline.cli.main import main
from byline.output.search import indexer as search_indexer
from byline.state import workspace as workspace_module
from byline.state.lock import BuildLocked
from byline.state.workspace import Workspace
from byline.state.write import Staging
from tests.conftest import MakeSite
from tests.helpers import AUTHOR, NOW_TEXT, ROOT, article, snapshot, write_files
from tests.publishing.sample import picture

SITE = {
    "site.toml": 'name = "Harbour Times"\nbase_url = "https://news.example"\n',
    "content/authors/alice.md": AUTHOR.replace("Simon Malia", "Alice Moss"),
    "content/articles/2026/01/hello.md": article("Hello world", "2026-01-05", author="alice"),
}
NOW = "2026-02-01T10:00"
LONG_SEGMENT = "a" * 256  # over the 255 bytes a file name may have
LONG_PATH = "/".join(["b" * 200] * 21)  # over the 4,096 bytes a path may have
MORE = "content/articles/2026/01/more.md"


def run(capsys: pytest.CaptureFixture[str], root: Path, output: Path, *extra: str) -> tuple[int, str, str]:
    status = main(["--root", str(root), "--output", str(output), "--now", NOW, "--jobs", "1", *extra])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def clean_build(capsys: pytest.CaptureFixture[str], root: Path, folder: Path) -> dict[str, bytes]:
    assert run(capsys, root, folder, "--clean", "-q")[0] == 0
    return snapshot(folder)


@pytest.fixture
def built(make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """The small site, built once into ``tmp_path/public``: (site root, output)."""
    root, output = make_site(SITE, with_author=False, with_article=False), tmp_path / "public"
    assert run(capsys, root, output, "-q")[0] == 0
    return root, output


def add_article(root: Path) -> None:
    write_files(root, {MORE: article("More news", "2026-01-07", author="alice")})


def leftovers(output: Path) -> list[str]:
    return sorted(p.name for p in output.parent.iterdir() if p.name.startswith(f".{output.name}."))


@pytest.mark.parametrize(
    "aliases",
    [
        '["/_redirects/"]',
        '["/x.html", "/x.html/"]',
        '["/.well-known/byline.json/"]',
        '["/articles/2026/01/05/hello-world/index.html/"]',
        f'["/{LONG_SEGMENT}/"]',
        f'["/{LONG_PATH}/"]',
    ],
)
def test_a_withdrawn_article_that_failed_to_publish_is_gone_once_deleted(
    built: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], aliases: str
) -> None:
    """Defect 1: the alias broke the commit half-way; after deleting the article, its text stayed in feeds."""
    root, output = built
    before = snapshot(output)
    bad = root / "content/articles/2026/01/bad.md"
    write_files(
        root,
        {
            "content/articles/2026/01/bad.md": article(
                "Withdrawn story", "2026-01-06", author="alice", aliases=aliases, body="Libellous text."
            )
        },
    )
    status, _, err = run(capsys, root, output, "-q")
    assert status in (1, 2) and "Traceback" not in err, err  # a content error (1) or a refused write (2)
    assert snapshot(output) == before
    bad.unlink()
    assert run(capsys, root, output, "-q")[0] == 0
    assert snapshot(output) == clean_build(capsys, root, tmp_path / "clean")
    assert not [path for path, data in snapshot(output).items() if b"Withdrawn" in data or b"Libellous" in data]
    assert leftovers(output) == []


@pytest.mark.parametrize(
    ("code", "occurrence"), [(errno.EEXIST, 1), (errno.ENAMETOOLONG, 2), (errno.ENOSPC, 3), (errno.EIO, 1)]
)
def test_a_commit_that_fails_for_any_reason_is_undone_and_leaves_no_stale_records(
    built: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], code: int, occurrence: int
) -> None:
    """Defect 1: the fingerprint records still described the last good build, so later edits left stale pages."""
    root, output = built
    before = snapshot(output)
    add_article(root)
    passed = 0

    def fail(name: str) -> None:
        nonlocal passed
        passed += name == "commit:move"
        if name == "commit:move" and passed == occurrence:
            raise OSError(code, os.strerror(code), str(output / "x"))

    with faults.injected(fail):
        status, _, err = run(capsys, root, output)
    assert status == 2 and err.count("\n") == 1 and err.startswith("error: cannot build: "), err
    assert err.rstrip().endswith("was left as it was")
    assert snapshot(output) == before and leftovers(output) == []
    (root / MORE).unlink()  # back to what the last good build built
    status, out, _ = run(capsys, root, output)
    assert status == 0 and out.startswith("Built ")  # never "Up to date" over a commit that failed
    write_files(
        root,
        {"content/articles/2026/01/hello.md": article("Hello world", "2026-01-05", author="alice", body="Edited.")},
    )
    assert run(capsys, root, output, "-q")[0] == 0
    assert snapshot(output) == clean_build(capsys, root, tmp_path / "clean")


def test_a_commit_that_would_make_a_file_and_a_folder_of_one_path_is_undone(tmp_path: Path) -> None:
    """Whatever the content, a commit that cannot be completed puts the output back and leaves no journal."""
    output = write_files(tmp_path / "public", {".well-known/byline.json": "{}", "a/index.html": "old", "b": "old b"})
    before = snapshot(output)
    workspace = Workspace(tmp_path / "site", output)
    with pytest.raises(OSError), workspace.locked(), Staging(output, patch=True) as staging:
        staging.write("a/index.html", b"new")
        staging.write("b", b"new b")
        staging.write("b/index.html", b"cannot be beside the file b")
        cache = workspace.cache()
        try:
            workspace.commit(staging, cache, workspace_module.Records({}, None, []))
        finally:
            cache.close()
    assert snapshot(output) == before
    assert leftovers(output) == []


def test_renditions_are_copies_checked_against_their_digest_so_a_changed_cache_never_changes_the_site(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 3: renditions were hard links shared with the cache; a file rewritten in place changed the site."""
    lead = article("Hello world", "2026-01-05", author="alice", image="/static/images/quay.jpg", image_alt="A quay")
    root = make_site(
        {**SITE, "content/articles/2026/01/hello.md": lead, "static/images/quay.jpg": picture(1300, 700)},
        with_author=False,
        with_article=False,
    )
    output = tmp_path / "public"
    assert run(capsys, root, output, "-q")[0] == 0
    published = {p: data for p, data in snapshot(output).items() if p.startswith("static/renditions/")}
    cached = [p for p in (root / ".byline-cache/images").rglob("*.jpg")]
    assert len(published) == len(cached) == 3  # 400, 800 and 1200 pixels wide
    assert all((output / p).stat().st_nlink == 1 for p in published)  # no file shared with the cache
    for path in cached:  # a disk fault, a restored backup, a tool rewriting the cache in place
        with path.open("r+b") as stream:
            stream.seek(200)
            stream.write(b"\0" * 64)
    assert {p: data for p, data in snapshot(output).items() if p.startswith("static/renditions/")} == published
    for page in published:  # an image optimiser run over the output in place
        with (output / page).open("r+b") as stream:
            stream.seek(100)
            stream.write(b"\xff" * 16)
    assert not [p for p in cached if b"\xff" * 16 in p.read_bytes()]
    elsewhere = tmp_path / "elsewhere"  # a build that copies from the damaged cache remakes what it copies
    assert run(capsys, root, elsewhere, "-q")[0] == 0
    assert snapshot(elsewhere) == clean_build(capsys, root, tmp_path / "clean")


def test_a_compiled_template_changed_on_disk_is_compiled_again(
    built: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Caches are verified: Jinja loaded a damaged compiled template whose header survived as code."""
    root, output = built
    compiled = list((root / ".byline-cache/templates").iterdir())
    assert compiled
    for path in compiled:  # one byte of a string constant, the rest intact
        path.write_bytes(path.read_bytes().replace(b"<article", b"<artic1e"))
    assert any(b"<artic1e" in path.read_bytes() for path in compiled)
    write_files(
        root,
        {"content/articles/2026/01/hello.md": article("Hello world", "2026-01-05", author="alice", body="Edited.")},
    )
    assert run(capsys, root, output, "-q")[0] == 0
    assert not [path for path, data in snapshot(output).items() if b"<artic1e" in data]
    assert snapshot(output) == clean_build(capsys, root, tmp_path / "clean")  # --clean reads no cache


def test_a_parse_result_changed_on_disk_is_parsed_again(
    built: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, output = built
    with sqlite3.connect(root / ".byline-cache/cache.sqlite3") as db:  # a letter changed, the entry still reads
        rows = db.execute("SELECT key, value FROM parse").fetchall()
        edited = [(value.replace(b"Quayside", b"Quaysid3"), key) for key, value in rows if b"Quayside" in value]
        assert edited
        db.executemany("UPDATE parse SET value=? WHERE key=?", edited)
    db.close()
    add_article(root)
    assert run(capsys, root, output, "-q")[0] == 0
    assert snapshot(output) == clean_build(capsys, root, tmp_path / "clean")


def test_the_manifest_is_saved_while_the_lock_is_held(
    make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 8: the manifest was saved after the lock was released; another build could commit in between."""
    root, output = make_site(SITE, with_author=False, with_article=False), tmp_path / "public"
    refused: list[str] = []

    def another_build(name: str) -> None:
        if name == "manifest:saved":
            assert Workspace(root, output).manifest.is_file()
            with pytest.raises(BuildLocked), Workspace(root, output).locked():
                pass
            refused.append(name)

    with faults.injected(another_build):
        assert run(capsys, root, output, "-q")[0] == 0
    assert refused == ["manifest:saved"]


def test_a_failed_commit_forgets_the_manifest(built: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Defect 8: manifest.forget was never called; a commit forgets the manifest before its first rename."""
    root, output = built
    manifest = Workspace(root, output).manifest
    assert manifest.is_file()
    add_article(root)

    def fail(name: str) -> None:
        if name == "commit:applied":
            assert not manifest.exists()
            raise OSError(errno.EIO, "injected")

    with faults.injected(fail):
        assert run(capsys, root, output, "-q")[0] == 2
    assert not manifest.exists()


def test_staging_folders_left_by_dead_builds_are_removed(
    built: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 9: .public.staging-PID and .public.flat-PID of killed builds were never removed (229 MB of them)."""
    root, output = built
    for name in (".public.staging-999999", ".public.flat-999999", ".public.staging-1"):
        write_files(tmp_path / name, {"0123": "a page of a build that was killed"})
    add_article(root)
    assert run(capsys, root, output, "-q")[0] == 0
    assert [p for p in leftovers(output) if "trash" not in p] == []


def test_a_full_disk_is_one_line_exit_2_and_the_output_intact(
    built: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defect 10: with --output on a 2 MB tmpfs the build died with a traceback."""
    root, output = built
    before = snapshot(output)
    add_article(root)
    written = 0
    write = Staging.write

    def full(self: Staging, relative: str, data: bytes) -> None:
        nonlocal written
        written += 1
        if written > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.flat / "0123"))
        write(self, relative, data)

    monkeypatch.setattr(Staging, "write", full)
    status, out, err = run(capsys, root, output)
    assert (status, out) == (2, "")
    assert err.startswith("error: cannot build: No space left on device") and err.count("\n") == 1, err
    assert snapshot(output) == before and leftovers(output) == []


def test_a_full_disk_while_saving_the_builds_record_is_one_line_exit_2_and_the_output_built(
    built: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The commit is done when the manifest is saved: a failure there is said in one line, and the output is right."""
    root, output = built
    add_article(root)

    def full(name: str) -> None:
        if name == "manifest:saved":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with faults.injected(full):
        status, out, err = run(capsys, root, output)
    assert (status, out) == (2, "")
    assert err.startswith("error: built, but the build's record could not be saved: No space left on device"), err
    assert err.count("\n") == 1
    clean = tmp_path / "clean"
    assert run(capsys, root, clean)[0] == 0 and snapshot(output) == snapshot(clean)
    assert run(capsys, root, output)[0] == 0 and snapshot(output) == snapshot(clean)


@pytest.mark.parametrize("where", ["staging", "commit"])
def test_a_read_only_output_folder_is_one_line_exit_2_and_the_output_intact(
    built: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    """Defect 10: a read-only output folder gave a traceback. (Tests run as root here, so it is injected.)"""
    root, output = built
    before = snapshot(output)
    add_article(root)
    mkdir = Path.mkdir

    def read_only(self: Path, *args: object, **kwargs: object) -> None:
        if ".public.staging-" in self.name:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    def refuse(name: str) -> None:
        if name == "commit:move":
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(output / "index.html"))

    if where == "staging":
        monkeypatch.setattr(Path, "mkdir", read_only)
    with faults.injected(refuse if where == "commit" else lambda _: None):
        status, out, err = run(capsys, root, output)
    assert (status, out) == (2, "")
    assert err.startswith("error: cannot build: Read-only file system") and err.count("\n") == 1, err
    assert snapshot(output) == before and leftovers(output) == []


def test_check_leaves_the_cache_byte_for_byte_as_it_was(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 14: `check` is documented to write nothing, but it modified .byline-cache/cache.sqlite3-shm."""
    root = make_site(SITE, with_author=False, with_article=False)
    assert run(capsys, root, root / "public", "-q")[0] == 0
    add_article(root)
    cache = root / ".byline-cache"
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in cache.rglob("*") if p.is_file()}
    assert main(["check", "--root", str(root), "--now", NOW_TEXT]) == 0
    assert "No errors" in capsys.readouterr().out
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in cache.rglob("*") if p.is_file()} == before


def test_a_full_disk_while_indexing_search_is_an_environment_failure_not_a_content_error(tmp_path: Path) -> None:
    """Defect 10: an OSError in the indexing process came back as exit 1 with the child's traceback."""
    workdir, bundle = tmp_path / "work", tmp_path / "staging/pagefind/2026"
    workdir.mkdir()
    documents = workdir / "0.jsonl"
    documents.write_text(json.dumps([f"{LONG_SEGMENT}/index.html", "<html></html>"]) + "\n")  # refused by the disk
    job = {"shard": "2026", "key": "k", "code": True, "source": str(documents), "bundle": str(bundle)}
    (workdir / "plan.json").write_text(json.dumps({"workers": 1, "jobs": [job]}))
    indexer = search_indexer.SearchIndexer([], tmp_path / "staging")
    command = [sys.executable, "-m", "byline.output.search", str(workdir), str(os.getpid())]
    with (workdir / "log").open("wb") as log:  # started as SearchIndexer.start starts it
        indexer._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    indexer._workdir = workdir
    with pytest.raises(OSError) as raised:
        indexer.finish()
    assert raised.value.errno == errno.ENAMETOOLONG and LONG_SEGMENT in str(raised.value.filename)
