"""wire.py, the HTTP/1.1 transport, against raw servers on 127.0.0.1 answering byte by byte."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import ssl
from collections import defaultdict
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Self

import httpx
import pytest
import respx

from conftest import client_ssl_context, prober
from linkwatch.models import Policy
from linkwatch.network import wire
from linkwatch.network.client import (
    ClientOptions,
    Guard,
    NameLookupError,
    PrivateAddressError,
    build_client,
    mapping_resolver,
)
from loopback import reset, start_tls

pytestmark = pytest.mark.anyio

WAIT = 2.0  # the most any test waits for an event on the other side


# ------------------------------------------------------------------------- the server
@dataclass
class Seen:
    """A request as the server read it."""

    connection: int
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


async def read_request(reader: asyncio.StreamReader, connection: int) -> Seen | None:
    """The next request on a connection (its body too), or None once the client hung up."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            body += await reader.readexactly(size)
            assert await reader.readexactly(2) == b"\r\n"
        while await reader.readuntil(b"\r\n") != b"\r\n":
            pass  # trailer fields
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    return Seen(connection, method, target, headers, body)


class Peer:
    """A raw HTTP server on 127.0.0.1 in the test's own event loop.

    ``handler(peer, number, reader, writer)`` runs once per connection (numbered from 1); the
    peer counts connections, keeps every request read through ``peer.read``, and notes when
    each connection's handler is over (the client hung up, or the handler closed it).
    """

    def __init__(self, handler, ssl_context: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.ssl_context = ssl_context
        self.connections = 0
        self.seen: list[Seen] = []
        self.port = 0
        self._over: defaultdict[int, asyncio.Event] = defaultdict(asyncio.Event)
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: list[asyncio.StreamWriter] = []

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    async def read(self, reader: asyncio.StreamReader, number: int) -> Seen | None:
        seen = await read_request(reader, number)
        if seen is not None:
            self.seen.append(seen)
        return seen

    async def over(self, *numbers: int) -> None:
        """Wait until the handlers of these connections are over (the sockets are closed)."""
        async with asyncio.timeout(WAIT):
            for number in numbers:
                await self._over[number].wait()

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        # Aborting the sockets ends every handler (its reads and writes fail); cancelling
        # them instead would make asyncio's server log each cancelled one as an error.
        self._server.close()
        for writer in self._writers:
            writer.transport.abort()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=WAIT)
        await self._server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.append(writer)
        self.connections += 1
        number = self.connections
        try:
            if self.ssl_context is not None and not await start_tls(writer, self.ssl_context):
                return
            await self.handler(self, number, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass  # the client hung up first
        finally:
            writer.close()  # after what is still buffered is sent (a no-op after a reset)
            self._tasks.discard(task)
            self._over[number].set()


def each(answer):
    """A handler answering every request on every connection (until the client hangs up)
    with ``answer``: bytes, or a function of the request that returns them."""

    async def handler(peer: Peer, number: int, reader, writer) -> None:
        while (seen := await peer.read(reader, number)) is not None:
            writer.write(answer(seen) if callable(answer) else answer)
            await writer.drain()

    return handler


def once(answer: bytes, *, then: str = "close"):
    """A handler answering one request with ``answer``, then: close, reset, or wait (until
    the client hangs up)."""

    async def handler(peer: Peer, number: int, reader, writer) -> None:
        await peer.read(reader, number)
        writer.write(answer)
        await writer.drain()
        if then == "reset":
            reset(writer)
        elif then == "wait":
            await reader.read()

    return handler


def ok(body: bytes = b"", *headers: str, status: str = "200 OK", version: str = "1.1") -> bytes:
    """An answer with a Content-Length (unless a header sets the framing) and ``body``."""
    fields = list(headers)
    if not any(h.lower().startswith(("content-length:", "transfer-encoding:")) for h in fields):
        fields.append(f"Content-Length: {len(body)}")
    lines = [f"HTTP/{version} {status}", *fields]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def numbered(seen: Seen) -> bytes:
    """An answer saying which connection the request came on."""
    return ok(str(seen.connection).encode())


# ------------------------------------------------------------------------- the client
def transport(guard: Guard | None = None, tls: ssl.SSLContext | None = None, **options):
    guard = guard or Guard(allow_private=True)
    return wire.Transport(guard.connect, tls or ssl.create_default_context(), **options)


@asynccontextmanager
async def client(**options):
    """An httpx client over a wire.Transport that may connect to 127.0.0.1."""
    async with httpx.AsyncClient(transport=transport(**options), trust_env=False) as c:
        yield c


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ------------------------------------------------------------------------ body framing
async def test_content_length_body():
    """A Content-Length body is read to its length, and the connection is used again."""
    async with Peer(each(ok(b"hello", "X-Thing: 1"))) as peer, client() as c:
        first = await c.get(peer.url())
        second = await c.get(peer.url())
    assert (first.status_code, first.content, first.headers["x-thing"]) == (200, b"hello", "1")
    assert first.reason_phrase == "OK"
    assert first.http_version == "HTTP/1.1"
    assert second.content == b"hello"
    assert peer.connections == 1


async def test_chunked_body_with_extensions_and_trailers():
    """Chunk extensions and trailer fields are skipped; the chunks' data is the body."""
    answer = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;name=value\r\nhello\r\n"
        b'6 ; quoted="a;b"\r\n world\r\n'
        b"A\r\n, and more\r\n"
        b"0\r\nExpires: never\r\nX-Trailer: 1\r\n\r\n"
    )
    async with Peer(each(answer)) as peer, client() as c:
        first = await c.get(peer.url())
        second = await c.get(peer.url())
    assert first.content == b"hello world, and more"
    assert second.content == b"hello world, and more"
    assert peer.connections == 1  # the trailers were read exactly to their end


@pytest.mark.parametrize("version", ["1.0", "1.1"])
async def test_close_delimited_body(version):
    """Without a length the body runs to the close, and that connection is not used again."""
    answer = f"HTTP/{version} 200 OK\r\nX-A: b\r\n\r\n".encode() + b"to the end" * 1000
    async with Peer(once(answer)) as peer, client() as c:
        first = await c.get(peer.url())
        second = await c.get(peer.url())
    assert first.content == b"to the end" * 1000
    assert second.content == first.content
    assert first.http_version == f"HTTP/{version}"
    assert peer.connections == 2


