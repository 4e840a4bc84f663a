"""Pure sync planning: what is failing + the tracker's issues → create / update / comment / close.

The plan is computed from scratch each run from what the tracker holds now, so a run that
stopped half-way (rate limit, network) is finished by the next one: every step already done
is visible in the listing and is not planned again.

Decisions (see docs/design-history.md):

- One issue per link id, ever. A relapse *reopens* the link's closed issue rather than
  opening a new one, so the whole story stays in one place; that is why the listing asks for
  ``state=all``.
- An issue a maintainer closed as *not planned* is muted: linkwatch leaves it closed.
- A second open issue for the same id (made by hand, or by an old bug) is closed as a
  duplicate of the oldest.
- A link that is neither clearly failing nor clearly healthy is *held*: its issue, if any, is
  left exactly as it is. That covers a problem that is passing but not yet recovered
  (``--recover-after``), a failure not yet counted (``--fail-after``; e.g. right after a
  state file was reset, so that open issues are not closed and reopened), and skipped links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Final, assert_never

from linkwatch.history import streaks
from linkwatch.models import Status
from linkwatch.report.neutralise import clean, clip
from linkwatch.tracker import body as text

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import datetime

    from linkwatch.models import HistoryNote, Outcome, Report

# GitHub's login syntax: a letter or digit, then up to 38 letters, digits or hyphens.
_HANDLE: Final = re.compile(r"@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))")


@dataclass(frozen=True, slots=True)
class Failure:
    """One link that should have an open issue, with what its issue shows."""

    id: str
    name: str
    url: str
    status: Status
    reason: str
    action: str = ""
    http_status: int | None = None
    final_url: str | None = None
    since: datetime | None = None
    owner: str | None = None  # as written in links.yaml
    category: str | None = None
    place: str | None = None  # where the entry is: ``links.yaml:12``

    @property
    def assignee(self) -> str | None:
        """The owner's GitHub login when the owner is written as a handle (``@someone``)."""
        found = _HANDLE.fullmatch(self.owner.strip()) if self.owner else None
        return found.group(1) if found else None

    @property
    def subject(self) -> Subject:
        """How a person finds this link."""
        return Subject(self.name, self.url, self.place)


@dataclass(frozen=True, slots=True)
class Subject:
    """What a person needs to find a link: its name, its URL and its entry in links.yaml."""

    name: str
    url: str | None = None
    place: str | None = None  # ``links.yaml:12``

    def describe(self) -> str:
        """``"Alpha" https://alpha.example/ (links.yaml:3)``, safe to print on a terminal."""
        shown = f'"{clip(clean(self.name), 80)}"'
        if self.url:
            shown += f" {clean(self.url)}"
        if self.place:
            shown += f" ({clean(self.place)})"
        return shown


@dataclass(frozen=True, slots=True)
class Wanted:
    """What the tracker should reflect: failures by id, and how each healthy known link answers."""

    failures: Mapping[str, Failure]
    healthy: Mapping[str, str]  # id → "ok (HTTP 200)", for the closing comment
    held: frozenset[str] = frozenset()  # ids whose issues are left as they are
    # Every known link's name, URL and place, so that a plan can name what it closes.
    subjects: Mapping[str, Subject] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemoteIssue:
    """An issue as the tracker lists it."""

    number: int
    title: str
    body: str
    open: bool
    not_planned: bool = False  # closed by a maintainer as "not planned": muted


class IssueState(StrEnum):
    """An issue's open/closed state."""

    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Step:
    """One issue's change. ``number`` is None for a new issue; None fields stay as they are."""

    link_id: str
    number: int | None
    why: str
    title: str | None = None
    body: str | None = None
    state: IssueState | None = None
    comment: str | None = None
    subject: Subject | None = None  # None only for hand-built steps
    assignees: tuple[str, ...] = ()  # logins to assign when creating (``--assign-owners``)
    unassignable: tuple[str, ...] = ()  # owners' logins GitHub would refuse to assign

    @property
    def verbs(self) -> tuple[str, ...]:
        """What this step does, in the order it is applied: comment first, then the edit."""
        if self.number is None:
            return ("create",)
        found = []
        if self.comment is not None:
            found.append("comment")
        if self.title is not None or self.body is not None:
            found.append("update")
        if self.state is IssueState.CLOSED:
            found.append("close")
        elif self.state is IssueState.OPEN:
            found.append("reopen")
        return tuple(found)


