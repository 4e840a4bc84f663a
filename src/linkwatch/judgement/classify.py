"""Pure judgement: an ``Observation`` and the link's policy become an ``Outcome``.

No network, no clock (``now`` is passed in). The table it implements is in
docs/design-engine.md; every outcome carries a one-line reason and the suggested action.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, assert_never
from urllib.parse import urlsplit

from linkwatch.judgement import pages
from linkwatch.judgement.sites import same_site
from linkwatch.models import Failure, Flag, Observation, Outcome, Status

if TYPE_CHECKING:
    from datetime import datetime

    from linkwatch.models import Exclusion, Link

PERMANENT_REDIRECTS = frozenset({301, 308})
# Failures the probe retries: the reason says how many attempts it took to give up.
RETRIED_FAILURES = frozenset({Failure.RESET, Failure.CONNECT_TIMEOUT, Failure.DNS_FAILED})
BLOCKED_CODES = frozenset({401, 403, 429, 999})
# The statuses bot protection answers with; a 404 from a protected site is still a 404.
WALL_CODES = frozenset({403, 405, 429, 503})


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a flag is raised."""

    tls_warning: timedelta = timedelta(days=21)
    slow_ms: int = 10_000


@dataclass(frozen=True, slots=True)
class _Verdict:
    status: Status
    reason: str
    action: str


def classify(
    observation: Observation,
    link: Link,
    now: datetime,
    *,
    stripped: tuple[str, ...] = (),
    thresholds: Thresholds | None = None,
) -> Outcome:
    """Judge one observation against the link's policy."""
    thresholds = thresholds or Thresholds()
    text = pages.page_text(observation.body)
    verdict = _verdict(observation, link, text)
    flags = _flags(observation, link, now, text, stripped=stripped, thresholds=thresholds)
    return Outcome(
        link=link,
        checked_url=observation.url,
        stripped_params=stripped,
        status=verdict.status,
        reason=verdict.reason,
        action=_action(verdict, flags),
        flags=flags,
        http_status=observation.status_code,
        final_url=observation.final_url,
        redirects=observation.hops,
        attempts=observation.attempts,
        elapsed_ms=observation.elapsed_ms,
        tls_expires=observation.tls_expires,
        title=pages.page_title(observation.body),
    )


# What to do about an ok link that carries a flag, most serious flag first.
_FLAG_ACTIONS: tuple[tuple[Flag, str], ...] = (
    (
        Flag.PARKED_DOMAIN,
        (
            "The page looks parked or for sale: the domain may have lapsed; remove the link or"
            " find the organisation's new site."
        ),
    ),
    (
        Flag.SOFT_404,
        (
            "The page says it is not found or no longer available: find where its content"
            " went on the site, or remove the link."
        ),
    ),
    (
        Flag.MOVED_TO_HOME,
        (
            "The page is gone: the site now sends readers to its home page or a search page."
            " Find where the content went, or remove the link; do not adopt this redirect."
        ),
    ),
    (
        Flag.CROSS_SITE_REDIRECT,
        (
            "The link now ends on another website: open it; if the move is genuine, update the URL"
            " (or list the new site in allow_redirect_to), else remove the link."
        ),
    ),
    (
        Flag.HTTPS_DOWNGRADE,
        "The site now sends readers to plain http: check it is still the right site.",
    ),
    (
        Flag.EXPECT_TEXT_MISSING,
        "The page no longer contains the expected text: check it is still the right page.",
    ),
    (Flag.TLS_EXPIRING, "The site's certificate expires soon: tell the site's owner."),
    (
        Flag.TRACKING_PARAMS,
        "Remove the tracking parameters from links.yaml: `linkwatch clean --write`.",
    ),
    (Flag.SLOW, "The site answered slowly; check again later."),
    (
        Flag.FLAKY,
        "None now; the site needed a retry. If it keeps stumbling, tell the site's owner.",
    ),
)


def _flag_action(flags: tuple[Flag, ...]) -> str:
    return next((action for flag, action in _FLAG_ACTIONS if flag in flags), "None.")


def _action(verdict: _Verdict, flags: tuple[Flag, ...]) -> str:
    """The verdict's action, unless a flag matters more.

    "Update the URL to the final address" would be the worst advice for a lapsed domain
    that now redirects to a stranger's site, so a suspicious flag overrides it.
    """
    if verdict.status in {Status.OK, Status.REDIRECTED} and (
        {Flag.PARKED_DOMAIN, Flag.SOFT_404, Flag.MOVED_TO_HOME} & set(flags)
    ):
        # "Update the URL to the final address" would adopt a vanished page's home page.
        return _flag_action(flags)
    if Flag.CROSS_SITE_REDIRECT in flags and verdict.status is Status.REDIRECTED:
        return (
            "Open the link before changing anything: it now ends on another website."
            f" Only if the move is genuine: {verdict.action}"
        )
    if verdict.status is Status.OK and flags:
        return _flag_action(flags)
    return verdict.action


