"""Run the Nu HTML Checker (the npm package ``vnu-jar``, installed by scripts/install-test-deps) on files."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT

VNU_JAR = ROOT / "tests/js/node_modules/vnu-jar/build/dist/vnu.jar"


NuChecker = Callable[[list[Path], Path], list[dict[str, Any]]]


def nu_messages(files: list[Path], base: Path) -> list[dict[str, Any]]:
    """The checker's messages for ``files`` (one JVM for all), each with ``file`` relative to ``base``."""
    java = shutil.which("java")
    assert java, "Java is needed for the Nu HTML Checker: run scripts/install-test-deps"
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: run scripts/install-test-deps (npm ci --prefix tests/js)"
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
        message["file"] = Path(url.removeprefix("file:")).relative_to(base).as_posix() if url else "?"
    return messages


def errors_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m.get("type") in ("error", "non-document-error")]


def describe(message: dict[str, Any]) -> str:
    line = message.get("lastLine") or message.get("firstLine") or 0
    return f"{message['file']}:{line}: {message.get('message', '').strip()}"
