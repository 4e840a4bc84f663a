"""Sync planning: from what is failing and what the tracker holds to the steps that reconcile them."""

from __future__ import annotations

from dataclasses import replace

from factories import lid, link, night, outcome, report, run
from linkwatch.history import streaks as history
from linkwatch.history.streaks import State, Thresholds
from linkwatch.models import Status
from linkwatch.tracker import body
from linkwatch.tracker.plan import (
    IssueState,
    RemoteIssue,
    describe,
    describe_step,
    plan,
    summary,
    wanted,
)

OK, BROKEN, ERROR = Status.OK, Status.BROKEN, Status.ERROR
A = link("Alpha", index=0)
B = link("Beta", index=1)
C = link("Gamma", index=2)
D = link("Delta", index=3)


def issue_for(rep, lk, number, *, is_open=True, not_planned=False, **changes):
    """The issue linkwatch would have made for ``lk`` in ``rep``."""
    failure = wanted(rep, None).failures[lid(lk)]
    failure = replace(failure, **changes)
    return RemoteIssue(
        number, body.title(failure), body.body(failure), open=is_open, not_planned=not_planned
    )


def test_first_failure_creates_one_issue():
    """A failing link without an issue gets one, with title and body."""
    the_plan = plan(wanted(run({A: BROKEN, B: OK}, night(0)), None), [])
    assert [(s.verbs, s.link_id, s.number) for s in the_plan.steps] == [(("create",), lid(A), None)]
    step = the_plan.steps[0]
    assert step.title == "Link broken: Alpha"
    assert body.parse(step.body) == (lid(A), BROKEN)


def test_still_failing_with_same_details_does_nothing():
    """A re-run against an up-to-date issue plans nothing."""
    rep = run({A: BROKEN}, night(0))
    assert plan(wanted(rep, None), [issue_for(rep, A, 7)]).steps == ()


def test_details_change_updates_the_body_without_a_comment():
    """A new reason (same status) edits the body in place and posts nothing."""
    old = run({A: BROKEN}, night(0))
    new = report(outcome(A, BROKEN, reason="410 Gone"), when=night(1))
    (step,) = plan(wanted(new, None), [issue_for(old, A, 7)]).steps
    assert step.verbs == ("update",)
    assert step.number == 7
    assert step.comment is None
    assert "410 Gone" in (step.body or "")


def test_status_change_comments_and_updates():
    """broken → error posts one comment and updates title and body."""
    old = run({A: BROKEN}, night(0))
    new = run({A: ERROR}, night(1))
    (step,) = plan(wanted(new, None), [issue_for(old, A, 7)]).steps
    assert step.verbs == ("comment", "update")
    assert "from **broken** to **error**" in (step.comment or "")
    assert step.title == "Link error: Alpha"


def test_recovered_link_closes_its_issue_with_a_comment():
    """A link that works again closes its open issue, saying how it answers now."""
    old = run({A: BROKEN}, night(0))
    (step,) = plan(wanted(run({A: OK}, night(1)), None), [issue_for(old, A, 7)]).steps
    assert step.verbs == ("comment", "close")
    assert step.state is IssueState.CLOSED
    assert "ok (HTTP 200)" in (step.comment or "")


def test_removed_link_closes_its_issue_saying_so():
    """A link gone from links.yaml closes its issue with that reason."""
    old = run({A: BROKEN}, night(0))
    (step,) = plan(wanted(run({B: OK}, night(1)), None), [issue_for(old, A, 7)]).steps
    assert step.why == "no longer in links.yaml"
    assert "no longer in links.yaml" in (step.comment or "")


def test_relapse_reopens_the_closed_issue():
    """One issue per link, ever: a relapse reopens with a comment instead of duplicating."""
    rep = run({A: BROKEN}, night(0))
    closed = issue_for(rep, A, 7, is_open=False)
    (step,) = plan(wanted(rep, None), [closed]).steps
    assert step.verbs == ("comment", "reopen")
    assert step.number == 7


def test_relapse_reopens_the_latest_closed_issue():
    """With several closed issues for the link, the newest is reopened."""
    rep = run({A: BROKEN}, night(0))
    issues = [issue_for(rep, A, 3, is_open=False), issue_for(rep, A, 9, is_open=False)]
    (step,) = plan(wanted(rep, None), issues).steps
    assert step.number == 9


