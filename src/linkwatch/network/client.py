"""Builds the one HTTP client of a run, with the private-address guard where sockets are opened.

The guard opens every connection of the run's transport (``wire.Transport``): for the first
URL and for every redirect hop, it resolves the host here, refuses non-public addresses (by
the IANA special-purpose registries), and then connects to one of the very addresses it
checked, racing them as RFC 8305 (Happy Eyeballs) says. A redirect or a DNS answer that
changes between a check and the connect cannot slip past, because there is no separate check.

Through a proxy, the guard still resolves the link's host here and refuses a non-public
address before anything is sent to the proxy; only then does it connect to the proxy (whose
address is the user's own configuration, and usually private: it is not judged) and ask it
for the host by name. What it cannot promise there: the proxy resolves the name again, and
a name whose answer changes between the two lookups (DNS rebinding) reaches whatever the
proxy's answer says. ``--allow-private`` skips the local lookup: names are then resolved by
the proxy alone (the way on networks whose own DNS does not answer for the internet).
"""

from __future__ import annotations

import asyncio
import collections
import functools
import ipaddress
import itertools
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import TYPE_CHECKING

import httpcore
import httpx

from linkwatch.models import DEFAULT_USER_AGENT
from linkwatch.network import trust
from linkwatch.network.proxy import ProxySettings
from linkwatch.network.wire import Transport, open_tunnel

if TYPE_CHECKING:
    import ssl
    from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence

    from linkwatch.network.proxy import Proxy
    from linkwatch.network.wire import Wire

    Resolver = Callable[[str, int], Awaitable[Sequence[str]]]


class ConnectGuardError(Exception):
    """Base of the failures raised where a connection is made, before any byte is sent."""


class NameNotFoundError(ConnectGuardError):
    """The host name does not exist (NXDOMAIN)."""


class NameLookupError(ConnectGuardError):
    """The name could not be looked up at all (no resolver, temporary failure)."""


class PrivateAddressError(ConnectGuardError):
    """The host resolves to an address linkwatch refuses to contact."""

    def __init__(self, host: str, address: str) -> None:
        self.host = host
        self.address = address
        where = f"{address} is" if host == address else f"{host} resolves to {address},"
        super().__init__(f"{where} a non-public address")


_NOT_FOUND_CODES = frozenset(
    code
    for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None))
    if code is not None
)


# RFC 8305's "Connection Attempt Delay": the next address is tried after this long without
# an answer from the one before (browsers and curl use 250 ms or 200 ms).
ATTEMPT_DELAY = 0.25

# getaddrinfo blocks, so lookups run in threads. asyncio's default pool has cpu + 4 threads
# (6 on two cores): a list of thousands of sites would wait in line for DNS while the
# checker's 64 or 128 slots idle. Created on first use; threads end with the process.
LOOKUP_THREADS = 32
_lookup_pool: ThreadPoolExecutor | None = None


