"""The probe against a real, hostile server on 127.0.0.1: what a mock cannot show."""

from __future__ import annotations

import asyncio
import gzip
import ssl
import time
from datetime import UTC, datetime, timedelta

import pytest
import trustme

from conftest import client_ssl_context, link, prober
from linkwatch.judgement.classify import classify
from linkwatch.models import Failure, Flag, Hop, Policy, Status
from loopback import Server, closed_port, reset, respond

pytestmark = pytest.mark.anyio

NOW = datetime.now(UTC)


async def check(url: str, *, deadline: float = 2.0, expect_text: str | None = None, **options):
    """Probe and classify one URL; also returns the wall time it took."""
    started = time.monotonic()
    async with prober(**options) as p:
        obs = await p.probe(url, Policy(timeout=deadline, expect_text=expect_text))
    wall = time.monotonic() - started
    return obs, classify(obs, link(url, timeout=deadline, expect_text=expect_text), NOW), wall


async def test_slow_drip_is_cut_at_the_deadline(server):
    """A server dripping one byte at a time cannot outlive the link's deadline."""

    @server.route("/drip")
    async def drip(request, reader, writer):
        writer.write(b"HTTP/1.1 200 OK\r\n")
        while True:
            writer.write(b"X")
            await writer.drain()
            await asyncio.sleep(0.05)

    obs, outcome, wall = await check(server.url("/drip"), deadline=1.0)
    assert obs.failure is Failure.TIMEOUT
    assert outcome.status is Status.ERROR
    assert outcome.reason == "no complete answer within 1 s"
    assert wall < 1.5


async def test_accept_and_never_answer_times_out(server):
    """A server that accepts the request and says nothing is an error at the deadline."""

    @server.route("/silent")
    async def silent(request, reader, writer):
        await asyncio.sleep(60)

    obs, outcome, wall = await check(server.url("/silent"), deadline=1.0)
    assert obs.failure is Failure.TIMEOUT
    assert obs.hops == (Hop(server.url("/silent"), None),)
    assert outcome.status is Status.ERROR
    assert 0.9 < wall < 1.5


async def test_reset_is_retried_then_reported(server):
    """A reset on HEAD falls back to GET, which is retried, then reported as an error."""

    @server.route("/reset")
    async def do_reset(request, reader, writer):
        reset(writer)

    obs, outcome, wall = await check(server.url("/reset"))
    assert obs.failure is Failure.RESET
    assert outcome.status is Status.ERROR
    assert outcome.reason == "the connection was reset (3 attempts)"
    assert obs.attempts == 3  # HEAD, then GET twice: at most 3 attempts in all
    assert server.hits["/reset"] == 3
    assert wall < 1.5


async def test_close_mid_headers_is_an_error(server):
    """A server that closes halfway through its headers gives an error, not a crash."""

    @server.route("/half")
    async def half(request, reader, writer):
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Le")
        await writer.drain()

    obs, outcome, wall = await check(server.url("/half"))
    assert obs.failure in {Failure.PROTOCOL, Failure.RESET}
    assert outcome.status is Status.ERROR
    assert wall < 1.5


async def test_garbage_instead_of_http_is_a_protocol_error(server):
    """Bytes that are not HTTP are a protocol error."""

    @server.route("/garbage")
    async def garbage(request, reader, writer):
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        await writer.drain()

    obs, outcome, wall = await check(server.url("/garbage"))
    assert obs.failure is Failure.PROTOCOL
    assert outcome.status is Status.ERROR
    assert outcome.reason.startswith("not a valid HTTP answer")
    assert wall < 1.5


async def test_redirect_loop_is_detected(server):
    """A redirect back to a URL already visited stops at once."""

    @server.route("/a")
    async def a(request, reader, writer):
        await respond(writer, 302, {"Location": "/b"}, head=request.method == "HEAD")

    @server.route("/b")
    async def b(request, reader, writer):
        await respond(writer, 302, {"Location": "/a"}, head=request.method == "HEAD")

    obs, outcome, _ = await check(server.url("/a"))
    assert obs.failure is Failure.REDIRECT_LOOP
    assert outcome.status is Status.ERROR
    assert [h.url for h in obs.hops] == [server.url("/a"), server.url("/b")]
    assert server.hits["/a"] == 1


