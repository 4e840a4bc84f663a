"""Find links in a document people already have (plain text, Markdown, HTML) and name them.

Pure: text in, candidate entries out. Fetching a URL and editing links.yaml happen elsewhere.
"""

from __future__ import annotations

import html
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
from linkwatch.errors import ConfigError, Problem
from linkwatch.importing import markdown
from linkwatch.listfile.config import check_url
from linkwatch.listfile.yamlsrc import Node, parse

if TYPE_CHECKING:
    from datetime import date

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


class Skip(StrEnum):
    """Why a link found in a document does not become an entry."""

    IN_PAGE = "in-page"  # "#top" (or ""): a place on the page itself, nothing to watch
    RELATIVE = "relative"  # "faq.html" with no page address to resolve it against
    NOT_HTTP = "not http(s)"  # mailto:, tel:, javascript:, ftp:, ...
    INVALID = "invalid"  # http(s), but not a URL links.yaml accepts (white space, a password, ...)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A link found in a document that is not imported, and why."""

    found: Found
    reason: Skip
    detail: str = ""  # for INVALID: what is wrong with the URL


# A URL runs until white space or a character that cannot end one in prose.
_URL_RE = re.compile(r"""https?://[^\s<>"'`]+""", re.IGNORECASE)
# Link text may hold one level of brackets; a destination balanced parentheses, as CommonMark
# allows (Wikipedia's "_(x)"), or anything but line breaks between <...>.
_MD_TEXT = r"((?:[^\[\]\n]|\[[^\[\]\n]*\])*)"
_MD_DEST = r"(?:<([^<>\n]*)>|((?:[^()\s<>]|\([^()\s<>]*\))+))"
_MD_TITLE = r"""(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?"""
_MD_INLINE_RE = re.compile(rf"(?<!!)\[{_MD_TEXT}\]\(\s*{_MD_DEST}{_MD_TITLE}\s*\)")
_MD_IMAGE_RE = re.compile(rf"!\[{_MD_TEXT}\](?:\(\s*{_MD_DEST}{_MD_TITLE}\s*\)|\[[^\[\]\n]*\])?")
# A definition is its destination and an optional title, nothing else: "[WIP]: see https://…"
# is prose. A "^" label is a footnote, whose text is prose too.
_MD_REF_DEF_RE = re.compile(
    r"[ \t]{0,3}\[(?!\^)([^\[\]\n]+)\]:[ \t]*(?:<([^<>\n]*)>|(\S+))"
    r"""(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*$"""
)
_HTTP_RE = re.compile(r"https?://", re.IGNORECASE)
_MD_REF_USE_RE = re.compile(rf"\[{_MD_TEXT}\]\[([^\[\]\n]*)\]")
_MD_SHORTCUT_RE = re.compile(rf"(?<!\])\[{_MD_TEXT}\](?![\[(:])")
_MD_HEADING_RE = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|$)")
# Emphasis and strike-through marks go; a backslash-escaped character stays. An underscore
# inside a word (snake_case) is not emphasis.
_MD_MARKS_RE = re.compile(r"\\([!-/:-@\[-`{-~])|[*`]+|~~+|(?<!\w)_+|_+(?!\w)")
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_TRAILING = ".,;:!?'\"*_"
_LABEL_TRIM = " \t:;,-\u2013\u2014|*_~>#()[]\u2022\"'\u201c\u201d\u2018\u2019<"
_TITLE_MAX = 200
_DATE_LINE_RE = re.compile(r"^[\d\s/.\-]+$")
# An <a> in these is not a link a reader can follow (<script> and <style> are read as text).
_INERT = frozenset({"template", "textarea"})


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
    """Every link in the document, in order, with its label.

    Relative links resolve against ``base_url`` (the page's address, when it came from the
    web); in-page links (``#top``) are kept as they are, for ``candidates`` to set aside.
    """
    match kind:
        case DocKind.HTML:
            return _find_html(text, base_url)
        case DocKind.MARKDOWN:
            return _find_markdown(text, base_url)
        case DocKind.TEXT:
            return _find_text(text)


def title_of(text: str, kind: DocKind) -> str | None:
    """The document's title: <title>, the first heading, or the first line that is not a date."""
    if kind is DocKind.HTML:
        return _squash(_parse_html(text).title)[:_TITLE_MAX].rstrip() or None
    if kind is DocKind.MARKDOWN:
        return _markdown_title(markdown.layers(text))
    for raw in text.splitlines():
        line = raw.strip()
        if line and not _DATE_LINE_RE.match(line):
            return line[:_TITLE_MAX]
    return None


