"""The exit-code policy: which statuses and flags fail a run (``--fail-on``)."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Final, TypeAlias

from linkwatch.errors import UsageError
from linkwatch.models import Flag, Status

if TYPE_CHECKING:
    from linkwatch.models import Outcome, Report

FailOn: TypeAlias = frozenset[Status | Flag]

EXIT_OK: Final = 0
EXIT_PROBLEMS: Final = 1
EXIT_USAGE: Final = 2
EXIT_NETWORK: Final = 3

# What would hurt a reader fails a run by default: a dead link, one that cannot be reached,
# a domain now parked or leading to another site, a page that lost its expected text, and a
# page that quietly vanished (moved to the home page, or a "not found" page answering 200),
# and a domain anyone can buy now or that changed hands since the link was vetted.
# Temporary and same-site redirects, blocks, slow answers, expiring certificates, https
# downgrades, tracking parameters, flaky sites, domains expiring soon and links due for
# review stay visible but do not fail the run.
DEFAULT_FAIL_ON: Final[FailOn] = frozenset(
    {
        Status.BROKEN,
        Status.ERROR,
        Flag.PARKED_DOMAIN,
        Flag.CROSS_SITE_REDIRECT,
        Flag.EXPECT_TEXT_MISSING,
        Flag.MOVED_TO_HOME,
        Flag.SOFT_404,
        Flag.DOMAIN_UNREGISTERED,
        Flag.DOMAIN_CHANGED_HANDS,
    }
)
DEFAULT_FAIL_ON_TEXT: Final = (
    "broken,error,cross_site_redirect,expect_text_missing,parked_domain,moved_to_home,soft_404,"
    "domain_unregistered,domain_changed_hands"
)
NOTHING: Final = "none"

# `ok` is not a name: a healthy link failing the run would make every run fail.
_NAMES: Final[dict[str, Status | Flag]] = {
    **{s.value: s for s in Status if s is not Status.OK},
    **{f.value: f for f in Flag},
}


def known_names() -> tuple[str, ...]:
    """Every name ``--fail-on`` accepts, statuses first."""
    return (*_NAMES, NOTHING)


def parse_fail_on(text: str) -> FailOn:
    """``"broken,error,cross_site_redirect"`` → the set it names; ``none`` or ``""`` → empty."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if names == [NOTHING]:
        return frozenset()
    if NOTHING in names:
        raise UsageError(f"--fail-on: {NOTHING!r} cannot be combined with other names")
    chosen: set[Status | Flag] = set()
    for name in names:
        if name not in _NAMES:
            close = difflib.get_close_matches(name, list(_NAMES), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(
                f"--fail-on: unknown name {name!r}{hint}; choose from {', '.join(known_names())}"
            )
        chosen.add(_NAMES[name])
    return frozenset(chosen)


def describe(fail_on: FailOn) -> str:
    """The policy as ``--fail-on`` would spell it: ``broken,error``, or ``none``."""
    order = list(_NAMES.values())
    return ",".join(name.value for name in sorted(fail_on, key=order.index)) or NOTHING


def failing_statuses(fail_on: FailOn) -> frozenset[Status]:
    """The statuses among the policy's names: what the history counts as a failing run."""
    return frozenset(name for name in fail_on if isinstance(name, Status))


def fails(outcome: Outcome, fail_on: FailOn) -> bool:
    """Whether this outcome fails the run under the policy.

    With run history (``check --state``), the history decides for statuses: a link failing
    fewer than ``--fail-after`` runs in a row does not fail yet, and one still recovering
    does. Flags always count at once (the history does not track them).
    """
    if not fail_on:
        return False  # `--fail-on none` never fails, history or not
    by_flag = any(flag in fail_on for flag in outcome.flags)
    if outcome.history is not None:
        return outcome.history.counts or by_flag
    return outcome.status in fail_on or by_flag


def failures(report: Report, fail_on: FailOn) -> tuple[Outcome, ...]:
    """The outcomes that fail the run, in report order."""
    return tuple(o for o in report.outcomes if fails(o, fail_on))


def exit_code(report: Report, fail_on: FailOn = DEFAULT_FAIL_ON) -> int:
    """0 nothing failed the policy; 1 problems found; 3 the network was unavailable.

    (2, a usage or config error, never reaches a report: it is raised before one exists.)
    """
    if report.network_unavailable:
        return EXIT_NETWORK
    return EXIT_PROBLEMS if failures(report, fail_on) else EXIT_OK
