"""The ``markdown`` format: an issue-ready body whose counts match the exit code.

Sections follow ``summary.sections``: the links that fail the policy (checklist items), the
links worth a look that do not fail, and, collapsed, the links the run history is watching
(pending, recovering, recovered). Each item names the link, its owner and category, its
line in links.yaml, its URL as a working link, the reason and what to do.

Each item carries ``<!-- linkwatch:ID -->`` (the link's stable id) so a tracker or a script
can find and de-duplicate it; the body starts with ``<!-- linkwatch:report -->`` so the
nightly workflow finds its own issue. Text from the file or a server is escaped (no HTML,
no emphasis, no @mentions); the link's own URL (vetted: it is in links.yaml) is a link
whose target is exactly that URL, while any URL a server sent (a redirect's end, which may
be a hijacker's) is a code span that nobody clicks by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from linkwatch.judgement.policy import DEFAULT_FAIL_ON, FailOn
from linkwatch.report.neutralise import (
    clip,
    markdown_code,
    markdown_link,
    markdown_text,
    marker_id,
)
from linkwatch.report.summary import (
    archived_on,
    outcome_id,
    plural,
    sections,
    summary_line,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from linkwatch.models import Outcome, Report

REPORT_MARKER: Final = "<!-- linkwatch:report -->"
# GitHub rejects issue bodies over 65,536 characters; stop listing well before that.
MAX_CHARS: Final = 60_000
_TITLE_LIMIT: Final = 120
_REASON_LIMIT: Final = 300
# History kinds shown in the collapsed section rather than among the items.
_WATCHED: Final = ("pending", "recovering", "recovered")


def item_marker(outcome: Outcome) -> str:
    """The hidden marker that identifies one link's item across runs."""
    return f"<!-- linkwatch:{marker_id(outcome_id(outcome))} -->"


def _when(moment: datetime) -> str:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _headline(outcome: Outcome, config_path: str) -> str:
    """Name, status, where, owner and category: who should act, and on which line."""
    link = outcome.link
    code = f" (HTTP {outcome.http_status})" if outcome.http_status is not None else ""
    parts = [
        f"**{markdown_text(link.name)}**",
        f"{outcome.status.value}{code}",
        f"{markdown_code(config_path)} line {link.url_line}",
    ]
    if link.owner:
        parts.append(f"owner: {markdown_text(link.owner)}")
    if link.category:
        parts.append(f"category: {markdown_text(link.category)}")
    return " · ".join(parts)


def _item(outcome: Outcome, config_path: str, *, checkbox: bool, full: bool) -> str:
    """One item: what is wrong, where, whose it is, the URL and what to do."""
    box = "[ ] " if checkbox else ""
    lines = [f"- {box}{_headline(outcome, config_path)} {item_marker(outcome)}"]
    lines.append(f"  - URL: {markdown_link(outcome.checked_url)}")
    # Reduced items keep a reason of a few lines: a server can send any length.
    reason = outcome.reason if full else clip(outcome.reason, _REASON_LIMIT)
    lines.append(f"  - Reason: {markdown_text(reason)}")
    if outcome.history is not None:
        lines.append(f"  - History: {markdown_text(outcome.history.label)}")
    if outcome.action:
        lines.append(f"  - To do: {markdown_text(outcome.action)}")
    for finding in outcome.notes:
        # The domain watch's and the review reminder's own reason and action: kept even in
        # a reduced item, since a lapsed domain is the reason the link fails.
        said = f"  - {finding.topic.capitalize()}: {markdown_text(finding.text)}"
        if finding.action and finding.action != outcome.action:  # said once is enough
            said += f" To do: {markdown_text(finding.action)}"
        lines.append(said)
    if not full:
        return "\n".join(lines)
    if len(outcome.redirects) <= 1 and outcome.final_url not in {None, outcome.checked_url}:
        lines.append(f"  - Ends at: {markdown_code(outcome.final_url or '')}")
    if len(outcome.redirects) > 1:  # the chain shows where it ends: no "Ends at" twice
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
            f"  - Archived copy{archived_on(outcome)}: {markdown_link(outcome.archive_url)}"
        )
    return "\n".join(lines)


def _watched_line(outcome: Outcome, config_path: str) -> str:
    """One line in the collapsed history section."""
    label = outcome.history.label if outcome.history is not None else outcome.status.value
    return (
        f"- {_headline(outcome, config_path)} · {markdown_text(label)}"
        f" · {markdown_link(outcome.checked_url)} {item_marker(outcome)}"
    )