async def test_head_answer_has_no_body_despite_content_length():
    """A HEAD answer's Content-Length describes the GET's body: nothing is waited for."""
    answers = {"HEAD": ok(b"", "Content-Length: 1000"), "GET": ok(b"got it")}
    async with Peer(each(lambda seen: answers[seen.method])) as peer, client() as c:
        head = await c.head(peer.url(), timeout=WAIT)
        get = await c.get(peer.url(), timeout=WAIT)
    assert head.headers["content-length"] == "1000"
    assert head.content == b""
    assert get.content == b"got it"
    assert peer.connections == 1


@pytest.mark.parametrize(
    "status", ["204 No Content", "304 Not Modified", "200 OK"], ids=["204", "304", "zero-length"]
)
async def test_answers_without_body(status):
    """204, 304 (whatever their Content-Length) and Content-Length: 0 have an empty body."""
    length = "0" if status == "200 OK" else "50"
    answer = ok(b"", f"Content-Length: {length}", status=status)
    async with Peer(each(answer)) as peer, client() as c:
        first = await c.get(peer.url(), timeout=WAIT)
        second = await c.get(peer.url(), timeout=WAIT)
    assert (first.status_code, first.content) == (int(status[:3]), b"")
    assert second.content == b""
    assert peer.connections == 1


async def test_raw_bytes_are_handed_up_undecoded():
    """aiter_raw gives the gzip bytes as they came; only httpx's decoding ungzips them."""
    text = b"<html>" + b"safeguarding " * 500 + b"</html>"
    packed = gzip.compress(text)
    answer = ok(packed, "Content-Encoding: gzip")
    async with Peer(each(answer)) as peer, client() as c:
        async with c.stream("GET", peer.url()) as response:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        decoded = await c.get(peer.url())
    assert raw == packed
    assert decoded.content == text


# -------------------------------------------------------------------------- keep-alive
async def test_sequential_requests_reuse_one_connection():
    """Three requests one after the other go over one connection."""
    async with Peer(each(numbered)) as peer, client() as c:
        bodies = [(await c.get(peer.url(f"/{i}"))).content for i in range(3)]
    assert bodies == [b"1", b"1", b"1"]
    assert [seen.target for seen in peer.seen] == ["/0", "/1", "/2"]
    assert peer.connections == 1


@pytest.mark.parametrize(
    ("version", "connection", "reused"),
    [
        ("1.1", "Connection: close", False),
        ("1.1", "Connection: Keep-Alive, Close", False),
        ("1.0", "X-Nothing: here", False),
        ("1.0", "Connection: keep-alive", True),
        ("1.1", "Connection: keep-alive", True),
    ],
)
async def test_connection_header_and_version_decide_reuse(version, connection, reused):
    """Connection: close, and HTTP/1.0 without keep-alive, are not reused (the server here
    would have answered a second request on them)."""
    async with Peer(each(lambda seen: ok(b"x", connection, version=version))) as peer:
        async with client() as c:
            await c.get(peer.url())
            await c.get(peer.url())
        await peer.over(*range(1, peer.connections + 1))
    assert peer.connections == (1 if reused else 2)
    assert len(peer.seen) == 2


async def test_unread_response_is_not_reused():
    """A body left unread closes its connection; the next request goes on a new one."""
    async with (
        Peer(each(lambda seen: ok(b"%d" % seen.connection * 100_000))) as peer,
        client() as c,
    ):
        async with c.stream("GET", peer.url()):
            pass  # nothing read
        await peer.over(1)
        again = await c.get(peer.url())
    assert again.content == b"2" * 100_000
    assert peer.connections == 2


async def test_idle_connection_past_keepalive_expiry_is_not_reused():
    """An idle connection younger than keepalive_expiry is reused; an older one is closed."""
    clock = Clock()
    async with Peer(each(numbered)) as peer, client(keepalive_expiry=5.0, clock=clock) as c:
        assert (await c.get(peer.url())).content == b"1"
        clock.now += 4.9
        assert (await c.get(peer.url())).content == b"1"
        clock.now += 5.0
        assert (await c.get(peer.url())).content == b"2"
        await peer.over(1)
    assert peer.connections == 2


async def test_expired_connections_of_other_origins_are_closed_too():
    """Putting a connection back closes the expired idle ones of every origin."""
    clock = Clock()
    async with (
        Peer(each(numbered)) as one,
        Peer(each(numbered)) as two,
        client(keepalive_expiry=5.0, clock=clock) as c,
    ):
        await c.get(one.url())
        clock.now += 6.0
        await c.get(two.url())
        await one.over(1)  # closed while the client still runs
        assert two.connections == 1


async def test_max_idle_closes_the_oldest_first():
    """Past max_idle idle connections, the one idle longest is closed."""
    clock = Clock()
    async with Peer(each(numbered)) as peer, client(max_idle=1, clock=clock) as c:
        async with c.stream("GET", peer.url()) as first, c.stream("GET", peer.url()) as second:
            assert await first.aread() == b"1"
            assert await second.aread() == b"2"
            await first.aclose()
            clock.now += 1.0
            await second.aclose()  # two idle: one too many
        await peer.over(1)
        assert (await c.get(peer.url())).content == b"2"
    assert peer.connections == 2


async def test_max_idle_applies_across_origins():
    """The idle cap counts every origin's connections together."""
    async with Peer(each(numbered)) as one, Peer(each(numbered)) as two:
        async with client(max_idle=1) as c:
            await c.get(one.url())
            await c.get(two.url())
            await one.over(1)
            await c.get(two.url())
            await c.get(one.url())
        assert (one.connections, two.connections) == (2, 1)


# -------------------------------------------------------------- stale kept-alive connections
@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
async def test_connection_closed_while_idle_is_replaced(method):
    """A kept-alive connection the server closed while idle is not used: a new one is."""

    async def handler(peer: Peer, number: int, reader, writer) -> None:
        await peer.read(reader, number)
        writer.write(ok(b"%d" % number))
        await writer.drain()
        if number > 1:
            await peer.read(reader, number)
            writer.write(ok(b"%d" % number))
            await writer.drain()

    async with Peer(handler) as peer, client() as c:
        first = await c.get(peer.url())
        stream = first.extensions["network_stream"]
        async with asyncio.timeout(WAIT):
            while not stream.ended:  # the client has seen the server's close
                await stream.more(WAIT)
        second = await c.request(method, peer.url(), content=b"data" if method == "POST" else None)
    assert second.status_code == 200
    assert peer.connections == 2
    assert [seen.method for seen in peer.seen] == ["GET", method]


