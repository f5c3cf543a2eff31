"""byline.content.front_matter: YAML front matter with each key's line, and errors with theirs."""

from __future__ import annotations

from byline.content.front_matter import split_front_matter

PATH = "content/articles/a.md"


def split(text: str):  # type: ignore[no-untyped-def]
    parsed, problems = split_front_matter(PATH, text)
    return parsed, [p.format() for p in problems]


def test_each_key_remembers_its_file_line() -> None:
    parsed, problems = split("---\ntitle: A\n\ndate: 2014-01-27\nauthor: simon-malia\n---\nBody\n")
    assert problems == []
    assert parsed is not None
    assert parsed.lines == {"title": 2, "date": 4, "author": 5}
    assert parsed.body.strip() == "Body"


def test_list_items_remember_their_lines() -> None:
    parsed, _ = split("---\ntags:\n  - BT\n  - Outsourcing\naliases: [/a/, /b/]\n---\n")
    assert parsed is not None
    assert parsed.lines["tags[0]"] == 3
    assert parsed.lines["tags[1]"] == 4
    assert parsed.lines["aliases[1]"] == 5


def test_dates_are_kept_as_text_for_the_loader_to_parse() -> None:
    parsed, _ = split("---\ndate: 2014-01-27\nupdated: 2014-01-28 10:30:00\nwhen: 2014-01-27T10:30:00+00:00\n---\n")
    assert parsed is not None
    assert parsed.values == {
        "date": "2014-01-27",
        "updated": "2014-01-28 10:30:00",
        "when": "2014-01-27T10:30:00+00:00",
    }


def test_plain_yaml_types_are_kept() -> None:
    parsed, _ = split("---\ndraft: true\ncount: 3\ntags: [a, b]\nlinks: {x: 'https://e.com'}\nnone:\n---\n")
    assert parsed is not None
    assert parsed.values == {
        "draft": True,
        "count": 3,
        "tags": ["a", "b"],
        "links": {"x": "https://e.com"},
        "none": None,
    }


def test_invalid_yaml_reports_the_yaml_errors_own_line() -> None:
    parsed, problems = split('---\ntitle: A\ndate: 2014-01-27\nsummary: "unclosed\nauthor: x\n---\nBody\n')
    assert parsed is None
    assert len(problems) == 1
    assert problems[0].startswith(f"{PATH}:6: invalid YAML: ")


def test_bad_indentation_points_at_the_offending_line() -> None:
    _, problems = split("---\ntitle: A\n  date: 2014-01-27\nauthor: x\n---\n")
    assert problems == [f"{PATH}:3: invalid YAML: mapping values are not allowed here"]


def test_duplicate_key_names_both_lines() -> None:
    parsed, problems = split("---\ntitle: First\ndate: 2014-01-27\ntitle: Second\n---\n")
    assert problems == [f"{PATH}:4: duplicate key 'title' (first set on line 2)"]
    assert parsed is not None
    assert parsed.values["title"] == "First"


def test_yaml_aliases_are_refused() -> None:
    parsed, problems = split("---\nbase: &b [x, y]\ntags: *b\n---\n")
    assert parsed is None
    assert problems == [f"{PATH}:3: invalid YAML: YAML aliases (*name) are not allowed in front matter"]


def test_python_tags_are_refused() -> None:
    parsed, problems = split("---\ntitle: !!python/object/apply:os.system ['true']\n---\n")
    assert parsed is None
    assert len(problems) == 1
    assert problems[0].startswith(f"{PATH}:2: invalid YAML: ")


def test_missing_front_matter_is_reported_on_line_1() -> None:
    parsed, problems = split("# Just Markdown\n")
    assert parsed is None
    assert problems == [f"{PATH}:1: missing front matter: the file must start with a line '---'"]


def test_unclosed_front_matter_is_reported() -> None:
    parsed, problems = split("---\ntitle: A\n")
    assert parsed is None
    assert problems == [f"{PATH}:1: front matter is not closed: add a line '---' after it"]


def test_front_matter_that_is_not_a_mapping_is_reported() -> None:
    _, problems = split("---\n- title\n- date\n---\n")
    assert problems == [f"{PATH}:2: front matter must be 'key: value' lines"]


def test_non_text_key_is_reported() -> None:
    _, problems = split("---\ntitle: A\n2014: year\n---\n")
    assert problems == [f"{PATH}:3: front matter key 2014 must be a word"]


def test_empty_front_matter_is_no_values() -> None:
    parsed, problems = split("---\n---\nBody\n")
    assert problems == []
    assert parsed is not None
    assert parsed.values == {}


def test_horizontal_rule_in_the_body_stays_in_the_body() -> None:
    parsed, _ = split("---\ntitle: A\n---\nOne\n\n---\n\nTwo\n")
    assert parsed is not None
    assert parsed.values == {"title": "A"}
    assert "---" in parsed.body and "Two" in parsed.body


def test_yaml_nested_too_deeply_is_reported_not_a_crash() -> None:
    parsed, problems = split("---\ntitle: A\ntags: " + "[" * 5000 + "]" * 5000 + "\n---\n")
    assert parsed is None
    assert problems == [f"{PATH}:1: invalid YAML: nested too deeply"]
