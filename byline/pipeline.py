"""The build, top to bottom: read -> load -> model -> plan -> changes -> render -> write.

The only code that calls the stages, in order; it renders only the outputs whose recorded
reads changed, and commits through the workspace (docs/design.md, "Dependency-tracked builds").
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from byline import __version__
from byline.config import BuildOptions, SiteConfig, load_config
from byline.content.load import Loaded, LoadRules
from byline.content.models import Article, Author, Company, Page, Unfinished
from byline.dates import NEWS_WINDOW, iso
from byline.errors import BuildFailed, ContentError, only_errors
from byline.faults import point
from byline.loading import Bodies, Loader
from byline.output.assets import find_assets, write_fingerprinted
from byline.output.plan import REDIRECTS_FILE, Output, SitePlan, redirect_rules
from byline.output.reads import Facts, Reads, Recorder, Strings
from byline.output.render import Renderer
from byline.output.search.documents import SearchDocument, search_documents, shard_members, shards_of
from byline.output.search.indexer import SearchIndexer, SearchResult
from byline.output.stale import (
    INPUTS_READER,
    LOADED_KINDS,
    STREAMED_KINDS,
    Stale,
    changed_inputs,
    find_stale,
    spec,
)
from byline.output.views import Views, view_identity
from byline.parallel import collection_paused, fork_imap, give_back_freed, long_lived, settle, tick
from byline.site.checks import (
    Published,
    Scheduled,
    ShapeChecks,
    editorial_problems,
    next_scheduled,
    static_paths,
    urls_in_sitemap,
)
from byline.site.images import ImageCatalog, inspect_images, make_renditions
from byline.site.kept import KeptModel, Settings, keep, refreshed
from byline.site.model import Site, build_site
from byline.site.svg import unsafe_svgs
from byline.state.cache import generation
from byline.state.graph import Learnt, Recorded, Unreadable
from byline.state.spill import Spill
from byline.state.workspace import Committed, Records, Workspace, environment_failure
from byline.state.write import MARKER, Staging
from byline.theme import find_static, template_problems

Progress = Callable[[int, int], None]
# The site, its pictures, its static files, each content file's parse key, and the articles' bodies.
Modelled = Callable[[Site, ImageCatalog, dict[str, Path], dict[str, str], Bodies], None]
PARALLEL_RENDER_MIN = 400
SPILLED_CHUNK = 2_000  # outputs a worker renders before it sends back what they read, when that is spilled


@dataclass
class BuildResult:
    """What a build did, for the summary line, the preview server and tests."""

    output: Path
    articles: int = 0
    pages: int = 0
    files: int = 0
    rendered: int = 0
    made: list[str] = field(default_factory=list)  # the outputs rendered, by path; the rest were kept
    written: list[str] = field(default_factory=list)  # outputs and renditions new or changed since the last build
    removed: list[str] = field(default_factory=list)  # outputs and renditions the last build had and this one not
    parsed: int = 0
    seconds: float = 0.0
    warnings: list[ContentError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    site: Site | None = None
    next_scheduled: Scheduled | None = None  # the earliest article left out for its date
    search: SearchResult | None = None
    search_documents: list[SearchDocument] = field(default_factory=list)  # what search indexes (or would)
    stable_until: datetime | None = None  # when the clock alone will change the output


@dataclass(frozen=True)
class FirstPages:
    """Pages of a build rendered before the rest of it, with what else may be shown beside them."""

    pages: dict[str, bytes]  # output path -> the file the finished build will hold
    assets: frozenset[str]  # output paths of the build's fingerprinted stylesheets and scripts


@dataclass(frozen=True)
class FirstLook:
    """Outputs a build renders first and hands to ``show`` before it renders or writes the rest.

    The preview's open pages, shown as soon as they can be (docs/design.md, "Open pages first").
    """

    paths: frozenset[str]  # output paths (``urls.output_file``); those not in the plan are skipped
    show: Callable[[FirstPages], None]


@dataclass
class Checked:
    """The model stage's result: the site, if it could be made, and every problem found."""

    site: Site | None
    problems: list[ContentError]
    timings: dict[str, float]
    parsed: int = 0
    images: ImageCatalog | None = None
    next_scheduled: Scheduled | None = None  # the earliest article left out for its date
    static: dict[str, Path] = field(default_factory=dict)  # what /static/ publishes: theme.static_files
    entities: dict[str, str] = field(default_factory=dict)  # content file -> the key of its parse result
    bodies: Bodies | None = None  # the bodies of the articles the site holds without them


