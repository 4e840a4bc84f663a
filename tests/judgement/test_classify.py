"""classify is pure: plain observations in, outcomes out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import link
from linkwatch.judgement.classify import classify, redirect_allowed, skipped
from linkwatch.judgement.pages import is_parked, is_soft_404
from linkwatch.judgement.sites import registrable_domain, same_site
from linkwatch.models import CodeRange, Failure, Flag, Hop, Observation, Status

NOW = datetime(2026, 11, 27, tzinfo=UTC)
URL = "https://www.charity.org.uk/help"


def answered(code: int, *hops: tuple[str, int], url: str = URL, **fields) -> Observation:
    """An observation of a final response; ``hops`` are the redirects before it."""
    chain = (*(Hop(u, c) for u, c in hops), Hop(fields.pop("final_url", url), code))
    fields.setdefault("attempts", 1)
    return Observation(
        url=chain[0].url, hops=chain, status_code=code, final_url=chain[-1].url, **fields
    )


def failed(failure: Failure, detail: str = "detail") -> Observation:
    return Observation(url=URL, hops=(Hop(URL, None),), failure=failure, detail=detail)


def judge(obs: Observation, **policy):
    return classify(obs, link(obs.url, **policy), NOW)


# --------------------------------------------------------------------------- statuses
def test_200_is_ok():
    """A plain 200 is ok, with no flags."""
    outcome = judge(answered(200))
    assert (outcome.status, outcome.flags, outcome.reason) == (Status.OK, (), "HTTP 200")


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (404, Status.BROKEN),
        (410, Status.BROKEN),
        (400, Status.BROKEN),
        (451, Status.BROKEN),
        (401, Status.BLOCKED),
        (403, Status.BLOCKED),
        (429, Status.BLOCKED),
        (999, Status.BLOCKED),
        (500, Status.ERROR),
        (503, Status.ERROR),
        (204, Status.OK),
    ],
)
def test_status_codes_map_to_statuses(code, status):
    """Each final status code has its documented verdict."""
    assert judge(answered(code)).status is status


def test_accept_widens_what_is_ok():
    """A link whose policy accepts 403 is ok on 403."""
    assert judge(answered(403), accept=(CodeRange(200, 299), CodeRange(403, 403))).status is (
        Status.OK
    )


def test_accept_narrows_what_is_ok():
    """A 2xx outside the link's accept list is broken."""
    assert judge(answered(204), accept=(CodeRange(200, 200),)).status is Status.BROKEN


def test_permanent_redirect_asks_for_an_update():
    """A 301 to a page that answers 200 says to update the list."""
    outcome = judge(answered(200, (URL, 301), final_url=URL + "/"))
    assert outcome.status is Status.REDIRECTED
    assert outcome.reason == f"moved permanently to {URL}/"
    assert "Update the URL" in outcome.action


def test_temporary_redirect_is_informational():
    """A 302 is reported as a redirect that needs no change."""
    outcome = judge(answered(200, (URL, 302), final_url=URL + "/login"))
    assert outcome.status is Status.REDIRECTED
    assert outcome.reason.startswith("temporarily redirected")
    assert outcome.action.startswith("None needed")


def test_cloudflare_challenge_is_blocked_not_error():
    """A 503 bot challenge cannot be verified: blocked, not a server error."""
    obs = answered(503, headers=(("cf-mitigated", "challenge"),))
    assert judge(obs).status is Status.BLOCKED


def test_challenge_page_text_is_blocked():
    """A 403 page that asks to prove being human is blocked."""
    obs = answered(403, body=b"<title>Just a moment...</title>")
    assert judge(obs).status is Status.BLOCKED


def test_429_reason_mentions_the_wait_asked():
    """Rate limiting says how long the server asked to wait."""
    obs = answered(429, attempts=3, retry_after_s=120.0)
    assert judge(obs).reason == "rate limited (HTTP 429) after 3 attempts; it asks to wait 120 s"


