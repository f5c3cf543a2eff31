"""byline.content.sources: finding the content files, in a stable order, and reading them safely."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from byline.content import sources
from byline.content.sources import Seen, find_sources, read_source
from byline.errors import UsageError
from tests.helpers import deadline, write_files


def test_sources_are_found_by_kind_in_path_order(tmp_path: Path) -> None:
    root = write_files(
        tmp_path,
        {
            "content/articles/b.md": "b",
            "content/articles/2026/03/a.md": "a",
            "content/articles/2026/10/c.md": "c",
            "content/articles/2026/03-x/d.md": "d",
            "content/articles/2026/03/a-b.md": "e",
            "content/articles/.hidden/x.md": "hidden",
            "content/articles/.draft.md": "editor state",
            "content/articles/notes.txt": "not markdown",
            "content/authors/simon-malia.md": "s",
            "content/authors/old/ignored.md": "authors are not nested",
            "content/pages/about.md": "p",
        },
    )
    files, problems = find_sources(root)
    assert problems == []
    assert [(f.kind, f.path) for f in files] == [
        ("article", "content/articles/2026/03-x/d.md"),
        ("article", "content/articles/2026/03/a-b.md"),
        ("article", "content/articles/2026/03/a.md"),
        ("article", "content/articles/2026/10/c.md"),
        ("article", "content/articles/b.md"),
        ("author", "content/authors/simon-malia.md"),
        ("page", "content/pages/about.md"),
    ]
    assert files[-2].stem == "simon-malia"
    assert files[2].data == b"a" and len(files[2].digest) == 64


def test_root_without_articles_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no content/articles/ folder here"):
        find_sources(tmp_path)


def test_symlink_out_of_the_site_is_refused(tmp_path: Path) -> None:
    secret = write_files(tmp_path / "elsewhere", {"secret.md": "---\ntitle: x\n---\n"}) / "secret.md"
    root = write_files(tmp_path / "site", {"content/articles/a.md": "a"})
    (root / "content/articles/leak.md").symlink_to(secret)
    files, problems = find_sources(root)
    assert [f.path for f in files] == ["content/articles/a.md"]
    assert [p.format() for p in problems] == [
        "content/articles/leak.md:0: symlink points outside the site root; refused"
    ]


def test_unreadable_file_is_reported_not_a_traceback(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", {"content/articles/a.md": "a"})
    (root / "content/articles/gone.md").symlink_to(root / "content/articles/missing.md")
    files, problems = find_sources(root)
    assert [f.path for f in files] == ["content/articles/a.md"]
    assert [p.format() for p in problems] == [
        "content/articles/gone.md:0: cannot read this file: No such file or directory"
    ]


@pytest.fixture
def trust_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust file times as soon as a file is written (normally only after two seconds)."""
    monkeypatch.setattr(sources, "RACY_NS", 0)


def test_an_unchanged_file_is_not_read_again(tmp_path: Path, trust_at_once: None) -> None:
    root = write_files(tmp_path, {"content/articles/a.md": "first", "content/articles/b.md": "second"})
    seen: dict[str, Seen] = {}
    first, _ = find_sources(root, seen)
    again, _ = find_sources(root, seen)
    assert [f.data for f in first] == [b"first", b"second"]
    assert [(f.data, f.digest) for f in again] == [(None, f.digest) for f in first]
    assert [read_source(root, f) for f in again] == first


def test_a_changed_file_is_read_again_even_with_its_size_and_mtime_put_back(
    tmp_path: Path, trust_at_once: None
) -> None:
    root = write_files(tmp_path, {"content/articles/a.md": "first"})
    path = root / "content/articles/a.md"
    seen: dict[str, Seen] = {}
    find_sources(root, seen)
    before = path.stat()
    path.write_text("FIRST")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same mtime; the change time still moves
    [again], _ = find_sources(root, seen)
    assert again.data == b"FIRST"


def test_a_file_changed_just_now_is_read_again_next_time(tmp_path: Path) -> None:
    """Its clock may not tick before it changes again, so its times prove nothing yet."""
    root = write_files(tmp_path, {"content/articles/a.md": "first"})
    seen: dict[str, Seen] = {}
    find_sources(root, seen)
    assert seen == {}
    [again], _ = find_sources(root, seen)
    assert again.data == b"first"


