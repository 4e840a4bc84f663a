"""Which characters of a Markdown page are prose, and which are code, comments or raw HTML.

Pure and shape-keeping: every line stays a line and every character keeps its column (blanked
ones become spaces), so links found in the result carry the document's own line numbers.

Follows CommonMark where it decides what is code: fenced blocks (``` or ~~~, up to three
spaces in, unterminated ones running to the end), indented blocks (four columns in, after a
blank line, never interrupting a paragraph; inside a list, four columns past the item's text),
code spans (backtick runs of any length, within a paragraph, which also ends at a list
item, a heading, a table row or a change of block-quote depth) and HTML comments. Raw HTML
blocks opened by <pre>, <script>, <style> or <textarea> at the start of a line are left to the
HTML reader. It is not a full parser: lists and block quotes are followed only as far as
telling code from prose needs.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Layers:
    """One Markdown page seen three ways, line for line and column for column."""

    # Code, comments, HTML tags and raw HTML blocks blanked: where links are looked for.
    prose: tuple[str, ...]
    # The same, except that code spans keep their text (not their backticks): names come from here.
    words: tuple[str, ...]
    # Code and comments blanked, HTML kept: where raw <a href> tags are looked for.
    html: str


class _Fence(NamedTuple):
    char: str
    length: int
    depth: int  # block-quote depth it was opened at
    indent: int


_FENCE_RE = re.compile(r"(`{3,}|~{3,})(.*)")
_LIST_ITEM_RE = re.compile(r"([-+*]|\d{1,9}[.)])([ \t]+|$)")
_HEADING_RE = re.compile(r"#{1,6}(?:[ \t]|$)")
_QUOTE_RE = re.compile(r" {0,3}> ?")
_RAW_OPEN_RE = re.compile(r"<(?:pre|script|style|textarea)(?:[\s>]|$)", re.IGNORECASE)
_RAW_CLOSE_RE = re.compile(r"</(?:pre|script|style|textarea)\s*>", re.IGNORECASE)
# Tags whose attributes may hold a URL; any other name is a tag only while no "://" is inside,
# so "<see https://…>" in prose is words and a link, not an unknown element.
_HTML_TAGS = (
    "a|abbr|address|area|article|aside|audio|b|base|bdi|bdo|blockquote|body|br|button|canvas"
    "|caption|cite|code|col|colgroup|data|dd|del|details|dfn|dialog|div|dl|dt|em|embed"
    "|fieldset|figcaption|figure|font|footer|form|frame|frameset|h[1-6]|head|header|hr|html|i"
    "|iframe|image|img|input|ins|kbd|label|legend|li|link|main|map|mark|menu|meta|meter|nav"
    "|noscript|object|ol|optgroup|option|output|p|param|picture|pre|progress|q|rp|rt|ruby|s"
    "|samp|script|section|select|slot|small|source|span|strong|style|sub|summary|sup|svg"
    "|table|tbody|td|template|textarea|tfoot|th|thead|time|title|tr|track|u|ul|use|var"
    "|video|wbr"
)
# A tag name must be followed by space, '/' or '>', so autolinks (<https://…>) are not tags.
# Custom elements (a '-' in the name) count as known.
TAG_RE = re.compile(
    rf"</?(?:(?:{_HTML_TAGS}|[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9-]*)(?:\s[^<>]*)?"
    r"|[A-Za-z][A-Za-z0-9-]*(?:\s(?:(?!://)[^<>])*)?)/?>",
    re.IGNORECASE,
)
# <!DOCTYPE html> and <?xml …?>, closed before any other '<' (a comment is looked at apart).
_DECLARATION_RE = re.compile(r"<(?:![A-Za-z]|\?)[^<>]*>")
_INLINE_TOKEN_RE = re.compile(r"\\[\s\S]|`+|<!--")
_BACKTICKS_RE = re.compile(r"`+")


def layers(text: str) -> Layers:
    """Split ``text`` into its prose, its prose with code text, and its HTML (see Layers)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    prose, html = _blocks(lines)
    words = list(prose)
    starts = _paragraph_starts(prose)
    start = 0
    while start < len(prose):
        if not prose[start].strip():
            start += 1
            continue
        end = start + 1
        while end < len(prose) and prose[end].strip() and not starts[end]:
            end += 1
        # Code spans and comments never cross a paragraph's end: do them a paragraph at a time.
        para_prose, para_words = _inline("\n".join(prose[start:end]))
        html[start:end] = para_prose.split("\n")
        para_prose, para_words = _blank_tags(para_prose), _blank_tags(para_words)
        prose[start:end] = para_prose.split("\n")
        words[start:end] = para_words.split("\n")
        start = end
    return Layers(tuple(prose), tuple(words), only_tags("\n".join(html)))