@pytest.mark.parametrize(
    ("failure", "status"),
    [
        (Failure.DNS_NOT_FOUND, Status.BROKEN),
        (Failure.REFUSED, Status.BROKEN),
        (Failure.DNS_FAILED, Status.ERROR),
        (Failure.UNREACHABLE, Status.ERROR),
        (Failure.CONNECT_TIMEOUT, Status.ERROR),
        (Failure.TIMEOUT, Status.ERROR),
        (Failure.RESET, Status.ERROR),
        (Failure.TLS, Status.ERROR),
        (Failure.PROTOCOL, Status.ERROR),
        (Failure.REDIRECT_LOOP, Status.ERROR),
        (Failure.TOO_MANY_REDIRECTS, Status.ERROR),
        (Failure.BAD_REDIRECT, Status.ERROR),
        (Failure.INVALID_URL, Status.ERROR),
        (Failure.PRIVATE_ADDRESS, Status.SKIPPED),
    ],
)
def test_failures_map_to_statuses(failure, status):
    """Every failure kind has its documented verdict, reason and action."""
    outcome = judge(failed(failure))
    assert outcome.status is status
    assert outcome.reason
    assert outcome.action


def test_every_failure_is_classified():
    """No failure kind is left without a verdict."""
    for failure in Failure:
        assert judge(failed(failure)).reason


def test_skipped_link_keeps_its_reason():
    """A link skipped in the config says why."""
    outcome = skipped(link(URL), URL, ("utm_source",), "login required")
    assert outcome.status is Status.SKIPPED
    assert outcome.reason == "skipped: login required"
    assert outcome.flags == (Flag.TRACKING_PARAMS,)


# ------------------------------------------------------------------------------ flags
def test_tracking_params_flag():
    """Stripped tracking parameters are flagged on an ok link."""
    outcome = classify(answered(200), link(URL), NOW, stripped=("gclid",))
    assert outcome.flags == (Flag.TRACKING_PARAMS,)
    assert outcome.stripped_params == ("gclid",)


def test_cross_site_redirect_is_flagged():
    """Ending on another registrable domain is flagged."""
    obs = answered(200, (URL, 301), final_url="https://casino.example.com/")
    assert Flag.CROSS_SITE_REDIRECT in judge(obs).flags


def test_same_site_redirect_is_not_flagged():
    """Moving between subdomains of one registrable domain is not leaving the site."""
    obs = answered(200, (URL, 301), final_url="https://help.charity.org.uk/")
    assert judge(obs).flags == ()


def test_moving_between_tenants_of_a_shared_host_is_cross_site():
    """alice.github.io and bob.github.io belong to different people: leaving one is flagged."""
    obs = Observation(
        url="https://alice.github.io/help/",
        hops=(Hop("https://alice.github.io/help/", 301), Hop("https://bob.github.io/", 200)),
        status_code=200,
        final_url="https://bob.github.io/",
        attempts=1,
    )
    outcome = classify(obs, link("https://alice.github.io/help/"), NOW)
    assert Flag.CROSS_SITE_REDIRECT in outcome.flags


def test_allow_redirect_to_suppresses_cross_site():
    """allow_redirect_to lets a known move pass without a flag."""
    obs = answered(200, (URL, 301), final_url="https://www.newname.org/")
    assert judge(obs, allow_redirect_to=("*.newname.org",)).flags == ()
    assert judge(obs, allow_redirect_to=("https://www.newname.org/",)).flags == ()
    assert Flag.CROSS_SITE_REDIRECT in judge(obs, allow_redirect_to=("other.org",)).flags


def test_https_downgrade_is_flagged():
    """A redirect from https to http is flagged."""
    obs = answered(200, (URL, 301), final_url="http://www.charity.org.uk/help")
    assert judge(obs).flags == (Flag.HTTPS_DOWNGRADE,)


def test_expect_text_missing_is_flagged():
    """A page without the expected text is flagged; matching ignores case and spacing."""
    body = b"<p>Call   Childline\n on 0800 1111</p>"
    assert judge(answered(200, body=body), expect_text="childline on 0800 1111").flags == ()
    flags = judge(answered(200, body=body), expect_text="Samaritans").flags
    assert flags == (Flag.EXPECT_TEXT_MISSING,)


def test_parked_domain_by_final_host():
    """A redirect to a parking service is a parked domain (and leaves the site)."""
    obs = answered(200, (URL, 302), final_url="https://www.sedoparking.com/charity.org.uk")
    flags = judge(obs).flags
    assert Flag.PARKED_DOMAIN in flags
    assert Flag.CROSS_SITE_REDIRECT in flags


