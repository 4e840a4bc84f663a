"""Exactly what a maintainer reads: the reason and the action of every status and failure,
the flag thresholds at their limits, and allow_redirect_to against look-alike hosts.

Expected strings are written out here, not built from classify's own constants: a test that
imports the text it checks shares any mistake in it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conftest import link
from linkwatch.judgement.classify import (
    Thresholds,
    classify,
    internal_error,
    not_judged,
    redirect_allowed,
    skipped,
)
from linkwatch.judgement.pages import bot_wall, is_home_page, is_parked, is_soft_404, moved_to_home
from linkwatch.models import CodeRange, Failure, Flag, Hop, Observation, Status

NOW = datetime(2026, 11, 27, tzinfo=UTC)
URL = "https://www.charity.org.uk/help"

RETRY_LATER = "Check again later; if it persists, open the link in a browser."
DENIED = "Open the link in a browser to confirm it works; it cannot be verified automatically."


def answered(code: int, *hops: tuple[str, int], url: str = URL, **fields) -> Observation:
    chain = (*(Hop(u, c) for u, c in hops), Hop(fields.pop("final_url", url), code))
    fields.setdefault("attempts", 1)
    return Observation(
        url=chain[0].url, hops=chain, status_code=code, final_url=chain[-1].url, **fields
    )


def failed(failure: Failure, detail: str = "detail", attempts: int = 1) -> Observation:
    return Observation(
        url=URL, hops=(Hop(URL, None),), failure=failure, detail=detail, attempts=attempts
    )


def judge(obs: Observation, *, now=NOW, thresholds=None, stripped=(), **policy):
    return classify(obs, link(obs.url, **policy), now, stripped=stripped, thresholds=thresholds)


def said(outcome):
    return outcome.status, outcome.reason, outcome.action


# ------------------------------------------------------------------------ failures
@pytest.mark.parametrize(
    ("failure", "detail", "expected"),
    [
        (
            Failure.DNS_NOT_FOUND,
            "x",
            (
                Status.BROKEN,
                "the domain does not exist (DNS: no such host)",
                "The domain may have lapsed: find the organisation's current site or remove it.",
            ),
        ),
        (
            Failure.REFUSED,
            "x",
            (
                Status.BROKEN,
                "the server refused the connection",
                "Check the address and port; the site may have moved or shut down.",
            ),
        ),
        (Failure.DNS_FAILED, "SERVFAIL", (Status.ERROR, "SERVFAIL", RETRY_LATER)),
        (Failure.DNS_FAILED, "", (Status.ERROR, "name lookup failed", RETRY_LATER)),
        (
            Failure.UNREACHABLE,
            "no route to host",
            (Status.ERROR, "the server could not be reached: no route to host", RETRY_LATER),
        ),
        (
            Failure.CONNECT_TIMEOUT,
            "x",
            (Status.ERROR, "the server did not accept a connection", RETRY_LATER),
        ),
        (Failure.TIMEOUT, "read timed out", (Status.ERROR, "read timed out", RETRY_LATER)),
        (Failure.TIMEOUT, "", (Status.ERROR, "timed out", RETRY_LATER)),
        (Failure.RESET, "reset by peer", (Status.ERROR, "reset by peer", RETRY_LATER)),
        (Failure.RESET, "", (Status.ERROR, "the connection was reset", RETRY_LATER)),
        (
            Failure.TLS,
            "certificate has expired",
            (
                Status.ERROR,
                "secure connection failed: certificate has expired",
                "Tell the site's owner their certificate is invalid; do not send readers there.",
            ),
        ),
        (Failure.PROTOCOL, "bad header", (Status.ERROR, "bad header", RETRY_LATER)),
        (Failure.PROTOCOL, "", (Status.ERROR, "not a valid HTTP answer", RETRY_LATER)),
        (
            Failure.REDIRECT_LOOP,
            "/a → /b → /a",
            (
                Status.ERROR,
                "redirect loop: /a → /b → /a",
                "Open the link in a browser; the site's redirects are broken.",
            ),
        ),
        (
            Failure.TOO_MANY_REDIRECTS,
            "more than 10 redirects",
            (
                Status.ERROR,
                "more than 10 redirects",
                "Open the link in a browser and use the final address it reaches.",
            ),
        ),
        (
            Failure.BAD_REDIRECT,
            "redirected to mailto:x@y",
            (
                Status.ERROR,
                "redirected to mailto:x@y",
                "Check where the link leads in a browser; replace it if it left the web.",
            ),
        ),
        (
            Failure.PRIVATE_ADDRESS,
            "10.0.0.1 is a private address",
            (
                Status.SKIPPED,
                "not requested: 10.0.0.1 is a private address",
                "Check the link by hand; use --allow-private to check internal addresses.",
            ),
        ),
        (
            Failure.INVALID_URL,
            "no host",
            (Status.ERROR, "invalid URL: no host", "Fix the URL in links.yaml."),
        ),
    ],
)
def test_every_failure_says_exactly_why_and_what_to_do(failure, detail, expected):
    """Each failure's status, reason and action, word for word; no flags on one attempt."""
    outcome = judge(failed(failure, detail))
    assert said(outcome) == expected
    assert outcome.flags == ()


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (Failure.RESET, "reset by peer (3 attempts)"),
        (Failure.CONNECT_TIMEOUT, "the server did not accept a connection (3 attempts)"),
        (Failure.DNS_FAILED, "SERVFAIL (3 attempts)"),
    ],
)
def test_a_retried_failure_says_how_many_attempts(failure, reason):
    detail = "SERVFAIL" if failure is Failure.DNS_FAILED else "reset by peer"
    assert judge(failed(failure, detail, attempts=3)).reason == reason
    assert "attempts" not in judge(failed(failure, detail, attempts=1)).reason