async def test_unsolicited_bytes_on_an_idle_connection_drop_it():
    """Bytes an idle connection receives unasked (a 408 before a close) are never taken
    for the next request's answer: that connection is dropped."""

    async def handler(peer: Peer, number: int, reader, writer) -> None:
        await peer.read(reader, number)
        writer.write(ok(b"%d" % number))
        if number == 1:
            writer.write(ok(b"timed out", status="408 Request Timeout"))
        await writer.drain()
        await each(numbered)(peer, number, reader, writer)

    async with Peer(handler) as peer, client() as c:
        first = await c.get(peer.url())
        stream = first.extensions["network_stream"]
        async with asyncio.timeout(WAIT):
            while not stream.buffer:  # the 408 has arrived
                await stream.more(WAIT)
        second = await c.get(peer.url())
        await peer.over(1)
    assert (first.content, second.status_code, second.content) == (b"1", 200, b"2")


async def test_cancelled_request_drops_its_connection():
    """A request cancelled while it waits for the answer closes its connection."""
    async with Peer(once(b"", then="wait")) as peer, client() as c:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await c.get(peer.url())
        await peer.over(1)


def stale_after_first(end: str):
    """A handler whose first connection answers once, then reads the next request and
    closes (or resets) without a word; later connections answer every request."""

    async def handler(peer: Peer, number: int, reader, writer) -> None:
        if number > 1:
            await each(numbered)(peer, number, reader, writer)
            return
        await peer.read(reader, number)
        writer.write(ok(b"1"))
        await writer.drain()
        await peer.read(reader, number)
        if end == "reset":
            reset(writer)

    return handler


