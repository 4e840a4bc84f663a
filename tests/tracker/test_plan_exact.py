"""The sync plan's words, exactly: each step's line, the summary, muted issues, subjects,
and the disagreement messages that the other tests leave out."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from factories import lid, link, night, outcome, report, run
from linkwatch.history import streaks as history
from linkwatch.models import HistoryNote, Status
from linkwatch.tracker import body
from linkwatch.tracker.plan import (
    Failure,
    IssueState,
    Muted,
    Plan,
    RemoteIssue,
    Step,
    Subject,
    describe,
    describe_step,
    disagreement,
    has_history,
    plan,
    summary,
    wanted,
)
from tracker.checks import Checks

OK, BROKEN, ERROR = Status.OK, Status.BROKEN, Status.ERROR
A = link("Alpha", index=0)
B = link("Beta", index=1)


def issue(failure, number, *, is_open=True, not_planned=False):
    return RemoteIssue(
        number, body.title(failure), body.body(failure), open=is_open, not_planned=not_planned
    )


@pytest.mark.parametrize(
    ("step", "verbs"),
    [
        (Step("x", None, "why"), ("create",)),
        (Step("x", 1, "why"), ()),
        (Step("x", 1, "why", comment="c"), ("comment",)),
        (Step("x", 1, "why", title="t"), ("update",)),
        (Step("x", 1, "why", body="b"), ("update",)),
        (Step("x", 1, "why", comment="c", state=IssueState.CLOSED), ("comment", "close")),
        (Step("x", 1, "why", body="b", state=IssueState.OPEN), ("update", "reopen")),
    ],
)
def test_step_verbs(step, verbs):
    assert step.verbs == verbs


def test_summary_orders_verbs_and_counts_muted():
    steps = (
        Step("a", 1, "w", state=IssueState.CLOSED, comment="c"),
        Step("b", None, "w"),
        Step("c", 2, "w", body="b", state=IssueState.OPEN, comment="c"),
        Step("d", 3, "w", title="t"),
    )
    assert summary(Plan(steps)) == "plan: 1 create, 2 update, 2 comment, 1 reopen, 1 close"
    assert summary(Plan(())) == "plan: nothing to do"
    muted = (Muted(4), Muted(5))
    assert summary(Plan((), muted)) == "plan: nothing to do (2 muted: closed as not planned)"
    assert Plan(steps).counts() == {"close": 1, "comment": 2, "create": 1, "update": 2, "reopen": 1}


def test_describe_step_lines_exactly():
    subject = Subject("Alpha", "https://alpha.example/", "links.yaml:3")
    create = Step("x", None, "broken, HTTP 404", subject=subject, assignees=("me",))
    assert describe_step(create) == (
        'create         new   "Alpha" https://alpha.example/ (links.yaml:3): broken, HTTP 404;'
        " assign @me"
    )
    assert describe_step(create, 12) == (
        'create         #12   "Alpha" https://alpha.example/ (links.yaml:3): broken, HTTP 404;'
        " assign @me"
    )
    refused = Step("x", 7, "details changed", body="b", unassignable=("a", "b"))
    assert describe_step(refused) == (
        "update         #7    link x: details changed; not assignable here: @a, @b"
    )


def test_describe_lists_muted_issues_last():
    the_plan = Plan(
        (Step("x", 3, "recovered, ok", state=IssueState.CLOSED, comment="c"),),
        (Muted(12, Subject("Beta")), Muted(1234567)),
    )
    assert describe(the_plan) == [
        "comment+close  #3    link x: recovered, ok",
        'muted          #12   "Beta": closed as not planned, left closed',
        "muted          #1234567 closed as not planned, left closed",
    ]


def test_subject_describe_clips_and_cleans():
    assert Subject("n" * 81).describe() == '"' + "n" * 79 + '…"'
    assert Subject("n" * 80).describe() == '"' + "n" * 80 + '"'
    assert (
        Subject("a\x1bb", "https://x/\x07", "l:1").describe() == '"a\\x1bb" https://x/\\x07 (l:1)'
    )


def test_plan_reasons_exactly():
    rep = run({A: BROKEN}, night(0))
    failure = wanted(rep, None).failures[lid(A)]
    assert [s.why for s in plan(wanted(rep, None), []).steps] == ["broken, HTTP 404"]
    moved = replace(failure, reason="elsewhere")
    changed = plan(wanted(rep, None), [issue(moved, 5)]).steps
    assert [(s.why, s.verbs) for s in changed] == [("details changed", ("update",))]
    was_error = replace(failure, status=ERROR, http_status=None)
    status = plan(wanted(rep, None), [issue(was_error, 5)]).steps
    assert [(s.why, s.verbs) for s in status] == [
        ("status changed from error to broken, HTTP 404", ("comment", "update"))
    ]
    assert status[0].comment == (
        "Status changed from **error** to **broken (HTTP 404)**: 404 Not Found"
    )
    closed = plan(wanted(rep, None), [issue(failure, 5, is_open=False)]).steps
    assert [(s.why, s.verbs, s.comment) for s in closed] == [
        (
            "failing again, broken, HTTP 404",
            ("comment", "reopen"),
            "Failing again (broken (HTTP 404)): 404 Not Found",
        )
    ]


def test_recovery_and_removal_reasons_exactly():
    failing = wanted(run({A: BROKEN}, night(0)), None).failures[lid(A)]
    open_issue = issue(failing, 5)
    healed = plan(wanted(run({A: OK}, night(1)), None), [open_issue]).steps
    assert [(s.why, s.comment) for s in healed] == [
        (
            "recovered, ok (HTTP 200)",
            "Recovered: the link now answers **ok (HTTP 200)**. Closing.",
        )
    ]
    removed = plan(wanted(run({B: OK}, night(1)), None), [open_issue]).steps
    assert [(s.why, s.subject) for s in removed] == [("no longer in links.yaml", Subject("Alpha"))]


def test_an_issue_title_not_ours_names_the_subject_as_written():
    failing = wanted(run({A: BROKEN}, night(0)), None).failures[lid(A)]
    retitled = replace(issue(failing, 5), title="Alpha is down")
    (step,) = plan(wanted(run({B: OK}, night(1)), None), [retitled]).steps
    assert step.subject == Subject("Alpha is down")


def test_assign_owners_only_on_create_and_only_for_handles():
    owned = replace(A, owner="@safe-team")
    rep = run({owned: BROKEN}, night(0))
    (step,) = plan(wanted(rep, None), [], assign_owners=True).steps
    assert step.assignees == ("safe-team",)
    (step,) = plan(wanted(rep, None), []).steps
    assert step.assignees == ()
    named = run({replace(A, owner="Safe team"): BROKEN}, night(0))
    (step,) = plan(wanted(named, None), [], assign_owners=True).steps
    assert step.assignees == ()


def test_failure_from_state_only_carries_the_memory():
    checks = Checks()
    checks.night({A: BROKEN})
    only = wanted(None, checks.state).failures[lid(A)]
    assert only == Failure(
        id=lid(A),
        name="Alpha",
        url=A.url,
        status=BROKEN,
        reason="404 Not Found",
        since=night(0) + timedelta(seconds=3),  # Checks saves the state just after the run
    )
    healthy = Checks()
    healthy.night({A: OK})
    assert wanted(None, healthy.state).healthy == {lid(A): "ok"}


def test_has_history():
    plain = run({A: OK}, night(0))
    assert has_history(plain) is False
    noted = replace(
        plain,
        outcomes=(replace(plain.outcomes[0], history=HistoryNote("new", "new", True)),),
    )
    assert has_history(noted) is True


def test_disagreement_with_an_empty_state():
    checks = Checks(fail_after=2)
    rep = checks.night({A: BROKEN})
    assert disagreement(rep, history.State(), "r.json", "s.json") == (
        'r.json and s.json disagree about 1 link ("Alpha" is in the report, not in the state):'
        " s.json is empty. Pass the report and the state file of the same `check --state"
        " s.json` run, or only one of them"
    )


def test_disagreement_from_about_the_same_time():
    checks = Checks(fail_after=2)
    rep = checks.night({A: BROKEN, B: BROKEN})
    edited = history.State(
        links={
            key: replace(memory, consecutive_failures=3, problem=True)
            for key, memory in checks.state.links.items()
        }
    )
    assert disagreement(rep, edited, "r.json", "s.json") == (
        'r.json and s.json disagree about 2 links ("Alpha" is pending (1 failing run) in the'
        " report but failing (3 runs in a row) in the state): both come from about the same"
        " time (2026-11-20 02:00 UTC), so the report was made with another state file, or the"
        " state was edited. Pass the report and the state file of the same `check --state"
        " s.json` run, or only one of them"
    )


def test_disagreement_names_a_link_only_the_state_knows():
    checks = Checks(fail_after=2)
    checks.night({A: BROKEN, B: BROKEN})
    rep = checks.night({A: BROKEN})
    wider = history.State(links={**checks.state.links, lid(B): checks.state.links[lid(A)]})
    wider_b = history.State(
        links={**checks.state.links, lid(B): replace(checks.state.links[lid(A)], name="Beta")}
    )
    assert '("Beta" is in the state, not in the report)' in disagreement(rep, wider_b, "r", "s")
    assert disagreement(rep, wider, "r", "s").startswith("r and s disagree about 1 link (")


def test_recovering_said_by_both_sides():
    checks = Checks(recover_after=3)
    checks.night({A: BROKEN})
    rep = checks.night({A: OK})
    assert disagreement(rep, checks.state, "r", "s") is None
    stale = history.State(links={lid(A): replace(checks.state.links[lid(A)], problem=False)})
    message = disagreement(rep, stale, "r", "s")
    assert message.startswith(
        'r and s disagree about 1 link ("Alpha" is recovering (1 passing run) in the report but'
        " healthy in the state)"
    )


def test_outcome_helpers_are_consistent():
    rep = report(outcome(A, BROKEN))
    assert wanted(rep, None).subjects[lid(A)] == Subject("Alpha", A.url, f"links.yaml:{A.line}")


def test_a_failure_from_a_report_carries_every_detail():
    lk = replace(A, owner="@o", category="Helplines")
    o = replace(
        outcome(lk, BROKEN),
        action="Find it.",
        final_url="https://elsewhere.example/",
        http_status=404,
    )
    got = wanted(report(o), None).failures[lid(lk)]
    assert got == Failure(
        id=lid(lk),
        name="Alpha",
        url=lk.url,
        status=BROKEN,
        reason="404 Not Found",
        action="Find it.",
        http_status=404,
        final_url="https://elsewhere.example/",
        since=None,
        owner="@o",
        category="Helplines",
        place=f"links.yaml:{lk.line}",
    )


def test_nothing_wanted_without_inputs():
    from linkwatch.tracker.plan import Wanted  # noqa: PLC0415

    assert wanted(None, None) == Wanted({}, {})


def test_a_skipped_link_first_does_not_hide_the_rest():
    skipped = report(outcome(A, Status.SKIPPED), outcome(B, BROKEN))
    assert set(wanted(skipped, None).failures) == {lid(B)}


def test_state_only_subjects_by_name_and_healthy_answers():
    checks = Checks()
    zed = replace(A, name="zed")
    checks.night({zed: OK, B: BROKEN})
    got = wanted(None, checks.state)
    assert list(got.subjects.items()) == [
        (lid(B), Subject("Beta", B.url)),
        (lid(zed), Subject("zed", zed.url)),
    ]
    assert got.healthy == {lid(zed): "ok"}


def test_state_and_report_a_link_gone_from_the_report_does_not_stop_the_rest():
    checks = Checks()
    checks.night({A: BROKEN, B: BROKEN})
    rep = run({B: BROKEN}, night(1))
    got = wanted(rep, checks.state)
    assert set(got.failures) == {lid(B)}
    healthy = Checks()
    healthy.night({A: OK})
    assert wanted(healthy.report, healthy.state).healthy == {lid(A): "ok (HTTP 200)"}