@dataclass(frozen=True, slots=True)
class Muted:
    """An issue a maintainer closed as not planned, for a link that fails: left closed."""

    number: int
    subject: Subject | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """Every step, in a stable order, and the issues left alone because a maintainer muted them."""

    steps: tuple[Step, ...]
    muted: tuple[Muted, ...] = ()

    def counts(self) -> dict[str, int]:
        """How many of each verb, for a one-line summary."""
        found: dict[str, int] = {}
        for step in self.steps:
            for verb in step.verbs:
                found[verb] = found.get(verb, 0) + 1
        return found


# ---------------------------------------------------------------- what is wanted


def _answer(status: Status, http_status: int | None) -> str:
    return f"{status.value} (HTTP {http_status})" if http_status is not None else status.value


def _place(outcome: Outcome, list_path: str) -> str:
    return f"{list_path}:{outcome.link.line}"


def _subject(outcome: Outcome, list_path: str) -> Subject:
    return Subject(outcome.link.name, outcome.checked_url, _place(outcome, list_path))


def _failure(outcome: Outcome, since: datetime | None, list_path: str) -> Failure:
    return Failure(
        id=streaks.link_id(outcome),
        name=outcome.link.name,
        url=outcome.checked_url,
        status=outcome.status,
        reason=outcome.reason,
        action=outcome.action,
        http_status=outcome.http_status,
        final_url=outcome.final_url,
        since=since,
        owner=outcome.link.owner,
        category=outcome.link.category,
        place=_place(outcome, list_path),
    )


class Standing(StrEnum):
    """Where a link stands for the tracker, whichever input says so."""

    FAILING = "failing"  # counts as a problem and fails now: its issue is open
    PENDING = "pending"  # fails, but fewer than --fail-after runs in a row: held
    RECOVERING = "recovering"  # a problem passing, fewer than --recover-after runs: held
    HEALTHY = "healthy"  # passes (or recovered): its issue is closed


_STANDING_OF_KIND: Final = {
    streaks.MarkKind.NEW.value: Standing.FAILING,
    streaks.MarkKind.PERSISTING.value: Standing.FAILING,
    streaks.MarkKind.PENDING.value: Standing.PENDING,
    streaks.MarkKind.RECOVERING.value: Standing.RECOVERING,
    streaks.MarkKind.RECOVERED.value: Standing.HEALTHY,
}


def has_history(report: Report) -> bool:
    """Whether the report was made with run history (``check --state``): any link has a note.

    A report made with a state file in which no link failed has no note either; for it the
    two readings agree except for statuses outside ``check --fail-on`` (see design-history).
    """
    return any(outcome.history is not None for outcome in report.outcomes)


def _standing_of_note(note: HistoryNote | None) -> Standing:
    return Standing.HEALTHY if note is None else _STANDING_OF_KIND[note.kind]


def _from_report(report: Report, failing: frozenset[Status]) -> Wanted:
    """Only a report: its history notes decide when it carries them, else its statuses."""
    failures: dict[str, Failure] = {}
    healthy: dict[str, str] = {}
    held: set[str] = set()
    subjects: dict[str, Subject] = {}
    with_history = has_history(report)
    # One entry per id; a duplicate entry (same cleaned URL) carries the same note.
    for key, o in {streaks.link_id(o): o for o in report.outcomes}.items():
        subjects[key] = _subject(o, report.config_path)
        if o.status is Status.SKIPPED:
            held.add(key)
            continue
        if not with_history:
            standing = Standing.FAILING if o.status in failing else Standing.HEALTHY
        else:
            standing = _standing_of_note(o.history)
        match standing:
            case Standing.FAILING:
                since = o.history.since if o.history is not None else None
                failures[key] = _failure(o, since, report.config_path)
            case Standing.PENDING | Standing.RECOVERING:
                held.add(key)
            case Standing.HEALTHY:
                healthy[key] = _answer(o.status, o.http_status)
            case _ as unreachable:
                assert_never(unreachable)
    return Wanted(failures, healthy, frozenset(held), subjects)


