"""What the preview adds to pages, rendered without a server: script tag, error overlay, dashboard."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from byline.errors import ContentError
from byline.pipeline import check
from byline.preview.overlay import BuildReport, dashboard_html, inject, overlay_html, preview_bar, script_tag
from byline.preview.state import State

from .preview_site import NOW, article_text, copy_site, options_for

ERRORS = (
    ContentError("content/articles/a.md", 3, "invalid YAML: expected ',' or ']'"),
    ContentError("templates/base.html", 12, "template error: unexpected '}'"),
)


def test_the_script_goes_before_the_last_closing_body_tag() -> None:
    html = b"<html><body><p>a</p><pre></body></pre></BODY >\n</html>"
    added = preview_bar("all") + script_tag("t.1")
    assert inject(html, "t.1") == b"<html><body><p>a</p><pre></body></pre>" + added + b"</BODY >\n</html>"


def test_the_script_is_appended_to_html_without_a_body_tag() -> None:
    assert inject(b"<p>fragment</p>", "t.1", "published") == b"<p>fragment</p>" + preview_bar("published") + script_tag(
        "t.1"
    )


def test_the_bar_says_which_view_it_shows_and_offers_the_other() -> None:
    everything, published = preview_bar("all").decode(), preview_bar("published").decode()
    assert "Preview: <strong>with drafts and scheduled</strong>" in everything
    assert '<button type="submit" name="view" value="published">Show as published now</button>' in everything
    assert "Preview: <strong>as published now</strong>" in published
    assert '<button type="submit" name="view" value="all">Show drafts and scheduled</button>' in published
    assert '<form method="post" action="/_byline/view">' in published and '<a href="/_byline/">' in published


def test_the_build_token_is_escaped_in_the_script_tag() -> None:
    assert b'data-build="a&quot;&gt;"' in script_tag('a">')


def test_the_overlay_lists_every_error_as_path_line_message() -> None:
    html = overlay_html(ERRORS)
    assert "Build failed: 2 errors" in html
    assert '<span class="where">content/articles/a.md:3</span>: invalid YAML' in html
    assert '<span class="where">templates/base.html:12</span>: template error' in html
    assert html.index("a.md:3") < html.index("base.html:12")


def test_the_overlay_escapes_what_editors_wrote() -> None:
    html = overlay_html([ContentError("content/articles/<b>.md", 1, "unknown author '<script>x</script>'")])
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;.md" in html


def test_the_overlay_counts_one_error_in_the_singular() -> None:
    assert "Build failed: 1 error<" in overlay_html(ERRORS[:1])


def test_the_state_message_carries_the_overlay_only_when_the_build_failed() -> None:
    good = json.loads(State(token="x.2", previous="x.1", css_only=True, attempt=2).message())
    assert good == {"build": "x.2", "previous": "x.1", "css": True, "overlay": ""}
    failed = json.loads(State(token="x.2", attempt=3, errors=ERRORS).message())
    assert failed["build"] == "x.2" and "content/articles/a.md:3" in failed["overlay"]


def site_root(tmp_path: Path) -> Path:
    return tmp_path / "site"


def _site_with_draft_and_scheduled(tmp_path: Path):  # type: ignore[no-untyped-def]
    root = copy_site(site_root(tmp_path))
    drafts = root / "content/articles/drafts"
    drafts.mkdir()
    (drafts / "draft.md").write_text(article_text("A draft <in> progress", extra="draft: true\n"))
    (drafts / "later.md").write_text(article_text("Results day", date="2027-02-03 09:00"))
    checked = check(options_for(root))
    assert checked.site is not None
    return checked.site


def test_the_dashboard_lists_drafts_and_scheduled_articles_with_links(tmp_path: Path) -> None:
    site = _site_with_draft_and_scheduled(tmp_path)
    report = BuildReport(True, datetime(2026, 11, 21, 12, 0, 5, tzinfo=UTC), 0.25)
    html = dashboard_html(site, report, "t.1").decode()
    assert "Drafts (1)" in html and "Scheduled (1)" in html
    assert '<a href="/articles/2026/07/01/a-draft-in-progress/">A draft &lt;in&gt; progress</a>' in html
    assert "3 February 2027 09:00 GMT" in html  # the scheduled time, in the site's timezone, named
    assert "content/articles/drafts/later.md" in html
    assert "Built at 12:00:05 GMT in 0.25 s." in html
    assert "Recently published (3)" in html
    assert (
        "<td>22 June 2026 14:00 BST</td><td><code>content/articles/2026/06/mersey-loop-appoints-coo.md</code>" in html
    )
    assert html.count("livereload.js") == 1  # the dashboard reloads itself after builds too


def test_the_dashboard_prefixes_links_with_the_base_path(tmp_path: Path) -> None:
    site = _site_with_draft_and_scheduled(tmp_path)
    html = dashboard_html(site, BuildReport(True, None, 0.1), "t.1", base_path="/news").decode()
    assert 'href="/news/articles/2026/07/01/a-draft-in-progress/"' in html and 'href="/news/"' in html


def test_the_dashboard_shows_warnings_linked_to_their_preview(tmp_path: Path) -> None:
    site = _site_with_draft_and_scheduled(tmp_path)
    warning = ContentError("content/articles/drafts/draft.md", 2, "summary is long", "warning")
    html = dashboard_html(site, BuildReport(True, None, 0.1, warnings=[warning]), "t.1").decode()
    assert "Warnings (1)" in html
    assert "content/articles/drafts/draft.md:2</code>: warning: summary is long" in html
    assert '(<a href="/articles/2026/07/01/a-draft-in-progress/">preview</a>)' in html


def test_the_dashboard_shows_a_failed_build_and_no_site_yet() -> None:
    html = dashboard_html(None, BuildReport(False, NOW, 0.1, errors=ERRORS), "").decode()
    assert "Failed at" in html and "content/articles/a.md:3: invalid YAML" in html
    assert "Drafts" not in html


def test_the_preview_rebuilds_when_the_next_scheduled_article_goes_live(tmp_path: Path) -> None:
    from datetime import timedelta

    from byline.preview.server import until_next_schedule

    site = _site_with_draft_and_scheduled(tmp_path)
    due = datetime(2027, 2, 3, 9, 0, tzinfo=UTC)  # 09:00 in London in February is 09:00 UTC
    assert until_next_schedule(site, due - timedelta(hours=1)) == 3600.5
    assert until_next_schedule(site, due) is None  # nothing left to wait for
    as_published = check(replace(options_for(site_root(tmp_path)), drafts=False, future=False)).site
    assert as_published is not None and until_next_schedule(as_published, due - timedelta(hours=1)) == 3600.5


def test_the_overlay_heading_counts_the_errors_it_lists_and_warnings_apart() -> None:
    warning = ContentError("content/articles/b.md", 4, "headline is 120 characters", "warning")
    html = overlay_html([*ERRORS, warning])
    errors_part, warnings_part = html.split("<h3>")
    assert "Build failed: 2 errors</h2>" in errors_part and errors_part.count("<li>") == 2
    assert warnings_part.startswith("And 1 warning</h3>") and warnings_part.count("<li>") == 1
    assert "b.md:4</span>: headline is 120 characters" in warnings_part