def test_deleted_files_are_forgotten(tmp_path: Path, trust_at_once: None) -> None:
    root = write_files(tmp_path, {"content/articles/a.md": "a", "content/articles/b.md": "b"})
    seen: dict[str, Seen] = {}
    find_sources(root, seen)
    (root / "content/articles/b.md").unlink()
    files, problems = find_sources(root, seen)
    assert [f.path for f in files] == list(seen) == ["content/articles/a.md"]
    assert problems == []


def test_a_fifo_is_refused_without_being_opened(tmp_path: Path) -> None:
    # Regression (issue 16, defect 11): opening a FIFO to read it waited for a writer for ever.
    root = write_files(tmp_path / "site", {"content/articles/a.md": "a"})
    os.mkfifo(root / "content/articles/pipe.md")
    for seen in (None, {}):
        with deadline(30):
            files, problems = find_sources(root, seen)
        assert [f.path for f in files] == ["content/articles/a.md"]
        assert [p.format() for p in problems] == [
            "content/articles/pipe.md:0: this is a named pipe (FIFO), not a text file; refused"
        ]


def test_a_file_swapped_for_a_fifo_after_listing_is_refused_when_read(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", {"content/articles/a.md": "a"})
    files, _ = find_sources(root, {})
    (root / "content/articles/a.md").unlink()
    os.mkfifo(root / "content/articles/a.md")
    listed = sources.SourceFile(files[0].path, files[0].kind, None, files[0].digest)
    with deadline(30), pytest.raises(sources.RefusedFile, match="named pipe"):
        read_source(root, listed)


def test_a_file_over_the_limit_is_refused_from_its_size_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression (issue 16, defect 11): a 1 GB sparse file was read whole (1 GB of memory) before the limit applied.
    root = tmp_path / "site"
    (root / "content/articles").mkdir(parents=True)
    with open(root / "content/articles/big.md", "wb") as stream:
        stream.truncate(1_000_000_000)  # sparse: no disk used
    monkeypatch.setattr(os, "open", lambda *_: pytest.fail("opened a file refused by its size"))
    for seen in (None, {}):
        files, problems = find_sources(root, seen)
        assert files == []
        assert [p.format() for p in problems] == [
            "content/articles/big.md:1: file is 1000.0 MB; a content file may be at most 16 MB"
        ]


def test_a_file_that_grows_past_the_limit_while_read_is_cut_off_and_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 10)
    path = write_files(tmp_path, {"a.md": "x" * 11}) / "a.md"
    monkeypatch.setattr(sources, "_readable", lambda stat: stat)  # as if it grew after its size was checked
    with pytest.raises(sources.RefusedFile, match="a content file may be at most"):
        sources._read(str(path))


def test_a_symlink_loop_is_one_problem_not_a_traceback(tmp_path: Path) -> None:
    # Regression (issue 16, defect 10): resolving a looping symlink raised RuntimeError.
    root = write_files(tmp_path / "site", {"content/articles/a.md": "a"})
    (root / "content/articles/loop1.md").symlink_to("loop2.md")
    (root / "content/articles/loop2.md").symlink_to("loop1.md")
    (root / "content/articles/self").symlink_to("self", target_is_directory=True)
    files, problems = find_sources(root)
    assert [f.path for f in files] == ["content/articles/a.md"]
    assert [p.format() for p in problems] == [
        "content/articles/loop1.md:0: cannot read this file: Too many levels of symbolic links",
        "content/articles/loop2.md:0: cannot read this file: Too many levels of symbolic links",
    ]


def _memory_maps() -> int:
    with open("/proc/self/maps") as maps:
        return sum(1 for _ in maps)


def test_files_held_at_once_do_not_each_take_a_memory_map(tmp_path: Path) -> None:
    """A 100,000-article build failed: every file read into a buffer of the size limit kept a map of its own."""
    for n in range(2000):
        (tmp_path / f"a{n}.md").write_text(f"---\ntitle: Story {n}\n---\n" + "Body text. " * 400)
    before = _memory_maps()
    held = [read_source(tmp_path, sources.SourceFile(f"a{n}.md", "article", None, "")) for n in range(2000)]
    assert all(source.data for source in held)
    assert _memory_maps() - before < 500
