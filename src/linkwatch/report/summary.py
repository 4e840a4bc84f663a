"""Pure summaries of a report: counts per status, what counts as a problem, the one-line summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from linkwatch import urls
from linkwatch.judgement.policy import DEFAULT_FAIL_ON, FailOn, fails
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


# History kinds that a maintainer should hear about even when the link does not fail now.
_WATCHED_HISTORY = frozenset({"pending", "recovering", "recovered"})


def skipped_by_list(outcome: Outcome) -> bool:
    """A link its list says not to check (``skip:``): a choice, not something to look at."""
    return outcome.status is Status.SKIPPED and outcome.link.policy.skip is not None


def worth_a_look(outcome: Outcome) -> bool:
    """Whether a link deserves a maintainer's eye even if it does not fail the run.

    A bad status (also one the history does not count yet), any flag, a history worth
    knowing (pending, recovering, recovered), or a link that was not requested for a reason
    the maintainer can change (a private address): only an ok link with nothing to say, or
    one its list skips on purpose, is healthy.
    """
    if outcome.flags or outcome.status in PROBLEM_STATUSES:
        return True
    if outcome.history is not None and outcome.history.kind in _WATCHED_HISTORY:
        return True
    return outcome.status is Status.SKIPPED and not skipped_by_list(outcome)


@dataclass(frozen=True, slots=True)
class Sections:
    """A report split the way every format shows it: what fails, what to look at, the rest."""

    failing: tuple[Outcome, ...]  # fail the policy: the exit code is 1 because of these
    notable: tuple[Outcome, ...]  # worth a look, but do not fail the run
    healthy: tuple[Outcome, ...]  # ok with nothing to say, or skipped by the list itself


def sections(report: Report, fail_on: FailOn = DEFAULT_FAIL_ON) -> Sections:
    """Each outcome in exactly one section, worst status first, file order within a status."""
    ranked = sorted(report.outcomes, key=lambda o: (status_rank(o.status), o.link.index))
    failing = tuple(o for o in ranked if fails(o, fail_on))
    rest = [o for o in ranked if not fails(o, fail_on)]
    return Sections(
        failing=failing,
        notable=tuple(o for o in rest if worth_a_look(o)),
        healthy=tuple(sorted((o for o in rest if not worth_a_look(o)), key=_file_order)),
    )


def _file_order(outcome: Outcome) -> int:
    return outcome.link.index


def location(outcome: Outcome, config_path: str) -> str:
    """``links.yaml:12``: the list's file name and the line of the link's URL."""
    name = config_path.replace("\\", "/").rsplit("/", 1)[-1] or config_path
    return f"{name}:{outcome.link.url_line}"


def problems(report: Report) -> tuple[Outcome, ...]:
    """The problems, worst status first, in file order within a status."""
    ranked = sorted(report.outcomes, key=lambda o: (status_rank(o.status), o.link.index))
    return tuple(o for o in ranked if is_problem(o))


def status_rank(status: Status) -> int:
    """0 for the worst status (broken), rising to ok."""
    return list(Status).index(status)


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
    if report.network_unavailable:
        # Every link would read "error": nothing was judged, so say only that.
        head = f"{plural(len(report.outcomes), 'link')} not checked"
    line = f"{head} · {max(report.duration_s, 0.0):.1f} s"
    if report.network_unavailable:
        line += " · network unavailable"
    return line


def archived_on(outcome: Outcome) -> str:
    """`` on 2019-03-18`` for an archived copy with a capture date; empty without one."""
    when = outcome.archive_timestamp
    return f" on {when.strftime('%Y-%m-%d')}" if when is not None else ""
