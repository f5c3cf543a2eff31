"""Build, preview and check the site: ``python build.py --help``."""

import os
import sys
from pathlib import Path

try:
    from byline.cli.main import main
except ModuleNotFoundError:
    # Editors run plain ``python build.py``: use the project's virtualenv when the
    # libraries are not installed in the interpreter they happened to start.
    venv_python = Path(__file__).resolve().parent / ".venv" / "bin" / "python"
    if venv_python.is_file() and Path(sys.executable).resolve() != venv_python.resolve():
        os.execv(venv_python, [str(venv_python), *sys.argv])
    raise

if __name__ == "__main__":
    sys.exit(main())
