"""`new --section/--tags/--region` and `authors new SLUG --name`: files that then check cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from byline.cli.main import main
from tests.conftest import MakeSite
from tests.helpers import check_site, load_text

NOW = "2026-03-02 09:15"


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def test_new_fills_in_section_tags_and_region(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    status, out, err = run(
        capsys, "new", "BT and Lancashire sign deal", "--author", "simon-malia", "--section", "news",
        "--tags", 'BT, Lancashire County Council, , BT, "Quoted" tag', "--region", "North  West", "--root", root, "--now", NOW,
    )  # fmt: skip
    path = root / "content/articles/2026/03/bt-and-lancashire-sign-deal.md"
    assert (status, out, err) == (0, f"{path}\n", "")
    lines = path.read_text().splitlines()
    assert lines[4:8] == [
        "section: news",
        "summary: ",
        'tags: ["BT", "Lancashire County Council", "\\"Quoted\\" tag"]',
        'region: "North West"',
    ]
    model, problems = load_text(path.read_bytes(), path=path.relative_to(root).as_posix())
    assert problems == []
    assert (model.section, model.tags, model.region) == (  # type: ignore[union-attr]
        "news",
        ("BT", "Lancashire County Council", '"Quoted" tag'),
        "North West",
    )
    assert [p.format() for p in check_site(root, drafts=True).problems] == []


def test_new_refuses_an_unknown_section_with_a_suggestion(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site()
    status, out, err = run(capsys, "new", "Title", "--author", "simon-malia", "--section", "new", "--root", root)
    assert (status, out) == (2, "")
    assert err == "error: unknown section 'new'; sections are: members-news, news; did you mean 'news'?\n"
    assert not (root / "content/articles/2026").exists()


def test_new_without_the_new_options_is_unchanged(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    run(capsys, "new", "Plain", "--author", "simon-malia", "--root", root, "--now", NOW)
    text = (root / "content/articles/2026/03/plain.md").read_text()
    assert "section: members-news\nsummary: \ntags: []\nid: " in text
    assert "region" not in text


def test_new_points_to_authors_new_for_an_unknown_author(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "new", "Title", "--author", "zed", "--root", make_site())
    assert status == 2
    assert (
        err
        == "error: unknown author 'zed': no content/authors/zed.md; create it with: python build.py authors new zed --name \"...\"\n"
    )


def test_authors_new_creates_a_profile_that_checks_cleanly(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site()
    status, out, err = run(
        capsys, "authors", "new", "megan-pryce", "--name", 'Megan "Meg" Pryce', "--role", "Business reporter",
        "--organisation", "Bdaily", "--root", root,
    )  # fmt: skip
    path = root / "content/authors/megan-pryce.md"
    assert (status, out, err) == (0, f"{path}\n", "")
    assert path.read_text() == (
        '---\nname: "Megan \\"Meg\\" Pryce"\nrole: "Business reporter"\norganisation: "Bdaily"\n---\n'
        "A short biography: who they are and what they write about.\n"
    )
    assert [p.format() for p in check_site(root).problems] == []
    site = check_site(root).site
    assert site is not None and site.author["megan-pryce"].name == 'Megan "Meg" Pryce'
    status, _, _ = run(capsys, "new", "Her first story", "--author", "megan-pryce", "--root", root)
    assert status == 0


@pytest.mark.parametrize(
    ("slug", "name", "message"),
    [
        (
            "Megan_Pryce",
            "Megan",
            "error: author slug 'Megan_Pryce' must be lowercase letters, digits and hyphens, like simon-malia\n",
        ),
        (
            "megan",
            "By Megan Pryce",
            "error: the name 'By Megan Pryce' starts with 'By'; pages print 'By' before it, so give the name alone\n",
        ),
        ("megan", "   ", "error: the name is empty\n"),
    ],
)
def test_authors_new_refuses_bad_input(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str], slug: str, name: str, message: str
) -> None:
    root = make_site()
    assert run(capsys, "authors", "new", slug, "--name", name, "--root", root) == (2, "", message)
    assert sorted(p.name for p in (root / "content/authors").iterdir()) == ["simon-malia.md"]


def test_authors_new_never_overwrites_a_profile(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    before = (root / "content/authors/simon-malia.md").read_text()
    status, _, err = run(capsys, "authors", "new", "simon-malia", "--name", "Someone Else", "--root", root)
    assert status == 2
    assert err.endswith("simon-malia.md already exists; that author has a profile\n")
    assert (root / "content/authors/simon-malia.md").read_text() == before


def test_authors_needs_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "authors")
    assert status == 2
    assert err.endswith("python build.py authors: error: the following arguments are required: ACTION\n")
