"""Edit links.yaml in place: replace some ``url`` values, leave every other character alone.

The YAML is never re-serialised. The exact parser gives each URL scalar's character span;
the new value is written into that span in the scalar's own style (plain, 'single' or
"double" quoted), and the rest of the text (comments, blank lines, key order, indentation,
CRLF, a BOM, a missing final newline) is carried over untouched. Scalars that cannot be
edited that way (block scalars, values over several lines, tags or anchors) are skipped
with a reason, never mangled. The result is parsed again and validated before anyone may
write it: each edited scalar must read back as the new URL, in the same style.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml

from linkwatch.errors import ConfigError, WriteError
from linkwatch.listfile import config
from linkwatch.listfile.yamlsrc import Node, parse

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import date


_LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")  # every break YAML 1.1 knows
_NOT_IN_STYLE = "the new URL cannot be written in this quoting style; edit it by hand"
_FAST_LOADER: type[yaml.SafeLoader | yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A URL that was not rewritten, and why (said so a maintainer can fix it by hand)."""

    index: int  # in the ``links`` list
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class Rewrite:
    """The edited text, which links were edited, and which could not be."""

    text: str
    applied: tuple[int, ...]
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True, slots=True)
class _Edit:
    index: int
    node: Node
    replacement: str  # the new source characters of the scalar, quotes included
    new_url: str


def url_nodes(root: Node | None) -> dict[int, Node]:
    """The value node of every ``links[i].url``, by ``i``."""
    found: dict[int, Node] = {}
    if root is None or root.kind != "mapping":
        return found
    links = next((v for k, v in root.pairs if k.kind == "scalar" and k.value == "links"), None)
    if links is None or links.kind != "sequence":
        return found
    for index, entry in enumerate(links.items):
        if entry.kind != "mapping":
            continue
        for key, value in entry.pairs:
            if key.kind == "scalar" and key.value == "url":
                found[index] = value
    return found


def rewrite_urls(text: str, new_urls: Mapping[int, str], path: str = config.CONFIG_NAME) -> Rewrite:
    """Replace ``links[i].url`` with ``new_urls[i]`` in ``text``; pure, nothing is written.

    Raises ConfigError when ``text`` itself does not parse, and WriteError when the edited
    text would not be a valid links.yaml (then nothing must be written at all).
    """
    nodes = _locate(text, path)
    edits: list[_Edit] = []
    skipped: list[Skipped] = []
    for index, new_url in sorted(new_urls.items()):
        node = nodes.get(index)
        if node is None:
            skipped.append(Skipped(index, 0, f"links[{index}] has no url to rewrite"))
            continue
        reason = unsafe_reason(text, node)
        if reason is None and node.style is None and not plain_ok(new_url):
            reason = _NOT_IN_STYLE
        if reason is not None:
            skipped.append(Skipped(index, node.line, reason))
            continue
        edits.append(_Edit(index, node, render(node.style, new_url), new_url))
    before = {i: (n.value, n.style) for i, n in nodes.items()}
    new_text = _apply(text, edits)
    if edits and not _reads_back(new_text, before, edits, path):
        # Some value does not survive in its style (in flow context, say, where a comma ends
        # a plain scalar). Find which, one by one, and leave those alone.
        good = [e for e in edits if _reads_back(_apply(text, [e]), before, [e], path)]
        skipped.extend(Skipped(e.index, e.node.line, _NOT_IN_STYLE) for e in edits if e not in good)
        edits = good
        new_text = _apply(text, edits)
        if edits and not _reads_back(new_text, before, edits, path):
            raise WriteError(
                f"{path}: the edited URLs did not read back as written; nothing was written"
            )
    try:
        if edits:
            config.loads(new_text, path)
    except ConfigError as e:
        raise WriteError(
            f"{path}: the rewritten file would not be valid ({e.problems[0]}); nothing was written"
        ) from e
    return Rewrite(
        new_text,
        tuple(e.index for e in edits),
        tuple(sorted(skipped, key=lambda s: s.index)),
    )


def _locate(text: str, path: str) -> dict[int, Node]:
    """The url nodes with offsets exact into ``text``.

    libyaml is ~8x faster and its offsets are exact except after a BOM; the pure-Python
    parser is used when there is one, or when any url span does not line up with its value.
    """
    if not text.startswith("\ufeff"):
        nodes = url_nodes(parse(text, path))
        if all(_aligned(text, n) for n in nodes.values()):
            return nodes
    return url_nodes(parse(text, path, exact=True))


def _aligned(text: str, node: Node) -> bool:
    source = text[node.start : node.end]
    if node.kind != "scalar" or node.style in {"|", ">"}:
        return True  # never edited, so its offsets do not matter
    if node.style is None:
        return source == node.value or source.startswith(("!", "&"))
    return source[-1:] == node.style and source[:1] in {node.style, "!", "&"}


def unsafe_reason(text: str, node: Node) -> str | None:
    """Why this scalar cannot be edited in place, or None when it can."""
    if node.kind != "scalar":
        return f"the url is {node.type_name}, not text"
    if node.style in {"|", ">"}:
        return "the url is a block scalar (| or >); edit it by hand"
    source = text[node.start : node.end]
    if any(brk in source for brk in _LINE_BREAKS):
        return "the url is written over several lines; edit it by hand"
    if node.style is None:
        written_as_is = source == node.value
    elif node.style == "'":
        written_as_is = source[:1] == source[-1:] == "'" and len(source) >= 2
    elif node.style == '"':
        written_as_is = source[:1] == source[-1:] == '"' and len(source) >= 2
    else:
        written_as_is = False
    if not written_as_is:
        return "the url carries a YAML tag or anchor; edit it by hand"
    return None