def test_not_planned_issue_is_muted():
    """A maintainer who closed the issue as not planned is not overruled."""
    rep = run({A: BROKEN}, night(0))
    the_plan = plan(wanted(rep, None), [issue_for(rep, A, 7, is_open=False, not_planned=True)])
    assert the_plan.steps == ()
    assert [m.number for m in the_plan.muted] == [7]
    assert describe(the_plan) == [
        (
            'muted          #7    "Alpha" https://alpha.example.org/ (links.yaml:3):'
            " closed as not planned, left closed"
        )
    ]
    assert summary(the_plan) == "plan: nothing to do (1 muted: closed as not planned)"


def test_duplicate_open_issues_are_closed_as_duplicates():
    """Two open issues for one link: the oldest stays, the other is closed."""
    rep = run({A: BROKEN}, night(0))
    issues = [issue_for(rep, A, 12), issue_for(rep, A, 5)]
    (step,) = plan(wanted(rep, None), issues).steps
    assert (step.number, step.verbs) == (12, ("comment", "close"))
    assert "Duplicate of #5" in (step.comment or "")


def test_foreign_issues_are_left_alone():
    """Issues without our markers (a combined report issue, a human's issue) are ignored."""
    rep = run({A: OK}, night(0))
    foreign = [
        RemoteIssue(1, "Nightly link report", f"<!-- linkwatch:{lid(A)} -->\n- broken", True),
        RemoteIssue(2, "Bug", "something else", True),
    ]
    assert plan(wanted(rep, None), foreign).steps == ()


def test_closed_issue_of_a_healthy_link_stays_closed():
    """Nothing to do for a healthy link whose issue is already closed."""
    old = run({A: BROKEN}, night(0))
    closed = issue_for(old, A, 7, is_open=False)
    assert plan(wanted(run({A: OK}, night(1)), None), [closed]).steps == ()


def test_state_decides_who_is_a_problem_at_fail_after_two():
    """With a state, a first failure is pending and gets no issue; the second does."""
    thresholds = Thresholds(fail_after=2)
    first = run({A: BROKEN}, night(0))
    state = history.update(State(), first, night(0), thresholds)
    assert plan(wanted(first, state), []).steps == ()
    second = run({A: BROKEN}, night(1))
    state = history.update(state, second, night(1), thresholds)
    (step,) = plan(wanted(second, state), []).steps
    assert step.verbs == ("create",)
    assert "failing since 2026-11-20" in (step.body or "")


def test_recovering_link_keeps_its_issue_untouched():
    """At --recover-after 2, one passing run neither closes nor edits the issue."""
    thresholds = Thresholds(recover_after=2)
    first = run({A: BROKEN}, night(0))
    state = history.update(State(), first, night(0), thresholds)
    existing = [RemoteIssue(7, *_title_body(first, state), open=True)]
    passing = run({A: OK}, night(1))
    state = history.update(state, passing, night(1), thresholds)
    assert plan(wanted(passing, state), existing).steps == ()
    again = run({A: OK}, night(2))
    state = history.update(state, again, night(2), thresholds)
    (step,) = plan(wanted(again, state), existing).steps
    assert step.verbs == ("comment", "close")


def _title_body(rep, state):
    failure = wanted(rep, state).failures[lid(A)]
    return body.title(failure), body.body(failure)


def test_state_alone_is_enough():
    """Without a report, the state's names, URLs and reasons make the issue."""
    state = history.update(State(), run({A: BROKEN, B: OK}, night(0)), night(0))
    (step,) = plan(wanted(None, state), []).steps
    assert step.title == "Link broken: Alpha"
    closing = plan(
        wanted(None, history.update(state, run({A: OK, B: OK}, night(1)), night(1))),
        [RemoteIssue(4, step.title or "", step.body or "", open=True)],
    ).steps
    assert [s.verbs for s in closing] == [("comment", "close")]


def test_state_problem_missing_from_report_is_closed_as_removed():
    """A report that no longer lists a link closes it even if an old state says failing."""
    old = run({A: BROKEN}, night(0))
    state = history.update(State(), old, night(0))
    (step,) = plan(wanted(run({B: OK}, night(1)), state), [issue_for(old, A, 7)]).steps
    assert step.why == "no longer in links.yaml"


