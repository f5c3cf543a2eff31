"""No module of byline/ uses another package's private names: what import-linter cannot check.

A package is a subpackage (``byline.content``, with everything under it) or a module
directly in byline/ (``byline.urls``). Within one, ``_name`` is shared freely.
"""

from __future__ import annotations

import ast
from pathlib import Path

import byline

BYLINE = Path(byline.__file__).parent


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _package(module: str) -> str:
    """``byline.output.search.bundle`` -> ``byline.output``; ``byline.urls`` -> itself."""
    return ".".join(module.split(".")[:2])


def _is_module(dotted: str) -> bool:
    relative = BYLINE.parent.joinpath(*dotted.split("."))
    return relative.with_suffix(".py").is_file() or (relative / "__init__.py").is_file()


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The module an ``from X import ...`` names, with relative imports resolved."""
    if node.level == 0:
        return node.module or ""
    parts = module.split(".")
    base = parts[: len(parts) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def private_uses(source: str, module: str, is_package: bool = False) -> list[str]:
    """Each use in ``source`` (the code of ``module``) of another package's private name, as 'line: name'."""
    own = _package(module)
    found: list[str] = []
    modules: dict[str, str] = {}  # local name -> the byline module it is bound to

    def note(line: int, dotted: str) -> None:
        if dotted.startswith("byline.") and _package(dotted) != own:
            found.append(f"{line}: {dotted}")

    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if any(_is_private(part) for part in parts):
                    note(node.lineno, alias.name)
                if alias.asname:
                    modules[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            origin = _absolute(node, module, is_package)
            if any(_is_private(part) for part in origin.split(".")):
                note(node.lineno, origin)
            for alias in node.names:
                dotted = f"{origin}.{alias.name}"
                if _is_private(alias.name):
                    note(node.lineno, dotted)
                elif _is_module(dotted):
                    modules[alias.asname or alias.name] = dotted
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and _is_private(node.attr):
            bound = modules.get(node.value.id)
            if bound is not None:
                note(node.lineno, f"{bound}.{node.attr}")
    return found


def test_no_module_of_byline_uses_another_packages_private_names() -> None:
    paths = sorted(BYLINE.rglob("*.py"))
    assert BYLINE / "output" / "search" / "indexer.py" in paths
    problems = []
    for path in paths:
        relative = path.relative_to(BYLINE.parent).with_suffix("")
        is_package = relative.name == "__init__"
        module = ".".join(relative.parts[:-1] if is_package else relative.parts)
        problems += [f"{module}:{use}" for use in private_uses(path.read_text("utf-8"), module, is_package)]
    assert problems == []


def test_another_packages_private_name_is_found_however_it_is_reached() -> None:
    source = "\n".join(
        [
            "from byline.content.load import _slugs",  # 1: a private function
            "from byline.state import _codec",  # 2: a private module, by from-import
            "import byline.state._codec",  # 3: the same, imported whole
            "from byline.state import cache",  # 4: a public module ...
            "cache._decode_model(None, None)",  # 5: ... and a private name read through it
            "import byline.urls as urls",  # 6
            "urls._slugify('x')",  # 7
            "from ..content.load import _slugs as slugs",  # 8: relative
        ]
    )
    found = private_uses(source, "byline.output.views")
    assert found == [
        "1: byline.content.load._slugs",
        "2: byline.state._codec",
        "3: byline.state._codec",
        "8: byline.content.load._slugs",
        "5: byline.state.cache._decode_model",
        "7: byline.urls._slugify",
    ]


def test_private_names_are_shared_within_a_package() -> None:
    source = "\n".join(
        [
            "from byline.output.search.indexer import _index_shard",
            "from byline.output import plan",
            "plan._Planner",
            "from . import _helpers",
            "from byline import __version__",
            "import byline.content.load",
        ]
    )
    assert private_uses(source, "byline.output.views") == []
