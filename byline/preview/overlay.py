"""HTML the preview server adds at serve time: the live-reload script tag, the error overlay,
the editor's dashboard, and the stand-in page shown before any build has succeeded.

Pure functions from data to escaped HTML, so they are tested without a server or browser.
Nothing here is ever written into a built file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from byline.content.models import Article
from byline.dates import display_datetime
from byline.errors import ContentError
from byline.site.model import Site
from byline.text import plural

PREFIX = "/_byline/"
SCRIPT_URL = PREFIX + "livereload.js"
VIEW_URL = PREFIX + "view"  # POST view=published|all: what the preview builds
VIEWS = {"all": "with drafts and scheduled", "published": "as published now"}
RECENT = 10  # published articles the dashboard lists
NO_ICON = '<link rel="icon" href="data:,">\n'  # the preview's own pages ask for no /favicon.ico
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)

OVERLAY_STYLE = """
:host { all: initial; }
.panel { position: fixed; inset: 0; z-index: 2147483647; overflow: auto; background: #141414;
  font: 16px/1.5 system-ui, sans-serif; color: #fff; padding: 5vh 5vw; }
h2 { margin: 0 0 .5rem; font-size: 1.4rem; color: #ffb4b4; }
h3 { margin: 1.2rem 0 .5rem; font-size: 1.1rem; color: #ffd479; }
p { margin: 0 0 1rem; }
ol { margin: 0; padding: 0; list-style: none; }
li { background: #2b0b0b; border-left: 4px solid #ff6b6b; margin: 0 0 .5rem; padding: .6rem .8rem;
  font: 15px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; }
.where { color: #ffd479; font-weight: 700; }
button { font: inherit; margin-top: .5rem; padding: .3rem .9rem; cursor: pointer; }
"""


BAR_STYLE = """
:host { all: initial; position: fixed; left: .75rem; bottom: .75rem; z-index: 2147483646; }
aside { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem .75rem; padding: .45rem .7rem;
  background: #15171a; color: #fff; font: 14px/1.3 system-ui, sans-serif; border-radius: 6px;
  box-shadow: 0 2px 8px rgba(0, 0, 0, .35); }
form { display: contents; }
button { font: inherit; padding: .25rem .6rem; border: 1px solid #fff; border-radius: 4px; background: #fff;
  color: #15171a; cursor: pointer; }
button:focus-visible, a:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
a { color: #ffd479; }
"""


def script_tag(token: str) -> bytes:
    """The tag injected into every HTML response; ``token`` names the build the page came from."""
    return f'<script src="{SCRIPT_URL}" data-build="{escape(token)}" defer></script>\n'.encode()


def preview_bar(view: str) -> bytes:
    """The preview's own bar on every page: which view it shows, the switch to the other, the dashboard.

    In a declarative shadow root, so the site's styles cannot reach it nor its styles the site.
    """
    other = "published" if view == "all" else "all"
    label = "Show as published now" if other == "published" else "Show drafts and scheduled"
    return (
        '<byline-preview><template shadowrootmode="open">'
        f"<style>{BAR_STYLE}</style>"
        f'<aside aria-label="Preview"><span>Preview: <strong>{VIEWS[view]}</strong></span>'
        f'<form method="post" action="{VIEW_URL}"><button type="submit" name="view" value="{other}">{label}</button>'
        f'</form><a href="{PREFIX}">Dashboard</a></aside></template></byline-preview>\n'
    ).encode()


def inject(html: bytes, token: str, view: str = "all") -> bytes:
    """Insert the preview bar and the live-reload script before the last ``</body>`` (or at the end without one)."""
    tag = preview_bar(view) + script_tag(token)
    matches = list(_BODY_END.finditer(html))
    if not matches:
        return html + tag
    at = matches[-1].start()
    return html[:at] + tag + html[at:]


def overlay_html(problems: Sequence[ContentError]) -> str:
    """The overlay listing each ``path:line: message``; shown in a shadow root on every open page.

    Its heading counts the errors it lists; a failed build's warnings follow under their own.
    """
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    parts = [
        f"<style>{OVERLAY_STYLE}</style>",
        '<div class="panel" role="alertdialog" aria-modal="false" aria-labelledby="byline-overlay-title">',
        f'<h2 id="byline-overlay-title">Build failed: {plural(len(errors), "error")}</h2>',
        "<p>This page still shows the last good build. Fix the files and it updates by itself.</p>",
        _problem_list(errors),
    ]
    if warnings:
        parts += [f"<h3>And {plural(len(warnings), 'warning')}</h3>", _problem_list(warnings)]
    parts += ['<button type="button" data-byline-dismiss>Hide until the next build</button>', "</div>", ""]
    return "\n".join(parts)


def _problem_list(problems: Sequence[ContentError]) -> str:
    items = "\n".join(
        f'<li><span class="where">{escape(p.path)}:{p.line}</span>: {escape(p.message)}</li>' for p in problems
    )
    return f"<ol>\n{items}\n</ol>"


@dataclass(frozen=True)
class BuildReport:
    """What the dashboard says about the latest build attempt."""

    ok: bool
    finished: datetime | None
    seconds: float
    errors: Sequence[ContentError] = ()
    warnings: Sequence[ContentError] = ()


def dashboard_html(site: Site | None, report: BuildReport, token: str, base_path: str = "", view: str = "all") -> bytes:
    """The editor's dashboard: the build's state; drafts, scheduled and recent articles with their files; warnings."""
    name = site.config.name if site else "Byline"
    parts = [
        _dashboard_head(name),
        f'<main>\n<h1>Preview dashboard</h1>\n<p><a href="{escape(base_path)}/">Open the site</a>'
        f" (showing it {VIEWS[view]})</p>",
        _build_section(report, site),
    ]
    if site is not None:
        drafts = _with_status(site, "draft")
        scheduled = _with_status(site, "scheduled")
        recent = [a for a in site.articles if site.status_of.get(a.source) == "published"][:RECENT]
        parts.append(_article_table(site, "Drafts", drafts, "Dated", base_path))
        parts.append(_article_table(site, "Scheduled", scheduled, "Goes live", base_path))
        parts.append(_article_table(site, "Recently published", recent, "Published", base_path))
    parts.append(_problem_section("Warnings", report.warnings, site, base_path))
    parts.append("</main>\n</body>\n</html>\n")
    return inject("\n".join(parts).encode(), token, view)


def standin_page(token: str, view: str = "all") -> bytes:
    """Served for every page while no build has succeeded yet; the overlay explains why."""
    page = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Waiting for a good build | Byline preview</title>\n{NO_ICON}</head>\n<body>\n<main>\n"
        "<h1>No good build yet</h1>\n<p>The site has not built yet. Fix the errors listed and this page "
        "updates by itself.</p>\n</main>\n</body>\n</html>\n"
    )
    return inject(page.encode(), token, view)


def not_found_page(token: str, view: str = "all") -> bytes:
    """Served with status 404 when the site has no 404.html of its own."""
    page = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Not found</title>\n'
        f"{NO_ICON}</head>\n"
        "<body>\n<main>\n<h1>Not found</h1>\n<p>No page at this address.</p>\n</main>\n</body>\n</html>\n"
    )
    return inject(page.encode(), token, view)


def _dashboard_head(name: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Preview dashboard | {escape(name)}</title>\n{NO_ICON}"
        "<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1a1a1a}"
        "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;"
        "border-bottom:1px solid #d9d9d9;vertical-align:top}code{font-size:.9em}.failed{color:#a3141a}"
        ".ok{color:#1b6e2a}</style>\n</head>\n<body>"
    )


def _build_section(report: BuildReport, site: Site | None) -> str:
    when = ""
    if report.finished:
        finished = report.finished.astimezone(site.config.timezone) if site else report.finished
        when = f" at {finished:%H:%M:%S} {finished.tzname()}"
    if report.ok:
        return f'<section>\n<h2>Last build</h2>\n<p class="ok">Built{when} in {report.seconds:.2f} s.</p>\n</section>'
    errors = "\n".join(f"<li><code>{escape(e.format())}</code></li>" for e in report.errors)
    return (
        f'<section>\n<h2>Last build</h2>\n<p class="failed">Failed{when}; the preview shows the last good build.</p>'
        f"\n<ul>\n{errors}\n</ul>\n</section>"
    )


def _with_status(site: Site, status: str) -> list[Article]:
    everything = (*site.articles, *site.hidden)
    return sorted((a for a in everything if site.status_of.get(a.source) == status), key=lambda a: a.date)


def _article_table(site: Site, title: str, articles: list[Article], when: str, base_path: str) -> str:
    heading = f"<h2>{title} ({len(articles)})</h2>"
    if not articles:
        return f"<section>\n{heading}\n<p>None.</p>\n</section>"
    shown = {a.source for a in site.articles}
    rows = []
    for article in articles:
        label = escape(article.title)
        url = site.url_of.get(article.source)
        link = f'<a href="{escape(base_path + url)}">{label}</a>' if url and article.source in shown else label
        local = article.date.astimezone(site.config.timezone)
        moment = f"{display_datetime(local)} {local.tzname()}"
        rows.append(f"<tr><td>{link}</td><td>{moment}</td><td><code>{escape(article.source)}</code></td></tr>")
    return (
        f"<section>\n{heading}\n<table>\n<thead><tr><th>Title</th><th>{when}</th><th>File</th></tr></thead>\n"
        f"<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table>\n</section>"
    )


def _problem_section(title: str, problems: Sequence[ContentError], site: Site | None, base_path: str) -> str:
    heading = f"<h2>{title} ({len(problems)})</h2>"
    if not problems:
        return f"<section>\n{heading}\n<p>None.</p>\n</section>"
    items = []
    for problem in problems:
        text = f"<code>{escape(problem.path)}:{problem.line}</code>: {escape(_message(problem))}"
        url = site.url_of.get(problem.path) if site else None
        if url:
            text += f' (<a href="{escape(base_path + url)}">preview</a>)'
        items.append(f"<li>{text}</li>")
    return f"<section>\n{heading}\n<ul>\n{chr(10).join(items)}\n</ul>\n</section>"


def _message(problem: ContentError) -> str:
    return ("warning: " if problem.severity == "warning" else "") + problem.message