@pytest.mark.parametrize("failure", [Failure.TIMEOUT, Failure.TLS, Failure.DNS_NOT_FOUND])
def test_failures_that_are_not_retried_never_count_attempts(failure):
    assert "attempts" not in judge(failed(failure, "d", attempts=3)).reason


# ------------------------------------------------------------------------ HTTP codes
@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (200, (Status.OK, "HTTP 200", "None.")),
        (299, (Status.OK, "HTTP 299", "None.")),
        (
            404,
            (
                Status.BROKEN,
                "the page is not found (404)",
                "Find the page's new address on the site, or remove the link.",
            ),
        ),
        (
            410,
            (
                Status.BROKEN,
                "the page is gone (410)",
                "Find the page's new address on the site, or remove the link.",
            ),
        ),
        (
            400,
            (
                Status.BROKEN,
                "the server refused the request (HTTP 400)",
                "Open the link in a browser; fix or replace the URL.",
            ),
        ),
        (
            499,
            (
                Status.BROKEN,
                "the server refused the request (HTTP 499)",
                "Open the link in a browser; fix or replace the URL.",
            ),
        ),
        (
            500,
            (
                Status.ERROR,
                "server error (HTTP 500)",
                "Check again later; if it persists, tell the site's owner.",
            ),
        ),
        (401, (Status.BLOCKED, "access denied to automated checks (HTTP 401)", DENIED)),
        (403, (Status.BLOCKED, "access denied to automated checks (HTTP 403)", DENIED)),
        (999, (Status.BLOCKED, "the site refuses automated checks (HTTP 999)", DENIED)),
        (
            302,
            (
                Status.ERROR,
                "HTTP 302 redirect without a usable Location header",
                "Open the link in a browser; the server's redirect is broken.",
            ),
        ),
        (
            300,
            (
                Status.ERROR,
                "HTTP 300 redirect without a usable Location header",
                "Open the link in a browser; the server's redirect is broken.",
            ),
        ),
        (
            399,
            (
                Status.ERROR,
                "HTTP 399 redirect without a usable Location header",
                "Open the link in a browser; the server's redirect is broken.",
            ),
        ),
        (
            150,
            (
                Status.BROKEN,
                "HTTP 150 is not an accepted status for this link",
                "Check the page; widen `accept` if this status is expected.",
            ),
        ),
    ],
)
def test_every_status_code_says_exactly_why_and_what_to_do(code, expected):
    assert said(judge(answered(code))) == expected


def test_a_server_error_after_retries_says_so():
    obs = answered(503, attempts=2)
    assert judge(obs).reason == "server error (HTTP 503) after 2 attempts"
    assert judge(answered(502, attempts=1)).reason == "server error (HTTP 502)"


def test_a_code_outside_the_accepted_range_is_judged_by_its_kind():
    """accept: [200] makes a 204 "not accepted"; accept: [404] makes a 404 ok."""
    only_200 = (CodeRange(200, 200),)
    assert judge(answered(204), accept=only_200).reason == (
        "HTTP 204 is not an accepted status for this link"
    )
    assert said(judge(answered(404), accept=(CodeRange(404, 404),))) == (
        Status.OK,
        "HTTP 404",
        "None.",
    )


