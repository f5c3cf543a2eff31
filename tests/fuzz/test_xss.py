"""Hostile member HTML and front matter cannot reach the built page: no script, no handlers, no breakout.

Checked on the pages a build writes (the article page and the Atom feed), against the same
article built with a harmless body: whatever the member wrote, the page outside the article
body has exactly the theme's elements, and inside it only the sanitiser's allowed ones.
"""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

import pytest

from byline.content.markup import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, THEME_ID_PREFIX
from tests.conftest import MakeSite
from tests.helpers import AUTHOR, AUTHOR_PATH, article, build_site, check_site, write_files

PAGE = "articles/2026/03/01/quayside-tools-opens-a-depot/index.html"
# What the build adds to body elements after sanitising: lazy loading and sizes for images,
# the section's rel policy for links. Theme-made, never member-made.
ADDED_BY_BUILD = {"loading", "decoding", "srcset", "sizes", "rel", "target"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "data", "xlink:href", "background"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
MARKER = "AFTER-BREAKOUT"

ATTACKS = {
    "script": "<script>alert(1)</script>",
    "script-in-comment": "<!-- x --><script>alert(1)</script><!-- -->",
    "img-onerror": '<img src="/static/x.png" onerror="alert(1)">',
    "event-attributes": '<p onclick="alert(1)" onmouseover=alert(1)>hover</p><a href="/" onfocus="alert(1)">x</a>',
    "attr-list-handler": 'Para\n{: onclick="alert(1)" style="position:fixed" }',
    "javascript-link": '<a href="javascript:alert(1)">x</a> [y](javascript:alert(1)) <a href="JaVaScRiPt:alert(1)">z</a>',
    "obfuscated-javascript": '<a href="java&#x09;script:alert(1)">a</a><a href=" javascript:alert(1)">b</a>'
    '<a href="&#106;avascript:alert(1)">c</a>',
    "data-urls": '<img src="data:image/svg+xml;base64,PHN2Zy8+"> [d](data:text/html,<script>alert(1)</script>)'
    ' <a href="data:text/html;base64,PHNjcmlwdD4=">e</a>',
    "vbscript": '<a href="vbscript:msgbox(1)">v</a>',
    "iframe-object-embed": '<iframe src="https://evil.test/"></iframe><object data="x.swf"></object><embed src="x.swf">',
    "style": '<style>body{display:none}</style><div style="position:fixed;top:0">cover</div>',
    "svg-script": '<svg onload="alert(1)"><script>alert(1)</script><a xlink:href="javascript:alert(1)">s</a></svg>',
    "math": "<math><mtext><table><mglyph><style><img src=/static/x.png onerror=alert(1)>",
    "breakout": "</div></article></main><script>alert(1)</script><footer>fake</footer>",
    "base-meta-link-form": '<base href="https://evil.test/"><meta http-equiv="refresh" content="0;url=https://evil.test/">'
    '<link rel="stylesheet" href="https://evil.test/x.css"><form action="https://evil.test/"><input name="q">'
    '<button formaction="javascript:alert(1)">go</button></form>',
    "mutation-noscript": '<noscript><p title="</noscript><img src=/static/x.png onerror=alert(1)>"></noscript>',
    "theme-classes": '<div class="banner banner-draft">Fake banner</div><p id="main" class="skip-link">x</p>',
    "theme-ids": '<h2 id="byline--main">x</h2><h2 id="byline--corrections">y</h2>\n\n## Main {#byline--main}\n\n'
    '<ol><li value=" id=" id="byline--author-heading">z</li></ol>\n\n## Main\n\n## Main',
    "template-syntax": "{{ site.base_url }} {% raw %} {{ 7*7 }}",
}


class Page(HTMLParser):
    """Every element of a page, split into those inside the article body and those outside."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.body_depth: int | None = None
        self.inside: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.outside: list[str] = []
        self.all: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self.body_text: list[str] = []
        self.other_text: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.all.append((tag, attrs))
        if self.body_depth is not None:
            self.inside.append((tag, attrs))
        else:
            self.outside.append(tag)
        if tag == "div" and ("class", "article-body") in attrs and self.body_depth is None:
            self.body_depth = len(self.stack)
        if tag == "script":
            self._script = []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass
        if self.body_depth is not None and len(self.stack) <= self.body_depth:
            self.body_depth = None
            self.outside.append("/article-body")

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        (self.body_text if self.body_depth is not None else self.other_text).append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def assert_nothing_runs(page: Page) -> None:
    """No script but JSON-LD data, no event handler, no script URL anywhere on the page."""
    for script in page.scripts:
        json.loads(script)  # JSON-LD only: member text cannot end the element early
    for tag, attrs in page.all:
        if tag == "script":
            assert ("type", "application/ld+json") in attrs, attrs
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name in URL_ATTRIBUTES:
                squeezed = "".join((value or "").split()).lower()
                assert not squeezed.startswith(BAD_SCHEMES), (tag, name, value)


def assert_only_allowed_in_body(page: Page) -> None:
    for tag, attrs in page.inside:
        assert tag in ALLOWED_TAGS, tag
        for name, _ in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"class"} | ADDED_BY_BUILD, (tag, name)
            if name == "class":
                assert tag in ("a", "div"), tag  # only the footnote classes Markdown emits


@pytest.fixture(scope="module")
def harmless(tmp_path_factory: pytest.TempPathFactory) -> Page:
    """The article page with a harmless body: the theme's own elements, for comparison."""
    root = tmp_path_factory.mktemp("harmless")
    write_files(root, {AUTHOR_PATH: AUTHOR, "content/articles/quayside.md": article(body=f"Hello.\n\n{MARKER}")})
    output = build_site(root, root.parent / "harmless-out").output
    return parse((output / PAGE).read_text())


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_hostile_body_cannot_reach_the_page(make_site: MakeSite, tmp_path: Path, harmless: Page, attack: str) -> None:
    body = f"Hello.\n\n{ATTACKS[attack]}\n\n{MARKER}"
    files = {"content/articles/quayside.md": article(body=body), "static/x.png": PNG}
    output = build_site(make_site(files), tmp_path / "out").output
    page = parse((output / PAGE).read_text())
    assert_nothing_runs(page)
    assert_only_allowed_in_body(page)
    assert page.outside == harmless.outside  # the theme's structure, element for element
    ids = [value for _, attrs in page.all for name, value in attrs if name == "id"]
    assert len(ids) == len(set(ids)), ids  # no id of the theme's taken, none repeated
    assert not [v for _, attrs in page.inside for n, v in attrs if n == "id" and (v or "").startswith(THEME_ID_PREFIX)]
    assert MARKER not in " ".join(page.other_text)  # what follows the attack never lands outside the body
    feed = ElementTree.parse(output / "feed.xml").getroot()
    content = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content")
    assert content is not None and content.text is not None
    in_feed = parse(content.text)
    assert_nothing_runs(in_feed)
    assert [
        t for t, _ in in_feed.all if t in ("script", "iframe", "style", "object", "embed", "form", "svg", "base")
    ] == []


PNG = base64.b64decode(  # a 1x1 picture, for attacks that need a real image
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
HOSTILE_TEXT = '</script><script>alert(1)</script>"><img src=/static/x.png onerror=alert(1)>{{ 7*7 }}'


@pytest.mark.parametrize("key", ["title", "summary", "image_alt", "image_credit", "region"])
def test_hostile_front_matter_text_is_escaped_everywhere(
    make_site: MakeSite, tmp_path: Path, harmless: Page, key: str
) -> None:
    keys = {key: json.dumps(HOSTILE_TEXT), "slug": "quayside-tools-opens-a-depot"}
    if key.startswith("image"):
        keys = {"image": "/static/images/depot.png", "image_alt": "Depot", **keys}
    files: dict[str, str | bytes] = {"content/articles/quayside.md": article(body=f"Hello.\n\n{MARKER}", **keys)}
    if "image" in keys:
        files["static/images/depot.png"] = PNG
    output = build_site(make_site(files), tmp_path / "out").output
    for name in (PAGE, "index.html"):
        page = parse((output / name).read_text())
        assert_nothing_runs(page)
        assert not [t for t, a in page.all if t == "img" and ("src", "x") in a]
    assert "49" not in (output / PAGE).read_text().split("{{ 7*7 }}")[0][-5:]  # not evaluated as a template
    ElementTree.parse(output / "feed.xml")


def test_hostile_author_name_and_bio_are_escaped(make_site: MakeSite, tmp_path: Path) -> None:
    profile = f"---\nname: {json.dumps(HOSTILE_TEXT)}\n---\nBio <script>alert(1)</script>\n"
    output = build_site(make_site({"content/authors/simon-malia.md": profile}), tmp_path / "out").output
    for name in (PAGE, "authors/simon-malia/index.html", "authors/index.html"):
        assert_nothing_runs(parse((output / name).read_text()))


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", 'https://example.com/" onmouseover="alert(1)', "data:text/html,x"]
)
def test_author_links_that_are_not_web_addresses_are_refused(make_site: MakeSite, link: str) -> None:
    profile = f"---\nname: Simon Malia\nlinks: {{site: {json.dumps(link)}}}\n---\nBio.\n"
    problems = check_site(make_site({"content/authors/simon-malia.md": profile})).problems
    assert [p.format() for p in problems if p.path.startswith("content/authors")] == [
        "content/authors/simon-malia.md:3: link 'site' must be an http(s) or mailto: address"
    ]
