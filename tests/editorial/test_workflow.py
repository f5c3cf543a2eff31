"""The publishing workflow (.github/workflows/publish.yml): valid YAML that builds, caches and schedules."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
QUARTER_HOURLY = "*/15 * * * *"


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as true


def steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    return workflow["jobs"][job]["steps"]


def step_running(workflow: dict[str, Any], job: str, command: str) -> dict[str, Any]:
    return next(s for s in steps(workflow, job) if command in s.get("run", ""))


def test_it_builds_on_push_to_main_on_a_schedule_and_on_demand(workflow: dict[str, Any]) -> None:
    on = triggers(workflow)
    assert on["push"] == {"branches": ["main"]}
    assert [s["cron"] for s in on["schedule"]] == [QUARTER_HOURLY, "17 4 * * *"]
    assert "workflow_dispatch" in on


def test_every_job_step_is_well_formed(workflow: dict[str, Any]) -> None:
    for name, job in workflow["jobs"].items():
        assert job["runs-on"] == "ubuntu-latest", name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:
                assert re.fullmatch(r"[\w-]+/[\w/-]+@v\d+", step["uses"]), step["uses"]


def test_the_build_cache_is_kept_between_runs(workflow: dict[str, Any]) -> None:
    for job in ("publish", "check"):
        cache = next(s for s in steps(workflow, job) if s.get("uses", "").startswith("actions/cache"))
        assert cache["with"]["path"] == ".byline-cache/"
        assert cache["with"]["key"] == "byline-cache-${{ github.run_id }}"  # a new entry per run...
        assert cache["with"]["restore-keys"] == "byline-cache-"  # ...restored from the latest
    assert next(s for s in steps(workflow, "publish") if "cache" in s.get("uses", ""))["uses"] == "actions/cache@v4"


def test_publish_builds_with_python_3_11_and_deploys_the_output(workflow: dict[str, Any]) -> None:
    setup = next(s for s in steps(workflow, "publish") if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "3.11"
    assert step_running(workflow, "publish", "python build.py")["run"] == "python build.py --output public"
    upload = next(s for s in steps(workflow, "publish") if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "public"
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_pull_requests_are_checked_strictly(workflow: dict[str, Any]) -> None:
    assert workflow["jobs"]["check"]["if"] == "github.event_name == 'pull_request'"
    assert step_running(workflow, "check", "--strict")["run"] == "python build.py check --strict"


def due(tmp_path: Path, workflow: dict[str, Any], event: str, schedule: str, marker: object) -> str:
    """Run the workflow's own 'Is a build due?' script against a marker file; return its answer."""
    script = re.search(r"<<'PY'\n(.*?)\n\s*PY\n", step_running(workflow, "publish", "GITHUB_OUTPUT")["run"], re.S)
    assert script is not None
    marker_path = tmp_path / "byline.json"
    marker_path.unlink(missing_ok=True)
    if marker is not None:
        marker_path.write_text(json.dumps(marker))
    output = tmp_path / "github_output"
    output.write_text("")
    env = {
        "EVENT": event,
        "SCHEDULE": schedule,
        "MARKER_URL": marker_path.as_uri(),
        "GITHUB_OUTPUT": str(output),
    }
    result = subprocess.run(
        [sys.executable, "-c", script.group(1)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return output.read_text()


def test_quarter_hourly_run_builds_only_when_an_article_is_due(tmp_path: Path, workflow: dict[str, Any]) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=3)).isoformat(timespec="seconds")
    future = (datetime.now(UTC) + timedelta(hours=3)).isoformat(timespec="seconds")
    assert due(tmp_path, workflow, "schedule", QUARTER_HOURLY, {"next_build_at": past}) == "due=true\n"
    assert due(tmp_path, workflow, "schedule", QUARTER_HOURLY, {"next_build_at": future}) == "due=false\n"
    assert due(tmp_path, workflow, "schedule", QUARTER_HOURLY, {"generator": "Byline"}) == "due=false\n"
    assert due(tmp_path, workflow, "schedule", QUARTER_HOURLY, None) == "due=true\n"  # unreadable: build to be safe


def test_pushes_and_the_daily_run_always_build(tmp_path: Path, workflow: dict[str, Any]) -> None:
    future = {"next_build_at": (datetime.now(UTC) + timedelta(hours=3)).isoformat()}
    assert due(tmp_path, workflow, "push", "", future) == "due=true\n"
    assert due(tmp_path, workflow, "schedule", "17 4 * * *", future) == "due=true\n"
    assert due(tmp_path, workflow, "workflow_dispatch", "", future) == "due=true\n"