def check(options: BuildOptions) -> Checked:
    """Load and model the site, reporting every problem; writes nothing, not even the cache."""
    return Builder(options).check(write_cache=False)


def build(options: BuildOptions, progress: Progress | None = None, workspace: Workspace | None = None) -> BuildResult:
    """Build the site into options.output, or raise BuildFailed leaving it as it was.

    ``workspace``, when given, is the output's workspace with its lock already held.
    """
    return Builder(options).build(progress, workspace=workspace)


def show_first(
    first: FirstLook, outputs: list[Output], renderer: Renderer, assets: dict[str, str], shown: dict[str, bytes]
) -> dict[str, bytes]:
    """Render the wanted outputs among ``outputs`` not shown yet, and show them with the rest shown so far.

    A template error raises BuildFailed, as it would have a moment later.
    """
    wanted = first.paths - shown.keys()
    found = [o for o in outputs if o.path in wanted] if wanted else []
    if not found:
        return shown
    shown = {**shown, **{o.path: renderer.render(o.template, o.context) for o in found}}
    first.show(FirstPages(shown, frozenset(f"static/{name}" for name in assets.values())))
    return shown


class Builder:
    """Builds one site repeatedly; keeps parse results and the model in memory between builds.

    The preview server holds one, so a save re-parses only the file that changed, and
    models the site again only when the edit changed what the model reads.
    """

    def __init__(self, options: BuildOptions):
        self.options = options
        self._loader = Loader()  # the files found, what they held and loaded to
        self._kept: dict[tuple[bool, bool], KeptModel] = {}  # the last model of each view (drafts, future)
        self._unmodelled: dict[tuple[bool, bool], set[str] | None] = {}  # files looked at since each view was modelled
        self._listed: dict[Path, Set[str]] = {}  # the files of each output this builder last committed
        self._committed: dict[Path, Committed] = {}  # the records of each output this builder last committed
        self._shaped: dict[tuple[bool, bool], KeptForShape] = {}  # each view's, while its model keeps its shape
        self.watched = False

    @property
    def watched(self) -> bool:
        """Whether a watcher notes every change (the preview's): then more is kept between builds."""
        return self._loader.watched

    @watched.setter
    def watched(self, value: bool) -> None:
        self._loader.watched = value

    def note_changes(self, paths: Iterable[Path]) -> None:
        """Paths a watcher saw change; once ``watched`` is set, a build looks again at these content files alone."""
        self._loader.note_changes(self.options.root, paths)

    def check(
        self, options: BuildOptions | None = None, write_cache: bool = True, modelled: Modelled | None = None
    ) -> Checked:
        """Load and model the site; ``modelled`` is called with the site before the editorial checks, if it has no errors."""
        with long_lived():
            return self._check(options, write_cache, modelled)

    def _check(self, options: BuildOptions | None, write_cache: bool, modelled: Modelled | None) -> Checked:
        options = _with_clock(options or self.options)
        timer = _Timer()
        workspace = Workspace(options.root, options.output)
        config, problems = load_config(options.root, options.base_url)
        cache = workspace.cache(read_only=not write_cache)
        try:
            seen = self._loader.seen_files(cache, options)
            listing = self._loader.scan(options, seen)
            self._not_yet_modelled(listing.looked)
            timer.lap("read")
            files, parsed = self._loader.loaded(listing, LoadRules.from_config(config), cache, options)
            cache.put_seen(*seen.changes())
            self._loader.seen_saved()
        except BaseException:
            self._loader.forget_scan()
            raise
        finally:
            cache.close()
        del listing  # the files' bytes are parsed: free them before the model and the pages
        give_back_freed()
        problems += [problem for found in files.problems.values() for problem in found]
        entities = dict(files.keys)
        bodies = Bodies(workspace.cache_file, options.root, files.rules, entities)
        timer.lap("load")
        settle()  # the parsed site lives to the end of the build: collections need not walk it
        assert options.now is not None
        with collection_paused():
            settings = Settings(config, options.drafts, options.future)
            kept = self._model(settings, options.now, files.models, options.clean)
            site = kept.site
            problems += kept.problems
            timer.lap("model")
        static, refused = find_static(options.root)
        problems += refused + template_problems(options.root) + unsafe_svgs(static)
        images, image_problems = inspect_images(
            [*site.articles, *site.hidden, *(u for u in site.unfinished if u.kind == "article")],
            [*site.pages, *(u for u in site.unfinished if u.kind == "page")],
            static,
            workspace.images,
            options.root,
            extra=[*_publisher_logo(config), *_company_logos(site), *_avatars(site.authors)],
            fresh=options.clean,
            save=write_cache,
        )
        problems += image_problems
        if not (options.drafts or options.strict):
            problems = demote_drafts(problems, draft_sources(site))
        timer.lap("images")
        if modelled is not None and not only_errors(problems):
            # editorial checks only warn: a build that got here can end well
            modelled(site, images, static, entities, bodies)
            timer.lap("first pages")
        with collection_paused():
            previous = published_before(options, config, read_only=not write_cache)
            static_set = static_paths(static)
            shaped = self._shape_checks(kept, static_set)
            problems += editorial_problems(site, options.root, static_set, previous, options.now, shaped)
            timer.lap("checks")
        return Checked(
            site,
            sorted(set(problems)),
            timer.laps,
            parsed,
            images,
            next_scheduled=next_scheduled(site),
            static=static,
            entities=entities,
            bodies=bodies,
        )

    def build(
        self, progress: Progress | None = None, first: FirstLook | None = None, workspace: Workspace | None = None
    ) -> BuildResult:
        """Build under the output folder's lock: a second build at once is refused, never interleaved.

        ``workspace``, when given, holds the lock already (the command line reads the
        manifest under it first). A build the machine stops (a full disk, a read-only
        folder) raises EnvironmentFailure, the output as it was.
        """
        if workspace is None:
            workspace = Workspace(self.options.root, self.options.output)
            with workspace.locked():
                return self.build(progress, first, workspace)
        with long_lived():
            try:
                return self._build(progress, first, workspace)
            except OSError as exc:
                raise environment_failure(exc, workspace.output) from None

    def _build(self, progress: Progress | None, first: FirstLook | None, workspace: Workspace) -> BuildResult:
        started = time.perf_counter()
        options = _with_clock(self.options)  # one reading of the clock for the whole build
        assert options.now is not None
        renderer = Renderer(options.root, compiled=None if options.clean else workspace.templates)
        shown: dict[str, bytes] = {}
        planned: list[SitePlan] = []

        def look_first(
            site: Site, images: ImageCatalog, static: dict[str, Path], entities: dict[str, str], bodies: Bodies
        ) -> None:
            """The editor's article, before the rest is checked and planned: the save shows sooner."""
            nonlocal shown
            assert first is not None and options.now is not None
            shaped = self._of_shape(options)
            planned.append(_plan(site, images, static, entities, options.now, renderer, bodies, shaped))
            shown = show_first(first, planned[0].article_pages(first.paths), renderer, planned[0].assets, shown)

        checked = self.check(options, modelled=look_first if first is not None and first.paths else None)
        if only_errors(checked.problems) or checked.site is None:
            raise BuildFailed(checked.problems)
        site = checked.site
        timer = _Timer()
        plan = (
            planned[0]
            if planned
            else _plan(
                site,
                checked.images,
                checked.static,
                checked.entities,
                options.now,
                renderer,
                checked.bodies,
                self._of_shape(options),
            )
        )
        assets = plan.assets
        with collection_paused():
            outputs = plan.complete()
        timer.lap("plan")
        cache = workspace.cache()
        output = workspace.output
        built_before = not options.clean and workspace.trusted and (output / MARKER).is_file()
        key = _graph_key(options, plan)
        committed = self._committed.pop(output, None)  # back only once this build is committed
        kept = workspace.still(cache, committed, key) if built_before else None
        recorded: dict[str, str] | None
        graph: Recorded | None
        if kept is not None:  # what this builder's last commit here recorded, as it recorded it
            recorded, graph = kept.fingerprints, kept.graph
        else:
            recorded = workspace.fingerprints(cache) if built_before else None
            graph = workspace.graph(cache, key, LOADED_KINDS) if recorded is not None else None
        previous = recorded or {}
        try:
            stale = find_stale(outputs, graph, plan.facts, plan.views) if graph is not None else None
            known = _known_searches(graph, stale)
        except Unreadable:  # the record could not be read to the end: trust none of it
            graph = stale = None
            known = {}
        timer.lap("changes")
        listed = self._listed.pop(output, None)  # back only once this build is committed
        try:
            with Staging(output, patch=built_before, listed=listed if built_before else None) as staging:
                # Pagefind indexes the published articles' views while the rest is planned and rendered.
                documents = search_documents(plan, known)
                del known  # the documents hold the identities they took
                indexed = documents if options.search_index else []
                indexer = SearchIndexer(
                    indexed,
                    staging.path,
                    output if built_before else None,
                    staging.patch,
                    workers=options.jobs,
                    hold=staging.writers_lock,
                )
                try:
                    indexer.start()
                    if indexed:  # the documents are written: pages never show their views
                        plan.views.let_go("search")
                        give_back_freed()
                    timer.lap("search start")
                    if first is not None:
                        shown = show_first(first, outputs, renderer, assets, shown)
                        timer.lap("more first pages")
                    spill = cache.spill() if graph is None else None  # a record written whole: on disk
                    made = _produce(
                        outputs,
                        None if stale is None else stale.outputs,
                        renderer,
                        staging,
                        output,
                        previous,
                        options.jobs,
                        progress,
                        shown,
                        plan.views,
                        spill,
                    )
                    fingerprints = made.fingerprints
                    timer.lap("render")
                    staging.copy_files(checked.static, "static", previous=output if previous else None)
                    staging.files += write_fingerprinted(assets, checked.static, staging.path / "static")
                    staging.files += _renditions(checked.images, workspace, options, staging, previous, fingerprints)
                    staging.expect(fingerprints)
                    staging.rendered(made.paths)
                    timer.lap("static")
                    search = indexer.finish() if options.search_index else None
                    if search:
                        staging.files += search.files
                        staging.expect(search.kept)  # reused shards stay in the output untouched
                    timer.lap("search")
                finally:
                    indexer.close()
                staging.write(MARKER, _marker(site.config, checked.next_scheduled))
                staging.write(REDIRECTS_FILE, redirect_rules(site))
                staging.files += 2
                published = [(a.source, a.id, site.url_of[a.source]) for a in site.articles]
                learnt = Learnt(key, fresh=graph is None, loaded=graph, spill=spill, streamed=STREAMED_KINDS)
                if stale is not None:
                    learnt.gone, learnt.changed = stale.gone, stale.changed
                learnt.identities = made.identities
                learnt.readers.update(made.readers)
                learnt.readers.update((fact, ("view", reads)) for fact, reads in plan.views.made.items())
                learnt.readers.update((fact, ("view", reads)) for fact, reads in made.views.items())
                if stale is not None and graph is not None and stale.inputs_kept:  # the same files: their new keys
                    learnt.updated = changed_inputs(graph, plan.facts, stale.changed)
                else:
                    learnt.readers[INPUTS_READER] = ("inputs", plan.facts.inputs())  # see stale.changed_facts
                _learn_shards(learnt, graph, documents, stale.changed if stale else set())
                records = Records(fingerprints, recorded, published, learnt)
                stats = workspace.commit(staging, cache, records, listings=not self.watched)
                if self.watched and staging.produced is not None:  # nothing else writes a watched builder's output
                    self._listed[output] = staging.produced
                if self.watched and workspace.committed is not None:
                    self._committed[output] = workspace.committed
        finally:
            if checked.bodies is not None:
                checked.bodies.close()  # first: the cache's last connection to close ends its write-ahead log
            cache.close()
        timer.lap("write")
        return BuildResult(
            output=options.output,
            articles=len(site.articles),
            pages=sum(1 for o in outputs if o.kind in ("page", "article")),
            files=stats.files,
            rendered=len(made.paths),
            made=made.paths,
            written=sorted(path for path, fingerprint in fingerprints.items() if previous.get(path) != fingerprint),
            removed=sorted(previous.keys() - fingerprints.keys()),
            parsed=checked.parsed,
            seconds=time.perf_counter() - started,
            warnings=[p for p in checked.problems if p.severity == "warning"],
            timings={**checked.timings, **timer.laps},
            site=site,
            next_scheduled=checked.next_scheduled,
            search=search,
            search_documents=documents,
            stable_until=stable_until(site, options.now),
        )

    def prime(self, output: Path, source: Path) -> None:
        """Make ``output`` a copy of the build in ``source``, with its records, so builds there patch it."""
        Workspace(self.options.root, output).prime(source)
        if (listed := self._listed.get(source.resolve())) is not None:
            self._listed[output.resolve()] = listed

    def forget(self, output: Path) -> None:
        """Drop what the cache records of ``output`` (a preview folder about to be removed)."""
        self._listed.pop(output.resolve(), None)
        self._committed.pop(output.resolve(), None)
        Workspace(self.options.root, output).forget()

    def forget_gone(self) -> list[str]:
        """Drop what the cache records of output folders no longer there (a preview's, stopped before it could)."""
        return Workspace(self.options.root, self.options.output).forget_gone()

    def _not_yet_modelled(self, looked: frozenset[str] | None) -> None:
        """Add the files a scan looked at to what each kept model has not seen; None: it looked at every file."""
        for view, changed in self._unmodelled.items():
            if changed is not None:
                self._unmodelled[view] = None if looked is None else changed | looked

    def _model(self, settings: Settings, now: datetime, models: dict[str, Loaded], clean: bool) -> KeptModel:
        """The site's model: the last build's brought up to date when the edits allow, else made anew."""
        view = (settings.drafts, settings.future)  # the preview switches between two, each with its own model
        changed = self._unmodelled.get(view)  # the files looked at again since this view was modelled
        kept = None if clean else refreshed(self._kept.get(view), settings, now, models, changed)
        if kept is None:
            site, problems = build_site(
                settings.config,
                [m for m in models.values() if isinstance(m, Article)],
                [m for m in models.values() if isinstance(m, Author)],
                [m for m in models.values() if isinstance(m, Page)],
                now=now,
                drafts=settings.drafts,
                future=settings.future,
                companies=[m for m in models.values() if isinstance(m, Company)],
                unfinished=[m for m in models.values() if isinstance(m, Unfinished)],
            )
            kept = keep(settings, now, models, site, problems)
        self._kept[view] = kept
        self._unmodelled[view] = set()  # only now: a model that failed has seen nothing
        return kept

    def _for_shape(self, kept: KeptModel | None) -> KeptForShape | None:
        """What was made from the shape of ``kept``'s site alone, kept while the view's model keeps its shape
        (``KeptModel.shape``): a watched builder's, as only the preview builds often."""
        if not self.watched or kept is None:
            return None
        view = (kept.settings.drafts, kept.settings.future)
        found = self._shaped.get(view)
        if found is None or found.shape is not kept.shape:
            found = self._shaped[view] = KeptForShape(kept.shape)
        return found

    def _of_shape(self, options: BuildOptions) -> dict[str, Any] | None:
        """What the last plan of this view made from the site's shape alone (``Facts.shaped``)."""
        found = self._for_shape(self._kept.get((options.drafts, options.future)))
        return None if found is None else found.facts

    def _shape_checks(self, kept: KeptModel, static: frozenset[str]) -> ShapeChecks | None:
        """What the checks made from the site's shape and these static files alone (``editorial_problems``)."""
        found = self._for_shape(kept)
        if found is None:
            return None
        if found.checks is None or found.checks[0] != static:
            found.checks = (static, ShapeChecks())
        return found.checks[1]


