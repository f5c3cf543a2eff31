"""The text rules every part of Byline shares."""

from __future__ import annotations

import pytest

from byline.text import plural


@pytest.mark.parametrize(("count", "said"), [(0, "0 errors"), (1, "1 error"), (2, "2 errors"), (21, "21 errors")])
def test_plural_says_the_count_and_adds_an_s_unless_there_is_one(count: int, said: str) -> None:
    assert plural(count, "error") == said
