"""A rebuild with nothing changed does nothing, and anything that matters makes it build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from byline.cli.main import main
from byline.config import BuildOptions
from byline.state import manifest
from tests.conftest import MakeSite
from tests.helpers import NOW_TEXT, article, snapshot


def run(capsys: pytest.CaptureFixture[str], root: Path, *extra: str) -> tuple[int, str, str]:
    status = main(["--root", str(root), "--output", str(root / "out"), "--now", NOW_TEXT, *extra])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def built(out: str) -> bool:
    return out.startswith("Built ")


def test_second_build_with_nothing_changed_writes_nothing(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site()
    assert built(run(capsys, root)[1])
    before = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in (root / "out").rglob("*")}
    status, out, err = run(capsys, root)
    assert (status, err) == (0, "")
    assert out.startswith("Up to date: 1 article, ") and "nothing changed since the last build" in out
    assert {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in (root / "out").rglob("*")} == before


def test_edited_added_and_deleted_files_rebuild(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    run(capsys, root)
    path = root / "content/articles/quayside.md"
    path.write_text(article(body="Quayside Tools has opened a second depot."))
    os.utime(path, ns=(1, 1))  # a different time even on a coarse clock
    assert built(run(capsys, root)[1])
    (root / "content/articles/more.md").write_text(article("More news", date="2026-02-01 09:00"))
    assert built(run(capsys, root)[1])
    (root / "content/articles/more.md").unlink()
    assert built(run(capsys, root)[1])
    assert "More news" not in (root / "out/index.html").read_text()


def test_a_template_or_static_file_added_to_the_site_rebuilds(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site()
    run(capsys, root)
    (root / "static").mkdir()
    (root / "static/extra.txt").write_text("hello")
    assert built(run(capsys, root)[1])
    assert (root / "out/static/extra.txt").read_text() == "hello"


def test_the_clock_reaching_a_scheduled_article_rebuilds(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site({"content/articles/later.md": article("Later news", date="2026-03-05 09:00")})
    run(capsys, root)
    assert not built(run(capsys, root, "--now", "2026-03-02 18:00")[1])  # still waiting
    assert built(run(capsys, root, "--now", "2026-03-05 09:00")[1])
    assert "Later news" in (root / "out/index.html").read_text()


def test_an_article_leaving_the_news_sitemap_window_rebuilds(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site()  # its article, dated 2026-03-01 09:00, is in the news sitemap until 03-03 09:00
    run(capsys, root)
    assert built(run(capsys, root, "--now", "2026-03-03 09:01")[1])
    assert "quayside" not in (root / "out/news-sitemap.xml").read_text()


def test_an_earlier_clock_rebuilds(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    run(capsys, root)
    assert built(run(capsys, root, "--now", "2026-03-01 10:00")[1])


def test_other_options_a_touched_output_or_a_corrupt_record_rebuild(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site({"content/articles/draft.md": article("Draft news", draft="true")})
    run(capsys, root)
    assert built(run(capsys, root, "--drafts")[1])
    assert built(run(capsys, root)[1])
    shutil.rmtree(root / "out")
    assert built(run(capsys, root)[1])
    for record in (root / ".byline-cache").glob("manifest-*.json"):
        record.write_text("{not json")
    assert built(run(capsys, root)[1])
    assert built(run(capsys, root, "--clean")[1])  # --clean always builds


def test_warnings_are_repeated_when_nothing_changed(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/articles/quayside.md": article(title="By the quay " + "x" * 120)})
    first = run(capsys, root)
    second = run(capsys, root)
    assert "warning:" in first[2]
    assert second[2] == first[2]
    assert not built(second[1])


def test_a_build_after_a_failed_one_still_builds(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    run(capsys, root)
    good = snapshot(root / "out")
    path = root / "content/articles/quayside.md"
    text = path.read_text()
    path.write_text("---\ntitle: [\n---\n")
    assert run(capsys, root)[0] == 1
    path.write_text(text)
    assert run(capsys, root)[0] == 0
    assert snapshot(root / "out") == good


def test_a_build_lists_its_inputs_once(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listing that finds a change is the one recorded: 10,000 files listed twice cost 0.2 s."""
    root = make_site()
    run(capsys, root)
    scans: list[dict[str, list[int]]] = []
    scan = manifest.scan_inputs
    monkeypatch.setattr(manifest, "scan_inputs", lambda options: scans.append(scan(options)) or scans[-1])
    (root / "content/articles/new.md").write_text(article("Harbour crane arrives"))
    assert built(run(capsys, root)[1])
    assert len(scans) == 1 and any(name.endswith("new.md") for name in scans[0])
    assert run(capsys, root)[1].startswith("Up to date")


def test_the_record_keeps_a_digest_of_the_inputs_that_any_change_alters() -> None:
    """Equal scans digest equally however their values are shared (marshal's back-references are off)."""
    size = [10, 1_700_000_000_000_000_000]
    shared = {"content/a.md": size, "content/b.md": size}
    separate = {"content/a.md": [10, 1_700_000_000_000_000_000], "content/b.md": [10, 1_700_000_000_000_000_000]}
    assert manifest.inputs_digest(shared) == manifest.inputs_digest(separate)
    touched = {**separate, "content/b.md": [10, 1_700_000_000_000_000_001]}
    assert manifest.inputs_digest(touched) != manifest.inputs_digest(separate)
    added = {**separate, "content/c.md": [1, 1]}
    assert manifest.inputs_digest(added) != manifest.inputs_digest(separate)


def test_the_listing_has_every_files_size_and_time_by_its_place_in_the_site(tmp_path: Path) -> None:
    """Files are looked at by name within their open folder; what the listing holds is as a walk by path gives."""
    root = tmp_path / "site"
    nested = root / "content/articles/2026/03"
    nested.mkdir(parents=True)
    (nested / "a.md").write_text("twelve bytes")
    (root / "content/articles/.hidden.md").write_text("x")
    (root / "content/articles/__pycache__").mkdir()
    (root / "content/linked.md").symlink_to(nested / "a.md")
    (root / "content/dangling.md").symlink_to(root / "nowhere.md")
    found = manifest.scan_inputs(BuildOptions(root=root, output=root / "public"))
    content = {key: value for key, value in found.items() if key.startswith("content/")}
    stat = (nested / "a.md").stat()
    assert content == {
        "content/articles/2026/03/a.md": [12, stat.st_mtime_ns],
        "content/linked.md": [12, stat.st_mtime_ns],  # followed, as the build reads it
        "content/dangling.md": [-1, -1],
    }
    assert any(key.startswith("byline/") for key in found)  # Byline's own code is an input too
