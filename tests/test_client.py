"""The client's address guard and resolvers, without any network."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkwatch.client import (
    Guard,
    NameNotFoundError,
    PrivateAddressError,
    build_client,
    is_public,
    mapping_resolver,
    system_resolver,
)
from linkwatch.wire import Wire

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
