"""byline.output.reads: every read is recorded as it happens, and evaluates differently exactly when it would read differently.

Each test records reads against one version of a small site, then models an edited
version and asks which recorded facts evaluate to another identity now: exactly those
whose reads the edit changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from byline.output.reads import Facts, Reads, Recorder, Strings, TrackedList
from byline.output.views import Views
from tests.conftest import MakeSite
from tests.helpers import NOW, article, check_site, messages, write_files

MAIN = "content/articles/quayside.md"
OLDER = "content/articles/older.md"
AUTHOR = "content/authors/simon-malia.md"


def facts_of(root: Path, templates: Mapping[str, str] | None = None) -> Facts:
    """The site at ``root`` as outputs read it, each file's identity its parse key (as a build makes it)."""
    checked = check_site(root)
    assert messages(checked.problems) == []
    assert checked.site is not None and checked.images is not None
    digests = dict(templates or {})
    return Facts(checked.site, checked.images, NOW, Recorder(checked.entities), digests.__getitem__)


def changed(reads: Reads, now: Facts) -> set[str]:
    """The recorded reads that read differently in ``now``."""
    return {key for key, identity in reads.items() if now.evaluate(key) != identity}


def record(facts: Facts, read: object) -> Reads:
    with facts.recorder.scope() as reads:
        read()  # type: ignore[operator]
    return reads


def two_articles(make_site: MakeSite, **keys: str) -> Path:
    return make_site({OLDER: article("Harbour crane arrives", "2026-02-20 09:00", **keys)})


def edit(root: Path, path: str, text: str) -> None:
    write_files(root, {path: text})


# --- the recorder ------------------------------------------------------------------


def test_reads_go_to_the_innermost_scope_and_none_are_kept_outside_one() -> None:
    recorder = Recorder()
    recorder.read("m|url_of|a", "outside")  # no scope open: nothing keeps it
    with recorder.scope() as outer:
        recorder.read("m|url_of|a", "1")
        with recorder.scope() as inner:
            recorder.read("m|url_of|b", "2")
        recorder.read("m|url_of|c", "3")
    assert outer == {"m|url_of|a": "1", "m|url_of|c": "3"}
    assert inner == {"m|url_of|b": "2"}


def test_replay_records_what_a_memoised_piece_read_in_the_scope_using_it() -> None:
    recorder = Recorder()
    with recorder.scope() as first:
        recorder.replay({"f|x|title": "A", "m|url_of|x": "/a/"})
    with recorder.scope() as second:
        recorder.read("n|articles", "2")
        recorder.replay({"f|x|title": "A"})
    assert first == {"f|x|title": "A", "m|url_of|x": "/a/"}
    assert second == {"n|articles": "2", "f|x|title": "A"}


def test_a_memoised_body_is_read_by_every_output_using_it_not_only_the_first(make_site: MakeSite) -> None:
    facts = facts_of(make_site())
    views = Views(facts)
    main = facts.site.articles[0]
    first = record(facts, lambda: views.body(main))
    second = record(facts, lambda: views.body(main))
    assert f"e|{MAIN}" in first
    assert second == first


# --- each kind of fact --------------------------------------------------------------


def test_an_entity_read_is_its_parse_key_and_changes_with_any_edit_of_the_file(make_site: MakeSite) -> None:
    root = two_articles(make_site)
    facts = facts_of(root)
    reads = record(facts, lambda: facts.entity(facts.site.articles[0]))
    assert reads == {f"e|{MAIN}": facts.recorder.entities[MAIN]}
    assert changed(reads, facts_of(root)) == set()
    edit(root, OLDER, article("Harbour crane arrives", "2026-02-20 09:00", body="Another body."))
    assert changed(reads, facts_of(root)) == set()  # another file
    edit(root, MAIN, article(body="Quayside Tools has opened a second depot."))
    assert changed(reads, facts_of(root)) == {f"e|{MAIN}"}


def test_an_entity_gone_reads_as_nothing(make_site: MakeSite) -> None:
    root = two_articles(make_site)
    facts = facts_of(root)
    reads = record(facts, lambda: facts.entity(facts.site.articles[1]))
    (root / OLDER).unlink()
    assert facts_of(root).evaluate(f"e|{OLDER}") is None
    assert changed(reads, facts_of(root)) == {f"e|{OLDER}"}


