"""Pure functions that make server- and file-provided strings safe to show in each format.

Every string in a report that linkwatch did not write itself (names, URLs, reasons, page
titles) may be hostile: a page title can carry terminal escapes, a name can carry Markdown
that pings a whole team. ``clean`` is the shared first step (one visible line, no control
or invisible characters); each format then adds its own escaping on top.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Control (Cc), format (Cf: bidi overrides, zero-width), surrogate (Cs) and line/paragraph
# separators (Zl, Zp) can reorder, hide or execute text on a terminal or a web page.
_UNSAFE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_LINE_BREAKS: Final = frozenset("\r\n\t\v\f\x85\u2028\u2029")

# A zero-width space breaks GitHub's @mention, #reference and autolink detection, which
# run on rendered text, so backslash escapes alone do not stop them.
ZWSP: Final = "\u200b"
_MD_PUNCTUATION: Final = frozenset("\\`*_[]<>&|~!#():{}")
_MENTION = re.compile(r"([@#])(?=[\w-])")
# Not \b: GitHub also autolinks after "_" ("x_www.evil.example"), which \b does not see.
_AUTOLINK = re.compile(r"(?i)(?<![a-z0-9])(https?|ftp|mailto|www)(?=\\?[:.])")

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
# In a Markdown link target: what could end it, open HTML, start an escape or an entity
# (``&GT;`` would be read as ">": another URL).
_TARGET_SPECIAL: Final = frozenset("()<>\\&")
# A URL in free text: greedy up to white space or a quote (linear time), then the
# punctuation that ends a sentence is given back (see url_spans).
_URL_IN_TEXT = re.compile(r"(?i)(?<![a-z0-9])https?://[^\s<>\"'`]+")
_SENTENCE_END = frozenset(".,;:!?)]")


def _visible(char: str) -> str:
    """The escape a reader sees instead of an unsafe character, e.g. ``\\x1b``, ``\\u202e``."""
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def is_unsafe(char: str) -> bool:
    """Whether a character may control a terminal or hide/reorder text."""
    return unicodedata.category(char) in _UNSAFE_CATEGORIES


def clean(text: str) -> str:
    """One visible line: line breaks become spaces, other unsafe characters a visible escape."""
    out: list[str] = []
    for char in text:
        if char in _LINE_BREAKS:
            out.append(" ")
        elif is_unsafe(char):
            out.append(_visible(char))
        else:
            out.append(char)
    return "".join(out)


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, marked with an ellipsis when cut; never inside a URL
    (a URL cut short and copied is another URL), so the cut moves to before it."""
    if len(text) <= limit:
        return text
    cut = max(limit - 1, 0)
    for start, end in url_spans(text):
        if start < cut < end:
            cut = start
    return text[:cut].rstrip() + "…"


def url_spans(text: str) -> list[tuple[int, int]]:
    """Where the http(s) URLs of a free text start and end, less a sentence's last
    punctuation; a closing bracket is kept when the URL opened it (``/a_(b)``)."""
    spans: list[tuple[int, int]] = []
    for found in _URL_IN_TEXT.finditer(text):
        start, end = found.span()
        while end > start and text[end - 1] in _SENTENCE_END:
            closing = text[end - 1]
            opening = {")": "(", "]": "["}.get(closing)
            if opening is not None:
                url = text[start:end]
                if url.count(opening) >= url.count(closing):
                    break
            end -= 1
        spans.append((start, end))
    return spans


def _markdown_words(text: str) -> str:
    escaped = "".join(f"\\{c}" if c in _MD_PUNCTUATION else c for c in text)
    escaped = _MENTION.sub(lambda m: m.group(1) + ZWSP, escaped)
    return _AUTOLINK.sub(lambda m: m.group(1) + ZWSP, escaped)


def markdown_text(text: str) -> str:
    """Free text for Markdown: no HTML, no emphasis or links, no @mentions, no autolinks.

    A URL inside the text (a reason often names one) becomes a code span: copied from the
    rendered page it is exactly the URL, and it is not a link anyone clicks by accident.
    """
    line = clean(text)
    out: list[str] = []
    start = 0
    for url_start, url_end in url_spans(line):
        out.append(_markdown_words(line[start:url_start]))
        out.append(markdown_code(line[url_start:url_end]))
        start = url_end
    out.append(_markdown_words(line[start:]))
    return "".join(out)


def markdown_link(url: str) -> str:
    """A link whose text and target are both exactly ``url`` (a vetted URL, from links.yaml).

    In the target, the characters that could end it or open HTML are backslash-escaped
    (CommonMark removes the backslash, so the href is the URL itself) and white space, which a
    valid URL never holds, is percent-encoded; the text is escaped for Markdown but never
    broken up, so copying it gives the URL back.
    """
    line = clean(url)
    if not line.lower().startswith(("http://", "https://")):
        # A tampered saved report could carry javascript: or data: here: never a link.
        return markdown_code(line)
    target = "".join("%20" if c == " " else f"\\{c}" if c in _TARGET_SPECIAL else c for c in line)
    text = "".join(f"\\{c}" if c in _MD_PUNCTUATION else c for c in line)
    return f"[{text}]({target})"


def markdown_code(text: str) -> str:
    """A Markdown code span: nothing inside is rendered, mentioned or linked."""
    line = clean(text)
    longest = max((len(run) for run in re.findall(r"`+", line)), default=0)
    fence = "`" * (longest + 1)
    # A span that starts or ends with a backtick needs a space so the fence stays intact.
    pad = " " if line.startswith("`") or line.endswith("`") or not line.strip() else ""
    return f"{fence}{pad}{line}{pad}{fence}"


def marker_id(text: str) -> str:
    """An id safe inside an HTML comment (``-->`` or anything else cannot close it early)."""
    return _ID_UNSAFE.sub("", text)[:64] or "unknown"


def workflow_data(text: str) -> str:
    """A workflow-command message: ``%``, CR and LF escaped so it stays one command.

    Line breaks survive as ``%0A`` (GitHub shows them in the annotation); nothing a
    runner reads as the end of the command, or a new ``::`` command, is left raw.
    """
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return clean(escaped)


def workflow_property(text: str) -> str:
    """A workflow-command property value: as ``workflow_data``, plus ``:`` and ``,``."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")
