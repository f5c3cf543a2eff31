"""byline.output.render: site templates over the built-in theme; template errors as path:line."""

from __future__ import annotations

import jinja2
import pytest

from byline.errors import BuildFailed
from byline.output.render import Renderer, make_environment
from byline.output.views import Shared
from byline.theme import THEME_TEMPLATES
from tests.conftest import MakeSite
from tests.helpers import article, build_site, messages

CUSTOM_PAGE = """\
{% extends "base.html" %}
{% block main %}
<p class="custom">Custom page: {{ content.title }}</p>
{% endblock %}
"""


def test_site_template_overrides_the_theme_file_of_the_same_name(make_site: MakeSite) -> None:
    root = make_site({"templates/page.html": CUSTOM_PAGE, "content/pages/about.md": "---\ntitle: About us\n---\nHi.\n"})
    renderer = Renderer(root)
    assert renderer.template_source("page.html") == root / "templates" / "page.html"
    assert renderer.template_source("article.html") == THEME_TEMPLATES / "article.html"
    result = build_site(root)
    about = (result.output / "about" / "index.html").read_text()
    assert '<p class="custom">Custom page: About us</p>' in about
    assert "<!doctype html>" in about.lower()  # the theme's base.html still wraps it
    article_page = (result.output / "articles/2026/03/01/quayside-tools-opens-a-depot/index.html").read_text()
    assert "Custom page" not in article_page and "Quayside Tools has opened a depot." in article_page


def test_site_text_template_overrides_robots(make_site: MakeSite) -> None:
    root = make_site({"templates/robots.txt": "User-agent: *\nDisallow: /\n"})
    result = build_site(root)
    assert (result.output / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"


def test_site_static_file_overrides_the_theme_file_of_the_same_path(make_site: MakeSite) -> None:
    root = make_site({"static/css/style.css": "body { color: black }\n", "static/images/depot.jpg": b"\xff\xd8jpeg"})
    result = build_site(root)
    assert (result.output / "static/css/style.css").read_text() == "body { color: black }\n"
    assert (result.output / "static/images/depot.jpg").read_bytes() == b"\xff\xd8jpeg"


def test_template_syntax_error_is_reported_as_path_and_line(make_site: MakeSite) -> None:
    root = make_site(
        {"templates/page.html": '{% extends "base.html" %}\n{% block main %}\n\n{% if %}\n{% endblock %}\n'}
    )
    with pytest.raises(BuildFailed) as failed:
        Renderer(root).render("page.html", {})
    assert messages(failed.value.errors) == [
        "templates/page.html:4: template error: Expected an expression, got 'end of statement block'"
    ]


def test_template_runtime_error_is_reported_as_path_and_line(make_site: MakeSite) -> None:
    root = make_site(
        {
            "templates/page.html": '{% extends "base.html" %}\n{% block main %}\n<h1>{{ content.title }}</h1>\n'
            "<p>{{ content.missing.deeper }}</p>\n{% endblock %}\n",
            "content/pages/about.md": "---\ntitle: About us\n---\nHi.\n",
        }
    )
    with pytest.raises(BuildFailed) as failed:
        build_site(root)
    assert messages(failed.value.errors) == [
        "templates/page.html:4: template error: UndefinedError: 'dict object' has no attribute 'missing'"
    ]


def test_error_in_an_included_template_names_that_file(make_site: MakeSite) -> None:
    root = make_site(
        {
            "templates/robots.txt": 'User-agent: *\n{% include "robots-extra.txt" %}\n',
            "templates/robots-extra.txt": "# extra\n{{ 1 // 0 }}\n",
        }
    )
    with pytest.raises(BuildFailed) as failed:
        Renderer(root).render("robots.txt", {})
    assert messages(failed.value.errors) == [
        "templates/robots-extra.txt:2: template error: ZeroDivisionError: integer division or modulo by zero"
    ]


def test_missing_template_is_reported(make_site: MakeSite) -> None:
    with pytest.raises(BuildFailed) as failed:
        Renderer(make_site()).render("nowhere.html", {})
    assert messages(failed.value.errors) == ["templates/nowhere.html:0: template not found: nowhere.html"]


def test_html_and_xml_are_autoescaped_text_is_not(make_site: MakeSite) -> None:
    root = make_site({"templates/x.html": "{{ v }}", "templates/x.xml": "{{ v }}", "templates/x.txt": "{{ v }}"})
    renderer = Renderer(root)
    for name, expected in (("x.html", b"&lt;b&gt; &amp;"), ("x.xml", b"&lt;b&gt; &amp;"), ("x.txt", b"<b> &")):
        assert renderer.render(name, {"v": "<b> &"}) == expected


def test_article_title_with_markup_is_escaped_in_every_output(make_site: MakeSite) -> None:
    root = make_site(
        {"content/articles/quayside.md": article(title="'Quayside <script>x()</script> & Co'", slug="quayside")}
    )
    result = build_site(root)
    for path in result.output.rglob("*"):
        if path.suffix in (".html", ".xml"):
            assert "<script>x()" not in path.read_text(), path


def test_undefined_variable_is_an_error_not_a_blank(make_site: MakeSite) -> None:
    root = make_site({"templates/x.html": "Hello {{ nobody }}\n"})
    with pytest.raises(BuildFailed) as failed:
        Renderer(root).render("x.html", {})
    assert messages(failed.value.errors) == [
        "templates/x.html:1: template error: UndefinedError: 'nobody' is undefined"
    ]


def test_a_templates_digest_follows_the_templates_it_imports(make_site: MakeSite) -> None:
    theme_only = Renderer(make_site())
    override = Renderer(make_site({"templates/partials/cards.html": "{% macro card_list(a) %}{% endmacro %}\n"}))
    assert theme_only.template_digest("index.html") != override.template_digest("index.html")
    assert theme_only.template_digest("page.html") == override.template_digest("page.html")


LOOKUPS = (
    "{{ v.title }}|{{ v['title'] }}|{{ v.items()|list|length }}|{{ v.get('title') }}|{{ v.keys()|list|length }}"
    "|{{ v.values is defined }}|{{ v.nested.name }}|{{ v.missing is defined }}|{{ v.missing2 | default('d') }}"
)


@pytest.mark.parametrize("make", [dict, Shared])
def test_view_lookups_give_what_plain_jinja_gives(make: type) -> None:
    """Reading a view's key first (a fast path) changes no result, not even for keys named like dict methods."""
    view = make(title="Depot", items="not the method", nested=make(name="Quay"))
    context = {"v": view}
    fast = make_environment([]).from_string(LOOKUPS).render(context)
    plain = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(LOOKUPS).render(context)
    assert fast == plain == "Depot|Depot|3|Depot|3|True|Quay|False|d"


def test_a_missing_key_is_still_a_strict_error() -> None:
    with pytest.raises(jinja2.UndefinedError, match="has no attribute 'headline'"):
        make_environment([]).from_string("{{ v.headline }}").render(v=Shared(title="x"))