def test_a_field_read_through_a_taken_model_records_that_field_only(make_site: MakeSite) -> None:
    root = two_articles(make_site)
    facts = facts_of(root)
    reads = record(facts, lambda: facts.articles[0:1][0].title)
    assert reads == {"s|articles|0|1": MAIN, f"f|{MAIN}|title": "Quayside Tools opens a depot"}
    edit(root, MAIN, article(body="A body no list shows."))
    assert changed(reads, facts_of(root)) == set()
    edit(root, MAIN, article("Quayside Tools opens a second depot", body="A body no list shows."))
    assert changed(reads, facts_of(root)) == {f"f|{MAIN}|title"}


def test_a_model_taken_from_a_map_is_read_field_by_field_too(make_site: MakeSite) -> None:
    root = make_site()
    facts = facts_of(root)
    reads = record(facts, lambda: facts.author["simon-malia"].name)
    assert reads == {"m|author|simon-malia": AUTHOR, f"f|{AUTHOR}|name": "Simon Malia"}
    edit(root, AUTHOR, "---\nname: Simon Malia\nrole: Editor\n---\nSimon edits now.\n")
    assert changed(reads, facts_of(root)) == set()  # the role and the bio were not read
    edit(root, AUTHOR, "---\nname: Simon Mallia\n---\nSimon edits now.\n")
    assert changed(reads, facts_of(root)) == {f"f|{AUTHOR}|name"}


def test_a_computed_property_is_a_field_read_too(make_site: MakeSite) -> None:
    root = make_site()
    facts = facts_of(root)
    reads = record(facts, lambda: facts.article[MAIN].modified)
    assert f"f|{MAIN}|modified" in reads
    edit(root, MAIN, article(corrections="[{date: 2026-03-02 10:00, note: Fixed a name.}]"))
    assert changed(reads, facts_of(root)) == {f"f|{MAIN}|modified"}


def test_a_map_look_up_records_what_it_found_and_a_miss_records_that_nothing_was(make_site: MakeSite) -> None:
    root = make_site()
    facts = facts_of(root)
    reads = record(
        facts,
        lambda: (
            facts.url_of[MAIN],
            facts.company_of.get(MAIN),
            "quayside-tools" in facts.company,
        ),
    )
    assert reads == {
        f"m|url_of|{MAIN}": "/articles/2026/03/01/quayside-tools-opens-a-depot/",
        f"m|company_of|{MAIN}": "\x00",
        "m|company|quayside-tools": "\x00",
    }
    edit(root, MAIN, article(body="Another body."))
    assert changed(reads, facts_of(root)) == set()
    write_files(root, {"content/companies/quayside-tools.md": "---\nname: Quayside Tools\n---\nTools.\n"})
    assert changed(reads, facts_of(root)) == {"m|company|quayside-tools"}
    edit(root, MAIN, article(company="quayside-tools"))
    assert changed(reads, facts_of(root)) == {"m|company|quayside-tools", f"m|company_of|{MAIN}"}
    edit(root, MAIN, article("Quayside Tools opens a second depot", company="quayside-tools"))
    assert changed(reads, facts_of(root)) == {"m|company|quayside-tools", f"m|company_of|{MAIN}", f"m|url_of|{MAIN}"}


def test_a_map_cannot_be_iterated_or_counted_as_that_read_could_not_be_recorded(make_site: MakeSite) -> None:
    facts = facts_of(make_site())
    with pytest.raises(TypeError):
        list(facts.author)
    with pytest.raises(TypeError):
        len(facts.author)


def test_a_list_look_up_of_many_models_is_one_fact_their_fields_read_once_taken(make_site: MakeSite) -> None:
    root = two_articles(make_site)
    facts = facts_of(root)
    reads = record(facts, lambda: [a.title for a in facts.by_author["simon-malia"][:1]])
    assert reads == {"m|by_author|simon-malia": f"{MAIN}\x1f{OLDER}", f"f|{MAIN}|title": "Quayside Tools opens a depot"}
    edit(root, OLDER, article("Harbour crane arrives late", "2026-02-20 09:00"))
    assert changed(reads, facts_of(root)) == set()  # the second was never taken out: its title was not read
    edit(root, OLDER, article("Harbour crane arrives late", "2026-03-01 10:00"))  # now the newest
    assert changed(reads, facts_of(root)) == {"m|by_author|simon-malia"}


