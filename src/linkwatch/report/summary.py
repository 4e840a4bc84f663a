"""Pure summaries of a report: counts per status, what counts as a problem, the one-line summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkwatch import urls
from linkwatch.models import Flag, Status

if TYPE_CHECKING:
    from linkwatch.models import Outcome, Report

# A status that needs a maintainer even without a flag.
PROBLEM_STATUSES = frozenset({Status.BROKEN, Status.ERROR, Status.BLOCKED, Status.REDIRECTED})


def outcome_id(outcome: Outcome) -> str:
    """The link's stable id: from the cleaned URL, so renames and unrelated edits keep it."""
    return urls.stable_id(outcome.checked_url)


def is_problem(outcome: Outcome) -> bool:
    """Whether a maintainer should look at this link (a bad status, or any flag).

    With run history, a failing status counts only once the history says so (``--fail-after``),
    and a link still recovering counts until ``--recover-after`` passing runs.
    """
    if outcome.history is not None:
        return outcome.history.counts or bool(outcome.flags)
    return outcome.status in PROBLEM_STATUSES or bool(outcome.flags)


def problems(report: Report) -> tuple[Outcome, ...]:
    """The problems, worst status first, in file order within a status."""
    ranked = sorted(report.outcomes, key=lambda o: (status_rank(o.status), o.link.index))
    return tuple(o for o in ranked if is_problem(o))


def status_rank(status: Status) -> int:
    """0 for the worst status (broken), rising to ok."""
    return list(Status).index(status)


def grouped(outcomes: tuple[Outcome, ...]) -> tuple[tuple[Status, tuple[Outcome, ...]], ...]:
    """Outcomes grouped by status, worst first, skipping empty groups; file order inside."""
    groups: list[tuple[Status, tuple[Outcome, ...]]] = []
    for status in Status:
        members = tuple(
            sorted((o for o in outcomes if o.status is status), key=lambda o: o.link.index)
        )
        if members:
            groups.append((status, members))
    return tuple(groups)


def status_counts(report: Report) -> dict[Status, int]:
    """How many links ended in each status, every status present (worst first)."""
    counts = dict.fromkeys(Status, 0)
    for outcome in report.outcomes:
        counts[outcome.status] += 1
    return counts


def flag_counts(report: Report) -> dict[Flag, int]:
    """How many links carry each flag, every flag present."""
    counts = dict.fromkeys(Flag, 0)
    for outcome in report.outcomes:
        for flag in set(outcome.flags):
            counts[flag] += 1
    return counts


def plural(count: int, noun: str) -> str:
    """``1 link``, ``2 links``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary_line(report: Report) -> str:
    """``5 links: 3 ok, 1 redirected, 1 broken · 2.3 s`` (best first, non-zero counts only)."""
    counts = status_counts(report)
    parts = [f"{n} {status.value}" for status, n in reversed(counts.items()) if n]
    head = plural(len(report.outcomes), "link")
    if parts:
        head += ": " + ", ".join(parts)
    line = f"{head} · {max(report.duration_s, 0.0):.1f} s"
    if report.network_unavailable:
        line += " · network unavailable"
    return line


def archived_on(outcome: Outcome) -> str:
    """`` on 2019-03-18`` for an archived copy with a capture date; empty without one."""
    when = outcome.archive_timestamp
    return f" on {when.strftime('%Y-%m-%d')}" if when is not None else ""
