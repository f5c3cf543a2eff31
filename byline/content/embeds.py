"""Click-to-load embeds: a YouTube, Vimeo, X or LinkedIn link on a line of its own becomes a player or a post.

The markup is Byline's own, made after sanitising from an id strict patterns took out of
the link, so no member HTML passes through and nothing loads until the reader asks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape, unescape
from urllib.parse import parse_qs, urlsplit

# A sanitised paragraph holding nothing but an address, bare or as a link to itself.
PARAGRAPH = re.compile(r'<p>(?:<a href="(?P<href>[^"]+)">(?P<text>[^<]+)</a>|(?P<bare>https?://[^\s<]+))</p>')
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_VIMEO_ID = re.compile(r"[0-9]{6,12}")
_VIMEO_HASH = re.compile(r"[0-9a-f]{8,20}")
_X_POST = re.compile(r"/(?P<user>[A-Za-z0-9_]{1,15})/status(?:es)?/(?P<id>[0-9]{1,20})/?")
_LINKEDIN_POST = re.compile(
    r"/posts/[A-Za-z0-9_%.-]{1,200}-(?P<kind>activity|share|ugcPost)-(?P<id>[0-9]{15,22})-[A-Za-z0-9_-]{1,12}/?"
)
_LINKEDIN_UPDATE = re.compile(r"/(?:embed/)?feed/update/urn:li:(?P<kind>activity|share|ugcPost):(?P<id>[0-9]{15,22})/?")
_TIME = re.compile(r"(?:(?P<h>[0-9]{1,2})h)?(?:(?P<m>[0-9]{1,3})m)?(?:(?P<s>[0-9]{1,5})s?)?")
YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "www.youtube-nocookie.com"}
VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
X_HOSTS = {"x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com", "mobile.x.com"}
LINKEDIN_HOSTS = {"linkedin.com", "www.linkedin.com"}


@dataclass(frozen=True)
class Embed:
    """One provider's content, as Byline shows it: where to open it and what to load when asked."""

    provider: str  # "youtube", "vimeo", "x" or "linkedin"
    name: str  # the provider as readers know it
    kind: str  # "video" or "post"
    original: str  # the content's own page, linked for readers without the player
    player: str  # what the button loads into a frame


def find_embed(address: str) -> Embed | None:
    """The embed a link stands for, or None unless it is exactly one of the providers' content addresses."""
    try:
        parts = urlsplit(address.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.username or parts.password or parts.port:
        return None
    host = (parts.hostname or "").lower()
    if host in YOUTUBE_HOSTS:
        return _youtube(host, parts.path, parse_qs(parts.query))
    if host in VIMEO_HOSTS:
        return _vimeo(parts.path)
    if host in X_HOSTS and (post := _X_POST.fullmatch(parts.path)):
        return Embed(
            "x",
            "X",
            "post",
            f"https://x.com/{post['user']}/status/{post['id']}",
            f"https://platform.twitter.com/embed/Tweet.html?id={post['id']}&dnt=true",
        )
    if host in LINKEDIN_HOSTS:
        post = _LINKEDIN_POST.fullmatch(parts.path) or _LINKEDIN_UPDATE.fullmatch(parts.path)
        if post:
            urn = f"urn:li:{post['kind']}:{post['id']}"
            return Embed(
                "linkedin",
                "LinkedIn",
                "post",
                f"https://www.linkedin.com/feed/update/{urn}/",
                f"https://www.linkedin.com/embed/feed/update/{urn}",
            )
    return None


def _youtube(host: str, path: str, query: dict[str, list[str]]) -> Embed | None:
    if host == "youtu.be":
        video = path.strip("/")
    elif path in ("/watch", "/watch/"):
        video = (query.get("v") or [""])[0]
    else:
        found = re.fullmatch(r"/(?:embed|shorts|live|v)/([^/]+)/?", path)
        video = found[1] if found else ""
    if not _YOUTUBE_ID.fullmatch(video):
        return None
    start = _seconds((query.get("t") or query.get("start") or [""])[0])
    player = f"https://www.youtube-nocookie.com/embed/{video}?autoplay=1" + (f"&start={start}" if start else "")
    original = f"https://www.youtube.com/watch?v={video}" + (f"&t={start}s" if start else "")
    return Embed("youtube", "YouTube", "video", original, player)


def _vimeo(path: str) -> Embed | None:
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["video"]:
        parts = parts[1:]
    if not parts or len(parts) > 2 or not _VIMEO_ID.fullmatch(parts[0]):
        return None
    unlisted = parts[1] if len(parts) == 2 else ""
    if unlisted and not _VIMEO_HASH.fullmatch(unlisted):
        return None
    player = f"https://player.vimeo.com/video/{parts[0]}?autoplay=1&dnt=1" + (f"&h={unlisted}" if unlisted else "")
    original = f"https://vimeo.com/{parts[0]}" + (f"/{unlisted}" if unlisted else "")
    return Embed("vimeo", "Vimeo", "video", original, player)


def _seconds(value: str) -> int:
    found = _TIME.fullmatch(value) if value else None
    if not found:
        return 0
    return int(found["h"] or 0) * 3600 + int(found["m"] or 0) * 60 + int(found["s"] or 0)


def embed_html(embed: Embed) -> str:
    """The click-to-load facade: what it is, a button the page's script shows and wires, a link to the original."""
    what = "video" if embed.kind == "video" else "post"
    action = "Play the video here" if what == "video" else "Show the post here"
    host = urlsplit(embed.player).hostname
    return (
        f'<figure class="embed embed-{embed.kind} embed-{embed.provider}">'
        f'<div class="embed-box"><p class="embed-what">{embed.name} {what}</p>'
        f'<button class="embed-load" type="button" hidden data-embed-src="{escape(embed.player)}"'
        f' data-embed-title="{embed.name} {what}">{action}</button></div>'
        f'<figcaption><a href="{escape(embed.original)}">Open it on {embed.name}</a>.'
        f" Showing it here loads it from {host}, which may set cookies.</figcaption></figure>"
    )


def replace_embeds(html: str, make: Callable[[Embed], str] | None = None) -> tuple[str, tuple[str, ...]]:
    """Turn each paragraph that is only a provider's address into its facade; return the HTML and the providers.

    ``make`` makes the markup of each (default: ``embed_html``; "" leaves them out).
    """
    make = make or embed_html
    if "<p>http" not in html and '<p><a href="http' not in html:
        return html, ()
    providers: list[str] = []

    def replace(match: re.Match[str]) -> str:
        href, text, bare = match["href"], match["text"], match["bare"]
        if href is not None and unescape(href) != unescape(text):  # a link with words of its own stays a link
            return match.group()
        embed = find_embed(unescape(bare or href))
        if embed is None:
            return match.group()
        providers.append(embed.provider)
        return make(embed)

    replaced = PARAGRAPH.sub(replace, html)
    return (replaced, tuple(providers)) if providers else (html, ())
