"""Content sanitising removes is a warning at its line, saying what to do instead (item 6)."""

from __future__ import annotations

import pytest

from tests.conftest import MakeSite
from tests.helpers import article, check_site

BODY = """\
The launch.

<iframe src="https://www.youtube.com/embed/Nq7rK2pL4xA" width="560"></iframe>

<div class="tweet" style="border: 1px solid">Our post</div>

<blockquote class="twitter-tweet"><p>Hello</p></blockquote>
<script async src="https://platform.twitter.com/widgets.js"></script>

Read the <a href="https://partner.example" onclick="track()">terms</a> or [call us](javascript:call()).

<form action="/apply"><input name="email"></form>

<p><font color="red">Kept as text</font>, <span lang="cy">Croeso</span>.</p>
"""


@pytest.fixture
def found(make_site: MakeSite) -> list[str]:
    root = make_site({"content/articles/quayside.md": article(body=BODY)})
    problems = check_site(root).problems
    assert {p.severity for p in problems} == {"warning"}
    return [p.format().removeprefix("content/articles/quayside.md:") for p in problems]


def test_removals_are_warnings_at_their_lines(found: list[str]) -> None:
    assert found == [
        "8: warning: an embedded YouTube video (<iframe>) was removed: put its link,"
        " https://www.youtube.com/watch?v=Nq7rK2pL4xA, on a line of its own and Byline shows it with a button that plays it",
        '10: warning: class "tweet" was removed from <div>: articles take the site\'s styles; use Markdown for'
        " emphasis, headings, lists and quotes",
        '10: warning: style="border: 1px solid" was removed from <div>: articles take the site\'s styles; use'
        " Markdown for emphasis, headings, lists and quotes",
        '12: warning: class "twitter-tweet" was removed from <blockquote>: for a post on X, put its link on a line'
        " of its own and Byline shows it with a button that shows it",
        "13: warning: <script> was removed: scripts cannot run in articles; for a post on X, put its link on a line"
        " of its own and Byline shows it with a button that shows it",
        "15: warning: a javascript: address was removed from <a href>: addresses must be http(s), mailto: or tel:",
        "15: warning: the onclick handler was removed from <a>: scripts cannot run in articles",
        "17: warning: <form> was removed: forms cannot be published in articles; link to the form's own page instead",
        "17: warning: <input> was removed: forms cannot be published in articles; link to the form's own page instead",
    ]


def test_formatting_whose_text_is_kept_and_markdowns_own_markup_pass_quietly(make_site: MakeSite) -> None:
    body = "A [link](/x/) and ![a picture](https://cdn.example/a.png).[^1]\n\n| a |\n|:-:|\n| b |\n\n```python\nx = 1\n```\n\n<center>Centred</center>\n\n[^1]: A note."
    root = make_site({"content/articles/quayside.md": article(body=body)})
    assert [p.format() for p in check_site(root).problems if "removed" in p.message] == []


def test_an_authors_bio_is_checked_too(make_site: MakeSite) -> None:
    author = '---\nname: Simon Malia\n---\nSimon covers ports.\n\n<video src="/static/clip.mp4"></video>\n'
    root = make_site({"content/authors/simon-malia.md": author})
    assert [p.format() for p in check_site(root).problems] == [
        "content/authors/simon-malia.md:6: warning: <video> was removed: upload the video to YouTube or Vimeo, then"
        " put its link on a line of its own and Byline shows it with a button that plays it"
    ]
