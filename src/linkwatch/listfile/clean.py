"""``linkwatch clean``: which URLs carry tracking parameters, and links.yaml without them.

``plan`` is pure (text in, plain data out); ``load_plan`` reads a file and ``write`` puts
the cleaned bytes in place atomically. Formatting the changes is a pure function too, so
the CLI only chooses streams and exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from linkwatch import urls
from linkwatch.listfile import config, fileio, rewrite
from linkwatch.listfile.yamlsrc import read_text

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True, slots=True)
class Change:
    """One URL that loses tracking parameters."""

    index: int  # in the ``links`` list
    line: int  # 1-based line of the url value
    old: str
    new: str
    removed: tuple[str, ...]
    skipped: str | None = None  # why the file cannot be edited here; None when it can


@dataclass(frozen=True, slots=True)
class CleanPlan:
    """Everything ``clean`` found in one file, and the file's bytes before and after."""

    path: str  # as shown to the user
    changes: tuple[Change, ...]
    original: bytes
    updated: bytes  # equals ``original`` when nothing can be rewritten

    @property
    def writable(self) -> tuple[Change, ...]:
        """The changes ``--write`` makes."""
        return tuple(c for c in self.changes if c.skipped is None)

    @property
    def stuck(self) -> tuple[Change, ...]:
        """The changes that must be made by hand."""
        return tuple(c for c in self.changes if c.skipped is not None)


def plan(text: str, path: str = config.CONFIG_NAME) -> CleanPlan:
    """Find every URL with tracking parameters and rewrite the text without them.

    Raises ConfigError when the text is not a valid links.yaml.
    """
    cfg = config.loads(text, path)
    found: dict[int, tuple[str, tuple[str, ...]]] = {}
    for link in cfg.links:
        cleaned, removed = urls.strip_tracking(link.url, cfg.defaults.tracking, link.keep_params)
        if removed:
            found[link.index] = (cleaned, removed)
    result = rewrite.rewrite_urls(text, {i: new for i, (new, _) in found.items()}, path)
    why = {s.index: s.reason for s in result.skipped}
    changes = tuple(
        Change(
            index=link.index,
            line=link.url_line,
            old=link.url,
            new=found[link.index][0],
            removed=found[link.index][1],
            skipped=why.get(link.index),
        )
        for link in cfg.links
        if link.index in found
    )
    original = text.encode("utf-8")
    updated = result.text.encode("utf-8") if result.applied else original
    return CleanPlan(path, changes, original, updated)


def load_plan(path: Path, shown: str | None = None) -> CleanPlan:
    """Read a links.yaml and plan its cleaning (raises ConfigError)."""
    name = shown or str(path)
    # A strict UTF-8 decode round-trips exactly, so ``original`` is the file's bytes.
    return plan(read_text(path, name), name)


def write(cleaned: CleanPlan, path: Path) -> None:
    """Put the cleaned file in place, unless it changed since it was read (raises WriteError)."""
    if cleaned.updated != cleaned.original:
        fileio.write_atomic(path, cleaned.updated, cleaned.original, shown=cleaned.path)


def clean_file(path: Path | None, cwd: Path, *, write_back: bool = False) -> CleanPlan:
    """``clean`` on one file: ``path``, else ./links.yaml, else (read-only) the bundled list.

    With ``write_back`` the cleaned file replaces the original atomically; the bundled list
    is refused (UsageError). Raises ConfigError for a bad file, WriteError when it cannot be
    written.
    """
    if write_back:
        resolved, shown = config.editable_path(path, cwd)
    else:
        resolved, embedded = config.resolve_path(path, cwd)
        shown = str(path) if path is not None else str(resolved if embedded else config.CONFIG_NAME)
    cleaned = load_plan(resolved, shown)
    if write_back:
        write(cleaned, resolved)
    return cleaned


# -------------------------------------------------------------------------- formatting
def format_change(change: Change, path: str) -> str:
    """``links.yaml:23: old → new (removed: gclid)``, plus why when it cannot be written."""
    removed = ", ".join(change.removed)
    line = f"{path}:{change.line}: {change.old} \u2192 {change.new} (removed: {removed})"
    if change.skipped is not None:
        line += f"; not rewritten: {change.skipped}"
    return line


def format_changes(cleaned: CleanPlan) -> str:
    """Every change in the file, one per line; empty when there is none."""
    return "\n".join(format_change(c, cleaned.path) for c in cleaned.changes)


def summary(cleaned: CleanPlan, *, wrote: bool) -> str:
    """One line on what was (or would be) done to the file."""
    path = cleaned.path
    if not cleaned.changes:
        return f"{path}: no tracking parameters"
    stuck = len(cleaned.stuck)
    by_hand = f"; {_urls(stuck)} must be edited by hand" if stuck else ""
    if wrote:
        return f"{path}: cleaned {_urls(len(cleaned.writable))}{by_hand}"
    fix = "; `linkwatch clean --write` removes them" if cleaned.writable else ""
    return f"{path}: {_urls(len(cleaned.changes))} with tracking parameters{fix}{by_hand}"


def _urls(count: int) -> str:
    return f"{count} URL{'s' if count != 1 else ''}"
