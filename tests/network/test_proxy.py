"""Proxies: the environment's and --proxy's meaning, NO_PROXY, and requests through a real
proxy (proxy.py) on 127.0.0.1: absolute form for http, a CONNECT tunnel with TLS verified
end to end for https, the address guard before the proxy hears of a host."""

from __future__ import annotations

import ssl
from contextlib import asynccontextmanager

import pytest

from conftest import client_ssl_context, link
from linkwatch.errors import UsageError
from linkwatch.judgement.classify import classify
from linkwatch.models import Failure, Status
from linkwatch.network import proxy
from linkwatch.network.client import ClientOptions, build_client, mapping_resolver, system_resolver
from linkwatch.network.probe import Prober, ProbeSettings
from loopback import Server, closed_port, respond
from proxyserver import ProxyServer

PROXY = "http://proxy.example:3128"


# ------------------------------------------------------------------ the environment
def test_lower_case_wins_and_all_proxy_fills_in():
    """https_proxy beats HTTPS_PROXY; ALL_PROXY serves the scheme that has no variable."""
    found = proxy.settings(
        {
            "https_proxy": "http://lower:1",
            "HTTPS_PROXY": "http://upper:2",
            "ALL_PROXY": "http://all:3",
        }
    )
    assert found.https is not None
    assert (found.https.host, found.https.port) == ("lower", 1)
    assert found.http is not None
    assert (found.http.host, found.http.port) == ("all", 3)


def test_upper_case_alone_counts_and_empty_is_unset():
    """HTTP_PROXY alone is honoured (as httpx does); an empty https_proxy is not a proxy."""
    found = proxy.settings({"HTTP_PROXY": "proxy.example:8080", "https_proxy": ""})
    assert found.http is not None
    assert (found.http.host, found.http.port, found.http.shown) == (
        "proxy.example",
        8080,
        "http://proxy.example:8080",
    )
    assert found.https is None


def test_http_proxy_upper_case_is_ignored_under_cgi():
    """httpoxy: under CGI, HTTP_PROXY comes from a request header and is not a proxy."""
    found = proxy.settings({"HTTP_PROXY": "http://attacker:1", "REQUEST_METHOD": "GET"})
    assert found.http is None
    assert proxy.settings({"http_proxy": PROXY, "REQUEST_METHOD": "GET"}).http is not None


def test_empty_explicit_proxy_connects_directly():
    """--proxy '' overrides the environment's proxies: every request goes direct."""
    found = proxy.settings({"HTTPS_PROXY": PROXY}, explicit="")
    assert found.proxy_for("https", "example.org", 443) is None


def test_explicit_proxy_replaces_the_environment_but_not_no_proxy():
    """--proxy serves both schemes over the variables; NO_PROXY still applies to it."""
    found = proxy.settings(
        {"HTTPS_PROXY": "http://env:1", "NO_PROXY": "intranet.example"}, explicit=PROXY
    )
    assert found.proxy_for("https", "www.example.org", 443) is found.https
    assert found.https is not None
    assert found.https.shown == PROXY
    assert found.proxy_for("http", "intranet.example", 80) is None


def test_ignoring_the_environment_ignores_every_variable():
    """--no-env-proxy: no proxy and no NO_PROXY from the environment."""
    found = proxy.settings({"HTTPS_PROXY": PROXY, "NO_PROXY": "*"}, use_environment=False)
    assert not found.in_use
    assert found.proxy_for("https", "example.org", 443) is None