@pytest.mark.parametrize("end", ["close", "reset"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
async def test_stale_connection_is_retried_for_get_and_head(method, end):
    """A reused connection that ends without a byte of answer: GET and HEAD go once more."""
    async with Peer(stale_after_first(end)) as peer, client() as c:
        await c.get(peer.url())
        again = await c.request(method, peer.url())
    assert again.status_code == 200
    assert again.content == (b"" if method == "HEAD" else b"2")
    assert [(seen.connection, seen.method) for seen in peer.seen] == [
        (1, "GET"),
        (1, method),
        (2, method),
    ]


@pytest.mark.parametrize(
    ("end", "error"), [("close", httpx.RemoteProtocolError), ("reset", httpx.ReadError)]
)
async def test_post_on_a_stale_connection_is_not_resent(end, error):
    """A POST the server may have acted on is not sent again: the failure is reported."""
    async with Peer(stale_after_first(end)) as peer, client() as c:
        await c.get(peer.url())
        with pytest.raises(error):
            await c.post(peer.url(), content=b"pay once")
    assert [(seen.method, seen.body) for seen in peer.seen] == [("GET", b""), ("POST", b"pay once")]
    assert peer.connections == 1


async def test_a_new_connection_is_never_retried():
    """A fresh connection that ends without an answer is an error even for GET."""
    async with Peer(once(b"")) as peer, client() as c:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
            await c.get(peer.url())
    assert peer.connections == 1


async def test_request_bodies_are_framed():
    """A known-length body goes with its Content-Length, a streamed one chunked."""

    async def parts():
        yield b"first "
        yield b""
        yield b"second"

    echo = each(lambda seen: ok(seen.body))
    async with Peer(echo) as peer, client() as c:
        fixed = await c.post(peer.url(), content=b"fixed body")
        streamed = await c.post(peer.url(), content=parts())
        empty = await c.post(peer.url(), content=b"")
        after = await c.get(peer.url())
    assert (fixed.content, streamed.content, empty.content) == (
        b"fixed body",
        b"first second",
        b"",
    )
    assert peer.seen[0].headers["content-length"] == "10"
    assert peer.seen[1].headers["transfer-encoding"] == "chunked"
    assert after.status_code == 200
    assert peer.connections == 1  # each body ended exactly where the server expected


async def test_empty_chunked_request_body():
    """A streamed body with no bytes is sent as the last chunk alone."""

    async def nothing():
        return
        yield b""  # pragma: no cover

    async with Peer(each(lambda seen: ok(seen.body))) as peer, client() as c:
        response = await c.post(peer.url(), content=nothing())
        after = await c.get(peer.url())
    assert response.content == b""
    assert peer.seen[0].headers["transfer-encoding"] == "chunked"
    assert after.status_code == 200
    assert peer.connections == 1


# ------------------------------------------------------------------------- interim answers
async def test_interim_answers_are_skipped():
    """100 Continue and 103 Early Hints come before the final answer, which is the one seen."""
    answer = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
        + ok(b"final", "X-Final: yes")
    )
    async with Peer(each(answer)) as peer, client() as c:
        response = await c.get(peer.url())
        again = await c.get(peer.url())
    assert (response.status_code, response.content) == (200, b"final")
    assert "link" not in response.headers
    assert again.content == b"final"
    assert peer.connections == 1


async def test_101_is_a_protocol_error():
    """Switching protocols was never asked for: RemoteProtocolError."""
    answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
    async with Peer(once(answer, then="wait")) as peer, client() as c:
        with pytest.raises(httpx.RemoteProtocolError, match="switched protocols"):
            await c.get(peer.url())
        await peer.over(1)  # the connection was dropped


# ------------------------------------------------------------------------ hostile answers
BIG = b"a" * (wire.MAX_HEAD + 10)

HOSTILE = {
    "garbage": b"garbage\r\n\r\n",
    "binary": b"\x16\x03\x01\x00\xa5\x01\x00\x00\r\n\r\n",
    "http2": b"HTTP/2 200\r\ncontent-length: 0\r\n\r\n",
    "http2.0": b"HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n",
    "no status": b"HTTP/1.1 OK\r\n\r\n",
    "status 99": b"HTTP/1.1 099 Too Low\r\nContent-Length: 0\r\n\r\n",
    "status 000": b"HTTP/1.1 000 Zero\r\nContent-Length: 0\r\n\r\n",
    "no colon": b"HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
    "space before colon": b"HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n",
    "empty name": b"HTTP/1.1 200 OK\r\n: value\r\n\r\n",
    "bare CR in value": b"HTTP/1.1 200 OK\r\nX-Bad: a\rb\r\nContent-Length: 0\r\n\r\n",
    "control char folded": b"HTTP/1.1 200 OK\r\nX-Bad: a\r\n b\x00c\r\nContent-Length: 0\r\n\r\n",
    "fold first": b"HTTP/1.1 200 OK\r\n folded: first\r\nContent-Length: 0\r\n\r\n",
    "head over MAX_HEAD": b"HTTP/1.1 200 OK\r\nX-Big: " + BIG + b"\r\nContent-Length: 0\r\n\r\n",
    "conflicting lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    "conflicting list": b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!",
    "non-numeric length": b"HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\nhello",
    "negative length": b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello",
    "empty length": b"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\nhello",
    "huge length": b"HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456789012\r\n\r\nhello",
    "bad chunk size": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    "negative chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
    "chunk too long": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n",
    "chunked twice": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
}


@pytest.mark.parametrize("answer", HOSTILE.values(), ids=HOSTILE.keys())
async def test_hostile_answers_are_remote_protocol_errors(answer):
    """Whatever a server sends that is not HTTP/1.x becomes httpx's RemoteProtocolError,
    as soon as it is read (the server here keeps the connection open)."""
    async with Peer(once(answer, then="wait")) as peer, client() as c:
        with pytest.raises(httpx.RemoteProtocolError):
            await c.get(peer.url(), timeout=WAIT)
        await peer.over(1)  # and the connection was dropped


CUT = {
    "http0.9": b"<html><body>no status line</body></html>",
    "cut head": b"HTTP/1.1 200 OK\r\nContent-Le",
    "interim only": b"HTTP/1.1 100 Continue\r\n\r\n",
    "short body": b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
    "chunk cut": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
    "chunk size cut": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5",
    "no last chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
    "trailers cut": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n",
}


@pytest.mark.parametrize("answer", CUT.values(), ids=CUT.keys())
async def test_answers_cut_by_the_close_are_remote_protocol_errors(answer):
    """A close before the head or a delimited body is complete is RemoteProtocolError."""
    async with Peer(once(answer)) as peer, client() as c:
        with pytest.raises(httpx.RemoteProtocolError):
            await c.get(peer.url(), timeout=WAIT)


async def test_endless_head_is_cut_at_max_head():
    """A head that never ends is refused once it is over MAX_HEAD, not read forever."""

    async def handler(peer: Peer, number: int, reader, writer) -> None:
        await peer.read(reader, number)
        writer.write(b"HTTP/1.1 200 OK\r\n")
        with contextlib.suppress(ConnectionError):
            while True:
                writer.write(b"X-Header: " + b"x" * 1000 + b"\r\n")
                await writer.drain()

    async with Peer(handler) as peer, client() as c:
        with pytest.raises(httpx.RemoteProtocolError, match="over"):
            await c.get(peer.url(), timeout=WAIT)
        await peer.over(1)


async def test_reset_mid_body_is_a_read_error():
    """A connection reset while the body arrives is httpx's ReadError."""
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000
    async with Peer(once(answer, then="reset")) as peer, client() as c:
        with pytest.raises(httpx.ReadError) as caught:
            await c.get(peer.url(), timeout=WAIT)
    assert isinstance(caught.value.__cause__, OSError)


async def test_reset_mid_close_delimited_body_is_a_read_error():
    """A reset is not mistaken for the close that ends a body without a length."""
    answer = b"HTTP/1.1 200 OK\r\n\r\n" + b"x" * 1000
    async with Peer(once(answer, then="reset")) as peer, client() as c:
        with pytest.raises(httpx.ReadError):
            await c.get(peer.url(), timeout=WAIT)


async def test_server_that_never_answers_is_a_read_timeout():
    """A server that reads the request and says nothing: ReadTimeout after the read timeout."""
    async with Peer(once(b"", then="wait")) as peer, client() as c:
        with pytest.raises(httpx.ReadTimeout):
            await c.get(peer.url(), timeout=httpx.Timeout(WAIT, read=0.05))
        await peer.over(1)  # the connection was dropped


async def test_body_that_stops_is_a_read_timeout():
    """A body that stops arriving: ReadTimeout while reading it."""
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"
    async with Peer(once(answer, then="wait")) as peer, client() as c:
        async with c.stream("GET", peer.url(), timeout=httpx.Timeout(WAIT, read=0.05)) as r:
            assert r.status_code == 200
            with pytest.raises(httpx.ReadTimeout):
                await r.aread()
        await peer.over(1)


async def test_bare_lf_head_is_accepted():
    """Lines ended by a bare LF are read as if ended by CRLF."""
    answer = b"HTTP/1.1 200 OK\nX-One: 1\nContent-Length: 2\n\nok"
    async with Peer(each(answer)) as peer, client() as c:
        response = await c.get(peer.url())
        again = await c.get(peer.url())
    assert (response.status_code, response.headers["x-one"], response.content) == (200, "1", b"ok")
    assert again.content == b"ok"
    assert peer.connections == 1


async def test_obsolete_line_folding_is_unfolded():
    """A folded header value is joined with single spaces."""
    answer = b"HTTP/1.1 200 OK\r\nX-Folded: one\r\n  two\r\n\tthree \r\nContent-Length: 0\r\n\r\n"
    async with Peer(each(answer)) as peer, client() as c:
        response = await c.get(peer.url())
    assert response.headers["x-folded"] == "one two three"


async def test_status_line_without_reason_and_odd_fields():
    """A status line without a reason, a repeated equal Content-Length and tabs are fine."""
    answer = b"HTTP/1.1 404\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\nX-Tab:\tv\t\r\n\r\nno"
    async with Peer(each(answer)) as peer, client() as c:
        response = await c.get(peer.url())
    assert (response.status_code, response.reason_phrase, response.content) == (404, "", b"no")
    assert response.headers["x-tab"] == "v"


# ------------------------------------------------------------------------- flow control
FIVE_MB = bytes(range(256)) * (5 * 1024 * 1024 // 256)


async def test_large_body_is_streamed_with_bounded_buffering():
    """A 5 MB body comes in chunks of at most READ_CHUNK, and a reader that falls behind
    makes the transport stop reading the socket instead of buffering it all."""
    async with Peer(each(ok(FIVE_MB))) as peer, client() as c:
        async with c.stream("GET", peer.url()) as response:
            stream = response.extensions["network_stream"]
            chunks = response.aiter_raw()
            received = [await anext(chunks)]
            async with asyncio.timeout(WAIT):
                while not stream._reading_paused:  # the reader is behind: let bytes pile up
                    await stream.more(WAIT)
            assert not stream.transport.is_reading()
            assert len(stream.buffer) <= wire.PAUSE_ABOVE + 256 * 1024
            received += [chunk async for chunk in chunks]
        again = await c.get(peer.url())
    assert b"".join(received) == FIVE_MB
    assert max(len(chunk) for chunk in received) <= wire.READ_CHUNK
    assert again.content == FIVE_MB
    assert peer.connections == 1


async def test_reading_can_stop_early_and_drops_the_connection():
    """Leaving a 5 MB body after its first megabyte closes that connection."""
    async with Peer(each(ok(FIVE_MB))) as peer, client() as c:
        received = 0
        async with c.stream("GET", peer.url()) as response:
            async for chunk in response.aiter_raw():
                received += len(chunk)
                if received >= 1024 * 1024:
                    break
        await peer.over(1)
        again = await c.head(peer.url())
    assert received < len(FIVE_MB)
    assert again.status_code == 200
    assert peer.connections == 2


async def test_large_request_body_waits_for_the_socket():
    """A request body larger than the socket's buffers is sent as the server reads it."""
    async with Peer(each(lambda seen: ok(b"%d" % len(seen.body)))) as peer, client() as c:
        response = await c.post(peer.url(), content=FIVE_MB * 4)
    assert response.content == b"%d" % len(FIVE_MB * 4)


async def test_request_body_nobody_reads_is_a_write_timeout():
    """A server that stops reading a large request body: WriteTimeout after the write timeout."""

    async def deaf(peer: Peer, number: int, reader, writer) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await writer.wait_closed()  # reads no more: the sockets' buffers fill up

    async with Peer(deaf) as peer, client() as c:
        with pytest.raises(httpx.WriteTimeout):
            await c.post(peer.url(), content=FIVE_MB * 8, timeout=httpx.Timeout(WAIT, write=0.05))
        assert not c._transport._open  # the connection was dropped
    assert peer.connections == 1


# ---------------------------------------------------------------------- network_stream
async def test_network_stream_gives_ssl_object_on_https(ca):
    """Over TLS the network_stream extension gives the ssl object, with the peer's cert."""
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("site.test").configure_cert(server_context)
    guard = Guard(mapping_resolver({"site.test": "127.0.0.1"}), allow_private=True)
    async with (
        Peer(each(ok(b"secret")), ssl_context=server_context) as peer,
        client(guard=guard, tls=client_ssl_context(ca)) as c,
    ):
        response = await c.get(peer.url(host="site.test"))
        again = await c.get(peer.url(host="site.test"))
    ssl_object = response.extensions["network_stream"].get_extra_info("ssl_object")
    assert isinstance(ssl_object, ssl.SSLObject)
    assert ("DNS", "site.test") in ssl_object.getpeercert()["subjectAltName"]
    assert response.content == b"secret"
    assert again.content == b"secret"
    assert peer.connections == 1


async def test_network_stream_on_http():
    """Over plain HTTP there is no ssl object; the addresses are the socket's."""
    async with Peer(each(ok())) as peer, client() as c:
        response = await c.get(peer.url())
    stream = response.extensions["network_stream"]
    assert stream.get_extra_info("ssl_object") is None
    assert stream.get_extra_info("server_addr") == ("127.0.0.1", peer.port)
    assert stream.get_extra_info("client_addr")[0] == "127.0.0.1"


# ------------------------------------------------------------------------ the request
@pytest.mark.parametrize(
    "headers",
    [
        {"X-Evil": "a\r\nX-Injected: 1"},
        {"X-Evil": "a\nX-Injected: 1"},
        {"X-Evil": "a\rb"},
        {"X-Evil": "a\x00b"},
        {"X-Evil\r\nX-Injected": "1"},
        {"X-Evil: 1\r\nX-Injected": "1"},
        {"X Evil": "1"},
        {"X-Evil:": "1"},
    ],
    ids=["crlf", "lf", "cr", "nul", "crlf in name", "colon and crlf in name", "space", "colon"],
)
async def test_header_injection_is_refused_before_anything_is_sent(headers):
    """httpx lets line breaks into header fields; the transport refuses them before connecting."""
    assert httpx.Request("GET", "http://127.0.0.1/", headers=headers)  # httpx does not refuse
    async with Peer(each(ok())) as peer, client() as c:
        with pytest.raises(httpx.LocalProtocolError):
            await c.get(peer.url(), headers=headers)
    assert peer.connections == 0


@pytest.mark.parametrize("method", ["GET X", "GET\r\nX", "", "GÉT"])
async def test_bad_method_is_refused(method):
    """A method that is not a token would break the request line: refused before sending."""
    async with Peer(each(ok())) as peer, client() as c:
        with pytest.raises(httpx.LocalProtocolError):
            await c.request(method, peer.url())
    assert peer.connections == 0


async def test_request_line_and_headers_as_sent():
    """The request line carries the path and query; Host and the client's headers follow."""
    async with Peer(each(ok())) as peer, client() as c:
        await c.get(peer.url("/a%20b/c?q=1&r=%2F"), headers={"X-Test": "v"})
    (seen,) = peer.seen
    assert (seen.method, seen.target) == ("GET", "/a%20b/c?q=1&r=%2F")
    assert seen.headers["host"] == f"127.0.0.1:{peer.port}"
    assert seen.headers["x-test"] == "v"


async def test_non_http_scheme_is_unsupported():
    """Only http and https URLs are sent."""
    async with client() as c:
        with pytest.raises(httpx.UnsupportedProtocol):
            await c.get("ftp://127.0.0.1/file")


# ------------------------------------------------------------------------ closing
async def test_aclose_closes_idle_and_in_use_connections():
    """Closing the transport closes the idle connections and those whose answer is unread."""
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"  # the rest never comes
    answers = {"/idle": ok(b"done"), "/busy": answer}
    t = transport()
    async with (
        Peer(each(lambda seen: answers[seen.target])) as peer,
        httpx.AsyncClient(transport=t, trust_env=False) as c,
        c.stream("GET", peer.url("/busy")) as busy,
    ):
        assert (await c.get(peer.url("/idle"))).content == b"done"  # a second connection
        await t.aclose()
        await peer.over(1, 2)
        with pytest.raises(httpx.RemoteProtocolError):
            await busy.aread()
    assert peer.connections == 2


# ------------------------------------------------------------------------------ respx
@pytest.mark.parametrize("using", ["httpcore", "httpx"])
async def test_respx_answers_requests_of_the_built_client(using):
    """With respx's mock active, build_client's requests are answered by respx; after it,
    by the network again."""
    async with (
        Peer(each(ok(b"real"))) as peer,
        build_client(ClientOptions(allow_private=True)) as c,
    ):
        with respx.mock(using=using) as router:
            route = router.get("https://example.test/page").respond(200, text="mocked")
            response = await c.get("https://example.test/page")
        real = await c.get(peer.url())
    assert route.call_count == 1
    assert response.text == "mocked"
    assert real.content == b"real"
    assert peer.connections == 1


async def test_other_wrappers_of_httpx_sending_do_not_divert_requests(monkeypatch):
    """Only known mocking libraries divert requests; a tracer wrapping httpcore's pool does not
    take linkwatch's connections past its own transport (and its address guard)."""
    original = wire.httpcore.AsyncConnectionPool.handle_async_request
    calls: list[object] = []

    async def traced(self, request):  # what an instrumentation library might install
        calls.append(request)
        return await original(self, request)

    monkeypatch.setattr(wire.httpcore.AsyncConnectionPool, "handle_async_request", traced)
    async with build_client(ClientOptions()) as c:  # the guard is on
        with pytest.raises(PrivateAddressError):
            await c.get("http://127.0.0.1:9/")
    assert calls == []


# ----------------------------------------------------------- connections not to reuse
async def test_both_lengths_at_once_close_the_connection():
    """Transfer-Encoding with a Content-Length (RFC 9112 6.3: a smuggling smell): the body
    is read by its chunks, and the connection is not used again."""
    answer = ok(b"5\r\nhello\r\n0\r\n\r\n", "Transfer-Encoding: chunked", "Content-Length: 99")
    async with Peer(each(answer)) as peer, client() as c:
        first = await c.get(peer.url())
        second = await c.get(peer.url())
    assert (first.content, second.content) == (b"hello", b"hello")
    assert peer.connections == 2


async def test_a_request_asking_for_the_close_gets_it():
    """`Connection: close` on the request: the connection is not kept, whatever the server says."""
    async with Peer(each(numbered)) as peer, client() as c:
        first = await c.get(peer.url(), headers={"Connection": "close"})
        second = await c.get(peer.url())
    assert (first.content, second.content) == (b"1", b"2")


async def test_an_answer_finished_after_aclose_is_not_kept():
    """A body already buffered, read to its end after the transport was closed: its
    connection is not put back to be used again."""
    t = transport()
    async with (
        Peer(once(ok(b"abcd"), then="wait")) as peer,
        httpx.AsyncClient(transport=t, trust_env=False) as c,
    ):
        async with c.stream("GET", peer.url()) as response:
            # One small write on loopback: the body came with the head and waits in the buffer.
            assert bytes(response.extensions["network_stream"].buffer) == b"abcd"
            await t.aclose()
            assert await response.aread() == b"abcd"
        assert t._idle == {}
        await peer.over(1)


# ------------------------------------------------------------- review fixes (session 2)
async def test_an_international_name_is_asked_and_verified_as_sent(ca):
    """`straße.de` is `xn--strae-oqa.de` on the wire (IDNA 2008, as in the Host header); the
    lookup and the certificate check use that name, not IDNA 2003's `strasse.de`, which is
    another site."""
    asked: list[str] = []
    table = mapping_resolver({"xn--strae-oqa.de": "127.0.0.1", "strasse.de": "127.0.0.1"})

    async def resolve(host: str, port: int):
        asked.append(host)
        return await table(host, port)

    cert = ca.issue_cert("strasse.de")  # the other site's certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_tls)
    guard = Guard(resolve, allow_private=True)
    async with (
        Peer(each(ok(b"other site")), ssl_context=server_tls) as peer,
        client(guard=guard, tls=client_ssl_context(ca)) as c,
    ):
        with pytest.raises(httpx.ConnectError) as caught:
            await c.get(peer.url(host="straße.de"))
    assert asked == ["xn--strae-oqa.de"]
    assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)


async def test_a_transport_closed_during_a_stale_retry_opens_nothing():
    """aclose while a request is replacing a stale connection: no new connection after it."""
    second_request = asyncio.Event()

    async def handler(peer: Peer, number: int, reader, writer) -> None:
        await peer.read(reader, number)
        writer.write(ok(b""))
        await writer.drain()
        await peer.read(reader, number)  # the second request, never answered
        second_request.set()
        await reader.read()

    t = transport()
    async with Peer(handler) as peer, httpx.AsyncClient(transport=t, trust_env=False) as c:
        await c.get(peer.url())
        pending = asyncio.create_task(c.get(peer.url()))
        async with asyncio.timeout(WAIT):
            await second_request.wait()
        await t.aclose()  # the reused connection ends without an answer: it looks stale
        with pytest.raises(httpx.TransportError):
            await pending
        await peer.over(1)
    assert peer.connections == 1
    assert t._open == set()


async def test_transfer_encoding_in_http_1_0_closes_the_connection():
    """HTTP/1.0 has no Transfer-Encoding (RFC 9112 6.1): read, and not used again."""
    answer = ok(
        b"2\r\nhi\r\n0\r\n\r\n",
        "Transfer-Encoding: chunked",
        "Connection: keep-alive",
        version="1.0",
    )
    async with Peer(each(answer)) as peer, client() as c:
        assert (await c.get(peer.url())).content == b"hi"
        assert (await c.get(peer.url())).content == b"hi"
    assert peer.connections == 2


async def test_a_respx_pass_through_route_still_meets_the_guard():
    """A route respx lets through goes out behind the address guard (127.0.0.1 refused)."""
    async with Peer(each(ok(b"internal"))) as peer, build_client(ClientOptions()) as c:
        with respx.mock(assert_all_called=False) as router:
            router.get(peer.url()).pass_through()
            with pytest.raises(PrivateAddressError):
                await c.get(peer.url())
    assert peer.connections == 0


async def test_late_bytes_of_a_head_answer_do_not_fail_the_next_request():
    """A server that sends a HEAD answer's body late, on the kept-alive connection: the next
    request's answer head is garbled there, so it goes once more on a new connection."""

    async def late_body(peer: Peer, number: int, reader, writer) -> None:
        while (seen := await peer.read(reader, number)) is not None:
            if seen.method == "HEAD":
                writer.write(ok(b"", "Content-Length: 5"))  # no body: right for HEAD
            elif number == 1:
                writer.write(b"hello" + ok(b"stale"))  # the HEAD body, sent late, first
            else:
                writer.write(ok(b"fresh"))
            await writer.drain()

    async with Peer(late_body) as peer, client() as c:
        assert (await c.head(peer.url())).status_code == 200
        second = await c.get(peer.url())
    assert second.content == b"fresh"
    assert peer.connections == 2
    assert [seen.connection for seen in peer.seen] == [1, 1, 2]


async def test_garbage_on_a_new_connection_is_the_servers_answer():
    """Only a reused connection is given a second chance: garbage on a new one is reported."""
    async with Peer(each(b"this is not http\r\n\r\n")) as peer, client() as c:
        with pytest.raises(httpx.RemoteProtocolError):
            await c.get(peer.url())
    assert len(peer.seen) == 1


async def test_a_connection_opened_after_aclose_is_closed_at_once():
    """aclose while a connection is being opened: it is closed, not left open and unowned."""
    t = None
    opened: list[wire.Wire] = []
    guard = Guard(allow_private=True)

    async def connect_then_close(*args):
        connection = await guard.connect(*args)
        opened.append(connection)
        await t.aclose()  # the transport closes while this connection was being opened
        return connection

    t = wire.Transport(connect_then_close, ssl.create_default_context())
    async with Peer(each(ok(b"x"))) as peer:
        with pytest.raises(httpx.ConnectError, match="closed"):
            await t.handle_async_request(httpx.Request("GET", peer.url()))
        await peer.over(1)
    assert opened[0].ended
    assert t._open == set()


# ------------------------------------------------------------- hardening (issue 13)
def folded_head(size: int) -> bytes:
    """A head of ``size`` bytes whose one field is folded into thousands of lines."""
    start = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX: a"
    folds = (size - len(start) - 4) // 4
    return start + b"\r\n b" * folds + b"\r\n\r\n"


class CountingPattern:
    """Stands in for a compiled pattern and counts the bytes it is asked to search."""

    def __init__(self, pattern) -> None:
        self.pattern = pattern
        self.searched = 0

    def search(self, data, *args):
        self.searched += len(data)
        return self.pattern.search(data, *args)


async def test_a_folded_head_costs_what_its_size_costs(monkeypatch):
    """Parsing is linear: a 100 KB head folded into 25,000 lines is checked byte for byte
    once, ten times the work of a 10 KB one (rebuilding and re-checking the value at each
    folded line cost 100 times as much: seconds of CPU that stalled every other link)."""
    searched = {}
    for size in (10_000, wire.MAX_HEAD - 100):
        head = folded_head(size)
        counting = CountingPattern(wire._BAD_IN_VALUE)
        monkeypatch.setattr(wire, "_BAD_IN_VALUE", counting)
        async with Peer(each(head)) as peer, client() as c:
            response = await c.get(peer.url())
        assert response.headers["x"] == "a" + " b" * head.count(b"\r\n b")
        searched[size] = counting.searched
    assert searched[10_000] <= 10_000
    assert searched[wire.MAX_HEAD - 100] <= wire.MAX_HEAD


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (b"Set-Cookie", b"sid=a\x01b; Path=/"),
        (b"X-Powered-By", b"x\x7f"),
        (b"X-Escape", b"\x1b[31mred\x1b[0m"),
        (b"X-Form-Feed", b"a\x0cb\x0bc"),
    ],
    ids=["SOH in a cookie", "DEL", "ESC", "FF and VT"],
)
async def test_control_characters_other_than_cr_lf_nul_are_kept(field, value):
    """A header value with a control character other than CR, LF and NUL is kept as sent
    (RFC 9110 5.5; browsers, h11 and llhttp keep them): the page works."""
    answer = b"HTTP/1.1 200 OK\r\n" + field + b": " + value + b"\r\nContent-Length: 2\r\n\r\nok"
    async with Peer(each(answer)) as peer, client() as c:
        response = await c.get(peer.url())
    assert (response.status_code, response.content) == (200, b"ok")
    assert (field, value) in response.headers.raw


