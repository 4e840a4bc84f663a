"""The markdown format: an issue body a script can de-duplicate."""

from __future__ import annotations

import re

from linkwatch.models import Status
from linkwatch.report import OutputFormat, render
from linkwatch.report import markdown as md
from linkwatch.report.summary import outcome_id
from samples import make_link, make_outcome, sample_report


def test_starts_with_the_report_marker_and_a_heading(report):
    """The nightly workflow finds its issue by the first line."""
    lines = render(report, OutputFormat.MARKDOWN).splitlines()
    assert lines[0] == md.REPORT_MARKER
    assert lines[2] == "## linkwatch: 6 links need attention"


def test_each_problem_is_a_checklist_item_with_marker_and_todo(report):
    """An item names the link, its line, what is wrong and what to do."""
    text = render(report, OutputFormat.MARKDOWN)
    hijacked = next(o for o in report.outcomes if o.link.name == "Hijacked charity")
    item = text[text.index("- [ ] **Hijacked charity**") :].split("\n- [ ]")[0]
    assert f"<!-- linkwatch:{outcome_id(hijacked)} -->" in item
    assert "`links.yaml` line 20" in item
    assert "  - To do: check by hand\\: the domain may have lapsed" in item
    assert "  - Flags: `cross_site_redirect`, `parked_domain`" in item
    assert "`https://charity.example/` (302) → `https://casino.example/landing` (200)" in item


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
    """Thousands of problems are cut off with a count, under GitHub's 65,536 characters."""
    outcomes = tuple(
        make_outcome(make_link(i, f"link {i}", f"https://e{i}.example/{'x' * 100}"), Status.BROKEN)
        for i in range(2000)
    )
    text = render(sample_report(outcomes=outcomes), OutputFormat.MARKDOWN)
    assert len(text) < 65_536
    shown = text.count("- [ ] ")
    assert 0 < shown < 2000
    assert f"…and {2000 - shown} more problems not listed here" in text
