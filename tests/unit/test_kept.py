"""byline.site.kept: the model kept between builds equals the model made anew, after any edit."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from byline import pipeline
from byline.content.models import Article, Author, Company, Page
from byline.loading import Loader
from byline.output.plan import SitePlan
from byline.pipeline import Builder, Checked
from byline.site import model
from byline.site.kept import MODEL_FIELDS
from byline.site.layout import site_paths
from tests.helpers import AUTHOR, AUTHOR_PATH, NOW, article, options, snapshot, write_files

SECOND_AUTHOR = "---\nname: Ruth Calloway\ncompany: amble\n---\nRuth edits the business desk.\n"
COMPANY = "---\nname: {name}\n---\n{about}\n"
TAGS = ["[Ports, Tools]", "[Ports]", "[Energy, Ports]", "[Tools]"]


def starting_files() -> dict[str, str]:
    files = {
        "site.toml": 'name = "Quayside"\nbase_url = "https://news.example"\n',
        AUTHOR_PATH: AUTHOR,
        "content/authors/ruth-calloway.md": SECOND_AUTHOR,
        "content/companies/amble.md": COMPANY.format(name="Amble Boats", about="Boats."),
        "content/companies/quayside.md": COMPANY.format(name="Quayside Tools", about="Tools."),
        "content/pages/about.md": "---\ntitle: About\n---\nAbout us.\n",
    }
    for number in range(6):
        files[f"content/articles/a{number}.md"] = (
            article(
                f"Story {number}",
                f"2026-02-{number + 1:02d} 09:00",
                author="ruth-calloway" if number % 2 else "simon-malia",
                tags=TAGS[number % len(TAGS)],
                region="North East" if number % 3 else "Wales",
                company="quayside" if number == 4 else "amble" if number == 5 else "",
                slug=f"story-{number}" if number < 4 else "",
            )
            .replace("company: \n", "")
            .replace("slug: \n", "")
        )
    return files


def rewrite(root: Path, number: int, change: Callable[[str], str]) -> None:
    """Change article ``number``'s text, if an earlier edit has not deleted it."""
    path = root / f"content/articles/a{number}.md"
    if path.exists():
        path.write_text(change(path.read_text()))


# Edits: (what is changed, whether the model reads it). Each takes the site root and a number.
def edit_body(root: Path, n: int) -> None:
    rewrite(root, n % 6, lambda text: text + f"\nMore, take {n}.\n")


def edit_title(root: Path, n: int) -> None:
    """A new headline for an article whose URL is set by its ``slug``: nothing the model reads."""
    rewrite(root, n % 4, lambda text: text.replace("title: ", f"title: Now {n}, ", 1))


def retitle(root: Path, n: int) -> None:
    """A new headline for an article whose URL is made from it: the URL moves."""
    rewrite(root, 4 + n % 2, lambda text: text.replace("title: ", f"title: Now {n}, ", 1))


def edit_bio(root: Path, n: int) -> None:
    (root / AUTHOR_PATH).write_text(AUTHOR.replace("ports and shipping", f"ports, take {n}"))


def edit_about(root: Path, n: int) -> None:
    (root / "content/companies/amble.md").write_text(COMPANY.format(name="Amble Boats", about=f"Boats, take {n}."))


def edit_page(root: Path, n: int) -> None:
    (root / "content/pages/about.md").write_text(f"---\ntitle: About, take {n}\n---\nAbout us.\n")


def edit_tags(root: Path, n: int) -> None:
    rewrite(root, n % 6, lambda text: text.replace("tags: ", f"tags: [Take {n % 3}] # was ", 1))


def edit_date(root: Path, n: int) -> None:
    rewrite(root, n % 6, lambda text: text.replace("date: 2026-02-", "date: 2026-01-", 1))


def add_article(root: Path, n: int) -> None:
    write_files(root, {f"content/articles/new{n}.md": article(f"New {n}", "2026-02-20 09:00", tags="[Ports]")})


def delete_article(root: Path, n: int) -> None:
    (root / f"content/articles/a{n % 6}.md").unlink(missing_ok=True)


def author_company(root: Path, n: int) -> None:
    (root / "content/authors/ruth-calloway.md").write_text(
        SECOND_AUTHOR.replace("amble", "quayside" if n % 2 else "amble")
    )