async def test_a_page_with_a_control_character_in_a_cookie_is_ok():
    """The probe reports such a page as it is: HTTP 200, not 'not a valid HTTP answer'."""
    answer = b"HTTP/1.1 200 OK\r\nSet-Cookie: sid=a\x01b\r\nContent-Length: 0\r\n\r\n"
    async with Peer(each(answer)) as peer, prober() as p:
        obs = await p.probe(peer.url(), Policy(timeout=WAIT))
    assert (obs.status_code, obs.failure) == (200, None)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (b"HTTP/1.1 200 OK\r\nX-Bad: a\x00b\r\n\r\n", "a control character in the X-Bad header"),
        (b"HTTP/1.1 200 OK\r\nX-Bad: a\rb\r\n\r\n", "a control character in the X-Bad header"),
        (b"HTTP/1.1 200 OK\r\nX-Bad: ab\r\r\n\r\n", "a control character in the X-Bad header"),
        (
            b"HTTP/1.1 200 O\x00K\r\n\r\n",
            "not an HTTP/1.x status line: 'HTTP/1.1 200 O\\x00K'",
        ),
    ],
    ids=["NUL", "bare CR", "CR CR LF", "NUL in the reason"],
)
async def test_cr_and_nul_are_still_refused(answer, reason):
    """CR and NUL, which split or cut a field, are refused wherever they are in the head."""
    async with Peer(once(answer, then="wait")) as peer, client() as c:
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await c.get(peer.url(), timeout=WAIT)
    assert str(caught.value) == reason