@pytest.mark.parametrize(
    ("attempts", "retry_after", "reason"),
    [
        (1, None, "rate limited (HTTP 429) after 1 attempt"),
        (2, None, "rate limited (HTTP 429) after 2 attempts"),
        (3, 30.0, "rate limited (HTTP 429) after 3 attempts; it asks to wait 30 s"),
        (1, 1.5, "rate limited (HTTP 429) after 1 attempt; it asks to wait 1.5 s"),
    ],
)
def test_rate_limiting_reason(attempts, retry_after, reason):
    obs = answered(429, attempts=attempts, retry_after_s=retry_after)
    assert said(judge(obs)) == (Status.BLOCKED, reason, DENIED)


def test_a_503_challenge_page_without_a_provider_is_a_bot_protection_page():
    obs = answered(503, body=b"<p>Please verify you are human</p>")
    assert said(judge(obs)) == (
        Status.BLOCKED,
        "a bot-protection page answered (HTTP 503)",
        DENIED,
    )


@pytest.mark.parametrize("code", [403, 429, 503])
def test_loose_challenge_phrases_count_on_refusals_only(code):
    obs = answered(code, body=b"<form>captcha</form>")
    assert judge(obs).status is Status.BLOCKED
    assert judge(answered(502, body=b"<form>captcha</form>")).status is Status.ERROR
    assert judge(answered(200, body=b"<form>captcha</form>")).status is Status.OK


def test_cf_mitigated_challenge_on_a_refusal_is_cloudflare():
    obs = answered(403, headers=(("cf-mitigated", "challenge"),))
    assert said(judge(obs)) == (
        Status.BLOCKED,
        "Cloudflare bot protection answered instead of the page (HTTP 403)",
        (
            "Open the link in a browser to confirm it works. It cannot be checked automatically"
            " while Cloudflare challenges robots: accept this answer for the link (`accept:"
            " [403]`) or check it by hand now and then."
        ),
    )


def test_a_200_challenge_interstitial_is_blocked_even_without_a_provider():
    body = b"<p>Checking your browser before accessing the site</p>"
    assert said(judge(answered(200, body=body))) == (
        Status.BLOCKED,
        "a bot-protection page answered (HTTP 200)",
        DENIED,
    )


def test_a_provider_phrase_on_an_ordinary_200_is_not_a_wall():
    """ "datadome" in a page's text names a provider, but a 200 is the page unless it is a
    challenge interstitial."""
    assert judge(answered(200, body=b"we use datadome")).status is Status.OK
    obs = answered(200, body=b"datadome: checking your browser before accessing")
    assert judge(obs).reason == "DataDome bot protection answered instead of the page (HTTP 200)"


@pytest.mark.parametrize(
    ("headers", "provider", "certain"),
    [
        ((("cf-mitigated", "challenge"),), "Cloudflare", True),
        ((("cf-mitigated", "other"),), None, None),
        # Headers every answer of a protected site carries are no wall on their own...
        ((("x-iinfo", "1-2-3"),), None, None),
        ((("x-cdn", "Served-By-Incapsula"),), None, None),
        ((("x-cdn", "akamai"),), None, None),
        ((("x-sucuri-block", "1"),), "Sucuri", True),
        ((("x-sucuri-id", "1"),), None, None),
        ((("x-amzn-waf-action", "captcha"),), "AWS WAF", True),
        ((("x-datadome", "protected"),), None, None),
    ],
)
def test_bot_wall_headers(headers, provider, certain):
    wall = bot_wall(answered(200, headers=headers), None)
    assert (wall and (wall.provider, wall.certain)) == ((provider, certain) if provider else None)


@pytest.mark.parametrize(
    ("headers", "provider"),
    [
        ((("x-iinfo", "1-2-3"),), "Imperva"),
        ((("x-cdn", "Served-By-Incapsula"),), "Imperva"),
        ((("x-sucuri-id", "1"),), "Sucuri"),
        ((("x-datadome", "protected"),), "DataDome"),
    ],
)
def test_an_everyday_header_with_a_challenge_page_is_that_providers_wall(headers, provider):
    """...but with a challenge page's words they name who sent it (not for certain)."""
    wall = bot_wall(answered(403, headers=headers), "please verify you are human")
    assert (wall and (wall.provider, wall.certain)) == (provider, False)


def test_certain_wall_blocks_whatever_the_status_and_uncertain_only_on_wall_codes():
    certain = (("x-amzn-waf-action", "block"),)
    assert judge(answered(404, headers=certain)).status is Status.BLOCKED
    uncertain = (("x-sucuri-id", "1"),)
    page = b"<title>Sucuri WebSite Firewall - Access Denied</title>"
    assert judge(answered(404, headers=uncertain, body=page)).status is Status.BROKEN
    assert judge(answered(405, headers=uncertain, body=page)).reason == (
        "Sucuri bot protection answered instead of the page (HTTP 405)"
    )
    assert judge(answered(405, headers=uncertain)).reason == (
        "the server refused the request (HTTP 405)"
    )
    assert judge(answered(200, headers=uncertain, body=page)).status is Status.OK