async def test_thirty_hop_chain_stops_after_ten(server):
    """A 30-hop redirect chain is an error after ten redirects, each hop recorded."""

    async def hop(request, reader, writer):
        n = int(request.path.rsplit("/", 1)[1])
        await respond(writer, 301, {"Location": f"/chain/{n - 1}"}, head=True)

    for n in range(1, 31):
        server.route(f"/chain/{n}")(hop)

    obs, outcome, _ = await check(server.url("/chain/30"))
    assert obs.failure is Failure.TOO_MANY_REDIRECTS
    assert outcome.status is Status.ERROR
    assert len(obs.hops) == 11
    assert all(h.status_code == 301 for h in obs.hops)
    assert outcome.reason == "more than 10 redirects"


async def test_by_default_a_page_is_one_bounded_get(server):
    """Without --head-only a link is one GET whose first bytes are read (and no HEAD)."""
    seen = []

    @server.route("/page")
    async def page(request, reader, writer):
        seen.append(request.method)
        await respond(writer, 200, body=b"<title>Help</title>hello")

    obs, outcome, _ = await check(server.url("/page"))
    assert (outcome.status, outcome.title) == (Status.OK, "Help")
    assert (seen, obs.method, obs.attempts) == (["GET"], "GET", 1)
    assert obs.body == b"<title>Help</title>hello"


async def test_head_405_falls_back_to_get(server):
    """A server refusing HEAD is asked again with GET, and the link is ok (--head-only)."""

    @server.route("/nohead")
    async def nohead(request, reader, writer):
        if request.method == "HEAD":
            await respond(writer, 405, head=True)
        else:
            await respond(writer, 200, body=b"hello")

    obs, outcome, _ = await check(server.url("/nohead"), inspect_pages=False)
    assert outcome.status is Status.OK
    assert obs.method == "GET"
    assert obs.attempts == 2
    assert obs.body is None  # nothing needed the body, so none was read


async def test_429_with_retry_after_then_200(server):
    """Retry-After is honoured within the deadline, then the link is ok."""
    calls = []

    @server.route("/busy")
    async def busy(request, reader, writer):
        calls.append(time.monotonic())
        if len(calls) == 1:
            await respond(writer, 429, {"Retry-After": "1"}, head=True)
        else:
            await respond(writer, 200, head=True)

    obs, outcome, wall = await check(server.url("/busy"), deadline=3.0)
    assert outcome.status is Status.OK
    assert obs.attempts == 2
    assert obs.retry_after_s == 1.0
    assert calls[1] - calls[0] >= 0.95
    assert wall < 2.5


async def test_503_then_200(server):
    """A passing 503 is retried with backoff, then the link is ok."""

    @server.route("/flaky")
    async def flaky(request, reader, writer):
        status = 503 if server.hits["/flaky"] == 1 else 200
        await respond(writer, status, head=True)

    obs, outcome, _ = await check(server.url("/flaky"))
    assert outcome.status is Status.OK
    assert obs.attempts == 2


async def test_gzip_bomb_is_inflated_no_further_than_the_limit(server):
    """A gzip bomb sent despite Accept-Encoding: identity inflates to the limit, not beyond."""
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MB inflated

    @server.route("/bomb")
    async def send_bomb(request, reader, writer):
        assert request.headers["accept-encoding"] == "identity"
        await respond(writer, 200, {"Content-Encoding": "gzip"}, bomb)

    obs, outcome, _ = await check(server.url("/bomb"), expect_text="welcome", max_body=65536)
    assert obs.body is not None
    assert len(obs.body) == 65536
    assert obs.body_truncated
    assert outcome.status is Status.OK
    assert outcome.flags == (Flag.EXPECT_TEXT_MISSING,)


async def test_50_mb_body_is_read_only_to_the_limit(server):
    """A 50 MB page is read to the bound, and the connection dropped: memory stays bounded."""
    chunk = b"a" * 65536
    sent = {"bytes": 0}

    @server.route("/huge")
    async def huge(request, reader, writer):
        size = 50 * 1024 * 1024
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n".encode())
        while sent["bytes"] < size:
            writer.write(chunk)
            await writer.drain()
            sent["bytes"] += len(chunk)

    obs, outcome, wall = await check(server.url("/huge"), expect_text="aaaa")
    assert obs.body is not None
    assert len(obs.body) == 256 * 1024
    assert outcome.status is Status.OK
    assert outcome.flags == ()
    await asyncio.sleep(0.05)
    # What the kernel buffered before the close is all that ever left the server.
    assert sent["bytes"] < 16 * 1024 * 1024
    assert wall < 1.5


