"""The loader never raises: every input becomes a model or `path:line: message` problems."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from byline.content.models import Article, Author, Page, Unfinished
from tests.fuzz.strategies import PROBLEM, front_matter, markdown_text, yaml_front_matter, yaml_text
from tests.helpers import load_text

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS = st.sampled_from(["article", "author", "page"])


def assert_well_formed(text: bytes, kind: str) -> None:
    model, problems = load_text(text, kind)  # type: ignore[arg-type]
    lines = text.count(b"\n") + 1
    for problem in problems:
        assert PROBLEM.match(problem.format()), problem.format()
        assert 0 <= problem.line <= lines + 1, (problem, lines)
    errors = [p for p in problems if p.severity == "error"]
    assert (model is None or isinstance(model, Unfinished)) == bool(errors)
    if isinstance(model, Unfinished):
        assert model.kind == kind
    elif model is not None:
        assert isinstance(model, {"article": Article, "author": Author, "page": Page}[kind])


@FUZZ
@given(st.binary(max_size=600), KINDS)
def test_random_bytes(data: bytes, kind: str) -> None:
    assert_well_formed(data, kind)


@FUZZ
@given(st.binary(max_size=300), KINDS)
def test_random_bytes_after_a_front_matter_fence(data: bytes, kind: str) -> None:
    assert_well_formed(b"---\n" + data + b"\n---\nbody\n", kind)


@FUZZ
@given(front_matter, markdown_text, KINDS)
def test_random_front_matter_values_and_types(values: dict[object, object], body: str, kind: str) -> None:
    assert_well_formed(f"---\n{yaml_front_matter(values)}---\n{body}\n".encode(), kind)


@FUZZ
@given(front_matter)
def test_required_keys_with_random_other_values(values: dict[object, object]) -> None:
    base = {"title": "Quayside opens", "date": "2026-03-01 09:00", "author": "simon-malia", **values}
    assert_well_formed(f"---\n{yaml_front_matter(base)}---\nBody.\n".encode(), "article")


@FUZZ
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_random_unicode_front_matter_text(text: str) -> None:
    assert_well_formed(f"---\ntitle: {text}\ndate: 2026-03-01\nauthor: a\n---\n{text}\n".encode(), "article")


@FUZZ
@given(yaml_text, KINDS)
def test_random_yaml_tags_anchors_and_scalars(text: str, kind: str) -> None:
    assert_well_formed(f"---\n{text}\n---\nBody.\n".encode(), kind)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!bool x", "the value of 'x' cannot be read as bool"),
        ("!!int", "the value of 'x' cannot be read as int"),
        ("!!timestamp x", "the value of 'x' cannot be read as timestamp"),
        ("!!timestamp 2020-13-45", "the value of 'x' cannot be read as timestamp: month must be in 1..12"),
        ("1" + "0" * 5000, "the value of 'x' cannot be read as int: Exceeds the limit (4300 digits) for integer"
         " string conversion: value has 5001 digits; use sys.set_int_max_str_digits() to increase the limit"),
    ],
    ids=["bool", "empty-int", "bad-timestamp", "impossible-date", "5001-digits"],
)  # fmt: skip
def test_values_yaml_cannot_construct_are_problems_on_their_line(value: str, message: str) -> None:
    """Found by fuzzing: PyYAML's constructors raised KeyError, IndexError, AttributeError, ValueError."""
    _, problems = load_text(f"---\ntitle: T\ndate: 2026-03-01\nauthor: a\nx: {value}\n---\nBody.\n")
    assert [p.format() for p in problems] == [f"content/articles/a.md:5: {message}"]
