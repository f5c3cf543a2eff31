"""byline.content.sources: finding the content files, in a stable order, and reading them safely."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from byline.content import sources
from byline.content.sources import Seen, find_sources, read_source
from byline.errors import UsageError
from tests.helpers import write_files


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