# ----------------------------------------------------------------------------- TLS
def tls_server(ca, hostname: str, **cert_options) -> Server:
    cert = ca.issue_cert(hostname, **cert_options)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    srv = Server(ssl_context=context)

    @srv.route("/")
    async def root(request, reader, writer):
        await respond(writer, 200, head=request.method == "HEAD")

    srv.start()
    return srv


async def tls_check(ca, srv: Server, host: str = "site.test"):
    return await check(
        srv.url("/", host=host), hosts={host: "127.0.0.1"}, ssl_context=client_ssl_context(ca)
    )


async def test_tls_expiring_in_5_days_is_flagged(ca):
    """A valid certificate expiring within 21 days is ok, flagged, and its expiry recorded."""
    expires = (NOW + timedelta(days=5)).replace(microsecond=0)
    srv = tls_server(ca, "site.test", not_after=expires)
    try:
        _, outcome, _ = await tls_check(ca, srv)
    finally:
        srv.stop()
    assert outcome.status is Status.OK
    assert outcome.flags == (Flag.TLS_EXPIRING,)
    assert outcome.tls_expires == expires


async def test_tls_valid_certificate_records_expiry_without_flag(ca):
    """A certificate with months left is ok, unflagged, with its expiry recorded."""
    expires = (NOW + timedelta(days=90)).replace(microsecond=0)
    srv = tls_server(ca, "site.test", not_after=expires)
    try:
        _, outcome, _ = await tls_check(ca, srv)
    finally:
        srv.stop()
    assert outcome.status is Status.OK
    assert outcome.flags == ()
    assert outcome.tls_expires == expires


async def test_tls_untrusted_certificate_is_an_error(ca):
    """A certificate from an unknown authority is a TLS error."""
    srv = tls_server(trustme.CA(), "site.test")
    try:
        obs, outcome, _ = await tls_check(ca, srv)
    finally:
        srv.stop()
    assert obs.failure is Failure.TLS
    assert outcome.status is Status.ERROR
    assert "unable to get local issuer certificate" in outcome.reason


async def test_tls_expired_certificate_is_an_error(ca):
    """An expired certificate is a TLS error that says so."""
    srv = tls_server(
        ca,
        "site.test",
        not_before=NOW - timedelta(days=30),
        not_after=NOW - timedelta(days=1),
    )
    try:
        obs, outcome, _ = await tls_check(ca, srv)
    finally:
        srv.stop()
    assert obs.failure is Failure.TLS
    assert "certificate has expired" in outcome.reason


async def test_tls_wrong_host_is_an_error(ca):
    """A certificate for another name is a TLS error naming the mismatch."""
    srv = tls_server(ca, "other.test")
    try:
        obs, outcome, _ = await tls_check(ca, srv, host="site.test")
    finally:
        srv.stop()
    assert obs.failure is Failure.TLS
    assert "Hostname mismatch" in outcome.reason


# --------------------------------------------------------------- names and ports
async def test_invalid_tld_is_broken():
    """A .invalid host does not exist: broken, without asking any resolver."""
    obs, outcome, wall = await check("https://charity.invalid/")
    assert obs.failure is Failure.DNS_NOT_FOUND
    assert outcome.status is Status.BROKEN
    assert wall < 0.5


async def test_closed_port_is_broken():
    """Connection refused is broken, and not retried."""
    url = f"http://127.0.0.1:{closed_port()}/"
    obs, outcome, wall = await check(url)
    assert obs.failure is Failure.REFUSED
    assert outcome.status is Status.BROKEN
    assert obs.attempts == 1
    assert wall < 0.5


async def test_public_name_resolving_to_loopback_is_skipped(server):
    """A public-looking name that resolves to 127.0.0.1 is never requested with the guard on."""
    url = server.url("/", host="charity.example")
    obs, outcome, _ = await check(url, allow_private=False, hosts={"charity.example": "127.0.0.1"})
    assert obs.failure is Failure.PRIVATE_ADDRESS
    assert outcome.status is Status.SKIPPED
    assert "127.0.0.1" in outcome.reason
    assert sum(server.hits.values()) == 0


