"""byline.config: site.toml defaults, validation with line numbers, sections."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from byline.config import DEFAULT_ATTRIBUTION, SiteConfig, format_attribution, load_config
from tests.helpers import config_from, write_files


def test_missing_site_toml_gives_the_defaults(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path)
    assert problems == []
    assert config == SiteConfig()
    assert config.timezone == ZoneInfo("Europe/London")
    assert config.default_section == "members-news"
    assert config.per_page == 20
    assert [s.slug for s in config.sections] == ["members-news", "news"]
    members = config.section("members-news")
    assert members is not None
    assert (members.title, members.label, members.attribution) == (
        "Members' News",
        "Member Article",
        DEFAULT_ATTRIBUTION,
    )


def test_contract_example_loads_every_setting(tmp_path: Path) -> None:
    config, problems = config_from(
        tmp_path,
        """\
name = "Bdaily"
base_url = "https://example.com/"
language = "en-GB"
timezone = "America/New_York"
default_section = "members-news"
per_page = 7

[sections.members-news]
title = "Members' News"
label = "Member Article"
attribution = "This was posted in {site}'s {section} section by {author}."
""",
    )
    assert problems == []
    assert config.name == "Bdaily"
    assert config.base_url == "https://example.com"  # trailing slash dropped
    assert config.timezone == ZoneInfo("America/New_York")
    assert config.per_page == 7
    assert [s.slug for s in config.sections] == ["members-news"]


def test_sections_replace_the_defaults_and_keep_their_order(tmp_path: Path) -> None:
    config, problems = config_from(
        tmp_path,
        """\
default_section = "news"
[sections.news]
title = "News"
[sections.company-results]
""",
    )
    assert problems == []
    assert [(s.slug, s.title, s.label) for s in config.sections] == [
        ("news", "News", None),
        ("company-results", "Company Results", None),
    ]
    assert config.default_section == "news"


def test_default_section_falls_back_to_first_section_when_members_news_is_gone(tmp_path: Path) -> None:
    config, problems = config_from(tmp_path, "[sections.briefings]\ntitle = 'Briefings'\n")
    assert problems == []
    assert config.default_section == "briefings"


def test_unknown_keys_are_kept_for_templates(tmp_path: Path) -> None:
    config, problems = config_from(tmp_path, 'name = "X"\n\n[publisher]\nlogo = "/static/logo.png"\n')
    assert problems == []
    assert dict(config.extra) == {"publisher": {"logo": "/static/logo.png"}}


def test_base_path_and_origin_split_the_base_url(tmp_path: Path) -> None:
    config, _ = config_from(tmp_path, 'base_url = "https://example.com:8443/news/"\n')
    assert config.origin == "https://example.com:8443"
    assert config.base_path == "/news"


def test_base_url_option_overrides_site_toml(tmp_path: Path) -> None:
    write_files(tmp_path, {"site.toml": 'base_url = "https://example.com"\n'})
    config, problems = load_config(tmp_path, base_url="https://preview.example/")
    assert problems == []
    assert config.base_url == "https://preview.example"


def test_invalid_toml_reports_its_line(tmp_path: Path) -> None:
    _, problems = config_from(tmp_path, 'name = "Bdaily"\nper_page = \n')
    assert len(problems) == 1
    assert problems[0].startswith("site.toml:2: invalid TOML: ")


def test_site_toml_not_utf8_is_an_error(tmp_path: Path) -> None:
    write_files(tmp_path, {"site.toml": b'name = "Caf\xe9"\n'})
    config, problems = load_config(tmp_path)
    assert [p.format() for p in problems] == ["site.toml:1: file is not valid UTF-8 text"]
    assert config == SiteConfig()


def test_every_bad_setting_is_reported_on_its_own_line(tmp_path: Path) -> None:
    config, problems = config_from(
        tmp_path,
        """\
