"""The command line as users and outside tools run it: `python build.py ...` in a subprocess."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import MakeSite
from tests.helpers import AUTHOR, NOW, NOW_TEXT, article, run_cli, snapshot, write_files

ACCEPTED = "use 2014-01-27, 2014-01-27 10:30, 2014-01-27 10:30:00 or 2014-01-27T10:30:00+00:00"

# One site holding every bad input of issue 2, point 2; each file's problem is on a known line.
BAD_SITE = {
    "content/authors/simon-malia.md": AUTHOR,
    "content/articles/good.md": article("A good article", "2026-02-01"),
    "content/articles/invalid-yaml.md": "---\ntitle: Quayside: a new depot\ndate: 2026-02-01\nauthor: simon-malia\n---\nBody\n",
    "content/articles/missing-title.md": "---\ndate: 2026-02-01\nauthor: simon-malia\n---\nBody\n",
    "content/articles/typed.md": "---\ntitle: [Quayside, Tools]\ndate: 2026-02-01\nauthor: 42\n---\nBody\n",
    "content/articles/bad-date.md": article("Bad date", "27/01/2014"),
    "content/articles/unknown-author.md": article("Unknown author", "2026-02-01", author="simon-malla"),
    "content/articles/unknown-section.md": article("Unknown section", "2026-02-01", section="sport"),
    "content/articles/no-alt.md": article("No alt", "2026-02-01", image="/static/images/depot.jpg"),
    "content/articles/2026/same-a.md": article("Same headline", "2026-02-02 08:00"),
    "content/articles/2026/same-b.md": article("Same headline!", "2026-02-02 18:00"),
    "content/articles/bad-slug.md": article("Bad slug", "2026-02-01", slug="Quayside_Tools"),
    "content/articles/latin-1.md": b"---\ntitle: Caf\xe9 opens\ndate: 2026-02-01\nauthor: simon-malia\n---\nBody\n",
}

BAD_SITE_REPORT = f"""\
content/articles/2026/same-a.md:2: URL /articles/2026/02/02/same-headline/ is also used by content/articles/2026/same-b.md:2
content/articles/2026/same-b.md:2: URL /articles/2026/02/02/same-headline/ is also used by content/articles/2026/same-a.md:2
content/articles/bad-date.md:3: 'date' is not a date: '27/01/2014'; {ACCEPTED}
content/articles/bad-slug.md:5: slug must be lowercase letters, digits and hyphens ([a-z0-9-]+), not 'Quayside_Tools'
content/articles/invalid-yaml.md:2: invalid YAML: mapping values are not allowed here
content/articles/latin-1.md:2: file is not valid UTF-8 text (byte 0xe9); save it as UTF-8
content/articles/missing-title.md:1: missing required key 'title'
content/articles/no-alt.md:5: 'image' needs 'image_alt': a short description of the picture for readers who cannot see it
content/articles/no-alt.md:5: image /static/images/depot.jpg not found: no static/images/depot.jpg in the site or the theme
content/articles/typed.md:2: 'title' must be text, not a list
content/articles/typed.md:4: 'author' must be text; put it in quotes, not a number
content/articles/unknown-author.md:4: unknown author 'simon-malla': no content/authors/simon-malla.md; did you mean 'simon-malia'?
content/articles/unknown-section.md:5: unknown section 'sport'; sections are: members-news, news
"""


def tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time: 'exactly as it was'."""
    return {name: (data, (folder / name).stat().st_mtime_ns) for name, data in snapshot(folder).items()}


def test_check_reports_every_bad_input_in_one_run(make_site: MakeSite) -> None:
    root = make_site(BAD_SITE, with_author=False, with_article=False)
    result = run_cli("check", "--root", root, "--now", NOW_TEXT)
    assert result.returncode == 1
    assert result.stderr == BAD_SITE_REPORT + "13 errors found.\n"
    assert result.stdout == ""
    assert not (root / "public").exists()


