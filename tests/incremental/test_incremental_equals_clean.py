"""Any sequence of editorial changes: the incremental build equals a clean build, byte for byte.

Issue 4's correctness proof. Each example starts a small site, builds it, then applies a
random sequence of edits (body, title, tags, author, date, new and deleted articles,
draft flips, a template override, site.toml; company profiles edited, renamed and
deleted, articles' and authors' companies, co-written articles); after every edit it builds incrementally
(the way `python build.py` runs: manifest, the record of files read, parse cache,
output fingerprints, patching the previous output) and with --clean into another
folder, and compares the two trees.

Issue 16 adds faults: before an edit's build, a fault may be injected at any named
point the build passes (each stage, each step of the commit: ``byline.faults``), as an
exception or as the process ending there with no clean-up. A build that fails before
its commit point must leave the output exactly as it was (after a kill, once the next
build has undone the journal), and the next build must still equal a clean one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from byline.cli.main import main
from byline.config import BuildOptions, load_config
from byline.content import sources
from byline.errors import EnvironmentFailure
from byline.pipeline import Builder
from byline.state import folders
from byline.state.workspace import Workspace
from byline.theme import THEME_TEMPLATES
from tests.helpers import AUTHOR, article, snapshot, write_files
from tests.incremental.injection import Fault, run_with_fault

NOW = "2026-03-10 12:00"
SECOND_AUTHOR = "---\nname: Ruth Calloway\nrole: Business Editor\n---\nRuth edits the business desk.\n"
TAGS = ["Shipping", "Energy", "Ports", "Finance"]
COMPANY_NAMES = ["Quayside Tools", "Amble Boats", "Tidewell Ferries"]


class Site:
    """A site on disk that edits mutate; each edit moves file times forward like a real save."""

    def __init__(self, root: Path):
        self.root = root
        self.output: Path | None = None  # the folder command-line builds patch, for strays dropped into it
        self.now = NOW
        self.clock = 1_700_000_000_000_000_000
        self.count = 0
        write_files(
            root,
            {
                "site.toml": 'name = "Quayside"\nbase_url = "https://news.example"\nper_page = 2\n',
                "content/authors/simon-malia.md": AUTHOR.replace("role: Reporter", "role: Reporter\ncompany: quayside"),
                "content/authors/ruth-calloway.md": SECOND_AUTHOR,
                "content/companies/quayside.md": company("Quayside Tools", "Tools for the quay."),
                "content/companies/amble.md": company("Amble Boats", "Boats from Amble."),
            },
        )
        for _ in range(4):
            self.new_article(0)
        self.touch_all()

    def articles(self) -> list[Path]:
        return sorted((self.root / "content/articles").glob("*.md"))

    def companies(self) -> list[Path]:
        return sorted((self.root / "content/companies").glob("*.md"))

    def references(self) -> list[Path]:
        """Every file that may name a company."""
        return [*self.articles(), *sorted((self.root / "content/authors").glob("*.md"))]

    def touch_all(self) -> None:
        for path in self.root.rglob("*"):
            if path.is_file():
                self.touch(path)

    def touch(self, path: Path) -> None:
        self.clock += 1_000_000_007
        os.utime(path, ns=(self.clock, self.clock))

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.touch(path)

    def rewrite(self, index: int, change: Callable[[str], str]) -> None:
        files = self.articles()
        if files:
            path = files[index % len(files)]
            self.write(path.relative_to(self.root).as_posix(), change(path.read_text(encoding="utf-8")))

    # --- the edits ------------------------------------------------------------------
    def new_article(self, n: int) -> None:
        self.count += 1
        day = 1 + (self.count * 3 + n) % 9
        tags = "[" + ", ".join(TAGS[(self.count + i) % len(TAGS)] for i in range(1 + n % 3)) + "]"
        text = article(
            f"Story {self.count} from the quay",
            date=f"2026-03-0{day} 0{n % 9}:30",
            body=f'Paragraph {self.count} with "quotes" and a [link](https://e.example/{n}).',
            tags=tags,
        )
        self.write(f"content/articles/story-{self.count:03d}.md", text)

    def body(self, n: int) -> None:
        self.rewrite(n, lambda t: t.rstrip("\n") + f"\n\nAn added paragraph number {n}.\n")

    def title(self, n: int) -> None:
        self.rewrite(n, lambda t: t.replace("title: Story", f"title: Revised {n} story", 1))

    def tags(self, n: int) -> None:
        self.rewrite(n, lambda t: _replace_line(t, "tags:", f"tags: [{TAGS[n % len(TAGS)]}]"))

    def author(self, n: int) -> None:
        who = "ruth-calloway" if n % 2 else "simon-malia"
        self.rewrite(n, lambda t: _replace_line(t, "author:", f"author: {who}"))

    def date(self, n: int) -> None:
        self.rewrite(n, lambda t: _replace_line(t, "date:", f"date: 2026-02-{10 + n % 18:02d} 1{n % 10}:00"))

    def delete(self, n: int) -> None:
        files = self.articles()
        if len(files) > 1:
            files[n % len(files)].unlink()

    def draft(self, n: int) -> None:
        def flip(text: str) -> str:
            if "\ndraft: true\n" in text:
                return text.replace("\ndraft: true\n", "\n", 1)
            return text.replace("\n---\n", "\ndraft: true\n---\n", 1)

        self.rewrite(n, flip)

    def coauthors(self, n: int) -> None:
        who = ["[simon-malia, ruth-calloway]", "[ruth-calloway, simon-malia]", "simon-malia"][n % 3]
        self.rewrite(n, lambda t: _replace_line(t, "author:", f"author: {who}"))

    def article_company(self, n: int) -> None:
        """Name one of the companies on an article, or (one time in three) take its company away."""
        slugs = [p.stem for p in self.companies()]
        line = f"company: {slugs[n % len(slugs)]}" if slugs and n % 3 else None

        def change(text: str) -> str:
            text = _drop_line(text, "company:")
            return _replace_line(text, "company:", line) if line else text

        self.rewrite(n, change)

    def author_company(self, n: int) -> None:
        slugs = [p.stem for p in self.companies()]
        path = "content/authors/ruth-calloway.md"
        text = _drop_line((self.root / path).read_text(encoding="utf-8"), "company:")
        if slugs and n % 2:
            text = text.replace("\n---\n", f"\ncompany: {slugs[n % len(slugs)]}\n---\n", 1)
        self.write(path, text)

    def company_edit(self, n: int) -> None:
        files = self.companies()
        if files:
            path = files[n % len(files)]
            name = COMPANY_NAMES[n % len(COMPANY_NAMES)]
            self.write(path.relative_to(self.root).as_posix(), company(name, f"About, edition {n}."))

    def company_new(self, n: int) -> None:
        self.write(f"content/companies/co-{n}.md", company(f"Company {n}", f"Company {n} makes things."))

    def company_rename(self, n: int) -> None:
        """Move a profile to a new slug, and every reference with it, as an editor renaming it would."""
        files = self.companies()
        if not files:
            return
        old = files[n % len(files)]
        new = f"renamed-{n}-{old.stem}"[:60]
        self.write(f"content/companies/{new}.md", old.read_text(encoding="utf-8"))
        old.unlink()
        self._retarget(old.stem, new)

    def company_delete(self, n: int) -> None:
        """Delete a profile and every reference to it (a reference left behind is an error, not a build)."""
        files = self.companies()
        if files:
            gone = files[n % len(files)]
            gone.unlink()
            self._retarget(gone.stem, None)

    def _retarget(self, old: str, new: str | None) -> None:
        for path in self.references():
            text = path.read_text(encoding="utf-8")
            if f"\ncompany: {old}\n" in text:
                replaced = f"\ncompany: {new}\n" if new else "\n"
                self.write(path.relative_to(self.root).as_posix(), text.replace(f"\ncompany: {old}\n", replaced))

    def summary(self, n: int) -> None:
        self.rewrite(n, lambda t: _replace_line(t, "summary:", f"summary: A standfirst, edition {n}."))

    def region(self, n: int) -> None:
        regions = ["North East", "North West", "Scotland", None]
        line = f"region: {regions[n % 4]}" if regions[n % 4] else None
        self.rewrite(
            n, lambda t: _replace_line(_drop_line(t, "region:"), "region:", line) if line else _drop_line(t, "region:")
        )

    def alias(self, n: int) -> None:
        """Give an article an old address of its own, or take its aliases away.

        The address names the article: two articles given one address is an editor's
        mistake the build refuses, not an edit it must build.
        """
        files = self.articles()
        own = files[n % len(files)].stem if files else "none"
        line = f"aliases: [/old/{own}-{n}/]" if n % 3 else None
        self.rewrite(
            n,
            lambda t: _replace_line(_drop_line(t, "aliases:"), "aliases:", line) if line else _drop_line(t, "aliases:"),
        )

    def correction(self, n: int) -> None:
        line = f"updated: 2026-03-09 1{n % 10}:00"
        self.rewrite(n, lambda t: _replace_line(t, "updated:", line))

    def schedule(self, n: int) -> None:
        """Move an article to after the clock (scheduled), or back before it."""
        when = f"2026-03-{11 + n % 3:02d} 09:00" if n % 2 else f"2026-03-0{1 + n % 9} 08:00"
        self.rewrite(n, lambda t: _replace_line(t, "date:", f"date: {when}"))

    def time_passes(self, n: int) -> None:
        """Time passes: scheduled articles go live, the news sitemap's window moves."""
        self.now = f"2026-03-{10 + n % 5:02d} {8 + n % 12:02d}:00"

    def author_profile(self, n: int) -> None:
        names = ["Ruth Calloway", "Ruth Calloway-Hale", "R. Calloway"]
        text = SECOND_AUTHOR.replace("Ruth Calloway", names[n % 3]).replace("edits", f"edits ({n})")
        company_line = next(
            (
                ln
                for ln in (self.root / "content/authors/ruth-calloway.md").read_text().split("\n")
                if ln.startswith("company:")
            ),
            None,
        )
        if company_line:
            text = text.replace("\n---\n", f"\n{company_line}\n---\n", 1)
        self.write("content/authors/ruth-calloway.md", text)

    def page(self, n: int) -> None:
        """Add, edit or remove a standalone page (the navigation lists them)."""
        path = self.root / "content/pages/about.md"
        if n % 3 == 0 and path.exists():
            path.unlink()
        else:
            self.write(
                "content/pages/about.md", f"---\ntitle: About us {n % 2}\n---\nWe report the quay, edition {n}.\n"
            )

    def partial(self, n: int) -> None:
        source = (THEME_TEMPLATES / "partials/cards.html").read_text(encoding="utf-8")
        self.write("templates/partials/cards.html", source.replace("</article>", f"<!-- card {n} --></article>", 1))

    def stylesheet(self, n: int) -> None:
        self.write("static/css/extra.css", f"/* edition {n} */\n.card {{ margin: {n}px; }}\n")

    def template(self, n: int) -> None:
        source = (THEME_TEMPLATES / "article.html").read_text(encoding="utf-8")
        self.write("templates/article.html", source.replace("</article>", f"<!-- edition {n} --></article>", 1))

    def stray(self, n: int) -> None:
        """Drop into the output files the site does not make (and, one time in three, a folder of them), then edit.

        The edit is so a build runs: with no input changed, a build trusts the output it left.
        """
        if self.output is not None and self.output.is_dir():
            found = sorted(p for p in self.output.rglob("*") if p.is_dir() and not p.is_symlink())
            where = [self.output, *found][n % (len(found) + 1)]
            write_files(where, {f"stray-{n}.txt": "not the site's"})
            if n % 3 == 0:
                write_files(where, {f"old-{n}/deeper/index.html": "<p>an old copy</p>"})
        self.body(n)

    def config(self, n: int) -> None:
        self.write("site.toml", f'name = "Quayside {n}"\nbase_url = "https://news.example"\nper_page = {1 + n % 3}\n')


