"""A body is finished in one pass: its pictures measured and responsive, its outbound links under the policy."""

from __future__ import annotations

from byline.content.markup import render_markdown, sanitise
from byline.output.body import NEW_TAB_NOTE, LinkPolicy, finish_body
from byline.output.reads import Recorder, TrackedPictures
from byline.site.images import ImageCatalog, ImageInfo

PHOTO = ImageInfo("/static/a.jpg", "/site/static/a.jpg", "d" * 64, 1600, 900, "JPEG")
CATALOG = ImageCatalog({PHOTO.src: PHOTO})
UGC_NEW_TAB = LinkPolicy("news.example", ("ugc",), True)


def base(url: str) -> str:
    return "/news" + url


def test_a_picture_inside_an_outbound_link_gets_both_in_one_pass() -> None:
    body = render_markdown("[![Depot](/static/a.jpg)](https://quayside.example/depot) and [us](/about/)").html
    assert finish_body(body, CATALOG, base, "100vw", UGC_NEW_TAB) == (
        '<p><a href="https://quayside.example/depot" target="_blank" rel="ugc noopener">'
        '<img alt="Depot" src="/news/static/a.jpg" width="1600" height="900" srcset="'
        "/news/static/renditions/a-400w.dddddddddd.jpg 400w, /news/static/renditions/a-800w.dddddddddd.jpg 800w, "
        '/news/static/renditions/a-1200w.dddddddddd.jpg 1200w, /news/static/a.jpg 1600w" sizes="100vw" '
        f'loading="lazy" decoding="async">{NEW_TAB_NOTE}</a> and <a href="/about/">us</a></p>'
    )


def test_a_body_with_nothing_to_finish_comes_back_as_the_very_string() -> None:
    """So the body keeps the digest worked out for it once."""
    body = render_markdown("Text, [our page](/about/) and ![unknown](/static/b.jpg).").html
    assert finish_body(body, CATALOG, base, "100vw", UGC_NEW_TAB) is body
    outbound = render_markdown("[Elsewhere](https://quayside.example/)").html
    assert finish_body(outbound, CATALOG, base, "100vw") is outbound  # pages have no link policy


def test_the_policy_keeps_a_rel_the_body_has_and_reads_escaped_addresses() -> None:
    body = '<p><a href="https://x.example/a?b=1&amp;c=2" rel="nofollow">X</a></p>'
    assert finish_body(body, CATALOG, base, "", LinkPolicy("news.example", ("ugc", "nofollow"))) == (
        '<p><a href="https://x.example/a?b=1&amp;c=2" rel="nofollow ugc">X</a></p>'
    )


def test_every_picture_the_pass_looks_up_is_a_recorded_read() -> None:
    """An incremental build must re-render a body when a picture it shows (or names, but lacks) changes."""
    recorder = Recorder()
    body = render_markdown("![A](/static/a.jpg)\n\n![B](/static/b.jpg)").html
    with recorder.scope() as reads:
        finish_body(body, TrackedPictures(CATALOG, recorder), base, "100vw", UGC_NEW_TAB)
    assert set(reads) == {"i|/static/a.jpg", "i|/static/b.jpg"}


def test_markup_in_attribute_values_cannot_end_a_tag_early() -> None:
    """The pass reads a tag up to its first ">": sanitising escapes any inside attribute values."""
    body = sanitise('<a href="https://x.example" title="a>b<script>x</script>"><img src="/static/a.jpg" alt="1>0"></a>')
    finished = finish_body(body, CATALOG, base, "", UGC_NEW_TAB)
    assert "<script>" not in finished
    assert 'title="a&gt;b&lt;script&gt;x&lt;/script&gt;"' in finished and 'alt="1&gt;0"' in finished


def test_a_link_nested_in_a_links_table_follows_the_policy_too() -> None:
    """Sanitising keeps a link inside a table cell inside a link; each gets the policy and its own note."""
    body = sanitise(
        '<a href="https://a.example"><table><tr><td><a href="https://b.example">B</a></td></tr></table>A</a>'
    )
    assert finish_body(body, CATALOG, base, "", UGC_NEW_TAB) == (
        '<a href="https://a.example" target="_blank" rel="ugc noopener"><table><tbody><tr><td>'
        f'<a href="https://b.example" target="_blank" rel="ugc noopener">B{NEW_TAB_NOTE}</a>'
        f"</td></tr></tbody></table>A{NEW_TAB_NOTE}</a>"
    )