def test_parked_domain_by_page_text():
    """A 200 page saying the domain is for sale is a parked domain, in place."""
    obs = answered(200, body=b"<h1>This domain is for sale!</h1><p>Buy this domain</p>")
    assert judge(obs).flags == (Flag.PARKED_DOMAIN,)


def test_parked_domain_by_adblock_key_header():
    """The ad-block key header that parking services send marks a parked page."""
    assert judge(answered(200, headers=(("x-adblock-key", "MFww"),))).flags == (Flag.PARKED_DOMAIN,)


def test_tls_expiring_is_flagged_within_21_days():
    """A certificate expiring in 5 days is flagged; in 60 days it is not."""
    soon = answered(200, tls_expires=NOW + timedelta(days=5))
    later = answered(200, tls_expires=NOW + timedelta(days=60))
    assert judge(soon).flags == (Flag.TLS_EXPIRING,)
    assert judge(soon).tls_expires == NOW + timedelta(days=5)
    assert judge(later).flags == ()


def test_slow_is_flagged():
    """A page that took 10 s or more is flagged slow."""
    assert judge(answered(200, elapsed_ms=12_000)).flags == (Flag.SLOW,)
    assert judge(answered(200, elapsed_ms=900)).flags == ()


def test_title_is_extracted():
    """The page title is recorded when the body was read."""
    obs = answered(200, body=b"<html><TITLE>\n Help &amp; advice </TITLE>")
    assert judge(obs).title == "Help & advice"


# ------------------------------------------------------------------------------ sites
def test_registrable_domain_uses_the_public_suffix_list():
    """Multi-label suffixes such as org.uk are respected, offline."""
    assert registrable_domain("www.nspcc.org.uk") == "nspcc.org.uk"
    assert registrable_domain("a.b.example.com") == "example.com"
    assert registrable_domain("127.0.0.1") == "127.0.0.1"


def test_same_site_compares_registrable_domains():
    """Two hosts of one registrable domain are the same site; lookalikes are not."""
    assert same_site("https://www.nspcc.org.uk/", "https://learning.nspcc.org.uk/x")
    assert not same_site("https://www.nspcc.org.uk/", "https://nspcc.org.uk.evil.com/")


def test_redirect_allowed_matches_hosts_wildcards_and_prefixes():
    """allow_redirect_to accepts an exact host, *.host, or a URL prefix."""
    lnk = link(URL, allow_redirect_to=("example.org", "*.example.net", "https://x.com/ok/"))
    assert redirect_allowed("https://example.org/a", lnk)
    assert not redirect_allowed("https://www.example.org/a", lnk)
    assert redirect_allowed("https://a.b.example.net/", lnk)
    assert redirect_allowed("https://x.com/ok/page", lnk)
    assert not redirect_allowed("https://x.com/other", lnk)


def test_is_parked_is_quiet_on_ordinary_pages():
    """An ordinary page is not parked."""
    assert not is_parked("https://www.nspcc.org.uk/", "keeping children safe online")


@given(code=st.integers(200, 599), hops=st.integers(0, 5))
def test_every_answer_has_a_reason_and_action(code, hops):
    """Whatever the code and chain length, the verdict explains itself in one line."""
    chain = tuple((f"{URL}/{i}", 301) for i in range(hops))
    outcome = judge(answered(code, *chain))
    assert outcome.reason
    assert outcome.action
    assert "\n" not in outcome.reason
    assert "\n" not in outcome.action


@given(code=st.integers(400, 599))
def test_errors_are_never_ok_unless_accepted(code):
    """Without an accept entry, no 4xx or 5xx is ok."""
    assert judge(answered(code)).status is not Status.OK


def test_permanent_then_temporary_names_the_permanent_target():
    """A 301 followed by a 302 suggests the 301's target, not the temporary page."""
    obs = answered(
        200, (URL, 301), ("https://new.charity.org.uk/help", 302), final_url="https://sso.x.org/"
    )
    outcome = judge(obs)
    assert outcome.status is Status.REDIRECTED
    assert outcome.reason == (
        "moved permanently to https://new.charity.org.uk/help, then redirected to https://sso.x.org/"
    )
    assert outcome.action.endswith(
        "Only if the move is genuine: Update the URL in links.yaml to"
        " https://new.charity.org.uk/help."
    )


