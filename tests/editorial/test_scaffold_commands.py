"""`new --section/--tags/--region`, `authors new SLUG --name` and `companies new SLUG --name`: files that then check cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from byline.cli.main import main
from byline.content import placeholders
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
        'summary: "[[The news in one or two sentences, at most 200 characters; or delete this line]]"',
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
    assert 'section: members-news\nsummary: "[[The news in one or two sentences' in text
    assert ']]"\ntags: []\nid: ' in text
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


def test_authors_new_creates_a_profile_that_checks_cleanly_once_its_bio_is_written(
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
        "[[A short biography: who they are and what they write about]]\n"
    )
    assert [p.format() for p in check_site(root).problems] == [
        "content/authors/megan-pryce.md:6: the body still holds the scaffold's placeholder"
        ' "[[A short biography: who they are and what they write about]]": replace it with their biography:'
        " it shows on their page and beside their articles"
    ]
    path.write_text(
        path.read_text().replace(
            "[[A short biography: who they are and what they write about]]", "Megan covers retail."
        )
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


def test_companies_new_creates_a_profile_with_no_text_a_build_could_publish(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site()
    status, out, err = run(
        capsys, "companies", "new", "quayside-tools", "--name", "Quayside  Tools", "--website", "https://quayside.example",
        "--sector", "Tools", "--region", "North East", "--root", root,
    )  # fmt: skip
    path = root / "content/companies/quayside-tools.md"
    assert (status, out, err) == (0, f"{path}\n", "")
    assert path.read_text() == (
        '---\nname: "Quayside Tools"\nwebsite: "https://quayside.example"\nsector: "Tools"\nregion: "North East"\n'
        "# logo: /static/companies/quayside-tools.png\n"
        '# logo_alt: "Quayside Tools logo"\n'
        '# contact: "Press office, press@example.com, 0191 000 0000"\n'
        "# Below the closing line, write the company's About text (the notes to editors) in Markdown.\n"
        "---\n"
    )
    result = check_site(root)
    assert [p.format() for p in result.problems] == []
    assert result.site is not None
    company = result.site.company["quayside-tools"]
    assert (company.name, company.website, company.about.html) == ("Quayside Tools", "https://quayside.example", "")


def test_authors_new_and_new_fill_in_the_company(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    run(capsys, "companies", "new", "quayside-tools", "--name", "Quayside Tools", "--root", root)
    status, _, err = run(
        capsys,
        "authors",
        "new",
        "hannah-okafor",
        "--name",
        "Hannah Okafor",
        "--company",
        "quayside-tools",
        "--root",
        root,
    )
    assert (status, err) == (0, "")
    profile = root / "content/authors/hannah-okafor.md"
    assert "\ncompany: quayside-tools\n" in profile.read_text()
    profile.write_text(profile.read_text().replace(placeholders.AUTHOR_BIO, "Hannah runs Quayside's press office."))
    status, out, _ = run(
        capsys, "new", "Quayside opens a depot", "--author", "hannah-okafor", "--root", root, "--now", NOW
    )
    path = root / "content/articles/2026/03/quayside-opens-a-depot.md"
    assert (status, out) == (0, f"{path}\n")
    assert path.read_text().splitlines()[3:6] == [
        "author: hannah-okafor",
        "company: quayside-tools",
        "section: members-news",
    ]
    assert [p.format() for p in check_site(root, drafts=True).problems] == []
    status, _, _ = run(capsys, "new", "Newsroom story", "--author", "simon-malia", "--root", root, "--now", NOW)
    assert status == 0 and "company:" not in (root / "content/articles/2026/03/newsroom-story.md").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["companies", "new", "BT_Group", "--name", "BT"],
            "error: company slug 'BT_Group' must be lowercase letters, digits and hyphens, like bt-group\n",
        ),
        (["companies", "new", "bt-group", "--name", " "], "error: the name is empty\n"),
        (
            ["companies", "new", "bt-group", "--name", "BT", "--website", "www.bt.example"],
            "error: --website must be an http(s) address like https://www.example.com, not 'www.bt.example'\n",
        ),
        (
            ["authors", "new", "hannah-okafor", "--name", "Hannah", "--company", "quayside-tool"],
            "error: unknown company 'quayside-tool': no content/companies/quayside-tool.md; did you mean 'quayside-tools'?\n",
        ),
        (
            ["authors", "new", "hannah-okafor", "--name", "Hannah", "--company", "amble-boats"],
            "error: unknown company 'amble-boats': no content/companies/amble-boats.md; create it with:"
            ' python build.py companies new amble-boats --name "..."\n',
        ),
    ],
)
def test_companies_new_and_authors_new_refuse_bad_input(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    root = make_site({"content/companies/quayside-tools.md": "---\nname: Quayside Tools\n---\n"})
    assert run(capsys, *args, "--root", root) == (2, "", message)
    assert sorted(p.name for p in (root / "content/companies").iterdir()) == ["quayside-tools.md"]
    assert sorted(p.name for p in (root / "content/authors").iterdir()) == ["simon-malia.md"]


def test_companies_new_never_overwrites_a_profile(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/companies/quayside-tools.md": "---\nname: Quayside Tools\n---\nOurs.\n"})
    status, _, err = run(capsys, "companies", "new", "quayside-tools", "--name", "Other", "--root", root)
    assert status == 2 and err.endswith("quayside-tools.md already exists; that company has a profile\n")
    assert (root / "content/companies/quayside-tools.md").read_text() == "---\nname: Quayside Tools\n---\nOurs.\n"


def test_companies_needs_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "companies")
    assert status == 2
    assert err.endswith("python build.py companies: error: the following arguments are required: ACTION\n")


CONTROL = (
    "an invisible control character U+{}: web pages and feeds cannot carry it; delete it (it often comes from"
    " pasting from Word or a PDF)"
)


@pytest.mark.parametrize(
    ("args", "what", "code"),
    [
        (["new", "Deal\x01 signed", "--author", "simon-malia"], "title", "0001"),
        (["new", "Deal signed", "--author", "simon-malia", "--tags", "BT, Ports\x1b"], "topic", "001B"),
        (["new", "Deal signed", "--author", "simon-malia", "--region", "North\x7f West"], "region", "007F"),
        (["authors", "new", "megan-pryce", "--name", "Megan\x0c Pryce"], "name", "000C"),
        (["authors", "new", "megan-pryce", "--name", "Megan Pryce", "--role", "Reporter\x85"], "role", "0085"),
        (
            ["authors", "new", "megan-pryce", "--name", "Megan Pryce", "--organisation", "\x00Bdaily"],
            "organisation",
            "0000",
        ),
        (["companies", "new", "coble-marine", "--name", "Coble\x1f Marine"], "name", "001F"),
        (["companies", "new", "coble-marine", "--name", "Coble Marine", "--sector", "Ships\x07"], "sector", "0007"),
    ],
)
def test_new_commands_refuse_control_characters_they_would_write(
    make_site: MakeSite, capsys: pytest.CaptureFixture[str], args: list[str], what: str, code: str
) -> None:
    # Regression (issue 16, defect 15): they wrote files the build then rejected.
    root = make_site()
    before = sorted(p for p in (root / "content").rglob("*"))
    clock = ["--now", NOW] if args[0] == "new" else []  # only `new` dates what it writes
    assert run(capsys, *args, "--root", root, *clock) == (
        2,
        "",
        f"error: the {what} holds {CONTROL.format(code)}\n",
    )
    assert sorted(p for p in (root / "content").rglob("*")) == before


def test_new_refuses_an_undecodable_argument(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()  # a byte that is not UTF-8 reaches Python as a lone surrogate (surrogateescape)
    status, _, err = run(capsys, "new", "Caf\udce9", "--author", "simon-malia", "--root", root, "--now", NOW)
    assert (status, err) == (
        2,
        "error: the title holds U+DCE9, half of a UTF-16 surrogate pair, which UTF-8 text cannot hold; delete it,"
        " or write the character itself\n",
    )
