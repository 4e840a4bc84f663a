"""Hostile strings from servers and files are harmless in every format."""

from __future__ import annotations

import json
import re
import unicodedata
from urllib.parse import unquote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from linkwatch.report import OutputFormat, render
from linkwatch.report.json import load_report
from linkwatch.report.neutralise import (
    ZWSP,
    clean,
    clip,
    markdown_code,
    markdown_link,
    markdown_text,
    marker_id,
    url_spans,
    workflow_data,
    workflow_property,
)
from samples import HOSTILE_NAME, HOSTILE_REASON, HOSTILE_TITLE, sample_report


def _unsafe_chars(text: str) -> set[str]:
    """Unsafe characters other than newline (layout) and the ZWSP linkwatch adds itself."""
    return {
        c
        for c in text
        if c not in "\n" + ZWSP and unicodedata.category(c) in {"Cc", "Cf", "Cs", "Zl", "Zp"}
    }


def test_clean_escapes_terminal_and_bidi_controls():
    """ESC, BEL, C1 and bidi overrides become visible escapes; line breaks become spaces."""
    assert clean("a\x1b[31mb\x07\x9b\u202ec\r\nd\u2028e") == ("a\\x1b[31mb\\x07\\x9b\\u202ec  d e")


@given(st.text())
def test_clean_never_leaves_an_unsafe_character(text):
    """Whatever comes in, nothing unsafe goes out."""
    assert not _unsafe_chars(clean(text))


def _inline_tokens(markdown: str) -> list[str]:
    """What a CommonMark parser (markdown-it, HTML on) makes of the text: inline token types."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [child.type for token in tokens for child in token.children or ()]


@given(st.text())
def test_markdown_text_never_opens_html_a_link_or_emphasis(text):
    """Whatever the text, a CommonMark parser sees only plain text and code spans in it."""
    kinds = set(_inline_tokens(markdown_text(text)))
    assert kinds <= {"text", "code_inline", "softbreak"}


@example("&GT;")  # an entity in a target is decoded: it must stay text
@example("&amp;x=1")
@given(st.text())
def test_markdown_link_targets_exactly_the_url(text):
    """A parser reads the link's target back as exactly the URL, and its text as the URL too."""
    url = "https://example.org/" + clean(text).strip()
    [paragraph] = [t for t in MarkdownIt("commonmark").parse(markdown_link(url)) if t.children]
    kinds = [child.type for child in paragraph.children]
    assert kinds[0] == "link_open"
    assert kinds[-1] == "link_close"
    href = paragraph.children[0].attrs["href"]
    # markdown-it percent-encodes what an href cannot hold raw; decoding gives the URL back.
    assert unquote(href) == unquote(url.replace(" ", "%20"))
    shown = "".join(c.content for c in paragraph.children[1:-1])
    assert shown == url.strip()


def test_markdown_text_breaks_mentions_references_and_autolinks():
    """@team, #1 and bare names stay plain text on GitHub; a URL is an exact, inert code span."""
    out = markdown_text("ping @org/team about #12 at https://evil.example/a_b. Or www.evil.example")
    assert out == (
        f"ping @{ZWSP}org/team about \\#{ZWSP}12 at `https://evil.example/a_b`."
        f" Or www{ZWSP}.evil.example"
    )


def test_markdown_code_survives_backticks():
    """A code span fence is longer than any backtick run inside it."""
    assert markdown_code("a`b") == "``a`b``"
    assert markdown_code("`x`") == "`` `x` ``"


def test_marker_id_cannot_close_the_comment():
    """An id from a tampered report cannot end the HTML comment."""
    assert marker_id("abc --> <img src=x>") == "abc--imgsrcx"
    assert marker_id("-->") == "--"
    assert marker_id("") == "unknown"


def test_workflow_escaping():
    """Data escapes %, CR, LF; properties also escape : and ,."""
    assert workflow_data("50%\r\n::error::x") == "50%25%0D%0A::error::x"
    assert workflow_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_table_shows_markup_literally_and_no_escape_sequences(report):
    """Rich markup in a name is printed as written, and no ESC reaches the terminal."""
    text = render(report, OutputFormat.TABLE, color=True)
    # Hyperlinks (OSC 8) are linkwatch's own, and only ever to a URL exactly as listed.
    targets = re.findall(r"\x1b\]8;[^;\x1b]*;([^\x1b]*)\x1b\\", text)
    assert set(targets) - {""} <= {o.checked_url for o in report.outcomes}
    assert "https://evil.example/@admin?q=<script>" in targets
    plain = re.sub(r"\x1b\]8;[^;\x1b]*;[^\x1b]*\x1b\\", "", text)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", plain)  # rich's own colours
    assert "[bold" in plain
    assert "red]Pwned[/]" in plain
    assert "\x1b" not in plain
    assert "\x07" not in text
    assert "\u202e" not in text
    assert "\\x1b[2J" in plain.replace("│", "").replace("\n", "").replace(" ", "")


