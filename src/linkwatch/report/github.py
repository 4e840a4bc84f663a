"""The ``github`` format: workflow commands that annotate links.yaml on the right line.

A link that fails the ``--fail-on`` policy is an ``::error``, a link worth a look a
``::warning``: the same split, and so the same counts, as the table and the Markdown body.
All text is escaped as GitHub's workflow commands require (``%``, CR, LF; plus ``:`` and
``,`` in properties), so nothing in it can end the command or start another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkwatch.judgement.policy import DEFAULT_FAIL_ON, FailOn, fails
from linkwatch.report.markdown import heading
from linkwatch.report.neutralise import clip, workflow_data, workflow_property
from linkwatch.report.summary import archived_on, sections, summary_line

if TYPE_CHECKING:
    from linkwatch.models import Outcome, Report


def annotation(outcome: Outcome, config_path: str, fail_on: FailOn) -> str:
    """One ``::error`` or ``::warning`` line for a problem."""
    level = "error" if fails(outcome, fail_on) else "warning"
    link = outcome.link
    title = f"linkwatch: {outcome.status.value}: {clip(link.name, 80)}"
    properties = ",".join(
        (
            f"file={workflow_property(config_path)}",
            f"line={link.url_line}",
            f"col={link.url_column}",
            f"title={workflow_property(title)}",
        )
    )
    message = f"{outcome.checked_url}: {outcome.reason}"
    if outcome.final_url and outcome.final_url != outcome.checked_url:
        message += f" (now {outcome.final_url})"
    if outcome.flags:
        message += " [" + ", ".join(f.value for f in outcome.flags) + "]"
    if outcome.history is not None:
        message += f" ({outcome.history.label})"
    if outcome.action:
        message += f". {outcome.action}"
    for finding in outcome.notes:
        message += f" {finding.topic.capitalize()}: {finding.text}"
        if finding.action and finding.action != outcome.action:  # said once is enough
            message += f" {finding.action}"
    if outcome.archive_url:
        message += f" Archived copy{archived_on(outcome)}: {outcome.archive_url}"
    return f"::{level} {properties}::{workflow_data(message)}"


def render(report: Report, *, fail_on: FailOn = DEFAULT_FAIL_ON) -> str:
    """An error per failing link, a warning per link worth a look, then the headline."""
    if report.network_unavailable:
        return (
            "::error title=linkwatch::The network was unavailable; no link was reached\n"
            + summary_line(report)
            + "\n"
        )
    split = sections(report, fail_on)
    lines = [annotation(o, report.config_path, fail_on) for o in (*split.failing, *split.notable)]
    # A registry that did not answer is a notice: never an error, never a false alarm.
    lines.extend(
        f"::notice title=linkwatch domain watch::{workflow_data(note)}"
        for note in report.domain_notes
    )
    lines.append(f"{heading(report, fail_on)} · {summary_line(report)}")
    return "\n".join(lines) + "\n"
