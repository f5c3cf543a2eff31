"""`publish PATH [--at]`: a draft goes out dated when it goes out; `check` warns of backdated articles (item 3)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MakeSite
from tests.helpers import NOW_TEXT, article, build_site, check_site, run_cli, write_files

DRAFT = "content/articles/2026/02/harbour-deal.md"
# A draft written on 20 February as an editor leaves it: comments, quoting, Windows line ends, a BOM.
DRAFT_TEXT = (
    "\ufeff---\r\n"
    "title: 'Harbour Street signs a port deal'   # the headline\r\n"
    "date: 2026-02-20 10:00   # set by new\r\n"
    "author: simon-malia\r\n"
    "draft: true\r\n"
    "tags: [Ports,  Shipping]\r\n"
    "---\r\n"
    "Harbour Street has signed a ten-year deal.\r\n"
)


def draft_site(make_site: MakeSite, text: str = DRAFT_TEXT) -> Path:
    return make_site({DRAFT: text.encode("utf-8")})


def test_publish_edits_only_the_draft_and_date_lines(make_site: MakeSite) -> None:
    root = draft_site(make_site)
    result = run_cli("publish", DRAFT, "--now", NOW_TEXT, cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"{DRAFT}: published, dated 2026-03-02 12:00 GMT; it goes live with the next build, at\n"
        "http://localhost:8000/articles/2026/03/02/harbour-street-signs-a-port-deal/\n"
    )
    expected = DRAFT_TEXT.replace("date: 2026-02-20 10:00   #", "date: 2026-03-02 12:00   #")
    expected = expected.replace("draft: true\r\n", "")
    assert (root / DRAFT).read_bytes() == expected.encode("utf-8")
    site = check_site(root).site
    assert site is not None
    assert [site.url_of[a.source] for a in site.articles][0] == "/articles/2026/03/02/harbour-street-signs-a-port-deal/"


def test_publish_at_a_later_time_schedules_it(make_site: MakeSite, tmp_path: Path) -> None:
    root = draft_site(make_site)
    result = run_cli(
        "--root", root, "publish", root / DRAFT, "--at", "2026-03-09 07:30", "--now", NOW_TEXT, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{DRAFT}: scheduled for 2026-03-09 07:30 GMT; it goes live with the first build after then, at",
        "http://localhost:8000/articles/2026/03/09/harbour-street-signs-a-port-deal/",
    ]
    assert b"date: 2026-03-09 07:30   # set by new\r\n" in (root / DRAFT).read_bytes()
    checked = check_site(root)
    assert checked.next_scheduled is not None and checked.next_scheduled.source == DRAFT


def test_publish_prints_the_url_under_the_base_url(make_site: MakeSite) -> None:
    root = draft_site(make_site)
    result = run_cli("publish", DRAFT, "--base-url", "https://example.com/news", "--now", NOW_TEXT, cwd=root)
    assert result.stdout.splitlines()[1] == (
        "https://example.com/news/articles/2026/03/02/harbour-street-signs-a-port-deal/"
    )


def test_publish_refuses_a_file_that_could_not_be_published_and_leaves_it(make_site: MakeSite) -> None:
    text = DRAFT_TEXT.replace("author: simon-malia\r\n", "author: simon-malia\r\nimage: /static/x.jpg\r\n")
    root = draft_site(make_site, text)
    result = run_cli("publish", DRAFT, "--now", NOW_TEXT, cwd=root)
    assert result.returncode == 1
    assert result.stderr == (
        f"{DRAFT}:5: 'image' needs 'image_alt': a short description of the picture for readers who cannot see it\n"
        f"{DRAFT} was left as it was: fix this first.\n"
    )
    assert (root / DRAFT).read_bytes() == text.encode("utf-8")


def test_publish_refuses_a_missing_picture_or_author(make_site: MakeSite) -> None:
    text = DRAFT_TEXT.replace("author: simon-malia", "author: nadia-rahman") + "\r\n![The berth](/static/berth.png)\r\n"
    root = draft_site(make_site, text)
    result = run_cli("publish", DRAFT, "--now", NOW_TEXT, cwd=root)
    assert (result.returncode, result.stderr.splitlines()) == (
        1,
        [
            f"{DRAFT}:4: unknown author 'nadia-rahman': no content/authors/nadia-rahman.md",
            f"{DRAFT}:10: image /static/berth.png not found: no static/berth.png in the site or the theme",
            f"{DRAFT} was left as it was: fix these first.",
        ],
    )
    assert (root / DRAFT).read_bytes() == text.encode("utf-8")


def test_publish_refuses_an_article_the_last_build_published(make_site: MakeSite) -> None:
    root = make_site()
    build_site(root, root / "public")
    before = (root / "content/articles/quayside.md").read_bytes()
    result = run_cli("publish", "content/articles/quayside.md", "--now", NOW_TEXT, cwd=root)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: content/articles/quayside.md is published already (dated 2026-03-01 09:00 GMT)"
    )
    assert (root / "content/articles/quayside.md").read_bytes() == before


def test_publish_refuses_what_is_not_an_article(make_site: MakeSite) -> None:
    root = make_site()
    missing = run_cli("publish", "content/articles/nowhere.md", cwd=root)
    author = run_cli("publish", "content/authors/simon-malia.md", cwd=root)
    late = run_cli("publish", "content/articles/quayside.md", "--at", "next week", cwd=root)
    assert (missing.returncode, missing.stderr) == (2, "error: content/articles/nowhere.md: no such file\n")
    assert author.returncode == 2 and "is not an article" in author.stderr
    assert late.returncode == 2 and "--at 'next week' is not a date" in late.stderr


# --- check: backdated first publications --------------------------------------------------


def test_an_article_going_out_with_an_old_date_is_backdated(make_site: MakeSite) -> None:
    root = make_site()
    build_site(root, root / "public")
    write_files(root, {DRAFT: DRAFT_TEXT.replace("draft: true\r\n", "")})  # draft: true deleted by hand
    assert [p.format() for p in check_site(root, output=root / "public").problems] == [
        f"{DRAFT}:3: warning: backdated: the last build did not publish this article, and its date is 10 days ago"
        " (2026-02-20 10:00 GMT): it will sort below 1 newer article and miss the news sitemap;"
        f" to date it now, run `python build.py publish {DRAFT}`, or set the date"
    ]


def test_recent_moved_and_first_build_articles_are_not_backdated(make_site: MakeSite) -> None:
    root = make_site()
    assert check_site(root, output=root / "public").problems == []  # no previous build: nothing is "new"
    build_site(root, root / "public")
    recent = article("Harbour crane arrives", "2026-03-01 18:00")
    write_files(root, {"content/articles/crane.md": recent, "content/articles/quayside.md": article(slug="depot")})
    found = [p.format() for p in check_site(root, output=root / "public").problems]
    assert [message.split(": warning: ")[1][:12] for message in found] == ["URL changes "]
