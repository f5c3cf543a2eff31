"""The load stage as a builder runs it: what each content file held and loaded to, kept between builds.

A builder that is ``watched`` (the preview's) keeps the files found and what they loaded
to, and looks again only at the files a watcher noted; any builder keeps parse results
in memory (docs/design.md, "What the preview keeps between saves").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from byline.config import BuildOptions
from byline.content.load import LoadRules, load_source
from byline.content.loaded import LoadedFiles, ParseResult, SeenFiles
from byline.content.models import Article
from byline.content.sources import Listing, SourceFile, read_problem, read_source, rescan_sources, scan_sources
from byline.errors import BuildFailed, ContentError
from byline.parallel import collection_paused, fork_imap
from byline.state.cache import Cache, Encoded, StoredBodies, decode_result, encode_result, parse_key

PARALLEL_PARSE_MIN = 64  # below this, starting workers costs more than it saves


class Loader:
    """Loads a site's content files, build after build, from memory, the cache or by parsing."""

    def __init__(self) -> None:
        self._memo: dict[str, ParseResult] = {}
        self._seen: SeenFiles | None = None  # what each content file held when last read
        self._listing: Listing | None = None  # the content files the last build found
        self._files: LoadedFiles | None = None  # what they loaded to (a watched builder's)
        self._noted: set[str] = set()  # paths changed since, as a watcher saw them (see note_changes)
        self.watched = False  # whether a watcher notes every change: then the listing and loaded files are kept

    def note_changes(self, root: Path, paths: Iterable[Path]) -> None:
        """Paths a watcher saw change; once ``watched`` is set, a scan looks again at these content files alone.

        The preview's watcher reports every change after its first build, and scanning a large
        archive is most of a save's wait (docs/design.md, "Saves looked at alone").
        """
        root = root.resolve()
        self._noted.update(p.relative_to(root).as_posix() for p in paths if p.is_relative_to(root))

    def forget_scan(self) -> None:
        """Look at every file next time: a build failed after a scan whose changes may be kept unloaded."""
        self._listing = self._files = None

    def scan(self, options: BuildOptions, seen: SeenFiles) -> Listing:
        """The content files: the changes noted since the last scan looked at, when a watcher notes them all, else every file."""
        listing = None
        if self.watched and self._listing is not None and not options.clean:
            listing = rescan_sources(options.root, self._listing, self._noted, seen)
        if listing is None:
            listing = scan_sources(options.root, seen)
        self._listing, self._noted = listing.kept() if self.watched else None, set()
        return listing

    def loaded(
        self, listing: Listing, rules: LoadRules, cache: Cache, options: BuildOptions
    ) -> tuple[LoadedFiles, int]:
        """What every content file loads to, and how many were parsed: patched where the scan looked, else gathered."""
        files = self._files
        if listing.looked is not None and files is not None and files.rules == rules and not options.clean:
            return files, self._load_changes(listing, files, cache, options)  # if it fails, forget_scan
        sources, source_problems = listing.results()
        results, parsed, entities = self._load(sources, rules, cache, options)
        files = LoadedFiles.of(rules, source_problems, results, entities)
        self._files = files if self.watched else None
        return files, parsed

    def _load_changes(self, listing: Listing, files: LoadedFiles, cache: Cache, options: BuildOptions) -> int:
        """Load again the files a rescan looked at, patching ``files``; the others keep what they loaded."""
        looked = listing.looked or frozenset()
        sources = [item for rel in sorted(looked) if isinstance(item := listing.found.get(rel), SourceFile)]
        keys = [parse_key(source, files.rules) for source in sources]
        known = self._memo
        fresh = dict(zip([s.path for s in sources], keys, strict=True))
        for rel in looked:
            files.models.pop(rel, None)
            files.problems.pop(rel, None)
            if isinstance(problem := listing.found.get(rel), ContentError):
                files.problems[rel] = [problem]
            old = files.keys.pop(rel, None)
            if old is not None and old != fresh.get(rel):
                known.pop(old, None)  # the file's last result, not this one's
        parsed = self._fill(known, sources, keys, files.rules, cache, options, lambda: {*files.keys.values(), *keys})
        for source, key in zip(sources, keys, strict=True):
            model, found = known[key]
            files.keys[source.path] = key
            if model is not None:
                files.models[source.path] = model
            if found:
                files.problems[source.path] = found
            if key.startswith("unreadable:"):
                del known[key]  # a file that could not be read is tried again next time
        return parsed

    def seen_files(self, cache: Cache, options: BuildOptions) -> SeenFiles:
        """What content files held when last read: kept in memory, else the cache's record; none for --clean."""
        if options.clean:
            self._seen = SeenFiles()
        elif self._seen is None:
            self._seen = SeenFiles(cache.get_seen())
        self._seen.changes()  # what the last build changed was saved with it
        return self._seen

    def seen_saved(self) -> None:
        """The cache has what files held as this build read them: a builder no watcher keeps reads it from there
        next time, rather than hold an entry for every file all build long."""
        if not self.watched:
            self._seen = None

    def _load(
        self, sources: list[SourceFile], rules: LoadRules, cache: Cache, options: BuildOptions
    ) -> tuple[list[ParseResult], int, dict[str, str]]:
        """Parse results for every source (from memory, then the cache, then by parsing), and each file's key."""
        keys = [parse_key(s, rules) for s in sources]
        wanted = set(keys)
        known = self._memo  # whole-archive passes here are set and map operations: a preview save makes one each
        for stale in known.keys() - wanted:
            del known[stale]
        parsed = self._fill(known, sources, keys, rules, cache, options, lambda: set(keys))
        results = list(map(known.__getitem__, keys))
        for key in [k for k in known.keys() - wanted if k.startswith("unreadable:")]:
            del known[key]  # a file that could not be read is tried again next time
        self._memo = known
        return results, parsed, dict(zip([s.path for s in sources], keys, strict=True))

    def _fill(
        self,
        known: dict[str, ParseResult],
        sources: list[SourceFile],
        keys: list[str],
        rules: LoadRules,
        cache: Cache,
        options: BuildOptions,
        everything: Callable[[], set[str]],
    ) -> int:
        """Put each source's parse result in ``known`` (from the cache, else read and parsed); return how many were parsed.

        A file skipped as unchanged is read when its result is nowhere, and its key in
        ``keys`` follows what was read. A cache that gained results keeps ``everything``'s.
        """
        if not options.clean and (lacking := set(keys) - known.keys()):
            known.update(cache.get_parsed(list(lacking), leave_bodies=True))
        missing = [i for i, k in enumerate(keys) if k not in known]
        for i in missing:  # files skipped as unchanged are read now that they must be parsed
            try:
                sources[i] = read_source(options.root, sources[i])
            except OSError as exc:
                keys[i] = f"unreadable:{sources[i].path}"
                known[keys[i]] = (None, [read_problem(sources[i].path, exc)])
                continue
            keys[i] = parse_key(sources[i], rules)
        missing = [i for i in missing if keys[i] not in known]
        for chunk in _parse_all([sources[i] for i in missing], rules, options.jobs):
            entries = {keys[missing[index]]: encoded for index, encoded in chunk}
            stored = cache.put_parsed(entries)  # chunk by chunk: the encoded site is never held at once
            with collection_paused():  # the results live to the end of the build: no cycles to look for
                known.update((key, decode_result(encoded, leave_bodies=stored)) for key, encoded in entries.items())
        if missing:
            cache.prune(everything())
        return len(missing)


