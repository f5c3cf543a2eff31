"""byline.output.stale: a changed fact reaches the outputs that read it, through shared views that changed.

Each test plans a small site, makes every output's context (recording its reads, as a
build does), saves the record as a commit would, then edits the site, plans it again
and asks ``find_stale`` which outputs must be made again.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from byline.output.assets import find_assets
from byline.output.plan import Output, SitePlan
from byline.output.reads import Facts, Recorder
from byline.output.render import Renderer
from byline.output.stale import INPUTS_READER, LOADED_KINDS, Stale, changed_inputs, find_stale, spec
from byline.state import graph
from byline.state.graph import Learnt, Recorded
from byline.theme import THEME_TEMPLATES
from byline.urls import SITEMAP_LIMIT
from tests.conftest import MakeSite
from tests.helpers import AUTHOR, NOW, article, check_site, messages, write_files

MAIN = "content/articles/quayside.md"
OLDER = "content/articles/crane.md"
MAIN_PAGE = "articles/2026/03/01/quayside-tools-opens-a-depot/index.html"
OLDER_PAGE = "articles/2026/02/20/harbour-crane-arrives/index.html"
AUTHOR_PATH = "content/authors/simon-malia.md"
SITE = {
    "site.toml": 'name = "Harbour Times"\nbase_url = "https://news.example"\nper_page = 1\n',
    MAIN: article(body="Quayside Tools has opened a depot.\n\nIt is on the quay.", tags="[Ports]"),
    OLDER: article("Harbour crane arrives", "2026-02-20 09:00", tags="[Ports]"),
}


def plan_of(root: Path, sitemap_limit: int = SITEMAP_LIMIT) -> tuple[SitePlan, list[Output]]:
    """The site's plan as a build makes it: reads through Facts, templates by their digests."""
    checked = check_site(root)
    assert messages(checked.problems) == []
    assert checked.site is not None
    renderer = Renderer(root)
    facts = Facts(checked.site, checked.images, NOW, Recorder(checked.entities), templates=renderer.template_digest)
    plan = SitePlan(facts, find_assets(checked.static))
    return plan, plan.complete(sitemap_limit)


def record(root: Path, sitemap_limit: int = SITEMAP_LIMIT, digests: bool = False) -> Recorded:
    """Make every output's context, and save what they and the shared views read, as a full build does.

    With ``digests``, its inputs too (every file's entity and map's digest), as a build records them,
    loaded as a build loads them (fields and look-ups when asked for).
    """
    plan, outputs = plan_of(root, sitemap_limit)
    learnt = Learnt("key", fresh=True)
    for output in outputs:
        output.context  # noqa: B018 - made on first use, recording its reads
        learnt.readers[f"o:{output.path}"] = (spec(output), output.reads or {})
    learnt.readers.update((fact, ("view", reads)) for fact, reads in plan.views.made.items())
    if digests:
        learnt.readers[INPUTS_READER] = ("inputs", plan.facts.inputs())
    db = sqlite3.connect(":memory:")
    graph.create(db)
    graph.save(db, "/public", learnt)
    recorded = graph.load(db, "/public", "key", LOADED_KINDS if digests else None)
    assert recorded is not None
    return recorded


def stale_after(recorded: Recorded, root: Path, sitemap_limit: int = SITEMAP_LIMIT) -> Stale:
    plan, outputs = plan_of(root, sitemap_limit)
    return find_stale(outputs, recorded, plan.facts, plan.views)


def readers_of(recorded: Recorded, fact: str) -> set[str]:
    return {name[2:] for name in recorded.readers_of([fact]) if name.startswith("o:")}


def test_nothing_changed_is_nothing_stale(make_site: MakeSite) -> None:
    root = make_site(SITE)
    stale = stale_after(record(root), root)
    assert (stale.outputs, stale.changed, stale.gone) == (set(), set(), set())


def test_an_edit_no_card_shows_reaches_the_outputs_that_show_it_and_stops_at_the_cards(make_site: MakeSite) -> None:
    root = make_site(SITE)
    recorded = record(root)
    write_files(root, {MAIN: article(body="Quayside Tools has opened a depot.\n\nIt is by the quay.", tags="[Ports]")})
    stale = stale_after(recorded, root)
    assert f"e|{MAIN}" in stale.changed
    assert f"v|card|{MAIN}" not in stale.changed  # made again, the same: its readers are left alone
    assert stale.outputs == readers_of(recorded, f"e|{MAIN}")
    assert {MAIN_PAGE, "feed.xml"} <= stale.outputs
    assert not stale.outputs & {"index.html", "topics/ports/index.html", "archive/2026/03/index.html", OLDER_PAGE}


