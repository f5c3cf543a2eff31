"""Hypothesis strategies for content files: front matter values of every type, Markdown, raw bytes."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import yaml
from hypothesis import strategies as st

# A problem as the contract prints it: path:line: message, on one line.
PROBLEM = re.compile(r"^(content/[^:\n]+|(static|templates)(/[^:\n]+)?|site\.toml):\d+: (warning: )?[^\n]+$")

# Inputs an adversarial review found passing `check` and breaking the build (issue 16): aliases
# whose files cannot join the output tree, lone surrogates from YAML escapes, an over-long slug,
# a time the clocks skip, and addresses where a picture's line must be found.
HARD_ALIASES = [
    "/_redirects/", "/.well-known/byline.json/", "/.well-known/x.html", "/x.html", "/x.html/", "/x.html/y/",
    "/articles/2026/03/01/quayside-opens/index.html/", "/articles/2026/03/01/quayside-opens/", "/feed.xml/",
    "/robots.txt/", "/404.html/", "/pagefind/a.html", "/" + "a" * 256 + "/", "/" + "b/" * 1100, "/news/x.html",
]  # fmt: skip
HARD_VALUES = [
    "\ud83d\ude00", "Smile \ud83d", "\udfff", "x\x01", "a" * 300, "2026-03-29 01:30", "2026-10-25 01:30", "x",
    "/static/x.png",
]  # fmt: skip

KEYS = [
    "title", "date", "author", "section", "summary", "tags", "region", "image", "image_alt", "image_credit",
    "slug", "updated", "corrections", "aliases", "id", "draft", "name", "role", "links", "avatar", "extra",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(timezone(timedelta(hours=5)))
    ),
    st.sampled_from(["2026-03-01", "2026-03-01 09:00", "2026-02-30", "simon-malia", "/old/x/", "[", "*a", "news"]),
    st.sampled_from(HARD_ALIASES + HARD_VALUES),
    st.lists(st.sampled_from(HARD_ALIASES), min_size=1, max_size=3),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
front_matter = st.dictionaries(st.sampled_from(KEYS) | st.text(min_size=1, max_size=10), values, max_size=8)

# Markdown made of the characters and constructs that drive its parsers.
_TOKENS = [
    "*", "**", "_", "`", "```", "~~~", "#", "## ", ">", "> ", "- ", "* ", "1. ", "    ", "\t", "\n", "\n\n",
    "[", "]", "(", ")", "![", "[^1]", "[^1]: ", "[x]: /y", "<", ">", "</", "<div>", "</div>", '<div markdown="1">',
    "<script>", "<!--", "-->", "&", "&amp;", "|", "|---|", ":", "---", "===", "*[HTML]: ", "{: #id .cls }",
    "\\", '"', "'", "--", "...", "http://x.test/", "word", "Ünïcödé", " ",
]  # fmt: skip
markdown_text = st.lists(st.sampled_from(_TOKENS) | st.text(max_size=6), max_size=60).map("".join)

# Raw YAML, to reach what safe_dump never writes: explicit tags, anchors, odd scalars.
_YAML_TOKENS = [
    "title: ", "date: ", "author: ", "tags: ", "corrections: ", "\n", "\n  - ", "\n    note: ", "- ", ": ",
    "!!timestamp ", "!!int ", "!!float ", "!!binary ", "!!set ", "!!omap ", "!!python/object ", "!!str ", "&a ", "*a",
    "2026-13-45", "2026-03-01 09:00", "1" + "0" * 4400, "1e99999", ".nan", "~", "null", "yes", "[", "]", "{", "}",
    '"', "'", "\\x01", "? ", "|\n  ", ">\n  ", "#", ",", "simon-malia", "Quayside", "\\ud83d", "\\udfff",
    '"\\ud83d\\ude00"',
]  # fmt: skip
yaml_text = st.lists(st.sampled_from(_YAML_TOKENS) | st.text(max_size=5), max_size=40).map("".join)


def yaml_front_matter(values: dict[object, object]) -> str:
    """YAML for a front matter dict; safe_dump writes every type the strategies make."""
    return yaml.safe_dump(values, allow_unicode=True, default_flow_style=None, sort_keys=False)


@st.composite
def article_files(draw: st.DrawFn) -> bytes:
    """A whole article file: mostly plausible front matter with random values, or raw bytes."""
    kind = draw(st.sampled_from(["valid-ish", "random-values", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=400))
    base: dict[object, object] = {"title": "Quayside opens", "date": "2026-03-01 09:00", "author": "simon-malia"}
    if kind == "random-values":
        base.update(draw(front_matter))
    else:
        key = draw(st.sampled_from(KEYS))
        base[key] = draw(values)
    return f"---\n{yaml_front_matter(base)}---\n{draw(markdown_text)}\n".encode()