# ------------------------------------------------------------------------ redirects
def test_permanent_then_temporary_redirect_names_the_permanent_address():
    obs = answered(
        200,
        (URL, 301),
        ("https://www.charity.org.uk/support", 302),
        final_url="https://www.charity.org.uk/login",
    )
    assert said(judge(obs)) == (
        Status.REDIRECTED,
        (
            "moved permanently to https://www.charity.org.uk/support, then redirected to"
            " https://www.charity.org.uk/login"
        ),
        "Update the URL in links.yaml to https://www.charity.org.uk/support.",
    )


@pytest.mark.parametrize("code", [301, 308])
def test_permanent_redirect_exact(code):
    obs = answered(200, (URL, code), final_url="https://www.charity.org.uk/support")
    assert said(judge(obs)) == (
        Status.REDIRECTED,
        "moved permanently to https://www.charity.org.uk/support",
        "Update the URL in links.yaml to the final address.",
    )


@pytest.mark.parametrize("code", [302, 303, 307])
def test_temporary_redirect_exact(code):
    obs = answered(200, (URL, code), final_url="https://www.charity.org.uk/support")
    assert said(judge(obs)) == (
        Status.REDIRECTED,
        "temporarily redirected to https://www.charity.org.uk/support",
        "None needed; the site redirects for now (informational).",
    )


def test_cross_site_permanent_redirect_says_open_it_first():
    obs = answered(200, (URL, 301), final_url="https://elsewhere.com/page")
    outcome = judge(obs)
    assert outcome.flags == (Flag.CROSS_SITE_REDIRECT,)
    assert outcome.action == (
        "Open the link before changing anything: it now ends on another website."
        " Only if the move is genuine: Update the URL in links.yaml to the final address."
    )


def test_downgrade_flag_and_its_action():
    obs = answered(200, (URL, 302), final_url="http://www.charity.org.uk/help")
    outcome = judge(obs)
    assert outcome.flags == (Flag.HTTPS_DOWNGRADE,)
    assert outcome.action == "None needed; the site redirects for now (informational)."
    upgrade = answered(
        200, ("http://www.charity.org.uk/help", 301), final_url="https://www.charity.org.uk/help"
    )
    assert Flag.HTTPS_DOWNGRADE not in judge(upgrade).flags


# ------------------------------------------------------------------------ flags: actions
FLAG_ACTIONS = {
    Flag.TLS_EXPIRING: "The site's certificate expires soon: tell the site's owner.",
    Flag.SLOW: "The site answered slowly; check again later.",
    Flag.FLAKY: "None now; the site needed a retry. If it keeps stumbling, tell the site's owner.",
    Flag.TRACKING_PARAMS: (
        "Remove the tracking parameters from links.yaml: `linkwatch clean --write`."
    ),
    Flag.EXPECT_TEXT_MISSING: (
        "The page no longer contains the expected text: check it is still the right page."
    ),
    Flag.PARKED_DOMAIN: (
        "The page looks parked or for sale: the domain may have lapsed; remove the link or"
        " find the organisation's new site."
    ),
    Flag.SOFT_404: (
        "The page says it is not found or no longer available: find where its content"
        " went on the site, or remove the link."
    ),
}


def test_each_flag_on_an_ok_link_gives_its_own_action():
    cases = {
        Flag.TLS_EXPIRING: judge(answered(200, tls_expires=NOW + timedelta(days=1))),
        Flag.SLOW: judge(answered(200, elapsed_ms=20_000)),
        Flag.FLAKY: judge(answered(200, retries=1)),
        Flag.TRACKING_PARAMS: judge(answered(200), stripped=("utm_source",)),
        Flag.EXPECT_TEXT_MISSING: judge(answered(200, body=b"hello"), expect_text="Helpline"),
        Flag.PARKED_DOMAIN: judge(answered(200, body=b"Buy this domain")),
        Flag.SOFT_404: judge(answered(200, body=b"<title>Page not found</title>")),
    }
    for flag, outcome in cases.items():
        assert (outcome.status, outcome.flags, outcome.action) == (
            Status.OK,
            (flag,),
            FLAG_ACTIONS[flag],
        ), flag