@dataclass
class KeptForShape:
    """What a watched builder keeps of one view while its model keeps its shape (``KeptModel.shape``)."""

    shape: object
    facts: dict[str, Any] = field(default_factory=dict)  # the plan's (``Facts.shaped``)
    checks: tuple[frozenset[str], ShapeChecks] | None = None  # the checks', with the static files they saw


DRAFT_PROBLEM = "draft cannot be published as it is: "


def draft_sources(site: Site) -> set[str]:
    """The files of every draft, loaded or not."""
    drafts = {a.source for a in site.hidden if site.status_of[a.source] == "draft"}
    return drafts | {u.source for u in site.unfinished if u.draft}


def demote_drafts(problems: list[ContentError], drafts: set[str]) -> list[ContentError]:
    """A draft's errors as warnings naming it: a build that publishes no draft must not be stopped by one.

    Scheduled articles keep theirs: they go out with a build nobody watches.
    """
    return [
        ContentError(p.path, p.line, DRAFT_PROBLEM + p.message, "warning")
        if p.severity == "error" and p.path in drafts
        else p
        for p in problems
    ]


@dataclass
class Made:
    """What rendering made: every output's fingerprint, and what the rendered ones read (unless it was spilled)."""

    fingerprints: dict[str, str]
    readers: dict[str, tuple[str, tuple[str, ...]]]  # "o:<path>" -> (spec, facts read) of each output rendered
    views: dict[str, tuple[str, ...]]  # the facts each shared view made while rendering read
    identities: Reads  # what each of those facts read
    paths: list[str]  # the outputs rendered, in plan order


