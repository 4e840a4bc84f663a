"""--fail-on parsing and the exit-code policy."""

from __future__ import annotations

import pytest

from linkwatch.errors import UsageError
from linkwatch.judgement.policy import (
    DEFAULT_FAIL_ON,
    DEFAULT_FAIL_ON_TEXT,
    exit_code,
    failures,
    parse_fail_on,
)
from linkwatch.models import Flag, Status
from samples import sample_outcomes, sample_report


def test_parse_fail_on_reads_statuses_and_flags():
    """Names are comma-separated, case and spaces ignored."""
    assert parse_fail_on("broken, ERROR,cross_site_redirect") == {
        Status.BROKEN,
        Status.ERROR,
        Flag.CROSS_SITE_REDIRECT,
    }


def test_parse_fail_on_none_means_nothing_fails():
    """``none`` and the empty string name nothing."""
    assert parse_fail_on("none") == frozenset()
    assert parse_fail_on("") == frozenset()


def test_default_text_matches_default_set():
    """The documented default string parses to the default policy."""
    assert parse_fail_on(DEFAULT_FAIL_ON_TEXT) == DEFAULT_FAIL_ON


def test_none_cannot_be_combined():
    """``none`` with other names is contradictory."""
    with pytest.raises(UsageError, match="cannot be combined"):
        parse_fail_on("none,broken")


@pytest.mark.parametrize("text", ["brokn", "ok", "broken,nope"])
def test_parse_fail_on_rejects_unknown_names(text):
    """An unknown name is a usage error that lists the valid ones."""
    with pytest.raises(UsageError, match="--fail-on: unknown name") as info:
        parse_fail_on(text)
    assert "cross_site_redirect" in str(info.value)


def test_typo_gets_a_suggestion():
    """A near miss suggests the intended name."""
    with pytest.raises(UsageError, match="did you mean 'broken'"):
        parse_fail_on("brokn")


def test_exit_0_when_nothing_fails_the_policy(clean_report):
    """A clean run exits 0."""
    assert exit_code(clean_report) == 0


def test_exit_1_when_a_link_is_broken(report):
    """A broken link fails the default policy."""
    assert exit_code(report) == 1


def test_exit_3_when_the_network_was_unavailable(report):
    """An unavailable network wins over problems found."""
    assert exit_code(sample_report(network_unavailable=True)) == 3


def test_the_default_policy_fails_what_would_hurt_a_reader():
    """Broken, error, parked, an unallowed cross-site redirect, missing text, a page moved to
    the home page, a soft 404, a lapsed domain and one that changed hands fail by default;
    nothing else does."""
    assert {
        Status.BROKEN,
        Status.ERROR,
        Flag.PARKED_DOMAIN,
        Flag.CROSS_SITE_REDIRECT,
        Flag.EXPECT_TEXT_MISSING,
        Flag.MOVED_TO_HOME,
        Flag.SOFT_404,
        Flag.DOMAIN_UNREGISTERED,
        Flag.DOMAIN_CHANGED_HANDS,
    } == DEFAULT_FAIL_ON
    assert parse_fail_on(DEFAULT_FAIL_ON_TEXT) == DEFAULT_FAIL_ON


def test_redirects_and_other_flags_only_fail_when_named():
    """Redirected, blocked, slow, expiring and tracked links warn under the default policy."""
    gentle = sample_report(
        outcomes=tuple(
            o
            for o in sample_outcomes()
            if o.status not in {Status.BROKEN, Status.ERROR} and o.link.name != "Hijacked charity"
        )
    )
    assert exit_code(gentle, DEFAULT_FAIL_ON) == 0
    hijacked = sample_report(
        outcomes=tuple(o for o in sample_outcomes() if "Hijacked" in o.link.name)
    )
    assert exit_code(hijacked, DEFAULT_FAIL_ON) == 1
    assert exit_code(hijacked, frozenset({Status.BROKEN})) == 0
    assert exit_code(gentle, frozenset({Flag.TRACKING_PARAMS})) == 1
    assert exit_code(gentle, frozenset({Status.BLOCKED})) == 1
    named = failures(gentle, frozenset({Flag.TLS_EXPIRING}))
    assert [o.link.name for o in named] == ["NSPCC advice"]


def test_fail_on_none_never_fails_even_with_history():
    """A problem the history counts still does not fail `--fail-on none` (the job summary)."""
    import dataclasses  # noqa: PLC0415

    from linkwatch.models import HistoryNote  # noqa: PLC0415

    report = sample_report()
    counted = HistoryNote(kind="new", label="new", counts=True)
    outcomes = tuple(dataclasses.replace(o, history=counted) for o in report.outcomes)
    with_history = dataclasses.replace(report, outcomes=outcomes)
    assert exit_code(with_history, parse_fail_on("none")) == 0
    assert exit_code(with_history, DEFAULT_FAIL_ON) == 1
