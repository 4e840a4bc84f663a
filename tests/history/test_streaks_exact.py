"""History, exactly: every label, each threshold at its limit, the state each run leaves,
recovery with fail-after, and duplicates. Expected values are written out, night by night."""

from __future__ import annotations

from dataclasses import replace

import pytest

from factories import lid, link, night, outcome, report, run
from linkwatch.history import streaks as history
from linkwatch.history.streaks import LinkState, Mark, MarkKind, State, Thresholds
from linkwatch.models import Status

OK, BROKEN, ERROR, SKIPPED = Status.OK, Status.BROKEN, Status.ERROR, Status.SKIPPED
BLOCKED = Status.BLOCKED
A = link("Alpha", index=0)
B = link("Beta", index=1)


def nights(sequence, thresholds=None):
    """Each night's (mark, LinkState) for link A."""
    state = State()
    seen = []
    for n, status in enumerate(sequence):
        after = history.update(state, run({A: status}, night(n)), night(n), thresholds)
        seen.append((history.marks(state, after).get(lid(A)), after.links[lid(A)]))
        state = after
    return seen


@pytest.mark.parametrize(
    ("mark", "label"),
    [
        (Mark(MarkKind.PERSISTING, night(0), 1), "persisting (since 2026-11-20, 1 run)"),
        (Mark(MarkKind.PERSISTING, night(2), 2), "persisting (since 2026-11-22, 2 runs)"),
        (Mark(MarkKind.PERSISTING, None, 0), "persisting (since ?, 0 runs)"),
        (Mark(MarkKind.PENDING, night(0), 1), "pending (1 failing run)"),
        (Mark(MarkKind.PENDING, night(0), 3), "pending (3 failing runs)"),
        (Mark(MarkKind.RECOVERING, night(0), 1), "recovering (1 passing run)"),
        (Mark(MarkKind.RECOVERING, night(0), 2), "recovering (2 passing runs)"),
        (Mark(MarkKind.NEW, night(0), 5), "new"),
        (Mark(MarkKind.RECOVERED, None, 5), "recovered"),
    ],
)
def test_every_label(mark, label):
    assert mark.label == label


@pytest.mark.parametrize(
    ("kind", "counts"),
    [
        (MarkKind.PENDING, False),
        (MarkKind.NEW, True),
        (MarkKind.PERSISTING, True),
        (MarkKind.RECOVERING, True),
        (MarkKind.RECOVERED, False),
    ],
)
def test_which_marks_count(kind, counts):
    assert Mark(kind, None, 1).counts is counts


def test_threshold_message_and_limits():
    with pytest.raises(ValueError) as info:
        Thresholds(fail_after=0)
    assert str(info.value) == "fail_after and recover_after must be at least 1"
    with pytest.raises(ValueError):
        Thresholds(recover_after=0)
    assert Thresholds(1, 1) == Thresholds()
    assert Thresholds().failing == {BROKEN, ERROR}


def test_fail_after_three_exactly_at_the_third_night():
    seen = nights([BROKEN, BROKEN, BROKEN, BROKEN], Thresholds(fail_after=3))
    assert [m for m, _ in seen] == [
        Mark(MarkKind.PENDING, night(0), 1),
        Mark(MarkKind.PENDING, night(0), 2),
        Mark(MarkKind.NEW, night(0), 3),
        Mark(MarkKind.PERSISTING, night(0), 4),
    ]
    assert [s.problem for _, s in seen] == [False, False, True, True]


def test_recover_after_two_with_fail_after_two():
    """History with recovery: the problem lasts until the second passing night in a row."""
    seen = nights([BROKEN, BROKEN, OK, BROKEN, OK, OK, OK], Thresholds(2, 2))
    assert [m for m, _ in seen] == [
        Mark(MarkKind.PENDING, night(0), 1),
        Mark(MarkKind.NEW, night(0), 2),
        Mark(MarkKind.RECOVERING, night(0), 1),
        Mark(MarkKind.PERSISTING, night(0), 1),  # a relapse continues the episode
        Mark(MarkKind.RECOVERING, night(0), 1),
        Mark(MarkKind.RECOVERED, None, 2),
        None,
    ]
    states = [
        (
            s.consecutive_failures,
            s.consecutive_successes,
            s.first_failed,
            s.last_ok,
            s.problem,
        )
        for _, s in seen
    ]
    assert states == [
        (1, 0, night(0), None, False),
        (2, 0, night(0), None, True),
        (0, 1, night(0), night(2), True),
        (1, 0, night(0), night(2), True),
        (0, 1, night(0), night(4), True),
        (0, 2, None, night(5), False),
        (0, 3, None, night(6), False),
    ]