def _lookups() -> ThreadPoolExecutor:
    global _lookup_pool  # noqa: PLW0603 - one pool for the process, made on first use
    if _lookup_pool is None:
        _lookup_pool = ThreadPoolExecutor(LOOKUP_THREADS, thread_name_prefix="linkwatch-dns")
    return _lookup_pool


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """Resolve with the operating system, addresses in its preferred order, duplicates removed."""
    name = host.rstrip(".").lower()
    # RFC 6761: names under .invalid never resolve; answering here keeps it offline and exact.
    if name == "invalid" or name.endswith(".invalid"):
        raise NameNotFoundError(f"{host}: no such host (.invalid never resolves)")
    try:
        return [str(ipaddress.ip_address(name))]  # a literal address needs no lookup
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.run_in_executor(
            _lookups(), functools.partial(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        )
    except UnicodeError as e:  # a label over 63 characters, say: no such name can exist
        raise NameNotFoundError(f"{host}: not a valid host name") from e
    except socket.gaierror as e:
        if e.errno in _NOT_FOUND_CODES:
            raise NameNotFoundError(f"{host}: no such host") from e
        raise NameLookupError(f"{host}: name lookup failed ({e.strerror})") from e
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def mapping_resolver(
    hosts: Mapping[str, str | Sequence[str]], fallback: Resolver | None = None
) -> Resolver:
    """A resolver answering from a fixed table (tests, benchmarks); other names go to fallback."""
    table = {
        name.lower(): ((value,) if isinstance(value, str) else tuple(value))
        for name, value in hosts.items()
    }

    async def resolve(host: str, port: int) -> Sequence[str]:
        found = table.get(host.rstrip(".").lower())
        if found is not None:
            return found
        if fallback is None:
            raise NameNotFoundError(f"{host}: no such host")
        return await fallback(host, port)

    return resolve


def _networks(*blocks: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(block) for block in blocks)


# The IANA special-purpose address registries (IPv4 and IPv6), every block whose "Globally
# Reachable" is False or N/A, and the blocks marked True that lie inside one of them. Written
# out rather than taken from ``ipaddress``'s is_global, whose tables lag the registries
# (tests/network/data/ holds the registries, row by row with their RFCs, and a test walks
# them). Multicast is refused too: it is never a web server.
_V4_REFUSED = _networks(
    "0.0.0.0/8",  # "this network" (RFC 791)
    "10.0.0.0/8",  # private use (RFC 1918)
    "100.64.0.0/10",  # shared address space, carrier-grade NAT (RFC 6598)
    "127.0.0.0/8",  # loopback (RFC 1122)
    "169.254.0.0/16",  # link local, cloud metadata (RFC 3927)
    "172.16.0.0/12",  # private use (RFC 1918)
    "192.0.0.0/24",  # IETF protocol assignments (RFC 6890), but the two anycast ones below
    "192.0.2.0/24",  # documentation (RFC 5737)
    "192.88.99.0/24",  # the deprecated 6to4 relay anycast, and 6a44 (RFC 7526, RFC 6751)
    "192.168.0.0/16",  # private use (RFC 1918)
    "198.18.0.0/15",  # benchmarking (RFC 2544)
    "198.51.100.0/24",  # documentation (RFC 5737)
    "203.0.113.0/24",  # documentation (RFC 5737)
    "224.0.0.0/4",  # multicast (RFC 5771)
    "240.0.0.0/4",  # reserved, and the limited broadcast 255.255.255.255 (RFC 1112, RFC 919)
)
_V4_REACHABLE = _networks(
    "192.0.0.9/32",  # Port Control Protocol anycast (RFC 7723)
    "192.0.0.10/32",  # TURN anycast (RFC 8155)
)
# IPv6 is refused outside global unicast, 2000::/3 (RFC 4291 2.4): that closes the
# loopback and unspecified addresses, IPv4-compatible (::a.b.c.d) and IPv4-translated
# (::ffff:0:a.b.c.d) forms, the discard and dummy prefixes, local-use NAT64 64:ff9b:1::/48
# (RFC 8215), SRv6 SIDs, unique-local, site-local fec0::/10, link-local and multicast at
# once. Inside 2000::/3:
_V6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_V6_REFUSED = _networks(
    "2001::/23",  # IETF protocol assignments (RFC 2928): Teredo, benchmarking, old ORCHID...
    "2001:db8::/32",  # documentation (RFC 3849)
    "3fff::/20",  # documentation (RFC 9637)
)
_V6_REACHABLE = _networks(  # inside 2001::/23, marked globally reachable
    "2001:1::1/128",  # Port Control Protocol anycast (RFC 7723)
    "2001:1::2/128",  # TURN anycast (RFC 8155)
    "2001:1::3/128",  # DNS-SD service registration anycast (RFC 9665)
    "2001:3::/32",  # AMT (RFC 7450)
    "2001:4:112::/48",  # AS112-v6 (RFC 7535)
    "2001:20::/28",  # ORCHIDv2 (RFC 7343)
    "2001:30::/28",  # drone remote ID entity tags (RFC 9374)
)
# IPv6 forms that carry an IPv4 address and reach it: the IPv4 address is judged.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known NAT64 prefix (RFC 6052)
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")  # 6to4 (RFC 3056)


def is_public(address: str) -> bool:
    """Whether an IP address is globally reachable unicast, by the IANA special-purpose
    registries; an IPv6 address that carries an IPv4 one (mapped, NAT64, 6to4) is judged
    by the IPv4 address it reaches."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv4Address):
        return any(ip in net for net in _V4_REACHABLE) or not any(ip in net for net in _V4_REFUSED)
    if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d, what a dual-stack socket connects to
        return is_public(str(ip.ipv4_mapped))
    if ip in _NAT64:
        return is_public(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
    if ip not in _V6_GLOBAL_UNICAST:
        return False
    if ip in _SIX_TO_FOUR:
        return is_public(str(ipaddress.IPv4Address((int(ip) >> 80) & 0xFFFFFFFF)))
    return any(ip in net for net in _V6_REACHABLE) or not any(ip in net for net in _V6_REFUSED)


class Guard:
    """Opens connections: resolves, refuses non-public addresses (unless allowed), then
    connects to the very address it checked. ``wire.Transport`` calls it for every new
    connection, for the first URL and for every redirect hop."""

    def __init__(
        self,
        resolver: Resolver = system_resolver,
        *,
        allow_private: bool = False,
        is_allowed: Callable[[str], bool] = is_public,
        attempt_delay: float = ATTEMPT_DELAY,
    ) -> None:
        self._resolver = resolver
        self._attempt_delay = attempt_delay
        self._allow_private = allow_private
        self._is_allowed = is_allowed
        # One lookup per name for the run (the guard's client lives for one run): links of
        # one site share it, and a name cannot answer differently from one link to the next.
        self._answers: dict[str, asyncio.Future[Sequence[str]]] = {}

    async def _resolve(self, host: str, port: int) -> Sequence[str]:
        key = host.rstrip(".").lower()
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = asyncio.ensure_future(self._resolver(host, port))
            # An answer, or "no such host", stands for the run; a lookup that failed for now
            # (no resolver, a timeout) is asked again next time.
            answer.add_done_callback(lambda done: self._forget_failed(key, done))
        # shield: a link whose deadline passes stops waiting; the lookup goes on for the others.
        return await asyncio.shield(answer)

    def _forget_failed(self, key: str, done: asyncio.Future[Sequence[str]]) -> None:
        failed = done.cancelled() or done.exception() is not None
        if (
            failed
            and (done.cancelled() or not isinstance(done.exception(), NameNotFoundError))
            and self._answers.get(key) is done
        ):
            del self._answers[key]

    async def addresses(self, host: str, port: int) -> Sequence[str]:
        """The addresses ``host`` may be reached at; raises if any of them is refused."""
        addresses = await self._resolve(host, port)
        if not self._allow_private:
            # One bad answer is enough: a name that mixes public and private addresses
            # is exactly how DNS rebinding reaches an internal service.
            for address in addresses:
                if not self._is_allowed(address):
                    raise PrivateAddressError(host, address)
        if not addresses:
            raise NameNotFoundError(f"{host}: no address")
        return addresses

    async def connect(  # noqa: PLR0917 - the transport's Connect interface
        self,
        protocol: Callable[[], Wire],
        host: str,
        port: int,
        tls: ssl.SSLContext | None,
        timeout: float | None,  # noqa: ASYNC109 - httpx's connect timeout (TCP and TLS)
        proxy: Proxy | None = None,
    ) -> Wire:
        """A connection to ``host`` (TLS verified against its name when ``tls`` is given),
        through ``proxy`` when one is given.

        ``timeout`` bounds it all: the lookup, the connection attempts, the TLS handshake.
        """
        if proxy is not None:
            return await self._through(proxy, protocol, host, port, tls, timeout)
        loop = asyncio.get_running_loop()
        connecting = False
        try:
            async with asyncio.timeout(timeout):
                # The lookup is part of connecting: a resolver that never answers must not
                # hold a link past its connect timeout (it goes on for the other links).
                addresses = await self.addresses(host, port)
                # Every address has been judged before any attempt starts.
                connecting = True
                wire = await happy_eyeballs(loop, protocol, addresses, port, self._attempt_delay)
                if tls is not None:
                    await _secure(loop, wire, tls, host)
                return wire
        except TimeoutError as e:
            if not connecting:
                raise NameLookupError(f"{host}: no address within {timeout:g} s") from e
            raise httpx.ConnectTimeout(f"{host}:{port} did not accept in time") from e
        except OSError as e:  # ssl.SSLError included: the probe reads the cause
            raise httpx.ConnectError(str(e) or f"could not connect to {host}:{port}") from e

    async def _through(  # noqa: PLR0917 - connect's arguments, passed on
        self,
        proxy: Proxy,
        protocol: Callable[[], Wire],
        host: str,
        port: int,
        tls: ssl.SSLContext | None,
        timeout: float | None,  # noqa: ASYNC109 - httpx's connect timeout
    ) -> Wire:
        """A connection to ``host`` through ``proxy``: a tunnel for TLS, else the proxy itself
        (the transport then asks it for whole URLs)."""
        loop = asyncio.get_running_loop()
        stage = "lookup"
        try:
            async with asyncio.timeout(timeout):
                if not self._allow_private:
                    # Judged here, before the proxy hears of the host: a refused address is
                    # never asked for, not even by name.
                    await self.addresses(host, port)
                stage = "proxy"
                # The proxy is the user's configuration: its address is not judged.
                found = await self._resolve(proxy.host, proxy.port)
                wire = await happy_eyeballs(loop, protocol, found, proxy.port, self._attempt_delay)
                if tls is None:
                    return wire
                try:
                    stage = "tunnel"
                    await open_tunnel(wire, host, port, proxy)
                    stage = "tls"
                    await _secure(loop, wire, tls, host)
                except BaseException:
                    wire.close()
                    raise
                return wire
        except TimeoutError as e:
            if stage == "lookup":
                raise NameLookupError(f"{host}: no address within {timeout:g} s") from e
            if stage == "tls":
                raise httpx.ConnectTimeout(f"{host}:{port} did not finish TLS in time") from e
            raise httpx.ProxyError(f"the proxy {proxy.shown} did not answer in time") from e
        except httpx.ProxyError:
            raise
        except (httpx.TransportError, ConnectGuardError, OSError) as e:
            if stage == "lookup":
                raise
            if stage == "tls":  # the origin's TLS, through the tunnel: the probe reads it
                raise httpx.ConnectError(str(e) or f"TLS with {host}:{port} failed") from e
            reason = str(e) or type(e).__name__
            raise httpx.ProxyError(f"could not use the proxy {proxy.shown}: {reason}") from e


def interleave(addresses: Sequence[str]) -> list[str]:
    """Addresses in the order to try them (RFC 8305 4): the resolver's first address, then
    the families alternating, each family in the resolver's order."""
    if not addresses:
        return []
    first_is_v6 = ":" in addresses[0]
    first = [address for address in addresses if (":" in address) == first_is_v6]
    other = [address for address in addresses if (":" in address) != first_is_v6]
    return [
        address
        for pair in itertools.zip_longest(first, other)
        for address in pair
        if address is not None
    ]


async def happy_eyeballs(
    loop: asyncio.AbstractEventLoop,
    protocol: Callable[[], Wire],
    addresses: Sequence[str],
    port: int,
    delay: float,
) -> Wire:
    """A TCP connection to the first of ``addresses`` to accept (RFC 8305, Happy Eyeballs).

    Attempts start in ``interleave`` order, the next one when the one before fails or after
    ``delay`` seconds without an answer, whichever comes first; the first connection made
    wins, and every other attempt is cancelled, or closed if it connected too. On a network
    whose IPv6 is broken, a site with AAAA and A records is reached over IPv4 after
    ``delay``, not after a whole connect timeout. Raises the last attempt's error when all
    fail.
    """
    waiting = collections.deque(interleave(addresses))
    running: set[asyncio.Task[Wire]] = set()
    failure: OSError | None = None
    try:
        while waiting or running:
            if waiting:
                running.add(loop.create_task(_connect_tcp(loop, protocol, waiting.popleft(), port)))
            done, _ = await asyncio.wait(
                running,
                timeout=delay if waiting else None,
                return_when=asyncio.FIRST_COMPLETED,
            )
            # Nothing done: the delay passed, the next attempt starts beside this one. One
            # failed: the next starts at once. One connected: it wins.
            for task in done:
                running.discard(task)
                error = task.exception()
                if error is None:
                    winner = task.result()
                    for other in done - {task}:
                        _close_if_connected(other)
                    return winner
                if not isinstance(error, OSError):
                    raise error
                failure = error
    finally:
        for task in running:
            task.cancel()
            # A loser that connected at the last moment is closed, never left open.
            task.add_done_callback(_close_if_connected)
    assert failure is not None  # noqa: S101 - at least one address, and each failed
    raise failure


async def _connect_tcp(
    loop: asyncio.AbstractEventLoop, protocol: Callable[[], Wire], address: str, port: int
) -> Wire:
    _, wire = await loop.create_connection(protocol, address, port)
    return wire


def _close_if_connected(task: asyncio.Task[Wire]) -> None:
    if not task.cancelled() and task.exception() is None:
        task.result().close()


async def _secure(
    loop: asyncio.AbstractEventLoop, wire: Wire, tls: ssl.SSLContext, host: str
) -> None:
    """TLS over the connection: a failed handshake closes the socket here, not in a warning."""
    transport = wire.transport
    assert transport is not None  # noqa: S101 - set when the connection was made
    try:
        secured = await loop.start_tls(transport, wire, tls, server_hostname=host)
    except BaseException:
        transport.close()
        raise
    if secured is None:  # the connection was closed during the handshake
        transport.abort()
        raise ConnectionResetError("the connection closed during the TLS handshake")
    wire.transport = secured


class _GuardedNetwork(httpcore.AsyncNetworkBackend):
    """httpcore's network, behind the guard: only used while respx mocks httpx.

    A route the mock lets through (``pass_through``) goes out through httpx's own transport;
    this keeps the guard's rule there too: connect only to the addresses it allowed.
    """

    def __init__(self, guard: Guard) -> None:
        self._guard = guard
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        last: Exception | None = None
        for address in await self._guard.addresses(host, port):
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                last = e
        assert last is not None  # noqa: S101 - addresses() never returns an empty list
        raise last

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _mockable_transport(guard: Guard, ssl_context: ssl.SSLContext) -> httpx.AsyncHTTPTransport:
    """httpx's own transport (what respx mocks), its connections opened behind the guard."""
    transport = httpx.AsyncHTTPTransport(verify=ssl_context)
    # httpx's transport takes no network backend: its pool is replaced by one with the
    # guarded network; the methods it keeps only ever use ``self._pool``.
    transport._pool = httpcore.AsyncConnectionPool(  # noqa: SLF001
        ssl_context=ssl_context, network_backend=_GuardedNetwork(guard)
    )
    return transport


class _NoCookies(httpx.Cookies):
    """The client's jar: never stores anything, and does not even look.

    httpx hands every response to the client's jar; building urllib's request and response
    shims for a jar that refuses everything was about 5 % of a run's CPU. Cookies live in
    each probe's own jar instead (see probe.py).
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        pass


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """What the run's client is built from."""

    user_agent: str = DEFAULT_USER_AGENT
    allow_private: bool = False
    resolver: Resolver | None = None  # None: the operating system's resolver
    # Which addresses count as public; tests let 127.0.0.1 stand in for the internet.
    is_allowed: Callable[[str], bool] | None = None
    ssl_context: ssl.SSLContext | None = None  # None: trust.ssl_context(), the system store
    proxies: ProxySettings = field(default_factory=ProxySettings)  # none; see proxy.settings
    # Idle kept-alive connections, all origins together; the oldest are closed first.
    max_idle: int = 256
    keepalive_expiry: float = 5.0


def build_client(options: ClientOptions | None = None) -> httpx.AsyncClient:
    """The one client of a run: one SSL context, the guard, no redirects, no cookies."""
    options = options or ClientOptions()
    guard = Guard(
        options.resolver or system_resolver,
        allow_private=options.allow_private,
        is_allowed=options.is_allowed or is_public,
    )
    # One context for the run (loading CAs is costly): the system store by default.
    ssl_context = options.ssl_context or trust.ssl_context()
    transport = Transport(
        guard.connect,
        ssl_context,
        keepalive_expiry=options.keepalive_expiry,
        max_idle=options.max_idle,
        when_mocked=lambda: _mockable_transport(guard, ssl_context),
        route=options.proxies.proxy_for if options.proxies.in_use else None,
    )
    # Cookies are kept per probe, not per run: one site's cookies must never reach another
    # link's request, and a run over thousands of links must not grow a jar.
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    client = httpx.AsyncClient(
        transport=transport,
        headers={"User-Agent": options.user_agent},
        follow_redirects=False,
        # Proxies come from ClientOptions, through the guard (see _through): httpx's own
        # reading of the environment would bypass it.
        trust_env=False,
    )
    # httpx copies a Cookies given to its constructor into a plain one, so the jar that
    # never looks is set after; the refusing policy stays as a second guard.
    client._cookies = _NoCookies(no_cookies)  # noqa: SLF001 - see _NoCookies
    return client