def _paragraph_starts(lines: list[str]) -> list[bool]:
    """For each line, whether it starts a new block even without a blank line before it.

    A list item, an ATX heading, a table row or a change of block-quote depth starts one; a
    heading or table row is a block by itself, so the line after it starts one too. A lone
    backtick so never hides the links of the next item, row or heading.
    """
    starts: list[bool] = []
    previous_depth = 0
    single = False  # the line before was a heading or a table row
    for line in lines:
        depth, rest = _unquote(line)
        body = rest.lstrip(" \t")
        own = bool(_HEADING_RE.match(body) or body.startswith("|"))
        starts.append(
            single or own or depth != previous_depth or _LIST_ITEM_RE.match(body) is not None
        )
        previous_depth, single = depth, own
    return starts


def _blank(text: str) -> str:
    """``text`` with every character but the line breaks made a space."""
    return re.sub(r"[^\n]", " ", text)


def _indent(text: str) -> tuple[int, int]:
    """The columns of leading white space (tabs stop every four columns), and its length."""
    width = 0
    for length, char in enumerate(text):
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            return width, length
    return width, len(text)


def _unquote(line: str, limit: int | None = None) -> tuple[int, str]:
    """The block-quote depth of ``line`` (at most ``limit``) and what follows the markers."""
    depth = position = 0
    # Matching at a position, not slicing: a line of many '>' stays linear.
    while limit is None or depth < limit:
        match = _QUOTE_RE.match(line, position)
        if match is None:
            break
        position = match.end()
        depth += 1
    return depth, line[position:]


