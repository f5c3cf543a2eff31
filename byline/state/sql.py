"""What the state modules' SQLite queries share: looking many values up at once, within SQLite's limits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

BOUND_PARAMETERS = 900  # below SQLite's smallest limit on a statement's parameters (999)

T = TypeVar("T")


def in_chunks(values: Sequence[T]) -> Iterator[tuple[Sequence[T], str]]:
    """``values`` in chunks a statement can bind, each with the ``?, ?, ...`` its ``IN (...)`` takes."""
    for start in range(0, len(values), BOUND_PARAMETERS):
        chunk = values[start : start + BOUND_PARAMETERS]
        yield chunk, ",".join("?" * len(chunk))
