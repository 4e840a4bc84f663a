"""wire.py against h11, answer by answer: a corpus of raw responses, valid and hostile,
served from 127.0.0.1 and read by both.

Every disagreement is either a failure or listed in ``DISAGREEMENTS`` with the RFC section
that makes linkwatch right (and what each side did, so a listed one that changes fails
too). Each answer is read twice: once from a server that closes after it, once from one
that keeps the connection open and answers a second request, whose answer must be exactly
the second one, never bytes of the first: no answer is ever given to the wrong link.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass
from typing import Any

import h11
import httpx
import pytest

from linkwatch.network import wire
from linkwatch.network.client import Guard

pytestmark = pytest.mark.anyio

WAIT = 2.0
SECOND = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond"
REFUSED = ("refused",)


@dataclass(frozen=True)
class Case:
    raw: bytes
    method: str = "GET"
    closes: bool = False  # the body runs to the close, or the answer is cut by it


def ok(body: bytes = b"", *fields: bytes, status: bytes = b"200 OK") -> bytes:
    head = b"HTTP/1.1 " + status + b"\r\n" + b"".join(f + b"\r\n" for f in fields)
    if not any(f.lower().startswith((b"content-length", b"transfer-encoding")) for f in fields):
        head += b"Content-Length: %d\r\n" % len(body)
    return head + b"\r\n" + body


CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

CORPUS: dict[str, Case] = {
    # -------------------------------------------------------------- valid, and odd
    "content-length": Case(ok(b"hello", b"X-A: b")),
    "zero length": Case(ok(b"")),
    "chunked": Case(CHUNKED + b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
    "chunk extensions": Case(CHUNKED + b'5;a=b\r\nhello\r\n6 ; q="x;y"\r\n world\r\n0\r\n\r\n'),
    "trailers": Case(CHUNKED + b"5\r\nhello\r\n0\r\nX-T: 1\r\nY-T: 2\r\n\r\n"),
    "upper-case hex": Case(CHUNKED + b"A\r\n0123456789\r\n0\r\n\r\n"),
    "close-delimited": Case(b"HTTP/1.1 200 OK\r\nX-A: b\r\n\r\nto the end", closes=True),
    "HTTP/1.0 with length": Case(ok(b"ten").replace(b"HTTP/1.1", b"HTTP/1.0")),
    "HTTP/1.0 keep-alive": Case(
        ok(b"ten", b"Connection: keep-alive").replace(b"HTTP/1.1", b"HTTP/1.0")
    ),
    "HTTP/1.0 close-delimited": Case(b"HTTP/1.0 200 OK\r\n\r\nbody", closes=True),
    "HTTP/1.2": Case(ok(b"hi").replace(b"HTTP/1.1", b"HTTP/1.2")),
    "no reason phrase": Case(b"HTTP/1.1 404\r\nContent-Length: 2\r\n\r\nno"),
    "empty reason phrase": Case(b"HTTP/1.1 404 \r\nContent-Length: 2\r\n\r\nno"),
    "reason with tab": Case(ok(b"", status=b"200 all\tgood")),
    "non-ASCII reason": Case(ok(b"", status=b"200 \xc3\x9cber \xff")),
    "non-ASCII value": Case(ok(b"", b"X-Name: caf\xc3\xa9 \xff")),
    "status 599": Case(ok(b"x", status=b"599 Odd")),
    "status 999": Case(ok(b"x", status=b"999 Linkedin")),
    "status 600": Case(ok(b"x", status=b"600 Beyond")),
    "status 299": Case(ok(b"x", status=b"299 Odd")),
    "obsolete folding": Case(ok(b"", b"X-F: one", b"  two", b"\tthree ")),
    "folding an empty value": Case(ok(b"", b"X-F:", b" two")),
    "bare LF head": Case(b"HTTP/1.1 200 OK\nX-A: b\nContent-Length: 2\n\nok"),
    "mixed line ends": Case(b"HTTP/1.1 200 OK\r\nX-A: b\nContent-Length: 2\r\n\nok"),
    "white space around values": Case(ok(b"", b"X-A:   spaced \t ")),
    "empty value": Case(ok(b"", b"X-Empty:")),
    "same length twice": Case(ok(b"hello", b"Content-Length: 5", b"Content-Length: 5")),
    "same length listed": Case(ok(b"hello", b"Content-Length: 5, 5")),
    "length with leading zeros": Case(ok(b"hello", b"Content-Length: 0005")),
    "length, 30 leading zeros": Case(ok(b"hello", b"Content-Length: " + b"0" * 29 + b"5")),
    "chunk size, 30 leading zeros": Case(CHUNKED + b"0" * 29 + b"5\r\nhello\r\n0\r\n\r\n"),
    "bytes after the length": Case(ok(b"hello", b"Content-Length: 5") + b" world"),
    "interim answers": Case(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        + ok(b"final")
    ),
    # ----------------------------------------------------------- bodies where none belong
    "204 with a body": Case(ok(b"hello", status=b"204 No Content")),
    "304 with a body": Case(ok(b"hello", status=b"304 Not Modified")),
    "304 chunked": Case(
        b"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    ),
    "HEAD with a body": Case(ok(b"hello"), method="HEAD"),
    "HEAD chunked with a body": Case(CHUNKED + b"5\r\nhello\r\n0\r\n\r\n", method="HEAD"),
    "100 with a body": Case(
        b"HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\nhello" + ok(b"final")
    ),
    "101 switching": Case(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"),
    # --------------------------------------------------------------------- framing
    "chunked and a length": Case(
        ok(b"5\r\nhello\r\n0\r\n\r\n", b"Transfer-Encoding: chunked", b"Content-Length: 99")
    ),
    "a length and chunked": Case(
        ok(b"5\r\nhello\r\n0\r\n\r\n", b"Content-Length: 3", b"Transfer-Encoding: chunked")
    ),
    "chunked in HTTP/1.0": Case(
        (CHUNKED + b"2\r\nhi\r\n0\r\n\r\n").replace(b"HTTP/1.1", b"HTTP/1.0")
    ),
    "Transfer-Encoding: Chunked": Case(ok(b"2\r\nhi\r\n0\r\n\r\n", b"Transfer-Encoding: Chunked")),
    "identity and a length": Case(
        ok(b"hello", b"Transfer-Encoding: identity", b"Content-Length: 5")
    ),
    "gzip and a length": Case(ok(b"hello", b"Transfer-Encoding: gzip", b"Content-Length: 5")),
    "identity to the close": Case(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nall of it", closes=True
    ),
    "chunked, then gzip": Case(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nraw", closes=True
    ),
    "chunked twice": Case(
        ok(b"2\r\nhi\r\n0\r\n\r\n", b"Transfer-Encoding: chunked", b"Transfer-Encoding: chunked")
    ),
    "conflicting lengths": Case(ok(b"hello!", b"Content-Length: 5", b"Content-Length: 6")),
    "conflicting list": Case(ok(b"hello!", b"Content-Length: 5, 6")),
    "length as 5 and 05": Case(ok(b"hello", b"Content-Length: 5", b"Content-Length: 05")),
    "negative length": Case(ok(b"hello", b"Content-Length: -5")),
    "length with a plus": Case(ok(b"hello", b"Content-Length: +5")),
    "hex length": Case(ok(b"hello", b"Content-Length: 0x5")),
    "empty length": Case(ok(b"hello", b"Content-Length:")),
    "huge length": Case(ok(b"hello", b"Content-Length: 1234567890123456789012"), closes=True),
    "chunk size too long": Case(CHUNKED + b"3\r\nhello\r\n0\r\n\r\n"),
    "chunk size not hex": Case(CHUNKED + b"zz\r\nhello\r\n0\r\n\r\n"),
    "chunk size negative": Case(CHUNKED + b"-5\r\nhello\r\n0\r\n\r\n"),
    "chunk size with a plus": Case(CHUNKED + b"+5\r\nhello\r\n0\r\n\r\n"),
    "bare LF chunks": Case(CHUNKED + b"5\nhello\n0\n\n"),
    "bare LF after data": Case(CHUNKED + b"5\r\nhello\n0\r\n\r\n"),
    "bare CR after the size": Case(CHUNKED + b"5\r\r\nhello\r\n0\r\n\r\n"),
    "malformed trailer": Case(CHUNKED + b"5\r\nhello\r\n0\r\nno colon\r\n\r\n"),
    "trailer with NUL": Case(CHUNKED + b"5\r\nhello\r\n0\r\nX-T: a\x00b\r\n\r\n"),
    "cut in the head": Case(b"HTTP/1.1 200 OK\r\nContent-Le", closes=True),
    "cut in the body": Case(ok(b"abc", b"Content-Length: 10"), closes=True),
    "cut in a chunk": Case(CHUNKED + b"5\r\nhel", closes=True),
    "no last chunk": Case(CHUNKED + b"5\r\nhello\r\n", closes=True),
    "interim answer only": Case(b"HTTP/1.1 100 Continue\r\n\r\n", closes=True),
    "nothing at all": Case(b"", closes=True),
    # ------------------------------------------------------------------- the head
    "NUL in a value": Case(ok(b"", b"X-Bad: a\x00b")),
    "CR in a value": Case(ok(b"", b"X-Bad: a\rb")),
    "CR CR LF": Case(ok(b"", b"X-Bad: ab\r")),
    "SOH in a cookie": Case(ok(b"", b"Set-Cookie: sid=a\x01b")),
    "DEL in a value": Case(ok(b"", b"X-Powered-By: x\x7f")),
    "ESC in a value": Case(ok(b"", b"X-Esc: \x1b[31mred")),
    "VT and FF in a value": Case(ok(b"", b"X-Odd: a\x0bb\x0cc")),
    "NUL folded": Case(ok(b"", b"X-Bad: a", b" b\x00c")),
    "NUL in the reason": Case(ok(b"", status=b"200 O\x00K")),
    "folding first": Case(b"HTTP/1.1 200 OK\r\n folded: x\r\nContent-Length: 0\r\n\r\n"),
    "no colon": Case(ok(b"", b"No colon here")),
    "space before the colon": Case(ok(b"", b"Content-Length : 0")),
    "tab before the colon": Case(ok(b"", b"X-A\t: b")),
    "empty name": Case(ok(b"", b": value")),
    "non-token name": Case(ok(b"", b"X(A): b")),
    "status 099": Case(ok(b"", status=b"099 Low")),
    "status 000": Case(ok(b"", status=b"000 Zero")),
    "two-digit status": Case(b"HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n"),
    "four-digit status": Case(b"HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n"),
    "no space after the status": Case(b"HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n"),
    "lower-case http": Case(b"http/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
    "HTTP/2": Case(b"HTTP/2 200\r\ncontent-length: 0\r\n\r\n"),
    "HTTP/2.0": Case(b"HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"),
    "HTTP/0.9": Case(b"<html>no status line</html>", closes=True),
    "a TLS record": Case(b"\x16\x03\x01\x00\xa5\x01\x00\x00\r\n\r\n"),
    "leading blank line": Case(b"\r\n" + ok(b"x")),
    "head over MAX_HEAD": Case(ok(b"", b"X-Big: " + b"a" * (wire.MAX_HEAD + 10))),
    "a folded head of 90 KB": Case(ok(b"", b"X: a" + b"\r\n b" * 23_000)),
}

# What h11 does differently, and why linkwatch's reading is the right one for it.
# Each entry: (linkwatch's result, h11's result, the reason).
DISAGREEMENTS: dict[str, tuple[object, object, str]] = {
    "chunk extensions": (
        ("answer", 200, b"OK", (), b"hello world"),
        REFUSED,
        "RFC 9112 7.1.1: white space (BWS) is allowed before a chunk extension's ';'",
    ),
    "length, 30 leading zeros": (
        ("answer", 200, b"OK", (), b"hello"),
        REFUSED,
        "RFC 9112 6.3 and RFC 9110 8.6: Content-Length is 1*DIGIT, with no limit on zeros",
    ),
    "chunk size, 30 leading zeros": (
        ("answer", 200, b"OK", (), b"hello"),
        REFUSED,
        "RFC 9112 7.1: chunk-size is 1*HEXDIG, with no limit on zeros",
    ),
    "identity and a length": (
        ("answer", 200, b"OK", (), b"hello"),
        REFUSED,
        (
            "RFC 9112 6.3 (3): without chunked last, the body runs to the close (and here no "
            "further than the Content-Length: a kept-alive server would hold it otherwise)"
        ),
    ),
    "gzip and a length": (
        ("answer", 200, b"OK", (), b"hello"),
        REFUSED,
        "RFC 9112 6.3 (3), as above; the body is handed up undecoded, as every body is",
    ),
    "identity to the close": (
        ("answer", 200, b"OK", (), b"all of it"),
        REFUSED,
        "RFC 9112 6.3 (3): without chunked last, the body runs to the close",
    ),
    "chunked, then gzip": (
        ("answer", 200, b"OK", (), b"raw"),
        REFUSED,
        "RFC 9112 6.3 (3) and 6.1: chunked not last means the body runs to the close",
    ),
    "VT and FF in a value": (
        ("answer", 200, b"OK", ((b"x-odd", b"a\x0bb\x0cc"),), b""),
        REFUSED,
        (
            "RFC 9110 5.5: only CR, LF and NUL must be refused; other controls may be kept "
            "(and reports neutralise every control character)"
        ),
    ),
    "HTTP/2.0": (
        REFUSED,
        ("answer", 200, b"OK", (), b""),
        (
            "RFC 9112 2.3 and RFC 9110 2.5: HTTP/1.1's syntax is HTTP/1.x; an HTTP/2 status line "
            "on an HTTP/1.1 connection is not an answer this parser can read"
        ),
    ),
    "head over MAX_HEAD": (
        REFUSED,
        ("answer", 200, b"OK", ((b"x-big", b"a" * (wire.MAX_HEAD + 10)),), b""),
        (
            "RFC 9110 5.4: a client may refuse a head larger than it wishes to process; h11 "
            "only bounds a head that has not arrived whole"
        ),
    ),
}


# ---------------------------------------------------------------------- the server
async def _serve(case: Case, *, keep_open: bool, reader, writer) -> None:
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            target = head.split(b" ", 2)[1]
            writer.write(SECOND if target == b"/second" else case.raw)
            await writer.drain()
            if case.closes or not keep_open:
                break
    writer.close()


@contextlib.asynccontextmanager
async def serving(case: Case, *, keep_open: bool):
    tasks: set[asyncio.Task[None]] = set()
    writers = []

    async def connection(reader, writer) -> None:
        writers.append(writer)
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        await _serve(case, keep_open=keep_open, reader=reader, writer=writer)

    server = await asyncio.start_server(connection, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in writers:
            writer.transport.abort()
        if tasks:
            await asyncio.wait(tasks, timeout=WAIT)
        await server.wait_closed()


# ---------------------------------------------------------------------- the readers
# h11 rewrites these two (joins repeated lengths, lower-cases codings); what they decide,
# the body, is compared instead.
FRAMING = frozenset({b"content-length", b"transfer-encoding"})


def _answer(status: int, reason: bytes, headers: Any, body: bytes) -> tuple[object, ...]:
    fields = tuple((n.lower(), v) for n, v in headers if n.lower() not in FRAMING)
    return ("answer", status, reason, fields, body)


async def read_with_wire(client: httpx.AsyncClient, port: int, method: str, path: str):
    try:
        response = await client.request(method, f"http://127.0.0.1:{port}{path}", timeout=WAIT)
    except (httpx.RemoteProtocolError, httpx.ReadError):
        return REFUSED
    reason = response.extensions["reason_phrase"]
    return _answer(response.status_code, reason, response.headers.raw, response.content)


class H11Client:
    """h11 over asyncio streams, one connection reused while h11 says it may be."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: h11.Connection | None = None
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].transport.abort()
        self.connection = self.streams = None

    async def request(self, method: str, path: str):
        conn = self.connection
        if conn is not None and conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
        else:
            await self.close()
            conn = self.connection = h11.Connection(
                h11.CLIENT, max_incomplete_event_size=wire.MAX_HEAD
            )
            self.streams = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.streams
        headers = [("Host", f"127.0.0.1:{self.port}"), ("Accept-Encoding", "identity")]
        writer.write(conn.send(h11.Request(method=method, target=path, headers=headers)))
        writer.write(conn.send(h11.EndOfMessage()))
        try:
            async with asyncio.timeout(WAIT):
                return await self._response(conn, reader)
        except (h11.ProtocolError, ConnectionError):
            await self.close()
            return REFUSED
        except TimeoutError:
            await self.close()
            return ("no answer within the timeout",)

    async def _response(self, conn: h11.Connection, reader: asyncio.StreamReader):
        response = None
        body = b""
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await reader.read(65536))
            elif isinstance(event, h11.Response):
                response = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                assert response is not None
                return _answer(response.status_code, response.reason, response.headers, body)
            elif isinstance(event, h11.ConnectionClosed):
                raise h11.RemoteProtocolError("closed")
            elif event is h11.PAUSED:  # 101: h11 hands the connection over
                return ("switched", event)
            # InformationalResponse: the final answer follows


TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # never used (plain HTTP); loading CAs is slow


def wire_client() -> httpx.AsyncClient:
    guard = Guard(allow_private=True)
    transport = wire.Transport(guard.connect, TLS)
    return httpx.AsyncClient(transport=transport, trust_env=False)


async def both(case: Case):
    """(wire's, h11's) results for the case, read from a server that closes after it."""
    async with serving(case, keep_open=False) as port, wire_client() as client:
        h11_client = H11Client(port)
        try:
            return (
                await read_with_wire(client, port, case.method, "/case"),
                await h11_client.request(case.method, "/case"),
            )
        finally:
            await h11_client.close()


async def kept_alive(case: Case):
    """wire's results for the case and for a second request on a connection kept open."""
    async with serving(case, keep_open=True) as port, wire_client() as client:
        return (
            await read_with_wire(client, port, case.method, "/case"),
            await read_with_wire(client, port, "GET", "/second"),
        )


SECOND_ANSWER = _answer(200, b"OK", [], b"second")


# ------------------------------------------------------------------------ the test
@pytest.mark.parametrize("name", CORPUS)
async def test_wire_and_h11_agree_or_the_difference_is_listed(name):
    """From a server that closes after answering, both read the same, or the listed
    difference exactly. From one that keeps the connection open, the transport reads the
    same again, and a second request on it gets exactly the second answer, never bytes the
    server sent after the first: no answer goes to the wrong link."""
    ours, theirs = await both(CORPUS[name])
    if name in DISAGREEMENTS:
        assert (ours, theirs) == DISAGREEMENTS[name][:2]
    else:
        assert ours == theirs
    again, second = await kept_alive(CORPUS[name])
    assert again == ours
    assert second == SECOND_ANSWER