def break_article(root: Path, n: int) -> None:
    rewrite(root, n % 6, lambda text: text.replace("date: ", "date: not a date ", 1))


UNREAD = [edit_body, edit_title, edit_bio, edit_about, edit_page]
READ = [retitle, edit_tags, edit_date, add_article, delete_article, author_company, break_article]


class Spy:
    """Counts the times the model is made from scratch."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.calls = 0
        made = pipeline.build_site

        def counting(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return made(*args, **kwargs)

        monkeypatch.setattr(pipeline, "build_site", counting)


def checked(builder: Builder, root: Path, **changes: Any) -> Checked:
    return builder.check(options(root, **changes), write_cache=False)


def fresh(root: Path, **changes: Any) -> Checked:
    return Builder(options(root, **changes)).check(write_cache=False)


def of_shape(site: model.Site) -> tuple[object, ...]:
    """What a watched builder keeps while the model keeps its shape: it must be the same for every site of one."""
    plan = SitePlan(site, now=NOW)
    outputs = plan.complete()
    articles = {site.url_of[a.source] for a in site.articles}
    indexes = [(url, when) for url, when in plan.facts.computed("sitemap") if url not in articles]
    plan.facts.computed("search-filters")
    return plan.facts.map_digests(), plan.facts.computed("search-filters"), indexes, site_paths(site), len(outputs)


def same_model(kept: Checked, made: Checked) -> None:
    assert kept.site == made.site
    assert [p.format() for p in kept.problems] == [p.format() for p in made.problems]


@pytest.fixture
def site_root() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="byline-kept-"))
    try:
        yield write_files(folder / "site", starting_files())
    finally:
        shutil.rmtree(folder)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(UNREAD + READ), st.integers(0, 11)), min_size=1, max_size=6))
def test_after_any_edits_the_kept_model_equals_one_made_anew(
    edits: list[tuple[Any, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    folder = Path(tempfile.mkdtemp(prefix="byline-kept-"))
    try:
        root = write_files(folder / "site", starting_files())
        builder = Builder(options(root))
        last = checked(builder, root)
        shaped = False
        for edit, number in edits:
            edit(root, number)
            before, shape = spy.calls, builder._kept[(False, False)].shape
            kept = checked(builder, root)
            made_again = spy.calls > before
            same_model(kept, fresh(root))
            shaped = shaped or edit in READ
            if not shaped:  # every edit so far left what the model reads alone (a broken file is made again)
                assert not made_again, f"{edit.__name__} made the model again"
            if builder._kept[(False, False)].shape is shape and last.site and kept.site:
                assert of_shape(kept.site) == of_shape(last.site), "what is kept under a shape changed with it"
            last = kept
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize(
    ("edit", "made_again"),
    [(e, False) for e in UNREAD] + [(e, True) for e in READ],
    ids=lambda e: getattr(e, "__name__", ""),
)
def test_an_edit_is_swapped_in_everywhere_unless_the_model_reads_it(
    edit: Any, made_again: bool, site_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder = Builder(options(site_root))
    checked(builder, site_root)
    spy = Spy(monkeypatch)
    edit(site_root, 3)
    kept = checked(builder, site_root)
    assert spy.calls == int(made_again)
    same_model(kept, fresh(site_root))


def test_the_model_is_made_again_once_a_scheduled_article_is_due(
    site_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = NOW + timedelta(days=2)
    write_files(
        site_root, {"content/articles/soon.md": article("Soon", (NOW + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"))}
    )
    builder = Builder(options(site_root))
    assert "content/articles/soon.md" not in {a.source for a in checked(builder, site_root).site.articles}  # type: ignore[union-attr]
    spy = Spy(monkeypatch)
    checked(builder, site_root, now=NOW + timedelta(hours=1))
    assert spy.calls == 0  # the clock moved, but no article's status with it
    due = checked(builder, site_root, now=later)
    assert spy.calls == 1
    assert "content/articles/soon.md" in {a.source for a in due.site.articles}  # type: ignore[union-attr]
    same_model(due, fresh(site_root, now=later))


@pytest.mark.parametrize("change", [{"drafts": True}, {"future": True}, {"clean": True}])
def test_other_settings_or_a_clean_build_model_the_site_anew(
    change: dict[str, bool], site_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder = Builder(options(site_root))
    checked(builder, site_root)
    spy = Spy(monkeypatch)
    kept = checked(builder, site_root, **change)
    assert spy.calls == 1
    same_model(kept, fresh(site_root, **change))


def test_a_changed_site_toml_models_the_site_anew(site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builder = Builder(options(site_root))
    checked(builder, site_root)
    spy = Spy(monkeypatch)
    write_files(site_root, {"site.toml": 'name = "Quayside News"\nbase_url = "https://news.example"\n'})
    kept = checked(builder, site_root)
    assert spy.calls == 1
    same_model(kept, fresh(site_root))


class Poison:
    """A value that fails whatever is done with it: a field the model reads would raise."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the model read .{name} of a field outside MODEL_FIELDS")

    def _refuse(self, *_: object) -> Any:
        raise AssertionError("the model used a field outside MODEL_FIELDS")

    __eq__ = __lt__ = __gt__ = __le__ = __ge__ = __hash__ = __bool__ = __len__ = __iter__ = __str__ = _refuse
    __repr__ = __format__ = __contains__ = __getitem__ = _refuse