def test_temporary_then_permanent_is_informational():
    """A chain that starts with a temporary redirect does not ask to change the list."""
    obs = answered(200, (URL, 302), (URL + "/x", 301), final_url=URL + "/y")
    assert judge(obs).reason.startswith("temporarily redirected")


def test_a_challenge_page_that_answers_200_is_blocked():
    """A bot check served with 200 is not the page: blocked, not ok."""
    page = b"<html><head><title>Just a moment...</title></head><body>Checking</body></html>"
    assert judge(answered(200, body=page)).status is Status.BLOCKED
    header = answered(200, headers=(("cf-mitigated", "challenge"),))
    assert judge(header).status is Status.BLOCKED


def test_an_ordinary_page_mentioning_captcha_is_ok():
    """A contact form with a captcha is an ordinary page."""
    page = b"<html><title>Contact us</title><form>Please complete the captcha</form></html>"
    assert judge(answered(200, body=page)).status is Status.OK


def test_an_ok_link_with_a_flag_says_what_to_do_about_the_flag():
    """ok with tracking parameters: the action is to clean them, not 'None.'."""
    outcome = classify(answered(200), link(URL), NOW, stripped=("gclid",))
    assert (
        outcome.action
        == "Remove the tracking parameters from links.yaml: `linkwatch clean --write`."
    )
    moved = answered(200, (URL, 301), final_url="https://casino.example.com/")
    assert judge(moved).action.startswith(
        "Open the link before changing anything: it now ends on another website."
    )


# ----------------------------------------------------------------- vanished pages (issue 14)
DEEP = "https://www.nspcc.org.uk/keeping-children-safe/online-safety/"


@pytest.mark.parametrize(
    "landing",
    [
        "https://www.nspcc.org.uk/",
        "https://nspcc.org.uk/",
        "https://www.nspcc.org.uk/en-gb/",
        "https://www.nspcc.org.uk/index.html",
        "https://www.nspcc.org.uk/en/home.aspx",
        "https://www.nspcc.org.uk/search?q=online+safety",
        "https://www.nspcc.org.uk/?s=online-safety",
        "https://www.nspcc.org.uk/404",
        "https://www.nspcc.org.uk/page-not-found/",
        "https://www.nspcc.org.uk/errors/404.aspx?aspxerrorpath=/keeping-children-safe",
    ],
)
def test_a_deep_link_redirected_to_the_home_search_or_not_found_page_has_vanished(landing):
    """The shapes sites use for a deleted page: flagged, with its own reason to act on."""
    outcome = classify(answered(200, (DEEP, 301), url=DEEP, final_url=landing), link(DEEP), NOW)
    assert outcome.flags == (Flag.MOVED_TO_HOME,)
    assert outcome.action == (
        "The page is gone: the site now sends readers to its home page or a search page."
        " Find where the content went, or remove the link; do not adopt this redirect."
    )


@pytest.mark.parametrize(
    ("url", "landing"),
    [
        ("https://www.nspcc.org.uk/", "https://www.nspcc.org.uk/en-gb/"),  # was a home page
        ("https://nspcc.org.uk", "https://www.nspcc.org.uk/"),
        ("https://www.nspcc.org.uk/en", "https://www.nspcc.org.uk/"),
        (DEEP, "https://www.nspcc.org.uk/keeping-children-safe/online-safety/index.html"),
        (DEEP, "https://www.nspcc.org.uk/research/"),  # "research" is not a search page
        (DEEP, "https://help.nspcc.org.uk/"),  # the front of another subdomain may be genuine
        ("https://www.nspcc.org.uk/search?q=x", "https://www.nspcc.org.uk/"),
        (DEEP, "https://www.nspcc.org.uk/?page_id=12"),  # WordPress's plain permalinks
        (DEEP, "https://www.nspcc.org.uk/index.php?option=com_content&id=42"),  # Joomla
        (DEEP, "https://www.nspcc.org.uk/keeping-children-safe/online-safety/safe-search/"),
        (DEEP, "https://www.nspcc.org.uk/search-and-rescue-volunteers"),
    ],
)
def test_a_move_that_is_not_a_vanished_page_is_not_flagged(url, landing):
    """Home pages, same-page moves and other subdomains' fronts are not false alarms."""
    outcome = classify(answered(200, (url, 301), url=url, final_url=landing), link(url), NOW)
    assert Flag.MOVED_TO_HOME not in outcome.flags