def test_the_most_serious_flag_chooses_the_action():
    obs = answered(200, elapsed_ms=20_000, tls_expires=NOW, body=b"this domain is for sale")
    outcome = judge(obs, stripped=("utm_source",))
    assert outcome.flags == (
        Flag.TRACKING_PARAMS,
        Flag.PARKED_DOMAIN,
        Flag.TLS_EXPIRING,
        Flag.SLOW,
    )
    assert outcome.action == FLAG_ACTIONS[Flag.PARKED_DOMAIN]
    assert (
        judge(answered(200, elapsed_ms=20_000, tls_expires=NOW)).action
        == (FLAG_ACTIONS[Flag.TLS_EXPIRING])
    )
    assert judge(answered(200, elapsed_ms=20_000, retries=1)).action == FLAG_ACTIONS[Flag.SLOW]


def test_a_vanished_page_redirect_never_advises_adopting_the_redirect():
    obs = answered(200, (URL, 301), final_url="https://www.charity.org.uk/")
    outcome = judge(obs)
    assert outcome.status is Status.REDIRECTED
    assert outcome.flags == (Flag.MOVED_TO_HOME,)
    assert outcome.action == (
        "The page is gone: the site now sends readers to its home page or a search page."
        " Find where the content went, or remove the link; do not adopt this redirect."
    )


def test_a_broken_link_keeps_its_own_action_whatever_its_flags():
    outcome = judge(answered(404, elapsed_ms=20_000), stripped=("utm_source",))
    assert outcome.flags == (Flag.TRACKING_PARAMS, Flag.SLOW)
    assert outcome.action == "Find the page's new address on the site, or remove the link."


def test_flaky_needs_a_retry_an_answer_and_an_accepted_code():
    assert judge(answered(200, retries=0)).flags == ()
    assert judge(answered(500, retries=1)).flags == ()
    assert judge(failed(Failure.RESET)).flags == ()
    assert judge(answered(404, retries=1), accept=(CodeRange(404, 404),)).flags == (Flag.FLAKY,)


# ------------------------------------------------------------------------ thresholds
@pytest.mark.parametrize(
    ("expires_in", "flagged"),
    [
        (timedelta(days=21), True),
        (timedelta(days=21, seconds=1), False),
        (timedelta(days=20, hours=23), True),
        (timedelta(0), True),
        (-timedelta(days=1), True),
    ],
)
def test_tls_expiry_threshold_is_inclusive_at_21_days(expires_in, flagged):
    outcome = judge(answered(200, tls_expires=NOW + expires_in))
    assert (Flag.TLS_EXPIRING in outcome.flags) is flagged


def test_tls_threshold_is_configurable():
    limit = Thresholds(tls_warning=timedelta(days=3))
    at = judge(answered(200, tls_expires=NOW + timedelta(days=3)), thresholds=limit)
    past = judge(answered(200, tls_expires=NOW + timedelta(days=3, seconds=1)), thresholds=limit)
    assert (at.flags, past.flags) == ((Flag.TLS_EXPIRING,), ())


@pytest.mark.parametrize(("elapsed", "flagged"), [(9_999, False), (10_000, True), (10_001, True)])
def test_slow_threshold_is_inclusive_at_ten_seconds(elapsed, flagged):
    assert (Flag.SLOW in judge(answered(200, elapsed_ms=elapsed)).flags) is flagged


def test_slow_threshold_is_configurable():
    limit = Thresholds(slow_ms=500)
    assert judge(answered(200, elapsed_ms=500), thresholds=limit).flags == (Flag.SLOW,)
    assert judge(answered(200, elapsed_ms=499), thresholds=limit).flags == ()


def test_default_thresholds():
    assert Thresholds() == Thresholds(tls_warning=timedelta(days=21), slow_ms=10_000)


# ------------------------------------------------------------------ allow_redirect_to
@pytest.mark.parametrize(
    ("final", "allowed", "ok"),
    [
        ("https://help.example.org/x", "*.example.org", True),
        ("https://example.org/x", "*.example.org", True),
        ("https://a.b.example.org/x", "*.example.org", True),
        ("https://HELP.Example.ORG/x", "*.EXAMPLE.org", True),
        # Look-alikes: the wildcard is a label boundary, not a suffix of characters.
        ("https://evilexample.org/x", "*.example.org", False),
        ("https://example.org.evil.com/x", "*.example.org", False),
        ("https://example.org.evil.com/x", "example.org", False),
        ("https://www.example.org/x", "example.org", False),
        ("https://EXAMPLE.org/x", "Example.Org", True),
        # URL prefixes: the whole prefix, scheme and host included.
        ("https://example.org/help/x", "https://example.org/help/", True),
        ("HTTPS://EXAMPLE.org/help/x", "https://example.org/HELP/", True),
        ("http://example.org/help/x", "https://example.org/help/", False),
        ("https://example.org/other", "https://example.org/help/", False),
        ("https://example.org.evil.com/help/x", "https://example.org/help/", False),
        # A host entry never matches a prefix of another URL's path.
        ("https://evil.com/example.org", "example.org", False),
        ("https://evil.com/?u=help.example.org", "*.example.org", False),
    ],
)
def test_allow_redirect_to_against_look_alikes(final, allowed, ok):
    assert redirect_allowed(final, link(URL, allow_redirect_to=(allowed,))) is ok


