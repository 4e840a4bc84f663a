"""The exit policy's exact words and its combinations: --fail-on flags with history."""

from __future__ import annotations

import dataclasses

import pytest

from factories import link, outcome, report
from linkwatch.errors import UsageError
from linkwatch.judgement.policy import (
    DEFAULT_FAIL_ON,
    describe,
    exit_code,
    failing_statuses,
    fails,
    failures,
    known_names,
    parse_fail_on,
)
from linkwatch.models import Flag, HistoryNote, Status

ALL_NAMES = (
    "broken, error, blocked, redirected, skipped, tracking_params, cross_site_redirect,"
    " https_downgrade, expect_text_missing, parked_domain, moved_to_home, soft_404,"
    " tls_expiring, slow, flaky, domain_unregistered, domain_changed_hands, domain_expiring,"
    " review_due, cached, none"
)


def test_known_names_statuses_first_then_flags_then_none():
    assert ", ".join(known_names()) == ALL_NAMES
    assert "ok" not in known_names()


def test_unknown_name_message_exactly():
    with pytest.raises(UsageError) as info:
        parse_fail_on("brokn")
    assert str(info.value) == (
        f"--fail-on: unknown name 'brokn' (did you mean 'broken'?); choose from {ALL_NAMES}"
    )
    with pytest.raises(UsageError) as info:
        parse_fail_on("zzzzzz")
    assert str(info.value) == f"--fail-on: unknown name 'zzzzzz'; choose from {ALL_NAMES}"


def test_none_with_others_message_exactly():
    with pytest.raises(UsageError) as info:
        parse_fail_on("broken, None")
    assert str(info.value) == "--fail-on: 'none' cannot be combined with other names"


def test_parsing_ignores_case_blanks_and_empty_parts():
    assert parse_fail_on(" Broken ,, SLOW ,") == {Status.BROKEN, Flag.SLOW}
    assert parse_fail_on(" NONE ") == frozenset()
    assert parse_fail_on(" , ") == frozenset()


def test_describe_spells_the_policy_in_known_order():
    assert describe(DEFAULT_FAIL_ON) == (
        "broken,error,cross_site_redirect,expect_text_missing,parked_domain,moved_to_home,soft_404,"
        "domain_unregistered,domain_changed_hands"
    )
    assert describe(frozenset({Flag.FLAKY, Status.BLOCKED})) == "blocked,flaky"
    assert describe(frozenset()) == "none"


def test_failing_statuses_keeps_statuses_only():
    assert failing_statuses(DEFAULT_FAIL_ON) == {Status.BROKEN, Status.ERROR}
    assert failing_statuses(frozenset({Flag.SLOW})) == frozenset()


def _with(status=Status.OK, flags=(), history=None):
    o = outcome(link("A"), status)
    return dataclasses.replace(o, flags=tuple(flags), history=history)


COUNTS = HistoryNote(kind="new", label="new", counts=True)
PENDING = HistoryNote(kind="pending", label="pending (1 of 2 runs)", counts=False)


@pytest.mark.parametrize(
    ("status", "flags", "history", "fail_on", "expected"),
    [
        (Status.BROKEN, (), None, DEFAULT_FAIL_ON, True),
        (Status.OK, (), None, DEFAULT_FAIL_ON, False),
        (Status.BLOCKED, (), None, DEFAULT_FAIL_ON, False),
        (Status.OK, (Flag.SOFT_404,), None, DEFAULT_FAIL_ON, True),
        (Status.OK, (Flag.SLOW,), None, DEFAULT_FAIL_ON, False),
        # With history (check --state), the history decides for statuses ...
        (Status.BROKEN, (), PENDING, DEFAULT_FAIL_ON, False),
        (Status.BROKEN, (), COUNTS, DEFAULT_FAIL_ON, True),
        (Status.OK, (), COUNTS, DEFAULT_FAIL_ON, True),  # still recovering
        # ... but a --fail-on flag counts at once, pending or not.
        (Status.BROKEN, (Flag.PARKED_DOMAIN,), PENDING, DEFAULT_FAIL_ON, True),
        (Status.OK, (Flag.SLOW,), PENDING, frozenset({Flag.SLOW}), True),
        (Status.OK, (Flag.SLOW,), PENDING, DEFAULT_FAIL_ON, False),
        # `none` never fails, history or flags.
        (Status.BROKEN, (Flag.PARKED_DOMAIN,), COUNTS, frozenset(), False),
        (Status.BROKEN, (), None, frozenset(), False),
    ],
)
def test_fails_each_combination(status, flags, history, fail_on, expected):
    assert fails(_with(status, flags, history), fail_on) is expected


def test_failures_keep_report_order_and_exit_codes():
    a, b, c = (
        _with(Status.BROKEN),
        _with(Status.OK),
        _with(Status.ERROR),
    )
    run = report(a, b, c)
    assert failures(run, DEFAULT_FAIL_ON) == (a, c)
    assert exit_code(run) == 1
    assert exit_code(report(b)) == 0
    assert exit_code(report(b, offline=True)) == 3
    assert exit_code(report(a, offline=True), frozenset()) == 3