def _produce(
    outputs: list[Output],
    stale: set[str] | None,
    renderer: Renderer,
    staging: Staging,
    previous_output: Path,
    previous: dict[str, str],
    jobs: int,
    progress: Progress | None,
    rendered_already: Mapping[str, bytes] | None = None,
    views: Views | None = None,
    spill: Spill | None = None,
) -> Made:
    """Render the outputs that are ``stale`` (all when None); keep the rest from the last build.

    An output rendered to the very bytes the last build wrote is kept too. Only what
    changed is rendered, in workers when it is a lot; workers send back what each output
    and each shared view they made read. Given a ``spill``, that goes there as each chunk
    arrives, not into the result.
    """
    done = rendered_already or {}
    fingerprints: dict[str, str] = {}
    todo: list[int] = []
    for index, output in enumerate(outputs):
        recorded = previous.get(output.path)
        if stale is not None and output.path not in stale and recorded is not None:
            size = int(recorded.rpartition(":")[2])
            if staging.reuse(output.path, previous_output, size):
                fingerprints[output.path] = recorded
                continue
        todo.append(index)
    sent: set[str] = set(views.made) if views else set()  # views the caller has already

    def job(
        indices: Sequence[int],
    ) -> tuple[dict[str, str], dict[str, tuple[str, Reads]], dict[str, Reads], list[ContentError]]:
        made: dict[str, str] = {}
        readers: dict[str, tuple[str, Reads]] = {}
        strings = Strings()  # sent once per chunk, however many outputs read them
        compact = strings.reads if workers > 1 else dict  # in this process, nothing is sent
        for number in indices:
            output = outputs[todo[number]]
            try:
                data = done.get(output.path) or renderer.render(output.template, output.context)
            except BuildFailed as failed:
                return made, readers, {}, failed.errors
            fingerprint = f"{hashlib.sha256(data).hexdigest()[:32]}:{len(data)}"
            recorded = previous.get(output.path)
            if not (recorded == fingerprint and staging.reuse(output.path, previous_output, len(data))):
                staging.write(output.path, data)
            made[output.path] = fingerprint
            readers[f"o:{output.path}"] = (spec(output), compact(output.release()))
            tick()
        fresh = {fact: compact(reads) for fact, reads in views.made.items() if fact not in sent} if views else {}
        sent.update(fresh)  # a worker sends each view once
        return made, readers, fresh, []

    workers = jobs if len(todo) >= PARALLEL_RENDER_MIN else 1
    errors: list[ContentError] = []
    readers: dict[str, tuple[str, tuple[str, ...]]] = {}
    made_views: dict[str, tuple[str, ...]] = {}
    strings = Strings()  # one copy of each string across the workers' chunks, each dropped once merged
    most = SPILLED_CHUNK if spill is not None else None  # spilled a chunk at a time, held a chunk at a time
    for chunk_fps, chunk_readers, chunk_views, chunk_errors in fork_imap(
        job, len(todo), workers, progress, in_process_chunk=most or len(todo), most=most
    ):
        fingerprints.update(chunk_fps)
        errors += chunk_errors
        if spill is not None:
            spill.add((name, kind, reads) for name, (kind, reads) in chunk_readers.items())
            spill.add((fact, "view", reads) for fact, reads in chunk_views.items())
            continue
        readers.update((name, (kind, strings.keys(reads))) for name, (kind, reads) in chunk_readers.items())
        made_views.update((fact, strings.keys(reads)) for fact, reads in chunk_views.items())
    if errors:
        raise BuildFailed(errors)
    staging.files += len(outputs)  # written by workers, which count in their own copies
    return Made(fingerprints, readers, made_views, strings.identities, [outputs[i].path for i in todo])


