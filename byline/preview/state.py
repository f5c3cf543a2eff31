"""What the preview serves at each moment, and the build loop's bookkeeping of it.

A ``State`` is replaced whole, never changed, so a request reads one consistent build; ``Preview``
makes a new one per build (and per early look at a build), and wakes whoever waits for it.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from byline.errors import BuildFailed, ContentError, UsageError
from byline.pipeline import BuildResult, FirstPages
from byline.preview import overlay
from byline.site.model import Site
from byline.text import plural

BUILD_WAIT_SECONDS = 600.0  # a request waits this long at most for the build its page came from
VIEWED_PAGES = 4  # the pages a rebuild renders first: the ones browsers asked for last
VIEW_SWITCH = Path("/_byline/view")  # not a file: the change a switch of the preview's view makes

Log = Callable[[str], None]


@dataclass(frozen=True)
class State:
    """What the preview serves and tells browsers at one moment; replaced whole, never changed.

    While ``first`` is set, the build named by ``token`` is still being finished: only its
    first pages are ready, and other requests wait for it (see docs/design.md, "Preview").
    """

    token: str = ""  # the build being served; '' before any build succeeded
    previous: str = ""
    css_only: bool = False
    attempt: int = 0  # builds tried, so browsers hear of failed builds too
    errors: tuple[ContentError, ...] = ()
    warnings: tuple[ContentError, ...] = ()
    site: Site | None = None
    finished: datetime | None = None
    seconds: float = 0.0
    shown_after: float | None = None  # seconds into the build its first pages were served
    moved: Mapping[str, str] = field(default_factory=dict)
    folder: Path | None = None  # where the build named by ``token`` is
    first: FirstPages | None = None
    serial: int = 0  # states published, for the event streams
    view: str = "all"  # what the build named by ``token`` shows: overlay.VIEWS

    @property
    def ok(self) -> bool:
        return not self.errors

    def message(self) -> str:
        """The state as browsers receive it (see livereload.js)."""
        return json.dumps(
            {
                "build": self.token,
                "previous": self.previous,
                "css": self.css_only,
                "overlay": overlay.overlay_html(self.errors) if self.errors else "",
            }
        )

    def report(self) -> overlay.BuildReport:
        return overlay.BuildReport(self.ok, self.finished, self.seconds, self.errors, self.warnings)


class Preview:
    """The one builder callback and its epoch: builds, keeps the result as a State, wakes whoever waits for it."""

    def __init__(self, build: Callable[[], BuildResult], log: Log = print, quiet: bool = False):
        self._build = build
        self._log = log
        self._quiet = quiet
        self._instance = secrets.token_hex(4)  # a restarted server's builds never match an old page's
        self._epoch = 0
        self._state = State()
        self._changed = threading.Condition()
        self._closed = False
        self._serial = 0
        self._css_only = False  # the build under way changes stylesheets only
        self._first_token = ""  # the token the build under way showed its first pages under
        self._shown_after: float | None = None  # and how long into it
        self._started = 0.0  # when the build under way began (time.perf_counter)
        self._viewed: dict[str, None] = {}  # output paths of the pages browsers asked for, oldest first
        self.view = "all"  # what builds show: drafts and scheduled articles, or the site as published now
        self._building = "all"  # the view of the build under way
        self.ready = threading.Event()  # set once the first build has been tried

    @property
    def state(self) -> State:
        return self._state

    @property
    def closed(self) -> bool:
        return self._closed

    def rebuild(self, changed: Iterable[Path] = (), css_only: bool = False, root: Path | None = None) -> State:
        """Build once; on success the new build is served, on failure the last good one stays."""
        started = self._started = time.perf_counter()
        old = self._state
        view = self._building = self.view
        self._css_only = css_only and old.ok and bool(old.token)
        self._first_token, self._shown_after = "", None
        try:
            result = self._build()
        except BuildFailed as failed:
            state = replace(old, css_only=False, attempt=old.attempt + 1, errors=tuple(failed.errors))
        except UsageError as exc:  # e.g. content/articles/ renamed away while serving
            state = replace(old, css_only=False, attempt=old.attempt + 1, errors=(ContentError(".", 0, str(exc)),))
        except Exception as exc:  # a bug must not end the preview: report it and keep serving
            traceback.print_exc()
            problem = ContentError("byline", 0, f"internal error, please report: {type(exc).__name__}: {exc}")
            state = replace(old, css_only=False, attempt=old.attempt + 1, errors=(problem,))
        else:
            state = State(
                token=self._first_token or self._next_token(),
                previous=old.token,
                css_only=self._css_only,
                attempt=old.attempt + 1,
                warnings=tuple(result.warnings),
                site=result.site,
                moved=moved_urls(old.site, result.site, old.moved),
                folder=result.output.resolve(),
                shown_after=self._shown_after,
                view=view,
            )
        seconds = time.perf_counter() - started
        if not state.ok:  # made from the last good state, which may have shown pages early itself
            state = replace(state, shown_after=None)
        state = self._publish(replace(state, finished=datetime.now().astimezone(), seconds=seconds))
        self._log_outcome(old, state, changed, root)
        return state

    def serve_first_pages(self, first: FirstPages) -> None:
        """Serve the build under way's first pages now, under its token; the rest waits for it (see State).

        Called again in the same build with more pages, it keeps the token: browsers that
        reloaded into the first pages are not reloaded again.
        """
        old = self._state
        if self._first_token:  # shown already in this build: more pages, same token, same reference
            self._publish(replace(old, first=first))
            return
        self._first_token = self._next_token()
        self._shown_after = time.perf_counter() - self._started
        self._publish(
            replace(
                old,
                token=self._first_token,
                previous=old.token,
                css_only=self._css_only,
                errors=(),
                shown_after=self._shown_after,
                folder=old.folder if old.token else None,
                first=first,
                view=self._building,
            )
        )

    def viewed(self, page: str) -> None:
        """Note a page a browser asked for: the next rebuild renders the last few first."""
        with self._changed:
            self._viewed.pop(page, None)
            self._viewed[page] = None
            while len(self._viewed) > VIEWED_PAGES:
                del self._viewed[next(iter(self._viewed))]

    def viewed_pages(self) -> frozenset[str]:
        with self._changed:
            return frozenset(self._viewed)

    def wait_for_change(self, serial: int, timeout: float) -> State | None:
        """The state once one after ``serial`` is published (the same state on timeout); None when closing."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._state.serial != serial, timeout)
            return None if self._closed else self._state

    def wait_for_build(self, attempt: int, timeout: float) -> State | None:
        """The state once a build after ``attempt`` is done (the same state on timeout); None when closing."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._state.attempt != attempt, timeout)
            return None if self._closed else self._state

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self.ready.set()

    def _next_token(self) -> str:
        self._epoch += 1
        return f"{self._instance}.{self._epoch}"

    def _publish(self, state: State) -> State:
        with self._changed:
            self._serial += 1
            self._state = state = replace(state, serial=self._serial)
            self._changed.notify_all()
        self.ready.set()
        return state

    def _log_outcome(self, old: State, new: State, changed: Iterable[Path], root: Path | None) -> None:
        """Print a build's outcome once: every error of a failed build, warnings when they change."""
        changed = sorted(changed)
        stamp = f"[{new.finished:%H:%M:%S}] " if new.finished else ""
        cause = _cause(changed, root)
        if not new.ok:
            for problem in new.errors:
                self._log(problem.format())
            kept = "still serving the last good build" if new.token else "no good build to serve yet"
            self._log(f"{stamp}{cause}Build failed: {plural(len(new.errors), 'error')}; {kept}.")
            return
        if new.warnings != old.warnings or old.attempt == 0:
            for problem in new.warnings:
                self._log(problem.format())
        if not self._quiet:
            what = "stylesheet swapped" if new.css_only else "rebuilt" if old.attempt else "built"
            size = f" ({plural(len(new.site.articles), 'article')})" if new.site and not old.attempt else ""
            shown = f" (open pages shown after {new.shown_after:.2f} s)" if new.shown_after is not None else ""
            self._log(f"{stamp}{cause}{what}{size} in {new.seconds:.2f} s{shown}")


def moved_urls(old: Site | None, new: Site | None, earlier: Mapping[str, str]) -> dict[str, str]:
    """Old URL -> new URL of every page whose file is the same but whose URL changed this session.

    Editing a title changes the slug, so the page an editor is looking at would reload
    into a 404; the server redirects it to the page's new address instead.
    """
    if new is None:
        return dict(earlier)
    now = {}
    if old is not None:
        for source, url in old.url_of.items():
            if (moved := new.url_of.get(source)) and moved != url:
                now[url] = moved
    merged = {url: now.get(target, target) for url, target in earlier.items()}  # A -> B -> C is A -> C
    merged.update(now)
    live = set(new.url_of.values())
    return {url: target for url, target in merged.items() if url not in live and target in live}


def _cause(changed: list[Path], root: Path | None) -> str:
    """What a log line says made the build: the first file changed, how many others, or the view switch."""
    if not changed:
        return ""
    if changed == [VIEW_SWITCH]:
        return "view switched: "
    first = changed[0]
    if root is not None and first.is_relative_to(root):
        first = first.relative_to(root)
    more = f" and {plural(len(changed) - 1, 'other')}" if len(changed) > 1 else ""
    return f"{first.as_posix()}{more} changed: "
