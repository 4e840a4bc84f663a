"""Find links in a document people already have (plain text, Markdown, HTML) and name them.

Pure: text in, candidate entries out. Fetching a URL and editing links.yaml happen elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import yaml

from linkwatch import urls
from linkwatch.config import check_url
from linkwatch.errors import ConfigError, Problem
from linkwatch.yamlsrc import Node, parse

if TYPE_CHECKING:
    from linkwatch.models import TrackingSettings


class DocKind(StrEnum):
    """How a document is read."""

    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"


@dataclass(frozen=True, slots=True)
class Found:
    """A link found in a document, before cleaning."""

    url: str
    label: str  # the words the document gives it; may be empty
    line: int  # 1-based line in the document


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entry ready to add to links.yaml."""

    name: str
    url: str  # cleaned of tracking parameters
    stripped: tuple[str, ...]
    line: int


# A URL runs until white space or a character that cannot end one in prose.
_URL_RE = re.compile(r"""https?://[^\s<>"'`]+""", re.IGNORECASE)
# The destination may hold balanced parentheses, as CommonMark allows (Wikipedia's "_(x)").
_MD_INLINE_RE = re.compile(
    r"(!?)\[([^\]\n]*)\]\(\s*<?((?:[^()\s<>]|\([^()\s<>]*\))+)>?(?:\s+[\"'(][^)]*[\"')])?\s*\)"
)
_MD_REF_DEF_RE = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
_MD_REF_USE_RE = re.compile(r"\[([^\]\n]+)\]\[([^\]\n]*)\]")
_TRAILING = ".,;:!?'\"*_"
_LABEL_TRIM = " \t:;,-\u2013\u2014|*_>#()[]\u2022\"'\u201c\u201d\u2018\u2019<"
_DATE_LINE_RE = re.compile(r"^[\d\s/.\-]+$")


def detect_kind(name: str, text: str) -> DocKind:
    """Guess the document's kind from its name, else from its first bytes."""
    suffix = PurePosixPath(urlsplit(name).path if "://" in name else name).suffix.lower()
    if suffix in {".html", ".htm", ".xhtml"}:
        return DocKind.HTML
    if suffix in {".md", ".markdown", ".mdown"}:
        return DocKind.MARKDOWN
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")) or "<body" in text[:4000].lower():
        return DocKind.HTML
    if _MD_INLINE_RE.search(text) or re.search(r"^#{1,6} ", text, re.MULTILINE):
        return DocKind.MARKDOWN
    return DocKind.TEXT


def find_links(text: str, kind: DocKind, base_url: str | None = None) -> list[Found]:
    """Every http(s) link in the document, in order, with its label."""
    match kind:
        case DocKind.HTML:
            return _find_html(text, base_url)
        case DocKind.MARKDOWN:
            return _find_markdown(text)
        case DocKind.TEXT:
            return _find_text(text)


def title_of(text: str, kind: DocKind) -> str | None:
    """The document's title: <title>, the first heading, or the first line that is not a date."""
    if kind is DocKind.HTML:
        parser = _Anchors(None)
        parser.feed(text)
        return _squash(parser.title) or None
    for raw in text.splitlines():
        line = raw.strip()
        if kind is DocKind.MARKDOWN and line.startswith("#"):
            return line.lstrip("#").strip() or None
        if line and not _DATE_LINE_RE.match(line) and kind is DocKind.TEXT:
            return line[:200]
    return None


def candidates(
    found: list[Found], settings: TrackingSettings | None = None
) -> tuple[list[Candidate], list[Found]]:
    """Clean, name and de-duplicate found links; also return those refused as not http(s)."""
    out: list[Candidate] = []
    refused: list[Found] = []
    seen: set[str] = set()
    for item in found:
        if check_url(item.url) is not None:
            refused.append(item)
            continue
        cleaned, stripped = urls.strip_tracking(item.url, settings)
        key = urls.dedupe_key(cleaned, settings)
        if key in seen:
            continue
        seen.add(key)
        out.append(Candidate(item.label or site_name(cleaned), cleaned, stripped, item.line))
    return out, refused