def test_allow_redirect_to_tries_every_entry():
    lk = link(URL, allow_redirect_to=("a.org", "*.b.org", "https://c.org/x"))
    assert [redirect_allowed(u, lk) for u in ("https://a.org/", "https://x.b.org/")] == [1, 1]
    assert redirect_allowed("https://c.org/x/y", lk)
    assert not redirect_allowed("https://d.org/", lk)
    assert not redirect_allowed("https://d.org/", link(URL))


def test_an_allowed_redirect_is_not_flagged_but_a_look_alike_is():
    hops = ((URL, 301),)
    allowed = judge(
        answered(200, *hops, final_url="https://new.example.org/x"),
        allow_redirect_to=("*.example.org",),
    )
    lookalike = judge(
        answered(200, *hops, final_url="https://evilexample.org/x"),
        allow_redirect_to=("*.example.org",),
    )
    assert (allowed.flags, lookalike.flags) == ((), (Flag.CROSS_SITE_REDIRECT,))


# ---------------------------------------------------------------- parking, home, soft 404
@pytest.mark.parametrize(
    ("final", "parked"),
    [
        ("https://sedoparking.com/x", True),
        ("https://ww1.sedoparking.com/x", True),
        ("https://notsedoparking.com/x", False),
        ("https://sedoparking.com.example.org/", False),
        ("https://www.godaddy.com/forsale/x", True),
        ("https://WWW.GODADDY.COM/FORSALE/x", True),
        ("https://www.godaddy.com/help", False),
        ("https://porkbun.com/", True),
        (None, False),
    ],
)
def test_parking_hosts_and_markers(final, parked):
    assert is_parked(final, None) is parked


def test_parking_by_adblock_key_or_phrase():
    assert is_parked("https://x.org/", None, "key") is True
    assert is_parked("https://x.org/", None, "") is False
    assert is_parked("https://x.org/", "make an offer on this domain") is True
    assert is_parked("https://x.org/", "a domain") is False


def test_parked_page_by_header_is_flagged():
    obs = answered(200, headers=(("x-adblock-key", "abc"),))
    assert judge(obs).flags == (Flag.PARKED_DOMAIN,)


@pytest.mark.parametrize(
    ("url", "home"),
    [
        ("https://x.org", True),
        ("https://x.org/", True),
        ("https://x.org/index.html", True),
        ("https://x.org/Home.aspx", True),
        ("https://x.org/en/", True),
        ("https://x.org/en-gb/", True),
        ("https://x.org/en/index.php", True),
        ("https://x.org/en-gb/home", True),
        ("https://x.org/ok", False),
        ("https://x.org/xx/", False),
        ("https://x.org/en/help", False),
        ("https://x.org/a/b/c", False),
        ("https://x.org/en/gb/home", False),
        ("https://x.org/help", False),
    ],
)
def test_is_home_page(url, home):
    assert is_home_page(url) is home


@pytest.mark.parametrize(
    ("url", "final", "hops", "moved"),
    [
        (URL, "https://www.charity.org.uk/", 2, True),
        (URL, "https://charity.org.uk/", 2, True),
        (URL, "https://www.charity.org.uk/search?q=help", 2, True),
        (URL, "https://www.charity.org.uk/404", 2, True),
        (URL, "https://www.charity.org.uk/page-not-found", 2, True),
        (URL, "https://www.charity.org.uk/errors/missing", 2, True),
        (URL, "https://www.charity.org.uk/support", 2, False),
        (URL, "https://www.charity.org.uk/", 1, False),
        (URL, URL, 2, False),
        ("https://www.charity.org.uk/", "https://www.charity.org.uk/en/", 2, False),
        (URL, "https://help.charity.org.uk/", 2, False),
        (URL, "https://other.org.uk/", 2, False),
        ("https://www.charity.org.uk/search?q=x", "https://www.charity.org.uk/", 2, False),
        ("https://www.charity.org.uk/?s=x", "https://www.charity.org.uk/", 2, False),
        ("https://www.charity.org.uk/page?id=3", "https://www.charity.org.uk/", 2, True),
    ],
)
def test_moved_to_home(url, final, hops, moved):
    chain = (*tuple(Hop(url, 301) for _ in range(hops - 1)), Hop(final, 200))
    assert moved_to_home(url, final, chain) is moved