def test_an_edit_a_card_shows_reaches_every_list_showing_the_card(make_site: MakeSite) -> None:
    root = make_site(SITE)
    recorded = record(root)
    write_files(root, {MAIN: article("Quayside Tools opens its depot", tags="[Ports]")})  # a new title, and URL
    stale = stale_after(recorded, root)
    assert f"v|card|{MAIN}" in stale.changed
    shown = readers_of(recorded, f"v|card|{MAIN}")
    assert {"index.html", "topics/ports/index.html", "archive/2026/03/index.html"} <= shown <= stale.outputs
    assert "articles/2026/03/01/quayside-tools-opens-its-depot/index.html" in stale.outputs  # a new output
    assert stale.gone == {f"o:{MAIN_PAGE}"}
    assert "page/2/index.html" not in stale.outputs  # one per page: the older article's list page shows no card of it


def test_a_change_inside_a_shared_view_reaches_only_the_outputs_showing_that_view(make_site: MakeSite) -> None:
    root = make_site(SITE)
    recorded = record(root)
    write_files(root, {AUTHOR_PATH: AUTHOR.replace("Simon covers ports and shipping.", "Simon covers ports.")})
    stale = stale_after(recorded, root)
    assert "v|profile|simon-malia" in stale.changed  # the bio is in the profile
    assert "v|author|simon-malia" not in stale.changed  # and not in the byline's reference: cards are the same
    assert not any(fact.startswith("v|card|") for fact in stale.changed)
    assert stale.outputs == readers_of(recorded, "v|profile|simon-malia")
    assert {MAIN_PAGE, OLDER_PAGE, "authors/simon-malia/index.html", "authors/index.html"} <= stale.outputs
    assert "index.html" not in stale.outputs


def test_a_change_travels_through_shared_views_inside_shared_views(make_site: MakeSite) -> None:
    root = make_site(SITE)
    recorded = record(root)
    write_files(root, {AUTHOR_PATH: AUTHOR.replace("Simon Malia", "Simon Mallia")})
    stale = stale_after(recorded, root)
    assert {"v|author|simon-malia", "v|profile|simon-malia", f"v|card|{MAIN}", f"v|card|{OLDER}"} <= stale.changed
    assert {"index.html", "page/2/index.html", MAIN_PAGE, OLDER_PAGE, "authors/index.html"} <= stale.outputs


def test_a_new_article_makes_its_page_and_the_lists_it_joins(make_site: MakeSite) -> None:
    root = make_site(SITE)
    recorded = record(root)
    write_files(root, {"content/articles/ferry.md": article("Ferry route opens", "2026-02-25 09:00")})
    stale = stale_after(recorded, root)
    new = "articles/2026/02/25/ferry-route-opens/index.html"
    assert {new, "page/3/index.html", "archive/2026/02/index.html", "page/2/index.html"} <= stale.outputs
    assert "index.html" in stale.outputs  # its count of pages changed
    assert MAIN_PAGE in stale.outputs  # its author's profile counts the author's articles
    assert "topics/ports/index.html" not in stale.outputs  # it has no topic
    assert stale.gone == set()


def test_a_deleted_article_is_gone_and_its_lists_stale(make_site: MakeSite) -> None:
    root = make_site(SITE)
    recorded = record(root)
    (root / OLDER).unlink()
    stale = stale_after(recorded, root)
    second = {"page/2/index.html", "members-news/page/2/index.html", "topics/ports/page/2/index.html"}
    second.add("authors/simon-malia/page/2/index.html")
    assert stale.gone == {f"o:{path}" for path in {OLDER_PAGE, "archive/2026/02/index.html", *second}}
    assert {"index.html", "archive/2026/index.html", "topics/ports/index.html"} <= stale.outputs


def test_a_template_changed_makes_again_the_outputs_made_from_it_only(make_site: MakeSite) -> None:
    root = make_site(SITE)
    recorded = record(root)
    theme = (THEME_TEMPLATES / "redirect.html").read_text("utf-8")
    write_files(root, {"templates/redirect.html": theme + "\n{# a comment #}\n"})
    assert stale_after(recorded, root).outputs == set()  # no alias: no output is made from it
    theme = (THEME_TEMPLATES / "feed.xml").read_text("utf-8")
    write_files(root, {"templates/feed.xml": theme + "\n"})
    stale = stale_after(recorded, root)
    feeds = {path for path, made in recorded.outputs() if made == "feed.xml|feed"}
    assert "t|feed.xml" in stale.changed and len(feeds) > 3
    assert stale.outputs == feeds


def test_an_output_made_from_another_template_now_is_stale_though_it_reads_the_same(make_site: MakeSite) -> None:
    """Past its limit the sitemap becomes an index of parts: the same file, another template."""
    root = make_site(SITE)
    recorded = record(root)
    stale = stale_after(recorded, root, sitemap_limit=5)
    assert "sitemap.xml" in stale.outputs
    assert {"sitemaps/sitemap-1.xml", "sitemaps/sitemap-2.xml"} <= stale.outputs  # new outputs
    assert not stale.changed & {"c|sitemap", "t|sitemap.xml"}