def site_name(url: str) -> str:
    """A readable fallback name: the host without ``www.``."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def _squash(text: str) -> str:
    """One line of visible text: white space folded, control and format characters dropped.

    A hostile page must not smuggle terminal escapes or bidirectional overrides (U+202E)
    into the user's links.yaml through a link's name.
    """
    visible = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf"})
    return " ".join(visible.split())


def _clean_url(raw: str) -> str:
    """Drop prose punctuation that stuck to the end of a URL, keeping balanced brackets."""
    url = raw
    while url:
        last = url[-1]
        unbalanced = (last == ")" and url.count("(") < url.count(")")) or (
            last == "]" and url.count("[") < url.count("]")
        )
        if last not in _TRAILING and not unbalanced:
            break
        url = url[:-1]
    return url


def _label_before(line: str, start: int, after: int = 0) -> str:
    """The words before a URL on its line (``NSPCC: https://…`` → ``NSPCC``).

    Only the text since ``after`` (the end of the previous link on the line) counts.
    """
    before = line[after:start]
    # Only the last clause: "Below are links: NSPCC: https://..." keeps "NSPCC".
    parts = re.split(r"[:\u2013\u2014|]\s+|\s+-\s+", before.rstrip(_LABEL_TRIM))
    label = _squash(parts[-1].strip(_LABEL_TRIM)) if parts else ""
    return label if 0 < len(label) <= 120 else ""


def _find_text(text: str) -> list[Found]:
    found: list[Found] = []
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        previous = 0
        for match in _URL_RE.finditer(line):
            label = _label_before(line, match.start(), previous)
            previous = match.end()
            if not label and number > 1 and lines[number - 2].rstrip().endswith(":"):
                label = _squash(lines[number - 2].strip().rstrip(":"))[:120]
            found.append(Found(_clean_url(match.group(0)), label, number))
    return found


def _find_markdown(text: str) -> list[Found]:
    found: list[Found] = []
    definitions = {m.group(1).lower(): m.group(2) for m in _MD_REF_DEF_RE.finditer(text)}
    for number, line in enumerate(text.splitlines(), start=1):
        if _MD_REF_DEF_RE.match(line):
            continue
        taken: list[tuple[int, int]] = []
        for match in _MD_INLINE_RE.finditer(line):
            taken.append(match.span())
            if match.group(1):  # an image, not a link
                continue
            label = _squash(re.sub(r"[*_`]", "", match.group(2)))
            found.append(Found(match.group(3), label, number))
        for match in _MD_REF_USE_RE.finditer(line):
            taken.append(match.span())
            ref = (match.group(2) or match.group(1)).lower()
            if ref in definitions:
                label = _squash(re.sub(r"[*_`]", "", match.group(1)))
                found.append(Found(definitions[ref], label, number))
        for match in _URL_RE.finditer(line):
            if any(a <= match.start() < b for a, b in taken):
                continue
            since = max((b for _, b in taken if b <= match.start()), default=0)
            label = _label_before(line, match.start(), since)
            taken.append(match.span())
            found.append(Found(_clean_url(match.group(0)), label, number))
    return sorted(found, key=lambda f: f.line)


class _Anchors(HTMLParser):
    """Collects <a href> with their text, and the <title>."""

    def __init__(self, base_url: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.found: list[Found] = []
        self.title = ""
        self._in_title = False
        self._href: str | None = None
        self._text: list[str] = []
        self._line = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag == "base" and self.base_url is not None:
            href = dict(attrs).get("href")
            if href:
                self.base_url = urljoin(self.base_url, href.strip())
        elif tag == "a":
            href = dict(attrs).get("href")
            if href is not None:
                self._href = href.strip()
                self._text = []
                self._line = self.getpos()[0]
        elif tag == "img" and self._href is not None:
            alt = dict(attrs).get("alt")
            if alt:
                self._text.append(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "a" and self._href is not None:
            href = urljoin(self.base_url, self._href) if self.base_url else self._href
            self.found.append(Found(href, _squash("".join(self._text)), self._line))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._href is not None:
            self._text.append(data)


def _find_html(text: str, base_url: str | None) -> list[Found]:
    parser = _Anchors(base_url)
    parser.feed(text)
    parser.close()
    return parser.found


# ------------------------------------------------------------------------ writing entries
def scalar(value: str) -> str:
    """A YAML scalar for ``value`` on one line: plain when safe, else quoted."""
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_flow_style=True)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def render_entries(
    entries: list[Candidate], source: str, *, dash: int = 2, blank_lines: bool = True
) -> str:
    """The YAML block-list items for ``entries``; ``dash`` is the column of each ``-``."""
    pad = " " * dash
    blocks = [
        f"{pad}- name: {scalar(entry.name)}\n"
        f"{pad}  url: {scalar(entry.url)}\n"
        f"{pad}  source: {scalar(source)}\n"
        for entry in entries
    ]
    return ("\n" if blank_lines else "").join(blocks)


def append_entries(text: str, path: str, entries: list[Candidate], source: str) -> str:
    """``text`` with ``entries`` appended to its ``links`` list, every other byte kept.

    Follows the file's indentation, blank lines between entries, and line endings. Raises
    ConfigError when the list cannot be extended safely (e.g. a non-empty flow list).
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    body = text.replace("\r\n", "\n")
    root = parse(body, path, exact=True)
    if root is None or (root.kind == "scalar" and not root.value):
        prefix = body if not body or body.endswith("\n") else body + "\n"
        added = prefix + "version: 1\nlinks:\n" + render_entries(entries, source)
        return added.replace("\n", newline)
    if root.kind != "mapping":
        raise ConfigError(
            [Problem(path, root.line, root.column, "", "the top level is not a mapping")]
        )
    links = next((v for k, v in root.pairs if k.kind == "scalar" and k.value == "links"), None)
    if links is None:
        prefix = body if body.endswith("\n") else body + "\n"
        return (prefix + "links:\n" + render_entries(entries, source)).replace("\n", newline)
    key_column = next(k.column for k, v in root.pairs if v is links)
    if links.kind == "sequence" and links.items and links.flow:
        raise ConfigError(
            [
                Problem(
                    path,
                    links.line,
                    links.column,
                    "links",
                    "is a flow list ([...]); write it as a block list (one '- ' per line)"
                    " so entries can be appended",
                )
            ]
        )
    if links.kind == "sequence" and links.items:
        last = links.items[-1]
        dash = links.column - 1
        spaced = len(links.items) > 1 and _blank_line_before(body, links.items[1].start)
        at = _line_end(body, _last_end(last))
        block = render_entries(entries, source, dash=dash, blank_lines=spaced)
        glue = "\n" if spaced else ""
        return (body[:at] + "\n" + glue + block.rstrip("\n") + body[at:]).replace("\n", newline)
    # `links:` with nothing, `links: []` or `links: ~`: the list starts after the key's line.
    start, end = links.start, links.end
    if links.kind == "scalar" and not links.value:
        start = end = _line_end(body, start)
    before = body[:start].rstrip(" ")
    rest = body[end:]
    block = render_entries(entries, source, dash=key_column + 1)
    if not before.endswith("\n"):
        before += "\n"
    return (before + block.rstrip("\n") + ("" if rest.startswith("\n") else "\n") + rest).replace(
        "\n", newline
    )


def _last_end(node: Node) -> int:
    """The end offset of the last scalar inside ``node``."""
    while node.kind != "scalar":
        children = node.items if node.kind == "sequence" else [v for _, v in node.pairs]
        if not children:
            return node.end
        node = children[-1]
    return node.end


def _line_end(text: str, offset: int) -> int:
    found = text.find("\n", offset)
    return len(text) if found == -1 else found


def _blank_line_before(text: str, offset: int) -> bool:
    line_start = text.rfind("\n", 0, offset)
    previous_start = text.rfind("\n", 0, max(line_start, 0))
    return line_start > 0 and not text[previous_start + 1 : line_start].strip()