def test_a_slice_records_its_bounds_and_only_its_members(make_site: MakeSite) -> None:
    root = two_articles(make_site)
    facts = facts_of(root)
    reads = record(facts, lambda: facts.articles[0:1])
    assert reads == {"s|articles|0|1": MAIN}
    write_files(root, {"content/articles/oldest.md": article("Old news", "2025-01-01 09:00")})
    assert changed(reads, facts_of(root)) == set()  # a list longer at its end: the first is still the first
    write_files(root, {"content/articles/newest.md": article("New news", "2026-03-02 09:00")})
    assert changed(reads, facts_of(root)) == {"s|articles|0|1"}


def test_a_slice_asked_beyond_the_end_sees_a_member_arrive_there(make_site: MakeSite) -> None:
    root = two_articles(make_site)
    facts = facts_of(root)
    reads = record(facts, lambda: facts.articles[0:5])
    assert reads == {"s|articles|0|5": f"{MAIN}\x1f{OLDER}"}
    write_files(root, {"content/articles/oldest.md": article("Old news", "2025-01-01 09:00")})
    assert changed(reads, facts_of(root)) == {"s|articles|0|5"}


def test_a_list_read_whole_records_an_open_slice_and_its_length_a_count(make_site: MakeSite) -> None:
    root = two_articles(make_site)
    facts = facts_of(root)
    whole = record(facts, lambda: list(facts.articles))
    count = record(facts, lambda: len(facts.articles))
    truth = record(facts, lambda: bool(facts.articles))
    assert whole["s|articles|0|*"] == f"{MAIN}\x1f{OLDER}"  # list() asks the length too, as a hint
    assert count == truth == {"n|articles": "2"}
    edit(root, OLDER, article("Harbour crane arrives", "2026-03-01 10:00"))  # the order changes, not the count
    assert changed(whole, facts_of(root)) == {"s|articles|0|*"}
    assert changed(count, facts_of(root)) == set()
    (root / OLDER).unlink()
    assert changed(count, facts_of(root)) == {"n|articles"}


def test_a_single_member_read_is_a_one_member_slice(make_site: MakeSite) -> None:
    root = two_articles(make_site)
    facts = facts_of(root)
    reads = record(facts, lambda: facts.articles[1].source)
    assert reads == {"s|articles|1|2": OLDER}
    write_files(root, {"content/articles/oldest.md": article("Old news", "2025-01-01 09:00")})
    assert changed(reads, facts_of(root)) == set()


def test_a_member_read_from_the_end_reads_the_length_too(make_site: MakeSite) -> None:
    """``[-1]`` is the last member however long the list is: a list growing at its end changes it."""
    root = two_articles(make_site)
    facts = facts_of(root)
    reads = record(facts, lambda: facts.articles[-1].source)
    write_files(root, {"content/articles/oldest.md": article("Old news", "2025-01-01 09:00")})
    assert reads == {"n|articles": "2", "s|articles|1|2": OLDER}
    assert changed(reads, facts_of(root)) == {"n|articles"}  # the second is still OLDER; the last is not


def test_a_list_is_read_in_ranges_from_its_start(make_site: MakeSite) -> None:
    facts = facts_of(make_site())
    for asked in (slice(None, None, 2), slice(-1, None), slice(0, -1)):
        with pytest.raises(ValueError):
            facts.articles[asked]


def test_a_group_list_reads_under_its_own_name_and_a_group_gone_reads_as_nothing(make_site: MakeSite) -> None:
    root = two_articles(make_site, tags="[Ports]")
    facts = facts_of(root)
    reads = record(facts, lambda: facts.group["topic:ports"].articles[0:10])
    assert reads == {"m|group|topic:ports": "ports\x1ePorts", "s|topic:ports|0|10": OLDER}
    edit(root, MAIN, article(tags="[Ports]"))
    assert changed(reads, facts_of(root)) == {"s|topic:ports|0|10"}
    edit(root, MAIN, article())
    edit(root, OLDER, article("Harbour crane arrives", "2026-02-20 09:00"))
    now = facts_of(root)
    assert now.evaluate("s|topic:ports|0|10") is None
    assert changed(reads, now) == {"m|group|topic:ports", "s|topic:ports|0|10"}


