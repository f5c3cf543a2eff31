"""The command line: ``python build.py`` and its commands."""

from byline.cli.main import main

__all__ = ["main"]
