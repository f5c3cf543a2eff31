"""Which outputs a build must make again: those that read something that reads differently now."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from byline.output.plan import Output
from byline.output.reads import Facts
from byline.output.views import Views


class RecordedReads(Protocol):
    """The last build's record of reads (``state.graph.Recorded``)."""

    @property
    def facts(self) -> Mapping[str, tuple[int, str]]: ...  # fact -> (id, identity)

    @property
    def readers(self) -> Mapping[str, tuple[int, str]]: ...  # reader -> (id, spec)

    def readers_of(self, keys: Iterable[str]) -> set[str]: ...


@dataclass
class Stale:
    """What must be made again, and why."""

    outputs: set[str] = field(default_factory=set)  # output paths
    gone: set[str] = field(default_factory=set)  # readers of outputs no longer there
    changed: set[str] = field(default_factory=set)  # facts that read differently now


def spec(output: Output) -> str:
    """What an output is besides what it reads: its template and kind."""
    return f"{output.template}|{output.kind}"


def find_stale(outputs: Sequence[Output], recorded: RecordedReads, facts: Facts, views: Views) -> Stale:
    """The outputs to make again after the last build recorded ``recorded``."""
    stale = Stale()
    same_files: set[str] = set()  # a model's fields are made from its file alone: same parse, same fields
    for key, (_, identity) in recorded.facts.items():
        if key.startswith("e|"):
            if facts.evaluate(key) == identity:
                same_files.add(key[2:])
            else:
                stale.changed.add(key)
    for key, (_, identity) in recorded.facts.items():
        if key.startswith(("v|", "e|")) or (key.startswith("f|") and key[2:].rpartition("|")[0] in same_files):
            continue
        if facts.evaluate(key) != identity:
            stale.changed.add(key)
    remade: set[str] = set()
    frontier = set(stale.changed)
    while frontier:
        following: set[str] = set()
        for reader in recorded.readers_of(frontier):
            if reader.startswith("o:"):
                stale.outputs.add(reader[2:])
            elif reader.startswith("s:"):
                continue  # a search shard: its key, made from its documents' identities, decides
            elif reader not in remade:
                remade.add(reader)
                if views.remake(reader) != recorded.facts.get(reader, (0, None))[1]:
                    following.add(reader)
        stale.changed |= following
        frontier = following
    listed = set()
    for output in outputs:
        listed.add(output.path)
        known = recorded.readers.get(f"o:{output.path}")
        if known is None or known[1] != spec(output):
            stale.outputs.add(output.path)
    stale.gone = {name for name in recorded.readers if name.startswith("o:") and name[2:] not in listed}
    return stale
