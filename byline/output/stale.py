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
    def facts(self) -> Mapping[str, str]: ...  # fact -> identity

    @property
    def readers(self) -> Mapping[str, tuple[int, str]]: ...  # reader -> (id, spec)

    def readers_of(self, keys: Iterable[str]) -> set[str]: ...


INPUTS_READER = "d:inputs"  # the record of every file's entity and every map's digest (Facts.inputs)


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
    stale.changed = changed_facts(recorded.facts, facts)
    remade: set[str] = set()
    frontier = set(stale.changed)
    while frontier:
        following: set[str] = set()
        for reader in recorded.readers_of(frontier):
            if reader.startswith("o:"):
                stale.outputs.add(reader[2:])
            elif reader.startswith(("s:", "d:")):
                continue  # a search shard (its key, made from its documents' identities, decides), or the inputs
            elif reader not in remade:
                remade.add(reader)
                if views.remake(reader) != recorded.facts.get(reader):
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


def changed_facts(recorded: Mapping[str, str], facts: Facts) -> set[str]:
    """The recorded facts (shared views aside) whose identity differs now.

    A model's fields are made from its file alone: a file that parses the same gives the same
    fields, so its ``f|`` facts are not evaluated; nor are the look-ups of a map whose digest
    (``d|``) is the one recorded with them.
    """
    entities = facts.recorder.entities
    same_maps = {key[2:] for key, digest in facts.map_digests().items() if recorded.get(key) == digest}
    changed: set[str] = set()
    same_files: set[str] = set()
    others: list[tuple[str, str]] = []
    for key, identity in recorded.items():
        kind = key[:2]
        if kind == "e|":
            if entities.get(key[2:]) == identity:
                same_files.add(key[2:])
            else:
                changed.add(key)
        elif kind != "v|" and kind != "d|":
            others.append((key, identity))
    evaluate = facts.evaluate
    for key, identity in others:
        kind = key[:2]
        if kind == "f|" and key[2:].rpartition("|")[0] in same_files:
            continue
        if kind == "m|" and key[2:].partition("|")[0] in same_maps:
            continue
        if evaluate(key) != identity:
            changed.add(key)
    return changed
