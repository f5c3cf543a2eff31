"""The preview's request handling on any target and any Host header: an answer, never an exception or a leak."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from byline.preview.routes import allowed_hosts, host_allowed, resolve, respond
from byline.preview.state import State

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SEGMENT = st.text(max_size=12) | st.sampled_from(["..", ".", "%2e%2e", "a" * 256, "é" * 200, "index.html", ""])
TARGETS = st.lists(SEGMENT, max_size=6).map(lambda parts: "/" + "/".join(parts)) | st.text(max_size=40)


@FUZZ
@given(TARGETS)
def test_any_target_resolves_inside_the_folder_or_is_missing(tmp_path: Path, target: str) -> None:
    # Issue 16, defect 10: a name over 255 bytes raised out of resolve() and dropped the connection.
    folder = tmp_path / "site"
    (folder / "a").mkdir(parents=True, exist_ok=True)
    (folder / "a/index.html").write_text("<html>a</html>")
    found = resolve(folder, target)
    assert found.kind in ("file", "redirect", "missing")
    if found.path is not None:
        assert found.path.is_relative_to(folder.resolve())
    assert respond(State(token="t.1", attempt=1), folder, target).status in (200, 302, 404)


HOSTS = st.text(max_size=30) | st.sampled_from(
    ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "attacker.example:8000", "127.0.0.1.nip.io:8000"]
)


@FUZZ
@given(HOSTS)
def test_only_the_previews_own_names_are_answered(host: str) -> None:
    # Issue 16, defect 5: any Host was answered (DNS rebinding).
    own = {"localhost:8000", "127.0.0.1:8000", "[::1]:8000"}
    assert host_allowed(host, allowed_hosts("127.0.0.1", 8000), ("127.0.0.1", 8000)) == (host.strip().lower() in own)
