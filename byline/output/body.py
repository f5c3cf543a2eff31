"""A body as published: the one step that changes a parsed body, in one pass over its tags.

What it adds depends on the site (pictures' sizes and renditions, each section's link
policy), so it is done here, at render time, and the parse stays cacheable per file.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from byline.content.markup import HREF_ATTRIBUTE, img_attributes
from byline.site.images import Link, Pictures, srcset

NEW_TAB_NOTE = '<span class="visually-hidden"> (opens in a new tab)</span>'
# Sanitised bodies quote every attribute with double quotes and escape "<" and ">" inside
# them (nh3 serialises them so), so a tag ends at its first ">".
_FINISHED = re.compile(r"<img\b[^>]*>|<a\b([^>]*)>|</a>")
_REL = re.compile(r'\srel="([^"]*)"')


@dataclass(frozen=True)
class LinkPolicy:
    """How a section marks links to hosts other than ``host``: ``rel`` lets search engines weigh a member's links as theirs.

    A link opened in a new tab always gets ``noopener`` as well, so the opened page cannot navigate this one.
    """

    host: str
    rel: tuple[str, ...] = ()
    new_tab: bool = False


NO_POLICY = LinkPolicy("")


def is_outbound(href: str, own_host: str) -> bool:
    """True for an absolute http(s) link to another host than the site's own."""
    parts = urlsplit(href)
    if parts.scheme not in ("http", "https", "") or not parts.netloc:
        return False
    return (parts.hostname or "").lower() != own_host.lower()


def finish_body(body: str, pictures: Pictures, link: Link, sizes: str, policy: LinkPolicy = NO_POLICY) -> str:
    """The body with its pictures and outbound links finished; ``body`` itself when nothing changes.

    Inline images sit below the lead, headline and byline, so they are always below the
    fold: ``loading="lazy"``; a width or height the author wrote is kept. The very string
    given comes back when nothing changed, so a body keeps its digest.
    """
    marks_links = bool(policy.rel or policy.new_tab) and "<a" in body
    if "<img" not in body and not marks_links:
        return body
    finisher = _Finisher(pictures, link, sizes, policy if marks_links else NO_POLICY)
    finished = _FINISHED.sub(finisher.tag, body)
    return finished if finisher.changed else body


class _Finisher:
    """Rewrites one body's tags as the pass meets them; a new tab's note goes before its link's ``</a>``."""

    def __init__(self, pictures: Pictures, link: Link, sizes: str, policy: LinkPolicy):
        self.pictures, self.link, self.sizes, self.policy = pictures, link, sizes, policy
        self.changed = False
        self.notes: list[str] = []  # for each link open here, what goes before its </a> (a table cell can nest one)

    def tag(self, match: re.Match[str]) -> str:
        tag = match.group(0)
        if tag.startswith("<img"):
            return self.image(tag)
        if not (self.policy.rel or self.policy.new_tab):
            return tag
        if tag == "</a>":
            return (self.notes.pop() if self.notes else "") + tag
        self.notes.append("")
        return self.anchor(match.group(1), tag)

    def image(self, tag: str) -> str:
        attrs = {k: html.unescape(v) for k, v in img_attributes(tag).items()}
        info = self.pictures.get(attrs.get("src"))
        if info is None:
            return tag
        self.changed = True
        attrs["src"] = self.link(info.src)
        if info.width and info.height and "width" not in attrs and "height" not in attrs:
            attrs["width"], attrs["height"] = str(info.width), str(info.height)
        candidates = srcset(info, self.link)
        if candidates:
            attrs["srcset"], attrs["sizes"] = candidates, self.sizes
        attrs["loading"], attrs["decoding"] = "lazy", "async"
        return "<img " + " ".join(f'{k}="{html.escape(v)}"' for k, v in attrs.items()) + ">"

    def anchor(self, attributes: str, tag: str) -> str:
        policy = self.policy
        href = HREF_ATTRIBUTE.search(attributes)
        if href is None or not is_outbound(href.group(1).replace("&amp;", "&"), policy.host):
            return tag
        self.changed = True
        old = _REL.search(attributes)
        values = (old.group(1).split() if old else []) + list(policy.rel)
        attributes = _REL.sub("", attributes)
        if policy.new_tab:
            values.append("noopener")
            attributes += ' target="_blank"'
            self.notes[-1] = NEW_TAB_NOTE
        attributes += f' rel="{" ".join(dict.fromkeys(values))}"'
        return f"<a{attributes}>"