def wanted(
    report: Report | None,
    state: streaks.State | None,
    failing: Iterable[Status] = streaks.DEFAULT_FAILING,
) -> Wanted:
    """The failures to track; the report supplies the details.

    With a state, its ``problem`` flags decide (``--fail-after``, ``--recover-after``). With
    only a report, the history it carries decides the same way (a pending or recovering link
    is held); a report made without history counts every ``failing`` status at once. With
    both, check first that they agree (``disagreement``).
    """
    if state is None:
        if report is None:
            return Wanted({}, {})
        return _from_report(report, frozenset(failing))
    list_path = report.config_path if report is not None else ""
    outcomes = {streaks.link_id(o): o for o in report.outcomes} if report else {}
    subjects = {key: _subject(o, list_path) for key, o in outcomes.items()}
    if report is None:
        # Without the list's order, a plan reads best by name.
        by_name = sorted(state.links.items(), key=lambda item: (item[1].name.casefold(), item[0]))
        subjects = {key: Subject(memory.name, memory.url) for key, memory in by_name}
    failures: dict[str, Failure] = {}
    healthy: dict[str, str] = {}
    held: set[str] = set()
    for key, memory in state.links.items():
        outcome = outcomes.get(key)
        if report is not None and outcome is None:
            continue  # no longer in links.yaml: its issue is closed as such
        subjects.setdefault(key, Subject(memory.name, memory.url))
        status = outcome.status if outcome is not None else memory.last_status
        if status is Status.SKIPPED:
            held.add(key)
        elif memory.problem:
            if memory.consecutive_failures == 0:
                held.add(key)  # recovering: not yet --recover-after passing runs
            elif outcome is not None:
                failures[key] = _failure(outcome, memory.first_failed, list_path)
            else:
                failures[key] = Failure(
                    id=key,
                    name=memory.name,
                    url=memory.url,
                    status=memory.last_status,
                    reason=memory.last_reason,
                    since=memory.first_failed,
                )
        elif memory.consecutive_failures > 0:
            held.add(key)  # pending: failing, not yet --fail-after runs
        else:
            healthy[key] = _answer(outcome.status, outcome.http_status) if outcome else status.value
    # Links in the report that the state has not seen yet are held: nothing is known.
    held.update(key for key in outcomes if key not in state.links)
    return Wanted(failures, healthy, frozenset(held), subjects)


# ---------------------------------------------------------------- report and state agree?

# In one `check --state` run the state is saved just after the report's run ends (after
# archive look-ups at most); a state written later than this came from a later run.
_SAME_RUN_SLACK: Final = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class _Said:
    standing: Standing
    runs: int = 0
    since: datetime | None = None

    def __str__(self) -> str:
        plural = "s" if self.runs != 1 else ""
        match self.standing:
            case Standing.FAILING:
                return f"failing ({self.runs} run{plural} in a row)"
            case Standing.PENDING:
                return f"pending ({self.runs} failing run{plural})"
            case Standing.RECOVERING:
                return f"recovering ({self.runs} passing run{plural})"
            case Standing.HEALTHY:
                return "healthy"
            case _ as unreachable:
                assert_never(unreachable)


def _said_by_note(note: HistoryNote | None) -> _Said:
    standing = _standing_of_note(note)
    if note is None or standing is Standing.HEALTHY:
        return _Said(Standing.HEALTHY)
    return _Said(standing, note.runs, note.since)


def _said_by_state(memory: streaks.LinkState) -> _Said:
    """The note ``check`` wrote for this link in the run that saved this memory."""
    if memory.problem:
        if memory.consecutive_failures == 0:
            return _Said(Standing.RECOVERING, memory.consecutive_successes, memory.first_failed)
        return _Said(Standing.FAILING, memory.consecutive_failures, memory.first_failed)
    if memory.consecutive_failures > 0:
        return _Said(Standing.PENDING, memory.consecutive_failures, memory.first_failed)
    return _Said(Standing.HEALTHY)


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC") if when.utcoffset() == timedelta(0) else str(when)


def _which_is_stale(report: Report, state: streaks.State, report_name: str, state_name: str) -> str:
    """Which file is behind, from the times both carry, and what to do."""
    same_run = (
        f"pass the report and the state file of the same `check --state {state_name}` run,"
        f" or only one of them"
    )
    if not has_history(report):
        return (
            f"{report_name} carries no run history: it was made without --state. Make it with"
            f" `check --state {state_name} --format json`, or sync with only one of them"
        )
    if not state.links:
        return f"{state_name} is empty. " + same_run[0].upper() + same_run[1:]
    last = max(memory.last_checked for memory in state.links.values())
    if last < report.started:
        return (
            f"{state_name} is stale: its last check run was at {_stamp(last)}, before the"
            f" report's run ({_stamp(report.started)}), so the report was made with another"
            f" state file. Sync with --report {report_name} alone (its history decides),"
            f" or {same_run}"
        )
    if last > report.finished + _SAME_RUN_SLACK:
        return (
            f"{report_name} is stale: a later check run ({_stamp(last)}) updated {state_name}"
            f" after the report's run ({_stamp(report.started)}). Sync with that run's report,"
            f" or with --state {state_name} alone"
        )
    return (
        f"both come from about the same time ({_stamp(report.started)}), so the report was"
        f" made with another state file, or the state was edited. "
        + same_run[0].upper()
        + same_run[1:]
    )


