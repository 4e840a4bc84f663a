"""Read a YAML file safely into plain nodes that remember where they stand.

PyYAML's own composer is recursive and expands aliases on construction, so a hostile
file can exhaust the stack or memory (the "billion laughs"). This module builds nodes
from the parser's *event stream* instead: iteratively, with a depth limit, refusing
aliases outright, and reporting duplicate keys that PyYAML would silently drop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

import yaml

from linkwatch.errors import ConfigError, Problem

if TYPE_CHECKING:
    from pathlib import Path

MAX_FILE_BYTES = 32 * 1024 * 1024  # a 20,000-link directory with notes is ~5 MB
MAX_DEPTH = 32  # links.yaml needs 4 levels; anything deeper is a mistake or an attack

Kind = Literal["scalar", "sequence", "mapping"]


@dataclass(slots=True, eq=False)
class Node:
    """A YAML node: a scalar with its resolved tag, a list of nodes, or key/value pairs."""

    kind: Kind
    line: int  # 1-based
    column: int  # 1-based
    tag: str = ""
    value: str = ""  # scalars only
    style: str | None = None  # scalars only: None (plain), "'", '"', "|", ">"
    start: int = 0  # character offsets into the text (exact with the pure-Python parser)
    end: int = 0
    flow: bool = False  # collections: written in flow style, [..] or {..}
    items: list[Node] = field(default_factory=list)  # sequences
    pairs: list[tuple[Node, Node]] = field(default_factory=list)  # mappings

    @property
    def type_name(self) -> str:
        """What a user would call this node's type, for messages."""
        if self.kind != "scalar":
            return "a list" if self.kind == "sequence" else "a mapping"
        return _TAG_NAMES.get(self.tag, "a string")


_TAG_NAMES = {
    "tag:yaml.org,2002:null": "null (an empty value)",
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:int": "an integer",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:str": "a string",
}