def test_an_output_of_another_kind_now_is_stale(make_site: MakeSite) -> None:
    root = make_site(SITE)
    recorded = record(root)
    query = "UPDATE readers SET spec=replace(spec, '|article', '|page') WHERE gid=? AND name=?"
    recorded.db.execute(query, (recorded.gid, f"o:{MAIN_PAGE}"))
    assert stale_after(recorded, root).outputs == {MAIN_PAGE}


def test_a_fact_no_longer_read_by_anyone_changes_nothing(make_site: MakeSite) -> None:
    root = make_site(SITE)
    recorded = record(root)
    recorded.facts["m|url_of|content/articles/gone.md"] = "/gone/"
    stale = stale_after(recorded, root)
    assert stale.changed == {"m|url_of|content/articles/gone.md"} and stale.outputs == set()


def evaluated_look_ups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The map look-ups and fields (``m|``, ``f|``) find_stale evaluates from now on."""
    asked: list[str] = []
    real = Facts.evaluate

    def evaluate(self: Facts, key: str) -> str | None:
        if key.startswith(("m|", "f|")):
            asked.append(key)
        return real(self, key)

    monkeypatch.setattr(Facts, "evaluate", evaluate)
    return asked


def test_the_look_ups_of_a_map_digested_as_recorded_and_the_fields_of_a_file_parsed_the_same_are_not_compared(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(SITE)
    with_digests, without = record(root, digests=True), record(root)
    write_files(root, {MAIN: article(body="Quayside Tools has opened a depot.\n\nIt is by the quay.", tags="[Ports]")})
    expected = stale_after(without, root).outputs
    asked = evaluated_look_ups(monkeypatch)
    assert stale_after(with_digests, root).outputs == expected  # a body edit changes no map
    assert asked and all(key.startswith(f"f|{MAIN}|") for key in asked)  # the edited file's fields only
    asked.clear()
    stale_after(without, root)
    assert any(key.startswith("m|") for key in asked)  # without digests, every look-up is compared
    assert any(key.startswith(f"f|{AUTHOR_PATH}|") for key in asked)  # and the fields of files read field by field


EDITS = [
    {MAIN: article("Quayside Tools opens its depot", tags="[Ports]")},  # a new URL: url_of changes
    {MAIN: article(tags="[Ports, Cranes]")},  # a new topic: the topic maps and related change
    {MAIN: article(draft="true", tags="[Ports]")},  # a draft now: status_of and the lists change
    {"content/articles/ferry.md": article("Ferry route opens", "2026-02-25 09:00")},  # a new article
]


@pytest.mark.parametrize("edit", EDITS, ids=["url", "topic", "draft", "new"])
def test_with_map_digests_the_same_outputs_are_stale_as_without(make_site: MakeSite, edit: dict[str, str]) -> None:
    root = make_site(SITE)
    with_digests, without = record(root, digests=True), record(root)
    write_files(root, edit)
    found = stale_after(with_digests, root)
    assert found.outputs == stale_after(without, root).outputs
    assert found.outputs  # the edit changed something


def test_a_map_digest_changes_with_any_look_up_of_it(make_site: MakeSite) -> None:
    root = make_site(SITE)
    before = plan_of(root)[0].facts.map_digests()
    assert before == plan_of(root)[0].facts.map_digests()
    write_files(root, EDITS[0])
    after = plan_of(root)[0].facts.map_digests()
    assert {key for key in before if before[key] != after[key]} >= {"d|url_of"}
    assert before["d|author"] == after["d|author"]


def test_an_edit_keeps_the_record_of_inputs_and_names_only_the_keys_that_changed(make_site: MakeSite) -> None:
    root = make_site(SITE)
    recorded = record(root, digests=True)
    write_files(root, {MAIN: article(body="Quayside Tools has opened a depot.\n\nIt is by the quay.", tags="[Ports]")})
    plan, outputs = plan_of(root)
    stale = find_stale(outputs, recorded, plan.facts, plan.views)
    assert stale.inputs_kept
    assert changed_inputs(recorded, plan.facts, stale.changed) == {f"e|{MAIN}": plan.facts.recorder.entities[MAIN]}


@pytest.mark.parametrize("change", ["add", "delete", "no record"])
def test_a_file_added_or_deleted_or_no_record_of_inputs_makes_the_record_again(
    make_site: MakeSite, change: str
) -> None:
    root = make_site(SITE)
    recorded = record(root, digests=change != "no record")
    if change == "add":
        write_files(root, {"content/articles/new.md": article("A new berth", "2026-03-02 09:00")})
    elif change == "delete":
        (root / OLDER).unlink()
    assert not stale_after(recorded, root).inputs_kept
