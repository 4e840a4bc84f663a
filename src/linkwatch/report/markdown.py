"""The ``markdown`` format: an issue-ready body, one checklist item per problem.

Each item carries ``<!-- linkwatch:ID -->`` (the link's stable id) so a tracker or a script
can find and de-duplicate it; the body starts with ``<!-- linkwatch:report -->`` so the
nightly workflow finds its own issue. Text from the file or a server is escaped (no HTML,
no links, no @mentions); URLs are code spans, so a hijacked link is never one click away.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from linkwatch.report.neutralise import clip, markdown_code, markdown_text, marker_id
from linkwatch.report.summary import (
    PROBLEM_STATUSES,
    archived_on,
    grouped,
    outcome_id,
    plural,
    problems,
    summary_line,
)

if TYPE_CHECKING:
    from linkwatch.models import Outcome, Report

REPORT_MARKER: Final = "<!-- linkwatch:report -->"
# GitHub rejects issue bodies over 65,536 characters; stop listing well before that.
MAX_CHARS: Final = 60_000
_TITLE_LIMIT: Final = 120


def item_marker(outcome: Outcome) -> str:
    """The hidden marker that identifies one link's item across runs."""
    return f"<!-- linkwatch:{marker_id(outcome_id(outcome))} -->"


def _when(moment: datetime) -> str:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _item(outcome: Outcome, config_path: str) -> str:
    """One checklist item: what is wrong, where, and what to do."""
    link = outcome.link
    code = f" (HTTP {outcome.http_status})" if outcome.http_status is not None else ""
    head = (
        f"- [ ] **{markdown_text(link.name)}** — {markdown_code(outcome.checked_url)}{code}"
        f" · {markdown_code(config_path)} line {link.url_line} {item_marker(outcome)}"
    )
    lines = [head, f"  - Reason: {markdown_text(outcome.reason)}"]
    if outcome.history is not None:
        lines.append(f"  - History: {markdown_text(outcome.history.label)}")
    if outcome.action:
        lines.append(f"  - To do: {markdown_text(outcome.action)}")
    if outcome.final_url and outcome.final_url != outcome.checked_url:
        lines.append(f"  - Final URL: {markdown_code(outcome.final_url)}")
    if len(outcome.redirects) > 1:
        hops = " → ".join(
            markdown_code(hop.url) + (f" ({hop.status_code})" if hop.status_code else "")
            for hop in outcome.redirects
        )
        lines.append(f"  - Redirects: {hops}")
    if outcome.flags:
        lines.append("  - Flags: " + ", ".join(markdown_code(f.value) for f in outcome.flags))
    if outcome.stripped_params:
        names = ", ".join(markdown_code(p) for p in outcome.stripped_params)
        lines.append(f"  - Tracking parameters to remove: {names}")
    if outcome.title:
        lines.append(f"  - Page title: {markdown_text(clip(outcome.title, _TITLE_LIMIT))}")
    if outcome.archive_url:
        lines.append(
            f"  - Archived copy{archived_on(outcome)}: {markdown_code(outcome.archive_url)}"
        )
    return "\n".join(lines)


def render(report: Report) -> str:
    """The report as a Markdown issue body."""
    found = problems(report)
    if found:
        verb = "needs" if len(found) == 1 else "need"
        heading = f"## linkwatch: {plural(len(found), 'link')} {verb} attention"
    else:
        heading = f"## linkwatch: all {plural(len(report.outcomes), 'link')} healthy"
    parts = [
        REPORT_MARKER,
        heading,
        (
            f"**{summary_line(report)}** · {markdown_code(report.config_path)}"
            f" · checked {_when(report.started)} by linkwatch {markdown_text(report.tool_version)}"
        ),
    ]
    if report.network_unavailable:
        parts.append(
            "> **The network was unavailable**: no link could be reached, so these results"
            " say nothing about the links. Run the check again."
        )
    if not found:
        parts.append("No problems found.")
    size = sum(len(p) + 2 for p in parts)
    shown = 0
    for status, members in grouped(found):
        # Only flags bring an ok or skipped link here; say so, or the heading reads oddly.
        label = status.value if status in PROBLEM_STATUSES else f"{status.value}, with flags"
        section = f"### {label} ({len(members)})"
        items: list[str] = []
        for outcome in members:
            item = _item(outcome, report.config_path)
            if size + len(section) + len(item) + 4 > MAX_CHARS:
                break
            items.append(item)
            size += len(item) + 1
        if not items:
            break
        parts.append(section + "\n\n" + "\n".join(items))
        size += len(section) + 2
        shown += len(items)
        if len(items) < len(members):
            break
    if shown < len(found):
        parts.append(
            f"…and {plural(len(found) - shown, 'more problem')} not listed here"
            " (the body would be too long); see the JSON report."
        )
    return "\n\n".join(parts) + "\n"
