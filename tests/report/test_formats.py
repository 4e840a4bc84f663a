"""Every format renders the same report and shows every problem."""

from __future__ import annotations

import json

import pytest

from linkwatch.report import OutputFormat, render
from linkwatch.report.neutralise import markdown_code
from linkwatch.report.summary import outcome_id, problems, summary_line


def _table_columns(text: str) -> list[list[str]]:
    """Each table row's cells, with folded fragments joined back (spaces dropped)."""
    rows: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith(("┌", "├", "└")):
            if current is not None:
                rows.append(current)
            current = None if line.startswith("└") else []
        elif line.startswith("│") and current is not None:
            cells = [c.replace(" ", "") for c in line.strip("│").split("│")]
            current = cells if not current else [a + b for a, b in zip(current, cells, strict=True)]
    return rows


def test_every_format_renders(report):
    """Each OutputFormat member renders to non-empty text ending in a newline."""
    for fmt in OutputFormat:
        text = render(report, fmt)
        assert text.strip()
        assert text.endswith("\n")


def test_every_problem_appears_in_every_format(report):
    """Each problem can be found in the table, JSON, Markdown and annotations."""
    found = problems(report)
    assert len(found) == 6
    table = _table_columns(render(report, OutputFormat.TABLE))
    doc = json.loads(render(report, OutputFormat.JSON))
    markdown = render(report, OutputFormat.MARKDOWN)
    github = render(report, OutputFormat.GITHUB).splitlines()
    for outcome in found:
        key = outcome_id(outcome)
        assert any(row[3] == outcome.checked_url.replace(" ", "") for row in table)
        assert any(r["id"] == key and r["status"] == outcome.status for r in doc["links"])
        assert f"<!-- linkwatch:{key} -->" in markdown
        assert markdown_code(outcome.checked_url) in markdown
        assert any(
            f"line={outcome.link.url_line}," in line and outcome.checked_url in line
            for line in github
        )


def test_only_problems_are_listed_as_items(report):
    """Healthy and skipped links get no checklist item or annotation."""
    markdown = render(report, OutputFormat.MARKDOWN)
    github = render(report, OutputFormat.GITHUB)
    assert markdown.count("- [ ] ") == 6
    assert github.count("\n::") + github.startswith("::") == 6
    assert "Intranet" not in markdown
    assert "Childline" not in github


@pytest.mark.parametrize("fmt", [OutputFormat.TABLE, OutputFormat.MARKDOWN, OutputFormat.GITHUB])
def test_human_formats_carry_the_summary_line(report, fmt):
    """Table, Markdown and annotations all end or begin with the same summary."""
    assert summary_line(report) in render(report, fmt)
