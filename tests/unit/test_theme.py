"""byline.theme: the built-in theme gives other sites its own assets only, never the sample site's files."""

from __future__ import annotations

import re
from pathlib import Path

from byline.content.markup import THEME_ID_PREFIX
from byline.output.assets import fingerprinted_name
from byline.theme import THEME, THEME_ASSETS, THEME_STATIC, THEME_TEMPLATES, static_files
from tests.conftest import MakeSite
from tests.helpers import article, build_site, check_site, messages

THEME_FILES = sorted(
    f"{asset}/{path.relative_to(THEME_STATIC / asset).as_posix()}"
    for asset in THEME_ASSETS
    for path in (THEME_STATIC / asset).rglob("*")
    if path.is_file()
)


def _published(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_the_theme_assets_are_what_its_templates_load() -> None:
    loaded = set()
    for template in (THEME / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        loaded |= set(re.findall(r"""(?:['"]|}})((?:css|icons|js)/[^'"]+)['"]""", text))
    assert loaded == {"css/style.css", "icons/favicon.svg", "js/search.js", "js/embed.js"}
    assert loaded <= set(THEME_FILES)


def test_a_content_only_site_publishes_the_theme_assets_and_nothing_of_the_sample_site(make_site: MakeSite) -> None:
    root = make_site()
    assert not (root / "static").exists()
    assert list(static_files(root)) == THEME_FILES
    result = build_site(root)
    static = result.output / "static"
    assert not (static / "images").exists()
    assert not (static / "authors").exists()
    scripts = [f for f in THEME_FILES if f.endswith((".css", ".js"))]  # only these get fingerprinted names
    fingerprinted = {fingerprinted_name(f, (THEME_STATIC / f).read_bytes()) for f in scripts}
    assert _published(static) == set(THEME_FILES) | fingerprinted


def test_a_site_stylesheet_overrides_the_theme_one_everywhere(make_site: MakeSite) -> None:
    own = b"body { color: black }\n"
    root = make_site({"static/css/style.css": own.decode()})
    assert static_files(root)["css/style.css"] == root / "static/css/style.css"
    assert static_files(root)["js/search.js"] == THEME_STATIC / "js/search.js"  # the rest still comes from the theme
    result = build_site(root)
    static = result.output / "static"
    assert (static / "css/style.css").read_bytes() == own
    name = fingerprinted_name("css/style.css", own)
    assert (static / name).read_bytes() == own
    page = (result.output / "articles/2026/03/01/quayside-tools-opens-a-depot/index.html").read_text()
    assert f'href="/static/{name}"' in page
    assert (static / "js/search.js").read_bytes() == (THEME_STATIC / "js/search.js").read_bytes()
    assert not (static / "images").exists()


def test_the_sample_site_publishes_its_own_pictures_and_avatars() -> None:
    files = static_files(THEME)
    sample = [p.relative_to(THEME_STATIC).as_posix() for p in THEME_STATIC.rglob("*") if p.is_file()]
    assert sorted(files) == sorted(p for p in sample if not any(part.startswith(".") for part in p.split("/")))
    assert any(f.startswith("images/") for f in files) and any(f.startswith("authors/") for f in files)
    assert all(path == THEME_STATIC / relative for relative, path in files.items())


def test_another_site_cannot_use_the_sample_sites_pictures(make_site: MakeSite) -> None:
    logo = "/static/images/logo.png"
    avatar = "/static/authors/simon-malia.png"
    assert (THEME_STATIC / logo.removeprefix("/static/")).is_file()  # the sample site has them
    root = make_site(
        {
            "content/articles/quayside.md": article(image=logo, image_alt="Logo", body=f"[Photo]({avatar})"),
        }
    )
    found = messages(check_site(root).problems)
    assert (
        f"content/articles/quayside.md:5: image {logo} not found: no static/images/logo.png in the site or the theme"
        in found
    )
    assert any(f"link to {avatar} goes to no page of this site" in m for m in found)


def test_static_files_skip_hidden_files_and_folders(make_site: MakeSite) -> None:
    root = make_site({"static/.DS_Store": "x", "static/.git/config": "x", "static/docs/a.pdf": "pdf"})
    files = static_files(root)
    assert "docs/a.pdf" in files
    assert not any(name.startswith(".") or "/." in name for name in files)


def test_every_id_the_theme_writes_is_in_its_own_namespace() -> None:
    """Member text can never have such an id (byline.markup), so the theme's in-page links are its own."""
    found = 0
    for template in THEME_TEMPLATES.rglob("*.html"):
        if template.name == "search.html":
            continue  # its form's ids are search.js's; the search page shows no member text
        text = template.read_text(encoding="utf-8")
        for value in re.findall(r'\s(?:id|aria-labelledby|for)="([^"]*)"|href="#([^"]*)"', text):
            name = value[0] or value[1]
            assert name.startswith(THEME_ID_PREFIX), f"{template.name}: {name}"
            found += 1
    assert found >= 10
