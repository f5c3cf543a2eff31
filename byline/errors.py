"""Content problems as data: collected across a whole run, reported as ``path:line: message``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in one file; ``line`` is 1-based, 0 when no line applies."""

    path: str
    line: int
    message: str
    severity: Severity = "error"

    def format(self) -> str:
        """Render as the contract's ``path:line: message``."""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"


class BuildFailed(Exception):
    """Raised by a stage when content problems stop the build; carries every problem found."""

    def __init__(self, errors: Iterable[ContentError]):
        self.errors = sorted(set(errors))
        super().__init__("\n".join(e.format() for e in self.errors))


class UsageError(Exception):
    """A mistake in how Byline was invoked (bad option, unsafe output folder): exit status 2."""


class EnvironmentFailure(UsageError):
    """The machine, not the content, stopped a build (a full disk, a read-only folder, no permission): exit status 2."""


def only_errors(problems: Iterable[ContentError]) -> list[ContentError]:
    """Keep the problems that stop a build, dropping warnings."""
    return [p for p in problems if p.severity == "error"]