def test_a_pending_failure_that_passes_leaves_no_mark_and_no_episode():
    seen = nights([BROKEN, OK, BROKEN], Thresholds(fail_after=2))
    assert [m for m, _ in seen] == [
        Mark(MarkKind.PENDING, night(0), 1),
        None,
        Mark(MarkKind.PENDING, night(2), 1),
    ]
    assert seen[1][1].first_failed is None


def test_skipped_is_neutral_and_blocked_is_a_pass_by_default():
    seen = nights([BROKEN, SKIPPED, BROKEN], Thresholds(fail_after=2))
    assert [m.kind if m else None for m, _ in seen] == [
        MarkKind.PENDING,
        MarkKind.PENDING,
        MarkKind.NEW,
    ]
    assert seen[1][1].last_status is SKIPPED
    assert seen[1][1].consecutive_failures == 1
    blocked = nights([BROKEN, BLOCKED], Thresholds(fail_after=2))
    assert blocked[1][0] is None


def test_a_status_named_failing_counts():
    seen = nights([BLOCKED], Thresholds(failing=frozenset({BLOCKED})))
    assert seen[0][0] == Mark(MarkKind.NEW, night(0), 1)


def test_the_state_follows_renames_and_reasons():
    state = history.update(State(), report(outcome(A, BROKEN, reason="gone")), night(0))
    renamed = replace(A, name="Alpha (new name)")
    after = history.update(state, report(outcome(renamed, OK, reason="fine")), night(1))
    assert after.links[lid(A)] == LinkState(
        name="Alpha (new name)",
        url=A.url,
        last_status=OK,
        last_reason="fine",
        last_checked=night(1),
        consecutive_failures=0,
        consecutive_successes=1,
        first_failed=None,
        last_ok=night(1),
        problem=False,
        first_seen=night(0),
        last_healthy=night(1),
    )
    assert state.links[lid(A)] == LinkState(
        name="Alpha",
        url=A.url,
        last_status=BROKEN,
        last_reason="gone",
        last_checked=night(0),
        consecutive_failures=1,
        consecutive_successes=0,
        first_failed=night(0),
        last_ok=None,
        problem=True,
        first_seen=night(0),
    )


def test_a_first_skipped_run_remembers_the_link_without_a_streak():
    after = history.update(State(), report(outcome(A, SKIPPED, reason="skipped: x")), night(0))
    assert after.links[lid(A)] == LinkState(
        name="Alpha",
        url=A.url,
        last_status=SKIPPED,
        last_reason="skipped: x",
        last_checked=night(0),
        first_seen=night(0),
    )


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        (OK, BROKEN, BROKEN),
        (BROKEN, OK, BROKEN),
        (OK, OK, OK),
        (BROKEN, ERROR, BROKEN),  # both fail: the first one stays
        (SKIPPED, OK, SKIPPED),  # neutral then passing: the first stays
    ],
)
def test_duplicates_in_one_report(first, second, kept):
    twin = replace(B, url=A.url)
    after = history.update(State(), report(outcome(A, first), outcome(twin, second)), night(0))
    assert after.links[lid(A)].last_status is kept


def test_links_missing_from_the_report_drop_out_and_failing_ids():
    state = history.update(State(), run({A: BROKEN, B: OK}, night(0)), night(0))
    assert history.failing_ids(state) == {lid(A)}
    after = history.update(state, run({B: OK}, night(1)), night(1))
    assert set(after.links) == {lid(B)}
    assert history.failing_ids(after) == frozenset()


def test_annotate_adds_notes_to_marked_links_only():
    rep = run({A: BROKEN, B: OK}, night(0))
    after = history.update(State(), rep, night(0))
    annotated = history.annotate(rep, history.marks(State(), after))
    assert [o.history for o in annotated.outcomes] == [
        Mark(MarkKind.NEW, night(0), 1).to_note(),
        None,
    ]
    assert annotated.outcomes[0].history.label == "new"


def test_the_state_keeps_the_url_as_last_checked():
    """Two spellings of one link (host case) share an id; the state keeps the latest."""
    state = history.update(State(), run({A: BROKEN}, night(0)), night(0))
    shouted = replace(A, url=A.url.replace("alpha.example.org", "ALPHA.example.org"))
    rep = report(replace(outcome(shouted, BROKEN), checked_url=shouted.url))
    after = history.update(state, rep, night(1))
    assert set(after.links) == {lid(A)}
    assert after.links[lid(A)].url == "https://ALPHA.example.org/"
