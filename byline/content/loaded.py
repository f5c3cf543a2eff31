"""What a builder keeps of the content files between builds: what each held, and what each loaded to.

The preview's builder keeps both for a whole session, so a save touches the entries of
the files it changed, not every file's (docs/design.md, "What the preview keeps between saves").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from byline.content.load import Loaded, LoadRules
from byline.content.sources import Seen
from byline.errors import ContentError

ParseResult = tuple[Loaded | None, list[ContentError]]  # a file's model (if any) and its problems


@dataclass
class LoadedFiles:
    """What each content file loaded to; a watched builder keeps it and patches the files a rescan looked at.

    Gathering every file's key, result and problems again was most of a save's load
    stage in a large archive (docs/design.md, "What the preview keeps between saves").
    """

    rules: LoadRules
    keys: dict[str, str]  # path -> its parse key: what an output that read the file records
    models: dict[str, Loaded]  # path -> the file's model, for files that have one
    problems: dict[str, list[ContentError]]  # path -> the listing's or the loading's problems with it, if any

    @classmethod
    def of(
        cls, rules: LoadRules, listed: list[ContentError], results: list[ParseResult], keys: dict[str, str]
    ) -> LoadedFiles:
        problems: dict[str, list[ContentError]] = {}
        for problem in listed:
            problems.setdefault(problem.path, []).append(problem)
        models = {}
        for path, (model, found) in zip(keys, results, strict=True):
            if model is not None:
                models[path] = model
            if found:
                problems.setdefault(path, []).extend(found)
        return cls(rules, keys, models, problems)


class SeenFiles(dict[str, Seen]):
    """What each content file held when last read, noting the entries a scan sets or drops, for the cache.

    Comparing the whole record before and after each scan was two passes over every
    file, for a save that changed one (docs/design.md, "What the preview keeps between saves").
    """

    def __init__(self, *args: Any):
        super().__init__(*args)
        self._set: set[str] = set()
        self._dropped: set[str] = set()

    def __setitem__(self, path: str, seen: Seen) -> None:
        super().__setitem__(path, seen)
        self._set.add(path)
        self._dropped.discard(path)

    def __delitem__(self, path: str) -> None:
        super().__delitem__(path)
        self._dropped.add(path)
        self._set.discard(path)

    def pop(self, path: str, *default: Any) -> Any:
        if path in self:
            self._dropped.add(path)
            self._set.discard(path)
        return super().pop(path, *default)

    def changes(self) -> tuple[dict[str, Seen], set[str]]:
        """The entries set and the paths dropped since the last call (then forgotten)."""
        changed = {path: self[path] for path in self._set if path in self}
        dropped, self._set, self._dropped = self._dropped, set(), set()
        return changed, dropped
