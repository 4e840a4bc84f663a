"""Dual-stack sites: Happy Eyeballs (RFC 8305) in the guard's connect, on loopback.

A listener whose accept queue is full (``loopback.unanswering``) never answers a connect,
as an address on a broken IPv6 network does; the same port on another loopback address
answers.
"""

from __future__ import annotations

import asyncio
import ssl

import httpx
import pytest

from conftest import prober
from linkwatch.models import Policy
from linkwatch.network.client import Guard, PrivateAddressError, happy_eyeballs, interleave
from linkwatch.network.wire import Transport, Wire
from loopback import closed_port, unanswering

pytestmark = pytest.mark.anyio

WAIT = 2.0


async def test_a_site_whose_ipv6_never_answers_is_reached_over_ipv4(server):
    """AAAA first, on a route that never answers, then A: the link is ok well within a
    deadline that trying one address after the other would spend on the first."""
    with unanswering("::1", server.port):
        async with prober(hosts={"dual.test": ["::1", "127.0.0.1"]}) as p:
            obs = await p.probe(server.url("/", host="dual.test"), Policy(timeout=1.0))
    assert (obs.status_code, obs.failure) == (404, None)
    assert obs.attempts == 1
    assert server.hits["/"] == 1


async def test_every_address_is_judged_before_any_attempt(server):
    """One refused address among the answers: nothing is connected to, not even the first."""
    guard = Guard(
        lambda host, port: _answer(["127.0.0.1", "10.0.0.1"]),
        is_allowed=lambda address: address.startswith("127."),
    )
    with pytest.raises(PrivateAddressError):
        await guard.connect(Wire, "mixed.test", server.port, None, WAIT)
    assert server.connections == 0


async def _answer(addresses: list[str]) -> list[str]:
    return addresses


async def test_a_refused_attempt_starts_the_next_at_once(server):
    """An attempt that fails does not wait out the attempt delay: the next starts at once
    (the delay here is far longer than the connect timeout)."""
    refusing = "127.0.0.2"  # nothing listens on the server's port there
    guard = Guard(
        lambda host, port: _answer([refusing, "127.0.0.1"]),
        allow_private=True,
        attempt_delay=60.0,
    )
    transport = Transport(guard.connect, ssl.create_default_context())
    async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
        response = await client.get(server.url("/", host="two.test"), timeout=WAIT)
    assert response.status_code == 404
    assert server.hits["/"] == 1


async def test_when_every_attempt_fails_the_last_error_is_raised():
    """Two refused addresses: a ConnectError caused by the refusal."""
    port = closed_port()
    guard = Guard(lambda host, port: _answer(["127.0.0.1", "::1"]), allow_private=True)
    with pytest.raises(httpx.ConnectError) as caught:
        await guard.connect(Wire, "none.test", port, None, WAIT)
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)


async def test_no_address_answering_is_a_connect_timeout():
    """Two addresses that never answer: ConnectTimeout at the connect timeout."""
    with unanswering("::1") as port, unanswering("127.0.0.1", port):
        guard = Guard(lambda host, port: _answer(["::1", "127.0.0.1"]), allow_private=True)
        with pytest.raises(httpx.ConnectTimeout) as caught:
            await guard.connect(Wire, "dead.test", port, None, 0.4)
    assert str(caught.value) == f"dead.test:{port} did not accept in time"


@pytest.mark.parametrize(
    ("addresses", "order"),
    [
        (
            ["2001:db8::1", "2001:db8::2", "192.0.2.1", "192.0.2.2"],
            ["2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2"],
        ),
        (
            ["192.0.2.1", "2001:db8::1", "2001:db8::2", "2001:db8::3"],
            ["192.0.2.1", "2001:db8::1", "2001:db8::2", "2001:db8::3"],
        ),
        (["192.0.2.1", "192.0.2.2"], ["192.0.2.1", "192.0.2.2"]),
        ([], []),
    ],
    ids=["IPv6 first", "IPv4 first", "one family", "none"],
)
def test_families_alternate_from_the_resolvers_first(addresses, order):
    """RFC 8305 4: the resolver's first address, then the other family, alternating."""
    assert interleave(addresses) == order