def _not_requested(
    link: Link,
    checked_url: str,
    stripped: tuple[str, ...],
    *,
    status: Status,
    reason: str,
    action: str,
    also: tuple[Flag, ...] = (),
) -> Outcome:
    """A link the run did not request: its reason, and the tracking flag its URL earns."""
    return Outcome(
        link=link,
        checked_url=checked_url,
        stripped_params=stripped,
        status=status,
        reason=reason,
        action=action,
        flags=((Flag.TRACKING_PARAMS,) if stripped else ()) + also,
    )


def skipped(link: Link, checked_url: str, stripped: tuple[str, ...], reason: str) -> Outcome:
    """The outcome of a link the config says not to check."""
    return _not_requested(
        link,
        checked_url,
        stripped,
        status=Status.SKIPPED,
        reason=f"skipped: {reason}",
        action="None; remove `skip` when the link should be checked again.",
    )


def excluded(
    link: Link, checked_url: str, stripped: tuple[str, ...], exclusion: Exclusion
) -> Outcome:
    """The outcome of a link an ``exclude`` pattern (file or command line) matched."""
    where = "--exclude" if exclusion.source == "--exclude" else f"exclude in {exclusion.source}"
    return _not_requested(
        link,
        checked_url,
        stripped,
        status=Status.SKIPPED,
        reason=f"skipped: excluded by {where}: {exclusion.pattern}",
        action="None; remove the pattern when the link should be checked again.",
    )


def cached(
    link: Link, checked_url: str, stripped: tuple[str, ...], age: timedelta, within: str
) -> Outcome:
    """The outcome of a link not requested because it was healthy ``age`` ago, less than
    ``within`` (``check --reuse-ok``)."""
    return _not_requested(
        link,
        checked_url,
        stripped,
        status=Status.OK,
        reason=f"ok {age_text(age)} ago, not checked again (--reuse-ok {within})",
        action="None.",
        also=(Flag.CACHED,),
    )