class Bodies:
    """The parsed body of each article the model holds without it, packed: read back from the cache by its key.

    Pages are rendered long after the load, a few of them in an edit: the archive's bodies
    stay on disk until then (docs/design.md, "Bodies left in the cache").
    """

    def __init__(self, cache: Path, root: Path, rules: LoadRules, keys: Mapping[str, str]):
        self._stored = StoredBodies(cache)
        self._root, self._rules, self._keys = root, rules, keys

    def __call__(self, source: str) -> bytes:
        key = self._keys[source]
        packed = self._stored.packed(key)
        return packed if packed is not None else self._parsed_again(source, key)

    def _parsed_again(self, source: str, key: str) -> bytes:
        """A body the cache no longer holds (another build pruned it, or the cache was removed): the file
        parsed again, if it still holds what this build loaded; else the build stops, writing nothing."""
        try:
            read = read_source(self._root, SourceFile(source, "article", None, ""))
        except OSError as exc:
            raise BuildFailed([read_problem(source, exc)]) from None
        model = load_source(read, self._rules)[0] if parse_key(read, self._rules) == key else None
        if not isinstance(model, Article) or model.body.packed is None:
            message = "the file changed while the site was being built; build again"
            raise BuildFailed([ContentError(source, 1, message)])
        return model.body.packed

    def close(self) -> None:
        self._stored.close()


def _parse_all(sources: list[SourceFile], rules: LoadRules, jobs: int) -> Iterator[list[tuple[int, Encoded]]]:
    """Parse files (in worker processes when there are many); yield chunks of (index, encoded result)."""

    def job(indices: Sequence[int]) -> list[tuple[int, Encoded]]:
        return [(i, encode_result(*load_source(sources[i], rules))) for i in indices]

    workers = jobs if len(sources) >= PARALLEL_PARSE_MIN else 1
    yield from fork_imap(job, len(sources), workers)
