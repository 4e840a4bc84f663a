"""Every format renders the same report and shows every problem."""

from __future__ import annotations

import json

import pytest

from linkwatch.report import OutputFormat, render
from linkwatch.report.neutralise import markdown_link
from linkwatch.report.summary import outcome_id, sections, summary_line
from samples import HOSTILE_NAME


def test_every_format_renders(report):
    """Each OutputFormat member renders to non-empty text ending in a newline."""
    for fmt in OutputFormat:
        text = render(report, fmt)
        assert text.strip()
        assert text.endswith("\n")


def test_every_problem_appears_in_every_format(report):
    """Each link that fails or is worth a look is in the table, JSON, Markdown and annotations."""
    split = sections(report)
    shown = (*split.failing, *split.notable)
    assert [(o.status.value, o.link.name) for o in shown] == [
        ("broken", HOSTILE_NAME),
        ("error", "Slow forum"),
        ("redirected", "Hijacked charity"),  # cross-site and parked: fails by default
        ("blocked", "Members area"),
        ("redirected", "Moved helpline"),
        ("ok", "NSPCC advice"),
    ]
    table = render(report, OutputFormat.TABLE).splitlines()
    doc = json.loads(render(report, OutputFormat.JSON))
    markdown = render(report, OutputFormat.MARKDOWN)
    github = render(report, OutputFormat.GITHUB).splitlines()
    for outcome in shown:
        key = outcome_id(outcome)
        assert f"  {outcome.checked_url}" in table  # whole, on a line of its own
        assert any(r["id"] == key and r["status"] == outcome.status for r in doc["links"])
        assert f"<!-- linkwatch:{key} -->" in markdown
        assert f"  - URL: {markdown_link(outcome.checked_url)}\n" in markdown
        assert any(
            f"line={outcome.link.url_line}," in line and outcome.checked_url in line
            for line in github
        )


def test_failing_links_are_checklist_items_and_healthy_ones_are_absent(report):
    """Markdown ticks what fails; every format leaves out the healthy and the skipped-by-list."""
    markdown = render(report, OutputFormat.MARKDOWN)
    github = render(report, OutputFormat.GITHUB)
    assert markdown.count("- [ ] ") == 3
    assert markdown.count("\n- **") == 3
    assert github.count("\n::") + github.startswith("::") == 6
    for name in ("Intranet", "Childline"):
        assert name not in markdown
        assert name not in github


@pytest.mark.parametrize("fmt", [OutputFormat.TABLE, OutputFormat.MARKDOWN, OutputFormat.GITHUB])
def test_human_formats_carry_the_summary_line(report, fmt):
    """Table, Markdown and annotations all end or begin with the same summary."""
    assert summary_line(report) in render(report, fmt)
