"""History across runs: streaks, thresholds, marks, renames and removals."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factories import lid, link, night, outcome, report, run
from linkwatch.history import streaks as history
from linkwatch.history.streaks import Mark, MarkKind, State, Thresholds
from linkwatch.models import HistoryNote, Status

OK, BROKEN, ERROR = Status.OK, Status.BROKEN, Status.ERROR
A = link("Alpha", index=0)
B = link("Beta", index=1)


def script(sequence, thresholds=None):
    """Runs ``sequence`` (one status per night for link A); returns each night's mark."""
    state = State()
    seen = []
    for n, status in enumerate(sequence):
        after = history.update(state, run({A: status}, night(n)), night(n), thresholds)
        seen.append(history.marks(state, after).get(lid(A)))
        state = after
    return seen, state


def kinds(sequence, thresholds=None):
    seen, _ = script(sequence, thresholds)
    return [m.kind.value if m else None for m in seen]


def test_first_failure_is_new_at_fail_after_one():
    """With the defaults, a link failing once is a new problem at once."""
    seen, state = script([BROKEN])
    assert seen == [Mark(MarkKind.NEW, night(0), 1)]
    assert state.links[lid(A)].problem


def test_persisting_counts_runs_and_keeps_the_start_date():
    """A link failing night after night is persisting since its first failure."""
    seen, state = script([BROKEN, BROKEN, ERROR])
    assert seen[-1] == Mark(MarkKind.PERSISTING, night(0), 3)
    assert seen[-1].label == "persisting (since 2026-11-20, 3 runs)"
    link_state = state.links[lid(A)]
    assert (link_state.consecutive_failures, link_state.last_status) == (3, ERROR)


def test_fail_after_two_waits_for_the_second_failure():
    """At --fail-after 2 the first failure is only pending and does not count."""
    assert kinds([BROKEN, BROKEN, BROKEN], Thresholds(fail_after=2)) == [
        "pending",
        "new",
        "persisting",
    ]
    seen, _ = script([BROKEN], Thresholds(fail_after=2))
    assert not seen[0].counts
    assert seen[0].label == "pending (1 failing run)"


def test_flapping_link_never_becomes_a_problem_at_fail_after_two():
    """Fail, pass, fail, pass never reaches two failures in a row."""
    assert kinds([BROKEN, OK, BROKEN, OK, BROKEN], Thresholds(fail_after=2)) == [
        "pending",
        None,
        "pending",
        None,
        "pending",
    ]


def test_recovered_once_then_healthy():
    """A problem that passes is recovered for one run, then has no mark."""
    seen, state = script([BROKEN, OK, OK])
    assert [m.kind.value if m else None for m in seen] == ["new", "recovered", None]
    link_state = state.links[lid(A)]
    assert link_state.first_failed is None
    assert link_state.last_ok == night(2)


def test_recover_after_keeps_the_problem_open_while_recovering():
    """At --recover-after 2 one passing run is recovering and still counts."""
    seen, _ = script([BROKEN, OK, OK], Thresholds(recover_after=2))
    assert [m.kind for m in seen] == [MarkKind.NEW, MarkKind.RECOVERING, MarkKind.RECOVERED]
    assert seen[1].counts
    assert seen[1].since == night(0)
    assert not seen[2].counts


def test_relapse_while_recovering_continues_the_episode():
    """Failing again before recovery is persisting, still dated from the first failure."""
    seen, _ = script([BROKEN, OK, BROKEN], Thresholds(recover_after=2))
    assert seen[-1] == Mark(MarkKind.PERSISTING, night(0), 1)


def test_relapse_after_recovery_is_new_again():
    """A link that recovered and fails again starts a new episode."""
    seen, _ = script([BROKEN, OK, BROKEN])
    assert seen[-1] == Mark(MarkKind.NEW, night(2), 1)


def test_skipped_links_neither_fail_nor_recover():
    """A skipped run leaves the streak where it was."""
    seen, state = script([BROKEN, Status.SKIPPED, BROKEN], Thresholds(fail_after=2))
    assert [m.kind.value if m else None for m in seen] == ["pending", "pending", "new"]
    assert state.links[lid(A)].last_status is BROKEN


@pytest.mark.parametrize("status", [Status.REDIRECTED, Status.BLOCKED, OK])
def test_statuses_outside_failing_end_a_streak(status):
    """Only the failing statuses (broken, error by default) extend a streak."""
    assert kinds([BROKEN, status, BROKEN], Thresholds(fail_after=2))[-1] == "pending"