def test_credentials_become_basic_authorization_and_are_never_shown():
    """user:password (percent-decoded) become Proxy-Authorization; repr and messages hide them."""
    found = proxy.parse_proxy("http://al%40ice:s3cr%3At@proxy.example:3128/", "HTTPS_PROXY")
    assert found.authorization == "Basic YWxAaWNlOnMzY3I6dA=="  # al@ice:s3cr:t
    assert found.shown == "http://proxy.example:3128"
    assert "s3cr" not in repr(found)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "socks5://bob:hunter2@proxy.example:1080",
            (
                "HTTPS_PROXY: socks5:// proxies are not supported; give an http:// proxy (HTTPS"
                " links go through it in a CONNECT tunnel, verified end to end)"
            ),
        ),
        (
            "https://bob:hunter2@proxy.example",
            (
                "HTTPS_PROXY: https:// proxies are not supported; give an http:// proxy (HTTPS"
                " links go through it in a CONNECT tunnel, verified end to end)"
            ),
        ),
        (
            "http://bob:hun/ter2@proxy.example",
            (
                "HTTPS_PROXY: not a proxy URL; write it as http://host:port (credentials in it"
                " percent-encoded)"
            ),
        ),
        ("http://bob:hunter2@:3128", "HTTPS_PROXY: the proxy URL has no host"),
    ],
)
def test_unusable_proxy_is_a_usage_error_without_credentials(value, message):
    """A proxy that cannot be used stops the run, naming its source, never its password."""
    with pytest.raises(UsageError) as raised:
        proxy.settings({"HTTPS_PROXY": value})
    assert str(raised.value) == message
    assert "hunter2" not in str(raised.value)
    assert "ter2" not in str(raised.value)


@pytest.mark.parametrize(
    ("no_proxy", "host", "port", "direct"),
    [
        ("example.org", "example.org", 443, True),
        ("example.org", "www.example.org", 443, True),
        ("example.org", "badexample.org", 443, False),
        (".example.org", "example.org", 443, True),  # curl's reading (httpx: proxied)
        (".example.org", "a.b.example.org", 443, True),
        ("*.example.org", "www.example.org", 443, True),
        ("EXAMPLE.org.", "www.Example.ORG.", 443, True),
        ("example.org:8443", "example.org", 8443, True),
        ("example.org:8443", "example.org", 443, False),
        ("192.0.2.7", "192.0.2.7", 80, True),
        ("192.0.2.7", "192.0.2.8", 80, False),
        ("192.0.2.0/24", "192.0.2.200", 80, True),
        ("192.0.2.0/24", "198.51.100.1", 80, False),
        ("192.0.2.0/24", "example.org", 80, False),  # names are not resolved for NO_PROXY
        ("2001:db8::1", "[2001:db8::1]", 443, True),
        ("[2001:db8::1]:8443", "2001:db8::1", 8443, True),
        ("[2001:db8::1]:8443", "2001:db8::1", 443, False),
        ("2001:db8::/32", "2001:db8:1::5", 443, True),
        ("*", "anything.example", 443, True),
        (" other.example , example.org ", "example.org", 443, True),
        ("other.example example.org", "example.org", 443, True),
        ("", "example.org", 443, False),
        ("example.org:http", "example.org", 443, False),  # not a port: ignored, as curl does
        ("localhost", "127.0.0.1", 80, False),  # no resolving, no implicit loopback rule
    ],
)
def test_no_proxy_matching(no_proxy, host, port, direct):
    """NO_PROXY entries: suffixes with or without a leading dot, ports, addresses, blocks, *."""
    found = proxy.settings({"HTTPS_PROXY": PROXY, "HTTP_PROXY": PROXY, "no_proxy": no_proxy})
    assert (found.proxy_for("https", host, port) is None) is direct
    assert (found.proxy_for("http", host, port) is None) is direct


# ------------------------------------------------------------- through a real proxy
def tls_site(ca, hostname: str) -> Server:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(hostname).configure_cert(context)
    srv = Server(ssl_context=context)
    srv.route("/")(_ok)
    srv.start()
    return srv


async def _ok(request, reader, writer):
    await respond(writer, 200, body=b"<title>Help</title>", head=request.method == "HEAD")


@asynccontextmanager
async def through(proxy_url: str, ca=None, *, hosts=None, no_proxy: str = ""):
    """A prober whose client goes through ``proxy_url``; only 127.0.0.1 counts as public."""
    options = ClientOptions(
        proxies=proxy.settings({"no_proxy": no_proxy}, explicit=proxy_url),
        resolver=mapping_resolver(hosts or {}, fallback=system_resolver),
        is_allowed=lambda address: address == "127.0.0.1",
        ssl_context=client_ssl_context(ca) if ca is not None else None,
    )
    async with build_client(options) as client:
        yield Prober(client, ProbeSettings(backoff_base=0.01))


