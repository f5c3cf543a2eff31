"""Text rules every part of Byline shares: characters pages and feeds cannot carry, and counted nouns.

One rule for content, site.toml and the `new` commands, and one wording for every message that counts.
"""

from __future__ import annotations

import re

# XML 1.0 forbids the C0 controls but tab, newline and CR, and U+FFFE/U+FFFF; HTML calls
# DEL and the C1 range control characters. One in a title would make every feed carrying
# it malformed. A lone surrogate (what YAML's "\ud83d" escape makes) cannot even be
# written as UTF-8: the build would stop with a traceback where it first wrote the text.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
CONTROL_HINT = "web pages and feeds cannot carry it; delete it (it often comes from pasting from Word or a PDF)"


def find_unwritable(text: str) -> re.Match[str] | None:
    """The first character of ``text`` that pages and feeds cannot carry, if any."""
    return UNWRITABLE.search(text)


def describe(found: re.Match[str]) -> str:
    """Say what the character is and what to write instead: 'an invisible control character U+0001: ...'."""
    char = found.group()
    code = ord(char)
    if not 0xD800 <= code <= 0xDFFF:
        return f"an invisible control character U+{code:04X}: {CONTROL_HINT}"
    after = found.string[found.end() : found.end() + 1]
    if code <= 0xDBFF and after and 0xDC00 <= ord(after) <= 0xDFFF:
        whole = 0x10000 + ((code - 0xD800) << 10) + (ord(after) - 0xDC00)
        instead = f"write the character {chr(whole)!r} itself, or the one escape \\U{whole:08X}"
    else:
        instead = "delete it, or write the character itself"
    return f"U+{code:04X}, half of a UTF-16 surrogate pair, which UTF-8 text cannot hold; {instead}"


def plural(count: int, noun: str) -> str:
    """'1 error', '2 errors': messages count things the same way everywhere."""
    return f"{count} {noun}" + ("" if count == 1 else "s")