class FakeWire:
    def __init__(self, address: str, closed: asyncio.Event) -> None:
        self.address = address
        self.closed = False
        self._closed = closed

    def close(self) -> None:
        self.closed = True
        self._closed.set()


class Attempts:
    """A loop whose connections are made by hand: each address waits for its event."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *addresses: str) -> None:
        self.loop = loop
        self.go = {address: asyncio.Event() for address in addresses}
        self.started: list[str] = []
        self.cancelled: list[str] = []
        self.wires: list[FakeWire] = []
        self.a_wire_closed = asyncio.Event()
        self.a_task_cancelled = asyncio.Event()
        self.two_started = asyncio.Event()

    def create_task(self, coroutine):
        return self.loop.create_task(coroutine)

    async def create_connection(self, protocol, address, port):
        self.started.append(address)
        if len(self.started) == 2:
            self.two_started.set()
        try:
            await self.go[address].wait()
        except asyncio.CancelledError:
            self.cancelled.append(address)
            self.a_task_cancelled.set()
            raise
        self.wires.append(FakeWire(address, self.a_wire_closed))
        return None, self.wires[-1]


async def test_the_first_to_connect_wins_and_the_others_are_cancelled():
    """The second attempt starts after the delay; when it connects first, it is returned
    and the first attempt, still waiting, is cancelled; the third never starts."""
    attempts = Attempts(asyncio.get_running_loop(), "::1", "127.0.0.1", "::2")
    race = asyncio.ensure_future(
        happy_eyeballs(attempts, Wire, ["::1", "::2", "127.0.0.1"], 80, 0.01)
    )
    async with asyncio.timeout(WAIT):
        await attempts.two_started.wait()
        attempts.go["127.0.0.1"].set()
        winner = await race
        await attempts.a_task_cancelled.wait()
    assert attempts.started == ["::1", "127.0.0.1"]
    assert (winner.address, winner.closed) == ("127.0.0.1", False)
    assert attempts.cancelled == ["::1"]


async def test_a_loser_that_connects_too_is_closed():
    """Two attempts that connect at the same moment: one wins, the other is closed."""
    attempts = Attempts(asyncio.get_running_loop(), "::1", "127.0.0.1")
    attempts.go["127.0.0.1"] = attempts.go["::1"]  # one event for both
    race = asyncio.ensure_future(happy_eyeballs(attempts, Wire, ["::1", "127.0.0.1"], 80, 0.01))
    async with asyncio.timeout(WAIT):
        await attempts.two_started.wait()
        attempts.go["::1"].set()
        winner = await race
        await attempts.a_wire_closed.wait()
    assert len(attempts.wires) == 2
    assert [wire.closed for wire in attempts.wires] == [
        wire is not winner for wire in attempts.wires
    ]


async def test_an_attempt_that_fails_for_another_reason_than_the_network_ends_the_race():
    """Only network errors move on to the next address: anything else (a bug, the test
    suite's offline guard) is raised at once, and the other attempts are cancelled."""

    class Failing(Attempts):
        async def create_connection(self, protocol, address, port):
            if address == "127.0.0.1":
                self.started.append(address)
                raise RuntimeError("not a network error")
            return await super().create_connection(protocol, address, port)

    attempts = Failing(asyncio.get_running_loop(), "::1", "127.0.0.1", "::2")
    async with asyncio.timeout(WAIT):
        with pytest.raises(RuntimeError, match="not a network error"):
            await happy_eyeballs(attempts, Wire, ["::1", "::2", "127.0.0.1"], 80, 0.01)
        await attempts.a_task_cancelled.wait()
    assert attempts.started == ["::1", "127.0.0.1"]
    assert attempts.cancelled == ["::1"]
