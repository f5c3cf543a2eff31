"""byline.content.sources: finding the content files, in a stable order, and reading them safely."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# --- looking again at the paths a watcher saw change (rescan_sources) ------------------------
SPOTS = [
    "content/articles/0.md",
    "content/articles/2026/aa.md",
    "content/articles/a.md",
    "content/articles/b.md",
    "content/articles/2026/c.md",
    "content/articles/2026/03/d.md",
    "content/articles/.hidden/e.md",
    "content/articles/#f.md#",
    "content/articles/~g.md",
    "content/articles/notes.txt",
    "content/authors/simon-malia.md",
    "content/authors/old/h.md",
    "content/companies/quayside.md",
    "content/pages/about.md",
]
FOLDERS = ["content/articles/2026", "content/articles/2027", "content/articles/2026/03"]


def listed(listing: sources.Listing) -> list[tuple[str, str]]:
    """A listing as what is at each path, in order: a file's kind and digest, or the problem."""
    return [
        (rel, f"{item.kind}:{item.digest}" if isinstance(item, sources.SourceFile) else item.format())
        for rel, item in listing.found.items()
    ]


class Changes:
    """File-system changes, noting the paths an inotify watcher reports for each (both ends of a move)."""

    def __init__(self, root: Path):
        self.root = root
        self.paths: set[str] = set()
        self.folders = False  # whether a folder was made, moved or removed

    def write(self, rel: str, n: int) -> None:
        path = self.root / rel
        if not path.parent.is_dir():
            return
        path.write_text(f"text {n}")
        self.paths.add(rel)
        if path.is_symlink() and path.resolve().is_relative_to(self.root.resolve()):
            self.paths.add(path.resolve().relative_to(self.root.resolve()).as_posix())  # where inotify sees it

    def delete(self, rel: str, n: int) -> None:
        if (self.root / rel).is_file():
            (self.root / rel).unlink()
            self.paths.add(rel)

    def move(self, rel: str, n: int) -> None:
        target = SPOTS[n % len(SPOTS)]
        if (self.root / rel).is_file() and (self.root / target).parent.is_dir() and rel != target:
            (self.root / rel).rename(self.root / target)
            self.paths |= {rel, target}

    def link(self, rel: str, n: int) -> None:
        path = self.root / rel
        if path.parent.is_dir() and not path.exists() and not path.is_symlink():
            path.symlink_to(self.root.parent / "outside.md" if n % 2 else self.root / "content/articles/a.md")
            self.paths.add(rel)

    def outside(self, rel: str, n: int) -> None:
        """The target of a symlink changes where no watcher looks (outside content/)."""
        (self.root / "shared.md").write_text(f"shared {n}")

    def folder(self, rel: str, n: int) -> None:
        folder = self.root / FOLDERS[n % len(FOLDERS)]
        if folder.is_dir():
            shutil.rmtree(folder)
        else:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "new.md").write_text(f"new {n}")
        self.paths.add(FOLDERS[n % len(FOLDERS)])
        self.folders = True


CHANGES = ["write", "write", "delete", "move", "link", "outside", "folder"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from(CHANGES), st.sampled_from(SPOTS), st.integers(0, 9)), max_size=4),
        min_size=1,
        max_size=4,
    )
)
def test_looking_again_at_the_changed_paths_finds_what_a_whole_scan_finds(
    steps: list[list[tuple[str, str, int]]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_files(Path(folder) / "site", {rel: f"first {rel}" for rel in SPOTS[2:6] + SPOTS[10:]})
        (root.parent / "outside.md").write_text("outside")
        write_files(root, {"shared.md": "shared"})
        (root / "content/articles/linked.md").symlink_to(root / "shared.md")
        listing = sources.scan_sources(root).kept()
        for step in steps:
            changes = Changes(root)
            for name, rel, n in step:
                getattr(changes, name)(rel, n)
            again = sources.rescan_sources(root, listing, changes.paths)
            whole = sources.scan_sources(root)
            if again is None:
                assert changes.folders, "a change of files alone must not need a whole scan"
            else:
                assert listed(again) == listed(whole)
                assert again.links == whole.links
            listing = whole.kept()


def test_a_new_file_takes_its_place_in_path_order(tmp_path: Path) -> None:
    root = write_files(tmp_path, {"content/articles/b.md": "b", "content/pages/about.md": "p"})
    listing = sources.scan_sources(root).kept()
    write_files(root, {"content/articles/a.md": "a", "content/articles/c.md": "c"})
    again = sources.rescan_sources(root, listing, {"content/articles/a.md", "content/articles/c.md"})
    assert again is not None
    assert list(again.found) == [
        "content/articles/a.md",
        "content/articles/b.md",
        "content/articles/c.md",
        "content/pages/about.md",
    ]


def test_a_symlinked_file_is_looked_at_again_though_no_change_was_seen(tmp_path: Path) -> None:
    root = write_files(tmp_path, {"content/articles/b.md": "b", "elsewhere/story.md": "first"})
    (root / "content/articles/linked.md").symlink_to(root / "elsewhere/story.md")
    listing = sources.scan_sources(root).kept()
    (root / "elsewhere/story.md").write_text("second")  # outside every watched folder
    again = sources.rescan_sources(root, listing, set())
    assert again is not None
    assert listed(again) == listed(sources.scan_sources(root))


def test_a_changed_folder_asks_for_a_whole_scan(tmp_path: Path) -> None:
    root = write_files(tmp_path, {"content/articles/2026/a.md": "a"})
    listing = sources.scan_sources(root).kept()
    (root / "content/articles/2026").rename(root / "content/articles/2025")
    assert sources.rescan_sources(root, listing, {"content/articles/2026", "content/articles/2025"}) is None


def test_content_itself_changed_asks_for_a_whole_scan(tmp_path: Path) -> None:
    """What a watcher reports when it lost events (or content/ was replaced): every file may differ."""
    root = write_files(tmp_path, {"content/articles/a.md": "a"})
    assert sources.rescan_sources(root, sources.scan_sources(root).kept(), {"content"}) is None


def test_a_kept_listing_holds_no_file_bytes(tmp_path: Path) -> None:
    root = write_files(tmp_path, {"content/articles/a.md": "a"})
    listing = sources.scan_sources(root)
    assert [f.data for f in listing.results()[0]] == [b"a"]
    assert [f.data for f in listing.kept().results()[0]] == [None]
