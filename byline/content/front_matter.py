"""Split a content file into front matter and body, keeping each key's line number for messages.

YAML is read safely: dates stay text for ``dates`` to parse, aliases are refused and duplicate keys reported.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler
from yaml.constructor import SafeConstructor

from byline.errors import ContentError

_HANDLER = YAMLHandler()


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver and without aliases."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # types-PyYAML leaves it unannotated
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in front matter", event.start_mark
            )
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # libyaml or not: known at run time
    """libyaml's parser, for speed, with the same resolvers; aliases are checked after."""


_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def _compose(text: str) -> tuple[_Loader | _FastLoader, yaml.Node | None]:
    """Compose with libyaml; for errors and aliases, re-run the pure loader for its messages."""
    if yaml.__with_libyaml__:
        fast = _FastLoader(text)
        try:
            node = fast.get_single_node()
            if not _has_alias(node):
                return fast, node
        except yaml.YAMLError:
            pass
        fast.dispose()
    loader = _Loader(text)
    return loader, loader.get_single_node()


def _has_alias(root: yaml.Node | None) -> bool:
    """An alias composes to the very node its anchor made: look for a node seen twice."""
    seen: set[int] = set()
    pending = [root] if root is not None else []
    while pending:
        node = pending.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            pending.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
    return False


@dataclass
class FrontMatter:
    """Parsed front matter: values, each key's 1-based line, and where the body starts."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1


def split_front_matter(path: str, text: str) -> tuple[FrontMatter | None, list[ContentError]]:
    """Parse ``text`` (already decoded) into front matter and body, or report why not."""
    if not _HANDLER.detect(text):
        return None, [ContentError(path, 1, "missing front matter: the file must start with a line '---'")]
    try:
        fm_text, body = _HANDLER.split(text)
    except ValueError:
        return None, [ContentError(path, 1, "front matter is not closed: add a line '---' after it")]
    opening = _HANDLER.FM_BOUNDARY.match(text)
    assert opening is not None  # detect() matched it
    first_line = text.count("\n", 0, opening.end()) + 1  # file line of the YAML text's line 0
    body_offset = len(text) - len(body)
    # The body begins with the newline that ends the closing fence: its first line is the next.
    body_line = text.count("\n", 0, body_offset) + 1 + body.startswith("\n")
    parsed = FrontMatter(body=body, body_line=body_line)
    try:
        loader, node = _compose(fm_text)
        try:
            problems = _read_mapping(path, loader, node, first_line, parsed)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        return None, [ContentError(path, line, f"invalid YAML: {_explain(exc, first_line, line)}")]
    except yaml.YAMLError as exc:  # errors without a position
        return None, [ContentError(path, first_line, f"invalid YAML: {exc}")]
    except RecursionError:  # thousands of nested [ or {: PyYAML composes recursively
        return None, [ContentError(path, first_line, "invalid YAML: nested too deeply")]
    return parsed, problems


def _explain(exc: yaml.MarkedYAMLError, first_line: int, line: int) -> str:
    """PyYAML's problem first, then where the unfinished thing began (an unclosed quote...)."""
    reason = str(exc.problem or exc.context or "cannot be read")
    for stream_end in ("unexpected end of stream", "'<stream end>'"):
        reason = reason.replace(stream_end, "the end of the front matter")
    if exc.context and exc.problem:
        where = exc.context
        if exc.context_mark is not None and first_line + exc.context_mark.line != line:
            where += f" that started on line {first_line + exc.context_mark.line}"
        reason += f" ({where})"
    return reason


# PyYAML's constructors fail in their own ways on values the scanner let through: a
# 5000-digit number (ValueError), '!!timestamp 2020-13-45' (ValueError), '!!timestamp x'
# (AttributeError), '!!bool x' (KeyError), an empty '!!int' (IndexError).
_CONSTRUCTION_ERRORS = (ValueError, OverflowError, LookupError, AttributeError, TypeError)


def _unreadable(node: yaml.Node, exc: Exception) -> str:
    """'cannot be read as timestamp', with Python's reason when it is one a person can use."""
    kind = str(node.tag).rsplit(":", 1)[-1]
    reason = f": {exc}" if type(exc) in (ValueError, OverflowError) and str(exc) else ""
    return f"cannot be read as {kind}{reason}"


def _read_mapping(
    path: str, loader: SafeConstructor, node: yaml.Node | None, first_line: int, parsed: FrontMatter
) -> list[ContentError]:
    if node is None:
        return []  # an empty front matter block
    if not isinstance(node, yaml.MappingNode):
        line = first_line + node.start_mark.line
        return [ContentError(path, line, "front matter must be 'key: value' lines")]
    problems = []
    for key_node, value_node in node.value:
        line = first_line + key_node.start_mark.line
        try:
            key = loader.construct_object(key_node, deep=True)
        except _CONSTRUCTION_ERRORS as exc:
            problems.append(ContentError(path, line, f"front matter key {_unreadable(key_node, exc)}"))
            continue
        if not isinstance(key, str) or not key.isprintable():  # a key with a newline would split the message
            problems.append(ContentError(path, line, f"front matter key {key!r} must be a word"))
            continue
        if key in parsed.values:
            problems.append(ContentError(path, line, f"duplicate key '{key}' (first set on line {parsed.lines[key]})"))
            continue
        try:
            parsed.values[key] = loader.construct_object(value_node, deep=True)
        except _CONSTRUCTION_ERRORS as exc:
            problems.append(ContentError(path, line, f"the value of '{key}' {_unreadable(value_node, exc)}"))
            continue
        # Interned, so every file's "title" is one string, in the cache too: marshal keeps them interned.
        parsed.lines[sys.intern(key)] = line
        if isinstance(value_node, yaml.SequenceNode):
            for index, item in enumerate(value_node.value):
                parsed.lines[sys.intern(f"{key}[{index}]")] = first_line + item.start_mark.line
    return problems