def poisoned(item: Any) -> Any:
    """``item`` with every field but those the model reads made a Poison."""
    keep = MODEL_FIELDS[type(item)]
    return dataclasses.replace(item, **{f.name: Poison() for f in dataclasses.fields(item) if f.name not in keep})


def shape(site: model.Site) -> Any:
    """Where every file's model is in the site, by source: the model without the models' contents."""

    def sources(items: Any) -> list[str]:
        return [i.source for i in items]

    return (
        sources(site.articles),
        sources(site.hidden),
        sources(site.authors),
        sources(site.pages),
        sources(site.companies),
        [(g.slug, g.name, sources(g.articles)) for g in (*site.sections, *site.topics, *site.regions)],
        [(y.year, [(m.month, sources(m.articles)) for m in y.months], sources(y.articles)) for y in site.years],
        {k: sources(v) for k, v in (*site.by_author.items(), *site.by_company.items(), *site.related.items())},
        site.url_of,
        site.status_of,
        site.topic_slug,
        site.company_of,
        {k: v.source for k, v in (*site.author.items(), *site.company.items())},
    )


def test_the_model_reads_no_field_outside_model_fields(site_root: Path) -> None:
    write_files(
        site_root, {"content/articles/bad.md": article("Bad", tags="[Ports]", author="nobody", company="nowhere")}
    )
    made = fresh(site_root)
    assert made.site is not None
    models = [*made.site.articles, *made.site.hidden, *made.site.authors, *made.site.pages, *made.site.company.values()]
    kinds: dict[type, list[Any]] = {Article: [], Author: [], Company: [], Page: []}
    for item in models:
        kinds[type(item)].append(poisoned(item))
    site, problems = model.build_site(
        made.site.config,
        kinds[Article],
        kinds[Author],
        kinds[Page],
        now=NOW,
        companies=kinds[Company],
    )
    again, problems_again = model.build_site(
        made.site.config,
        [*made.site.articles, *made.site.hidden],
        made.site.authors,
        made.site.pages,
        now=NOW,
        companies=made.site.company.values(),
    )
    assert shape(site) == shape(again)
    assert problems == problems_again
    assert problems  # the unknown author and company were checked, with their lines


def test_each_view_sees_every_edit_made_while_the_other_was_built(site_root: Path) -> None:
    """The preview alternates two views; a view's kept model must catch up with edits built under the other."""
    builder = Builder(options(site_root))
    builder.watched = True  # as the preview's: told each change, it looks at those files alone
    views = [{"drafts": True, "future": True}, {}]
    for view in views:
        checked(builder, site_root, **view)
    for number, view in enumerate(views * 3):
        path = site_root / f"content/articles/a{number % 6}.md"
        edit_body(site_root, number % 6)
        builder.note_changes([path.resolve()])
        same_model(checked(builder, site_root, **view), fresh(site_root, **view))