@pytest.mark.anyio
async def test_http_link_goes_through_the_proxy_in_absolute_form(server, proxy_server):
    """A plain-http link is asked of the proxy (GET http://host:port/path), and answers."""
    server.route("/page")(_ok)
    async with through(proxy_server.url) as prober:
        observation = await prober.probe(server.url("/page"), link().policy)
    assert (observation.failure, observation.status_code) == (None, 200)
    assert observation.body == b"<title>Help</title>"
    log = proxy_server.wait_for(f"GET 127.0.0.1:{server.port}/page")
    assert f"GET 127.0.0.1:{server.port}/page - 200 OK" in log[-1]
    assert server.hits["/page"] == 1


@pytest.mark.anyio
async def test_https_link_goes_through_a_tunnel_verified_against_the_links_host(ca, proxy_server):
    """An https link opens CONNECT localhost:port at the proxy; TLS is the site's own."""
    site = tls_site(ca, "localhost")
    try:
        async with through(proxy_server.url, ca) as prober:
            observation = await prober.probe(site.url("/", host="localhost"), link().policy)
    finally:
        site.stop()
    assert (observation.failure, observation.status_code) == (None, 200)
    assert observation.tls_expires is not None
    log = proxy_server.wait_for(f"CONNECT localhost:{site.port}")
    assert [line for line in log if "CONNECT" in line] == [
        line for line in log if f"CONNECT localhost:{site.port}" in line
    ]


@pytest.mark.anyio
async def test_tunnelled_tls_is_checked_against_the_links_host_not_the_proxy(ca, proxy_server):
    """A certificate for another name, through the tunnel, is rejected as it is direct."""
    site = tls_site(ca, "elsewhere.example")
    try:
        async with through(proxy_server.url, ca) as prober:
            observation = await prober.probe(site.url("/", host="localhost"), link().policy)
    finally:
        site.stop()
    assert observation.failure is Failure.TLS
    assert observation.detail == (
        "certificate rejected: Hostname mismatch, certificate is not valid for 'localhost'."
    )
    proxy_server.wait_for(f"CONNECT localhost:{site.port}")


@pytest.mark.anyio
async def test_untrusted_certificate_through_the_tunnel_is_rejected(proxy_server):
    """Without the site's CA in the trust store, the tunnel does not make the site trusted."""
    import trustme  # noqa: PLC0415 - a CA of its own, trusted by nobody

    stranger = trustme.CA()
    site = tls_site(stranger, "localhost")
    try:
        async with through(proxy_server.url, trustme.CA()) as prober:
            observation = await prober.probe(site.url("/", host="localhost"), link().policy)
    finally:
        site.stop()
    assert observation.failure is Failure.TLS
    assert observation.detail.startswith("certificate rejected: unable to get local issuer")


@pytest.mark.anyio
@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_private_address_is_refused_before_the_proxy_hears_of_it(server, scheme):
    """The guard resolves the link's host itself: 10.x is refused, and no byte goes out."""
    fake_proxy = server  # a plain loopback server standing in for the proxy: it counts
    async with through(
        f"http://127.0.0.1:{fake_proxy.port}", hosts={"intranet.test": "10.1.2.3"}
    ) as prober:
        observation = await prober.probe(f"{scheme}://intranet.test/", link().policy)
    assert observation.failure is Failure.PRIVATE_ADDRESS
    assert observation.detail == "intranet.test resolves to 10.1.2.3, a non-public address"
    assert fake_proxy.connections == 0


@pytest.mark.anyio
async def test_no_proxy_host_goes_direct(server):
    """A host in NO_PROXY is reached directly, even when the proxy is down."""
    server.route("/page")(_ok)
    async with through(f"http://127.0.0.1:{closed_port()}", no_proxy="127.0.0.1") as prober:
        observation = await prober.probe(server.url("/page"), link().policy)
    assert (observation.failure, observation.status_code) == (None, 200)


@pytest.mark.anyio
@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_proxy_down_is_a_proxy_failure_not_a_dead_link(server, scheme):
    """A proxy that refuses connections says so; the link is not called broken."""
    port = closed_port()
    async with through(f"http://127.0.0.1:{port}") as prober:
        observation = await prober.probe(f"{scheme}://127.0.0.1:{server.port}/", link().policy)
    assert observation.failure is Failure.PROXY
    assert observation.detail == (
        f"could not use the proxy http://127.0.0.1:{port}: [Errno 111] Connect call failed"
        f" ('127.0.0.1', {port})"
    )
    outcome = classify(observation, link(), _now())
    assert outcome.status is Status.ERROR
    assert outcome.reason == f"not checked through the proxy: {observation.detail}"