def _renditions(
    images: ImageCatalog | None,
    workspace: Workspace,
    options: BuildOptions,
    staging: Staging,
    previous: dict[str, str],
    fingerprints: dict[str, str],
) -> int:
    """Make the responsive renditions the cache lacks, and copy into the output those it does not hold yet.

    A rendition is fingerprinted by its digest: the output's copy is kept while the last
    commit recorded the same one, and otherwise copied from the cache (verified, or made
    again when its bytes no longer match).
    """
    if images is None:
        return 0
    renditions = make_renditions(images, workspace.images, options.jobs, fresh=options.clean)
    count = 0
    for info, rendition in images.renditions():
        relative = rendition.url.lstrip("/")
        count += 1
        recorded = renditions.recorded(rendition)
        if recorded is not None:
            digest, size = recorded
            if previous.get(relative) == f"{digest}:{size}" and staging.reuse(relative, workspace.output, size):
                fingerprints[relative] = f"{digest}:{size}"
                continue
        data, digest = renditions.read(info, rendition)
        staging.write(relative, data)
        fingerprints[relative] = f"{digest}:{len(data)}"
    renditions.save()
    return count


def _plan(
    site: Site,
    images: ImageCatalog | None,
    static: dict[str, Path],
    entities: dict[str, str],
    now: datetime,
    renderer: Renderer,
    bodies: Bodies | None,
    shaped: dict[str, Any] | None = None,
) -> SitePlan:
    """The plan of every output, reading the site through recorded facts (see ``output.reads``)."""
    recorder = Recorder(entities)
    images = images or ImageCatalog()
    facts = Facts(site, images, now, recorder, templates=renderer.template_digest, shaped=shaped, bodies=bodies)
    return SitePlan(facts, find_assets(static))


