"""Warnings for URLs the previous build published and this one would break, with the fix to paste."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MakeSite
from tests.helpers import article, build_site, check_site, write_files

ARTICLE = "content/articles/quayside.md"
OLD = "/articles/2026/03/01/quayside-tools-opens-a-depot/"
ID = "3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c"


def built(make_site: MakeSite, tmp_path: Path, text: str | None = None) -> tuple[Path, Path]:
    """A site built once into tmp_path/out: the 'previous build'."""
    root = make_site({ARTICLE: text or article()})
    output = tmp_path / "out"
    build_site(root, output)
    return root, output


def warnings(root: Path, output: Path, **changes: object) -> list[str]:
    return [p.format() for p in check_site(root, output=output, **changes).problems]


def test_changed_slug_suggests_the_alias_on_the_slug_line(make_site: MakeSite, tmp_path: Path) -> None:
    root, output = built(make_site, tmp_path)
    write_files(root, {ARTICLE: article(slug="quayside-depot")})
    assert warnings(root, output) == [
        f"{ARTICLE}:5: warning: URL changes from {OLD} (published by the previous build) to"
        f" /articles/2026/03/01/quayside-depot/; keep old links working with 'aliases: [{OLD}]'"
    ]


def test_changed_title_points_at_the_title_line(make_site: MakeSite, tmp_path: Path) -> None:
    root, output = built(make_site, tmp_path)
    write_files(root, {ARTICLE: article("Quayside Tools opens a new depot")})
    assert warnings(root, output) == [
        f"{ARTICLE}:2: warning: URL changes from {OLD} (published by the previous build) to"
        f" /articles/2026/03/01/quayside-tools-opens-a-new-depot/; keep old links working with 'aliases: [{OLD}]'"
    ]


def test_changed_date_points_at_the_date_line_and_keeps_existing_aliases(make_site: MakeSite, tmp_path: Path) -> None:
    root, output = built(make_site, tmp_path, article(aliases="[/old/depot/]"))
    write_files(root, {ARTICLE: article(date="2026-02-27 09:00", aliases="[/old/depot/]")})
    assert warnings(root, output) == [
        f"{ARTICLE}:3: warning: URL changes from {OLD} (published by the previous build) to"
        " /articles/2026/02/27/quayside-tools-opens-a-depot/; keep old links working with"
        f" 'aliases: [/old/depot/, {OLD}]'"
    ]


def test_adding_the_suggested_alias_silences_the_warning(make_site: MakeSite, tmp_path: Path) -> None:
    root, output = built(make_site, tmp_path)
    write_files(root, {ARTICLE: article(slug="quayside-depot", aliases=f"[{OLD}]")})
    assert warnings(root, output) == []


def test_a_moved_file_keeping_its_id_is_followed(make_site: MakeSite, tmp_path: Path) -> None:
    root, output = built(make_site, tmp_path, article(id=ID))
    (root / ARTICLE).unlink()
    write_files(root, {"content/articles/2026/depot.md": article(slug="depot", id=ID)})
    assert warnings(root, output) == [
        f"content/articles/2026/depot.md:5: warning: URL changes from {OLD} (published by the previous build) to"
        f" /articles/2026/03/01/depot/; keep old links working with 'aliases: [{OLD}]'"
    ]


def test_a_deleted_article_is_reported_against_its_old_file(make_site: MakeSite, tmp_path: Path) -> None:
    root, output = built(make_site, tmp_path)
    (root / ARTICLE).unlink()
    write_files(root, {"content/articles/other.md": article("Other news", "2026-03-01 10:00")})
    assert warnings(root, output) == [
        f"{ARTICLE}:0: warning: this file is gone, but the previous build published it at {OLD}; readers following"
        f" old links will get 'page not found': add {OLD} to another article's 'aliases' to send them there"
    ]


def test_retiring_with_an_alias_on_the_replacement_is_silent(make_site: MakeSite, tmp_path: Path) -> None:
    root, output = built(make_site, tmp_path)
    (root / ARTICLE).unlink()
    write_files(root, {"content/articles/other.md": article("Other news", "2026-03-01 10:00", aliases=f"[{OLD}]")})
    assert warnings(root, output) == []


def test_an_article_turned_back_into_a_draft_is_reported(make_site: MakeSite, tmp_path: Path) -> None:
    root, output = built(make_site, tmp_path)
    write_files(root, {ARTICLE: article(draft="true")})
    assert warnings(root, output) == [
        f"{ARTICLE}:5: warning: the previous build published this article at {OLD}; now that it is a draft,"
        " that URL will show 'page not found'"
    ]


def test_an_article_moved_into_the_future_is_reported(make_site: MakeSite, tmp_path: Path) -> None:
    root, output = built(make_site, tmp_path, article(slug="depot"))
    write_files(root, {ARTICLE: article(date="2026-04-02 08:00", slug="depot")})
    assert warnings(root, output) == [
        f"{ARTICLE}:3: warning: the previous build published this article at /articles/2026/03/01/depot/;"
        " now that it is scheduled for 2026-04-02 08:00 BST, that URL will show 'page not found'"
    ]


def test_without_the_cache_the_previous_sitemap_is_read(make_site: MakeSite, tmp_path: Path) -> None:
    root, output = built(make_site, tmp_path)
    write_files(root, {ARTICLE: article(slug="quayside-tools-depot")})
    # --clean ignores the cache: the URL must come from output/sitemap.xml, which knows no file names.
    assert warnings(root, output, clean=True) == [
        f"{ARTICLE}:5: warning: URL changes from {OLD} (published by the previous build) to"
        f" /articles/2026/03/01/quayside-tools-depot/; keep old links working with 'aliases: [{OLD}]'"
    ]


def test_a_first_build_has_nothing_to_compare_with(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({ARTICLE: article(slug="anything")})
    assert warnings(root, tmp_path / "never-built") == []
    assert warnings(root, tmp_path / "never-built", clean=True) == []


def test_each_output_folder_has_its_own_record(make_site: MakeSite, tmp_path: Path) -> None:
    root, output = built(make_site, tmp_path)
    write_files(root, {ARTICLE: article(slug="quayside-depot")})
    build_site(root, tmp_path / "preview")
    assert len(warnings(root, output)) == 1  # public's record still has the old URL
    assert warnings(root, tmp_path / "preview") == []


def test_the_record_follows_each_successful_build(make_site: MakeSite, tmp_path: Path) -> None:
    root, output = built(make_site, tmp_path)
    write_files(root, {ARTICLE: article(slug="quayside-depot")})
    assert [w.message[:11] for w in build_site(root, output).warnings] == ["URL changes"]
    assert warnings(root, output) == []  # that build published the new URL; the old one is history