def company(name: str, about: str) -> str:
    return f"---\nname: {name}\nwebsite: https://{name.split()[0].lower()}.example\nsector: Trade\n---\n{about}\n"


def _drop_line(text: str, prefix: str) -> str:
    """The text without its front-matter line starting with ``prefix``, if it has one."""
    return "\n".join(line for line in text.split("\n") if not line.startswith(prefix))


def _replace_line(text: str, prefix: str, line: str) -> str:
    lines = text.split("\n")
    for index, current in enumerate(lines):
        if current.startswith(prefix):
            lines[index] = line
            return "\n".join(lines)
    return text.replace("\n---\n", f"\n{line}\n---\n", 1)


EDITS = ["new_article", "body", "title", "tags", "author", "date", "delete", "draft", "template", "config"]
EDITS += ["coauthors", "article_company", "author_company", "company_edit", "company_new", "company_rename"]
EDITS += ["company_delete", "summary", "region", "alias", "correction", "schedule", "time_passes", "author_profile"]
EDITS += ["page", "partial", "stylesheet"]
CLI_EDITS = [*EDITS, "stray"]  # a watched builder's folders are its alone: nothing drops strays there


@contextmanager
def trusted_file_times() -> Iterator[None]:
    """Skip unchanged files and output folders by their times at once, not two seconds after a change.

    Every edit here moves a file's time; a stray lands in an output folder a whole build after
    that build listed it, far past the file system's clock step.
    """
    racy, sources.RACY_NS, listed, folders.RACY_NS = sources.RACY_NS, 0, folders.RACY_NS, 0
    try:
        yield
    finally:
        sources.RACY_NS, folders.RACY_NS = racy, listed


