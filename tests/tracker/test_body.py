"""Issue text: markers that find the issue, and untrusted text that cannot do anything."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkwatch.models import Status
from linkwatch.tracker import body
from linkwatch.tracker.plan import Failure

HOSTILE = [
    "@everyone please look",
    "see #1 and GH-2",
    "<!-- linkwatch:aaaaaaaaaaaa -->",
    "<img src=x onerror=alert(1)>",
    "[click](https://evil.example/)",
    "**bold** _it_ `code` ~~gone~~ | table |",
    "line one\n# Heading\n- item",
    "\x1b[31mred\x1b[0m\x07",
    "right\u202eto-left",
]


def failure(**overrides):
    values = {
        "id": "abc123def456",
        "name": "NSPCC helpline",
        "url": "https://nspcc.example.org/help",
        "status": Status.BROKEN,
        "reason": "404 Not Found",
        "action": "find the new address",
        "http_status": 404,
    }
    values.update(overrides)
    return Failure(**values)


def test_body_carries_both_markers_and_parses_back():
    """The id marker and the status marker are read back from the body."""
    text = body.body(failure())
    assert text.startswith("<!-- linkwatch:abc123def456 -->\n<!-- linkwatch-sync status=broken -->")
    assert body.parse(text) == ("abc123def456", Status.BROKEN)


def test_body_shows_the_details():
    """URL, status with code, reason, final URL and action are all there."""
    text = body.body(failure(final_url="https://elsewhere.example/", since=None))
    assert "`https://nspcc.example.org/help`" in text
    assert "broken (HTTP 404)" in text
    assert "404 Not Found" in text
    assert "`https://elsewhere.example/`" in text
    assert "find the new address" in text


def test_body_says_who_owns_the_link_and_where_it_is_listed():
    """Owner, category and the links.yaml line follow the reason and the action, exactly."""
    text = body.body(
        failure(
            owner="@safeguarding-team",
            category="Helplines",
            place="links.yaml:12",
            since=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
        )
    )
    assert text == (
        "<!-- linkwatch:abc123def456 -->\n"
        "<!-- linkwatch-sync status=broken -->\n"
        "**NSPCC helpline** is failing since 2026-11-20.\n"
        "\n"
        "- **URL:** `https://nspcc.example.org/help`\n"
        "- **Status:** broken (HTTP 404)\n"
        "- **Reason:** 404 Not Found\n"
        "- **What to do:** find the new address\n"
        "- **Owner:** @\u2060safeguarding-team\n"
        "- **Category:** Helplines\n"
        "- **In the list:** links.yaml:12\n"
        "\n"
        "_Kept up to date by `linkwatch sync github` and closed when the link recovers."
        " Close it as **not planned** to stop linkwatch from reopening it._\n"
    )


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_owner_and_category_are_neutralised(hostile):
    """An owner or category cannot mention, link, inject HTML or break the list."""
    text = body.body(failure(owner=hostile, category=hostile, place=hostile))
    payload = text.split("\n", 2)[2]
    assert body.parse(text) == ("abc123def456", Status.BROKEN)
    assert "<" not in payload.replace("&lt;", "")
    assert "@everyone" not in payload
    assert "#1 " not in payload
    assert "\x1b" not in payload
    assert "\n# Heading" not in payload


@pytest.mark.parametrize(
    ("owner", "assignee"),
    [
        ("@alice", "alice"),
        (" @Bob-2 ", "Bob-2"),
        ("@" + "a" * 39, "a" * 39),
        ("@" + "a" * 40, None),
        ("alice", None),
        ("@-alice", None),
        ("@alice smith", None),
        ("Safeguarding team <team@example.org>", None),
        ("@alice/team", None),
        (None, None),
    ],
)
def test_only_a_github_handle_is_an_assignee(owner, assignee):
    """An owner is assignable only when it is exactly @ and a GitHub login."""
    assert failure(owner=owner).assignee == assignee


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "no markers",
        "<!-- linkwatch:abc -->",  # a Markdown report item, not a sync issue
        "<!-- linkwatch:abc -->\n<!-- linkwatch:def -->\n<!-- linkwatch-sync status=broken -->",
    ],
)
def test_issues_that_are_not_ours_are_ignored(text):
    """Only one id marker plus a sync marker makes an issue ours."""
    assert body.parse(text) is None


def test_unknown_status_in_marker_parses_as_unknown():
    """A status this version does not know still identifies the issue."""
    assert body.parse("<!-- linkwatch:x -->\n<!-- linkwatch-sync status=weird -->") == ("x", None)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_neutralised(hostile):
    """Names and reasons cannot mention, link, forge markers, inject HTML or break lines."""
    text = body.body(failure(name=hostile, reason=hostile, action=hostile))
    assert body.parse(text) == ("abc123def456", Status.BROKEN)
    payload = text.split("\n", 2)[2]
    assert "<" not in payload.replace("&lt;", "")
    assert "@everyone" not in payload
    assert "#1 " not in payload
    assert "\x1b" not in payload
    assert "\u202e" not in payload
    assert not re.search(r"(?<!\\)\]\(", payload)
    assert "\n# Heading" not in payload


@pytest.mark.parametrize("url", ["https://x.example/`a``b`", "`", "https://x.example/\n@you"])
def test_code_spans_cannot_be_escaped(url):
    """A URL with backticks stays inside one code span."""
    span = body.code(url)
    fence = span[: len(span) - len(span.lstrip("`"))]
    assert span.endswith(fence)
    assert fence not in span[len(fence) : -len(fence)]
    assert "\n" not in span


def test_title_is_one_clipped_line():
    """Titles are plain, single-line and bounded."""
    title = body.title(failure(name="a\nb" + "x" * 500))
    assert "\n" not in title
    assert len(title) == body.TITLE_LIMIT
    assert title.startswith("Link broken: a b")


@given(st.text(max_size=300))
def test_any_text_is_one_safe_line(value):
    """Whatever the input, the output has no raw <, no newline, no forged marker."""
    out = body.text(value)
    assert "\n" not in out
    assert "<" not in out
    assert body.parse(body.body(failure(name=value, reason=value))) == (
        "abc123def456",
        Status.BROKEN,
    )