def test_moved_to_home_without_hops_is_judged_on_the_urls():
    assert moved_to_home(URL, "https://www.charity.org.uk/") is True


@pytest.mark.parametrize(
    ("body", "soft"),
    [
        (b"<title>Page not found</title>", True),
        (b"<title>404</title>", True),
        (b"<title>Error 404</title>", True),
        (b"<h1>Sorry, this page <b>no longer exists</b></h1>", True),
        (b"<h1>Sorry, this page <b>is new</b></h1>", False),
        (b"<h1>The page you are looking for cannot be found</h1>", True),
        (b"<h1>Oops! That page can\xe2\x80\x99t be found.</h1>", True),
        (b"<h1>We couldn&#39;t find that page</h1>", True),
        (b"<title>Not Found</title>", True),
        (b"<title>Lost and found</title>", False),
        (b"<title>Helpline</title><p>Page not found</p>", False),
        (b"<TITLE>Nothing found</TITLE>", True),
        (None, False),
        (b"", False),
    ],
)
def test_soft_404(body, soft):
    assert is_soft_404(body) is soft


def test_soft_404_only_on_an_accepted_answer():
    body = b"<title>Page not found</title>"
    assert judge(answered(404, body=body)).flags == ()
    assert judge(answered(200, body=body)).flags == (Flag.SOFT_404,)


def test_title_is_unescaped_folded_and_cut_at_200():
    body = b"<title>\n  Help &amp;\n advice  </title>"
    assert judge(answered(200, body=body)).title == "Help & advice"
    long = b"<title>" + b"x" * 300 + b"</title>"
    assert judge(answered(200, body=long)).title == "x" * 200
    assert judge(answered(200, body=b"<title> </title>")).title is None
    assert judge(answered(200, body=b"no title")).title is None
    assert judge(answered(200)).title is None


def test_expect_text_is_matched_folded_and_unescaped():
    body = b"<p>Call the\n  HELPLINE &amp; chat</p>"
    assert judge(answered(200, body=body), expect_text="helpline & chat").flags == ()
    assert judge(answered(200, body=body), expect_text="Helpline  & Chat").flags == ()
    assert judge(answered(200), expect_text="x").flags == ()  # no body read: not judged


# ------------------------------------------------------------------------ other outcomes
def test_skipped_internal_error_and_not_judged_exact():
    lk = link(URL)
    skip = skipped(lk, URL, ("utm_source",), "moved to paper")
    assert said(skip) == (
        Status.SKIPPED,
        "skipped: moved to paper",
        "None; remove `skip` when the link should be checked again.",
    )
    assert skip.flags == (Flag.TRACKING_PARAMS,)
    assert skipped(lk, URL, (), "x").flags == ()
    bug = internal_error(lk, URL, (), ValueError("boom"))
    assert said(bug) == (
        Status.ERROR,
        "linkwatch failed while checking: ValueError: boom",
        "Report this as a linkwatch bug, with the URL.",
    )
    assert internal_error(lk, URL, ("fbclid",), ValueError()).flags == (Flag.TRACKING_PARAMS,)
    offline = not_judged(judge(failed(Failure.DNS_FAILED)))
    assert said(offline) == (
        Status.ERROR,
        "not checked: the network is unavailable (no link got past DNS or a connection)",
        "Run again when this machine is online; nothing is known about this link.",
    )


def test_outcome_carries_the_observation():
    obs = answered(
        200,
        elapsed_ms=12,
        attempts=2,
        tls_expires=NOW + timedelta(days=90),
        body=b"<title>T</title>",
    )
    outcome = judge(obs, stripped=("utm_source",))
    assert (
        outcome.checked_url,
        outcome.stripped_params,
        outcome.http_status,
        outcome.final_url,
        outcome.redirects,
        outcome.attempts,
        outcome.elapsed_ms,
        outcome.tls_expires,
        outcome.title,
    ) == (URL, ("utm_source",), 200, URL, obs.hops, 2, 12, NOW + timedelta(days=90), "T")


# ------------------------------------------------------- what the first mutation run found
def test_skipped_and_internal_error_carry_the_link_and_its_urls():
    lk = link(URL)
    for made in (
        skipped(lk, "https://x.org/a", ("fbclid",), "r"),
        internal_error(lk, "https://x.org/a", ("fbclid",), ValueError()),
    ):
        assert (made.link, made.checked_url, made.stripped_params) == (
            lk,
            "https://x.org/a",
            ("fbclid",),
        )
    assert internal_error(lk, URL, (), ValueError()).flags == ()
    assert judge(answered(200)).link == link(URL)