def candidates(
    found: list[Found], settings: TrackingSettings | None = None
) -> tuple[list[Candidate], list[Skipped]]:
    """Clean, name and de-duplicate found links; also return those set aside, with why."""
    out: list[Candidate] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for item in found:
        why = skip_reason(item.url)
        if why is not None:
            skipped.append(Skipped(item, *why))
            continue
        cleaned, stripped = urls.strip_tracking(item.url, settings)
        key = urls.dedupe_key(cleaned, settings)
        if key in seen:
            continue
        seen.add(key)
        out.append(Candidate(item.label or site_name(cleaned), cleaned, stripped, item.line))
    return out, skipped


def skip_reason(url: str) -> tuple[Skip, str] | None:
    """Why ``url`` cannot be an entry (and what is wrong with it), or None when it can."""
    if not url or url.startswith("#"):
        return Skip.IN_PAGE, ""
    scheme = _SCHEME_RE.match(url)
    if scheme is None:
        return Skip.RELATIVE, ""
    if scheme.group().removesuffix(":").lower() not in {"http", "https"}:
        return Skip.NOT_HTTP, ""
    problem = check_url(url)  # bidi overrides and other invisible characters included
    if problem is not None:
        return Skip.INVALID, problem
    return None


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
    # Brackets are counted once and the end moved back: recounting a URL followed by
    # thousands of ')' at each step would take minutes.
    opened = {")": raw.count("("), "]": raw.count("[")}
    closed = {")": raw.count(")"), "]": raw.count("]")}
    end = len(raw)
    while end:
        last = raw[end - 1]
        if last in closed and opened[last] < closed[last]:
            closed[last] -= 1
        elif last == "~" and raw.endswith("~~", 0, end):
            end -= 1  # "~~" closes a strike-through; a lone "~" ends paths like /~user/~
        elif last not in _TRAILING:
            break
        end -= 1
    return raw[:end]


def _bare_url(line: str, match: re.Match[str]) -> str:
    """A URL found in prose: an autolink (``<https://…>``) exactly, else trimmed of punctuation."""
    start, end = match.span()
    if start > 0 and line[start - 1] == "<" and line.startswith(">", end):
        return match.group()
    return _clean_url(match.group())


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
            found.append(Found(_bare_url(line, match), label, number))
    return found


def _resolve(url: str, base_url: str | None) -> str:
    """``url`` made absolute against ``base_url``; an in-page link (``#top``) stays as it is."""
    if base_url is None or not url or url.startswith("#"):
        return url
    try:
        return urljoin(base_url, url)
    except ValueError:  # e.g. an unclosed '[' of an IPv6 address: left for check_url to name
        return url


def _ref_key(label: str) -> str:
    """A reference label as CommonMark matches it: case and runs of white space do not count."""
    return " ".join(label.split()).casefold()


def _md_label(text: str) -> str:
    """Markdown link text as a reader sees it: images by their alt text, no marks or tags."""
    text = _MD_IMAGE_RE.sub(lambda match: match.group(1), text)
    text = _MD_INLINE_RE.sub(lambda match: match.group(1), text)
    text = markdown.TAG_RE.sub(" ", text)
    text = _MD_MARKS_RE.sub(lambda match: match.group(1) or "", text)
    return _squash(html.unescape(text))