async def test_redirect_to_loopback_is_refused_at_connect(server):
    """A redirect to an internal address is refused where the connection is made."""
    internal = Server(host="127.0.0.2")
    internal.start()

    @server.route("/out")
    async def out(request, reader, writer):
        location = internal.url("/admin", host="intranet.example")
        await respond(writer, 302, {"Location": location}, head=True)

    try:
        obs, outcome, _ = await check(
            server.url("/out", host="www.charity.example"),
            allow_private=False,
            hosts={"www.charity.example": "127.0.0.1", "intranet.example": "127.0.0.2"},
            # 127.0.0.1 stands in for the public internet; everything else is the guard's.
            is_allowed=lambda address: address == "127.0.0.1",
        )
    finally:
        internal.stop()
    assert obs.failure is Failure.PRIVATE_ADDRESS
    assert outcome.status is Status.SKIPPED
    assert [h.status_code for h in obs.hops] == [302, None]
    assert sum(internal.hits.values()) == 0


async def test_corrupt_gzip_body_is_not_read_as_text(server):
    """A body that claims gzip but is not gzip is dropped, not misread."""

    @server.route("/corrupt")
    async def corrupt(request, reader, writer):
        await respond(writer, 200, {"Content-Encoding": "gzip"}, b"not gzip at all")

    obs, outcome, _ = await check(server.url("/corrupt"), expect_text="gzip")
    assert obs.status_code == 200
    assert obs.body is None
    assert outcome.status is Status.OK
    assert outcome.flags == ()


async def test_pool_recovers_after_many_cancelled_requests(server):
    """Connections cut by the deadline are not leaked: the origin's pool still serves."""

    @server.route("/silent")
    async def silent(request, reader, writer):
        await asyncio.sleep(60)

    @server.route("/ok")
    async def ok(request, reader, writer):
        await respond(writer, 200, head=True)

    async with prober() as p:
        for _ in range(10):  # more than the pool's 8 connections per origin
            obs = await p.probe(server.url("/silent"), Policy(timeout=0.1))
            assert obs.failure is Failure.TIMEOUT
        obs = await p.probe(server.url("/ok"), Policy(timeout=1.0))
    assert obs.status_code == 200


async def test_a_body_sent_after_head_does_not_poison_the_next_link(server):
    """Bytes a server wrongly sends after a HEAD answer are not read as the next answer."""

    @server.route("/chatty")
    async def chatty(request, reader, writer):
        # A HEAD answer followed by the body it must not carry, on a kept-alive connection.
        await respond(writer, 200, body=b"<html>junk</html>", keep_alive=True)
        return True

    @server.route("/next")
    async def after(request, reader, writer):
        await respond(writer, 200, head=request.method == "HEAD", keep_alive=True)
        return True

    async with prober() as p:
        first = await p.probe(server.url("/chatty"), Policy(timeout=2.0))
        second = await p.probe(server.url("/next"), Policy(timeout=2.0))
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.failure is None


async def test_a_fragment_in_location_is_kept_and_a_script_target_refused(server):
    """`Location: /new#sec` lands on #sec; `Location: javascript:…` is never followed."""

    @server.route("/moved")
    async def moved(request, reader, writer):
        await respond(writer, 301, {"Location": "/new#sec"}, head=request.method == "HEAD")

    @server.route("/new")
    async def new(request, reader, writer):
        await respond(writer, 200, head=request.method == "HEAD")

    @server.route("/script")
    async def script(request, reader, writer):
        await respond(writer, 302, {"Location": "javascript:alert(1)"}, head=True)

    obs, outcome, _ = await check(server.url("/moved"))
    assert obs.final_url == server.url("/new#sec")
    assert outcome.status is Status.REDIRECTED
    assert server.hits["/new"] == 1  # the fragment is never sent
    bad, judged, _ = await check(server.url("/script"))
    # httpx itself refuses to build a request for it, before linkwatch sees the Location.
    assert bad.failure in {Failure.BAD_REDIRECT, Failure.INVALID_URL}
    assert judged.status is Status.ERROR
    assert server.hits["/script"] == 1