def test_not_judged_turns_any_status_into_an_error():
    broken = judge(failed(Failure.DNS_NOT_FOUND))
    assert not_judged(broken).status is Status.ERROR


def test_two_attempts_are_counted():
    assert judge(failed(Failure.RESET, "reset", attempts=2)).reason == "reset (2 attempts)"


def test_a_300_with_a_challenge_page_is_a_broken_redirect_not_a_wall():
    body = b"<p>Checking your browser before accessing</p>"
    assert judge(answered(300, body=body)).status is Status.ERROR
    assert judge(answered(299, body=body)).status is Status.BLOCKED


def test_two_permanent_moves_then_the_page():
    obs = answered(
        200,
        (URL, 301),
        ("https://www.charity.org.uk/b", 308),
        final_url="https://www.charity.org.uk/c",
    )
    assert judge(obs).reason == "moved permanently to https://www.charity.org.uk/c"


def test_an_accepted_permanent_redirect_as_the_final_answer():
    """accept: [301]: the chain ends on a 301 the link accepts; the move still names it."""
    obs = answered(301, (URL, 301), final_url="https://www.charity.org.uk/b")
    assert said(judge(obs, accept=(CodeRange(301, 301),))) == (
        Status.REDIRECTED,
        "moved permanently to https://www.charity.org.uk/b",
        "Update the URL in links.yaml to the final address.",
    )


def test_the_final_url_falls_back_to_the_last_hop():
    hops = (Hop(URL, 302), Hop("https://www.charity.org.uk/b", 302), Hop("https://x.org/c", 200))
    obs = Observation(url=URL, hops=hops, status_code=200, final_url=None, attempts=1)
    assert judge(obs).reason == "temporarily redirected to https://x.org/c"
    named = Observation(url=URL, hops=hops, status_code=200, final_url="https://y.org/", attempts=1)
    assert judge(named).reason == "temporarily redirected to https://y.org/"


def test_a_phrase_wall_is_never_certain():
    from linkwatch.judgement.pages import BotWall  # noqa: PLC0415

    assert bot_wall(answered(200), "powered by imperva") == BotWall("Imperva", certain=False)
    assert bot_wall(answered(200), "nothing here") is None


@pytest.mark.parametrize(
    ("code", "status"),
    [(503, Status.BLOCKED), (404, Status.BROKEN), (430, Status.BROKEN), (500, Status.ERROR)],
)
def test_loose_challenge_phrases_count_on_503_only_beyond_403_and_429(code, status):
    assert judge(answered(code, body=b"<form>captcha</form>")).status is status


def test_a_503_without_a_challenge_phrase_is_a_server_error():
    assert judge(answered(503, body=b"<p>down for maintenance</p>")).status is Status.ERROR


def test_a_downgrade_is_read_from_the_scheme_even_with_colons_in_the_path():
    obs = answered(
        200, ("https://x.org/a:1", 302), url="https://x.org/a:1", final_url="http://x.org/b:2"
    )
    assert Flag.HTTPS_DOWNGRADE in judge(obs).flags


def test_a_language_that_is_not_one_before_an_index_file_is_not_home():
    assert is_home_page("https://x.org/xx/index.html") is False
    assert is_home_page("https://x.org/xx/home") is False


def test_moved_to_home_on_the_links_own_subdomain_and_the_private_suffix_list():
    help_site = "https://help.charity.org.uk/page"
    assert moved_to_home(help_site, "https://help.charity.org.uk/") is True
    alice = "https://alice.github.io/page"
    assert moved_to_home(alice, "https://github.io/") is False  # another site
    assert moved_to_home(alice, "https://www.alice.github.io/") is True


def test_invalid_utf8_is_replaced_in_titles_headings_and_text():
    body = b"<title>Caf\xff</title><h1>Page not found \xff</h1><p>helpline \xfe</p>"
    outcome = judge(answered(200, body=body), expect_text="helpline")
    assert outcome.title == "Caf\ufffd"
    assert outcome.flags == (Flag.SOFT_404,)
    assert is_soft_404(b"<h1>Page not found \xff</h1>") is True


def test_a_typographic_apostrophe_reads_as_a_plain_one():
    assert is_soft_404("<h1>We can\u2019t find that page</h1>".encode()) is True
    body = "<p>We can\u2019t help</p>".encode()
    assert judge(answered(200, body=body), expect_text="can't help").flags == ()


def test_a_300_challenge_page_from_a_named_provider_is_still_a_broken_redirect():
    body = b"<p>datadome: checking your browser before accessing</p>"
    assert judge(answered(300, body=body)).status is Status.ERROR
    assert judge(answered(299, body=body)).reason == (
        "DataDome bot protection answered instead of the page (HTTP 299)"
    )
