"""The markdown format: an issue body a script can de-duplicate."""

from __future__ import annotations

import re

from linkwatch.models import Flag, HistoryNote, Hop, Status
from linkwatch.report import OutputFormat, render
from linkwatch.report import markdown as md
from linkwatch.report.summary import outcome_id
from samples import make_link, make_outcome, sample_report


def test_starts_with_the_report_marker_and_a_heading(report):
    """The nightly workflow finds its issue by the first line."""
    lines = render(report, OutputFormat.MARKDOWN).splitlines()
    assert lines[0] == md.REPORT_MARKER
    assert lines[2] == "## linkwatch: 3 links fail · 3 worth a look"


def test_each_problem_is_a_checklist_item_with_marker_and_todo(report):
    """An item names the link, its line, what is wrong and what to do."""
    text = render(report, OutputFormat.MARKDOWN)
    hijacked = next(o for o in report.outcomes if o.link.name == "Hijacked charity")
    item = text[text.index("- [ ] **Hijacked charity**") :].split("\n\n")[0]
    assert item.splitlines() == [
        (
            "- [ ] **Hijacked charity** · redirected (HTTP 200) · `links.yaml` line 20"
            f" <!-- linkwatch:{outcome_id(hijacked)} -->"
        ),
        "  - URL: [https\\://charity.example/](https://charity.example/)",
        "  - Reason: redirects to another site\\: casino.example",
        "  - To do: check by hand\\: the domain may have lapsed; remove the link if so",
        "  - Redirects: `https://charity.example/` (302) → `https://casino.example/landing` (200)",
        "  - Flags: `cross_site_redirect`, `parked_domain`",
    ]


def test_failing_links_are_ticked_items_and_the_rest_plain(report):
    """Only what fails the policy is a checklist item; what is worth a look is a plain item."""
    text = render(report, OutputFormat.MARKDOWN)
    assert "### Failing (3)\n\n- [ ] **" in text
    assert "### Worth a look, not failing (3)\n\n- **Members area**" in text
    assert text.count("- [ ] ") == 3


def test_owner_and_category_show_and_a_handle_does_not_ping():
    """An item names the owner (a @handle, defused) and the category."""
    link = make_link(
        0, "PACE", "https://www.paceuk.info/", owner="@safeguarding-team", category="support"
    )
    text = render(
        sample_report(outcomes=(make_outcome(link, Status.BROKEN),)), OutputFormat.MARKDOWN
    )
    assert (
        "- [ ] **PACE** · broken · `links.yaml` line 4 · owner: @\u200bsafeguarding-team"
        " · category: support <!-- linkwatch:"
    ) in text


def test_markers_are_unique(report):
    """No two items share a marker."""
    markers = re.findall(r"<!-- linkwatch:([0-9a-f]+) -->", render(report, OutputFormat.MARKDOWN))
    assert len(markers) == len(set(markers)) == 6


def test_clean_run_says_so(clean_report):
    """A clean run has a heading, the summary and no items."""
    text = render(clean_report, OutputFormat.MARKDOWN)
    assert "## linkwatch: all 1 link healthy" in text
    assert "No problems found." in text
    assert "- [ ]" not in text


def test_unavailable_network_is_called_out(report):
    """A run without network warns that its results say nothing about the links."""
    text = render(sample_report(network_unavailable=True), OutputFormat.MARKDOWN)
    assert "**The network was unavailable**" in text


def test_body_stays_under_githubs_limit():
    """Thousands of failures are cut off with a count, under GitHub's 65,536 characters."""
    outcomes = tuple(
        make_outcome(make_link(i, f"link {i}", f"https://e{i}.example/{'x' * 100}"), Status.BROKEN)
        for i in range(2000)
    )
    text = render(sample_report(outcomes=outcomes), OutputFormat.MARKDOWN)
    assert len(text) < 65_536
    shown = text.count("- [ ] ")
    assert 0 < shown < 2000
    assert text.endswith(
        f"…and {2000 - shown} more links not listed here, {2000 - shown} of them failing (the"
        " body would be too long for an issue); the JSON report has every link.\n"
    )


