"""Pure memory across runs: per-link failure streaks, thresholds, and the marks a report shows.

A link's id is ``urls.stable_id`` of its cleaned URL, so renaming a link keeps its history
and a link removed from links.yaml drops out at the next run. Nothing here touches files or
the clock: ``statefile`` loads and saves, the caller passes ``now``.

Hysteresis: a failing link becomes a *problem* after ``fail_after`` failing runs in a row,
and stops being one after ``recover_after`` passing runs in a row. In between, the state
remembers which side it is on (``LinkState.problem``), so a link that flaps never opens and
closes an issue every night.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from linkwatch import urls
from linkwatch.models import Flag, HistoryNote, Status

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from linkwatch.models import DomainRecord, Outcome, Report

# 2: links remember when they were first seen; a `domains` section caches RDAP records.
STATE_VERSION = 2
# Flags a healthy link may carry and still be reused by `check --reuse-ok`: the tracking
# parameters are the URL's, not the page's. tls_expiring, flaky, slow... are checked again.
HEALTHY_FLAGS = frozenset({Flag.TRACKING_PARAMS})
DEFAULT_FAILING = frozenset({Status.BROKEN, Status.ERROR})
# A skipped link was not looked at: it neither extends a failure streak nor ends one.
NEUTRAL = frozenset({Status.SKIPPED})


def link_id(outcome: Outcome) -> str:
    """The link's stable id (the same one the JSON report and Markdown markers carry)."""
    return urls.stable_id(outcome.checked_url)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a failing link starts, and stops, counting as a problem."""

    fail_after: int = 1
    recover_after: int = 1
    failing: frozenset[Status] = DEFAULT_FAILING

    def __post_init__(self) -> None:
        if self.fail_after < 1 or self.recover_after < 1:
            msg = "fail_after and recover_after must be at least 1"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class LinkState:
    """What linkwatch remembers about one link after the last run that saw it."""

    name: str
    url: str  # the cleaned URL the id is derived from
    last_status: Status
    last_reason: str
    last_checked: datetime
    consecutive_failures: int = 0
    consecutive_successes: int = 0
    first_failed: datetime | None = None  # start of the current failure episode
    last_ok: datetime | None = None
    problem: bool = False  # counted as a problem after the last run (see module docstring)
    # When linkwatch first saw the link (the vetted date of a link without `reviewed:`);
    # a file from before version 2 gives its earliest known date instead.
    first_seen: datetime | None = None
    # When it was last checked and found healthy: ok with no flag but tracking_params
    # (`check --reuse-ok` skips it until this is too old). None after anything else.
    last_healthy: datetime | None = None


@dataclass(frozen=True, slots=True)
class State:
    """Every link's memory, by id. Treat ``links`` as read-only: updates build a new State."""

    links: Mapping[str, LinkState] = field(default_factory=dict)
    version: int = STATE_VERSION
    # RDAP records by registrable domain (the domain watch's cache), kept between runs.
    domains: Mapping[str, DomainRecord] = field(default_factory=dict)


class MarkKind(StrEnum):
    """Where a link stands relative to the thresholds after this run."""

    PENDING = "pending"  # failing, but not yet fail_after runs in a row: not a problem yet
    NEW = "new"  # became a problem in this run
    PERSISTING = "persisting"  # a problem before this run and still one
    RECOVERING = "recovering"  # a problem now passing, fewer than recover_after runs: still one
    RECOVERED = "recovered"  # stopped being a problem in this run


@dataclass(frozen=True, slots=True)
class Mark:
    """The history note a report shows next to one link."""

    kind: MarkKind
    since: datetime | None  # when the failure episode started
    runs: int  # failing runs in a row (for RECOVERING: passing runs in a row)

    @property
    def counts(self) -> bool:
        """Whether this link is a problem for the exit code, the Markdown and the tracker."""
        return self.kind in {MarkKind.NEW, MarkKind.PERSISTING, MarkKind.RECOVERING}

    def to_note(self) -> HistoryNote:
        """The mark as the plain value an ``Outcome`` carries into every report format."""
        return HistoryNote(self.kind.value, self.label, self.counts, self.since, self.runs)

    @property
    def label(self) -> str:
        """Short human text: ``new``, ``persisting (since 2026-11-20, 3 runs)``, ``recovered``."""
        date = self.since.date().isoformat() if self.since is not None else "?"
        plural = "s" if self.runs != 1 else ""
        match self.kind:
            case MarkKind.PERSISTING:
                return f"persisting (since {date}, {self.runs} run{plural})"
            case MarkKind.PENDING:
                return f"pending ({self.runs} failing run{plural})"
            case MarkKind.RECOVERING:
                return f"recovering ({self.runs} passing run{plural})"
            case MarkKind.NEW | MarkKind.RECOVERED:
                return self.kind.value


