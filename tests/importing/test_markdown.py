"""Telling a Markdown page's prose from its code, comments and raw HTML, column for column."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkwatch.importing import markdown


def prose(text: str) -> list[str]:
    """The lines of ``text`` that keep any prose, stripped."""
    return [line.strip() for line in markdown.layers(text).prose if line.strip()]


@pytest.mark.parametrize(
    "text",
    [
        "```\ncode\n```\n",
        "```sh\ncode\n```\n",
        "~~~ python {.numbered}\ncode\n~~~\n",
        "   ```\ncode\n   ```\n",  # fences may stand three spaces in
        "````md\n```\ncode\n```\n````\n",  # a shorter fence inside does not close it
        "~~~\n```\ncode\n~~~\n",  # nor does a fence of the other character
        "```\ncode\n``` not a closer\ncode\n```\n",
        "```\ncode\n\n\ncode\n",  # an unterminated fence runs to the end
        "> ```\n> code\n> ```\n",  # in a block quote
    ],
)
def test_fenced_code_is_not_prose(text):
    """Fenced blocks, whatever their fence, info string or block quote, leave no prose."""
    assert prose(text) == []


def test_a_fence_in_a_list_item_may_stand_four_spaces_in():
    """Inside a list, a fence counts its indentation from the item's text."""
    assert prose("1. item\n\n    ```\n    code\n    ```\n\n    more\n") == ["1. item", "more"]


def test_a_fence_ends_with_its_block_quote():
    """A fence opened in a block quote ends where the quote does."""
    assert prose("> ```\n> code\nafter\n") == ["after"]


def test_a_backtick_fence_with_a_backtick_in_its_info_string_is_a_code_span():
    """```a``` on its own line is inline code, not the start of a block."""
    assert prose("```a``` text\nnext\n") == ["text", "next"]


def test_four_spaces_in_is_code_only_after_a_blank_line():
    """An indented line continuing a paragraph is prose; after a blank line it is code."""
    text = "para\n    continued\n\n    code\n\tcode too\n\nback\n"
    assert prose(text) == ["para", "continued", "back"]


def test_indented_code_counts_from_a_list_items_text():
    """In a list, four spaces in is the item's own paragraph; four more is code."""
    text = "- item\n\n    paragraph of the item\n\n        code\n\nout of the list\n\n    code\n"
    assert prose(text) == ["- item", "paragraph of the item", "out of the list"]


@pytest.mark.parametrize(
    "text",
    [
        "- Item\n    - Sub item\n\n    Parent paragraph\n",
        "1.  Install\n    1.  Download\n\n    Parent paragraph\n",
        "- a\n  - b\n    - c\n\n  Parent paragraph\n",
    ],
)
def test_a_paragraph_after_a_nested_list_belongs_to_the_enclosing_item(text):
    """Indented to a parent item's text after a sub-list, a paragraph is prose, not code."""
    assert prose(text)[-1] == "Parent paragraph"


def test_a_list_ends_at_a_line_left_of_every_items_text():
    """Once the list has ended, four columns in is code again."""
    text = "- Item\n    - Sub item\n\nout of the list\n\n    code\n"
    assert prose(text) == ["- Item", "- Sub item", "out of the list"]


def test_indented_code_may_follow_a_heading():
    """A heading is not a paragraph: the indented line after it is code."""
    assert prose("# Title\n    code\n") == ["# Title"]


@pytest.mark.parametrize(
    ("text", "kept", "words"),
    [
        ("a `code` b", "a        b", "a  code  b"),
        ("a ``co`de`` b", "a           b", "a   co`de   b"),
        ("a `unmatched b", "a `unmatched b", "a `unmatched b"),
        ("a ``x` b", "a ``x` b", "a ``x` b"),  # runs of different length do not pair
        ("a \\`x` b", "a \\`x` b", "a \\`x` b"),  # an escaped backtick opens nothing
        ("a <!-- x --> b", "a            b", "a            b"),
        ("a <!-- x b", "a <!-- x b", "a <!-- x b"),  # an unclosed comment in a line is text
    ],
)
def test_code_spans_and_inline_comments(text, kept, words):
    """Spans are blanked in the prose; in the words, code keeps its text but not its backticks."""
    view = markdown.layers(text)
    assert view.prose == (kept,)
    assert view.words == (words,)


def test_code_spans_cross_lines_but_not_paragraphs():
    """A code span may wrap within a paragraph; a blank line ends the search for its closer."""
    assert prose("a `x\ny` b\n") == ["a", "b"]
    assert prose("a `x\n\ny` b\n") == ["a `x", "y` b"]


@pytest.mark.parametrize(
    "text",
    [
        "- Press ` to open\n- next` item\n",
        "1. Press ` to open\n2. next` item\n",
        "| a ` b |\n| next` item |\n",
        "Press ` to open\n# next` item\n",
        "# Press ` to open\nnext` item\n",
        "> Press ` to open\nnext` item\n",
        "Press ` to open\n> next` item\n",
    ],
)
def test_code_spans_end_with_list_items_headings_table_rows_and_quotes(text):
    """A lone backtick never pairs with one in the next item, heading, row or block quote."""
    assert any("next` item" in line for line in prose(text))


def test_comment_blocks_run_to_their_end_or_the_documents():
    """A comment opening a line runs across blank lines to -->, or to the end if never closed."""
    assert prose("<!--\nx\n\ny\n--> after\n") == ["after"]
    assert prose("before\n<!-- x\n\ny\n") == ["before"]


def test_raw_html_blocks_go_to_the_html_view_only():
    """<pre>, <script>, <style> and <textarea> blocks are not prose, but stay for the HTML reader."""
    text = "<pre>\nx\n</pre>\n<script>\ny\n</script>\nprose\n"
    view = markdown.layers(text)
    assert prose(text) == ["prose"]
    assert view.html == text


def test_tags_are_blanked_in_the_prose_and_kept_in_the_html():
    """An attribute is not prose; an autolink is not a tag, nor is a '<' in prose."""
    view = markdown.layers('<a href="x">X</a> <https://e.org/> a <b')
    assert view.prose == ("            X     <https://e.org/> a <b",)
    # html.parser would rescan the rest of the page at each '<' opening no tag.
    assert view.html == '<a href="x">X</a>  https://e.org/> a  b'


def test_an_unknown_tag_holding_a_url_is_prose():
    """ "<see https://…>" is words and a link; <a href> and custom elements are still tags."""
    view = markdown.layers('<see https://l.example/> <a href="https://a.example/">')
    assert view.prose[0].startswith("<see https://l.example/>")
    assert "a.example" not in view.prose[0]
    assert "a.example" not in markdown.layers('<my-card src="https://c.example/">').prose[0]


def test_code_is_blanked_in_the_html_view_too():
    """An <a> quoted in code is an example, not a link."""
    view = markdown.layers('`<a href="x">`\n```\n<a href="y">\n```\n')
    assert "href" not in view.html


def test_line_endings_do_not_shift_lines():
    """CRLF and lone CR end lines as LF does."""
    assert markdown.layers("a\r\nb\rc\n").prose == ("a", "b", "c", "")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="`~ \t\n>-*<!->#abc:/[]()", max_size=200))
def test_every_view_keeps_every_line_and_column(text):
    """Whatever the text, a view only ever turns characters into spaces."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    view = markdown.layers(text)
    for seen in (view.prose, view.words, tuple(view.html.split("\n"))):
        assert len(seen) == len(lines)
        for mine, theirs in zip(seen, lines, strict=True):
            assert len(mine) == len(theirs)
            assert all(a in {b, " "} for a, b in zip(mine, theirs, strict=True))