def test_table_lines_never_start_a_workflow_command(report):
    """Every line of the table starts with a border or linkwatch's own text."""
    for line in render(report, OutputFormat.TABLE).splitlines():
        assert not line.lstrip().startswith("::")


def test_markdown_has_no_live_html_mentions_or_links(report):
    """The hostile name, reason and title render as inert text; the only links are the URLs
    of the list itself, each to exactly that URL (a redirect's end is never a link)."""
    text = render(report, OutputFormat.MARKDOWN)
    tokens = MarkdownIt("commonmark").parse(text)
    inline = [child for token in tokens for child in token.children or ()]
    html = [c.content for c in inline if c.type == "html_inline"]
    html += [t.content.strip() for t in tokens if t.type == "html_block"]
    assert all(re.fullmatch(r"<!-- linkwatch:[A-Za-z0-9_-]+ -->", h) for h in html), html
    hrefs = [unquote(c.attrs["href"]) for c in inline if c.type == "link_open"]
    assert hrefs
    assert set(hrefs) <= {o.checked_url for o in report.outcomes}
    assert "https://casino.example/landing" not in hrefs  # the hijacked link's end
    assert {c.type for c in inline} <= {
        "text",
        "code_inline",
        "softbreak",
        "html_inline",
        "link_open",
        "link_close",
        "strong_open",
        "strong_close",
    }
    assert "@everyone" not in text
    assert not _unsafe_chars(text)
    assert "\\x1b" in text


def test_annotations_stay_one_command_each(report):
    """A reason with CR/LF and ``::warning`` cannot start a second command."""
    lines = render(report, OutputFormat.GITHUB).splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == 6
    hostile = next(line for line in commands if "Pwned" in line)
    assert "%0D%0A::warning file=x::injected" in hostile
    assert not _unsafe_chars("\n".join(lines))
    # The properties end at the first '::' after the command name.
    properties = hostile.removeprefix("::error ").split("::", 1)[0]
    assert properties.count(",") == 3
    assert "@everyone" in properties  # only Markdown pings; annotations are plain text


def test_json_keeps_values_but_escapes_controls(report):
    """JSON round-trips hostile values exactly, written as escapes, never raw."""
    text = render(report, OutputFormat.JSON)
    assert not _unsafe_chars(text)
    assert "\\u001b[2J" in text
    assert "\\u202e" in text
    loaded = load_report(text, "r.json")
    by_index = {o.link.index: o for o in loaded.outcomes}
    assert by_index[3].link.name == HOSTILE_NAME
    assert by_index[3].title == HOSTILE_TITLE
    assert by_index[3].reason == HOSTILE_REASON


@given(st.text())
def test_json_round_trips_any_text(text):
    """Any string, lone surrogates and astral characters included, survives JSON."""
    r = sample_report()
    first = r.outcomes[0]
    changed = type(first)(
        **{
            **{f: getattr(first, f) for f in first.__slots__},
            "title": text,
            "reason": text,
        }
    )
    r2 = sample_report(outcomes=(changed,))
    rendered = render(r2, OutputFormat.JSON)
    rendered.encode("utf-8")  # writable as UTF-8 even with lone surrogates
    assert not _unsafe_chars(rendered)
    assert json.loads(rendered)["links"][0]["title"] == text
    assert load_report(rendered, "r.json").outcomes[0].title == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x _www.evil.example", f"x \\_www{ZWSP}.evil.example"),
        ("foo_https://evil.example", "foo\\_`https://evil.example`"),
    ],
)
def test_an_underscore_does_not_let_github_autolink(text, expected):
    """GitHub autolinks after '_', where \\b sees no word start: defused there too."""
    assert markdown_text(text) == expected


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        (
            "see https://en.wikipedia.org/wiki/Child_(law).",
            ["https://en.wikipedia.org/wiki/Child_(law)"],
        ),
        ("(see https://x.example/a)", ["https://x.example/a"]),
        (
            "moved to https://x.example/b, then https://y.example/c;",
            ["https://x.example/b", "https://y.example/c"],
        ),
        ("no url: http:/x and www.x", []),
    ],
)
def test_url_spans_keep_a_urls_own_brackets_and_drop_a_sentences(text, urls):
    """A closing bracket the URL opened stays; a sentence's punctuation does not."""
    assert [text[s:e] for s, e in url_spans(text)] == urls


def test_url_spans_take_linear_time_on_punctuation():
    """16,000 dots after a scheme: one greedy match (a lazy one re-scanned at every dot)."""
    text = "https://" + "." * 16_000
    assert url_spans(text) == [(0, 8)]


def test_clip_never_cuts_inside_a_url():
    """A reason clipped where a URL stands ends before the URL, not with half of it."""
    text = "moved to https://example.org/" + "a" * 50 + " today"
    assert clip(text, 40) == "moved to…"


def test_a_link_is_only_ever_to_a_web_address():
    """A tampered saved report's javascript: URL is shown as code, never as a link."""
    assert markdown_link("javascript:alert(1)") == "`javascript:alert(1)`"
