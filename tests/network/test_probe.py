"""The probe's decisions (methods, retries, redirects, bodies), with respx in place of a server."""

from __future__ import annotations

import errno
import gzip
import ssl
from datetime import UTC, datetime

import httpx
import pytest
import respx

from linkwatch.models import Failure, Hop, Policy
from linkwatch.network.client import ClientOptions, NameLookupError, build_client
from linkwatch.network.probe import Prober, ProbeSettings, _failure_of, _retry_after

pytestmark = pytest.mark.anyio

URL = "https://www.charity.org.uk/help"


async def probe(url: str = URL, *, sleeps: list[float] | None = None, **policy):
    """Probe with a recorded, instant sleep; returns the observation."""
    recorded = sleeps if sleeps is not None else []

    async def sleep(seconds: float) -> None:
        recorded.append(seconds)

    settings = ProbeSettings(inspect_pages=policy.pop("inspect_pages", False))
    async with build_client(ClientOptions()) as client:
        prober = Prober(client, settings, sleep=sleep, jitter=lambda: 0.5)
        return await prober.probe(url, Policy(**policy))


@respx.mock
async def test_healthy_link_costs_one_head():
    """A healthy page is one HEAD request, and no body is read."""
    route = respx.head(URL).respond(200)
    obs = await probe()
    assert route.call_count == 1
    assert obs.status_code == 200
    assert obs.method == "HEAD"
    assert obs.attempts == 1
    assert obs.body is None
    assert obs.hops == (Hop(URL, 200),)
    assert obs.final_url == URL


@respx.mock
async def test_user_agent_and_identity_encoding_are_sent():
    """Every request names linkwatch and asks for raw bytes."""
    route = respx.head(URL).respond(200)
    await probe()
    request = route.calls.last.request
    assert request.headers["user-agent"].startswith("linkwatch")
    assert request.headers["accept-encoding"] == "identity"


@pytest.mark.parametrize("code", [400, 403, 405, 501])
@respx.mock
async def test_head_refusals_fall_back_to_get(code):
    """HEAD answered with a refusal is asked again with GET."""
    respx.head(URL).respond(code)
    respx.get(URL).respond(200)
    obs = await probe()
    assert obs.status_code == 200
    assert obs.method == "GET"
    assert obs.attempts == 2


@respx.mock
async def test_head_reset_falls_back_to_get():
    """A connection dropped on HEAD is asked again with GET, not retried as HEAD."""
    head = respx.head(URL).mock(side_effect=httpx.ReadError("reset"))
    respx.get(URL).respond(200)
    obs = await probe()
    assert head.call_count == 1
    assert obs.status_code == 200


@pytest.mark.parametrize("code", [404, 410])
@respx.mock
async def test_gone_pages_are_never_retried(code):
    """404 and 410 are final on the first answer."""
    route = respx.head(URL).respond(code)
    obs = await probe()
    assert route.call_count == 1
    assert obs.status_code == code


@respx.mock
async def test_5xx_is_retried_three_times_with_growing_backoff():
    """A persistent 503 is tried three times, waiting longer each time."""
    route = respx.head(URL).respond(503)
    sleeps: list[float] = []
    obs = await probe(sleeps=sleeps)
    assert route.call_count == 3
    assert obs.status_code == 503
    assert obs.attempts == 3
    assert sleeps == [0.5, 1.0]  # base 0.5 s doubled; jitter fixed at its midpoint


@respx.mock
async def test_retry_after_beyond_the_deadline_is_not_waited_for():
    """A Retry-After longer than the time left reports the 429 at once."""
    route = respx.head(URL).respond(429, headers={"Retry-After": "120"})
    sleeps: list[float] = []
    obs = await probe(sleeps=sleeps, timeout=5)
    assert route.call_count == 1
    assert sleeps == []
    assert obs.status_code == 429
    assert obs.retry_after_s == 120.0


@respx.mock
async def test_retry_after_within_the_deadline_is_honoured():
    """Retry-After replaces the backoff when it fits in the deadline."""
    respx.head(URL).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200)]
    )
    sleeps: list[float] = []
    obs = await probe(sleeps=sleeps)
    assert sleeps == [2.0]
    assert obs.status_code == 200


@respx.mock
async def test_connect_timeout_is_retried():
    """A connection that is not accepted in time is tried again."""
    respx.head(URL).mock(side_effect=[httpx.ConnectTimeout("slow"), httpx.Response(200)])
    obs = await probe()
    assert obs.status_code == 200
    assert obs.attempts == 2


@respx.mock
async def test_redirects_are_followed_by_hand_and_recorded():
    """Each hop is requested and recorded with its status; relative locations are resolved."""
    respx.head(URL).respond(301, headers={"Location": "/help/"})
    respx.head(URL + "/").respond(302, headers={"Location": "https://www.charity.org.uk/new"})
    respx.head("https://www.charity.org.uk/new").respond(200)
    obs = await probe()
    assert obs.hops == (
        Hop(URL, 301),
        Hop(URL + "/", 302),
        Hop("https://www.charity.org.uk/new", 200),
    )
    assert obs.final_url == "https://www.charity.org.uk/new"


@respx.mock
async def test_redirect_to_another_scheme_is_an_error():
    """A redirect out of the web (mailto:, ftp:, javascript:) is not followed."""
    respx.head(URL).respond(302, headers={"Location": "ftp://files.example.org/"})
    obs = await probe()
    assert obs.failure is Failure.BAD_REDIRECT
    assert "ftp" in obs.detail