def test_archive_lists_read_under_their_year_and_month(make_site: MakeSite) -> None:
    root = two_articles(make_site)
    facts = facts_of(root)
    reads = record(
        facts,
        lambda: (list(facts.month(2026, 2).articles), len(facts.year(2026).articles), list(facts.year(2026).months)),
    )
    assert reads["s|month:2026-02|0|*"] == OLDER and reads["n|year:2026"] == "2"
    assert reads["s|months:2026|0|*"] == "2026\x1e3\x1f2026\x1e2"
    write_files(root, {"content/articles/jan.md": article("January news", "2026-01-10 09:00")})
    assert changed(reads, facts_of(root)) == {"n|year:2026", "s|months:2026|0|*", "n|months:2026"}


def test_a_picture_read_records_its_measurements(make_site: MakeSite) -> None:
    from tests.unit.test_views import jpeg

    depot = article(image="/static/images/depot.jpg", image_alt="The depot")
    root = make_site({"static/images/depot.jpg": jpeg(400, 200), MAIN: depot})
    facts = facts_of(root)
    reads = record(facts, lambda: (facts.pictures.get("/static/images/depot.jpg"), facts.pictures.get("/x.png")))
    assert reads["i|/x.png"] == "\x00" and "i|/static/images/depot.jpg" in reads
    write_files(root, {"static/images/depot.jpg": jpeg(400, 200)})
    assert changed(reads, facts_of(root)) == set()
    write_files(root, {"static/images/depot.jpg": jpeg(500, 200)})
    assert changed(reads, facts_of(root)) == {"i|/static/images/depot.jpg"}


def test_a_template_read_is_its_digest(make_site: MakeSite) -> None:
    root = make_site()
    facts = facts_of(root, {"article.html": "one"})
    reads = record(facts, lambda: facts.template("article.html"))
    assert reads == {"t|article.html": "one"}
    assert changed(reads, facts_of(root, {"article.html": "one"})) == set()
    assert changed(reads, facts_of(root, {"article.html": "two"})) == {"t|article.html"}


def test_a_computed_value_is_one_fact_and_what_making_it_read_is_not_the_callers(make_site: MakeSite) -> None:
    root = two_articles(make_site)

    def titled(facts: Facts) -> Facts:
        facts.compute("titles", lambda: sorted(a.title for a in facts.articles))
        return facts

    facts = titled(facts_of(root))
    reads = record(facts, lambda: facts.computed("titles"))
    assert list(reads) == ["c|titles"]
    again = record(facts, lambda: facts.computed("titles"))  # made once per build, read each time
    assert again == reads
    edit(root, MAIN, article(body="A body the titles do not show."))
    assert changed(reads, titled(facts_of(root))) == set()
    edit(root, MAIN, article("Quayside Tools opens a second depot"))
    assert changed(reads, titled(facts_of(root))) == {"c|titles"}
    assert facts_of(root).evaluate("c|titles") is None  # no longer made: read differently


def test_a_fact_of_no_known_kind_or_list_reads_as_nothing(make_site: MakeSite) -> None:
    facts = facts_of(make_site())
    for key in ("x|what", "m|nothing|a", "n|nothing", "s|topic:none|0|1", "f|content/articles/gone.md|title"):
        assert facts.evaluate(key) is None


def test_a_list_built_by_hand_records_under_its_name() -> None:
    recorder = Recorder()
    items = TrackedList("things", ["a", "b", "c"], recorder)
    with recorder.scope() as reads:
        assert items[1:3] == ("b", "c")
    assert reads == {"s|things|1|3": "b\x1fc"}


# --- shared views: their own reads, recorded apart ----------------------------------


def test_a_shared_view_is_one_fact_to_its_reader_and_keeps_its_own_reads(make_site: MakeSite) -> None:
    facts = facts_of(make_site())
    views = Views(facts)
    main = facts.site.articles[0]
    first = record(facts, lambda: views.card(main))
    second = record(facts, lambda: views.card(main))
    assert list(first) == [f"v|card|{MAIN}"] and second == first
    made = views.made[f"v|card|{MAIN}"]
    assert {f"e|{MAIN}", f"m|url_of|{MAIN}", f"m|status_of|{MAIN}", "v|author|simon-malia"} <= made.keys()
    assert views.made["v|author|simon-malia"].keys() >= {"m|author|simon-malia", f"f|{AUTHOR}|name"}