def age_text(age: timedelta) -> str:
    """A duration as a person says it: ``23 min``, ``5 h 12 min``, ``2 d 4 h``."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def internal_error(
    link: Link, checked_url: str, stripped: tuple[str, ...], error: Exception
) -> Outcome:
    """The outcome of a link whose check hit a bug in linkwatch (the run goes on)."""
    return Outcome(
        link=link,
        checked_url=checked_url,
        stripped_params=stripped,
        status=Status.ERROR,
        reason=f"linkwatch failed while checking: {type(error).__name__}: {error}",
        action="Report this as a linkwatch bug, with the URL.",
        flags=(Flag.TRACKING_PARAMS,) if stripped else (),
    )


def not_judged(outcome: Outcome) -> Outcome:
    """The outcome of a link that failed only because this machine is offline."""
    return replace(
        outcome,
        status=Status.ERROR,
        reason="not checked: the network is unavailable (no link got past DNS or a connection)",
        action="Run again when this machine is online; nothing is known about this link.",
    )


# ------------------------------------------------------------------------------ verdict
def _verdict(obs: Observation, link: Link, text: str | None) -> _Verdict:
    if obs.failure is not None:
        verdict = _failure_verdict(obs.failure, obs.detail)
        if obs.attempts > 1 and obs.failure in RETRIED_FAILURES:
            verdict = replace(verdict, reason=f"{verdict.reason} ({obs.attempts} attempts)")
        return verdict
    code = obs.status_code
    assert code is not None  # noqa: S101 - an observation without failure has a status
    wall = pages.bot_wall(obs, text)
    if wall is not None and (
        wall.certain or code in WALL_CODES or (200 <= code < 300 and pages.is_challenge_page(text))
    ):
        # A bot check is not the page, whatever its status: it cannot be verified here.
        return _blocked(obs, code, wall.provider)
    if 200 <= code < 300 and pages.is_challenge_page(text):
        return _blocked(obs, code)
    if link.policy.accepts(code):
        return _accepted(obs, code)
    if code in REDIRECT_CODES_3XX:
        return _Verdict(
            Status.ERROR,
            f"HTTP {code} redirect without a usable Location header",
            "Open the link in a browser; the server's redirect is broken.",
        )
    if code in BLOCKED_CODES or pages.is_challenge_answer(obs, text):
        return _blocked(obs, code)
    if code in {404, 410}:
        gone = "gone (410)" if code == 410 else "not found (404)"
        return _Verdict(
            Status.BROKEN,
            f"the page is {gone}",
            "Find the page's new address on the site, or remove the link.",
        )
    if 400 <= code < 500:
        return _Verdict(
            Status.BROKEN,
            f"the server refused the request (HTTP {code})",
            "Open the link in a browser; fix or replace the URL.",
        )
    if code >= 500:
        retried = f" after {obs.attempts} attempts" if obs.attempts > 1 else ""
        return _Verdict(
            Status.ERROR,
            f"server error (HTTP {code}){retried}",
            "Check again later; if it persists, tell the site's owner.",
        )
    return _Verdict(
        Status.BROKEN,
        f"HTTP {code} is not an accepted status for this link",
        "Check the page; widen `accept` if this status is expected.",
    )


REDIRECT_CODES_3XX = frozenset(range(300, 400))


def _accepted(obs: Observation, code: int) -> _Verdict:
    hops = obs.hops
    if len(hops) <= 1:
        return _Verdict(Status.OK, f"HTTP {code}", "None.")
    final = obs.final_url or hops[-1].url
    # Only the permanent moves the chain starts with say where the link now lives; a
    # temporary hop after them (a login page, a geo redirect) is the site's business.
    moved = 0
    while moved < len(hops) - 1 and hops[moved].status_code in PERMANENT_REDIRECTS:
        moved += 1
    if moved == len(hops) - 1:
        return _Verdict(
            Status.REDIRECTED,
            f"moved permanently to {final}",
            "Update the URL in links.yaml to the final address.",
        )
    if moved:
        return _Verdict(
            Status.REDIRECTED,
            f"moved permanently to {hops[moved].url}, then redirected to {final}",
            f"Update the URL in links.yaml to {hops[moved].url}.",
        )
    return _Verdict(
        Status.REDIRECTED,
        f"temporarily redirected to {final}",
        "None needed; the site redirects for now (informational).",
    )


def _blocked(obs: Observation, code: int, provider: str | None = None) -> _Verdict:
    if provider is not None:
        return _Verdict(
            Status.BLOCKED,
            f"{provider} bot protection answered instead of the page (HTTP {code})",
            "Open the link in a browser to confirm it works. It cannot be checked"
            f" automatically while {provider} challenges robots: accept this answer for the"
            f" link (`accept: [{code}]`) or check it by hand now and then.",
        )
    if code == 429:
        wait = f"; it asks to wait {obs.retry_after_s:g} s" if obs.retry_after_s else ""
        tries = f"{obs.attempts} attempt{'s' if obs.attempts != 1 else ''}"
        reason = f"rate limited (HTTP 429) after {tries}{wait}"
    elif code in {401, 403}:
        reason = f"access denied to automated checks (HTTP {code})"
    elif code == 999:
        reason = "the site refuses automated checks (HTTP 999)"
    else:
        reason = f"a bot-protection page answered (HTTP {code})"
    return _Verdict(
        Status.BLOCKED,
        reason,
        "Open the link in a browser to confirm it works; it cannot be verified automatically.",
    )


def _failure_verdict(failure: Failure, detail: str) -> _Verdict:
    match failure:
        case Failure.DNS_NOT_FOUND:
            return _Verdict(
                Status.BROKEN,
                "the domain does not exist (DNS: no such host)",
                "The domain may have lapsed: find the organisation's current site or remove it.",
            )
        case Failure.REFUSED:
            return _Verdict(
                Status.BROKEN,
                "the server refused the connection",
                "Check the address and port; the site may have moved or shut down.",
            )
        case Failure.DNS_FAILED:
            return _Verdict(Status.ERROR, detail or "name lookup failed", _RETRY_LATER)
        case Failure.UNREACHABLE:
            return _Verdict(
                Status.ERROR, f"the server could not be reached: {detail}", _RETRY_LATER
            )
        case Failure.CONNECT_TIMEOUT:
            return _Verdict(Status.ERROR, "the server did not accept a connection", _RETRY_LATER)
        case Failure.TIMEOUT:
            return _Verdict(Status.ERROR, detail or "timed out", _RETRY_LATER)
        case Failure.RESET:
            return _Verdict(Status.ERROR, detail or "the connection was reset", _RETRY_LATER)
        case Failure.TLS:
            return _Verdict(
                Status.ERROR,
                f"secure connection failed: {detail}",
                "Tell the site's owner their certificate is invalid; do not send readers there.",
            )
        case Failure.PROTOCOL:
            return _Verdict(Status.ERROR, detail or "not a valid HTTP answer", _RETRY_LATER)
        case Failure.REDIRECT_LOOP:
            return _Verdict(
                Status.ERROR,
                f"redirect loop: {detail}",
                "Open the link in a browser; the site's redirects are broken.",
            )
        case Failure.TOO_MANY_REDIRECTS:
            return _Verdict(
                Status.ERROR,
                detail,
                "Open the link in a browser and use the final address it reaches.",
            )
        case Failure.BAD_REDIRECT:
            return _Verdict(
                Status.ERROR,
                detail,
                "Check where the link leads in a browser; replace it if it left the web.",
            )
        case Failure.PRIVATE_ADDRESS:
            return _Verdict(
                Status.SKIPPED,
                f"not requested: {detail}",
                "Check the link by hand; use --allow-private to check internal addresses.",
            )
        case Failure.INVALID_URL:
            return _Verdict(Status.ERROR, f"invalid URL: {detail}", "Fix the URL in links.yaml.")
        case Failure.PROXY:
            return _Verdict(
                Status.ERROR,
                f"not checked through the proxy: {detail}",
                "Check the proxy settings (--proxy, HTTPS_PROXY, NO_PROXY) and credentials;"
                " if the proxy blocks this site, ask the network's administrators.",
            )
        case _:
            assert_never(failure)


_RETRY_LATER = "Check again later; if it persists, open the link in a browser."


# -------------------------------------------------------------------------------- flags
def _flags(
    obs: Observation,
    link: Link,
    now: datetime,
    text: str | None,
    *,
    stripped: tuple[str, ...],
    thresholds: Thresholds,
) -> tuple[Flag, ...]:
    flags: list[Flag] = []
    if stripped:
        flags.append(Flag.TRACKING_PARAMS)
    final = obs.final_url
    if (
        final is not None
        and final != obs.url
        and not same_site(obs.url, final, private_suffixes=True)
        and not redirect_allowed(final, link)
    ):
        flags.append(Flag.CROSS_SITE_REDIRECT)
    if _downgraded(obs):
        flags.append(Flag.HTTPS_DOWNGRADE)
    expected = link.policy.expect_text
    accepted = _accepted_answer(obs, link)
    # Only a page can lack its text: a refusal, a bot wall or an error page is judged by
    # its status, and must not fail the run twice (nor bypass --fail-after through a flag).
    if (
        accepted
        and expected is not None
        and text is not None
        and pages.normalise(expected) not in text
    ):
        flags.append(Flag.EXPECT_TEXT_MISSING)
    if pages.is_parked(final, text, obs.header("x-adblock-key")):
        flags.append(Flag.PARKED_DOMAIN)
    elif accepted:
        # A parked page says more than either of these; an answer that is not a page (a
        # refusal, an error) is judged by its status instead.
        if final is not None and pages.moved_to_home(obs.url, final, obs.hops):
            flags.append(Flag.MOVED_TO_HOME)
        if pages.is_soft_404(obs.body):
            flags.append(Flag.SOFT_404)
    if obs.tls_expires is not None and obs.tls_expires - now <= thresholds.tls_warning:
        flags.append(Flag.TLS_EXPIRING)
    if obs.elapsed_ms >= thresholds.slow_ms:
        flags.append(Flag.SLOW)
    if obs.retries and obs.failure is None and link.policy.accepts(obs.status_code or 0):
        flags.append(Flag.FLAKY)
    return tuple(flags)


def _accepted_answer(obs: Observation, link: Link) -> bool:
    return (
        obs.failure is None and obs.status_code is not None and link.policy.accepts(obs.status_code)
    )


def _downgraded(obs: Observation) -> bool:
    schemes = [h.url.partition(":")[0].lower() for h in obs.hops]
    return any(a == "https" and b == "http" for a, b in itertools.pairwise(schemes))


# ---------------------------------------------------------------------------- sites
def redirect_allowed(final_url: str, link: Link) -> bool:
    """Whether ``allow_redirect_to`` lets the link end on ``final_url``."""
    host = (urlsplit(final_url).hostname or "").lower()
    for allowed in link.policy.allow_redirect_to:
        if "://" in allowed:
            if final_url.lower().startswith(allowed.lower()):
                return True
        elif allowed.startswith("*."):
            base = allowed[2:].lower()
            if host == base or host.endswith("." + base):
                return True
        elif host == allowed.lower():
            return True
    return False
