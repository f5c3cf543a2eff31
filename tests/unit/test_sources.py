"""byline.sources: finding the content files, in a stable order, and reading them safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from byline.errors import UsageError
from byline.sources import find_sources
from tests.helpers import write_files


def test_sources_are_found_by_kind_in_path_order(tmp_path: Path) -> None:
    root = write_files(
        tmp_path,
        {
            "content/articles/b.md": "b",
            "content/articles/2026/03/a.md": "a",
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
        ("article", "content/articles/2026/03/a.md"),
        ("article", "content/articles/b.md"),
        ("author", "content/authors/simon-malia.md"),
        ("page", "content/pages/about.md"),
    ]
    assert files[2].stem == "simon-malia"
    assert files[0].data == b"a" and len(files[0].digest) == 64


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
