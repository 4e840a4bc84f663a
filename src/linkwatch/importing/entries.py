"""`linkwatch import`: read a document, find its links, and add the new ones to links.yaml."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, assert_never

from linkwatch import urls
from linkwatch.errors import ConfigError, Problem
from linkwatch.importing import documents as importer
from linkwatch.listfile import config, fileio
from linkwatch.listfile.yamlsrc import MAX_FILE_BYTES, Node, parse, read_text
from linkwatch.report.neutralise import clean

if TYPE_CHECKING:
    from datetime import date

    from linkwatch.importing.documents import Candidate, Skipped
    from linkwatch.importing.webpage import Page
    from linkwatch.models import TrackingSettings


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import would add, and to which file."""

    target: Path
    target_shown: str
    original: bytes | None  # the target's bytes as read; None when it does not exist yet
    entries: tuple[Candidate, ...]
    already: tuple[str, ...]  # URLs skipped because the list has them, with their line (shown safe)
    skipped: tuple[Skipped, ...]  # links that cannot be entries (in-page, relative, mailto:, ...)
    source: str  # what each entry's `source:` says
    reviewed: date | None = None  # each entry's `reviewed:` (the person importing vets them)


def read_document(path: Path) -> str:
    """The source document as text; errors name the file and say what is wrong."""
    shown = str(path)
    try:
        if path.is_dir():
            raise ConfigError([Problem(shown, None, None, "", "is a directory, not a document")])
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as e:
        raise ConfigError([Problem(shown, None, None, "", "no such file")]) from e
    except OSError as e:
        raise ConfigError(
            [Problem(shown, None, None, "", f"cannot be read ({e.strerror or e})")]
        ) from e
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError([Problem(shown, None, None, "", "is too large to import")])
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # every byte decodes; the URLs themselves are ASCII


def is_url(source: str) -> bool:
    """Whether an import SOURCE names a web page rather than a file."""
    return source[:8].lower().startswith(("http://", "https://"))


def plan_source(source: str, target: Path, *, allow_private: bool = False) -> ImportPlan:
    """``import SOURCE``: a file, or an http(s) URL fetched with ``check``'s safety rules."""
    if is_url(source):
        from linkwatch.importing import webpage  # noqa: PLC0415 - the network, only for a URL

        return plan_page(webpage.fetch_url(source, allow_private=allow_private), target)
    return plan(Path(source), target)


def plan(source: Path, target: Path) -> ImportPlan:
    """Find the document's links and decide which are new to ``target``."""
    return plan_text(read_document(source), source.name, target)


def plan_page(page: Page, target: Path) -> ImportPlan:
    """The same for a fetched web page: relative links resolve against where it ended up."""
    name, _ = urls.strip_tracking(page.url)  # the `source:` never carries tracking either
    return plan_text(page.text, name, target, kind=page.kind, base_url=page.final_url)


def plan_text(
    text: str,
    name: str,
    target: Path,
    *,
    kind: importer.DocKind | None = None,
    base_url: str | None = None,
) -> ImportPlan:
    """Find the links in ``text`` (called ``name``) and decide which are new to ``target``."""
    kind = kind or importer.detect_kind(name, text)
    try:
        title = importer.title_of(text, kind)
        found = importer.find_links(text, kind, base_url)
    except importer.UnreadableHTMLError as e:
        raise ConfigError([Problem(name, None, None, "", str(e))]) from e
    label = f"{title} ({name})" if title else name

    original: bytes | None = None
    settings: TrackingSettings | None = None
    existing: dict[str, int] = {}
    shown = str(target)
    if target.exists():
        original_text = read_text(target, shown)
        original = original_text.encode("utf-8")
        # An empty file (or one with only comments) is a list yet to be started.
        root = parse(original_text, shown)
        if root is not None and not _links_unset(root):
            cfg = config.loads(original_text, shown)
            settings = cfg.defaults.tracking
            existing = {urls.dedupe_key(link.url, settings): link.url_line for link in cfg.links}

    candidates, skipped = importer.candidates(found, settings)
    fresh: list[Candidate] = []
    already: list[str] = []
    for candidate in candidates:
        line = existing.get(urls.dedupe_key(candidate.url, settings))
        if line is None:
            fresh.append(candidate)
        else:
            already.append(f"{clean(candidate.url)} (line {line})")
    return ImportPlan(
        target=target,
        target_shown=shown,
        original=original,
        entries=tuple(fresh),
        already=tuple(already),
        skipped=tuple(skipped),
        source=label,
    )


