"""Scaffold text: what `new` and `authors new` write for the editor to replace, and the one rule that finds it.

An instruction in double square brackets is unmistakable in the file and the preview, and rare in real copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

PATTERN = re.compile(r"\[\[[^\[\]\n]{1,300}\]\]")
OLD_SCAFFOLD = (
    "Write the article here. Delete 'draft: true' above when it is ready to publish.",
    "A short biography: who they are and what they write about.",
)


def placeholder(instruction: str) -> str:
    """The placeholder for an instruction: what the scaffold writes where the editor must write."""
    return f"[[{instruction}]]"


ARTICLE_BODY = placeholder(
    "Write the article here in Markdown: the news first, then the details and quotes."
    " When it is ready, run: python build.py publish THIS-FILE"
)
SUMMARY = placeholder("The news in one or two sentences, at most 200 characters; or delete this line")
AUTHOR_BIO = placeholder("A short biography: who they are and what they write about")


def find_placeholders(text: str) -> Iterator[tuple[int, str]]:
    """Each piece of scaffold text in ``text``: its offset and the text itself."""
    if "[[" in text:
        for match in PATTERN.finditer(text):
            yield match.start(), match.group()
    for old in OLD_SCAFFOLD:
        start = text.find(old)
        while start >= 0:
            yield start, old
            start = text.find(old, start + 1)