def plain_ok(value: str) -> bool:
    """Whether ``value`` reads back as itself when written unquoted after ``key: ``.

    A cheap first check (plain text ending in ':' or holding ' #' is not itself); the
    whole file is still parsed again afterwards, which also covers flow context.
    """
    try:
        loaded = yaml.load(f"k: {value}\n", Loader=_FAST_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and loaded.get("k") == value


def render(style: str | None, value: str) -> str:
    """``value`` as scalar source text in ``style``; plain text is checked by reading it back."""
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == '"':
        return '"' + "".join(_escape(ch) for ch in value) + '"'
    return value


def _escape(ch: str) -> str:
    if ch in {"\\", '"'}:
        return "\\" + ch
    if ord(ch) < 0x20 or ord(ch) == 0x7F:
        return f"\\x{ord(ch):02x}"
    return ch


def _apply(text: str, edits: Iterable[_Edit]) -> str:
    """Splice the replacements in, last first, so earlier offsets stay valid."""
    for edit in sorted(edits, key=lambda e: e.node.start, reverse=True):
        text = text[: edit.node.start] + edit.replacement + text[edit.node.end :]
    return text


def _reads_back(
    text: str, before: Mapping[int, tuple[str, str | None]], edits: Iterable[_Edit], path: str
) -> bool:
    """Whether every url parses back as intended: edited ones new, the others as before."""
    try:
        # Only values and styles are compared here, so libyaml's offsets do not matter.
        nodes = url_nodes(parse(text, path))
    except ConfigError:
        return False
    expected = dict(before)
    expected.update((e.index, (e.new_url, e.node.style)) for e in edits)
    found = {i: (n.value, n.style) for i, n in nodes.items()}
    edited_are_text = all(
        nodes[e.index].tag == "tag:yaml.org,2002:str" for e in edits if e.index in nodes
    )
    return found == expected and edited_are_text


def _entries(root: Node | None) -> dict[int, Node]:
    """Every ``links[i]`` mapping node, by ``i``."""
    if root is None or root.kind != "mapping":
        return {}
    links = next((v for k, v in root.pairs if k.kind == "scalar" and k.value == "links"), None)
    if links is None or links.kind != "sequence":
        return {}
    return {i: entry for i, entry in enumerate(links.items) if entry.kind == "mapping"}


def set_reviewed(
    text: str, indexes: Iterable[int], day: date, path: str = config.CONFIG_NAME
) -> Rewrite:
    """Set ``links[i].reviewed`` to ``day`` for each ``i``; pure, nothing is written.

    An existing one-line ``reviewed:`` value is replaced in its own style; otherwise a
    ``reviewed:`` line is inserted after the entry's ``url`` line, at the keys' indentation.
    Entries written in flow style (``{...}``) are skipped with a reason. Raises WriteError
    when the result would not read back with exactly these dates.
    """
    entries = _entries(parse(text, path, exact=True))
    newline = "\r\n" if "\r\n" in text else "\n"
    written = day.isoformat()
    splices: list[tuple[int, int, str]] = []
    applied: list[int] = []
    skipped: list[Skipped] = []
    for index in sorted(set(indexes)):
        entry = entries.get(index)
        if entry is None or entry.flow:
            where = entry.line if entry is not None else 0
            skipped.append(
                Skipped(index, where, "the entry is not a block mapping; add it by hand")
            )
            continue
        keys = {k.value: (k, v) for k, v in entry.pairs if k.kind == "scalar"}
        if "reviewed" in keys:
            _, value = keys["reviewed"]
            reason = unsafe_reason(text, value)
            if reason is not None:
                skipped.append(Skipped(index, value.line, reason.replace("url", "reviewed date")))
                continue
            splices.append((value.start, value.end, render(value.style, written)))
        elif "url" in keys:
            key, value = keys["url"]
            end = text.find("\n", value.end)
            at = len(text) if end == -1 else end + 1
            lead = newline if end == -1 else ""
            added = f"{lead}{' ' * (key.column - 1)}reviewed: {written}{newline}"
            splices.append((at, at, added))
        else:
            skipped.append(Skipped(index, entry.line, "the entry has no url"))
            continue
        applied.append(index)
    new_text = text
    for start, end, replacement in sorted(splices, reverse=True):
        new_text = new_text[:start] + replacement + new_text[end:]
    if applied:
        try:
            after = config.loads(new_text, path)
            before = {link.index: link.reviewed for link in config.loads(text, path).links}
        except ConfigError as e:
            raise WriteError(
                f"{path}: setting reviewed: would make the file invalid ({e.problems[0]});"
                " nothing was written"
            ) from e
        expected = {i: (day if i in applied else d) for i, d in before.items()}
        if {link.index: link.reviewed for link in after.links} != expected:
            raise WriteError(f"{path}: the reviewed: dates did not read back; nothing was written")
    return Rewrite(new_text, tuple(applied), tuple(skipped))