def test_a_load_that_fails_part_way_gathers_every_file_next_time(
    site_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder = Builder(options(site_root))
    builder.watched = True
    checked(builder, site_root)
    edit_body(site_root, 1)
    builder.note_changes([(site_root / "content/articles/a1.md").resolve()])
    fill = Loader._fill

    def failing(*args: Any) -> Any:
        raise OSError("disk gone")

    monkeypatch.setattr(Loader, "_fill", failing)
    with pytest.raises(OSError):
        checked(builder, site_root)
    monkeypatch.setattr(Loader, "_fill", fill)
    same_model(checked(builder, site_root), fresh(site_root))


def test_a_watched_builder_checks_again_what_an_edit_or_a_static_file_can_break(site_root: Path) -> None:
    """The checks a watched builder keeps (links found, topic typos) follow the site's shape and static files."""
    target = fresh(site_root).site.url_of["content/articles/a0.md"]
    write_files(site_root, {"static/brochure.pdf": "%PDF-1.4"})
    links = f"\nSee [the depot]({target}) and [the brochure](/static/brochure.pdf).\n"
    rewrite(site_root, 3, lambda text: text.replace("tags: ", "tags: [Portss] # was ", 1) + links)
    builder = Builder(options(site_root))
    builder.watched = True
    same_model(checked(builder, site_root), fresh(site_root))
    steps: list[tuple[str, Callable[[], object]]] = [
        ("content/articles/a1.md", lambda: edit_body(site_root, 1)),  # the same shape and files
        ("static/brochure.pdf", (site_root / "static/brochure.pdf").unlink),  # a linked file is gone
        ("content/articles/a2.md", lambda: edit_body(site_root, 2)),  # its link is reported again
        ("content/articles/a0.md", lambda: delete_article(site_root, 0)),  # a linked page is gone
        ("content/articles/a1.md", lambda: edit_body(site_root, 7)),
    ]
    warnings = []
    for path, step in steps:
        step()
        builder.note_changes([(site_root / path).resolve()])
        made = checked(builder, site_root)
        same_model(made, fresh(site_root))
        warnings.append(sorted(p.message.split(";")[0] for p in made.problems if p.path.endswith("a3.md")))
    typo = "topic 'Portss' is used by this article only"
    assert [len(found) for found in warnings] == [1, 2, 2, 3, 3], warnings
    assert all(any(typo in message for message in found) for found in warnings), warnings


def test_a_watched_builders_sitemap_follows_an_article_updated_in_place(site_root: Path, tmp_path: Path) -> None:
    """A sitemap entry kept with the article it was made from is made again for the article's edit."""
    rewrite(site_root, 2, lambda text: text.replace("tags: ", "updated: 2026-02-10 09:00\ntags: ", 1))
    kept, clean = tmp_path / "kept", tmp_path / "clean"  # apart from the site: a swap deletes in the background
    builder = Builder(options(site_root, kept))
    builder.watched = True
    builder.build()
    for before, day in ((10, 11), (11, 12)):  # the same line: the model keeps its shape
        old, new = f"updated: 2026-02-{before}", f"updated: 2026-02-{day}"
        rewrite(site_root, 2, lambda text, old=old, new=new: text.replace(old, new, 1))
        builder.note_changes([(site_root / "content/articles/a2.md").resolve()])
        builder.build()
        Builder(options(site_root, clean, clean=True)).build()
        sitemap = (kept / "sitemap.xml").read_text()
        assert f"2026-02-{day}T09:00:00" in sitemap
        assert sitemap == (clean / "sitemap.xml").read_text()


def test_a_watched_builder_reads_the_record_again_when_the_cache_was_removed_under_it(
    site_root: Path, tmp_path: Path
) -> None:
    """What a builder keeps of its commits is used only while the cache still records the same commit."""
    kept, clean = tmp_path / "kept", tmp_path / "clean"  # apart from the site: a swap deletes in the background
    builder = Builder(options(site_root, kept))
    builder.watched = True
    builder.build()
    for number, removed in enumerate((False, True, False)):
        if removed:
            shutil.rmtree(site_root / ".byline-cache")
        edit_body(site_root, number)
        add_article(site_root, number)
        builder.note_changes(
            (site_root / f"content/articles/{name}.md").resolve() for name in (f"a{number}", f"new{number}")
        )
        builder.build()
        Builder(options(site_root, clean, clean=True)).build()
        assert snapshot(kept) == snapshot(clean)
