"""Which outputs a build must make again: those that read something that reads differently now."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
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

    def under(self, prefix: str) -> Mapping[str, str]: ...  # the facts whose keys start with prefix

    def each(self, prefix: str) -> Iterable[tuple[str, str]]: ...  # the same, streamed and not kept

    def identities(self, keys: Collection[str]) -> Mapping[str, str]: ...  # the identities of those recorded

    def readers_of(self, keys: Iterable[str]) -> set[str]: ...

    def outputs(self) -> Iterable[tuple[str, str]]: ...  # each recorded output's path and spec


INPUTS_READER = "d:inputs"  # the record of every file's entity and every map's digest (Facts.inputs)
# The fact kinds a build loads to compare whole. Files' entities (e|) it compares streamed from
# the record, the views (v|) a change reaches it looks up, and a file's fields (f|) and a map's
# look-ups (m|) it reads only for the files and maps that changed.
LOADED_KINDS = ("c|", "d|", "i|", "n|", "s|", "t|")
STREAMED_KINDS = ("e|",)  # compared whole, but streamed: Stale.changed holds every one that differs
_EVALUATED = tuple(kind for kind in LOADED_KINDS if kind != "d|")  # each fact evaluated


@dataclass
class Stale:
    """What must be made again, and why."""

    outputs: set[str] = field(default_factory=set)  # output paths
    gone: set[str] = field(default_factory=set)  # readers of outputs no longer there
    changed: set[str] = field(default_factory=set)  # facts that read differently now
    inputs_kept: bool = False  # the record of inputs names every file and map the build has, and no other


def spec(output: Output) -> str:
    """What an output is besides what it reads: its template and kind."""
    return f"{output.template}|{output.kind}"


def find_stale(outputs: Sequence[Output], recorded: RecordedReads, facts: Facts, views: Views) -> Stale:
    """The outputs to make again after the last build recorded ``recorded``."""
    stale = Stale()
    stale.changed, stale.inputs_kept = changed_facts(recorded, facts)
    remade: set[str] = set()
    frontier = set(stale.changed)
    while frontier:
        reached: list[str] = []  # the views that read a changed fact, made again and compared
        for reader in recorded.readers_of(frontier):
            if reader.startswith("o:"):
                stale.outputs.add(reader[2:])
            elif reader.startswith(("s:", "d:")):
                continue  # a search shard (its key, made from its documents' identities, decides), or the inputs
            elif reader not in remade:
                remade.add(reader)
                reached.append(reader)
        identities = recorded.identities(reached)
        following = {reader for reader in reached if views.remake(reader) != identities.get(reader)}
        stale.changed |= following
        frontier = following
    unrecorded = _specs(outputs)
    for path, recorded_spec in recorded.outputs():
        now = unrecorded.pop(path, None)
        if now is None:
            stale.gone.add(f"o:{path}")
        elif now != recorded_spec:
            stale.outputs.add(path)
    stale.outputs.update(unrecorded)  # outputs new since the record
    return stale


def _specs(outputs: Sequence[Output]) -> dict[str, str]:
    """Each output's spec by its path, one string per spec: a few templates and kinds."""
    shared: dict[str, str] = {}
    specs: dict[str, str] = {}
    for output in outputs:
        made = spec(output)
        specs[output.path] = shared.setdefault(made, made)
    return specs


def changed_facts(recorded: RecordedReads, facts: Facts) -> tuple[set[str], bool]:
    """The recorded facts (shared views aside) whose identity differs now; and whether the record of
    inputs names the same files and maps as the build has (then only changed identities need saving).

    A model's fields are made from its file alone: a file that parses the same gives the same
    fields, so its ``f|`` facts are not evaluated; nor are the look-ups of a map whose digest
    (``d|``) is the one recorded with them. Without that record, every field and look-up is.
    """
    entities = facts.recorder.entities
    digests = facts.map_digests()
    changed: set[str] = set()
    others: list[tuple[str, str]] = []
    inputs_recorded = False
    files, gone = 0, False
    for key, identity in recorded.each(STREAMED_KINDS[0]):
        files += 1
        now = entities.get(key[2:])
        if now != identity:
            changed.add(key)
            gone = gone or now is None
            others += recorded.under(f"f|{key[2:]}|").items()
    for key, identity in list(recorded.facts.items()):  # under() adds to the facts
        kind = key[:2]
        if kind == "d|":
            inputs_recorded = True
        elif kind in _EVALUATED:
            others.append((key, identity))
    for key, digest in digests.items():
        if recorded.facts.get(key) != digest:
            others += recorded.under(f"m|{key[2:]}|").items()
    if not inputs_recorded:  # a record without the inputs: compare every field (look-ups are compared above)
        others += recorded.under("f|").items()
    evaluate = facts.evaluate
    changed.update(key for key, identity in dict(others).items() if evaluate(key) != identity)
    same_files = not gone and files == len(entities)
    kept = (
        inputs_recorded and same_files and INPUTS_READER in recorded.readers and digests.keys() <= recorded.facts.keys()
    )
    return changed, kept


def changed_inputs(recorded: RecordedReads, facts: Facts, changed: Collection[str]) -> dict[str, str]:
    """What the record of inputs reads differently now, when it names the same files and maps
    (``Stale.inputs_kept``): the save updates these identities and leaves its other rows as they are."""
    entities = facts.recorder.entities
    found = {key: entities[key[2:]] for key in changed if key.startswith(STREAMED_KINDS)}
    found.update((key, digest) for key, digest in facts.map_digests().items() if recorded.facts.get(key) != digest)
    return found
