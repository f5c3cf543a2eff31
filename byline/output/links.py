"""Outbound links in article bodies: the section's rel policy and safe new tabs.

A member article's links are the member's, not the newsroom's: site.toml can mark them
``sponsored``, ``ugc`` or ``nofollow`` per section so search engines weigh them rightly.
A link made to open a new tab always gets ``rel="noopener"``, so the opened page cannot
reach back and navigate this one, and says so to screen-reader users.

Applied to the sanitised body HTML after Markdown (whose result is cached per file and
knows nothing of sections), so a policy change re-renders pages without re-parsing them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from byline.content.markup import HREF_ATTRIBUTE

_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S)
_REL = re.compile(r'\srel="([^"]*)"')
NEW_TAB_NOTE = '<span class="visually-hidden"> (opens in a new tab)</span>'


def is_outbound(href: str, own_host: str) -> bool:
    """True for an absolute http(s) link to another host than the site's own."""
    parts = urlsplit(href)
    if parts.scheme not in ("http", "https", "") or not parts.netloc:
        return False
    return (parts.hostname or "").lower() != own_host.lower()


def apply_link_policy(html: str, own_host: str, rel: tuple[str, ...], new_tab: bool) -> str:
    """Add ``rel`` (and with ``new_tab``, a new tab with noopener) to each outbound link.

    Bodies are sanitised by nh3, which writes every attribute double-quoted and drops any
    ``rel`` or ``target`` the author wrote, so a regular expression reads them reliably.
    """
    if "<a" not in html or not (rel or new_tab):
        return html
    changed = False

    def rewrite(match: re.Match[str]) -> str:
        nonlocal changed
        attributes, text = match.group(1), match.group(2)
        href = HREF_ATTRIBUTE.search(attributes)
        if href is None or not is_outbound(href.group(1).replace("&amp;", "&"), own_host):
            return match.group(0)
        changed = True
        old = _REL.search(attributes)
        values = (old.group(1).split() if old else []) + list(rel)
        attributes = _REL.sub("", attributes)
        if new_tab:
            values.append("noopener")
            attributes += ' target="_blank"'
            text += NEW_TAB_NOTE
        attributes += f' rel="{" ".join(dict.fromkeys(values))}"'
        return f"<a{attributes}>{text}</a>"

    rewritten = _ANCHOR.sub(rewrite, html)
    return rewritten if changed else html  # the very string given: a body keeps its digest
