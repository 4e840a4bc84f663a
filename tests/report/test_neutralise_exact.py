"""Each neutralising step's exact output: what a reader sees instead of a control character,
an @mention, a link or a workflow command."""

from __future__ import annotations

import pytest

from linkwatch.report.neutralise import (
    clean,
    clip,
    is_unsafe,
    markdown_code,
    markdown_link,
    markdown_text,
    marker_id,
    workflow_data,
    workflow_property,
)

Z = "\u200b"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\x1bb", "a\\x1bb"),
        ("x\x7f", "x\\x7f"),
        ("\x00", "\\x00"),
        ("r\u202el", "r\\u202el"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("lone\ud800", "lone\\ud800"),
        ("a\rb\nc\td\x0be\x0cf\x85g\u2028h\u2029i", "a b c d e f g h i"),
        ("café ✓", "café ✓"),
    ],
)
def test_clean_exactly(text, shown):
    assert clean(text) == shown


def test_is_unsafe_by_category():
    assert [is_unsafe(c) for c in "\x1b\u202e\u200b\ud800\u2028a é"] == [
        True,
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]


@pytest.mark.parametrize(
    ("text", "limit", "clipped"),
    [("abc", 3, "abc"), ("abcd", 3, "ab…"), ("abc", 1, "…"), ("abc", 0, "…"), ("", 0, "")],
)
def test_clip_exactly(text, limit, clipped):
    assert clip(text, limit) == clipped


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("@team", f"@{Z}team"),
        ("see #12", f"see \\#{Z}12"),
        ("a@b", f"a@{Z}b"),
        ("at https://x.org/a, then", "at `https://x.org/a`, then"),
        ("path https://x.org/a). end", "path `https://x.org/a`\\). end"),
        ("www.x.org", f"www{Z}.x.org"),
        ("mailto:me", f"mailto{Z}\\:me"),
        ("ftp: Http. text", f"ftp{Z}\\: Http{Z}. text"),
        ("<b>*x*</b>", "\\<b\\>\\*x\\*\\</b\\>"),
        ("& | ~!#(){}:", "\\& \\| \\~\\!\\#\\(\\)\\{\\}\\:"),
        ("_[x]_ `c`", "\\_\\[x\\]\\_ \\`c\\`"),
        ("two\nlines", "two lines"),
    ],
)
def test_markdown_text_exactly(text, shown):
    assert markdown_text(text) == shown


def test_markdown_link_exactly():
    assert markdown_link("https://x.org/a b(c)<d>\\e_*[]") == (
        "[https\\://x.org/a b\\(c\\)\\<d\\>\\\\e\\_\\*\\[\\]]"
        "(https://x.org/a%20b\\(c\\)\\<d\\>\\\\e_*[])"
    )
    assert markdown_link("https://x.org/\x1b") == "[https\\://x.org/\\\\x1b](https://x.org/\\\\x1b)"


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("a", "`a`"),
        ("a`b", "``a`b``"),
        ("`a", "`` `a ``"),
        ("a`", "`` a` ``"),
        (" ", "`   `"),
        ("", "`  `"),
        ("``x``", "``` ``x`` ```"),
    ],
)
def test_markdown_code_exactly(text, span):
    assert markdown_code(text) == span


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("ab-_9--> <x>", "ab-_9--x"),
        ("-->", "--"),
        ("!!!", "unknown"),
        ("x" * 70, "x" * 64),
    ],
)
def test_marker_id_exactly(text, marker):
    assert marker_id(text) == marker


def test_workflow_escapes_exactly():
    assert workflow_data("50%\r\n::error::x") == "50%25%0D%0A::error::x"
    assert workflow_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert workflow_data("\x1b[31m") == "\\x1b[31m"
