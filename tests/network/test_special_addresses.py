"""The address guard against the IANA special-purpose address registries, row by row.

The registries (tests/network/data/, written out by hand: the tests are offline) say for
each block whether it is globally reachable. Every block that is not is refused, at its
first, middle and last address; blocks marked reachable pass; IPv6 forms that carry an
IPv4 address are judged by that address. ``ipaddress.is_global`` is not consulted.
"""

from __future__ import annotations

import csv
import ipaddress
from dataclasses import dataclass
from pathlib import Path

import pytest

from linkwatch.network.client import Guard, PrivateAddressError, is_public, mapping_resolver
from linkwatch.network.wire import Wire

DATA = Path(__file__).parent / "data"
FILES = (
    "iana-ipv4-special-registry.csv",
    "iana-ipv6-special-registry.csv",
    "address-space-extra.csv",
)
GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")


@dataclass(frozen=True)
class Row:
    block: ipaddress.IPv4Network | ipaddress.IPv6Network
    name: str
    rfc: str
    reachable: str
    verdict: str  # refused, allowed, ipv4

    def __str__(self) -> str:
        return f"{self.block} {self.name} ({self.rfc})"


def read_rows() -> list[Row]:
    rows = []
    for name in FILES:
        lines = [
            line for line in (DATA / name).read_text().splitlines() if not line.startswith("#")
        ]
        rows.extend(
            Row(
                ipaddress.ip_network(record["block"]),
                record["name"],
                record["rfc"],
                record["globally_reachable"],
                record["linkwatch"],
            )
            for record in csv.DictReader(lines)
        )
    return rows


ROWS = read_rows()


def embedded(ip: ipaddress.IPv6Address, row: Row) -> ipaddress.IPv4Address:
    """The IPv4 address an IPv4-carrying IPv6 address reaches."""
    if row.block == ipaddress.IPv6Network("2002::/16"):
        return ipaddress.IPv4Address((int(ip) >> 80) & 0xFFFFFFFF)
    return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)


def expected(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether the tables say ``ip`` may be contacted: the most specific row decides."""
    rows = [row for row in ROWS if row.block.version == ip.version and ip in row.block]
    if not rows:
        return ip.version == 4 or ip in GLOBAL_UNICAST
    row = max(rows, key=lambda row: row.block.prefixlen)
    if row.verdict == "ipv4":
        assert isinstance(ip, ipaddress.IPv6Address)
        return expected(embedded(ip, row))
    return row.verdict == "allowed"


def samples(row: Row) -> list[str]:
    block = row.block
    middle = block.network_address + block.num_addresses // 2
    return [str(block.network_address), str(middle), str(block.broadcast_address)]


def test_the_tables_are_consistent():
    """Every row has a verdict that follows its Globally Reachable column."""
    assert len(ROWS) >= 60
    for row in ROWS:
        assert row.verdict in {"refused", "allowed", "ipv4"}, row
        if row.verdict == "allowed":
            assert row.reachable == "True", row
        if row.reachable == "False":
            assert row.verdict in {"refused", "ipv4"}, row


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_every_registry_row(row):
    """The first, middle and last address of the block get the verdict the tables give."""
    for address in samples(row):
        want = expected(ipaddress.ip_address(address))
        assert is_public(address) is want, f"{address} in {row}"
        if row.verdict == "refused":
            assert not want, f"{address} in {row}: a more specific row allows it"


@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",  # IPv4-compatible loopback
        "::ffff:0:a9fe:a9fe",  # IPv4-translated cloud metadata
        "::ffff:0:808:808",  # IPv4-translated, even of a public address
        "64:ff9b:1::a9fe:a9fe",  # local-use NAT64 (RFC 8215)
        "64:ff9b:1::808:808",
        "fec0::1",  # site-local
        "feff::1",
        "2001::1",  # Teredo
        "2001:db8::1",
        "3fff::1",
        "5f00::1",
        "100::1",
    ],
)
def test_the_ipv6_gaps_of_the_issue_are_closed(address):
    """The IPv6 forms a hostile AAAA record used to get through are refused."""
    assert not is_public(address)


@pytest.mark.parametrize(
    ("carrier", "address"),
    [
        ("::ffff:{}", "{}"),
        ("64:ff9b::{}", "{}"),
    ],
    ids=["mapped", "nat64"],
)
@pytest.mark.parametrize(
    "ipv4", ["151.101.1.69", "8.8.8.8", "127.0.0.1", "10.1.2.3", "169.254.169.254", "192.0.0.9"]
)
def test_ipv4_carried_in_ipv6_is_judged_as_ipv4(carrier, address, ipv4):
    """Mapped and NAT64 addresses are exactly as public as the IPv4 address they reach."""
    assert is_public(carrier.format(ipv4)) is is_public(address.format(ipv4))


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("2002:9765:0145::1", True),  # 6to4 of 151.101.1.69
        ("2002:7f00:1::1", False),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::", False),  # 6to4 of 169.254.169.254
        ("2606:4700::6810:84e5", True),
        ("2001:4:112::1", True),  # AS112-v6, globally reachable
        ("192.31.196.1", True),  # AS112-v4, globally reachable
        ("192.0.0.9", True),
        ("192.0.0.11", False),
    ],
)
def test_examples(address, public):
    """A few addresses by hand, beside the tables."""
    assert is_public(address) is public


@pytest.mark.anyio
@pytest.mark.parametrize(
    "aaaa", ["::127.0.0.1", "::ffff:0:a9fe:a9fe", "64:ff9b:1::a00:1", "fec0::1"]
)
async def test_a_hostile_aaaa_record_is_refused_before_any_connection(aaaa):
    """A name whose AAAA answer is one of those forms is refused by the guard, whatever
    its A answer: nothing is connected to."""
    guard = Guard(mapping_resolver({"evil.test": ["151.101.1.69", aaaa]}))
    with pytest.raises(PrivateAddressError) as caught:
        await guard.connect(Wire, "evil.test", 80, None, 5)
    assert str(caught.value) == f"evil.test resolves to {aaaa}, a non-public address"