def disagreement(
    report: Report, state: streaks.State, report_name: str, state_name: str
) -> str | None:
    """Why ``report`` was not made from ``state``; None when they agree.

    They agree when they know the same links and every link's history note in the report is
    the one ``check`` writes for that link's memory in the state (the same standing, run
    count and start of the failure episode). Two files from different runs that say the same
    of every link agree: following either gives the same plan.
    """
    outcomes: dict[str, Outcome] = {}
    for o in report.outcomes:
        outcomes.setdefault(streaks.link_id(o), o)
    unseen = [o for key, o in outcomes.items() if key not in state.links]
    gone = [m for key, m in state.links.items() if key not in outcomes]
    differ = [
        (o, said, told)
        for key, o in outcomes.items()
        if key in state.links
        and (said := _said_by_note(o.history)) != (told := _said_by_state(state.links[key]))
    ]
    if not (unseen or gone or differ):
        return None
    count = len(unseen) + len(gone) + len(differ)
    plural = "s" if count != 1 else ""
    if differ:
        o, said, told = differ[0]
        example = (
            f'"{clip(clean(o.link.name), 80)}" is {said} in the report but {told} in the state'
        )
    elif unseen:
        example = f'"{clip(clean(unseen[0].link.name), 80)}" is in the report, not in the state'
    else:
        example = f'"{clip(clean(gone[0].name), 80)}" is in the state, not in the report'
    return (
        f"{report_name} and {state_name} disagree about {count} link{plural} ({example}): "
        + _which_is_stale(report, state, report_name, state_name)
    )


# ---------------------------------------------------------------- the plan


def _group(issues: Iterable[RemoteIssue]) -> dict[str, list[tuple[RemoteIssue, Status | None]]]:
    groups: dict[str, list[tuple[RemoteIssue, Status | None]]] = {}
    for issue in issues:
        parsed = text.parse(issue.body)
        if parsed is not None:
            groups.setdefault(parsed[0], []).append((issue, parsed[1]))
    return groups


def _same(ours: str, theirs: str) -> bool:
    """Equal up to what GitHub's editor changes (CRLF line ends, trailing white space)."""
    return ours.replace("\r\n", "\n").strip() == theirs.replace("\r\n", "\n").strip()


def _status_words(failure: Failure) -> str:
    """``broken, HTTP 404``: how the link fails, for a plan line."""
    if failure.http_status is not None:
        return f"{failure.status.value}, HTTP {failure.http_status}"
    return failure.status.value


def _for_failure(
    failure: Failure,
    canonical: tuple[RemoteIssue, Status | None] | None,
    *,
    assign_owners: bool,
) -> Step | None:
    new_title, new_body = text.title(failure), text.body(failure)
    subject = failure.subject
    if canonical is None:
        # Assigned when the issue is opened, never afterwards: a maintainer who reassigns
        # the issue is not overruled by the next run.
        assignees = (failure.assignee,) if assign_owners and failure.assignee else ()
        return Step(
            failure.id,
            None,
            _status_words(failure),
            title=new_title,
            body=new_body,
            subject=subject,
            assignees=assignees,
        )
    issue, announced = canonical
    if issue.open:
        changed_title = None if _same(new_title, issue.title) else new_title
        changed_body = None if _same(new_body, issue.body) else new_body
        comment = text.changed_comment(announced, failure) if announced != failure.status else None
        if changed_title is None and changed_body is None and comment is None:
            return None
        before = announced.value if announced is not None else "unknown"
        why = (
            f"status changed from {before} to {_status_words(failure)}"
            if comment
            else "details changed"
        )
        return Step(
            failure.id,
            issue.number,
            why,
            title=changed_title,
            body=changed_body,
            comment=comment,
            subject=subject,
        )
    return Step(
        failure.id,
        issue.number,
        f"failing again, {_status_words(failure)}",
        title=None if _same(new_title, issue.title) else new_title,
        body=None if _same(new_body, issue.body) else new_body,
        state=IssueState.OPEN,
        comment=text.reopened_comment(failure),
        subject=subject,
    )


