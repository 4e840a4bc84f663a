"""The Markdown body, byte for byte: one item of each kind, the heading in each case, a
hijacked final URL never clickable, and the size budget at its limit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from linkwatch.models import Flag, HistoryNote, Hop, Report, Status
from linkwatch.report import markdown
from linkwatch.report.markdown import MAX_CHARS, _Budget, heading, render
from report.builders import T0, link, outcome


def report(*outcomes, offline=False):
    return Report(
        tool_version="1.2.3",
        config_path="links.yaml",
        started=T0,
        finished=T0 + timedelta(seconds=2),
        outcomes=outcomes,
        network_unavailable=offline,
    )


HIJACK = "https://evil.example.com/win"


def test_a_full_failing_item_exactly():
    lk = link(owner="Safeguarding team", category="Helplines")
    hijacked = outcome(
        lk,
        status=Status.REDIRECTED,
        reason=f"moved permanently to {HIJACK}",
        action="Open the link before changing anything.",
        flags=(Flag.CROSS_SITE_REDIRECT, Flag.TRACKING_PARAMS),
        http_status=200,
        final_url=HIJACK,
        redirects=(Hop(lk.url, 301), Hop(HIJACK, 200)),
        stripped_params=("utm_source",),
        title="You *won*",
        archive_url="https://web.archive.org/web/2019/https://0.example.org/help",
        archive_timestamp=datetime(2019, 3, 18, tzinfo=UTC),
        history=HistoryNote("new", "new", True),
    )
    body = render(report(hijacked))
    marker = markdown.item_marker(hijacked)
    assert marker.startswith("<!-- linkwatch:")
    assert body == (
        "<!-- linkwatch:report -->\n\n"
        "## linkwatch: 1 link fails\n\n"
        "**1 link: 1 redirected · 2.0 s** · `links.yaml` · checked 2026-11-27 03:00 UTC by"
        " linkwatch 1.2.3\n\n"
        "### Failing (1)\n\n"
        "- [ ] **Helpline** · redirected (HTTP 200) · `links.yaml` line 4 · owner: Safeguarding"
        f" team · category: Helplines {marker}\n"
        "  - URL: [https\\://0.example.org/help](https://0.example.org/help)\n"
        f"  - Reason: moved permanently to `{HIJACK}`\n"
        "  - History: new\n"
        "  - To do: Open the link before changing anything.\n"
        f"  - Redirects: `https://0.example.org/help` (301) → `{HIJACK}` (200)\n"
        "  - Flags: `cross_site_redirect`, `tracking_params`\n"
        "  - Tracking parameters to remove: `utm_source`\n"
        "  - Page title: You \\*won\\*\n"
        "  - Archived copy on 2019-03-18:"
        " [https\\://web.archive.org/web/2019/https\\://0.example.org/help]"
        "(https://web.archive.org/web/2019/https://0.example.org/help)\n"
    )
    # The server's URL is never the target of a link.
    assert f"]({HIJACK})" not in body
    assert f"[{HIJACK}]" not in body


def test_a_notable_item_has_no_checkbox_and_no_empty_lines():
    lk = link()
    slow = outcome(
        lk, status=Status.OK, reason="HTTP 200", action="", flags=(Flag.SLOW,), http_status=200
    )
    body = render(report(slow))
    marker = markdown.item_marker(slow)
    assert body.endswith(
        "### Worth a look, not failing (1)\n\n"
        f"- **Helpline** · ok (HTTP 200) · `links.yaml` line 4 {marker}\n"
        "  - URL: [https\\://0.example.org/help](https://0.example.org/help)\n"
        "  - Reason: HTTP 200\n"
        "  - Flags: `slow`\n"
    )
    assert "## linkwatch: 1 worth a look\n" in body


def test_final_url_equal_to_the_checked_url_and_a_single_hop_are_not_repeated():
    lk = link()
    same = outcome(lk, final_url=lk.url, redirects=(Hop(lk.url, 404),), http_status=404)
    body = render(report(same))
    assert "Ends at" not in body
    assert "Redirects" not in body
    hop_without_code = outcome(lk, redirects=(Hop(lk.url, 301), Hop(HIJACK, None)))
    assert f"  - Redirects: `{lk.url}` (301) → `{HIJACK}`\n" in render(report(hop_without_code))


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((Status.BROKEN,), "linkwatch: 1 link fails"),
        ((Status.BROKEN, Status.ERROR), "linkwatch: 2 links fail"),
        ((Status.BROKEN, Status.BLOCKED), "linkwatch: 1 link fails · 1 worth a look"),
        ((Status.BLOCKED, Status.BLOCKED), "linkwatch: 2 worth a look"),
        ((Status.OK,), "linkwatch: all 1 link healthy"),
        ((Status.OK, Status.OK), "linkwatch: all 2 links healthy"),
        ((), "linkwatch: all 0 links healthy"),
    ],
)
def test_heading(statuses, expected):
    outcomes = [outcome(link(index=i), status=s) for i, s in enumerate(statuses)]
    assert heading(report(*outcomes)) == expected


def test_heading_and_body_when_offline():
    run = report(outcome(link()), outcome(link(index=1)), offline=True)
    assert heading(run) == "linkwatch: 2 links not checked (network unavailable)"
    assert render(run) == (
        "<!-- linkwatch:report -->\n\n"
        "## linkwatch: 2 links not checked (network unavailable)\n\n"
        "**2 links not checked · 2.0 s · network unavailable** · `links.yaml` · checked"
        " 2026-11-27 03:00 UTC by linkwatch 1.2.3\n\n"
        "> **The network was unavailable**: no link could be reached, so these results say"
        " nothing about the links. Run the check again.\n"
    )


def test_a_clean_run_exactly():
    assert render(report(outcome(link(), status=Status.OK))) == (
        "<!-- linkwatch:report -->\n\n"
        "## linkwatch: all 1 link healthy\n\n"
        "**1 link: 1 ok · 2.0 s** · `links.yaml` · checked 2026-11-27 03:00 UTC by linkwatch"
        " 1.2.3\n\n"
        "No problems found.\n"
    )


def test_a_naive_start_time_is_read_as_utc():
    naive = datetime(2026, 1, 2, 3, 4)  # noqa: DTZ001 - a report saved without a zone
    run = replace(report(), started=naive, finished=naive)
    assert "checked 2026-01-02 03:04 UTC" in render(run)


def test_history_section_exactly():
    pending = outcome(link(), history=HistoryNote("pending", "pending (1 failing run)", False))
    recovering = outcome(
        link(index=1),
        status=Status.OK,
        reason="HTTP 200",
        history=HistoryNote("recovering", "recovering (1 passing run)", True),
    )
    recovered = outcome(
        link(index=2), status=Status.OK, history=HistoryNote("recovered", "recovered", False)
    )
    body = render(report(pending, recovering, recovered))
    # The recovering link still fails the run: it is a checklist item, not collapsed.
    assert "### Failing (1)\n\n- [ ] **Helpline** · ok" in body
    assert "<details><summary>Run history: 1 pending, 1 recovered</summary>\n\n" in body
    assert (
        "- **Helpline** · broken · `links.yaml` line 4 · pending \\(1 failing run\\) ·"
        f" [https\\://0.example.org/help](https://0.example.org/help) {markdown.item_marker(pending)}"
    ) in body
    assert body.endswith("\n\n</details>\n")


def test_budget_take_is_exact_at_the_limit():
    budget = _Budget(12)
    assert budget.take("x" * 10) is True
    assert budget.left == 0
    assert budget.take("") is False
    budget = _Budget(11)
    assert budget.take("x" * 10) is False
    assert budget.left == 11


def test_a_long_reason_is_clipped_only_when_items_must_be_reduced():
    long_reason = "r" * 400
    lk = link()
    item = outcome(lk, reason=long_reason)
    assert f"  - Reason: {long_reason}\n" in render(report(item))
    reduced = markdown._item(item, "links.yaml", checkbox=True, full=False)
    assert "  - Reason: " + "r" * 299 + "…" in reduced
    assert "Ends at" not in reduced


def test_size_budget_reduces_then_drops_and_says_how_many():
    many = [
        outcome(link(f"Link {i}", index=i), reason="x" * 250, title="t" * 100) for i in range(400)
    ]
    body = render(report(*many))
    assert len(body) <= MAX_CHARS
    assert "Page title" not in body  # reduced items
    listed = body.count("- [ ] ")
    assert 0 < listed < 400
    assert body.endswith(
        f"…and {400 - listed} more links not listed here, {400 - listed} of them failing (the"
        " body would be too long for an issue); the JSON report has every link.\n"
    )


def test_everything_fits_in_full_just_below_the_limit():
    few = [outcome(link(f"Link {i}", index=i), title="t") for i in range(3)]
    body = render(report(*few))
    assert body.count("  - Page title: t\n") == 3
    assert "not listed here" not in body


def test_start_times_are_shown_in_utc_whatever_the_zone(monkeypatch):
    import time  # noqa: PLC0415
    from datetime import timezone  # noqa: PLC0415

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        paris = datetime(2026, 11, 27, 5, 0, tzinfo=timezone(timedelta(hours=2)))
        aware = replace(report(), started=paris, finished=paris)
        assert "checked 2026-11-27 03:00 UTC" in render(aware)
        naive = datetime(2026, 1, 2, 3, 4)  # noqa: DTZ001 - read as UTC, not as local time
        naive_run = replace(report(), started=naive, finished=naive)
        assert "checked 2026-01-02 03:04 UTC" in render(naive_run)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_reduced_item_exactly():
    item = outcome(link(), stripped_params=("utm_source", "fbclid"), final_url=HIJACK)
    assert markdown._item(item, "links.yaml", checkbox=False, full=False) == (
        f"- **Helpline** · broken · `links.yaml` line 4 {markdown.item_marker(item)}\n"
        "  - URL: [https\\://0.example.org/help](https://0.example.org/help)\n"
        "  - Reason: the page is not found \\(404\\)\n"
        "  - To do: Find the page's new address on the site, or remove the link."
    )
    full = markdown._item(item, "links.yaml", checkbox=False, full=True)
    assert "  - Tracking parameters to remove: `utm_source`, `fbclid`" in full


def test_items_are_kept_in_full_exactly_while_they_fit():
    outcomes = [outcome(link(f"L{i}", index=i), title="t") for i in range(3)]
    texts = [markdown._item(o, "links.yaml", checkbox=True, full=True) for o in outcomes]
    room = sum(len(t) + 2 for t in texts)  # each text and its separator
    kept, dropped = markdown._items(outcomes, "links.yaml", _Budget(room), checkbox=True)
    assert (kept, dropped) == (texts, 0)
    kept, dropped = markdown._items(outcomes, "links.yaml", _Budget(room - 1), checkbox=True)
    assert dropped == 0
    assert all("Page title" not in text for text in kept)


def test_the_policy_decides_what_fails_in_the_body():
    slow = outcome(link(), status=Status.OK, reason="HTTP 200", action="", flags=(Flag.SLOW,))
    body = render(report(slow), fail_on=frozenset({Flag.SLOW}))
    assert "## linkwatch: 1 link fails\n" in body
    assert "### Failing (1)\n\n- [ ] **Helpline**" in body
    assert "No problems found." not in render(report(slow))


def test_left_out_counts_every_section():
    def many(status, start, history=None, **fields):
        return [
            outcome(
                link(f"L{i}", index=i),
                status=status,
                reason="r" * 250,
                history=history,
                **fields,
            )
            for i in range(start, start + 300)
        ]

    pending = HistoryNote("pending", "pending (1 failing run)", False)
    outcomes = [
        *many(Status.BROKEN, 0),
        *many(Status.BLOCKED, 300),
        *many(Status.BROKEN, 600, history=pending),
    ]
    body = render(report(*outcomes))
    listed = sum(line.startswith(("- [ ] **L", "- **L")) for line in body.splitlines())
    # While a failing link is left out, no warning takes its room: all 600 others are counted.
    assert listed < 300
    assert "### Worth a look" not in body
    assert body.endswith(
        f"…and {900 - listed} more links not listed here, {300 - listed} of them failing (the"
        " body would be too long for an issue); the JSON report has every link.\n"
    )
    assert len(body) <= MAX_CHARS


def test_two_watched_links_are_two_lines():
    pending = HistoryNote("pending", "pending (1 failing run)", False)
    body = render(report(outcome(link(), history=pending), outcome(link(index=1), history=pending)))
    assert "<details><summary>Run history: 2 pending</summary>\n\n- **Helpline**" in body
    assert "-->\n- **Helpline** · broken · `links.yaml` line 8 · pending" in body
