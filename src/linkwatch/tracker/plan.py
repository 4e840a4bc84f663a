"""Pure sync planning: what is failing + the tracker's issues → create / update / comment / close.

The plan is computed from scratch each run from what the tracker holds now, so a run that
stopped half-way (rate limit, network) is finished by the next one: every step already done
is visible in the listing and is not planned again.

Decisions (see docs/design-streaks.md):

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

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from linkwatch.history import streaks
from linkwatch.models import Status
from linkwatch.tracker import body as text

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import datetime

    from linkwatch.models import Outcome, Report


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


@dataclass(frozen=True, slots=True)
class Wanted:
    """What the tracker should reflect: failures by id, and how each healthy known link answers."""

    failures: Mapping[str, Failure]
    healthy: Mapping[str, str]  # id → "ok (HTTP 200)", for the closing comment
    held: frozenset[str] = frozenset()  # ids whose issues are left as they are


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
class Plan:
    """Every step, in a stable order, and the ids left alone because a maintainer muted them."""

    steps: tuple[Step, ...]
    muted: tuple[int, ...] = ()

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


def _failure(outcome: Outcome, since: datetime | None) -> Failure:
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
    )


def wanted(
    report: Report | None,
    state: streaks.State | None,
    failing: Iterable[Status] = streaks.DEFAULT_FAILING,
) -> Wanted:
    """The failures to track. With a state, its ``problem`` flags decide (``--fail-after``);
    with only a report, every failing link counts; the report supplies the details.
    """
    failing_set = frozenset(failing)
    outcomes = {streaks.link_id(o): o for o in report.outcomes} if report else {}
    failures: dict[str, Failure] = {}
    healthy: dict[str, str] = {}
    held: set[str] = set()
    if state is None:
        for key, o in outcomes.items():
            if o.status is Status.SKIPPED:
                held.add(key)
            elif o.status in failing_set:
                failures[key] = _failure(o, None)
            else:
                healthy[key] = _answer(o.status, o.http_status)
        return Wanted(failures, healthy, frozenset(held))
    for key, memory in state.links.items():
        outcome = outcomes.get(key)
        if report is not None and outcome is None:
            continue  # no longer in links.yaml: its issue is closed as such
        status = outcome.status if outcome is not None else memory.last_status
        if status is Status.SKIPPED:
            held.add(key)
        elif memory.problem:
            if memory.consecutive_failures == 0:
                held.add(key)  # recovering: not yet --recover-after passing runs
            elif outcome is not None:
                failures[key] = _failure(outcome, memory.first_failed)
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
    return Wanted(failures, healthy, frozenset(held))


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


def _for_failure(
    failure: Failure, canonical: tuple[RemoteIssue, Status | None] | None
) -> Step | None:
    new_title, new_body = text.title(failure), text.body(failure)
    if canonical is None:
        return Step(failure.id, None, "failing", title=new_title, body=new_body)
    issue, announced = canonical
    if issue.open:
        changed_title = None if _same(new_title, issue.title) else new_title
        changed_body = None if _same(new_body, issue.body) else new_body
        comment = text.changed_comment(announced, failure) if announced != failure.status else None
        if changed_title is None and changed_body is None and comment is None:
            return None
        why = "status changed" if comment else "details changed"
        return Step(
            failure.id, issue.number, why, title=changed_title, body=changed_body, comment=comment
        )
    return Step(
        failure.id,
        issue.number,
        "failing again",
        title=None if _same(new_title, issue.title) else new_title,
        body=None if _same(new_body, issue.body) else new_body,
        state=IssueState.OPEN,
        comment=text.reopened_comment(failure),
    )


def plan(wanted_now: Wanted, issues: Sequence[RemoteIssue]) -> Plan:
    """The steps that make the tracker match ``wanted_now``; empty when it already does."""
    steps: list[Step] = []
    muted: list[int] = []
    groups = _group(issues)
    for key in sorted(set(groups) | set(wanted_now.failures)):
        group = sorted(groups.get(key, []), key=lambda pair: pair[0].number)
        opened = [pair for pair in group if pair[0].open]
        # The oldest open issue is the one; with none open, the latest closed one.
        canonical = opened[0] if opened else (group[-1] if group else None)
        steps.extend(
            Step(
                key,
                issue.number,
                f"duplicate of #{opened[0][0].number}",
                state=IssueState.CLOSED,
                comment=text.duplicate_comment(opened[0][0].number),
            )
            for issue, _ in opened[1:]
        )
        failure = wanted_now.failures.get(key)
        if key in wanted_now.held:
            continue
        if failure is not None:
            if canonical is not None and not canonical[0].open and canonical[0].not_planned:
                muted.append(canonical[0].number)
                continue
            step = _for_failure(failure, canonical)
            if step is not None:
                steps.append(step)
        elif canonical is not None and canonical[0].open:
            how = wanted_now.healthy.get(key)
            steps.append(
                Step(
                    key,
                    canonical[0].number,
                    "recovered" if how is not None else "no longer in links.yaml",
                    state=IssueState.CLOSED,
                    comment=text.recovered_comment(how),
                )
            )
    return Plan(tuple(steps), tuple(sorted(muted)))


def describe(the_plan: Plan) -> list[str]:
    """One line per step for ``--dry-run`` and for progress output; no untrusted text."""
    lines = []
    for step in the_plan.steps:
        where = f"#{step.number}" if step.number is not None else "new issue"
        lines.append(f"{' + '.join(step.verbs):<24} {where:<10} link {step.link_id}: {step.why}")
    lines.extend(f"{'muted':<24} #{number:<9} closed as not planned" for number in the_plan.muted)
    return lines


def summary(the_plan: Plan) -> str:
    """``plan: 1 create, 2 close`` or ``plan: nothing to do``, with muted issues counted."""
    counts = the_plan.counts()
    order = ("create", "update", "comment", "reopen", "close")
    text = ", ".join(f"{counts[v]} {v}" for v in order if v in counts) or "nothing to do"
    if the_plan.muted:
        text += f" ({len(the_plan.muted)} muted: closed as not planned)"
    return f"plan: {text}"