@pytest.mark.parametrize(
    "page",
    [
        b"<html><head><title>Page not found | NSPCC</title></head><body>x</body></html>",
        b"<title>404 Not Found</title>",
        b"<title>Error 404</title>",
        b"<title>Not Found</title>",
        b"<title>Help</title><h1>Sorry, we can't find that page</h1>",
        # WordPress's own: an en dash and a typographic apostrophe.
        "<title>Page not found \u2013 Charity</title><h1>Oops! That page can\u2019t be found.</h1>".encode(),
        b"<title>Resources</title><h1 class=x>This page is <em>no longer available</em></h1>",
        b"<title>Help</title><h1>The page you are looking for cannot be found</h1>",
    ],
)
def test_a_page_that_says_it_is_not_there_is_a_soft_404(page):
    """A 200 whose title or main heading says not found is flagged soft_404, not ok."""
    outcome = judge(answered(200, body=page))
    assert outcome.status is Status.OK
    assert outcome.flags == (Flag.SOFT_404,)
    assert outcome.action == (
        "The page says it is not found or no longer available: find where its content went"
        " on the site, or remove the link."
    )


@pytest.mark.parametrize(
    "page",
    [
        b"<title>Lost and found property</title>",
        b"<title>Why 404 pages matter for charities</title>",
        b"<title>Missing children</title><h1>Report a child not found at school</h1>",
        b"<title>Help</title><p>Page not found? Call us.</p>",  # body text, not the heading
        "<title>Helpline no longer available on weekends \u2013 Samaritans</title>".encode(),
        b"<title>We can't find the right words: talking about suicide</title>",
        b"<title>404 Project \xe2\x80\x93 Youth Club</title>",
    ],
)
def test_pages_that_only_mention_not_found_are_ok(page):
    """Only the title and the main heading count, and only when they say the page is gone."""
    assert judge(answered(200, body=page)).flags == ()


# ----------------------------------------------------------------- bot walls (issue 14)
@pytest.mark.parametrize(
    ("code", "headers", "page", "provider"),
    [
        (403, (("server", "cloudflare"),), b"<title>Just a moment...</title>", "Cloudflare"),
        (503, (("cf-mitigated", "challenge"),), b"", "Cloudflare"),
        (200, (("cf-mitigated", "challenge"),), b"", "Cloudflare"),
        (
            403,
            (("server", "cloudflare"),),
            b"<title>Attention Required! | Cloudflare</title>Sorry, you have been blocked",
            "Cloudflare",
        ),
        (
            403,
            (("server", "AkamaiGHost"),),
            (
                b"<H1>Access Denied</H1>You don't have permission to access ... Reference #18.2"
                b" https://errors.edgesuite.net/18.2"
            ),
            "Akamai",
        ),
        (403, (("x-iinfo", "12-3456-0 0CNN RT(1)"),), b"Incapsula incident ID: 1", "Imperva"),
        (403, (("x-cdn", "Imperva"),), b"<p>Please verify you are human</p>", "Imperva"),
        (403, (("x-sucuri-id", "11005"),), b"Sucuri WebSite Firewall - Access Denied", "Sucuri"),
        (202, (("x-amzn-waf-action", "challenge"),), b"", "AWS WAF"),
        (405, (("x-amzn-waf-action", "captcha"),), b"", "AWS WAF"),
        (
            403,
            (("x-datadome", "protected"),),
            b"<script src='https://ct.captcha-delivery.com/c.js'></script>",
            "DataDome",
        ),
        (403, (), b"<div id='px-captcha'></div>", "HUMAN (PerimeterX)"),
    ],
)
def test_bot_protection_is_blocked_with_its_provider_named(code, headers, page, provider):
    """A challenge or block page is `blocked`, naming who sent it and what to do, never broken."""
    outcome = judge(answered(code, headers=headers, body=page))
    assert outcome.status is Status.BLOCKED
    assert outcome.reason == (
        f"{provider} bot protection answered instead of the page (HTTP {code})"
    )
    assert outcome.action == (
        "Open the link in a browser to confirm it works. It cannot be checked automatically"
        f" while {provider} challenges robots: accept this answer for the link"
        f" (`accept: [{code}]`) or check it by hand now and then."
    )