def test_describe_names_each_link_its_issue_and_the_change():
    """A plan line gives the name, URL, links.yaml line, issue number and what changes."""
    old = run({A: BROKEN, B: BROKEN, C: BROKEN, D: BROKEN}, night(0))
    issues = [
        issue_for(old, A, 7),
        issue_for(old, B, 8, is_open=False),
        issue_for(old, C, 9),
        issue_for(old, C, 10),
    ]
    now = run({A: OK, B: ERROR, C: Status.BROKEN}, night(1))
    the_plan = plan(wanted(now, None), [*issues, issue_for(old, D, 11)])
    assert describe(the_plan) == [
        (
            'comment+close  #7    "Alpha" https://alpha.example.org/ (links.yaml:3):'
            " recovered, ok (HTTP 200)"
        ),
        (
            'comment+update+reopen #8    "Beta" https://beta.example.org/ (links.yaml:7):'
            " failing again, error"
        ),
        (
            'comment+close  #10   "Gamma" https://gamma.example.org/ (links.yaml:11):'
            " duplicate of #9"
        ),
        'comment+close  #11   "Delta": no longer in links.yaml',
    ]
    assert summary(the_plan) == "plan: 1 update, 4 comment, 1 reopen, 3 close"
    changed = plan(wanted(run({A: ERROR}, night(1)), None), [issue_for(old, A, 7)])
    assert describe(changed) == [
        (
            'comment+update #7    "Alpha" https://alpha.example.org/ (links.yaml:3):'
            " status changed from broken to error"
        )
    ]
    created = plan(wanted(old, None), [])
    assert describe(created)[0] == (
        'create         new   "Alpha" https://alpha.example.org/ (links.yaml:3): broken, HTTP 404'
    )
    assert describe_step(created.steps[0], 12).startswith("create         #12   ")


def test_describe_shows_hostile_names_inert():
    """Control characters in a name or URL are shown as escapes, never sent to the terminal."""
    hostile = link("Evil\x1b[2J\u202eName", url="https://evil.example/\x1b]8;;", index=0)
    the_plan = plan(wanted(run({hostile: BROKEN}, night(0)), None), [])
    assert describe(the_plan) == [
        (
            'create         new   "Evil\\x1b[2J\\u202eName" https://evil.example/\\x1b]8;;'
            " (links.yaml:3): broken, HTTP 404"
        )
    ]
    assert summary(the_plan) == "plan: 1 create"
    assert summary(plan(wanted(run({A: OK}, night(0)), None), [])) == "plan: nothing to do"


def test_state_reset_does_not_close_open_issues():
    """After a state file is moved aside, a still-failing link's issue is held, not closed."""
    rep = run({A: BROKEN}, night(0))
    existing = [issue_for(rep, A, 7)]
    fresh = history.update(State(), rep, night(5), Thresholds(fail_after=2))
    the_wanted = wanted(rep, fresh)
    assert the_wanted.held == {lid(A)}
    assert plan(the_wanted, existing).steps == ()


def test_skipped_link_keeps_its_issue_as_it_is():
    """A link now marked skip is not looked at, so its issue is neither edited nor closed."""
    old = run({A: BROKEN}, night(0))
    skipped = run({A: Status.SKIPPED}, night(1))
    existing = [issue_for(old, A, 7)]
    assert plan(wanted(skipped, None), existing).steps == ()
    state = history.update(State(), old, night(0))
    state = history.update(state, skipped, night(1))
    assert plan(wanted(skipped, state), existing).steps == ()
    assert plan(wanted(None, state), existing).steps == ()


def test_link_unknown_to_the_state_is_held():
    """A report link the state has never seen is neither created nor closed."""
    rep = run({A: BROKEN, B: BROKEN}, night(0))
    state = history.update(State(), run({A: BROKEN}, night(0)), night(0))
    the_wanted = wanted(rep, state)
    assert set(the_wanted.failures) == {lid(A)}
    assert the_wanted.held == {lid(B)}


def test_crlf_from_the_web_editor_is_not_a_change():
    """A body saved by GitHub's editor with CRLF and a trailing newline trimmed needs no edit."""
    rep = run({A: BROKEN}, night(0))
    issue = issue_for(rep, A, 7)
    resaved = replace(issue, body=issue.body.replace("\n", "\r\n").rstrip())
    assert plan(wanted(rep, None), [resaved]).steps == ()


def test_a_human_edit_of_the_body_is_replaced():
    """The body belongs to linkwatch: an edited body is rewritten (comments are for humans)."""
    rep = run({A: BROKEN}, night(0))
    issue = issue_for(rep, A, 7)
    edited = replace(issue, body=issue.body + "\nI called them, they are moving.")
    (step,) = plan(wanted(rep, None), [edited]).steps
    assert step.verbs == ("update",)
    assert step.body == issue.body
