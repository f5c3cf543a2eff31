"""What a build publishes for editors' workflows: schedule marker, redirects, corrections and updates."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import feedparser

from tests.conftest import MakeSite
from tests.helpers import article, build_site, check_site, run_cli, snapshot

MARKER = ".well-known/byline.json"
DEPOT = "articles/2026/03/01/quayside-tools-opens-a-depot/index.html"
CORRECTED = article(
    updated="2026-03-01 15:00",
    corrections="\n  - date: 2026-03-02 10:00\n    note: An earlier version gave the wrong size.",
)


def marker(output: Path) -> dict[str, object]:
    return json.loads((output / MARKER).read_text())


def json_ld(page: str) -> list[dict[str, object]]:
    return [json.loads(m) for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def text_of(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.chunks).split())


# --- scheduling -------------------------------------------------------------------------------


def test_marker_holds_the_next_build_time_in_utc(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/articles/later.md": article("Results day", "2026-04-01 07:00")})
    output = build_site(root, tmp_path / "out").output
    assert marker(output)["next_build_at"] == "2026-04-01T06:00:00+00:00"


def test_marker_never_reveals_the_waiting_article(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/articles/later.md": article("Embargoed merger news", "2026-04-01 07:00")})
    output = build_site(root, tmp_path / "out").output
    assert b"embargoed" not in (output / MARKER).read_bytes().lower()
    assert b"later.md" not in (output / MARKER).read_bytes()


def test_marker_has_no_next_build_when_nothing_waits(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/articles/d.md": article("Draft", "2026-04-01", draft="true")})
    assert "next_build_at" not in marker(build_site(root, tmp_path / "out").output)
    root = make_site({"content/articles/later.md": article("Results day", "2026-04-01 07:00")})
    assert "next_build_at" not in marker(build_site(root, tmp_path / "future", future=True).output)


def test_marker_and_redirects_are_byte_identical_for_the_same_clock(make_site: MakeSite, tmp_path: Path) -> None:
    files = {
        "content/articles/later.md": article("Results day", "2026-04-01 07:00"),
        "content/articles/quayside.md": article(aliases="[/old/b/, /old/a/]"),
    }
    root = make_site(files)
    args = ("--root", root, "--now", "2026-03-02 12:00", "--clean", "-q")
    assert run_cli(*args, "--output", tmp_path / "one").returncode == 0
    assert run_cli(*args, "--output", tmp_path / "two").returncode == 0
    for name in (MARKER, "_redirects"):
        assert snapshot(tmp_path / "one")[name] == snapshot(tmp_path / "two")[name]


# --- redirects ----------------------------------------------------------------------------------


def test_every_alias_gets_a_redirects_rule_and_a_redirect_page(make_site: MakeSite, tmp_path: Path) -> None:
    text = article(aliases="[/articles/2026/03/01/quayside-depot/, /old/depot.html]")
    output = build_site(make_site({"content/articles/quayside.md": text}), tmp_path / "out").output
    assert (output / "_redirects").read_text() == (
        "# Old URLs (the 'aliases' of articles) and where they moved. Written by Byline; edits are overwritten.\n"
        "/articles/2026/03/01/quayside-depot/ /articles/2026/03/01/quayside-tools-opens-a-depot/ 301\n"
        "/old/depot.html /articles/2026/03/01/quayside-tools-opens-a-depot/ 301\n"
    )
    for page in ("articles/2026/03/01/quayside-depot/index.html", "old/depot.html"):
        html = (output / page).read_text()
        target = "/articles/2026/03/01/quayside-tools-opens-a-depot/"
        assert f'<meta http-equiv="refresh" content="0; url={target}">' in html
        assert f'<link rel="canonical" href="http://localhost:8000{target}">' in html
        assert f'<a href="{target}">Quayside Tools opens a depot</a>' in html


def test_redirect_rules_carry_the_base_path(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/articles/quayside.md": article(aliases="[/old/depot/]")})
    output = build_site(root, tmp_path / "out", base_url="https://example.com/news").output
    assert (output / "_redirects").read_text().splitlines()[1] == (
        "/news/old/depot/ /news/articles/2026/03/01/quayside-tools-opens-a-depot/ 301"
    )


def test_unpublished_articles_get_no_redirect_rules(make_site: MakeSite, tmp_path: Path) -> None:
    draft = article("Draft", "2026-02-01", aliases="[/old/draft/]", draft="true")
    output = build_site(make_site({"content/articles/d.md": draft}), tmp_path / "out").output
    assert "/old/draft/" not in (output / "_redirects").read_text()
    assert not (output / "old").exists()


def test_an_alias_taking_a_real_url_is_an_error_naming_both_files(make_site: MakeSite) -> None:
    other = article("Harbour crane", "2026-02-10", aliases="[/articles/2026/03/01/quayside-tools-opens-a-depot/]")
    root = make_site({"content/articles/crane.md": other})
    assert [p.format() for p in check_site(root).problems] == [
        "content/articles/crane.md:5: alias /articles/2026/03/01/quayside-tools-opens-a-depot/ is also used by"
        " content/articles/quayside.md:2",
        "content/articles/quayside.md:2: URL /articles/2026/03/01/quayside-tools-opens-a-depot/ is also used by"
        " content/articles/crane.md:5",
    ]


# --- corrections and updates ----------------------------------------------------------------------


def test_corrections_show_on_the_page_in_structured_data_and_in_the_feed(make_site: MakeSite, tmp_path: Path) -> None:
    output = build_site(make_site({"content/articles/quayside.md": CORRECTED}), tmp_path / "out").output
    page = (output / DEPOT).read_text()
    box = re.search(r'<section[^>]*id="byline--corrections".*?</section>', page, re.S)
    assert box is not None
    assert '<time datetime="2026-03-02T10:00:00+00:00">2 March 2026</time>' in box.group(0)
    assert "An earlier version gave the wrong size." in text_of(box.group(0))
    article_data = next(d for d in json_ld(page) if d["@type"] == "NewsArticle")
    assert article_data["dateModified"] == "2026-03-02T10:00:00+00:00"
    assert article_data["correction"] == [
        {
            "@type": "CorrectionComment",
            "datePublished": "2026-03-02T10:00:00+00:00",
            "text": "An earlier version gave the wrong size.",
        }
    ]
    entry = feedparser.parse((output / "feed.xml").read_bytes()).entries[0]
    assert entry.updated == "2026-03-02T10:00:00+00:00"
    assert "An earlier version gave the wrong size." in entry.content[0].value


def test_updated_without_a_correction_shows_updated_and_sets_modified(make_site: MakeSite, tmp_path: Path) -> None:
    text = article(updated="2026-03-02 08:30")
    output = build_site(make_site({"content/articles/quayside.md": text}), tmp_path / "out").output
    page = (output / DEPOT).read_text()
    assert "Updated 2 March 2026" in text_of(page)
    assert 'id="byline--corrections"' not in page
    assert next(d for d in json_ld(page) if d["@type"] == "NewsArticle")["dateModified"] == "2026-03-02T08:30:00+00:00"
    assert feedparser.parse((output / "feed.xml").read_bytes()).entries[0].updated == "2026-03-02T08:30:00+00:00"


def test_a_correction_without_a_note_is_an_error(make_site: MakeSite) -> None:
    text = article(corrections="\n  - date: 2026-03-02")
    assert [p.format() for p in check_site(make_site({"content/articles/quayside.md": text})).problems] == [
        "content/articles/quayside.md:6: each correction needs a 'date' and a 'note'"
    ]