@pytest.mark.parametrize("coding", ["identity", "gzip", "gzip, identity"])
async def test_transfer_encoding_not_chunked_with_a_length_ends_at_the_length(coding):
    """Transfer-Encoding without chunked, and a Content-Length: the body runs to the close
    (RFC 9112 6.3) but no further than the length, so a server keeping the connection open
    does not hold the link until its deadline; that connection is not used again."""
    answer = ok(b"hello", f"Transfer-Encoding: {coding}", "Content-Length: 5")
    async with Peer(each(answer)) as peer, client() as c:
        first = await c.get(peer.url(), timeout=WAIT)
        await peer.over(1)  # dropped, not kept
        second = await c.get(peer.url(), timeout=WAIT)
    assert (first.status_code, first.content, second.content) == (200, b"hello", b"hello")
    assert peer.connections == 2


async def test_transfer_encoding_not_chunked_without_a_length_runs_to_the_close():
    """Without a Content-Length, such a body is read to the close (RFC 9112 6.3)."""
    answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\n" + b"all of it" * 100
    async with Peer(once(answer)) as peer, client() as c:
        response = await c.get(peer.url(), timeout=WAIT)
    assert response.content == b"all of it" * 100


CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"5\nhello\n0\n\n", "a chunk's size does not end in CRLF"),
        (b"5\r\nhello\n0\r\n\r\n", "a chunk does not end in CRLF where its size says"),
        (b"5\r\nhello\r\n0\r\n\n", "a chunk's trailer section does not end in CRLF"),
        (b"5\r\r\nhello\r\n0\r\n\r\n", "a chunk's size does not end in CRLF"),
        (b"5\r\nhello\r\r\n0\r\n\r\n", "a chunk does not end in CRLF where its size says"),
        (b"5\r\nhello\r\n0\r\r\n\r\n", "a chunk's size does not end in CRLF"),
        (b"5\r\nhello\r\n0\r\nX: 1\r\r\n\r\n", "a chunk's trailer section does not end in CRLF"),
        (b"5\r\nhello\r\n0\r\nno colon\r\n\r\n", "not a header field: 'no colon'"),
    ],
    ids=[
        "bare LF everywhere",
        "bare LF after data",
        "bare LF ending the trailers",
        "CR CR LF after the size",
        "CR CR LF after data",
        "CR CR LF after the last chunk",
        "CR CR LF in a trailer",
        "a malformed trailer",
    ],
)
async def test_chunked_framing_needs_crlf(body, reason):
    """Chunk lines end in CRLF (RFC 9112 7.1): bare LF and stray CR are refused there."""
    async with Peer(once(CHUNKED + body, then="wait")) as peer, client() as c:
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await c.get(peer.url(), timeout=WAIT)
    assert str(caught.value) == reason


