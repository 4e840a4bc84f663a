"""Carry out a sync: list the tracker's issues, plan, apply. No HTTP here (see ``github``)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from linkwatch.tracker.plan import plan

if TYPE_CHECKING:
    from collections.abc import Callable

    from linkwatch.tracker.github import GitHub
    from linkwatch.tracker.plan import Plan, Step, Wanted


def apply(
    the_plan: Plan,
    github: GitHub,
    label: str,
    on_step: Callable[[Step, int], None] | None = None,
) -> None:
    """Carry out the plan in order: for each issue the comment first, then the edit.

    Comment-then-edit means a status change is announced at least once: if the edit fails,
    the next run sees the old status marker and comments again rather than never.
    """
    for step in the_plan.steps:
        if step.number is None:
            number = github.create_issue(
                step.title or "", step.body or "", label, assignees=step.assignees
            )
        else:
            number = step.number
            if step.comment is not None:
                github.add_comment(number, step.comment)
            if step.title is not None or step.body is not None or step.state is not None:
                github.edit_issue(number, title=step.title, body=step.body, state=step.state)
        if on_step is not None:
            on_step(step, number)


def check_assignees(the_plan: Plan, github: GitHub) -> Plan:
    """The plan with each new issue's assignees split into those GitHub accepts and not.

    One question per owner (GitHub would refuse the whole issue for one bad assignee).
    """
    answers: dict[str, bool] = {}
    steps = []
    for step in the_plan.steps:
        if step.assignees:
            for login in step.assignees:
                if login not in answers:
                    answers[login] = github.can_assign(login)
            step = replace(  # noqa: PLW2901 - the same step, its assignees sorted out
                step,
                assignees=tuple(a for a in step.assignees if answers[a]),
                unassignable=tuple(a for a in step.assignees if not answers[a]),
            )
        steps.append(step)
    return replace(the_plan, steps=tuple(steps))


def sync(
    github: GitHub,
    wanted_now: Wanted,
    label: str,
    *,
    dry_run: bool = False,
    on_step: Callable[[Step, int], None] | None = None,
    assign_owners: bool = False,
) -> Plan:
    """List the label's issues, plan against ``wanted_now``, and apply unless ``dry_run``.

    Safe to re-run after any failure: the plan is rebuilt from what the tracker holds.
    ``assign_owners``: new issues are assigned to owners written as ``@handle``, when
    GitHub accepts them as assignees.
    """
    the_plan = plan(wanted_now, github.list_issues(label), assign_owners=assign_owners)
    if assign_owners:
        the_plan = check_assignees(the_plan, github)
    if not dry_run:
        apply(the_plan, github, label, on_step)
    return the_plan