def _known_searches(graph: Recorded | None, stale: Stale | None) -> dict[str, str]:
    """The search views whose identities the last build recorded and that nothing has changed since."""
    if graph is None or stale is None:
        return {}
    changed = stale.changed
    return {k: i for k, i in graph.each("v|search|") if k not in changed}


def _learn_shards(learnt: Learnt, graph: Recorded | None, documents: list[SearchDocument], changed: set[str]) -> None:
    """Record which search views each shard holds, so the next build knows their identities unmade.

    A shard is recorded again when what it holds changed, and also when one of its views
    was found ``changed`` though the shard holds what it held: the record was wrong.
    """
    remade = {fact.removeprefix("v|search|") for fact in changed if fact.startswith("v|search|")}
    shards = shards_of(documents)
    for shard, members in shards.items():
        reader, spec = f"s:{shard}", shard_members(members)
        known = graph.readers.get(reader) if graph is not None and not learnt.fresh else None
        if known is None or known[1] != spec or (remade and any(d.source in remade for d in members)):
            learnt.readers[reader] = (spec, {f"v|search|{d.source}": d.identity for d in members})
    if graph is not None:
        learnt.gone |= {name for name in graph.readers if name.startswith("s:") and name[2:] not in shards}


def _graph_key(options: BuildOptions, plan: SitePlan) -> str:
    """Everything every output depends on: a record of reads made under another key is not used.

    Byline's code and libraries, the settings, the options, the stylesheets' names and the
    site view all pages share (navigation, publisher).
    """
    shared = view_identity(plan.views.site_view(), {})
    parts = [generation(), repr(plan.facts.config), str(options.drafts), str(options.future), repr(plan.assets), shared]
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _publisher_logo(config: SiteConfig) -> list[tuple[str, str, int]]:
    """The publisher's logo as an image reference of site.toml, so a missing logo is reported too."""
    return [(config.publisher.logo, "site.toml", 0)] if config.publisher.logo else []


