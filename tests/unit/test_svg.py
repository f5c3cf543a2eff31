"""byline.site.svg: SVG files that could run script on the site's origin are refused at their lines."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from byline.site.svg import svg_problems, unsafe_svgs
from tests.conftest import MakeSite
from tests.helpers import check_site, messages

HINT = "a picture needs none: remove it, or export the picture again as plain SVG"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">\n{}\n</svg>\n'


def problems_of(tmp_path: Path, inner: str, name: str = "x.svg") -> list[str]:
    path = tmp_path / name
    path.write_text(SVG.format(inner), encoding="utf-8")
    return [f"{p.line}: {p.message.removesuffix('; ' + HINT)}" for p in svg_problems(f"static/{name}", path)]


@pytest.mark.parametrize(
    ("inner", "problem"),
    [
        (
            "<script>alert(document.cookie)</script>",
            "SVG has a <script> element, which can run script when the file is opened",
        ),
        (
            '<html:script xmlns:html="http://www.w3.org/1999/xhtml">alert(1)</html:script>',
            "SVG has a <script> element, which can run script when the file is opened",
        ),
        (
            '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>',
            "SVG has a <foreignObject> element, which can run script when the file is opened",
        ),
        ('<rect width="5" height="5" onload="alert(1)"/>', "SVG has an event handler (onload=...), which runs script"),
        (
            '<rect width="5" height="5" ONCLICK="alert(1)"/>',
            "SVG has an event handler (ONCLICK=...), which runs script",
        ),
        (
            '<a xlink:href="javascript:alert(1)"><text>x</text></a>',
            "SVG has a script address in href=..., which runs script",
        ),
        (
            '<a href="java&#x09;script:alert(1)"><text>x</text></a>',
            "SVG has a script address in href=..., which runs script",
        ),
        (
            '<a href=" JavaScript:alert(1)"><text>x</text></a>',
            "SVG has a script address in href=..., which runs script",
        ),
        (
            '<animate attributeName="href" values="javascript:alert(1)"/>',
            "SVG has a script address in values=..., which runs script",
        ),
        (
            '<set attributeName="onmouseover" to="alert(1)"/>',
            "SVG animates the event handler onmouseover, which runs script",
        ),
        ("<handler>alert(1)</handler>", "SVG has a <handler> element, which can run script when the file is opened"),
    ],
)
def test_anything_that_runs_script_is_refused_at_its_line(tmp_path: Path, inner: str, problem: str) -> None:
    assert problems_of(tmp_path, inner) == [f"2: {problem}"]


def test_an_xslt_stylesheet_and_entities_hiding_a_script_address_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.svg"
    path.write_text(
        '<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="page.xsl"?>\n'
        '<!DOCTYPE svg [<!ENTITY js "javascript">]>\n'
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="&js;:alert(1)"><text>x</text></a></svg>\n'
    )
    assert [(p.line, p.message.split(";")[0]) for p in svg_problems("static/x.svg", path)] == [
        (2, "SVG asks for an XSLT stylesheet, which can turn it into a page with scripts"),
        (4, "SVG has a script address in href=..., which runs script"),
    ]


def test_a_plain_picture_passes_with_its_doctype_entities_styles_and_links(tmp_path: Path) -> None:
    inner = (
        "<style>rect { fill: #c00 }</style>\n"
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>\n'
        '<use xlink:href="#g"/><a href="https://example.com/"><text font-family="sans-serif">Logo</text></a>\n'
        '<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>\n'
        '<animate attributeName="opacity" values="0;1" dur="1s"/>'
    )
    assert problems_of(tmp_path, inner) == []
    illustrator = tmp_path / "ai.svg"
    illustrator.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [<!ENTITY ns_svg "http://www.w3.org/2000/svg">]>\n'
        '<svg xmlns="&ns_svg;" width="4" height="4"><rect width="4" height="4"/></svg>\n'
    )
    assert svg_problems("static/ai.svg", illustrator) == []


def test_a_compressed_svg_is_read_uncompressed_and_a_broken_one_refused(tmp_path: Path) -> None:
    (tmp_path / "x.svgz").write_bytes(gzip.compress(SVG.format("<script>x</script>").encode()))
    assert [p.line for p in svg_problems("static/x.svgz", tmp_path / "x.svgz")] == [2]
    (tmp_path / "broken.svg").write_text("<svg><script>alert(1)</svg>")
    assert [p.format() for p in svg_problems("static/broken.svg", tmp_path / "broken.svg")] == [
        "static/broken.svg:1: SVG has a <script> element, which can run script when the file is opened; " + HINT,
        "static/broken.svg:1: not well-formed XML (mismatched tag); refused",
    ]


def test_only_svg_files_are_read(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_text("<script>not svg</script>")
    (tmp_path / "x.SVG").write_text(SVG.format("<script/>"))
    assert [p.path for p in unsafe_svgs({"a/page.txt": tmp_path / "page.txt", "a/x.SVG": tmp_path / "x.SVG"})] == [
        "static/a/x.SVG"
    ]


def test_check_refuses_a_static_svg_that_runs_script(make_site: MakeSite) -> None:
    # Regression (issue 16, defect 13): static/images/x.svg with <script> was published and ran on the site's origin.
    root = make_site({"static/images/chart.svg": SVG.format("<script>fetch('/x?'+document.cookie)</script>")})
    assert messages(check_site(root).problems) == [
        f"static/images/chart.svg:2: SVG has a <script> element, which can run script when the file is opened; {HINT}"
    ]
