"""Every Atom feed of the sample build is well-formed Atom that feed readers can rely on."""

from __future__ import annotations

from datetime import datetime

import feedparser
import pytest

FEED_LENGTH = 20


def parse(path):
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, f"{path}: not well-formed: {parsed.get('bozo_exception')!r}"
    assert parsed.version == "atom10", f"{path}: parsed as {parsed.version!r}, not Atom 1.0"
    return parsed


def test_every_contract_feed_exists(sample_build):
    names = {p.relative_to(sample_build.out).as_posix() for p in sample_build.feeds}
    assert "feed.xml" in names
    assert {"members-news/feed.xml", "news/feed.xml"} <= names
    assert any(n.startswith("authors/") for n in names)
    assert any(n.startswith("topics/") for n in names)
    assert any(n.startswith("companies/") for n in names)


def test_feeds_are_valid_atom_with_self_and_alternate_links(sample_build):
    for path in sample_build.feeds:
        feed = parse(path).feed
        where = path.relative_to(sample_build.out)
        assert feed.get("id"), f"{where}: feed has no id"
        assert feed.get("title"), f"{where}: feed has no title"
        assert feed.get("updated"), f"{where}: feed has no updated"
        rels = {link.rel: link.href for link in feed.links}
        assert rels.get("self") == sample_build.url_of(path), f"{where}: rel=self is {rels.get('self')!r}"
        alternate = rels.get("alternate")
        assert alternate and sample_build.file_at(alternate), f"{where}: rel=alternate {alternate!r} is not a page"


def test_feeds_hold_at_most_twenty_entries(sample_build):
    front = parse(sample_build.out / "feed.xml")
    assert len(front.entries) == FEED_LENGTH, "the sample has more than 20 articles, so the front feed is full"
    for path in sample_build.feeds:
        count = len(parse(path).entries)
        assert 0 < count <= FEED_LENGTH, f"{path.relative_to(sample_build.out)}: {count} entries"


def test_entries_carry_id_dates_author_and_link(sample_build):
    for path in sample_build.feeds:
        where = path.relative_to(sample_build.out)
        entries = parse(path).entries
        ids = [e.get("id") for e in entries]
        assert len(set(ids)) == len(ids), f"{where}: duplicate entry ids"
        for entry in entries:
            label = f"{where}: entry {entry.get('title')!r}"
            assert entry.get("id"), f"{label} has no id"
            assert entry.get("title"), f"{label} has no title"
            for key in ("published", "updated"):
                stamp = entry.get(key)
                assert stamp, f"{label} has no {key}"
                assert datetime.fromisoformat(stamp).tzinfo is not None, f"{label}: {key} {stamp!r} has no offset"
            assert entry.get("author_detail", {}).get("name"), f"{label} has no author name"
            href = entry.get("author_detail", {}).get("href", "")
            assert href.startswith(sample_build.base_url + "/authors/"), f"{label}: author uri {href!r}"
            assert sample_build.file_at(entry.get("link", "")), f"{label}: link {entry.get('link')!r} is not a page"
            assert entry.get("content") and entry.content[0].value.strip(), f"{label} has no content"


def test_entry_ids_are_permanent_not_page_urls(sample_build):
    """Ids survive slug edits, so they must not be the article URL."""
    for entry in parse(sample_build.out / "feed.xml").entries:
        assert entry.id != entry.link
        assert entry.id.startswith(("urn:uuid:", "tag:")), entry.id


@pytest.mark.parametrize("feed", ["feed.xml", "members-news/feed.xml"])
def test_entries_are_newest_first(sample_build, feed):
    published = [datetime.fromisoformat(e.published) for e in parse(sample_build.out / feed).entries]
    assert published == sorted(published, reverse=True)


def test_a_company_feed_holds_its_releases_with_every_author_and_its_about_text(sample_build):
    parsed = parse(sample_build.out / "companies/northgate-robotics/feed.xml")
    assert parsed.feed.title == "Northgate Robotics – Bdaily"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["alternate"] == sample_build.base_url + "/companies/northgate-robotics/"
    assert [e.title for e in parsed.entries] == [
        "Northgate Robotics expands into Germany after landmark contract",
        "Northgate Robotics opens £4.2m automation centre in Sunderland",
    ]
    co_written, single = parsed.entries
    assert [(a.name, a.href) for a in co_written.authors] == [
        ("Hannah Okafor", sample_build.base_url + "/authors/hannah-okafor/"),
        ("Liam Charlton", sample_build.base_url + "/authors/liam-charlton/"),
    ]
    assert [a.name for a in single.authors] == ["Dev Mistry"]
    for entry in parsed.entries:
        content = entry.content[0].value
        assert "<h2>About Northgate Robotics</h2>" in content
        assert "designs, builds and installs robotic production cells" in content
        assert "Press contact: Hannah Okafor, head of communications" in content
        assert content.rstrip().endswith("for Northgate Robotics.</p>"), "the attribution names the company"