name = ""
base_url = "example.com"
language = "English (UK)"
timezone = "Europe/Atlantis"
per_page = 0
default_section = "sport"
""",
    )
    assert sorted(problems) == [
        "site.toml:1: name must be a non-empty string",
        "site.toml:2: base_url must be an absolute http(s) URL like https://example.com, not 'example.com'",
        "site.toml:3: language must be a language tag like en-GB, not 'English (UK)'",
        "site.toml:4: unknown timezone 'Europe/Atlantis'; use an IANA name like Europe/London",
        "site.toml:5: per_page must be a whole number from 1 to 1000",
        "site.toml:6: default_section 'sport' is not one of the sections: members-news, news",
    ]
    # the defaults stand in for the bad settings, so later stages can still run
    assert (config.name, config.per_page, config.default_section) == ("Byline", 20, "members-news")


def test_per_page_must_be_a_whole_number_not_true(tmp_path: Path) -> None:
    _, problems = config_from(tmp_path, "per_page = true\n")
    assert problems == ["site.toml:1: per_page must be a whole number from 1 to 1000"]


def test_bad_section_settings_point_at_their_lines_in_the_table(tmp_path: Path) -> None:
    _, problems = config_from(
        tmp_path,
        """\
[sections.news]
title = "News"
label = "News"

[sections.members-news]
title = ""
attribution = "Posted by {author} on {date}"

[sections.Bad_Name]
title = "Bad"
""",
    )
    assert problems == [
        "site.toml:6: title must be a non-empty string",
        "site.toml:7: attribution may use {site}, {section}, {author} and {company} only, not {date}",
        "site.toml:9: section name 'Bad_Name' must be lowercase letters, digits and hyphens",
    ]


def test_broken_attribution_template_is_reported(tmp_path: Path) -> None:
    _, problems = config_from(tmp_path, '[sections.news]\nattribution = "By {author"\n')
    assert len(problems) == 1
    assert problems[0].startswith("site.toml:2: attribution is not a valid template")


def test_the_base_path_and_origin_follow_a_base_url_override(tmp_path: Path) -> None:
    """They are worked out once per config; an override makes a new config, never a stale answer."""
    (tmp_path / "site.toml").write_text('name = "X"\nbase_url = "https://example.com/news/"\n')
    config, _ = load_config(tmp_path)
    assert (config.base_path, config.origin) == ("/news", "https://example.com")
    moved, _ = load_config(tmp_path, "http://localhost:8000/")
    assert (moved.base_path, moved.origin) == ("", "http://localhost:8000")
    assert (config.base_path, config.origin) == ("/news", "https://example.com")


def test_a_section_says_whether_member_companies_post_in_it(tmp_path: Path) -> None:
    config, problems = config_from(tmp_path, "[sections.members-news]\nmember = true\n[sections.news]\n")
    assert problems == []
    assert [(s.slug, s.member) for s in config.sections] == [("members-news", True), ("news", False)]
    assert not any(s.member for s in SiteConfig().sections)  # without site.toml no article is warned about
    _, problems = config_from(tmp_path, '[sections.news]\ntitle = "News"\nmember = "yes"\n')
    assert problems == ["site.toml:3: member must be true or false"]


TEMPLATE = "Posted in {site}'s {section} section by {author}[ for {company}]."


@pytest.mark.parametrize(
    ("company", "expected"),
    [
        ("BT Group", "Posted in Bdaily's Members' News section by Simon Malia for BT Group."),
        (None, "Posted in Bdaily's Members' News section by Simon Malia."),
    ],
)
def test_an_attributions_optional_part_is_printed_only_with_a_company(company: str | None, expected: str) -> None:
    assert format_attribution(TEMPLATE, "Bdaily", "Members' News", "Simon Malia", company) == expected


def test_square_brackets_and_braces_in_names_are_printed_as_they_are() -> None:
    sentence = format_attribution("By {author}[, {company}].", "S", "N", "Ann [Ed.] {x}", "A [B] {company}")
    assert sentence == "By Ann [Ed.] {x}, A [B] {company}."


def test_an_attribution_with_company_in_its_optional_part_loads(tmp_path: Path) -> None:
    config, problems = config_from(tmp_path, f'[sections.members-news]\nattribution = "{TEMPLATE}"\n')
    assert problems == []
    assert config.sections[0].attribution == TEMPLATE


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        (
            "By {author} for {company}.",
            "attribution uses {company} outside square brackets; write it as an optional part, like"
            " 'by {author}[ for {company}]', so the sentence reads correctly for an article without a company",
        ),
        (
            "By {author}[ of {site}].",
            "attribution's optional part [ of {site}] must use {company}: it is printed only for articles with one",
        ),
        (
            "By {author}[ for {company}.",
            "attribution has an unmatched or nested '[' or ']'; square brackets mark an optional part like"
            " [ for {company}]",
        ),
        (
            "By {author}[ for [{company}]].",
            "attribution has an unmatched or nested '[' or ']'; square brackets mark an optional part like"
            " [ for {company}]",
        ),
    ],
)
def test_an_attribution_must_read_correctly_without_a_company(tmp_path: Path, template: str, reason: str) -> None:
    _, problems = config_from(tmp_path, f'[sections.news]\ntitle = "News"\nattribution = "{template}"\n')
    assert problems == [f"site.toml:3: {reason}"]


def test_control_characters_in_any_text_setting_are_errors_at_their_lines(tmp_path: Path) -> None:
    # Regression (issue 16, defect 12): one in the site's name made every Atom feed malformed XML.
    _, problems = config_from(
        tmp_path,
        """\
