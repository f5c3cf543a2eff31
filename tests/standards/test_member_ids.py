"""Member text cannot take the theme's element ids: every id on an article page is unique and every link works.

The article's body names its headings after the theme's sections ("Main", "Corrections",
"Related articles", "Author"), sets the theme's ids by hand ({#main}, {#byline--corrections},
raw HTML), and its two authors' bios and its company's About text have footnotes and headings of
their own, the same in each.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from byline.content.markup import AUTHOR_BIO_ID_PREFIX, COMPANY_ABOUT_ID_PREFIX, THEME_ID_PREFIX
from tests.helpers import MEMBER_IDS_FILES, MEMBER_IDS_PAGE, build_site, write_files
from tests.publishing.dom import Element, parse

from .nu import NuChecker, describe, errors_of


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_files(tmp_path_factory.mktemp("member-ids") / "site", MEMBER_IDS_FILES)
    return build_site(root, root.parent / "public").output


@pytest.fixture(scope="module")
def page(built: Path) -> Element:
    return parse(built / MEMBER_IDS_PAGE)


def ids_in(element: Element) -> list[str]:
    return [e.attrs["id"] for e in element.iter() if "id" in e.attrs]


def test_every_id_on_the_page_is_unique(page: Element) -> None:
    repeated = [i for i, n in Counter(ids_in(page)).items() if n > 1]
    assert repeated == []


def test_the_skip_link_goes_to_the_main_element(page: Element) -> None:
    skip = page.one("a", "skip-link")
    target = skip.attrs["href"].removeprefix("#")
    assert [e.tag for e in page.iter() if e.attrs.get("id") == target] == ["main"]


def test_the_corrections_notice_goes_to_the_corrections_box(page: Element) -> None:
    notice = page.one("p", "correction-notice").one("a")
    target = notice.attrs["href"].removeprefix("#")
    [box] = [e for e in page.iter() if e.attrs.get("id") == target]
    assert box.tag == "section" and "corrections" in box.classes()
    assert "An earlier version gave the wrong size." in box.text


def test_member_headings_keep_readable_ids_outside_the_themes(page: Element) -> None:
    body = page.one("div", "article-body")
    headings = {e.text: e.attrs.get("id") for e in body.iter() if e.tag in ("h1", "h2")}
    assert headings == {
        "Main": "main_1",  # "main" is taken by {#main} below, as Python-Markdown numbers a repeat
        "Corrections": "corrections",
        "Related articles": "related-articles",
        "Author": "author",
        "Skip": "main",
        "Our own box": "member-byline--corrections",
        "Raw heading": "member-byline--main",
    }
    assert not [i for i in ids_in(body) if i.startswith(THEME_ID_PREFIX)]
    bios = page.find_all("div", "author-bio")
    assert len(bios) == 2
    for bio, slug in zip(bios, ("simon-malia", "ruth-calloway"), strict=True):
        assert ids_in(bio) and all(i.startswith(f"{AUTHOR_BIO_ID_PREFIX}{slug}-") for i in ids_in(bio))
    about = page.one("div", "company-about")
    assert ids_in(about) and all(i.startswith(COMPANY_ABOUT_ID_PREFIX) for i in ids_in(about))
    assert "member-byline--company-heading" in " ".join(ids_in(about))


def test_every_link_within_the_page_has_its_target(page: Element) -> None:
    ids = set(ids_in(page))
    fragments = [a.attrs["href"][1:] for a in page.find_all("a") if a.attrs.get("href", "").startswith("#")]
    assert {"fn:1", "fnref:1", "main", "member-byline--corrections", "main_1"} <= set(fragments)
    assert AUTHOR_BIO_ID_PREFIX + "simon-malia-fn:1" in fragments  # the bio's footnote, apart from the body's
    assert AUTHOR_BIO_ID_PREFIX + "ruth-calloway-fn:1" in fragments  # and from the other bio's
    assert COMPANY_ABOUT_ID_PREFIX + "fn:1" in fragments  # and the About text's
    assert [f for f in fragments if f not in ids] == []


@pytest.mark.nu
def test_the_page_has_no_html_errors(built: Path, nu_checker: NuChecker) -> None:
    files = [built / MEMBER_IDS_PAGE, built / "authors/simon-malia/index.html"]
    errors = errors_of(nu_checker(files, built))
    assert errors == [], "\n".join(describe(m) for m in errors)
