"""byline.content.load: every validation of articles, authors and pages, each with its line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from byline.content.markup import AUTHOR_BIO_ID_PREFIX, COMPANY_ABOUT_ID_PREFIX
from byline.content.models import Article, Author, Company, Page, Unfinished
from tests.helpers import LONDON, load_text

PATH = "content/articles/a.md"


def load_article(text: str | bytes) -> tuple[Article | Unfinished | None, list[str]]:
    model, problems = load_text(text)
    assert model is None or isinstance(model, Article | Unfinished)
    return model, [p.format() for p in problems]


def front(*lines: str, body: str = "Body text.") -> str:
    return "\n".join(["---", *lines, "---", body, ""])


VALID = ("title: Quayside Tools opens a depot", "date: 2026-03-01 09:00", "author: simon-malia")


def test_valid_article_loads_with_contract_defaults() -> None:
    article, problems = load_article(front(*VALID, body="First paragraph here.\n\nSecond."))
    assert problems == []
    assert article is not None
    assert article.title == "Quayside Tools opens a depot"
    assert article.date == datetime(2026, 3, 1, 9, 0, tzinfo=LONDON)
    assert article.authors == ("simon-malia",)
    assert article.section == "members-news"
    assert article.slug == "quayside-tools-opens-a-depot"
    assert article.summary == "First paragraph here."
    assert (article.tags, article.region, article.image, article.updated, article.corrections) == (
        (),
        None,
        None,
        None,
        (),
    )
    assert (article.id, article.draft, dict(article.meta)) == (None, False, {})
    assert article.line("author") == 4


def test_every_contract_key_is_read() -> None:
    article, problems = load_article(
        front(
            *VALID,
            "section: news",
            "summary: The  strategic\n  partnership.",
            "tags: [BT, Outsourcing]",
            "region: North West",
            "image: /static/images/one.jpg",
            "image_alt: Council signage",
            "image_credit: 'Image Source: BT'",
            "slug: bt-one-connect",
            "updated: 2026-03-02",
            "corrections:\n  - date: 2026-03-02 10:00\n    note: An earlier version gave the wrong date.",
            "aliases: [/articles/2014/01/27/old/]",
            "id: 3F1C2A9E-5B7D-4C1E-9A2B-7D8E6F5A4B3C",
            "draft: true",
        )
    )
    assert problems == []
    assert article is not None
    assert article.section == "news"
    assert article.summary == "The strategic partnership."
    assert article.tags == ("BT", "Outsourcing")
    assert (article.region, article.image, article.image_alt) == (
        "North West",
        "/static/images/one.jpg",
        "Council signage",
    )
    assert article.image_credit == "Image Source: BT"
    assert article.slug == "bt-one-connect"
    assert article.updated == datetime(2026, 3, 2, tzinfo=LONDON)
    assert [(c.date, c.note) for c in article.corrections] == [
        (datetime(2026, 3, 2, 10, 0, tzinfo=LONDON), "An earlier version gave the wrong date.")
    ]
    assert article.aliases == ("/articles/2014/01/27/old/",)
    assert article.id == "3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c"  # normalised
    assert article.draft is True
    assert article.modified == datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)


@pytest.mark.parametrize("missing", ["title", "date", "author"])
def test_missing_required_key_is_reported(missing: str) -> None:
    lines = [line for line in VALID if not line.startswith(missing)]
    article, problems = load_article(front(*lines))
    assert isinstance(article, Unfinished)
    assert problems == [f"{PATH}:1: missing required key '{missing}'"]


def test_all_missing_keys_are_reported_at_once() -> None:
    _, problems = load_article(front("region: Wales"))
    assert problems == [
        f"{PATH}:1: missing required key 'title'",
        f"{PATH}:1: missing required key 'date'",
        f"{PATH}:1: missing required key 'author'",
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("title: [a, b]", "'title' must be text, not a list"),
        ("title: 2026", "'title' must be text; put it in quotes, not a number"),
        ("title: yes", "'title' must be text; put it in quotes, not true/false"),
        ("title: ''", "'title' must be text, not str"),
        ("title: {a: 1}", "'title' must be text, not a mapping"),
    ],
)
def test_wrongly_typed_title_is_reported_on_its_line(line: str, message: str) -> None:
    article, problems = load_article(front(line, *VALID[1:]))
    assert isinstance(article, Unfinished)
    assert problems == [f"{PATH}:2: {message}"]


def test_wrongly_typed_author_is_reported() -> None:
    _, problems = load_article(front(*VALID[:2], "author: 42"))
    assert problems == [f"{PATH}:4: 'author' must be text; put it in quotes, not a number"]


def test_author_must_look_like_a_file_name() -> None:
    _, problems = load_article(front(*VALID[:2], "author: Simon Malia"))
    assert problems == [f"{PATH}:4: author must be an author's file name like simon-malia, not 'Simon Malia'"]


@pytest.mark.parametrize("value", ["27/01/2014", "'2014-02-30'", "yesterday", "true", "[2014-01-27]"])
def test_unparseable_date_names_the_accepted_forms(value: str) -> None:
    article, problems = load_article(front(VALID[0], f"date: {value}", VALID[2]))
    assert isinstance(article, Unfinished)
    assert len(problems) == 1
    assert problems[0].startswith(f"{PATH}:3: 'date' is not a date: ")
    assert problems[0].endswith("; use 2014-01-27, 2014-01-27 10:30, 2014-01-27 10:30:00 or 2014-01-27T10:30:00+00:00")


def test_unparseable_updated_is_reported_on_its_line() -> None:
    _, problems = load_article(front(*VALID, "updated: next week"))
    assert problems == [
        f"{PATH}:5: 'updated' is not a date: 'next week'; use 2014-01-27, 2014-01-27 10:30, "
        "2014-01-27 10:30:00 or 2014-01-27T10:30:00+00:00"
    ]


def test_quoted_and_offset_dates_are_accepted() -> None:
    article, problems = load_article(front(VALID[0], 'date: "2026-03-01T09:00:00+00:00"', VALID[2]))
    assert problems == []
    assert article is not None
    assert article.date == datetime(2026, 3, 1, 9, tzinfo=UTC)


def test_image_without_image_alt_is_reported_on_the_image_line() -> None:
    article, problems = load_article(front(*VALID, "image: /static/images/one.jpg"))
    assert isinstance(article, Unfinished)
    assert problems == [
        f"{PATH}:5: 'image' needs 'image_alt': a short description of the picture for readers who cannot see it"
    ]


def test_image_with_blank_image_alt_is_reported() -> None:
    _, problems = load_article(front(*VALID, "image: /static/images/one.jpg", "image_alt:"))
    assert problems == [
        f"{PATH}:5: 'image' needs 'image_alt': a short description of the picture for readers who cannot see it"
    ]


@pytest.mark.parametrize("slug", ["Bad_Slug", "'with space'", "café", "'a/b'", "12"])
def test_slug_must_be_lowercase_letters_digits_and_hyphens(slug: str) -> None:
    article, problems = load_article(front(*VALID, f"slug: {slug}"))
    assert isinstance(article, Unfinished)
    assert len(problems) == 1
    assert problems[0].startswith(f"{PATH}:5: slug must be lowercase letters, digits and hyphens ([a-z0-9-]+), not ")


def test_slug_made_from_title_drops_punctuation_and_accents() -> None:
    article, _ = load_article(front("title: 'Café Nero & “Big” Deal: BT''s £1.5m!'", *VALID[1:]))
    assert article is not None
    assert article.slug == "cafe-nero-big-deal-bts-1-5m"


def test_title_without_letters_needs_a_slug() -> None:
    _, problems = load_article(front("title: '!!!'", *VALID[1:]))
    assert problems == [f"{PATH}:2: cannot make a URL slug from this title; add a 'slug:' key"]


def test_file_that_is_not_utf8_names_the_line_and_byte() -> None:
    article, problems = load_article(b"---\ntitle: A\ndate: 2026-03-01\nauthor: x\nregion: Caf\xe9\n---\n")
    assert article is None  # not even its front matter can be read
    assert problems == [f"{PATH}:5: file is not valid UTF-8 text (byte 0xe9); save it as UTF-8"]


def test_byte_order_mark_and_windows_line_ends_are_accepted() -> None:
    text = "\ufeff" + front(*VALID, "region: Wales").replace("\n", "\r\n")
    article, problems = load_article(text.encode("utf-8"))
    assert problems == []
    assert article is not None
    assert article.region == "Wales"
    assert article.line("region") == 5


@pytest.mark.parametrize(
    ("value", "shown"), [("not-a-uuid", "'not-a-uuid'"), ("12345", "12345"), ("3f1c2a9e-5b7d", "'3f1c2a9e-5b7d'")]
)
def test_bad_id_is_reported(value: str, shown: str) -> None:
    article, problems = load_article(front(*VALID, f"id: {value}"))
    assert isinstance(article, Unfinished)
    assert problems == [f"{PATH}:5: 'id' must be a UUID like 3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c, not {shown}"]


def test_unknown_section_is_reported_with_the_choices() -> None:
    _, problems = load_article(front(*VALID, "section: sport"))
    assert problems == [f"{PATH}:5: unknown section 'sport'; sections are: members-news, news"]


def test_draft_must_be_true_or_false() -> None:
    _, problems = load_article(front(*VALID, "draft: maybe"))
    assert problems == [f"{PATH}:5: 'draft' must be true or false, not str"]


def test_corrections_must_be_a_list() -> None:
    _, problems = load_article(front(*VALID, "corrections: Fixed a typo"))
    assert problems == [f"{PATH}:5: 'corrections' must be a list of entries with 'date' and 'note'"]


def test_each_correction_needs_a_date_and_a_note_on_its_own_line() -> None:
    _, problems = load_article(
        front(
            *VALID,
            "corrections:",
            "  - date: 2026-03-02",
            "    note: Fine.",
            "  - note: No date here.",
            "  - date: 2026-03-02",
            "  - date: 31/12/2026",
            "    note: Bad date.",
        )
    )
    assert problems == [
        f"{PATH}:8: each correction needs a 'date' and a 'note'",
        f"{PATH}:9: each correction needs a 'date' and a 'note'",
        f"{PATH}:10: 'date' is not a date: '31/12/2026'; use 2014-01-27, 2014-01-27 10:30, "
        "2014-01-27 10:30:00 or 2014-01-27T10:30:00+00:00",
    ]


def test_corrections_are_sorted_by_date() -> None:
    article, _ = load_article(
        front(*VALID, "corrections:", "  - {date: 2026-03-05, note: Second.}", "  - {date: 2026-03-02, note: First.}")
    )
    assert article is not None
    assert [c.note for c in article.corrections] == ["First.", "Second."]


def test_tags_are_coerced_to_a_tuple_of_text() -> None:
    article, problems = load_article(front(*VALID, "tags: [BT, 2026, '  Lancashire   County ', BT]"))
    assert problems == []
    assert article is not None
    assert article.tags == ("BT", "2026", "Lancashire County")


def test_single_tag_as_text_becomes_a_list() -> None:
    article, _ = load_article(front(*VALID, "tags: Outsourcing"))
    assert article is not None
    assert article.tags == ("Outsourcing",)


def test_bad_tag_items_are_reported_on_their_own_lines() -> None:
    _, problems = load_article(front(*VALID, "tags:", "  - BT", "  - ''", "  - [nested]"))
    assert problems == [
        f"{PATH}:7: each of 'tags' must be text, not str",
        f"{PATH}:8: each of 'tags' must be text, not a list",
    ]


def test_tags_as_a_mapping_are_reported() -> None:
    _, problems = load_article(front(*VALID, "tags: {a: b}"))
    assert problems == [f"{PATH}:5: 'tags' must be a list like [One, Two], not a mapping"]


@pytest.mark.parametrize(
    ("alias", "reason"),
    [
        ("old-url/", "must be a site path starting with '/'"),
        ("//evil.example/", "must be a site path starting with '/'"),
        ("/articles/../x/", "must be a plain path without '..', '?' or '#'"),
        ("/old", "must end with '/' or '.html'"),
    ],
)
def test_bad_alias_is_reported(alias: str, reason: str) -> None:
    _, problems = load_article(front(*VALID, f"aliases: ['{alias}']"))
    assert len(problems) == 1
    assert problems[0].startswith(f"{PATH}:5: alias {alias!r} {reason}")


def test_meta_keeps_unknown_keys() -> None:
    article, problems = load_article(front(*VALID, "sponsor: Quayside Tools", "priority: 2", "extra: {a: [1, 2]}"))
    assert problems == []
    assert article is not None
    assert dict(article.meta) == {"sponsor": "Quayside Tools", "priority": 2, "extra": {"a": [1, 2]}}


def test_meta_refuses_values_templates_cannot_take() -> None:
    _, problems = load_article(front(*VALID, "blob: !!binary aGVsbG8="))
    assert problems == [f"{PATH}:5: 'blob' holds a value Byline cannot pass to templates (bytes)"]


def test_every_problem_in_a_file_is_reported() -> None:
    _, problems = load_article(
        front("title: [x]", "date: soon", "author: simon-malia", "image: /x.jpg", "slug: X", "id: nope")
    )
    assert [p.split(":")[1] for p in problems] == ["2", "3", "5", "6", "7"]


def test_author_profile_loads() -> None:
    author, problems = load_text(
        "---\nname: Simon Malia\nrole: Reporter\norganisation: Bdaily\navatar: /static/a.png\n"
        "links: {twitter: 'https://twitter.example/s', email: 'mailto:s@example.com'}\n---\n"
        "Simon *covers* ports.\n",
        kind="author",
    )
    assert problems == []
    assert isinstance(author, Author)
    assert (author.slug, author.name, author.role, author.organisation) == (
        "simon-malia",
        "Simon Malia",
        "Reporter",
        "Bdaily",
    )
    assert author.links == (("twitter", "https://twitter.example/s"), ("email", "mailto:s@example.com"))
    assert "<em>covers</em>" in author.bio.html


def test_author_names_the_company_they_post_for_and_their_bio_ids_are_their_own() -> None:
    author, problems = load_text("---\nname: Hannah Okafor\ncompany: bt-group\n---\n## Contact\n", kind="author")
    assert problems == []
    assert isinstance(author, Author)
    assert (author.company, author.line("company")) == ("bt-group", 3)
    # Two authors of one article may both have a "Contact" heading: each bio's ids carry its author.
    assert f'id="{AUTHOR_BIO_ID_PREFIX}simon-malia-contact"' in author.bio.html


def test_an_authors_company_must_be_a_slug() -> None:
    _, problems = load_text("---\nname: Hannah Okafor\ncompany: BT Group\n---\n", kind="author")
    assert [p.format() for p in problems] == [
        "content/authors/simon-malia.md:3: company must be a company's file name like bt-group, not 'BT Group'"
    ]


def test_company_profile_loads_every_contract_key() -> None:
    company, problems = load_text(
        "---\nname: BT Group\nwebsite: https://www.bt.example\nlogo: /static/companies/bt.png\n"
        "logo_alt: BT Group logo\nsector: Telecommunications\nregion: North West\n"
        "contact: Press office, press@bt.example\n---\nBT is a *telecoms* company.\n\n## Contact\n",
        kind="company",
    )
    assert problems == []
    assert isinstance(company, Company)
    assert (company.slug, company.name, company.source) == ("bt-group", "BT Group", "content/companies/bt-group.md")
    assert (company.website, company.logo, company.logo_alt) == (
        "https://www.bt.example",
        "/static/companies/bt.png",
        "BT Group logo",
    )
    assert (company.sector, company.region, company.contact) == (
        "Telecommunications",
        "North West",
        "Press office, press@bt.example",
    )
    assert "<em>telecoms</em>" in company.about.html
    assert f'id="{COMPANY_ABOUT_ID_PREFIX}contact"' in company.about.html  # shown beside a body: ids of its own
    assert company.line("logo") == 4


def test_company_needs_only_a_name() -> None:
    company, problems = load_text("---\nname: BT Group\n---\n", kind="company")
    assert problems == []
    assert isinstance(company, Company)
    assert (company.website, company.logo, company.about.html) == (None, None, "")


def test_company_problems_are_all_reported_at_their_lines() -> None:
    company, problems = load_text(
        "---\nwebsite: www.bt.example\nlogo: https://cdn.example/bt.png\nsector: [a]\n---\n",
        kind="company",
        path="content/companies/BT.md",
    )
    assert isinstance(company, Unfinished)
    assert [p.format() for p in problems] == [
        "content/companies/BT.md:1: company file name 'BT' must be lowercase letters, digits and hyphens",
        "content/companies/BT.md:1: missing required key 'name'",
        "content/companies/BT.md:2: 'website' must be an http(s) address like https://www.example.com, not 'www.bt.example'",
        "content/companies/BT.md:3: 'logo' must be a picture under /static/, like /static/companies/logo.png,"
        " not 'https://cdn.example/bt.png'",
        "content/companies/BT.md:3: 'logo' needs 'logo_alt': a short text for readers who cannot see it, like"
        " 'BT Group logo'",
        "content/companies/BT.md:4: 'sector' must be text, not a list",
    ]


@pytest.mark.parametrize("website", ["javascript:alert(1)", "https://", "ftp://bt.example", "https://bt .example"])
def test_company_website_must_be_a_web_address(website: str) -> None:
    _, problems = load_text(f"---\nname: BT\nwebsite: '{website}'\n---\n", kind="company")
    assert [p.message for p in problems] == [
        f"'website' must be an http(s) address like https://www.example.com, not {website!r}"
    ]


def test_article_names_its_company() -> None:
    article, problems = load_article(front(*VALID, "company: bt-group"))
    assert problems == []
    assert article is not None and (article.company, article.line("company")) == ("bt-group", 5)
    plain, _ = load_article(front(*VALID))
    assert plain is not None and plain.company is None  # the model stage defaults it from the author


def test_an_articles_company_must_be_a_slug() -> None:
    _, problems = load_article(front(*VALID, "company: BT Group"))
    assert problems == [f"{PATH}:5: company must be a company's file name like bt-group, not 'BT Group'"]


def test_author_may_be_a_list_in_byline_order() -> None:
    lines = ("title: Joint venture", "date: 2026-03-01", "author: [simon-malia, ruth-calloway, simon-malia]")
    article, problems = load_article(front(*lines))
    assert problems == []
    assert article is not None and article.authors == ("simon-malia", "ruth-calloway")


def test_each_bad_author_in_a_list_is_reported_on_its_own_line() -> None:
    lines = ("title: Joint venture", "date: 2026-03-01", "author:", "  - simon-malia", "  - Ruth Calloway", "  - 7")
    article, problems = load_article(front(*lines))
    assert isinstance(article, Unfinished) and article.authors == ("simon-malia",)
    assert problems == [
        f"{PATH}:6: each author must be an author's file name like simon-malia, not 'Ruth Calloway'",
        f"{PATH}:7: each author must be an author's file name like simon-malia, not 7",
    ]


def test_an_empty_author_list_is_reported() -> None:
    article, problems = load_article(front("title: T", "date: 2026-03-01", "author: []"))
    assert isinstance(article, Unfinished)
    assert problems == [f"{PATH}:4: 'author' is an empty list; name at least one author, like [simon-malia]"]


def test_author_needs_a_name_and_safe_links() -> None:
    author, problems = load_text("---\nlinks: {site: 'javascript:alert(1)'}\n---\n", kind="author")
    assert isinstance(author, Unfinished)
    assert [p.format() for p in problems] == [
        "content/authors/simon-malia.md:1: missing required key 'name'",
        "content/authors/simon-malia.md:2: link 'site' must be an http(s) or mailto: address",
    ]


def test_author_file_name_must_be_a_slug() -> None:
    _, problems = load_text("---\nname: X\n---\n", kind="author", path="content/authors/Simon_Malia.md")
    assert [p.format() for p in problems] == [
        "content/authors/Simon_Malia.md:1: author file name 'Simon_Malia' must be lowercase letters, digits and hyphens"
    ]


def test_page_loads_with_summary_from_first_paragraph() -> None:
    page, problems = load_text("---\ntitle: About us\nteam: [a, b]\n---\nWe are *members*.\n", kind="page")
    assert problems == []
    assert isinstance(page, Page)
    assert (page.slug, page.title, page.summary) == ("about", "About us", "We are members.")
    assert dict(page.meta) == {"team": ["a", "b"]}


def test_page_needs_a_title() -> None:
    page, problems = load_text("---\nsummary: x\n---\n", kind="page")
    assert isinstance(page, Unfinished)
    assert [p.format() for p in problems] == ["content/pages/about.md:1: missing required key 'title'"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("images/depot.jpg", "'images/depot.jpg'"),
        ("'javascript:alert(1)'", "'javascript:alert(1)'"),
        ("//cdn.example/depot.jpg", "'//cdn.example/depot.jpg'"),
        ("'data:image/png;base64,AAAA'", "'data:image/png;base64,AAAA'"),
    ],
)
def test_image_must_be_a_site_path_or_web_address(value: str, shown: str) -> None:
    # a relative path would make broken absolute URLs in feeds ("https://example.comimages/...")
    article, problems = load_article(front(*VALID, f"image: {value}", "image_alt: The depot"))
    assert isinstance(article, Unfinished)
    assert problems == [
        f"{PATH}:5: 'image' must be a site path like /static/images/photo.jpg or an http(s) address, not {shown}"
    ]


@pytest.mark.parametrize("value", ["/static/images/depot.jpg", "https://cdn.example/depot.jpg"])
def test_image_may_be_a_site_path_or_web_address(value: str) -> None:
    article, problems = load_article(front(*VALID, f"image: {value}", "image_alt: The depot"))
    assert problems == []
    assert article is not None and article.image == value


def test_author_avatar_must_be_a_site_path_or_web_address() -> None:
    author, problems = load_text("---\nname: Simon Malia\navatar: authors/simon.png\n---\n", kind="author")
    assert isinstance(author, Unfinished)
    assert [p.format() for p in problems] == [
        "content/authors/simon-malia.md:3: 'avatar' must be a site path like /static/images/photo.jpg "
        "or an http(s) address, not 'authors/simon.png'"
    ]


def test_region_without_letters_is_reported() -> None:
    # it would link to /regions//, a page that does not exist
    article, problems = load_article(front(*VALID, "region: '???'"))
    assert isinstance(article, Unfinished)
    assert problems == [f"{PATH}:5: region '???' has no letters or digits to make a URL from"]


def test_a_control_character_in_the_body_or_a_value_is_an_error_at_its_line() -> None:
    _, problems = load_article(front(*VALID, 'summary: "Bad \\x01 value"', body="Fine.\n\nA \x0b tab."))
    assert problems == [
        "content/articles/a.md:9: invisible control character U+000B: web pages and feeds cannot carry it;"
        " delete it (it often comes from pasting from Word or a PDF)"
    ]
    _, problems = load_article(front(*VALID, 'summary: "Bad \\x01 value"'))
    assert problems == [
        "content/articles/a.md:5: 'summary' holds an invisible control character U+0001: web pages and feeds"
        " cannot carry it; delete it (it often comes from pasting from Word or a PDF)"
    ]


def test_yaml_surrogate_escapes_are_an_error_at_their_line() -> None:
    # Regression (issue 16, defect 6): `check` passed; the build's cache writer raised UnicodeEncodeError.
    _, problems = load_article(
        front('title: "Smile \\ud83d\\ude00"', *VALID[1:], 'tags: ["\\udfff"]', 'extra: {note: ["\\ud800"]}')
    )
    assert problems == [
        "content/articles/a.md:2: 'title' holds U+D83D, half of a UTF-16 surrogate pair, which UTF-8 text cannot"
        " hold; write the character '😀' itself, or the one escape \\U0001F600",
        "content/articles/a.md:5: 'tags' holds U+DFFF, half of a UTF-16 surrogate pair, which UTF-8 text cannot"
        " hold; delete it, or write the character itself",
        "content/articles/a.md:6: 'extra' holds U+D800, half of a UTF-16 surrogate pair, which UTF-8 text cannot"
        " hold; delete it, or write the character itself",
    ]


def test_a_date_in_the_hour_the_clocks_skip_is_an_error_saying_what_to_write() -> None:
    # Regression (issue 16, defect 15): it was silently taken as 01:30+00:00.
    article, problems = load_article(front("title: Spring", "date: 2026-03-29 01:30", "author: simon-malia"))
    assert isinstance(article, Unfinished)
    assert problems == [
        "content/articles/a.md:3: 'date' 2026-03-29 01:30 does not exist in Europe/London: the clocks go forward an"
        " hour then; write 2026-03-29 02:30 (the same moment), or the time with its offset, like"
        " 2026-03-29T01:30:00+00:00"
    ]