@dataclass(slots=True)
class _Budget:
    """What is left of GitHub's size limit for an issue body."""

    left: int

    def take(self, text: str) -> bool:
        if len(text) + 2 > self.left:
            return False
        self.left -= len(text) + 2
        return True


def _items(
    outcomes: Sequence[Outcome], config_path: str, budget: _Budget, *, checkbox: bool
) -> tuple[list[str], int]:
    """As many items as fit: in full if all fit so, else each reduced to its essentials;
    an item too long for what is left is passed over, so shorter ones after it still fit."""
    for full in (True, False):
        texts = [_item(o, config_path, checkbox=checkbox, full=full) for o in outcomes]
        # What taking them all costs: each text and its separator, as _Budget.take counts.
        if sum(len(t) + 2 for t in texts) <= budget.left or not full:
            break
    kept = [text for text in texts if budget.take(text)]
    return kept, len(outcomes) - len(kept)


def heading(report: Report, fail_on: FailOn = DEFAULT_FAIL_ON) -> str:
    """``linkwatch: 3 links fail · 2 worth a look``, or ``all 30 links healthy``."""
    split = sections(report, fail_on)
    if report.network_unavailable:
        return (
            f"linkwatch: {plural(len(report.outcomes), 'link')} not checked (network unavailable)"
        )
    parts = []
    if split.failing:
        verb = "fails" if len(split.failing) == 1 else "fail"
        parts.append(f"{plural(len(split.failing), 'link')} {verb}")
    if split.notable:
        parts.append(f"{len(split.notable)} worth a look")
    if not parts:
        return f"linkwatch: all {plural(len(report.outcomes), 'link')} healthy"
    return "linkwatch: " + " · ".join(parts)


def render(report: Report, *, fail_on: FailOn = DEFAULT_FAIL_ON) -> str:
    """The report as a Markdown issue body."""
    split = sections(report, fail_on)
    parts = [
        REPORT_MARKER,
        f"## {heading(report, fail_on)}",
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
        return "\n\n".join(parts) + "\n"
    # Whatever fails is a checklist item, history or not (the heading counts it); only links
    # that do not fail and that the history is watching are collapsed.
    failing = list(split.failing)
    watched = tuple(o for o in split.notable if o.history and o.history.kind in _WATCHED)
    notable = [o for o in split.notable if o not in watched]
    if not (failing or notable or watched):
        parts.append("No problems found.")
    budget = _Budget(MAX_CHARS - sum(len(p) + 2 for p in parts) - 400)  # room for the notes
    left_out = failing_left_out = 0
    # What fails comes first and is kept longest: it is why the run failed. While one failing
    # link is left out, nothing that does not fail takes its room.
    for title, members, checkbox in (
        ("Failing", failing, True),
        ("Worth a look, not failing", notable, False),
    ):
        if not members:
            continue
        if failing_left_out:
            left_out += len(members)
            continue
        section = f"### {title} ({len(members)})"
        budget.take(section)
        kept, dropped = _items(members, report.config_path, budget, checkbox=checkbox)
        left_out += dropped
        if checkbox:
            failing_left_out = dropped
        if kept:
            parts.append(section + "\n\n" + "\n".join(kept))
    if watched and failing_left_out:
        left_out += len(watched)
        watched = ()
    if watched:
        lines = [_watched_line(o, report.config_path) for o in watched]
        kept_lines = [line for line in lines if budget.take(line)]
        left_out += len(lines) - len(kept_lines)
        kinds = [k for k in _WATCHED if any(o.history and o.history.kind == k for o in watched)]
        counts = ", ".join(
            f"{sum(1 for o in watched if o.history and o.history.kind == k)} {k}" for k in kinds
        )
        if kept_lines:
            parts.append(
                f"<details><summary>Run history: {counts}</summary>\n\n"
                + "\n".join(kept_lines)
                + "\n\n</details>"
            )
    if left_out:
        failing_note = f", {failing_left_out} of them failing" if failing_left_out else ""
        parts.append(
            f"…and {plural(left_out, 'more link')} not listed here{failing_note} (the body"
            " would be too long for an issue); the JSON report has every link."
        )
    notes = [f"- {markdown_text(note)}" for note in report.domain_notes]
    kept_notes = [line for line in notes if budget.take(line)]
    if kept_notes:
        parts.append("Domain watch (not judged, not failing):\n\n" + "\n".join(kept_notes))
    return "\n\n".join(parts) + "\n"