def _now():
    from datetime import UTC, datetime  # noqa: PLC0415

    return datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def auth_proxy():
    srv = ProxyServer(basic_auth="alice:s3cret")
    srv.start()
    yield srv
    srv.stop()


@pytest.mark.anyio
async def test_proxy_credentials_open_the_tunnel(ca, auth_proxy):
    """user:password in the proxy URL are sent to the proxy (Proxy-Authorization)."""
    site = tls_site(ca, "localhost")
    url = f"http://alice:s3cret@127.0.0.1:{auth_proxy.port}"
    try:
        async with through(url, ca) as prober:
            observation = await prober.probe(site.url("/", host="localhost"), link().policy)
    finally:
        site.stop()
    assert (observation.failure, observation.status_code) == (None, 200)


@pytest.mark.anyio
@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_wrong_proxy_credentials_are_a_proxy_failure_without_them(
    ca, server, auth_proxy, scheme
):
    """A 407 from the proxy is the proxy's answer, not the link's; the password never shows."""
    server.route("/")(_ok)
    url = f"http://alice:wrong-pass@127.0.0.1:{auth_proxy.port}"
    target = server.url("/") if scheme == "http" else f"https://localhost:{server.port}/"
    async with through(url, ca) as prober:
        observation = await prober.probe(target, link().policy)
    assert observation.failure is Failure.PROXY
    expected = {
        "http": f"the proxy http://127.0.0.1:{auth_proxy.port} answered 407 Proxy"
        " Authentication Required",
        "https": "the proxy answered 407 Proxy Authentication Required to CONNECT"
        f" localhost:{server.port}",
    }
    assert observation.detail == expected[scheme]
    assert "wrong-pass" not in repr(observation)
    assert server.hits["/"] == 0


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        (
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
            "the proxy answered 403 Forbidden to CONNECT localhost:{port}",
        ),
        (
            b"HTTP/1.1 200 Connection established\r\n\r\nnot TLS",
            "the proxy closed or spoke out of turn after CONNECT localhost:{port}",
        ),
        (
            b"",
            (
                "could not use the proxy http://127.0.0.1:{proxy}: Server disconnected without"
                " sending a response."
            ),
        ),
    ],
)
async def test_a_tunnel_the_proxy_does_not_open_is_a_proxy_failure(ca, server, answer, detail):
    """A refused CONNECT, bytes before the TLS handshake, a proxy that hangs up: each is the
    proxy's failure, named, and no TLS is attempted over what the proxy sent."""
    fake_proxy = server
    port = 4443

    @fake_proxy.route(f"localhost:{port}")
    async def connect(request, reader, writer):
        assert request.method == "CONNECT"
        writer.write(answer)
        await writer.drain()

    async with through(f"http://127.0.0.1:{fake_proxy.port}", ca) as prober:
        observation = await prober.probe(f"https://localhost:{port}/", link().policy)
    assert observation.failure is Failure.PROXY
    assert observation.detail == detail.format(port=port, proxy=fake_proxy.port)
    assert fake_proxy.hits[f"localhost:{port}"] == 1


@pytest.mark.anyio
async def test_a_proxy_that_never_answers_connect_is_named(ca, server):
    """A CONNECT left unanswered ends at the connect timeout, as the proxy's failure."""
    fake_proxy = server

    @fake_proxy.route("localhost:4443")
    async def silent(request, reader, writer):
        await reader.read()  # until linkwatch gives up and closes

    options = ClientOptions(
        proxies=proxy.settings({}, explicit=f"http://127.0.0.1:{fake_proxy.port}"),
        ssl_context=client_ssl_context(ca),
        allow_private=True,
    )
    async with build_client(options) as client:
        prober = Prober(client, ProbeSettings(connect_timeout=0.3, max_attempts=1))
        observation = await prober.probe("https://localhost:4443/", link().policy)
    assert observation.failure is Failure.PROXY
    assert (
        observation.detail == f"the proxy http://127.0.0.1:{fake_proxy.port} did not answer in time"
    )