def arguments(root: Path, output: Path, *extra: str, now: str = NOW) -> list[str]:
    return ["--root", str(root), "--output", str(output), "--now", now, "--jobs", "1", "-q", *extra]


def build(root: Path, output: Path, *extra: str, now: str = NOW) -> None:
    assert main(arguments(root, output, *extra, now=now)) == 0


def build_with_fault(root: Path, output: Path, fault: Fault, now: str = NOW) -> None:
    """Build with ``fault``; when it stops the build before its commit point, the output must be as it was."""
    before = snapshot(output)
    outcome = run_with_fault(lambda: main(arguments(root, output, now=now)), fault)
    if not outcome.fired or outcome.committed:
        return
    if fault.kill:
        with Workspace(root, output).locked():  # what the next build does first: undo the journal
            pass
    else:
        assert outcome.status == 2  # one line, as for a full disk
    assert snapshot(output) == before, f"a fault at {fault} changed the output"


# Every point a build passes (see byline.faults); a commit passes drop and move once per file.
POINTS = [
    *(f"stage:{name}" for name in ("read", "load", "model", "images", "checks", "plan", "changes")),
    *(f"stage:{name}" for name in ("search start", "render", "static", "search", "write")),
    *(f"commit:{step}" for step in ("prepared", "journal", "drop", "move", "swapped", "applied", "recorded", "done")),
    "manifest:saved",
]
FAULTS = st.one_of(st.none(), st.builds(Fault, st.sampled_from(POINTS), st.integers(1, 3), st.booleans()))


