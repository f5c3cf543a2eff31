"""One run reports every independent problem of a file, and one draft never stops the site (items 4 and 5)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from byline.preview.overlay import overlay_html
from tests.conftest import MakeSite
from tests.helpers import AUTHOR, NOW_TEXT, article, build_site, check_site, run_cli

ACCEPTED = "use 2014-01-27, 2014-01-27 10:30, 2014-01-27 10:30:00 or 2014-01-27T10:30:00+00:00"
# The editor's file of issue 17: a bad date, a picture without its description, a misspelt
# author and a missing inline picture, which took three runs to clear.
LAYERED = """\
---
title: Harbour Street signs a port deal
date: 06/12/2026
author: simon-malla
image: /static/images/deal.png
---
Harbour Street has signed a deal.

![The berth](/static/images/berth.png)
"""


def picture() -> bytes:
    stream = io.BytesIO()
    Image.new("RGB", (1200, 675)).save(stream, "PNG")
    return stream.getvalue()


def test_every_problem_of_a_file_in_one_run(make_site: MakeSite) -> None:
    root = make_site({"content/articles/deal.md": LAYERED, "static/images/deal.png": picture()})
    assert [p.format() for p in check_site(root).problems] == [
        f"content/articles/deal.md:3: 'date' is not a date: '06/12/2026'; {ACCEPTED}",
        "content/articles/deal.md:4: unknown author 'simon-malla': no content/authors/simon-malla.md;"
        " did you mean 'simon-malia'?",
        "content/articles/deal.md:5: 'image' needs 'image_alt': a short description of the picture"
        " for readers who cannot see it",
        "content/articles/deal.md:9: image /static/images/berth.png not found: no static/images/berth.png"
        " in the site or the theme",
    ]


def test_the_overlay_counts_what_it_lists(make_site: MakeSite) -> None:
    root = make_site({"content/articles/deal.md": LAYERED, "static/images/deal.png": picture()})
    problems = check_site(root, drafts=True).problems
    html = overlay_html(problems)
    assert "Build failed: 4 errors</h2>" in html
    assert html.count("<li>") == 4


def test_an_author_file_with_errors_is_not_also_an_unknown_author(make_site: MakeSite) -> None:
    root = make_site({"content/authors/simon-malia.md": "---\nname: [Simon]\n---\nBio.\n"})
    assert [p.format() for p in check_site(root).problems] == [
        "content/authors/simon-malia.md:2: 'name' must be text, not a list"
    ]


# --- item 5: a draft's problems ---------------------------------------------------------------

BROKEN_DRAFT = article("Third shop", "2026-02-25 09:00", image="/static/images/shop.jpg", draft="true")
DRAFT_PROBLEMS = [
    "content/articles/draft.md:5: 'image' needs 'image_alt': a short description of the picture for readers"
    " who cannot see it",
    "content/articles/draft.md:5: image /static/images/shop.jpg not found: no static/images/shop.jpg in the site"
    " or the theme",
]
AS_WARNINGS = [p.replace(":5: ", ":5: warning: draft cannot be published as it is: ") for p in DRAFT_PROBLEMS]


def test_a_publishing_build_warns_of_a_broken_draft_and_publishes_the_rest(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/articles/draft.md": BROKEN_DRAFT})
    result = build_site(root, tmp_path / "out")
    assert [p.format() for p in result.warnings] == AS_WARNINGS
    assert (tmp_path / "out/articles/2026/03/01/quayside-tools-opens-a-depot/index.html").is_file()


def test_check_strict_check_drafts_and_a_drafts_build_keep_them_errors(make_site: MakeSite) -> None:
    root = make_site({"content/articles/draft.md": BROKEN_DRAFT})
    assert [p.format() for p in check_site(root).problems] == AS_WARNINGS
    for changes in ({"strict": True}, {"drafts": True}):
        problems = check_site(root, **changes).problems
        assert [(p.format(), p.severity) for p in problems] == [(p, "error") for p in DRAFT_PROBLEMS]
    strict = run_cli("check", "--strict", "--root", root, "--now", NOW_TEXT)
    assert (strict.returncode, strict.stderr) == (1, "\n".join(DRAFT_PROBLEMS) + "\n2 errors found.\n")
    plain = run_cli("check", "--root", root, "--now", NOW_TEXT)
    assert plain.returncode == 0 and plain.stderr == "\n".join(AS_WARNINGS) + "\n"


def test_a_draft_copied_from_a_published_article_does_not_stop_the_site(make_site: MakeSite, tmp_path: Path) -> None:
    original = article(id="3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c")
    root = make_site(
        {
            "content/articles/quayside.md": original,
            "content/articles/copy.md": original + "",
        }
    )
    (root / "content/articles/copy.md").write_text(original.replace("---\nQuayside", "draft: true\n---\nQuayside"))
    result = build_site(root, tmp_path / "out")
    assert [p.format() for p in result.warnings] == [
        "content/articles/copy.md:2: warning: draft cannot be published as it is: URL"
        " /articles/2026/03/01/quayside-tools-opens-a-depot/ is also used by content/articles/quayside.md:2",
        "content/articles/copy.md:5: warning: draft cannot be published as it is: id"
        " 3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c is also used by content/articles/quayside.md:5",
    ]
    with_drafts = [p.format() for p in check_site(root, drafts=True).problems]
    assert len(with_drafts) == 4 and all(": warning: " not in p for p in with_drafts)


def test_plain_check_shows_broken_links_inside_drafts(make_site: MakeSite) -> None:
    body = "A draft.\n\nSee [the depot](/articles/2026/03/01/quayside-depot/)."
    root = make_site(
        {"content/articles/draft.md": article("Draft", body=body, draft="true"), "content/authors/x.md": AUTHOR}
    )
    assert [p.format() for p in check_site(root).problems] == [
        "content/articles/draft.md:9: warning: link to /articles/2026/03/01/quayside-depot/ goes to no page of this"
        " site; did you mean /articles/2026/03/01/quayside-tools-opens-a-depot/?"
    ]