@pytest.mark.parametrize(
    "headers", [(("x-iinfo", "1-2-3"),), (("x-sucuri-id", "1"),), (("x-datadome", "protected"),)]
)
def test_an_outage_of_a_protected_site_is_still_an_error(headers):
    """A 503 that only carries the service's everyday header is the site's outage, not a wall:
    `blocked` would hide it (and the advice to accept 503 would hide it for good)."""
    outcome = judge(
        answered(503, attempts=3, headers=headers, body=b"<h1>Down for maintenance</h1>")
    )
    assert (outcome.status, outcome.reason) == (
        Status.ERROR,
        "server error (HTTP 503) after 3 attempts",
    )


def test_apaches_own_forbidden_page_is_not_called_akamai():
    """Apache's stock 403 text is an ordinary refusal, blocked without a provider's name."""
    page = b"<title>403 Forbidden</title><p>You don't have permission to access this resource.</p>"
    outcome = judge(answered(403, body=page))
    assert (outcome.status, outcome.reason) == (
        Status.BLOCKED,
        "access denied to automated checks (HTTP 403)",
    )


@pytest.mark.parametrize(("code", "headers"), [(403, (("cf-mitigated", "challenge"),)), (503, ())])
def test_expected_text_is_not_missing_from_an_answer_that_is_not_the_page(code, headers):
    """A wall or an error page lacks the expected text, but that says nothing about the page:
    no expect_text_missing flag (which would fail the run on a block)."""
    outcome = judge(answered(code, headers=headers, body=b"Just a moment"), expect_text="Childline")
    assert Flag.EXPECT_TEXT_MISSING not in outcome.flags


def test_a_hostile_page_of_unclosed_tags_has_no_title():
    """Titles and headings are read from a bounded window: thousands of unclosed tags give none
    (and cost linear time), a title closed past the window is not read."""
    assert classify(answered(200, body=b"<title>" * 40_000), link(URL), NOW).title is None
    assert not is_soft_404(b"<h1>" + b"<" * 100_000 + b"</h1>")
    late = b"<title>" + b"x" * 5000 + b"</title>"
    assert classify(answered(200, body=late), link(URL), NOW).title is None
    assert (
        classify(answered(200, body=b"<TITLE lang=en>Help</TITLE>"), link(URL), NOW).title == "Help"
    )


def test_a_real_404_from_a_protected_site_is_still_broken():
    """A header that marks every answer of a protected site does not turn a 404 into blocked."""
    outcome = judge(answered(404, headers=(("x-iinfo", "1-2-3"), ("x-sucuri-id", "1"))))
    assert (outcome.status, outcome.reason) == (Status.BROKEN, "the page is not found (404)")


def test_an_ordinary_page_naming_a_provider_is_ok():
    """An article about DataDome or Cloudflare, served 200, is the page."""
    page = b"<title>How DataDome and Cloudflare stop bots</title>"
    assert judge(answered(200, body=page)).status is Status.OK


# ---------------------------------------------------------------------- flaky (issue 14)
def test_a_link_that_needed_a_retry_is_ok_and_flaky():
    """500 then 200: ok, with a note that the site stumbled, and nothing to fix now."""
    outcome = judge(answered(200, attempts=2, retries=1))
    assert (outcome.status, outcome.flags) == (Status.OK, (Flag.FLAKY,))
    assert outcome.action == (
        "None now; the site needed a retry. If it keeps stumbling, tell the site's owner."
    )


def test_a_head_refused_then_get_is_not_flaky():
    """Two requests because HEAD was refused is not a retry."""
    assert judge(answered(200, attempts=2, retries=0)).flags == ()


@pytest.mark.parametrize("landing", ["/ok", "/go/", "/it-support/", "/xx"])
def test_a_short_path_is_not_mistaken_for_a_language_root(landing):
    """Only real language codes make a front page: /ok, /go and /it-support are pages."""
    final = "https://www.nspcc.org.uk" + landing
    outcome = classify(answered(200, (DEEP, 301), url=DEEP, final_url=final), link(DEEP), NOW)
    assert Flag.MOVED_TO_HOME not in outcome.flags