_RESOLVER = yaml.resolver.Resolver()
# Explicit tags a person may reasonably write (`!!str 2019`); anything else (`!!python/...`,
# custom `!tags`) has no meaning in links.yaml.
_PLAIN_TAGS = frozenset({*_TAG_NAMES, "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})


def read_text(path: Path, shown: str | None = None) -> str:
    """Read a UTF-8 text file, turning every way it can fail into a ConfigError."""
    name = shown or str(path)

    def fail(message: str) -> ConfigError:
        return ConfigError([Problem(name, None, None, "", message)])

    try:
        if path.is_dir():
            raise fail("is a directory, not a file; give the path of a links.yaml file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise fail(f"is {size:,} bytes, {_over_limit()}")
        with path.open("rb") as stream:
            # Read one byte past the limit, in case the file grew after stat (or is a pipe).
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as e:
        raise fail("no such file; check the path, or run `linkwatch init` to create one") from e
    except PermissionError as e:
        raise fail("cannot be read (permission denied); check the file's permissions") from e
    except IsADirectoryError as e:
        raise fail("is a directory, not a file; give the path of a links.yaml file") from e
    except OSError as e:
        raise fail(f"cannot be read: {os.strerror(e.errno or 0) or e}") from e
    if len(data) > MAX_FILE_BYTES:
        raise fail(f"is larger than it was a moment ago, {_over_limit()}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise ConfigError(
            [
                Problem(
                    name,
                    line,
                    column,
                    "",
                    f"is not valid UTF-8 (byte 0x{data[e.start]:02x}); save the file as UTF-8",
                )
            ]
        ) from e


def _over_limit() -> str:
    return f"over the limit of {MAX_FILE_BYTES:,} bytes; split the list into several files"


def parse(text: str, path: str, *, exact: bool = False) -> Node | None:
    """Parse one YAML document into nodes; None for an empty document.

    ``exact`` uses the pure-Python parser, whose character offsets are exact even with a
    byte-order mark; otherwise the faster libyaml parser is used when available.
    """
    loader: type[yaml.SafeLoader | yaml.CSafeLoader] = yaml.SafeLoader
    if not exact and getattr(yaml, "__with_libyaml__", False):
        loader = yaml.CSafeLoader
    try:
        return _compose(yaml.parse(text, Loader=loader), path)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        message = " ".join(p for p in (e.context, e.problem) if p) or "invalid YAML"
        if e.context_mark is not None and e.problem_mark is not None and e.context:
            message = f"{e.problem} ({e.context} at line {e.context_mark.line + 1})"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise ConfigError([Problem(path, line, column, "", f"YAML syntax error: {message}")]) from e
    except yaml.YAMLError as e:
        raise ConfigError([Problem(path, None, None, "", f"YAML error: {e}")]) from e


class _Mark(Protocol):
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def index(self) -> int: ...


@dataclass(frozen=True, slots=True)
class _Start:
    line: int = 0
    column: int = 0
    index: int = 0


_NO_MARK: Final = _Start()


def _mark(event: Any, which: str = "start_mark") -> _Mark:  # noqa: ANN401 - PyYAML's events are untyped
    found = getattr(event, which, None)
    return found if found is not None else _NO_MARK


def _problem(path: str, mark: _Mark, message: str) -> ConfigError:
    return ConfigError([Problem(path, mark.line + 1, mark.column + 1, "", message)])


# Shared by every scalar node: scalars have no children, and two empty lists per scalar are
# a fifth of a large list's parse (about 10 MB at 20,000 links). Only collections' own
# lists are ever appended to.
_NO_ITEMS: Final[list[Node]] = []
_NO_PAIRS: Final[list[tuple[Node, Node]]] = []


def _compose(events: object, path: str) -> Node | None:
    """Build nodes from parser events without recursion."""
    root: Node | None = None
    # Open collections, each with its pending key and the keys seen so far (mappings).
    stack: list[tuple[Node, list[Node], dict[str, Node]]] = []
    duplicates: list[Problem] = []
    documents = 0
    for event in events:  # type: ignore[attr-defined]
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _problem(
                    path,
                    _mark(event),
                    "more than one YAML document (a second '---'); keep one document per file",
                )
            continue
        if isinstance(event, yaml.AliasEvent):
            raise _problem(
                path,
                _mark(event),
                f"YAML alias '*{event.anchor}' is not allowed in links.yaml;"
                " write the value out in full",
            )
        node: Node | None = None
        explicit = getattr(event, "tag", None)
        if explicit not in (None, "!") and explicit not in _PLAIN_TAGS:
            raise _problem(
                path,
                _mark(event),
                f"YAML tag '{explicit}' is not allowed in links.yaml; remove it",
            )
        if isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = str(_RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit))  # type: ignore[no-untyped-call]
            node = Node(
                "scalar",
                _mark(event).line + 1,
                _mark(event).column + 1,
                tag=tag,
                value=event.value,
                style=event.style or None,
                start=_mark(event).index,
                end=_mark(event, "end_mark").index,
                items=_NO_ITEMS,
                pairs=_NO_PAIRS,
            )
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise _problem(path, _mark(event), f"nested more than {MAX_DEPTH} levels deep")
            kind: Kind = "sequence" if isinstance(event, yaml.SequenceStartEvent) else "mapping"
            collection = Node(
                kind,
                _mark(event).line + 1,
                _mark(event).column + 1,
                start=_mark(event).index,
                flow=bool(getattr(event, "flow_style", False)),
            )
            stack.append((collection, [], {}))
            continue
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            node, _pending, _seen = stack.pop()
            node.end = _mark(event, "end_mark").index
        else:
            continue
        if not stack:
            root = node
            continue
        parent, pending, seen = stack[-1]
        if parent.kind == "sequence":
            parent.items.append(node)
        elif not pending:
            pending.append(node)
        else:
            key = pending.pop()
            if key.kind == "scalar":
                first = seen.setdefault(key.value, key)
                if first is not key:
                    duplicates.append(
                        Problem(
                            path,
                            key.line,
                            key.column,
                            "",
                            f"duplicate key '{key.value}' (first at line {first.line});"
                            " keep only one",
                        )
                    )
            parent.pairs.append((key, node))
    if duplicates:
        raise ConfigError(duplicates)
    return root
