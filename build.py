"""Build, preview and check the site: ``python build.py --help``.

Editors run plain ``python build.py`` with whatever Python they have: when it lacks
Byline's libraries (or is older than 3.11), the command runs again in the project's
.venv, which ``make site`` creates. Written for any Python 3, so even an old one gets
that far.
"""

import os
import sys
from importlib.util import find_spec

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")
# The import names of pyproject.toml's dependencies (tests/cli/test_entry_point.py keeps them in step).
REQUIRED_MODULES = (
    "jinja2",
    "markdown",
    "frontmatter",
    "watchdog",
    "nh3",
    "slugify",
    "yaml",
    "tzdata",
    "PIL",
    "pagefind",
    "cbor2",
)
EXIT_USAGE = 2
RUN_AGAIN = "BYLINE_IN_VENV"


def missing_modules() -> "list[str]":  # quoted: an old Python reads this file too
    """The required modules this interpreter cannot import (looked up, not imported)."""
    return [name for name in REQUIRED_MODULES if find_spec(name) is None]


def use_the_virtualenv() -> None:
    """Run again in .venv when this Python cannot run Byline; say what to do when there is none."""
    old = sys.version_info < (3, 11)
    missing = [] if old else missing_modules()
    if not old and not missing:
        os.environ.pop(RUN_AGAIN, None)  # what this process starts (a build's workers) need not know
        return
    python = os.path.join(VENV, "bin", "python")
    inside = os.path.realpath(sys.prefix) == os.path.realpath(VENV) or RUN_AGAIN in os.environ
    if os.path.isfile(python) and not inside:
        os.environ[RUN_AGAIN] = "1"  # never twice: a .venv that cannot run Byline either is reported below
        os.execv(python, [python, os.path.abspath(__file__), *sys.argv[1:]])
    version = ".".join(str(n) for n in sys.version_info[:2])
    if inside and old:
        problem = ".venv has Python " + version + ", Byline needs 3.11 or newer: delete .venv and run 'make site'"
    elif inside:
        problem = ".venv lacks " + ", ".join(missing) + ": delete .venv and run 'make site' to install them again"
    elif old:
        problem = "Byline needs Python 3.11 or newer (this is " + version + ") and there is no .venv: run 'make site'"
    else:
        problem = "this Python (" + sys.executable + ") lacks Byline's libraries and there is no .venv: run 'make site'"
    sys.stderr.write("error: " + problem + "\n")
    sys.exit(EXIT_USAGE)


if __name__ == "__main__":
    use_the_virtualenv()
    from byline.cli.main import main

    sys.exit(main())
