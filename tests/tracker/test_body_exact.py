"""Issue text byte for byte: the body, every comment, the title at its limit, the escapes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from linkwatch.models import Status
from linkwatch.tracker import body
from linkwatch.tracker.plan import Failure

FOOTER = (
    "_Kept up to date by `linkwatch sync github` and closed when the link recovers."
    " Close it as **not planned** to stop linkwatch from reopening it._"
)


def failure(**overrides):
    values = {
        "id": "abc123def456",
        "name": "NSPCC helpline",
        "url": "https://nspcc.example.org/help",
        "status": Status.BROKEN,
        "reason": "the page is not found (404)",
        "action": "Find the page's new address on the site, or remove the link.",
        "http_status": 404,
    }
    values.update(overrides)
    return Failure(**values)


def test_full_body_exactly():
    text = body.body(
        failure(
            final_url="https://evil.example.com/",
            since=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
            owner="@safeguarding-team",
            category="Helplines",
            place="links.yaml:12",
        )
    )
    wj = "\u2060"
    assert text == (
        "<!-- linkwatch:abc123def456 -->\n"
        "<!-- linkwatch-sync status=broken -->\n"
        "**NSPCC helpline** is failing since 2026-11-20.\n"
        "\n"
        "- **URL:** `https://nspcc.example.org/help`\n"
        "- **Status:** broken (HTTP 404)\n"
        "- **Reason:** the page is not found (404)\n"
        "- **Ends at:** `https://evil.example.com/`\n"
        "- **What to do:** Find the page's new address on the site, or remove the link.\n"
        f"- **Owner:** @{wj}safeguarding-team\n"
        "- **Category:** Helplines\n"
        "- **In the list:** links.yaml:12\n"
        "\n"
        f"{FOOTER}\n"
    )


def test_minimal_body_exactly():
    text = body.body(
        failure(
            status=Status.ERROR,
            http_status=None,
            action="",
            final_url="https://nspcc.example.org/help",
            reason="",
        )
    )
    assert text == (
        "<!-- linkwatch:abc123def456 -->\n"
        "<!-- linkwatch-sync status=error -->\n"
        "**NSPCC helpline** is failing.\n"
        "\n"
        "- **URL:** `https://nspcc.example.org/help`\n"
        "- **Status:** error\n"
        "- **Reason:** (empty)\n"
        "\n"
        f"{FOOTER}\n"
    )


def test_comments_exactly():
    broken = failure()
    assert body.changed_comment(Status.ERROR, broken) == (
        "Status changed from **error** to **broken (HTTP 404)**: the page is not found (404)"
    )
    assert body.changed_comment(None, broken) == (
        "Status changed from **unknown** to **broken (HTTP 404)**: the page is not found (404)"
    )
    assert body.reopened_comment(failure(http_status=None, status=Status.ERROR)) == (
        "Failing again (error): the page is not found (404)"
    )
    assert body.recovered_comment(None) == (
        "This link is no longer in links.yaml, so linkwatch stops tracking it. Closing."
    )
    assert body.recovered_comment("ok (HTTP 200)") == (
        "Recovered: the link now answers **ok (HTTP 200)**. Closing."
    )
    assert body.recovered_comment("x" * 150) == (
        "Recovered: the link now answers **" + "x" * 99 + "…**. Closing."
    )
    assert body.duplicate_comment(7) == (
        "Duplicate of #7: linkwatch keeps one issue per link. Closing."
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("x" * 187, "Link broken: " + "x" * 187),  # 13 + 187 = 200: fits exactly
        ("x" * 188, "Link broken: " + "x" * 186 + "…"),
        ("  two\n lines\t", "Link broken: two lines"),
    ],
)
def test_title_limit(name, expected):
    assert body.title(failure(name=name)) == expected


@pytest.mark.parametrize(
    ("value", "limit", "expected"),
    [
        ("abc", 3, "abc"),
        ("abcd", 3, "ab…"),
        ("a<b>&c", 500, "a&lt;b&gt;&amp;c"),
        ("*_`[]|~!\\", 500, "\\*\\_\\`\\[\\]\\|\\~\\!\\\\"),
        ("@me #1", 500, "@\u2060me #\u20601"),
        ("a\u200bb\u202ec", 500, "abc"),
        ("a\x1bb\x07c", 500, "a b c"),
        ("a\u2028b\u2029c", 500, "a b c"),
        ("   ", 500, "(empty)"),
        ("", 500, "(empty)"),
    ],
)
def test_text_exactly(value, limit, expected):
    assert body.text(value, limit) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://x.org/", "`https://x.org/`"),
        ("a`b", "``a`b``"),
        ("a``b`", "``` a``b` ```"),
        ("`a", "`` `a ``"),
        ("", "`  `"),
    ],
)
def test_code_exactly(value, expected):
    assert body.code(value) == expected


def test_code_is_clipped_at_the_url_limit():
    assert body.code("u" * 2001) == "`" + "u" * 1999 + "…`"
    assert body.code("u" * 2000) == "`" + "u" * 2000 + "`"


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        (
            "<!-- linkwatch:abc -->\n<!-- linkwatch-sync status=error -->",
            ("abc", Status.ERROR),
        ),
        (
            "<!-- linkwatch:abc -->\n<!-- linkwatch:abc -->\n<!-- linkwatch-sync status=ok -->",
            ("abc", Status.OK),
        ),
        ("<!-- linkwatch:abc -->\n<!-- linkwatch-sync status=nope -->", ("abc", None)),
        ("<!-- linkwatch:abc -->\n<!-- linkwatch:def -->\n<!-- linkwatch-sync status=ok -->", None),
        ("<!-- linkwatch:abc -->", None),
        ("<!-- linkwatch-sync status=ok -->", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_exactly(text, parsed):
    assert body.parse(text) == parsed


def test_surrogates_private_use_and_unassigned_characters_are_dropped():
    assert body.text("a\ud800b\ue000c\u0378d") == "abcd"


def test_owner_category_and_place_are_clipped_at_their_limits():
    text = body.body(failure(owner="o" * 101, category="c" * 100, place="p" * 301))
    assert "- **Owner:** " + "o" * 99 + "…\n" in text
    assert "- **Category:** " + "c" * 100 + "\n" in text
    assert "- **In the list:** " + "p" * 299 + "…\n" in text
