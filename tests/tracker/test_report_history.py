"""The tracker follows the history a report carries, and refuses a state that disagrees."""

from __future__ import annotations

from dataclasses import replace

from factories import lid, link, night, run
from linkwatch.history import streaks as history
from linkwatch.models import Status
from linkwatch.tracker import body
from linkwatch.tracker.plan import RemoteIssue, disagreement, plan, wanted
from tracker.checks import Checks

OK, BROKEN = Status.OK, Status.BROKEN
A, B = link("Alpha", index=0), link("Beta", index=1)


def issue(rep, lk, number, *, is_open=True):
    failure = wanted(rep, None).failures[lid(lk)]
    return RemoteIssue(number, body.title(failure), body.body(failure), open=is_open)


def verbs(the_plan):
    return [(s.verbs, s.number) for s in the_plan.steps]


def test_a_pending_link_in_a_report_is_held():
    """A report marking a broken link pending (fail-after 2) opens nothing, as its state would."""
    checks = Checks(fail_after=2)
    first = checks.night({A: BROKEN, B: OK})
    assert first.outcomes[0].history.counts is False
    the_wanted = wanted(first, None)
    assert the_wanted.held == {lid(A)}
    assert plan(the_wanted, []).steps == ()
    second = checks.night({A: BROKEN, B: OK})
    (step,) = plan(wanted(second, None), []).steps
    assert (step.verbs, step.why) == (("create",), "broken, HTTP 404")
    assert "is failing since 2026-11-20." in (step.body or "")
    assert plan(wanted(second, None), []) == plan(wanted(second, checks.state), [])


def test_a_first_re_failure_leaves_the_closed_issue_closed():
    """After recovery, one failing night neither reopens nor comments; the second reopens."""
    checks = Checks(fail_after=2)
    checks.night({A: BROKEN})
    opened = checks.night({A: BROKEN})
    closed = [issue(opened, A, 4, is_open=False)]
    checks.night({A: OK})
    relapse = checks.night({A: BROKEN})
    assert relapse.outcomes[0].history.kind == "pending"
    assert plan(wanted(relapse, None), closed).steps == ()
    again = checks.night({A: BROKEN})
    assert verbs(plan(wanted(again, None), closed)) == [(("comment", "update", "reopen"), 4)]


def test_a_recovering_link_keeps_its_issue_open():
    """At recover-after 2 the first passing night is held, the second closes."""
    checks = Checks(recover_after=2)
    failing = checks.night({A: BROKEN})
    existing = [issue(failing, A, 7)]
    first_pass = checks.night({A: OK})
    assert first_pass.outcomes[0].history.kind == "recovering"
    assert plan(wanted(first_pass, None), existing).steps == ()
    second_pass = checks.night({A: OK})
    (step,) = plan(wanted(second_pass, None), existing).steps
    assert (step.verbs, step.why) == (("comment", "close"), "recovered, ok (HTTP 200)")


def test_a_report_without_history_keeps_todays_meaning():
    """No --state at check time: a failing status is failing at once."""
    rep = run({A: BROKEN, B: OK}, night(0))
    assert [s.verbs for s in plan(wanted(rep, None), []).steps] == [("create",)]


def test_a_report_with_history_treats_links_without_a_note_as_healthy():
    """With history, a link without a note passes (or fails only outside check's --fail-on)."""
    checks = Checks()
    rep = checks.night({A: BROKEN, B: OK})
    unmarked = replace(rep, outcomes=(rep.outcomes[0], replace(rep.outcomes[1], status=BROKEN)))
    the_wanted = wanted(unmarked, None)
    assert set(the_wanted.failures) == {lid(A)}
    assert set(the_wanted.healthy) == {lid(B)}


def test_the_report_and_the_state_of_one_run_agree():
    """Every night of a flapping script, the report and its state agree."""
    checks = Checks(fail_after=2, recover_after=2)
    for statuses in ({A: BROKEN}, {A: BROKEN, B: BROKEN}, {A: OK, B: BROKEN}, {A: BROKEN}):
        rep = checks.night(statuses)
        assert disagreement(rep, checks.state, "r.json", "s.json") is None
        assert wanted(rep, None) == wanted(rep, checks.state)


def test_a_state_one_night_ahead_is_named():
    """A report older than the state: the report is stale, and the message says what to do."""
    checks = Checks(fail_after=2)
    old = checks.night({A: BROKEN})
    checks.night({A: BROKEN})
    assert disagreement(old, checks.state, "report.json", "state.json") == (
        'report.json and state.json disagree about 1 link ("Alpha" is pending (1 failing run)'
        " in the report but failing (2 runs in a row) in the state): report.json is stale: a"
        " later check run (2026-11-21 02:00 UTC) updated state.json after the report's run"
        " (2026-11-20 02:00 UTC). Sync with that run's report, or with --state state.json alone"
    )


def test_a_state_one_night_behind_is_named():
    """A state older than the report (the report's run did not save to it): the state is stale."""
    checks = Checks(fail_after=2)
    checks.night({A: BROKEN})
    behind = checks.state
    newer = checks.night({A: BROKEN})
    assert disagreement(newer, behind, "report.json", "state.json") == (
        'report.json and state.json disagree about 1 link ("Alpha" is failing (2 runs in a'
        " row) in the report but pending (1 failing run) in the state): state.json is stale:"
        " its last check run was at 2026-11-20 02:00 UTC, before the report's run (2026-11-21"
        " 02:00 UTC), so the report was made with another state file. Sync with --report"
        " report.json alone (its history decides), or pass the report and the state file of"
        " the same `check --state state.json` run, or only one of them"
    )


def test_a_report_without_history_and_a_state_disagree():
    """A report made without --state cannot be checked against a state that remembers a failure."""
    checks = Checks(fail_after=2)
    checks.night({A: BROKEN})
    bare = run({A: BROKEN}, night(0))
    assert disagreement(bare, checks.state, "report.json", "state.json") == (
        'report.json and state.json disagree about 1 link ("Alpha" is healthy in the report'
        " but pending (1 failing run) in the state): report.json carries no run history: it"
        " was made without --state. Make it with `check --state state.json --format json`,"
        " or sync with only one of them"
    )


def test_links_only_one_side_knows_are_a_disagreement():
    """A link added since the state was written (or removed) is named."""
    checks = Checks()
    rep = checks.night({A: OK})
    wider = run({A: OK, B: OK}, night(0))
    wider = history.annotate(wider, {})
    message = disagreement(wider, checks.state, "report.json", "state.json")
    assert message is not None
    assert message.startswith(
        'report.json and state.json disagree about 1 link ("Beta" is in the report, not in the'
        " state): "
    )
    beta = replace(checks.state.links[lid(A)], name="Beta")
    wider_state = history.State({**checks.state.links, lid(B): beta})
    message = disagreement(rep, wider_state, "report.json", "state.json")
    assert message is not None
    assert 'about 1 link ("Beta" is in the state, not in the report)' in message