def _blocks(lines: list[str]) -> tuple[list[str], list[str]]:
    """Blank code blocks and multi-line comments in both views, raw HTML blocks in prose only."""
    prose = list(lines)
    html = list(lines)
    fence: _Fence | None = None
    in_comment = in_raw = in_code = False
    after_blank = True  # an indented code block may start here (it cannot interrupt a paragraph)
    # The column of each open list item's text, outermost first: a line belongs to the
    # innermost item whose text it does not sit left of.
    items: list[int] = []
    for number, line in enumerate(lines):
        if fence is not None:
            depth, rest = _unquote(line, fence.depth)
            if depth == fence.depth:  # else the block quote holding the fence has ended
                prose[number] = html[number] = _blank(line)
                width, length = _indent(rest)
                closer = rest[length:].rstrip(" \t")
                if (
                    width <= max(3, fence.indent + 3)
                    and len(closer) >= fence.length
                    and closer == fence.char * len(closer)
                ):
                    fence = None
                    after_blank = True
                continue
            fence = None
        if in_comment:
            end = line.find("-->")
            cut = len(line) if end == -1 else end + 3
            prose[number] = html[number] = _blank(line[:cut]) + line[cut:]
            in_comment = end == -1
            after_blank = False
            continue
        if in_raw:
            prose[number] = _blank(line)
            in_raw = _RAW_CLOSE_RE.search(line) is None
            after_blank = True
            continue
        depth, rest = _unquote(line)
        width, length = _indent(rest)
        body = rest[length:]
        if not body.strip():
            after_blank = True
            continue
        item = _LIST_ITEM_RE.match(body)
        if item is not None or after_blank:
            # A new item, or a paragraph after a blank line, closes the items it sits left
            # of; one left of every item's text ends the list. (A line without a blank
            # before it may be a lazy continuation, so it closes nothing.)
            while items and width < items[-1]:
                items.pop()
        base = items[-1] if items else 0
        if width >= base + 4 and (after_blank or in_code):
            prose[number] = html[number] = _blank(line)
            in_code = True
            continue
        in_code = False
        after_blank = False
        if width - base <= 3:
            opened = _FENCE_RE.match(body)
            # A backtick fence's info string cannot hold a backtick: ```a``` is a code span.
            if opened and not (opened.group(1)[0] == "`" and "`" in opened.group(2)):
                marker = opened.group(1)
                fence = _Fence(marker[0], len(marker), depth, width)
                prose[number] = html[number] = _blank(line)
                continue
            if body.startswith("<!--") and "-->" not in body[4:]:
                in_comment = True  # a comment block runs to its -->, blank lines and all
                prose[number] = html[number] = _blank(line)
                continue
            if _RAW_OPEN_RE.match(body):
                in_raw = _RAW_CLOSE_RE.search(body) is None
                prose[number] = _blank(line)
                after_blank = True
                continue
            if _HEADING_RE.match(body):
                after_blank = True
                continue
        if item is not None:
            spaces = _indent(item.group(2))[0]
            items.append(width + len(item.group(1)) + (spaces if 1 <= spaces <= 4 else 1))
    return prose, html


def _inline(para: str) -> tuple[str, str]:
    """One paragraph with code spans and comments blanked, and with only their backticks blanked."""
    prose = list(para)
    words = list(para)
    # Where each length of backtick run starts, to find a span's closer without rescanning.
    runs: dict[int, list[int]] = {}
    for match in _BACKTICKS_RE.finditer(para):
        runs.setdefault(match.end() - match.start(), []).append(match.start())
    comments_close = True  # once a <!-- finds no -->, no later one will
    position = 0
    while (token := _INLINE_TOKEN_RE.search(para, position)) is not None:
        start, position = token.span()
        text = token.group()
        if text[0] == "\\":  # an escaped character is literal (a backslash is literal in code)
            continue
        if text == "<!--":
            end = para.find("-->", position) if comments_close else -1
            if end == -1:
                comments_close = False
                continue
            position = end + 3
            prose[start:position] = words[start:position] = _blank(para[start:position])
            continue
        starts = runs.get(len(text), [])
        at = bisect.bisect_left(starts, position)
        if at == len(starts):
            continue  # no closing run of the same length: the backticks are literal
        close = starts[at]
        prose[start : close + len(text)] = _blank(para[start : close + len(text)])
        words[start:position] = " " * len(text)
        words[close : close + len(text)] = " " * len(text)
        position = close + len(text)
    return "".join(prose), "".join(words)


def only_tags(text: str) -> str:
    """``text`` with every '<' that opens no tag, closed comment or declaration made a space.

    Prose like "a <b" is harmless to a browser but makes html.parser rescan the rest of the
    page at each one, which a long page turns into minutes. What is left is also safe from
    html.parser's own failures: a "<![" opening no known section raises inside it.
    """
    last_close = text.rfind("-->")

    def keep(match: re.Match[str]) -> str:
        at = match.start()
        if (
            TAG_RE.match(text, at)
            or _DECLARATION_RE.match(text, at)
            or (text.startswith("<!--", at) and at < last_close)
        ):
            return "<"
        return " "

    return re.sub("<", keep, text)


def _blank_tags(text: str) -> str:
    """``text`` with its HTML tags blanked: an attribute's URL is not a link in the prose."""
    return TAG_RE.sub(lambda match: _blank(match.group()), text)
