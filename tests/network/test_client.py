"""The client's address guard and resolvers, without any network."""

from __future__ import annotations

import asyncio
import socket
import threading

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkwatch.network.client import (
    Guard,
    NameLookupError,
    NameNotFoundError,
    PrivateAddressError,
    build_client,
    is_public,
    mapping_resolver,
    system_resolver,
)
from linkwatch.network.wire import Wire

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:10.0.0.1",
        "fe80::1%eth0",
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
    ],
)
def test_non_public_addresses_are_refused(address):
    """Loopback, private, link-local, unspecified and multicast addresses are not public."""
    assert not is_public(address)


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "151.101.1.69", "2606:4700::6810:84e5", "64:ff9b::808:808"]
)
def test_public_addresses_pass(address):
    """Ordinary internet addresses pass the guard."""
    assert is_public(address)


@given(st.ip_addresses(v=4))
def test_ipv4_mapped_is_judged_as_ipv4(ip):
    """An IPv4-mapped IPv6 address is exactly as public as the IPv4 address it carries."""
    assert is_public(f"::ffff:{ip}") == is_public(str(ip))


async def test_guard_refuses_a_name_with_any_private_answer():
    """One private address among public ones is enough to refuse the name."""
    guard = Guard(mapping_resolver({"mixed.example": ["8.8.8.8", "10.0.0.1"]}))
    with pytest.raises(PrivateAddressError, match=r"mixed\.example resolves to 10\.0\.0\.1"):
        await guard.connect(Wire, "mixed.example", 80, None, 5)


async def test_guard_names_a_literal_address_plainly():
    """A literal private address is named once in the message."""
    guard = Guard(mapping_resolver({"127.0.0.1": "127.0.0.1"}))
    with pytest.raises(PrivateAddressError, match=r"^127\.0\.0\.1 is a non-public address$"):
        await guard.connect(Wire, "127.0.0.1", 80, None, 5)


async def test_system_resolver_answers_invalid_without_asking():
    """Names under .invalid never resolve (RFC 6761), so no resolver is asked."""
    with pytest.raises(NameNotFoundError):
        await system_resolver("www.charity.invalid", 443)


async def test_system_resolver_reports_unknown_names_as_not_found():
    """A name the resolver does not know is 'not found', not a lookup failure."""
    with pytest.raises(NameNotFoundError):
        await system_resolver("www.nspcc.org.uk", 443)  # the tests are offline


async def test_mapping_resolver_falls_back_or_refuses():
    """Unknown names go to the fallback, or are not found without one."""
    resolve = mapping_resolver(
        {"a.test": "127.0.0.1"}, fallback=mapping_resolver({"b.test": "::1"})
    )
    assert await resolve("A.TEST.", 80) == ("127.0.0.1",)
    assert await resolve("b.test", 80) == ("::1",)
    with pytest.raises(NameNotFoundError):
        await mapping_resolver({})("c.test", 80)


async def test_system_resolver_returns_literal_addresses_without_a_lookup(monkeypatch):
    """An IP address in a URL is used as is; no resolver thread is involved."""

    def no_lookup(*args, **kwargs):
        raise AssertionError("looked up a literal address")

    monkeypatch.setattr("socket.getaddrinfo", no_lookup)
    assert await system_resolver("127.0.0.1", 80) == ["127.0.0.1"]
    assert await system_resolver("::1", 80) == ["::1"]


async def test_the_client_jar_never_stores_a_cookie():
    """Set-Cookie answers leave the run's client jar empty (cookies are per probe)."""
    async with build_client() as client:
        request = client.build_request("GET", "https://a.example/")
        response = httpx.Response(200, headers={"Set-Cookie": "id=1; Path=/"}, request=request)
        client.cookies.extract_cookies(response)
        assert not client.cookies
        assert isinstance(client.cookies, httpx.Cookies)


async def test_system_resolver_reports_an_impossible_name_as_not_found(monkeypatch):
    """A name the resolver cannot even encode (a 64-character label) is not found, not a crash."""

    def too_long(host, *args, **kwargs):
        raise UnicodeError("label too long")

    monkeypatch.setattr("socket.getaddrinfo", too_long)
    with pytest.raises(NameNotFoundError):
        await system_resolver("a" * 64 + ".example", 80)


# ------------------------------------------------------------------ lookups for a run
def _counting(answers):
    """A resolver that answers from ``answers`` (a value, or an exception to raise) and
    counts the questions."""
    asked: list[str] = []

    async def resolve(host: str, port: int):
        asked.append(host)
        await asyncio.sleep(0)  # an answer comes later, as a real lookup's does
        answer = answers[host]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return resolve, asked


async def test_a_name_is_looked_up_once_per_run():
    """Links of one site share one lookup, even when they ask at the same moment."""
    resolve, asked = _counting({"site.example": ["8.8.8.8"]})
    guard = Guard(resolve)
    results = await asyncio.gather(*(guard.addresses("site.example", 443) for _ in range(5)))
    assert await guard.addresses("SITE.example.", 80) == ["8.8.8.8"]
    assert results == [["8.8.8.8"]] * 5
    assert asked == ["site.example"]


async def test_no_such_host_stands_but_a_failed_lookup_is_asked_again():
    """NXDOMAIN is an answer for the run; a lookup that failed for now is retried."""
    resolve, asked = _counting(
        {"gone.example": NameNotFoundError("gone"), "flaky.example": NameLookupError("busy")}
    )
    guard = Guard(resolve)
    for _ in range(2):
        with pytest.raises(NameNotFoundError):
            await guard.addresses("gone.example", 80)
        with pytest.raises(NameLookupError):
            await guard.addresses("flaky.example", 80)
    assert asked == ["gone.example", "flaky.example", "flaky.example"]


async def test_a_cached_answer_is_still_judged_by_the_guard():
    """The guard checks the addresses every time, cached or not."""
    resolve, _ = _counting({"inside.example": ["10.0.0.7"]})
    guard = Guard(resolve)
    for _ in range(2):
        with pytest.raises(PrivateAddressError):
            await guard.addresses("inside.example", 80)


async def test_a_link_that_stops_waiting_does_not_cancel_the_lookup():
    """A deadline that cuts one link's wait leaves the lookup running for the others."""
    release = asyncio.Event()

    async def slow(host: str, port: int):
        await release.wait()
        return ["8.8.8.8"]

    guard = Guard(slow)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await guard.addresses("slow.example", 80)
    waiting = asyncio.ensure_future(guard.addresses("slow.example", 80))
    release.set()
    assert await waiting == ["8.8.8.8"]


async def test_system_lookups_run_many_at_once(monkeypatch):
    """Lookups are not queued behind asyncio's small default pool (cpu + 4 threads): 20
    lookups that each wait for all the others complete."""
    together = threading.Barrier(20, timeout=5)

    def lookup(host, port, *args, **kwargs):
        together.wait()  # raises BrokenBarrierError unless 20 lookups run at once
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.4.4", port))]

    monkeypatch.setattr("socket.getaddrinfo", lookup)
    answers = await asyncio.gather(*(system_resolver(f"h{i}.example", 80) for i in range(20)))
    assert answers == [["8.8.4.4"]] * 20