def _find_markdown(text: str, base_url: str | None) -> list[Found]:
    view = markdown.layers(text)
    # Each label's first definition (it wins, as in CommonMark), by line.
    definitions: dict[str, str] = {}
    defined: dict[str, Found] = {}
    for number, (prose, words) in enumerate(zip(view.prose, view.words, strict=True), start=1):
        if (match := _MD_REF_DEF_RE.match(prose)) is not None:
            key = _ref_key(match.group(1))
            if key not in definitions:
                definitions[key] = match.group(2) or match.group(3) or ""
                label = _md_label(words[match.start(1) : match.end(1)])
                defined[key] = Found(definitions[key], label, number)
    used: set[str] = set()
    # (line, column, link): sorted at the end so links come in the order a reader meets them.
    spotted: list[tuple[int, int, Found]] = []
    # Raw HTML anchors, in a paragraph or an HTML block; their span is taken on the line.
    anchored: dict[int, list[tuple[int, int]]] = {}
    for anchor in _parse_html(view.html).anchors:
        spotted.append(
            (anchor.line, anchor.column, Found(anchor.href, _md_label(anchor.text), anchor.line))
        )
        if anchor.end[0] == anchor.line:
            anchored.setdefault(anchor.line, []).append((anchor.column, anchor.end[1]))
    for number, (prose, words) in enumerate(zip(view.prose, view.words, strict=True), start=1):
        if _MD_REF_DEF_RE.match(prose):
            continue
        # Columns already spoken for: a bytearray keeps a line of many links linear.
        taken = bytearray(len(prose))
        for start, end in anchored.get(number, []):
            taken[start:end] = b"\x01" * len(taken[start:end])
        # Images are not links (a linked image's alt text names its link).
        for match in _MD_IMAGE_RE.finditer(prose):
            _take(taken, match)
        line = _MD_IMAGE_RE.sub(lambda match: " " * len(match.group()), prose)
        for match in _MD_INLINE_RE.finditer(line):
            _take(taken, match)
            url = match.group(2) if match.group(2) is not None else match.group(3)
            label = _md_label(words[match.start(1) : match.end(1)])
            spotted.append((number, match.start(), Found(url, label, number)))
        # [text][ref], [text][] and [text], when a definition gives the reference.
        for pattern in (_MD_REF_USE_RE, _MD_SHORTCUT_RE):
            for match in pattern.finditer(line):
                ref = _ref_key(match.group(match.lastindex or 1) or match.group(1))
                if ref not in definitions or taken.find(1, *match.span()) != -1:
                    continue
                _take(taken, match)
                used.add(ref)
                label = _md_label(words[match.start(1) : match.end(1)])
                spotted.append((number, match.start(), Found(definitions[ref], label, number)))
        for match in _URL_RE.finditer(line):
            if taken.find(1, *match.span()) != -1:
                continue
            since = taken.rfind(1, 0, match.start()) + 1
            # A URL quoted in code before this one is no part of its name either.
            quoted = _URL_RE.finditer(words, since, match.start())
            since = max((quote.end() for quote in quoted), default=since)
            label = _md_label(_label_before(words, match.start(), since))
            _take(taken, match)
            spotted.append((number, match.start(), Found(_bare_url(line, match), label, number)))
    # A definition nothing refers to still lists a link (often a page's list of sources).
    for key, found in defined.items():
        if key not in used and _HTTP_RE.match(found.url):
            spotted.append((found.line, 0, found))
    spotted.sort(key=lambda item: item[:2])
    return [Found(_resolve(f.url, base_url), f.label, f.line) for _, _, f in spotted]


def _take(taken: bytearray, match: re.Match[str]) -> None:
    start, end = match.span()
    taken[start:end] = b"\x01" * (end - start)


def _markdown_title(view: markdown.Layers) -> str | None:
    """The first heading: ``# Title``, or a line underlined with ``===``."""
    for number, prose in enumerate(view.prose):
        heading = _MD_HEADING_RE.match(prose)
        if heading is not None:
            title = re.sub(r"(?:^|[ \t]+)#+[ \t]*$", "", view.words[number][heading.end() :])
            return _md_label(title) or None
        following = view.prose[number + 1] if number + 1 < len(view.prose) else ""
        if prose.strip() and re.fullmatch(r" {0,3}=+[ \t]*", following):
            return _md_label(view.words[number]) or None
    return None


@dataclass(frozen=True, slots=True)
class _Anchor:
    href: str
    text: str
    line: int  # where the <a> starts (1-based line, 0-based column)
    column: int
    end: tuple[int, int]  # where it ends