def endless(start: bytes, repeated: bytes):
    """A handler answering with ``start``, then ``repeated`` until the client hangs up."""

    async def handler(peer: Peer, number: int, reader, writer) -> None:
        await peer.read(reader, number)
        writer.write(start)
        with contextlib.suppress(ConnectionError):
            while True:
                writer.write(repeated * 64)
                await writer.drain()

    return handler


@pytest.mark.parametrize(
    ("start", "repeated", "reason"),
    [
        (
            b"",
            b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n",
            "the answer's head is over 102400 bytes with the 1xx answers before it",
        ),
        (
            CHUNKED + b"0\r\n",
            b"X-Trailer: " + b"t" * 100 + b"\r\n",
            "a chunked body's trailer section is over 102400 bytes",
        ),
        (
            CHUNKED,
            b"1;" + b"e" * 200 + b"\r\nx\r\n",
            "a chunked body's extensions are over 102400 bytes",
        ),
    ],
    ids=["1xx answers", "trailer fields", "chunk extensions"],
)
async def test_endless_framing_is_bounded_like_the_head(start, repeated, reason):
    """Interim answers, trailer fields and chunk extensions without end are refused once
    they pass MAX_HEAD, instead of burning a core until the link's deadline."""
    async with Peer(endless(start, repeated)) as peer, client() as c:
        async with asyncio.timeout(WAIT):  # a safety net: the refusal comes long before
            with pytest.raises(httpx.RemoteProtocolError) as caught:
                await c.get(peer.url(), timeout=WAIT)
        await peer.over(1)
    assert str(caught.value) == reason