def with_source(result: ImportPlan, source: str) -> ImportPlan:
    """The same plan with another `source:` text."""
    return dataclasses.replace(result, source=source)


def with_reviewed(result: ImportPlan, day: date) -> ImportPlan:
    """The same plan, its entries vetted on ``day`` (``import --reviewed``)."""
    return dataclasses.replace(result, reviewed=day)


def preview(result: ImportPlan) -> str:
    """The YAML list items the import would append."""
    return importer.render_entries(list(result.entries), result.source, reviewed=result.reviewed)


def updated_text(result: ImportPlan) -> str:
    """The target's new text: the old bytes untouched, the new entries appended."""
    old = result.original.decode("utf-8") if result.original is not None else ""
    return importer.append_entries(
        old, result.target_shown, list(result.entries), result.source, result.reviewed
    )


def write(result: ImportPlan) -> None:
    """Append the entries to the target atomically, after checking the result validates."""
    if not result.entries:
        return
    text = updated_text(result)
    config.loads(text, result.target_shown)  # never write a file linkwatch would then refuse
    fileio.write_atomic(
        result.target,
        text.encode("utf-8"),
        result.original,
        shown=result.target_shown,
    )


def skip_message(source: str, skipped: Skipped) -> str | None:
    """The line telling the user a link was not imported; None for in-page links (``#top``),
    which are only counted in the summary: a table of contents would otherwise fill the screen.
    """
    where = f"{clean(source)}:{skipped.found.line}"
    # The URL comes from the document: a hostile one must not drive the user's terminal.
    url = clean(urls.redact(skipped.found.url, whole=True))
    match skipped.reason:
        case importer.Skip.IN_PAGE:
            return None
        case importer.Skip.RELATIVE:
            return (
                f"{where}: relative link in a local file, skipped: {url}"
                " (import from the page's URL to resolve it)"
            )
        case importer.Skip.NOT_HTTP:
            return f"{where}: not an http(s) link, skipped: {url}"
        case importer.Skip.INVALID:
            return f"{where}: skipped {url}: it {clean(skipped.detail)}"
        case unreachable:
            assert_never(unreachable)


def summary(result: ImportPlan, *, wrote: bool) -> str:
    """One line saying what happened."""
    new = len(result.entries)
    verb = "added to" if wrote else "new for"
    parts = [f"{new} link{'s' if new != 1 else ''} {verb} {result.target_shown}"]
    if result.already:
        parts.append(f"{len(result.already)} already there")
    counts = Counter(item.reason for item in result.skipped)
    if n := counts[importer.Skip.RELATIVE]:
        parts.append(f"{n} relative, skipped")
    if n := counts[importer.Skip.NOT_HTTP]:
        parts.append(f"{n} not http(s), skipped")
    if n := counts[importer.Skip.INVALID]:
        parts.append(f"{n} invalid, skipped")
    if n := counts[importer.Skip.IN_PAGE]:
        parts.append(f"{n} in-page link{'s' if n != 1 else ''} (#...) ignored")
    if new and not wrote:
        parts.append("run again with --write to add them")
    return "; ".join(parts)


def _links_unset(root: Node) -> bool:
    """`links:` with nothing under it yet: a list to start, not an error, for an import.

    The file is still validated as a whole before anything is written.
    """
    return root.kind == "mapping" and any(
        key.value == "links" and value.kind == "scalar" and value.tag.endswith(":null")
        for key, value in root.pairs
    )