class _Anchors(HTMLParser):
    """Collects <a href> with their text, the first <base href>, and the <title>.

    Anchors in comments, <script> and <style> never reach the handlers; those in <template>
    and <textarea> are skipped here. An <a> inside <pre> or <code> is still a link.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[_Anchor] = []
        self.base: str | None = None
        self.title = ""
        self._in_title = False
        self._titled = False
        self._svg = 0
        self._inert = 0
        self._href: str | None = None
        self._text: list[str] = []
        self._start = (0, 0)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INERT:
            self._inert += 1
        elif tag == "svg":
            self._svg += 1
        elif tag == "title":
            # Only the page's first <title>; an inline <svg>'s names the drawing, not the page.
            self._in_title = not self._titled and not self._svg
        elif tag == "base":
            href = dict(attrs).get("href")
            if href and self.base is None:  # only the first <base href> counts
                self.base = href.strip()
        elif tag == "a" and not self._inert:
            self._finish()  # an <a> inside an <a> ends the first, as browsers do
            href = dict(attrs).get("href")
            if href is not None:
                self._href = href.strip()
                self._text = []
                self._start = self.getpos()
        elif tag == "img" and self._href is not None:
            alt = dict(attrs).get("alt")
            if alt:
                self._text.append(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag in _INERT:
            self._inert = max(0, self._inert - 1)
        elif tag == "svg":
            self._svg = max(0, self._svg - 1)
        elif tag == "title" and self._in_title:
            self._in_title = False
            self._titled = True
        elif tag == "a":
            self._finish()

    def handle_data(self, data: str) -> None:
        if self._in_title and len(self.title) < 4 * _TITLE_MAX:  # one never closed runs on
            self.title += data
        if self._href is not None and not self._inert:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self._finish()  # an <a> never closed runs to the end of the document

    def _finish(self) -> None:
        if self._href is not None:
            line, column = self._start
            self.anchors.append(
                _Anchor(self._href, "".join(self._text), line, column, self.getpos())
            )
            self._href = None


class UnreadableHTMLError(ValueError):
    """html.parser failed inside itself; ``importing`` names the document in a ConfigError."""


def _parse_html(text: str) -> _Anchors:
    """The anchors, base and title of ``text``, read by html.parser.

    Only a '<' opening a real tag, closed comment or declaration reaches the parser (see
    ``markdown.only_tags``): stray ones make it rescan the rest of the page, and some, such as
    "<![ x", make it raise. Any failure left inside it is translated here, once.
    """
    parser = _Anchors()
    try:
        parser.feed(markdown.only_tags(text))
        parser.close()
    except (AssertionError, ValueError, IndexError) as e:
        raise UnreadableHTMLError(f"cannot be read as HTML ({e})") from e
    return parser


def _find_html(text: str, page_url: str | None) -> list[Found]:
    parser = _parse_html(text)
    base = _document_base(page_url, parser.base)
    return [Found(_resolve(a.href, base), _squash(a.text), a.line) for a in parser.anchors]


def _document_base(page_url: str | None, declared: str | None) -> str | None:
    """Where relative links resolve: the page's <base href> if it gives an http(s) address
    (itself resolved against the page), else the page's own address.

    A local file with an absolute <base href> can so be imported with its relative links.
    """
    if declared is None:
        return page_url
    try:
        base = urljoin(page_url or "", declared)
    except ValueError:
        return page_url
    return base if check_url(base) is None else page_url


# ------------------------------------------------------------------------ writing entries
def scalar(value: str) -> str:
    """A YAML scalar for ``value`` on one line: plain when safe, else quoted."""
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_flow_style=True)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def render_entries(
    entries: list[Candidate],
    source: str,
    *,
    dash: int = 2,
    blank_lines: bool = True,
    reviewed: date | None = None,
) -> str:
    """The YAML block-list items for ``entries``; ``dash`` is the column of each ``-``.

    ``reviewed``: the day a person vetted them, written as each entry's ``reviewed:``.
    """
    pad = " " * dash
    vetted = f"{pad}  reviewed: {reviewed.isoformat()}\n" if reviewed is not None else ""
    blocks = [
        f"{pad}- name: {scalar(entry.name)}\n"
        f"{pad}  url: {scalar(entry.url)}\n"
        f"{pad}  source: {scalar(source)}\n"
        f"{vetted}"
        for entry in entries
    ]
    return ("\n" if blank_lines else "").join(blocks)


def append_entries(
    text: str, path: str, entries: list[Candidate], source: str, reviewed: date | None = None
) -> str:
    """``text`` with ``entries`` appended to its ``links`` list, every other byte kept.

    Follows the file's indentation, blank lines between entries, and line endings. Raises
    ConfigError when the list cannot be extended safely (e.g. a non-empty flow list).
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    body = text.replace("\r\n", "\n")
    root = parse(body, path, exact=True)
    if root is None or (root.kind == "scalar" and not root.value):
        prefix = body if not body or body.endswith("\n") else body + "\n"
        added = prefix + "version: 1\nlinks:\n" + render_entries(entries, source, reviewed=reviewed)
        return added.replace("\n", newline)
    if root.kind != "mapping":
        raise ConfigError(
            [Problem(path, root.line, root.column, "", "the top level is not a mapping")]
        )
    links = next((v for k, v in root.pairs if k.kind == "scalar" and k.value == "links"), None)
    if links is None:
        prefix = body if body.endswith("\n") else body + "\n"
        return (prefix + "links:\n" + render_entries(entries, source, reviewed=reviewed)).replace(
            "\n", newline
        )
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
        block = render_entries(entries, source, dash=dash, blank_lines=spaced, reviewed=reviewed)
        glue = "\n" if spaced else ""
        return (body[:at] + "\n" + glue + block.rstrip("\n") + body[at:]).replace("\n", newline)
    # `links:` with nothing, `links: []` or `links: ~`: the list starts after the key's line.
    start, end = links.start, links.end
    if links.kind == "scalar" and not links.value:
        start = end = _line_end(body, start)
    before = body[:start].rstrip(" ")
    rest = body[end:]
    block = render_entries(entries, source, dash=key_column + 1, reviewed=reviewed)
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
