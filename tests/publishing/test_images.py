"""Pictures: sized so nothing shifts, responsive renditions made once, lazy below the fold, checked."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from byline.errors import BuildFailed
from byline.site import images
from tests.conftest import MakeSite
from tests.helpers import article, build_site, check_site, messages, snapshot
from tests.publishing.dom import Element, parse
from tests.publishing.sample import CARRICK, SampleSite, picture

ARTICLE = "content/articles/quayside.md"
PAGE = "articles/2026/03/01/quayside-tools-opens-a-depot/index.html"
BODY = "Quayside Tools has opened a depot.\n\nInside the depot:\n\n![Racks of tools](/static/images/racks.png)\n"


def site_with_pictures(make_site: MakeSite, lead: tuple[int, int] = (1600, 900), **files: str | bytes) -> Path:
    return make_site(
        {
            ARTICLE: article(image="/static/images/depot.jpg", image_alt="The new depot", body=BODY),
            "static/images/depot.jpg": picture(*lead),
            "static/images/racks.png": picture(900, 600, "PNG"),
            **files,
        }
    )


def srcset_widths(img: Element) -> list[int]:
    return [int(part.split()[1].removesuffix("w")) for part in img.attrs["srcset"].split(",")]


def test_lead_image_is_sized_responsive_preloaded_and_never_lazy(make_site: MakeSite) -> None:
    out = build_site(site_with_pictures(make_site)).output
    page = parse(out / PAGE)
    img = page.one("figure", "lead-image").one("img")
    assert (img.attrs["width"], img.attrs["height"]) == ("1600", "900")
    assert srcset_widths(img) == [400, 800, 1200, 1600]
    assert img.attrs["fetchpriority"] == "high" and "loading" not in img.attrs
    preload = page.one("link", rel="preload")
    assert preload.attrs["as"] == "image"
    assert preload.attrs["imagesrcset"] == img.attrs["srcset"]
    assert preload.attrs["imagesizes"] == img.attrs["sizes"]
    for part in img.attrs["srcset"].split(","):
        url, width = part.split()
        assert (out / url.lstrip("/")).stat().st_mode & 0o444 == 0o444, f"{url} is not readable by a web server"
        with Image.open(out / url.lstrip("/")) as rendition:
            assert rendition.width == int(width.removesuffix("w"))
            assert abs(rendition.height - rendition.width * 9 / 16) <= 1


def test_inline_images_are_sized_and_lazy(make_site: MakeSite) -> None:
    out = build_site(site_with_pictures(make_site)).output
    img = parse(out / PAGE).one("div", "article-body").one("img")
    assert img.attrs["alt"] == "Racks of tools"
    assert (img.attrs["width"], img.attrs["height"]) == ("900", "600")
    assert img.attrs["loading"] == "lazy" and img.attrs["decoding"] == "async"
    assert srcset_widths(img) == [400, 800, 900]
    assert img.attrs["src"] == "/static/images/racks.png"


def test_cards_carry_the_lead_image_size_too(make_site: MakeSite) -> None:
    out = build_site(site_with_pictures(make_site)).output
    img = parse(out / "members-news/index.html").one("img", "card-image")
    assert (img.attrs["width"], img.attrs["height"]) == ("1600", "900")
    assert img.attrs["loading"] == "lazy" and srcset_widths(img) == [400, 800, 1200, 1600]


def test_sample_lead_image_is_sized_with_renditions(sample: SampleSite) -> None:
    img = sample.page(CARRICK).one("figure", "lead-image").one("img")
    assert (img.attrs["width"], img.attrs["height"]) == ("1200", "675")
    assert srcset_widths(img) == [400, 800, 1200]
    for part in img.attrs["srcset"].split(","):
        assert sample.path_of(part.split()[0]).is_file()


def test_a_missing_lead_image_is_an_error_at_its_line(make_site: MakeSite) -> None:
    root = make_site({ARTICLE: article(image="/static/images/gone.jpg", image_alt="Gone")})
    problems = messages(check_site(root).problems)
    assert problems == [
        f"{ARTICLE}:5: image /static/images/gone.jpg not found: no static/images/gone.jpg in the site or the theme"
    ]
    with pytest.raises(BuildFailed):
        build_site(root)


def test_a_missing_inline_image_is_an_error_at_the_line_naming_it(make_site: MakeSite) -> None:
    body = "First paragraph.\n\nSecond paragraph.\n\n![A chart](/static/images/chart.png)\n"
    root = make_site({ARTICLE: article(body=body)})
    assert messages(check_site(root).problems) == [
        f"{ARTICLE}:10: image /static/images/chart.png not found: no static/images/chart.png in the site or the theme"
    ]


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ('Fix the x axis.\n\n<img src="x" alt="A chart">\n', 8),
        ("See x.\n\n![A chart](x)\n", 8),
        ('See x.\n\n![A chart](x "The chart")\n', 8),
        ("See x.\n\n![A chart][c]\n\n[c]: x\n", 10),
        ("See <img alt='x' src='x'>.\n", 6),
    ],
    ids=["html", "markdown", "markdown-title", "reference", "single-quotes"],
)
def test_an_inline_image_error_is_on_the_line_of_its_address(make_site: MakeSite, body: str, line: int) -> None:
    # Regression (issue 16, defect 15): reported on the first line holding "x" anywhere (the title's, line 2).
    root = make_site({ARTICLE: article(title="Quayside fixes its boxes", body=body)})
    assert messages(check_site(root).problems) == [
        f"{ARTICLE}:{line}: image x is not under /static/: write image paths like /static/images/photo.jpg"
    ]


def test_a_missing_avatar_is_an_error_at_its_line(make_site: MakeSite) -> None:
    # Regression (issue 16, defect 15): a missing avatar was not reported at all.
    author = "---\nname: Simon Malia\nrole: Reporter\navatar: /static/authors/simon.png\n---\nBio.\n"
    root = make_site({"content/authors/simon-malia.md": author})
    assert messages(check_site(root).problems) == [
        "content/authors/simon-malia.md:4: image /static/authors/simon.png not found: no static/authors/simon.png"
        " in the site or the theme"
    ]
    with pytest.raises(BuildFailed):
        build_site(root)
    root = make_site({"content/authors/simon-malia.md": author, "static/authors/simon.png": picture(64, 64, "PNG")})
    assert messages(check_site(root).problems) == []


def test_an_image_outside_static_is_an_error(make_site: MakeSite) -> None:
    root = make_site({ARTICLE: article(image="/images/depot.jpg", image_alt="Depot")})
    [problem] = messages(check_site(root).problems)
    assert problem.startswith(f"{ARTICLE}:5: image /images/depot.jpg is not under /static/")


def test_a_small_lead_image_is_a_warning_and_still_builds(make_site: MakeSite) -> None:
    root = site_with_pictures(make_site, lead=(200, 200))
    [problem] = check_site(root).problems
    assert problem.severity == "warning"
    assert problem.format().startswith(f"{ARTICLE}:5: warning: lead image /static/images/depot.jpg is 200×200")
    assert "50,000 pixels" in problem.message
    result = build_site(root)
    assert [w.message for w in result.warnings] == [problem.message]


def test_an_inline_image_of_any_size_is_fine(make_site: MakeSite) -> None:
    root = make_site({ARTICLE: article(body=BODY), "static/images/racks.png": picture(60, 40, "PNG")})
    assert check_site(root).problems == []


def test_svg_is_sized_from_its_attributes_without_renditions(make_site: MakeSite) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360"><rect width="640" height="360"/></svg>'
    root = make_site(
        {
            ARTICLE: article(image="/static/images/map.svg", image_alt="A map"),
            "static/images/map.svg": svg,
        }
    )
    out = build_site(root).output
    img = parse(out / PAGE).one("figure", "lead-image").one("img")
    assert (img.attrs["width"], img.attrs["height"]) == ("640", "360")
    assert "srcset" not in img.attrs


def test_renditions_are_made_once_and_reused(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    root = site_with_pictures(make_site)
    first = build_site(root)
    made: list[str] = []
    original = images._write_rendition
    monkeypatch.setattr(images, "_write_rendition", lambda *a: made.append(a[2].url) or original(*a))
    second = build_site(root, first.output)
    assert made == [], "an unchanged picture's renditions come from the cache"
    clean = build_site(root, root.parent / "clean", clean=True)
    assert len(made) == 5, "--clean makes them afresh: three of the lead, two of the inline picture"
    assert snapshot(second.output) == snapshot(clean.output)


def test_a_changed_picture_gets_new_rendition_names(make_site: MakeSite) -> None:
    root = site_with_pictures(make_site)
    first = build_site(root)
    before = re.findall(r"/static/renditions/depot-[^ ,\"]+", (first.output / PAGE).read_text())
    (root / "static/images/depot.jpg").write_bytes(picture(1600, 900, "PNG"))  # same size, new content
    second = build_site(root, first.output)
    after = re.findall(r"/static/renditions/depot-[^ ,\"]+", (second.output / PAGE).read_text())
    assert before and after and not set(before) & set(after)
    assert all((second.output / url.lstrip("/")).is_file() for url in after)


def test_exif_rotation_is_applied_to_the_size(make_site: MakeSite) -> None:
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90°: stored 1000×800, shown 800×1000
    Image.new("RGB", (1000, 800), (10, 20, 30)).save(buffer, "JPEG", exif=exif)
    root = make_site(
        {
            ARTICLE: article(body="![Upright](/static/images/upright.jpg)\n"),
            "static/images/upright.jpg": buffer.getvalue(),
        }
    )
    out = build_site(root).output
    img = parse(out / PAGE).one("div", "article-body").one("img")
    assert (img.attrs["width"], img.attrs["height"]) == ("800", "1000")
    smallest = img.attrs["srcset"].split(",")[0].split()[0]
    with Image.open(out / smallest.lstrip("/")) as rendition:
        assert rendition.size == (400, 500)


def test_every_built_file_is_readable_by_a_web_server(sample: SampleSite) -> None:
    private = [p for p in sample.out.rglob("*") if p.is_file() and p.stat().st_mode & 0o444 != 0o444]
    assert not private, f"files a web server running as another user cannot read: {private[:5]}"


def test_a_missing_company_logo_is_an_error_at_its_line_even_without_articles(make_site: MakeSite) -> None:
    profile = "---\nname: Quayside Tools\nlogo: /static/companies/gone.png\nlogo_alt: Quayside Tools logo\n---\n"
    root = make_site({"content/companies/quayside-tools.md": profile})
    assert messages(check_site(root).problems) == [
        "content/companies/quayside-tools.md:3: image /static/companies/gone.png not found:"
        " no static/companies/gone.png in the site or the theme"
    ]


def test_a_company_logo_is_sized_where_it_is_shown(make_site: MakeSite) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 120"><rect width="160" height="120"/></svg>'
    profile = "---\nname: Quayside Tools\nlogo: /static/companies/quayside.svg\nlogo_alt: Quayside Tools logo\n---\n"
    root = make_site(
        {
            "content/companies/quayside-tools.md": profile,
            "static/companies/quayside.svg": svg,
            ARTICLE: article(company="quayside-tools"),
        }
    )
    out = build_site(root).output
    in_box = parse(out / PAGE).one("section", "company-box").one("img", "company-logo")
    on_page = parse(out / "companies/quayside-tools/index.html").one("img", "company-logo")
    in_list = parse(out / "companies/index.html").one("img", "company-logo")
    for img in (in_box, on_page, in_list):
        assert (img.attrs["src"], img.attrs["width"], img.attrs["height"]) == (
            "/static/companies/quayside.svg",
            "160",
            "120",
        )
    assert in_box.attrs["alt"] == on_page.attrs["alt"] == "Quayside Tools logo"
    assert in_list.attrs["alt"] == ""  # beside the company's name: nothing more to say