def test_failing_set_is_configurable():
    """With --fail-on redirected, redirects build streaks too."""
    thresholds = Thresholds(failing=frozenset({Status.REDIRECTED}))
    assert kinds([Status.REDIRECTED], thresholds) == ["new"]


def test_removed_links_drop_out():
    """A link missing from the report is forgotten."""
    state = history.update(State(), run({A: BROKEN, B: BROKEN}, night(0)), night(0))
    after = history.update(state, run({A: BROKEN}, night(1)), night(1))
    assert set(after.links) == {lid(A)}


def test_renamed_link_keeps_its_history():
    """The id is the cleaned URL, so a new name keeps the streak and is remembered."""
    state = history.update(State(), run({A: BROKEN}, night(0)), night(0))
    renamed = replace(A, name="Alpha (renamed)")
    after = history.update(state, run({renamed: BROKEN}, night(1)), night(1))
    assert after.links[lid(A)].consecutive_failures == 2
    assert after.links[lid(A)].name == "Alpha (renamed)"
    assert history.marks(state, after)[lid(A)].kind is MarkKind.PERSISTING


def test_tracking_parameters_do_not_change_the_id():
    """Two spellings of one URL whose checked URL is the same share one id."""
    tagged = replace(A, url=A.url + "?utm_source=x")
    first = outcome(A, BROKEN)
    second = replace(outcome(tagged, BROKEN), checked_url=A.url)
    assert history.link_id(first) == history.link_id(second)


def test_network_unavailable_run_changes_nothing():
    """An offline run says nothing about links: no streak grows, nothing drops out."""
    state = history.update(State(), run({A: BROKEN, B: OK}, night(0)), night(0))
    offline = report(outcome(A, ERROR), when=night(1), offline=True)
    assert history.update(state, offline, night(1)) is state


def test_duplicate_ids_fail_if_either_fails():
    """Two outcomes with one id: the failing one decides."""
    twin = replace(B, url=A.url)
    rep = report(outcome(A, OK), outcome(twin, BROKEN))
    after = history.update(State(), rep, night(0))
    assert after.links[lid(A)].problem


def test_counts_follows_the_mark():
    """Pending links do not fail the run; new ones do; unmarked ones have no mark."""
    before = history.update(State(), run({A: BROKEN}, night(0)), night(0), Thresholds(2))
    rep = run({A: BROKEN, B: BROKEN}, night(1))
    after = history.update(before, rep, night(1), Thresholds(2))
    marked = history.marks(before, after)
    assert {key: note.counts for key, note in marked.items()} == {lid(A): True, lid(B): False}
    assert {key for key, link in after.links.items() if link.problem} == {lid(A)}


@pytest.mark.parametrize("bad", [(0, 1), (1, 0), (-1, 3)])
def test_thresholds_must_be_positive(bad):
    """A threshold below one is refused."""
    with pytest.raises(ValueError, match="at least 1"):
        Thresholds(*bad)


@given(
    st.lists(st.sampled_from([OK, BROKEN, ERROR, Status.SKIPPED]), max_size=25),
    st.integers(1, 4),
    st.integers(1, 4),
)
def test_invariants_hold_for_any_sequence(sequence, fail_after, recover_after):
    """Counters never both run, problems need enough failures, marks agree with the state."""
    thresholds = Thresholds(fail_after, recover_after)
    state = State()
    failures_in_a_row = 0
    for n, status in enumerate(sequence):
        after = history.update(state, run({A: status}, night(n)), night(n), thresholds)
        now = after.links[lid(A)]
        note = history.marks(state, after).get(lid(A))
        if status in {BROKEN, ERROR}:
            failures_in_a_row += 1
        elif status is OK:
            failures_in_a_row = 0
        assert not (now.consecutive_failures and now.consecutive_successes)
        assert now.consecutive_failures == failures_in_a_row
        if failures_in_a_row >= fail_after:
            assert now.problem
        assert (note is not None and note.counts) == now.problem
        if now.problem:
            assert now.first_failed is not None
        state = after


def test_mark_as_note():
    """Marks become the plain note every report format reads, label included."""
    assert Mark(MarkKind.PERSISTING, night(0), 2).to_note() == HistoryNote(
        "persisting", "persisting (since 2026-11-20, 2 runs)", True, night(0), 2
    )
    assert Mark(MarkKind.RECOVERED, None, 1).to_note() == HistoryNote(
        "recovered", "recovered", False, None, 1
    )