def test_failures_are_kept_before_warnings_when_space_runs_out():
    """When the body would be too long, items lose their details first, then warnings go;
    every failing link is still listed."""
    failing = tuple(
        make_outcome(
            make_link(i, f"broken {i}", f"https://b{i}.example/{'y' * 60}"),
            Status.BROKEN,
            reason="x" * 150,
            flags=(Flag.TRACKING_PARAMS,),
            redirects=(
                Hop(f"https://b{i}.example/{'y' * 60}", 301),
                Hop(f"https://b{i}.example/{'z' * 200}", 404),
            ),
        )
        for i in range(120)
    )
    warned = tuple(
        make_outcome(make_link(200 + i, f"moved {i}", f"https://m{i}.example/"), Status.REDIRECTED)
        for i in range(300)
    )
    text = render(sample_report(outcomes=failing + warned), OutputFormat.MARKDOWN)
    assert len(text) < 65_536
    assert text.count("- [ ] ") == 120
    assert "  - Flags:" not in text  # details dropped to make room
    assert "more links not listed here" in text
    assert text.index("### Failing (120)") < text.index("### Worth a look")


def test_history_goes_in_a_collapsed_section():
    """Pending and recovered links are listed, collapsed, and are not checklist items."""
    pending = make_outcome(
        make_link(0, "Pending one", "https://p.example/"),
        Status.BROKEN,
        history=HistoryNote("pending", "pending (1 of 2 failing runs)", counts=False),
    )
    recovered = make_outcome(
        make_link(1, "Back again", "https://r.example/"),
        Status.OK,
        history=HistoryNote("recovered", "recovered (after 3 runs)", counts=False),
    )
    text = render(sample_report(outcomes=(pending, recovered)), OutputFormat.MARKDOWN)
    assert "## linkwatch: 2 worth a look" in text
    assert "- [ ]" not in text
    section = text[text.index("<details>") :]
    assert section.startswith("<details><summary>Run history: 1 pending, 1 recovered</summary>\n\n")
    assert (
        "- **Pending one** · broken · `links.yaml` line 4 · pending \\(1 of 2 failing runs\\)"
        " · [https\\://p.example/](https://p.example/)"
    ) in section
    assert section.endswith("</details>\n")


def test_a_failing_link_with_history_is_a_checklist_item_never_collapsed():
    """A recovering link (still failing the run) and a recovered but parked one are items
    under Failing, with their history; the heading and the section count agree."""
    recovering = make_outcome(
        make_link(0, "Recovering", "https://r.example/"),
        Status.OK,
        history=HistoryNote("recovering", "recovering (1 of 2 passing runs)", counts=True),
    )
    parked = make_outcome(
        make_link(1, "Parked again", "https://p.example/"),
        Status.OK,
        flags=(Flag.PARKED_DOMAIN,),
        history=HistoryNote("recovered", "recovered", counts=False),
    )
    text = render(sample_report(outcomes=(recovering, parked)), OutputFormat.MARKDOWN)
    assert "## linkwatch: 2 links fail\n" in text
    assert "### Failing (2)\n\n- [ ] **Recovering**" in text
    assert "- [ ] **Parked again**" in text
    assert "  - History: recovering \\(1 of 2 passing runs\\)" in text
    assert "<details>" not in text


def test_a_long_failing_item_does_not_crowd_out_shorter_ones_nor_warnings_take_its_room():
    """An item too long for what is left is passed over (shorter failing ones after it are
    still listed) and, while a failing link is left out, no warning is listed."""
    huge = make_outcome(
        make_link(0, "Huge", "https://h.example/" + "x" * 50_000), Status.BROKEN, reason="gone"
    )
    small = tuple(
        make_outcome(make_link(1 + i, f"small {i}", f"https://s{i}.example/"), Status.BROKEN)
        for i in range(20)
    )
    notable = tuple(
        make_outcome(make_link(100 + i, f"moved {i}", f"https://m{i}.example/"), Status.REDIRECTED)
        for i in range(5)
    )
    text = render(sample_report(outcomes=(huge, *small, *notable)), OutputFormat.MARKDOWN)
    assert len(text) < 65_536
    assert text.count("- [ ] ") == 20
    assert "**Huge**" not in text
    assert "### Worth a look" not in text
    assert text.endswith(
        "…and 6 more links not listed here, 1 of them failing (the body would be too long for"
        " an issue); the JSON report has every link.\n"
    )