def test_build_reports_the_same_problems_and_writes_nothing(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(BAD_SITE, with_author=False, with_article=False)
    output = tmp_path / "out"
    result = run_cli("--root", root, "--output", output, "--now", NOW_TEXT, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == BAD_SITE_REPORT + "Build failed: 13 errors; out/ was left as it was.\n"
    assert not output.exists()
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []


def test_problems_are_reported_without_a_traceback(make_site: MakeSite) -> None:
    root = make_site({"site.toml": "per_page = 'many'\n", "content/articles/quayside.md": "---\ntitle: [\n---\n"})
    result = run_cli("check", "--root", root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[:2] == [
        "content/articles/quayside.md:3: invalid YAML: expected the node content, but found the end of the front matter (while parsing a flow node)",
        "site.toml:1: per_page must be a whole number from 1 to 1000",
    ]


def test_build_succeeds_with_exit_0_and_one_summary_line(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    result = run_cli("--root", root, "--output", tmp_path / "out", "--now", NOW_TEXT, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"Built 1 article, \d+ pages \(\d+ files\) into out/ in \d+\.\d\d s\n", result.stdout)
    assert result.stderr == ""
    assert (tmp_path / "out" / "index.html").is_file()


def test_quiet_build_prints_nothing(make_site: MakeSite, tmp_path: Path) -> None:
    result = run_cli("build", "--root", make_site(), "--output", tmp_path / "out", "-q")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_verbose_build_prints_stage_timings(make_site: MakeSite, tmp_path: Path) -> None:
    result = run_cli("--root", make_site(), "--output", tmp_path / "out", "-v")
    assert result.returncode == 0
    for stage in ("read", "load", "model", "plan", "render", "write"):
        assert re.search(rf"^  {stage} +\d+\.\d ms$", result.stderr, re.MULTILINE), stage


def test_check_of_a_good_site_exits_0_and_writes_nothing(make_site: MakeSite) -> None:
    root = make_site({"content/articles/draft.md": article("Draft", draft="true")})
    result = run_cli("check", "--root", root, "--now", NOW_TEXT)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "No errors: 1 published article, 1 author, 0 pages.\n"
    assert sorted(p.name for p in root.iterdir()) == ["content"]  # not even the build cache


def test_default_root_is_the_current_folder_and_output_its_public(make_site: MakeSite) -> None:
    root = make_site()
    result = run_cli("-q", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "public" / "index.html").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--no-such-option"], "unrecognized arguments: --no-such-option"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["--now", "next tuesday"], f"error: --now 'next tuesday' is not a date; {ACCEPTED}"),
        (["--now"], "argument --now: expected one argument"),
        (["--jobs", "0"], "error: --jobs must be 1 or more"),
        (["--jobs", "many"], "argument --jobs: invalid int value: 'many'"),
        (["--base-url", "example.com"], "error: --base-url must be an absolute http(s) URL like https://example.com"),
        (["--base-url", "https://example.com/my news"], "error: --base-url holds ' ', which a URL cannot hold"),
        (["--now", "2026-03-29 01:30"], "error: --now 2026-03-29 01:30 does not exist in Europe/London"),
        (["-q", "-v"], "not allowed with argument"),
        (["new", "Title"], "the following arguments are required: --author"),
    ],
)
def test_usage_errors_exit_2(make_site: MakeSite, args: list[str], message: str) -> None:
    root = make_site()
    result = run_cli(*args, cwd=root)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "public").exists()


def test_output_equal_to_site_root_is_a_usage_error(make_site: MakeSite) -> None:
    root = make_site()
    before = snapshot(root)
    result = run_cli("--root", root, "--output", root)
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"error: --output {root} would replace {root}; choose a folder such as {root / 'public'}"
    )
    assert snapshot(root) == before


def test_output_inside_content_or_an_ancestor_is_a_usage_error(make_site: MakeSite) -> None:
    root = make_site()
    for output in (root / "content", root.parent, root / "content" / "public"):
        result = run_cli("--root", root, "--output", output)
        assert result.returncode == 2, output
        assert result.stderr.startswith(f"error: --output {output}"), result.stderr


def test_root_that_does_not_exist_or_lacks_content_is_a_usage_error(tmp_path: Path) -> None:
    missing = run_cli("--root", tmp_path / "nowhere")
    assert (missing.returncode, missing.stderr) == (2, f"error: --root {tmp_path / 'nowhere'}: no such folder\n")
    empty = run_cli("--root", tmp_path)
    assert empty.returncode == 2
    assert "no content/articles/ folder here" in empty.stderr


def test_help_exits_0() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "build" in result.stdout and "serve" in result.stdout and "check" in result.stdout and "new" in result.stdout