def _verdicts(report: Report, thresholds: Thresholds) -> dict[str, tuple[Outcome, bool | None]]:
    """Each id's outcome and whether it failed (None: neutral). A failing duplicate wins."""
    seen: dict[str, tuple[Outcome, bool | None]] = {}
    for outcome in report.outcomes:
        if outcome.status in NEUTRAL:
            failed: bool | None = None
        else:
            failed = outcome.status in thresholds.failing
        key = link_id(outcome)
        if key not in seen or (failed and not seen[key][1]):
            seen[key] = (outcome, failed)
    return seen


def _advance(
    before: LinkState | None,
    outcome: Outcome,
    failed: bool | None,
    now: datetime,
    thresholds: Thresholds,
) -> LinkState:
    """One link's memory after one run."""
    if before is None:
        before = LinkState(
            name=outcome.link.name,
            url=outcome.checked_url,
            last_status=outcome.status,
            last_reason=outcome.reason,
            last_checked=now,
            first_seen=now,
        )
    base = replace(
        before,
        name=outcome.link.name,
        url=outcome.checked_url,
        last_status=outcome.status,
        last_reason=outcome.reason,
        last_checked=now,
    )
    if failed is None:
        return base
    healthy = outcome.status is Status.OK and set(outcome.flags) <= HEALTHY_FLAGS
    base = replace(base, last_healthy=now if healthy else None)
    if failed:
        failures = before.consecutive_failures + 1
        problem = before.problem or failures >= thresholds.fail_after
        return replace(
            base,
            consecutive_failures=failures,
            consecutive_successes=0,
            # A relapse while still a problem continues the same episode.
            first_failed=before.first_failed or now,
            problem=problem,
        )
    successes = before.consecutive_successes + 1
    problem = before.problem and successes < thresholds.recover_after
    return replace(
        base,
        consecutive_failures=0,
        consecutive_successes=successes,
        # The episode (and its start date) lives on while the link is still recovering.
        first_failed=before.first_failed if problem else None,
        last_ok=now,
        problem=problem,
    )


def update(
    state: State, report: Report, now: datetime, thresholds: Thresholds | None = None
) -> State:
    """The state after this run. Links missing from the report drop out.

    A run with no network says nothing about the links, so it leaves the state as it was.
    """
    if report.network_unavailable:
        return state
    thresholds = thresholds or Thresholds()
    links = {
        # A link taken from the cache was not looked at: its memory stays as it was, so its
        # age keeps growing until it is checked again.
        key: before
        if Flag.CACHED in outcome.flags and (before := state.links.get(key)) is not None
        else _advance(state.links.get(key), outcome, failed, now, thresholds)
        for key, (outcome, failed) in _verdicts(report, thresholds).items()
    }
    return State(links=links, domains=state.domains)


def fresh(state: State, now: datetime, within: timedelta) -> dict[str, timedelta]:
    """The ids of links found healthy less than ``within`` ago, with how long ago.

    A link that counts as a problem, or whose last run was anything but healthy, is never
    among them: failures are always checked again.
    """
    return {
        key: now - link.last_healthy
        for key, link in state.links.items()
        if link.last_healthy is not None
        and not link.problem
        and link.last_healthy == link.last_checked
        and timedelta(0) <= now - link.last_healthy < within
    }


def mark(before: LinkState | None, after: LinkState) -> Mark | None:
    """The mark for one link, from its memory before and after a run; None when healthy."""
    was = before is not None and before.problem
    if after.problem:
        if after.consecutive_failures == 0:
            return Mark(MarkKind.RECOVERING, after.first_failed, after.consecutive_successes)
        kind = MarkKind.PERSISTING if was else MarkKind.NEW
        return Mark(kind, after.first_failed, after.consecutive_failures)
    if was:
        return Mark(MarkKind.RECOVERED, None, after.consecutive_successes)
    if after.consecutive_failures > 0:
        return Mark(MarkKind.PENDING, after.first_failed, after.consecutive_failures)
    return None


def marks(before: State, after: State) -> dict[str, Mark]:
    """Every link's mark after a run, by id; healthy links have none."""
    found: dict[str, Mark] = {}
    for key, now_state in after.links.items():
        note = mark(before.links.get(key), now_state)
        if note is not None:
            found[key] = note
    return found


def failing_ids(state: State) -> frozenset[str]:
    """Ids of the links whose failure streak was still running at the last run."""
    return frozenset(key for key, link in state.links.items() if link.consecutive_failures)


def annotate(report: Report, marked: Mapping[str, Mark]) -> Report:
    """The report with each marked outcome carrying its history note (pure)."""
    outcomes = tuple(
        replace(outcome, history=note.to_note())
        if (note := marked.get(link_id(outcome))) is not None
        else outcome
        for outcome in report.outcomes
    )
    return replace(report, outcomes=outcomes)