def _company_logos(site: Site) -> list[tuple[str, str, int]]:
    """Each company's logo as an image reference of its profile, so a missing one is reported at its line."""
    return [(c.logo, c.source, c.line("logo")) for c in site.company.values() if c.logo]


def _avatars(authors: Sequence[Author]) -> list[tuple[str, str, int]]:
    """Authors' avatars as image references at their lines, so a missing one is reported as a missing picture is."""
    return [(a.avatar, a.source, a.line("avatar")) for a in authors if a.avatar]


def published_before(options: BuildOptions, config: SiteConfig, read_only: bool = True) -> list[Published]:
    """Article URLs the last build into this output published: the cache's record, else its sitemap.

    The record knows each URL's source file and id, so a moved article is recognised
    exactly; the sitemap (after --clean, or with the cache gone) gives URLs only. ``read_only``
    opens the cache as `check` does, writing nothing; a build reads it under its lock.
    """
    workspace = Workspace(options.root, options.output)
    output = workspace.output
    if not options.clean:
        cache = workspace.cache(read_only=read_only)
        try:
            recorded = cache.get_published(output)
        finally:
            cache.close()
        if recorded is not None:
            return [Published(url, source, article_id) for source, article_id, url in recorded]
    return urls_in_sitemap(output, config) if (output / MARKER).is_file() else []


def _marker(config: SiteConfig, scheduled: Scheduled | None = None) -> bytes:
    """The output's marker; ``next_build_at``, present while an article waits, tells a deploy job when to rebuild.

    The time only, never the waiting article's path or URL: the marker is public, and a
    slug would leak an embargoed headline.
    """
    marker = {"generator": f"Byline {__version__}", "site": config.base_url}
    if scheduled is not None:
        marker["next_build_at"] = iso(scheduled.at.astimezone(UTC))
    return (json.dumps(marker, indent=2) + "\n").encode()


def stable_until(site: Site, now: datetime) -> datetime | None:
    """The next moment the clock alone changes the output: an article goes live or leaves the news sitemap."""
    moments = []
    for article in (*site.articles, *site.hidden):
        if article.draft:
            continue
        if article.date > now:
            moments.append(article.date)
        elif article.date + NEWS_WINDOW > now:
            moments.append(article.date + NEWS_WINDOW)
    return min(moments, default=None)


def _with_clock(options: BuildOptions) -> BuildOptions:
    return options if options.now else replace(options, now=options.clock())


class _Timer:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        """End a stage: time it, and pass its fault point."""
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now
        point(f"stage:{name}")
