"""byline.content.embeds: a provider's link on a line of its own becomes a click-to-load facade (item 6)."""

from __future__ import annotations

import pytest

from byline.content.embeds import find_embed
from byline.content.markup import render_markdown


@pytest.mark.parametrize(
    ("address", "original", "player"),
    [
        (
            "https://www.youtube.com/watch?v=Nq7rK2pL4xA",
            "https://www.youtube.com/watch?v=Nq7rK2pL4xA",
            "https://www.youtube-nocookie.com/embed/Nq7rK2pL4xA?autoplay=1",
        ),
        (
            "https://youtu.be/Nq7rK2pL4xA?t=1m30s",
            "https://www.youtube.com/watch?v=Nq7rK2pL4xA&t=90s",
            "https://www.youtube-nocookie.com/embed/Nq7rK2pL4xA?autoplay=1&start=90",
        ),
        (
            "https://youtube.com/shorts/Nq7rK2pL4xA",
            None,
            "https://www.youtube-nocookie.com/embed/Nq7rK2pL4xA?autoplay=1",
        ),
        (
            "https://vimeo.com/912345678",
            "https://vimeo.com/912345678",
            "https://player.vimeo.com/video/912345678?autoplay=1&dnt=1",
        ),
        (
            "https://vimeo.com/912345678/0a1b2c3d4e",
            None,
            "https://player.vimeo.com/video/912345678?autoplay=1&dnt=1&h=0a1b2c3d4e",
        ),
        (
            "https://twitter.com/HarbourSt/status/1790012345678901234",
            "https://x.com/HarbourSt/status/1790012345678901234",
            "https://platform.twitter.com/embed/Tweet.html?id=1790012345678901234&dnt=true",
        ),
        ("https://x.com/HarbourSt/status/1790012345678901234?s=20", None, None),
        (
            "https://www.linkedin.com/posts/wearside-talent_recruitment-activity-7262481930576153600-Qx3v/",
            "https://www.linkedin.com/feed/update/urn:li:activity:7262481930576153600/",
            "https://www.linkedin.com/embed/feed/update/urn:li:activity:7262481930576153600",
        ),
        (
            "https://www.linkedin.com/feed/update/urn:li:share:7262481930576153600/",
            None,
            "https://www.linkedin.com/embed/feed/update/urn:li:share:7262481930576153600",
        ),
    ],
)
def test_each_providers_addresses_are_recognised(address: str, original: str | None, player: str | None) -> None:
    embed = find_embed(address)
    assert embed is not None
    assert embed.original == (original or embed.original)
    assert embed.player == (player or embed.player)


@pytest.mark.parametrize(
    "address",
    [
        "https://www.youtube.com.evil.example/watch?v=Nq7rK2pL4xA",
        "https://evil.example/www.youtube.com/watch?v=Nq7rK2pL4xA",
        "https://www.youtube.com/watch?v=Nq7rK2pL4x",  # ten characters
        "https://www.youtube.com/watch?v=Nq7rK2pL4xA%22onload",
        "https://www.youtube.com/embed/Nq7rK2pL4xA/../../evil",
        "https://user:pass@www.youtube.com/watch?v=Nq7rK2pL4xA",
        "https://www.youtube.com:8443/watch?v=Nq7rK2pL4xA",
        "javascript://www.youtube.com/watch?v=Nq7rK2pL4xA",
        "https://vimeo.com/channels/staffpicks",
        "https://x.com/HarbourSt",
        "https://x.com/HarbourSt/status/12345/photo/1",
        "https://www.linkedin.com/company/wearside-talent/",
    ],
)
def test_anything_not_exactly_a_providers_content_address_is_left_alone(address: str) -> None:
    assert find_embed(address) is None


def test_a_link_on_a_line_of_its_own_becomes_a_facade_that_loads_nothing() -> None:
    rendered = render_markdown(
        "The trials:\n\nhttps://www.youtube.com/watch?v=Nq7rK2pL4xA\n\n<https://vimeo.com/912345678>"
    )
    assert rendered.embeds == ("youtube", "vimeo")
    html = rendered.html
    assert html.count('<figure class="embed embed-video') == 2
    assert "<iframe" not in html and "<script" not in html and " src=" not in html  # nothing to fetch
    assert (
        '<button class="embed-load" type="button" hidden data-embed-src="https://www.youtube-nocookie.com/embed/'
        in html
    )
    assert '<a href="https://www.youtube.com/watch?v=Nq7rK2pL4xA">Open it on YouTube</a>' in html
    assert (rendered.first_paragraph, rendered.word_count) == (
        "The trials:",
        2,
    )  # the facade's words are not the article's


def test_a_link_inside_a_sentence_or_with_words_of_its_own_stays_a_link() -> None:
    text = "See https://www.youtube.com/watch?v=Nq7rK2pL4xA now.\n\n[the video](https://www.youtube.com/watch?v=Nq7rK2pL4xA)"
    rendered = render_markdown(text)
    assert rendered.embeds == () and "embed" not in rendered.html


def test_member_html_cannot_make_a_facade_of_its_own() -> None:
    forged = (
        '<figure class="embed"><button class="embed-load" data-embed-src="https://evil.example/">Play</button></figure>'
    )
    html = render_markdown(forged).html
    assert "data-embed-src" not in html and "<button" not in html and 'class="embed' not in html
