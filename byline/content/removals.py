"""What sanitising takes out of member HTML, said in words an editor can act on: nh3 itself says nothing.

Only what carried something is named (a frame, a script, a style); formatting whose text stays goes unmentioned.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from html.parser import HTMLParser

from byline.content.embeds import find_embed

Removal = tuple[str, str]  # the message, and the text of the body that shows where

USE_A_LINK = "put its link on a line of its own and Byline shows it with a button that plays it"
_ELEMENTS = {
    "script": "scripts cannot run in articles",
    "noscript": "scripts cannot run in articles",
    "style": "articles take the site's styles; use Markdown for emphasis, headings and lists",
    "form": "forms cannot be published in articles; link to the form's own page instead",
    "input": "forms cannot be published in articles; link to the form's own page instead",
    "button": "forms cannot be published in articles; link to the form's own page instead",
    "select": "forms cannot be published in articles; link to the form's own page instead",
    "textarea": "forms cannot be published in articles; link to the form's own page instead",
    "video": f"upload the video to YouTube or Vimeo, then {USE_A_LINK}",
    "audio": "link to the recording instead",
    "object": "link to the content instead",
    "embed": "link to the content instead",
    "frame": "link to the page instead",
    "frameset": "link to the page instead",
    "canvas": "use a picture instead: ![description](/static/images/file.png)",
    "svg": "put the drawing in static/images/ and use it as a picture: ![description](/static/images/file.svg)",
    "math": "write the formula as text, or use a picture",
    "picture": "use one picture: ![description](/static/images/file.jpg)",
    "link": "articles take the site's styles and scripts",
    "meta": "a page's settings are the site's",
    "base": "a page's settings are the site's",
}
_ATTRIBUTES = {
    "class": "articles take the site's styles; use Markdown for emphasis, headings, lists and quotes",
    "style": "articles take the site's styles; use Markdown for emphasis, headings, lists and quotes",
    "id": "only headings, list items and footnotes keep ids; give a heading an id with {#name}",
}
_GENERIC = {"lang", "title"}  # nh3 keeps these on any element
_ADDRESSES = {"href", "src", "srcset", "cite", "action", "formaction", "poster", "data"}
_SCHEME = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.-]*):")


def find_removals(
    html: str,
    tags: Collection[str],
    attributes: Mapping[str, Collection[str]],
    classes: Mapping[str, Collection[str]],
    schemes: Collection[str],
) -> tuple[Removal, ...]:
    """What nh3, given these allow-lists, will take out of ``html`` that carried something; each once."""
    reader = _Reader(tags, attributes, classes, schemes)
    reader.feed(html)
    reader.close()
    return tuple(dict.fromkeys(reader.found))


class _Reader(HTMLParser):
    def __init__(
        self,
        tags: Collection[str],
        attributes: Mapping[str, Collection[str]],
        classes: Mapping[str, Collection[str]],
        schemes: Collection[str],
    ):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes, self.classes, self.schemes = tags, attributes, classes, schemes
        self.found: list[Removal] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag not in self.tags:
            self._element(tag, values)
            return
        for name, value in values.items():
            self._attribute(tag, name, value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def _element(self, tag: str, values: dict[str, str]) -> None:
        if tag == "iframe":
            self.found.append(_frame(values.get("src", "")))
        elif tag in _ELEMENTS:
            advice = _ELEMENTS[tag]
            if tag == "script" and "twitter.com" in values.get("src", ""):
                advice += f"; for a post on X, {USE_A_LINK.replace('plays', 'shows')}"
            self.found.append((f"<{tag}> was removed: {advice}", f"<{tag}"))

    def _attribute(self, tag: str, name: str, value: str) -> None:
        if name.startswith("on"):
            self.found.append((f"the {name} handler was removed from <{tag}>: scripts cannot run in articles", name))
        elif name in self.attributes.get(tag, ()) or name in _GENERIC:
            scheme = _SCHEME.match(value) if name in _ADDRESSES else None
            if scheme and scheme[1].lower() not in self.schemes:
                self.found.append(_address(tag, name, scheme[1].lower()))
            elif name == "class":
                self._classes(tag, value)
        elif name == "class":
            self._classes(tag, value)
        elif name in _ATTRIBUTES and value.strip():
            self.found.append((f'{name}="{_short(value)}" was removed from <{tag}>: {_ATTRIBUTES[name]}', value))
        elif name in _ADDRESSES or name.startswith("data-"):
            self.found.append((f"{name} was removed from <{tag}>: only links and pictures keep addresses", name))

    def _classes(self, tag: str, value: str) -> None:
        kept = self.classes.get(tag, ())
        for name in value.split():
            if name in kept or (tag == "code" and name.startswith("language-")):  # a fenced block's language
                continue
            advice = _ATTRIBUTES["class"]
            if name in ("twitter-tweet", "twitter-video"):
                advice = f"for a post on X, {USE_A_LINK.replace('plays', 'shows')}"
            self.found.append((f'class "{name}" was removed from <{tag}>: {advice}', name))


def _frame(src: str) -> Removal:
    embed = find_embed(src) if src else None
    if embed is not None:
        what = "video" if embed.kind == "video" else "post"
        return (
            f"an embedded {embed.name} {what} (<iframe>) was removed: put its link, {embed.original},"
            f" on a line of its own and Byline shows it with a button that {'plays' if what == 'video' else 'shows'} it",
            "<iframe",
        )
    where = f" showing {_short(src)}" if src else ""
    return (
        f"a frame (<iframe>){where} was removed: articles cannot show other sites' pages; link to it instead",
        "<iframe",
    )


def _address(tag: str, name: str, scheme: str) -> Removal:
    if tag == "img" and scheme == "data":
        advice = "put the file in static/images/ and write ![description](/static/images/file.png)"
    else:
        advice = "addresses must be http(s), mailto: or tel:"
    return f"a {scheme}: address was removed from <{tag} {name}>: {advice}", f"{scheme}:"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