def test_a_view_identity_changes_with_its_content_and_with_the_shared_views_inside_it(make_site: MakeSite) -> None:
    root = make_site()
    facts = facts_of(root)
    views = Views(facts)
    main = facts.site.articles[0]
    card = record(facts, lambda: views.card(main))[f"v|card|{MAIN}"]
    edit(root, MAIN, article(body="Quayside Tools has opened a depot.\n\nIt is large."))  # the card shows none of it
    assert Views(facts_of(root)).remake(f"v|card|{MAIN}") == card
    edit(root, AUTHOR, "---\nname: Simon Mallia\n---\nSimon covers ports.\n")  # the card's author reference changes
    assert Views(facts_of(root)).remake(f"v|card|{MAIN}") != card


def test_a_view_of_what_is_gone_is_remade_as_nothing(make_site: MakeSite) -> None:
    root = two_articles(make_site)
    views = Views(facts_of(root))
    assert views.remake("v|card|content/articles/gone.md") is None
    assert views.remake("v|profile|nobody") is None
    assert views.remake("v|nothing|x") is None


def test_an_output_context_records_its_template_and_every_read(make_site: MakeSite) -> None:
    from byline.output.plan import SitePlan

    root = two_articles(make_site)
    facts = facts_of(root, {"article.html": "a", "redirect.html": "r"})
    plan = SitePlan(facts)
    page = next(o for o in plan.articles() if o.kind == "article" and MAIN in o.make.args)  # type: ignore[attr-defined]
    assert page.reads is None
    page.context  # noqa: B018 - made on first use, recording as it goes
    assert page.reads is not None
    assert {"t|article.html", f"m|article|{MAIN}", f"m|url_of|{MAIN}"} <= page.reads.keys()
    assert all(not key.startswith(("e|", "f|")) or MAIN in key or AUTHOR in key for key in page.reads)


def test_the_news_list_holds_the_articles_of_the_news_window_only(make_site: MakeSite) -> None:
    root = two_articles(make_site)
    facts = facts_of(root)
    reads = record(facts, lambda: list(facts.recent))
    assert reads["s|recent|0|*"] == MAIN  # the older one is weeks old
    edit(root, OLDER, article("Harbour crane arrives", "2026-03-01 08:00"))
    assert changed(reads, facts_of(root)) == {"s|recent|0|*", "n|recent"}


def test_strings_keep_one_copy_of_each_key_and_identity_a_build_holds() -> None:
    def made(*parts: str) -> str:  # a string made at run time, as reads are: never the same object by chance
        return "".join(parts)

    strings = Strings()
    first = strings.reads({made("t|", "article.html"): made("digest", "-1"), "e|a": "ka"})
    second = strings.keys({made("t|", "article.html"): made("digest", "-1"), "e|b": "kb"})
    assert second == ("t|article.html", "e|b")
    assert second[0] is next(iter(first))
    assert strings.identities == {"t|article.html": "digest-1", "e|b": "kb"}
    assert strings.identities["t|article.html"] is first["t|article.html"]


def test_the_news_window_takes_its_ends_and_leaves_what_is_past_them(make_site: MakeSite) -> None:
    """The window is found by bisection of the newest-first list: its ends, to the second, are in it."""
    dates = {
        "future": "2026-03-02 12:01",  # shown with future=True, but after now
        "now": "2026-03-02 12:00",
        "inside": "2026-03-01 09:00",
        "start": "2026-02-28 12:00",  # exactly two days before now
        "before": "2026-02-28 11:59",
    }
    files: dict[str, str | None] = {
        f"content/articles/{n}.md": article(f"Story {n}", when) for n, when in dates.items()
    }
    root = make_site({**files, "content/articles/quayside.md": None})
    checked = check_site(root, future=True)
    assert checked.site is not None
    facts = Facts(checked.site, now=NOW)
    assert [a.title for a in facts.recent] == ["Story now", "Story inside", "Story start"]