_TITLE_NAME: Final = re.compile(r"Link [a-z]{1,20}: (.+)")


def _subject_of_issue(issue: RemoteIssue) -> Subject:
    """A link no longer listed is named by its issue's title (``Link broken: NAME``)."""
    named = _TITLE_NAME.fullmatch(issue.title)
    return Subject(named.group(1) if named else issue.title)


def plan(wanted_now: Wanted, issues: Sequence[RemoteIssue], *, assign_owners: bool = False) -> Plan:
    """The steps that make the tracker match ``wanted_now``; empty when it already does.

    ``assign_owners``: a new issue is assigned to its link's owner when the owner is written
    as a GitHub handle (``@someone``).
    """
    steps: list[Step] = []
    muted: list[Muted] = []
    groups = _group(issues)
    # Links in the list's order (a person reads the plan next to links.yaml), then links
    # no longer listed, by their oldest issue.
    order = {key: i for i, key in enumerate(wanted_now.subjects)}

    def reading_order(key: str) -> tuple[int, int, str]:
        numbers = [issue.number for issue, _ in groups.get(key, [])]
        return order.get(key, len(order)), min(numbers, default=0), key

    for key in sorted(set(groups) | set(wanted_now.failures), key=reading_order):
        group = sorted(groups.get(key, []), key=lambda pair: pair[0].number)
        opened = [pair for pair in group if pair[0].open]
        # The oldest open issue is the one; with none open, the latest closed one.
        canonical = opened[0] if opened else (group[-1] if group else None)
        failure = wanted_now.failures.get(key)
        subject = wanted_now.subjects.get(key) or (
            failure.subject
            if failure is not None
            else _subject_of_issue(canonical[0])
            if canonical is not None
            else None
        )
        steps.extend(
            Step(
                key,
                issue.number,
                f"duplicate of #{opened[0][0].number}",
                state=IssueState.CLOSED,
                comment=text.duplicate_comment(opened[0][0].number),
                subject=subject,
            )
            for issue, _ in opened[1:]
        )
        if key in wanted_now.held:
            continue
        if failure is not None:
            if canonical is not None and not canonical[0].open and canonical[0].not_planned:
                muted.append(Muted(canonical[0].number, subject))
                continue
            step = _for_failure(failure, canonical, assign_owners=assign_owners)
            if step is not None:
                steps.append(step)
        elif canonical is not None and canonical[0].open:
            how = wanted_now.healthy.get(key)
            steps.append(
                Step(
                    key,
                    canonical[0].number,
                    f"recovered, {how}" if how is not None else "no longer in links.yaml",
                    state=IssueState.CLOSED,
                    comment=text.recovered_comment(how),
                    subject=subject,
                )
            )
    return Plan(tuple(steps), tuple(sorted(muted, key=lambda m: m.number)))


def describe_step(step: Step, number: int | None = None) -> str:
    """One line a person can act on, safe for a terminal.

    ``create  new  "Alpha" https://alpha.example/ (links.yaml:3): broken, HTTP 404``;
    ``number`` is the issue's number once a new one exists.
    """
    shown = number if number is not None else step.number
    where = f"#{shown}" if shown is not None else "new"
    subject = step.subject.describe() if step.subject is not None else f"link {step.link_id}"
    line = f"{'+'.join(step.verbs):<14} {where:<5} {subject}: {step.why}"
    if step.assignees:
        line += "; assign " + ", ".join(f"@{login}" for login in step.assignees)
    if step.unassignable:
        line += "; not assignable here: " + ", ".join(f"@{login}" for login in step.unassignable)
    return line


def describe(the_plan: Plan) -> list[str]:
    """One line per step for ``--dry-run``, then one per muted issue."""
    lines = [describe_step(step) for step in the_plan.steps]
    for muted in the_plan.muted:
        subject = muted.subject.describe() + ": " if muted.subject is not None else ""
        lines.append(
            f"{'muted':<14} #{muted.number:<4} {subject}closed as not planned, left closed"
        )
    return lines


def summary(the_plan: Plan) -> str:
    """``plan: 1 create, 2 close`` or ``plan: nothing to do``, with muted issues counted."""
    counts = the_plan.counts()
    order = ("create", "update", "comment", "reopen", "close")
    text = ", ".join(f"{counts[v]} {v}" for v in order if v in counts) or "nothing to do"
    if the_plan.muted:
        text += f" ({len(the_plan.muted)} muted: closed as not planned)"
    return f"plan: {text}"