name = "Bdaily\\u0001"
tagline = "Fine"

[sections.members-news]
title = "Members\\u0008 News"
label = "Member\\u007f Article"
attribution = "Posted in {site} by {author}.\\u000b"

[publisher]
name = "Bdaily \\u0085Ltd"

[social]
handles = ["ok", "bad\\u001b"]
"\\u0002key" = "value"
""",
    )
    hint = "an invisible control character U+{}: web pages and feeds cannot carry it; delete it (it often comes from pasting from Word or a PDF)"
    assert problems == [
        f"site.toml:1: 'name' holds {hint.format('0001')}",
        f"site.toml:5: 'title' holds {hint.format('0008')}",
        f"site.toml:6: 'label' holds {hint.format('007F')}",
        f"site.toml:7: 'attribution' holds {hint.format('000B')}",
        f"site.toml:10: 'name' holds {hint.format('0085')}",
        f"site.toml:13: 'handles' holds {hint.format('001B')}",
        f"site.toml:1: '\\x02key' holds {hint.format('0002')}",
    ]


@pytest.mark.parametrize(
    ("base_url", "problem"),
    [
        ("https://example.com/my news", "base_url holds ' ', which a URL cannot hold (RFC 3986); write spaces as %20"),
        ("https://exa mple.com", "base_url holds ' ', which a URL cannot hold (RFC 3986); write spaces as %20"),
        ("https://example.com/<x>", "base_url holds '<', which a URL cannot hold (RFC 3986); write spaces as %20"),
        (
            "https://example.com:99999",
            "base_url must name a host, and a port from 1 to 65535 if any, not 'https://example.com:99999'",
        ),
        ("https://:8080/", "base_url must name a host, and a port from 1 to 65535 if any, not 'https://:8080/'"),
    ],
)
def test_a_base_url_a_url_cannot_be_is_refused(tmp_path: Path, base_url: str, problem: str) -> None:
    # Regression (issue 16, defect 12): a base_url with a space was accepted.
    _, problems = config_from(tmp_path, f'base_url = "{base_url}"\n')
    assert problems == [f"site.toml:1: {problem}"]


def test_a_site_toml_linking_out_of_the_site_is_refused(tmp_path: Path) -> None:
    outside = write_files(tmp_path / "elsewhere", {"site.toml": 'name = "Secret"\n'})
    root = tmp_path / "site"
    root.mkdir()
    (root / "site.toml").symlink_to(outside / "site.toml")
    config, problems = load_config(root)
    assert [p.format() for p in problems] == ["site.toml:0: symlink points outside the site root; refused"]
    assert config.name == "Byline"