async def test_a_long_chunked_body_of_plain_chunks_is_read_whole():
    """The extensions' budget leaves plain chunks alone: 50,000 one-byte chunks are a body."""
    body = b"1\r\nx\r\n" * 50_000 + b"0\r\n\r\n"
    async with Peer(each(CHUNKED + body)) as peer, client() as c:
        response = await c.get(peer.url())
    assert response.content == b"x" * 50_000


@pytest.mark.parametrize(
    ("answer", "content"),
    [
        (ok(b"hello", "Content-Length: " + "0" * 30 + "5"), b"hello"),
        (ok(b"", "Content-Length: " + "0" * 30), b""),
        (CHUNKED + b"0" * 30 + b"5\r\nhello\r\n" + b"0" * 30 + b"\r\n\r\n", b"hello"),
    ],
    ids=["Content-Length", "zero Content-Length", "chunk sizes"],
)
async def test_leading_zeros_are_not_limited(answer, content):
    """RFC 9112 sets no limit on digits: leading zeros in lengths are read as zeros."""
    async with Peer(each(answer)) as peer, client() as c:
        first = await c.get(peer.url())
        second = await c.get(peer.url())
    assert (first.content, second.content) == (content, content)
    assert peer.connections == 1


@pytest.mark.parametrize("version", ["1.2", "1.9"])
async def test_a_later_minor_version_is_read_as_1_1(version):
    """HTTP/1.2 and later 1.x answers are read as HTTP/1.1 (RFC 9110 2.5), kept alive too."""
    async with Peer(each(ok(b"hi", version=version))) as peer, client() as c:
        first = await c.get(peer.url())
        second = await c.get(peer.url())
    assert (first.status_code, first.content, first.http_version) == (200, b"hi", "HTTP/1.1")
    assert second.content == b"hi"
    assert peer.connections == 1


def dripping(start: bytes):
    """A handler sending ``start``, then one byte every few milliseconds, for ever."""

    async def handler(peer: Peer, number: int, reader, writer) -> None:
        await peer.read(reader, number)
        writer.write(start)
        with contextlib.suppress(ConnectionError):
            while True:
                writer.write(b"x")
                await writer.drain()
                await asyncio.sleep(0.005)  # the hostile server's pace, not synchronisation

    return handler


@pytest.mark.parametrize(
    "start",
    [b"HTTP/1.1 200 OK\r\nX-Drip: ", b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n"],
    ids=["head", "body"],
)
async def test_the_transport_has_a_deadline_of_its_own(start):
    """A server dripping bytes resets every per-read timeout; the transport's own deadline
    still ends the exchange (for callers without the probe's deadline)."""
    async with Peer(dripping(start)) as peer, client(total_timeout=0.2) as c:
        async with asyncio.timeout(WAIT):  # a safety net: the deadline comes long before
            with pytest.raises(httpx.ReadTimeout) as caught:
                await c.get(peer.url(), timeout=WAIT)
        await peer.over(1)
    assert str(caught.value) == "no complete answer within 0.2 s"


async def test_the_name_lookup_is_inside_the_connect_timeout():
    """A lookup that never answers ends at the connect timeout, as a lookup failure."""
    never = asyncio.Event()

    async def stuck(host: str, port: int):
        await never.wait()
        return ["127.0.0.1"]

    async with client(guard=Guard(stuck, allow_private=True)) as c:
        async with asyncio.timeout(WAIT):  # a safety net: the connect timeout comes first
            with pytest.raises(NameLookupError) as caught:
                await c.get("http://stuck.test/", timeout=httpx.Timeout(WAIT, connect=0.05))
    assert str(caught.value) == "stuck.test: no address within 0.05 s"


async def test_an_unusable_length_beside_transfer_encoding_is_ignored():
    """Transfer-Encoding without chunked and a Content-Length that is no number: the length
    is ignored, as any is beside Transfer-Encoding, and the body runs to the close."""
    answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: five\r\n\r\nall"
    async with Peer(once(answer)) as peer, client() as c:
        response = await c.get(peer.url(), timeout=WAIT)
    assert response.content == b"all"


async def test_a_close_inside_a_chunks_crlf_is_a_cut_body():
    """A close between a chunk's data and its CRLF is a body cut short."""
    async with Peer(once(CHUNKED + b"5\r\nhello\r")) as peer, client() as c:
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await c.get(peer.url(), timeout=WAIT)
    assert str(caught.value) == "the body ended inside a chunk's end"