def test_failed_build_leaves_the_previous_output_exactly_as_it_was(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/articles/other.md": article("Other", "2026-02-01", tags="[Ports]")})
    output = tmp_path / "out"
    assert run_cli("--root", root, "--output", output, "--now", NOW_TEXT).returncode == 0
    before = tree(output)
    write_files(
        root,
        {
            "content/articles/other.md": article("Other, edited", "2026-02-01", tags="[Ports]"),
            "content/articles/broken.md": article("Broken", "2026-02-03", author="simon-malla"),
        },
    )
    result = run_cli("--root", root, "--output", output, "--now", NOW_TEXT)
    assert result.returncode == 1
    assert tree(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", root.name]  # no staging folder left behind


def test_failed_render_leaves_the_previous_output_exactly_as_it_was(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    output = tmp_path / "out"
    assert run_cli("--root", root, "--output", output).returncode == 0
    before = tree(output)
    write_files(
        root,
        {"templates/article.html": "{% extends 'base.html' %}\n{% block main %}{{ article.nope.x }}{% endblock %}\n"},
    )
    result = run_cli("--root", root, "--output", output)
    assert result.returncode == 1
    assert (
        result.stderr.splitlines()[0]
        == "templates/article.html:2: template error: UndefinedError: 'dict object' has no attribute 'nope'"
    )
    assert tree(output) == before


# --- the contract's URL table, on a site root holding only content/ ----------------------------


def content_only_site(root: Path) -> Path:
    """21 articles (one more than a page) by one author for one company in one section, topic and region, plus a page."""
    files: dict[str, str] = {
        "content/authors/simon-malia.md": AUTHOR.replace("role: Reporter", "role: Reporter\ncompany: quayside-tools"),
        "content/companies/quayside-tools.md": "---\nname: Quayside Tools\n---\nTools for ports.\n",
        "content/pages/about.md": "---\ntitle: About Quayside News\n---\nWho we are.\n",
    }
    for n in range(21):
        day = NOW - timedelta(days=n * 3 + 1)
        files[f"content/articles/story-{n:02d}.md"] = article(
            f"Quayside story {n}", f"{day:%Y-%m-%d %H:%M}", tags="[Ports]", region="North East"
        )
    files["content/articles/news.md"] = article("A news story", "2026-01-15", section="news", tags="[Ports]")
    return write_files(root, files)


@pytest.fixture(scope="module")
def content_only(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The content-only site root and its build."""
    base = tmp_path_factory.mktemp("content-only")
    root = content_only_site(base / "site")
    output = base / "out"
    result = run_cli("--root", root, "--output", output, "--now", NOW_TEXT, "-q")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in root.iterdir()) == [".byline-cache", "content"]
    return root, output


@pytest.fixture(scope="module")
def content_only_build(content_only: tuple[Path, Path]) -> Path:
    return content_only[1]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/page/2/",
        "/articles/2026/03/01/quayside-story-0/",
        "/members-news/",
        "/members-news/page/2/",
        "/news/",
        "/authors/",
        "/authors/simon-malia/",
        "/authors/simon-malia/page/2/",
        "/companies/",
        "/companies/quayside-tools/",
        "/companies/quayside-tools/page/2/",
        "/topics/",
        "/topics/ports/",
        "/topics/ports/page/2/",
        "/regions/north-east/",
        "/regions/north-east/page/2/",
        "/archive/",
        "/archive/2026/",
        "/archive/2026/03/",
        "/archive/2025/12/",
        "/search/",
        "/about/",
        "/feed.xml",
        "/members-news/feed.xml",
        "/news/feed.xml",
        "/authors/simon-malia/feed.xml",
        "/companies/quayside-tools/feed.xml",
        "/topics/ports/feed.xml",
        "/sitemap.xml",
        "/news-sitemap.xml",
        "/robots.txt",
        "/404.html",
        "/static/css/style.css",
        "/.well-known/byline.json",
    ],
)
def test_content_only_site_has_every_contract_url(content_only_build: Path, url: str) -> None:
    path = content_only_build / url.lstrip("/")
    if url.endswith("/"):
        path = path / "index.html"
    assert path.is_file(), url
    assert path.stat().st_size > 0


def test_content_only_site_has_no_page_1(content_only_build: Path) -> None:
    assert list(content_only_build.rglob("page/1")) == []


def test_same_input_gives_byte_identical_output(content_only: tuple[Path, Path], tmp_path: Path) -> None:
    root, first = content_only
    second = tmp_path / "second"
    assert run_cli("--root", root, "--output", second, "--now", NOW_TEXT, "--clean", "-q").returncode == 0
    assert snapshot(second) == snapshot(first)


def test_new_prints_the_path_of_a_draft_that_then_checks_cleanly(make_site: MakeSite) -> None:
    root = make_site()
    result = run_cli(
        "new",
        "Quayside Tools wins a port contract",
        "--author",
        "simon-malia",
        "--root",
        root,
        "--now",
        "2026-03-02 09:15",
    )
    assert result.returncode == 0, result.stderr
    path = root / "content/articles/2026/03/quayside-tools-wins-a-port-contract.md"
    assert result.stdout == f"{path}\n"
    assert "date: 2026-03-02 09:15\n" in path.read_text()
    check = run_cli("check", "--root", root, "--drafts")
    assert check.returncode == 0, check.stderr
    assert check.stdout == "No errors: 2 published articles, 1 author, 0 pages.\n"


def test_new_refuses_unknown_author_and_existing_file(make_site: MakeSite) -> None:
    root = make_site()
    unknown = run_cli("new", "Title", "--author", "simon-malla", "--root", root)
    assert unknown.returncode == 2
    assert (
        unknown.stderr
        == "error: unknown author 'simon-malla': no content/authors/simon-malla.md; did you mean 'simon-malia'?\n"
    )
    first = run_cli("new", "Title", "--author", "simon-malia", "--root", root, "--now", "2026-03-02 09:15")
    again = run_cli("new", "Title", "--author", "simon-malia", "--root", root, "--now", "2026-03-02 09:15")
    assert first.returncode == 0
    assert again.returncode == 2
    assert again.stderr.endswith("already exists; choose another title or give --slug\n")
