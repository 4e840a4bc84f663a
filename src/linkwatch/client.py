"""Builds the one HTTP client of a run, with the private-address guard where sockets are opened.

The guard lives in a custom httpcore network backend: every TCP connection, for the first URL
and for every redirect hop, resolves its host here, refuses non-public addresses, and then
connects to the very address it checked. A redirect or a DNS answer that changes between a
check and the connect cannot slip past, because there is no separate check.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import TYPE_CHECKING

import httpcore
import httpx

from linkwatch.models import DEFAULT_USER_AGENT
from linkwatch.netstream import AsyncioBackend

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence

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
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
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


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_public(address: str) -> bool:
    """Whether an IP address is globally routable unicast (IPv4-mapped IPv6 judged as IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address reach that address: judge the IPv4 one.
        # IPv4-mapped (::ffff:a.b.c.d), 6to4 (2002:AABB:CCDD::) and NAT64 (64:ff9b::a.b.c.d).
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public(str(embedded)):
            return False
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
    # is_global already excludes loopback, private, link-local, unspecified, shared (CGNAT),
    # documentation and reserved ranges; multicast can be "global", so it is refused apart.
    return ip.is_global and not ip.is_multicast


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, refuses non-public addresses (unless allowed), then connects to what it checked."""

    def __init__(
        self,
        resolver: Resolver = system_resolver,
        *,
        allow_private: bool = False,
        is_allowed: Callable[[str], bool] = is_public,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._resolver = resolver
        self._allow_private = allow_private
        self._is_allowed = is_allowed
        self._inner = inner or AsyncioBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolver(host, port)
        if not self._allow_private:
            # One bad answer is enough: a name that mixes public and private addresses
            # is exactly how DNS rebinding reaches an internal service.
            for address in addresses:
                if not self._is_allowed(address):
                    raise PrivateAddressError(host, address)
        if not addresses:
            raise NameNotFoundError(f"{host}: no address")
        last: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                last = e
        assert last is not None  # noqa: S101 - the loop ran at least once
        raise last

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _PoolTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (its request conversion and error mapping) over our pool."""

    def __init__(self, pool: httpcore.AsyncConnectionPool) -> None:
        # httpx's transport takes no network backend, so its pool is replaced; the methods
        # it keeps (handle_async_request, aclose) only ever use ``self._pool``.
        self._pool = pool


class _PerOriginTransport(httpx.AsyncBaseTransport):
    """One small connection pool per origin (scheme, host, port), created on first use.

    httpcore scans every connection of a pool for every request, so one big pool of
    hundreds of kept-alive connections costs more CPU than the requests themselves; the
    checker already limits requests per host, so small pools lose nothing.
    """

    def __init__(self, make_pool: Callable[[], httpcore.AsyncConnectionPool]) -> None:
        self._make_pool = make_pool
        self._transports: dict[tuple[str, str, int | None], _PoolTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = (request.url.scheme, request.url.host, request.url.port)
        transport = self._transports.get(key)
        if transport is None:
            transport = self._transports[key] = _PoolTransport(self._make_pool())
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        for transport in self._transports.values():
            await transport.aclose()
        self._transports.clear()


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
    ssl_context: ssl.SSLContext | None = None  # None: the system trust store
    # Per origin; above the checker's per-host limit so the pool never makes a request wait.
    connections_per_origin: int = 8
    keepalive_expiry: float = 5.0


def build_client(options: ClientOptions | None = None) -> httpx.AsyncClient:
    """The one client of a run: one SSL context, the guard, no redirects, no cookies."""
    options = options or ClientOptions()
    ssl_context = options.ssl_context or ssl.create_default_context()
    backend = GuardedBackend(
        options.resolver or system_resolver,
        allow_private=options.allow_private,
        is_allowed=options.is_allowed or is_public,
    )

    def make_pool() -> httpcore.AsyncConnectionPool:
        return httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,  # one context for the run: loading CAs is costly
            max_connections=options.connections_per_origin,
            max_keepalive_connections=options.connections_per_origin,
            keepalive_expiry=options.keepalive_expiry,
            http1=True,
            http2=False,
            retries=0,  # retries are the probe's decision, with its own policy
            network_backend=backend,
        )

    # Cookies are kept per probe, not per run: one site's cookies must never reach another
    # link's request, and a run over thousands of links must not grow a jar.
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    client = httpx.AsyncClient(
        transport=_PerOriginTransport(make_pool),
        headers={"User-Agent": options.user_agent},
        follow_redirects=False,
        trust_env=False,  # a proxy from the environment would bypass the address guard
    )
    # httpx copies a Cookies given to its constructor into a plain one, so the jar that
    # never looks is set after; the refusing policy stays as a second guard.
    client._cookies = _NoCookies(no_cookies)  # noqa: SLF001 - see _NoCookies
    return client