@respx.mock
async def test_cookie_set_on_redirect_to_self_is_not_a_loop():
    """A site that sets a cookie and redirects to the same URL is followed once more."""
    respx.head(URL).mock(
        side_effect=[
            httpx.Response(302, headers={"Location": URL, "Set-Cookie": "seen=1; Path=/"}),
            httpx.Response(200),
        ]
    )
    obs = await probe()
    assert obs.status_code == 200
    assert len(obs.hops) == 2


@respx.mock
async def test_cookies_stay_within_one_probe():
    """A cookie one link sets is never sent with another link's request."""
    respx.head(URL).respond(200, headers={"Set-Cookie": "id=secret; Path=/"})
    other = respx.head("https://www.charity.org.uk/other").respond(200)
    async with build_client() as client:
        prober = Prober(client, ProbeSettings(inspect_pages=False))
        await prober.probe(URL, Policy())
        await prober.probe("https://www.charity.org.uk/other", Policy())
    assert "cookie" not in other.calls.last.request.headers


@respx.mock
async def test_expect_text_reads_the_body_with_one_get():
    """A link that needs its text is one GET, and the body is kept for classification."""
    head = respx.head(URL).respond(200)
    respx.get(URL).respond(200, text="<title>Help</title> Childline 0800 1111")
    obs = await probe(expect_text="Childline")
    assert head.call_count == 0
    assert obs.method == "GET"
    assert obs.body == b"<title>Help</title> Childline 0800 1111"


@respx.mock
async def test_gzip_body_is_decoded_within_the_bound():
    """A body compressed despite identity is decoded here, to at most the limit."""
    respx.get(URL).respond(
        200, headers={"Content-Encoding": "gzip"}, content=gzip.compress(b"x" * 1_000_000)
    )
    obs = await probe(expect_text="x")
    assert obs.body is not None
    assert len(obs.body) == 256 * 1024
    assert obs.body_truncated


@respx.mock
async def test_unknown_encoding_is_not_guessed():
    """A body in an encoding linkwatch did not ask for and cannot bound is not read."""
    respx.get(URL).respond(200, headers={"Content-Encoding": "br"}, content=b"\x0b\x00")
    obs = await probe(expect_text="x")
    assert obs.body is None


@respx.mock
async def test_inspect_pages_uses_get():
    """--inspect-pages reads every page with one GET instead of a HEAD."""
    respx.get(URL).respond(200, text="<title>Home</title>")
    obs = await probe(inspect_pages=True)
    assert obs.method == "GET"
    assert obs.attempts == 1
    assert obs.body == b"<title>Home</title>"


@respx.mock
async def test_tracked_headers_are_kept_small():
    """Only the headers classification uses are kept."""
    respx.head(URL).respond(
        200, headers={"Server": "nginx", "X-Adblock-Key": "abc", "Set-Cookie": "a=b"}
    )
    obs = await probe()
    assert obs.header("server") == "nginx"
    assert obs.header("x-adblock-key") == "abc"
    assert obs.header("set-cookie") is None


def test_retry_after_parses_seconds_and_dates():
    """Retry-After is read as seconds or as an HTTP date; nonsense is ignored."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert _retry_after("7", now) == 7.0
    assert _retry_after("Thu, 01 Jan 2026 00:00:30 GMT", now) == 30.0
    assert _retry_after("Wed, 31 Dec 2025 00:00:00 GMT", now) == 0.0
    assert _retry_after("soon", now) is None
    assert _retry_after(None, now) is None


@respx.mock
async def test_cross_site_landing_page_is_read_once():
    """A link that now ends on another site is read with one GET, so a sale page shows."""
    respx.head(URL).respond(301, headers={"Location": "https://lander.example.com/"})
    respx.head("https://lander.example.com/").respond(200)
    get = respx.get("https://lander.example.com/").respond(200, text="This domain is for sale")
    obs = await probe()
    assert get.call_count == 1
    assert obs.method == "GET"
    assert obs.body == b"This domain is for sale"
    assert obs.hops[-1] == Hop("https://lander.example.com/", 200)


@respx.mock
async def test_same_site_redirect_is_not_read():
    """A move within the site costs no extra GET."""
    respx.head(URL).respond(301, headers={"Location": "https://help.charity.org.uk/"})
    respx.head("https://help.charity.org.uk/").respond(200)
    obs = await probe()
    assert obs.method == "HEAD"
    assert obs.attempts == 2
    assert obs.body is None


def _chained(outer: Exception, cause: BaseException) -> Exception:
    outer.__cause__ = cause
    return outer


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (NameLookupError("temporary failure"), Failure.DNS_FAILED),
        (httpx.ReadTimeout("slow"), Failure.TIMEOUT),
        (httpx.ConnectTimeout("slow"), Failure.CONNECT_TIMEOUT),
        (httpx.UnsupportedProtocol("gopher"), Failure.INVALID_URL),
        (httpx.RemoteProtocolError("illegal header"), Failure.PROTOCOL),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            Failure.RESET,
        ),
        (_chained(httpx.ConnectError("x"), ssl.SSLError(1, "wrong version")), Failure.TLS),
        (
            _chained(httpx.ConnectError("x"), OSError(errno.ENETUNREACH, "unreachable")),
            Failure.UNREACHABLE,
        ),
        (_chained(httpx.ConnectError("x"), ConnectionRefusedError()), Failure.REFUSED),
        (httpx.ConnectError("something else"), Failure.UNREACHABLE),
        (httpx.DecodingError("odd"), Failure.PROTOCOL),
    ],
)
def test_errors_are_mapped_at_one_boundary(error, failure):
    """Each transport error becomes its failure kind."""
    assert _failure_of(error).failure is failure


@respx.mock
async def test_redirect_without_host_is_an_error():
    """A Location that names no host is not followed."""
    respx.head(URL).respond(302, headers={"Location": "http://"})
    obs = await probe()
    assert obs.failure is Failure.BAD_REDIRECT