@settings(
    max_examples=int(os.environ.get("BYLINE_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.sampled_from(CLI_EDITS), st.integers(0, 20)), min_size=1, max_size=6))
def test_incremental_build_equals_clean_build_after_any_edits(edits: list[tuple[str, int]]) -> None:
    with tempfile.TemporaryDirectory() as folder, trusted_file_times():
        site = Site(Path(folder) / "site")
        incremental, clean = Path(folder) / "incremental", Path(folder) / "clean"
        site.output = incremental
        build(site.root, incremental)
        for name, n in edits:
            getattr(site, name)(n)
            build(site.root, incremental, now=site.now)
            build(site.root, clean, "--clean", now=site.now)
            assert snapshot(incremental) == snapshot(clean), f"after {name}({n}) in {edits}"


@settings(
    max_examples=int(os.environ.get("BYLINE_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 20)), min_size=1, max_size=6))
def test_a_builder_kept_between_builds_equals_a_clean_build_after_any_edits(edits: list[tuple[str, int]]) -> None:
    """The preview's way: one Builder for every build, keeping parse results, the model and the files found.

    As in the preview, the builder is told which files changed (here by comparing the
    tree's file times, a watcher that misses nothing) and looks at those alone, and it
    builds into two folders in turn, the second primed as a copy of the first.
    """
    with tempfile.TemporaryDirectory() as folder, trusted_file_times():
        site = Site(Path(folder) / "site")
        kept, clean = (Path(folder) / "kept-a", Path(folder) / "kept-b"), Path(folder) / "clean"
        builder = watched_builder(site, kept[0])
        builder.prime(kept[1], kept[0])
        for turn, (name, n) in enumerate(edits):
            edit_noted(builder, site, name, n)
            builder.options = replace(builder.options, output=kept[(turn + 1) % 2], now=moment(site))
            builder.build()
            build(site.root, clean, "--clean", now=site.now)
            assert snapshot(kept[(turn + 1) % 2]) == snapshot(clean), f"after {name}({n}) in {edits}"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 20), FAULTS), min_size=1, max_size=4))
def test_a_kept_builder_after_a_fault_at_any_point_equals_a_clean_build(
    steps: list[tuple[str, int, Fault | None]],
) -> None:
    """What a kept builder keeps between builds (the model, the output's files, checks) survives a failed build."""
    with tempfile.TemporaryDirectory() as folder, trusted_file_times():
        site = Site(Path(folder) / "site")
        kept, clean = Path(folder) / "kept", Path(folder) / "clean"
        builder = watched_builder(site, kept)
        for name, n, fault in steps:
            edit_noted(builder, site, name, n)
            builder.options = replace(builder.options, now=moment(site))
            if fault is not None and not fault.kill:  # a kill ends the process, and what it kept with it
                run_with_fault(lambda: kept_build(builder), fault)
            builder.build()
            build(site.root, clean, "--clean", now=site.now)
            assert snapshot(kept) == snapshot(clean), f"after {name}({n}) and {fault} in {steps}"


def watched_builder(site: Site, output: Path) -> Builder:
    """A Builder as the preview holds one, after its first build into ``output``."""
    builder = Builder(BuildOptions(root=site.root, output=output, now=moment(site), jobs=1, quiet=True))
    builder.watched = True  # as the preview's is: every change after this build begins is noted
    builder.build()
    return builder


def edit_noted(builder: Builder, site: Site, name: str, n: int) -> None:
    """Make the edit ``name``(``n``) and tell the builder which files it changed, as the preview's watcher does."""
    before = file_times(site.root)
    getattr(site, name)(n)
    after = file_times(site.root)
    builder.note_changes(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def kept_build(builder: Builder) -> int:
    """A kept builder's build as an exit status: 2 when the machine (here, a fault) stops it, as the CLI says."""
    try:
        builder.build()
    except EnvironmentFailure:
        return 2
    return 0


def file_times(root: Path) -> dict[Path, tuple[int, int]]:
    """Every file under ``root`` (resolved, as a watcher reports it) with its time and size."""
    return {p.resolve(): (p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*") if p.is_file()}


def moment(site: Site) -> datetime:
    """The site's clock as the command line's ``--now`` reads it."""
    config, _ = load_config(site.root)
    return datetime.strptime(site.now, "%Y-%m-%d %H:%M").replace(tzinfo=config.timezone)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(CLI_EDITS), st.integers(0, 20), FAULTS), min_size=1, max_size=4))
def test_after_a_fault_at_any_point_of_a_build_the_next_build_equals_a_clean_build(
    steps: list[tuple[str, int, Fault | None]],
) -> None:
    with tempfile.TemporaryDirectory() as folder, trusted_file_times():
        site = Site(Path(folder) / "site")
        incremental, clean = Path(folder) / "incremental", Path(folder) / "clean"
        site.output = incremental
        build(site.root, incremental)
        for name, n, fault in steps:
            getattr(site, name)(n)
            if fault is not None:
                build_with_fault(site.root, incremental, fault, site.now)
            build(site.root, incremental, now=site.now)
            build(site.root, clean, "--clean", now=site.now)
            assert snapshot(incremental) == snapshot(clean), f"after {name}({n}) and {fault} in {steps}"
