"""linkwatch's HTTP/1.1 transport under httpx: asyncio protocols, kept-alive connections.

httpx's API stays (the probe and the respx tests are written against it); this replaces what
sits below it, httpcore's pool, h11 and the network backend, because at thousands of links
those were most of a run's CPU (docs/design.md, "Transport"). It does what a link checker
needs and no more:

- One request at a time per connection, connections kept alive per origin (scheme, host,
  port), at most ``max_idle`` idle ones in all, each dropped after ``keepalive_expiry``.
- Connections are opened through ``connect`` (client.py passes the private-address guard,
  which resolves, refuses and connects to the address it checked), directly or through an
  HTTP proxy: an https origin through a CONNECT tunnel (``open_tunnel``), TLS then verified
  end to end against the origin's host; an http one by asking the proxy in absolute form
  (``GET http://host/path``), with its Proxy-Authorization.
- Bodies are handed up exactly as they arrive (Content-Length, chunked or up to the close),
  never decoded: decoding, and bounding it, is the probe's job.
- A kept-alive connection that the server closed while it was idle is noticed before use
  or, for HEAD and GET, when no valid answer head comes back on it (closed, reset, or
  bytes of an earlier answer sent late): the request then goes once more on a new
  connection, as browsers do. Anything else the server gets wrong becomes
  httpx's exception for it (RemoteProtocolError, ReadError, ReadTimeout...), with the
  original error as ``__cause__``.

Responses are parsed to RFC 9112, in time linear in their size: status line (HTTP/1.x,
a later minor version read as 1.1), header fields (obsolete line folding unfolded; CR, LF
and NUL refused, other control characters kept), 1xx answers skipped, the body's length
from Transfer-Encoding, then Content-Length (conflicting values refused), else the close.
Chunk lines need CRLF. Whatever carries no body data (the head and the 1xx answers before
it, chunk extensions, trailer fields) is bounded by ``MAX_HEAD``, and every exchange by
``total_timeout``, however often its per-read timeouts restart.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, cast

import httpcore
import httpx

if TYPE_CHECKING:
    import ssl
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterable

    from linkwatch.network.proxy import Proxy

    Origin = tuple[str, str, int]
    # Opens a connection: (protocol factory, host, port, TLS context or None, timeout, the
    # proxy to go through or None).
    Connect = Callable[
        [Callable[[], "Wire"], str, int, "ssl.SSLContext | None", "float | None", "Proxy | None"],
        Awaitable["Wire"],
    ]
    # The proxy for (scheme, host, port), or None to connect directly.
    Route = Callable[[str, str, int], "Proxy | None"]

# The most one request may take, connect to last byte, whatever its per-read timeouts:
# the longest deadline a link may be given (links.yaml allows 600 s).
TOTAL_TIMEOUT = 600.0
MAX_HEAD = 100 * 1024  # status line and header fields; as much as httpcore allowed
READ_CHUNK = 64 * 1024  # the most handed up at once
PAUSE_ABOVE = 256 * 1024  # bytes buffered before the socket is no longer read
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})

_END_OF_HEAD = re.compile(rb"\r?\n\r?\n")
_STATUS_LINE = re.compile(rb"HTTP/1\.([0-9]) ([0-9]{3})(?: ([^\r\n]*))?")
_TOKEN = re.compile(rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+")
_BAD_IN_VALUE = re.compile(rb"[\x00\r\n]")
_BAD_IN_REQUEST = re.compile(rb"[\x00\r\n]")
_PLAIN_SIZE_LINE = 32  # a size line this long needs no share of the extensions' budget
# Leading zeros however many (RFC 9112 sets no limit), then at most 16 hex digits (2^64).
_CHUNK_SIZE = re.compile(rb"0*([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?")


class Wire(asyncio.Protocol):
    """One connection's bytes as they arrive: a buffer, its end, and a way to wait for more."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.ended = False  # the peer closed, or the connection was lost
        self.error: Exception | None = None  # why it was lost, if not cleanly
        self._waiter: asyncio.Future[None] | None = None
        self._reading_paused = False
        self._writable: asyncio.Future[None] | None = None  # set while writing is paused
        # The loop time by which the exchange in progress must be over (Transport sets it):
        # no wait lasts past it, however the per-read timeouts restart with every byte.
        self.deadline: float | None = None

    # asyncio's callbacks
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.Transport", transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > PAUSE_ABOVE and self.transport is not None:
            self.transport.pause_reading()
            self._reading_paused = True
        self._wake()

    def eof_received(self) -> bool:
        self.ended = True
        self._wake()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        self.error = exc
        self._wake()
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def pause_writing(self) -> None:
        self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # used by the transport
    async def more(self, timeout: float | None) -> None:  # noqa: ASYNC109 - httpx's per-read timeout
        """Wait until more bytes or the end arrive; TimeoutError after ``timeout`` seconds."""
        if self._reading_paused and self.transport is not None:
            self._reading_paused = False
            self.transport.resume_reading()
        waiter = self._waiter = asyncio.get_running_loop().create_future()
        await self._wait(waiter, timeout)

    async def send(self, data: bytes, timeout: float | None) -> None:  # noqa: ASYNC109 - httpx's per-write timeout
        if self.ended or self.transport is None or self.transport.is_closing():
            raise ConnectionResetError("the connection is closed")
        self.transport.write(data)
        if self._writable is not None:
            await self._wait(self._writable, timeout)
            if self.ended:
                raise self.error or ConnectionResetError("the connection was closed")

    async def _wait(self, future: asyncio.Future[None], timeout: float | None) -> None:  # noqa: ASYNC109
        """Await ``future`` for at most ``timeout`` seconds, and never past the deadline:
        TimeoutError, or DeadlineError when the deadline came first."""
        deadline = self.deadline
        when = None if timeout is None else asyncio.get_running_loop().time() + timeout
        if deadline is None or (when is not None and when < deadline):
            async with asyncio.timeout_at(when):
                await future
            return
        try:
            async with asyncio.timeout_at(deadline):
                await future
        except TimeoutError as e:
            raise DeadlineError from e

    def take(self, size: int) -> bytes:
        chunk = bytes(self.buffer[:size])
        del self.buffer[:size]
        return chunk

    def close(self) -> None:
        # abort, not close: nothing is left to send, and a TLS peer that never answers
        # close_notify must not keep anything waiting.
        if self.transport is not None:
            self.transport.abort()
        self.ended = True

    def get_extra_info(self, name: str) -> Any:  # noqa: ANN401 - asyncio's and httpcore's interface
        """As httpcore's ``network_stream``: ``ssl_object``, ``server_addr``, ``client_addr``..."""
        if self.transport is None:
            return None
        if name == "is_readable":
            return self.ended or bool(self.buffer)
        asked = {"client_addr": "sockname", "server_addr": "peername"}.get(name, name)
        return self.transport.get_extra_info(asked)


class DeadlineError(TimeoutError):
    """The exchange's overall deadline passed (not a per-read or per-write timeout)."""


class _StaleConnectionError(Exception):
    """A reused connection ended before any byte of the answer: send once more on a new one."""


class _Connection:
    __slots__ = ("idle_since", "origin", "reused", "wire")

    def __init__(self, origin: Origin, wire: Wire) -> None:
        self.origin = origin
        self.wire = wire
        self.reused = False
        self.idle_since = 0.0


class Transport(httpx.AsyncBaseTransport):
    """HTTP/1.1 for httpx over asyncio, with connections kept alive per origin."""

    def __init__(
        self,
        connect: Connect,
        ssl_context: ssl.SSLContext,
        *,
        keepalive_expiry: float = 5.0,
        max_idle: int = 256,
        total_timeout: float | None = TOTAL_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        when_mocked: Callable[[], httpx.AsyncBaseTransport] | None = None,
        route: Route | None = None,
    ) -> None:
        self._connect = connect
        self._route = route
        self._when_mocked = when_mocked
        self._ssl_context = ssl_context
        self._keepalive_expiry = keepalive_expiry
        self._max_idle = max_idle
        self._clock = clock
        self._idle: dict[Origin, list[_Connection]] = {}
        self._idle_order: OrderedDict[_Connection, None] = OrderedDict()  # oldest first
        self._open: set[_Connection] = set()
        self._standard: httpx.AsyncBaseTransport | None = None  # only while mocked
        self._closed = False
        self._total_timeout = total_timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if _mocked():
            # respx (or pytest-httpx) has replaced httpx's or httpcore's sending: go the way
            # httpx's own transport goes, so the mock answers exactly as it would there.
            # ``when_mocked`` builds that transport (client.py's keeps the address guard for
            # a route the mock lets through).
            if self._standard is None:
                self._standard = (
                    self._when_mocked()
                    if self._when_mocked is not None
                    else httpx.AsyncHTTPTransport(verify=self._ssl_context)
                )
            return await self._standard.handle_async_request(request)
        url = request.url
        scheme = url.scheme
        if scheme not in {"http", "https"}:
            raise httpx.UnsupportedProtocol(f"not an HTTP URL scheme: {scheme!r}")
        if not url.host:
            raise httpx.UnsupportedProtocol("the URL has no host")
        # The host as sent (IDNA 2008 A-labels, as in the Host header): Python's own codec
        # is IDNA 2003, which maps "straße.de" to another site, strasse.de.
        host = url.raw_host.decode("ascii")
        origin = (scheme, host, url.port or (443 if scheme == "https" else 80))
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        proxy = self._route(*origin) if self._route is not None else None
        # Plain HTTP through a proxy asks the proxy for the whole URL (RFC 9112 3.2.2); HTTPS
        # goes through a tunnel, where the request is the origin's, exactly as sent direct.
        head = _request_head(request, proxy if proxy is not None and scheme == "http" else None)
        body = await _request_body(request)
        # One deadline for the whole exchange (connect, request, head, body, a stale
        # connection's second try): per-read timeouts restart with every byte, so a server
        # dripping one byte a second would otherwise never time out. The probe has its own,
        # shorter deadline; this keeps any other caller safe too.
        loop = asyncio.get_running_loop()
        total = self._total_timeout
        deadline = None if total is None else loop.time() + total
        while True:
            if self._closed:  # closed while a stale connection was being replaced
                raise httpx.ConnectError("the transport is closed")
            connection = self._take_idle(origin)
            if connection is None:
                connect = timeouts.get("connect")
                if deadline is not None:
                    left = max(deadline - loop.time(), 0.0)
                    connect = left if connect is None else min(connect, left)
                connection = await self._new_connection(origin, connect, proxy)
            connection.wire.deadline = deadline
            try:
                response = await self._exchange(connection, request, head + body, timeouts)
            except _StaleConnectionError:
                continue  # that connection was closed; only reused ones are retried
            except BaseException:
                self._drop(connection)
                raise
            if proxy is not None and scheme == "http" and response.status_code == 407:
                # The proxy's answer, not the link's: its credentials are missing or wrong.
                await response.aclose()  # its body unread: the connection is dropped
                raise httpx.ProxyError(
                    f"the proxy {proxy.shown} answered 407 Proxy Authentication Required"
                )
            return response

    async def aclose(self) -> None:
        self._closed = True
        if self._standard is not None:
            await self._standard.aclose()
        for connection in list(self._open):
            connection.wire.close()
        self._open.clear()
        self._idle.clear()
        self._idle_order.clear()

    def _overdue(self, error: BaseException) -> str:
        """What to say when ``error`` is the overall deadline passing, else ''."""
        if isinstance(error, DeadlineError):
            return f"no complete answer within {self._total_timeout:g} s"
        return ""

    # ---------------------------------------------------------------- connections
    async def _new_connection(
        self,
        origin: Origin,
        timeout: float | None,  # noqa: ASYNC109 - httpx's connect timeout
        proxy: Proxy | None,
    ) -> _Connection:
        scheme, host, port = origin
        tls = self._ssl_context if scheme == "https" else None
        wire = await self._connect(Wire, host, port, tls, timeout, proxy)
        if self._closed:  # closed while this one was being opened
            wire.close()
            raise httpx.ConnectError("the transport is closed")
        connection = _Connection(origin, wire)
        self._open.add(connection)
        return connection

    def _take_idle(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = self._clock()
        while idle:
            connection = idle.pop()  # the most recently used: the least likely to be stale
            del self._idle_order[connection]
            wire = connection.wire
            fresh = now - connection.idle_since < self._keepalive_expiry
            if fresh and not wire.ended and not wire.buffer:
                connection.reused = True
                return connection
            self._drop(connection)  # closed, expired, or sent bytes nobody asked for
        return None

    def _keep(self, connection: _Connection) -> None:
        """An answer was read to its end on a connection that may be used again."""
        if self._closed:  # the transport was closed while this answer was being read
            self._drop(connection)
            return
        now = self._clock()
        connection.idle_since = now
        self._idle.setdefault(connection.origin, []).append(connection)
        self._idle_order[connection] = None
        # The oldest go first: too many idle, or idle too long (whatever their origin, so
        # a list of thousands of sites does not keep thousands of sockets open).
        while self._idle_order:
            oldest = next(iter(self._idle_order))
            if (
                len(self._idle_order) <= self._max_idle
                and now - oldest.idle_since < self._keepalive_expiry
            ):
                break
            del self._idle_order[oldest]
            self._idle[oldest.origin].remove(oldest)
            self._drop(oldest)

    def _drop(self, connection: _Connection) -> None:
        connection.wire.close()
        self._open.discard(connection)
        idle = self._idle.get(connection.origin)
        if idle is not None and not idle:
            del self._idle[connection.origin]

    # ------------------------------------------------------------------- exchange
    async def _exchange(
        self,
        connection: _Connection,
        request: httpx.Request,
        data: bytes,
        timeouts: dict[str, float | None],
    ) -> httpx.Response:
        wire = connection.wire
        retry_if_stale = connection.reused and request.method in IDEMPOTENT
        try:
            await wire.send(data, timeouts.get("write"))
        except TimeoutError as e:
            raise httpx.WriteTimeout(
                self._overdue(e) or "the request could not be sent in time"
            ) from e
        except OSError as e:
            if retry_if_stale:
                self._drop(connection)
                raise _StaleConnectionError from e
            raise httpx.WriteError(str(e) or "the connection was closed") from e
        read_timeout = timeouts.get("read")
        # Interim answers count towards the head's bound: a server sending 1xx answers
        # forever is refused once they add up to MAX_HEAD, not read until the deadline.
        head_left = MAX_HEAD
        while True:
            try:
                version, status, reason, headers, size = await _read_head(
                    wire, read_timeout, head_left
                )
            except DeadlineError as e:
                raise httpx.ReadTimeout(self._overdue(e)) from e
            except (httpx.ReadError, httpx.RemoteProtocolError) as e:
                # On a reused connection, no valid head means the connection, not this
                # request, went bad: closed or reset while idle, or still carrying bytes of
                # an earlier answer (a body after a HEAD answer, sent late). GET and HEAD go
                # once more on a new connection; a new one's answer is the server's.
                if retry_if_stale:
                    self._drop(connection)
                    raise _StaleConnectionError from e
                raise
            retry_if_stale = False
            if status == 101 or status >= 200:
                break
            head_left -= size
            # 100 Continue, 103 Early Hints...: an interim answer; the final one follows.
        if status == 101:
            raise httpx.RemoteProtocolError("the server switched protocols unasked")
        framing, length = _framing(request.method, status, headers)
        keep_alive = (
            framing != "close"
            and _keep_alive(version, headers)
            # Both lengths at once smell of response splitting, and so does Transfer-Encoding
            # in HTTP/1.0 (RFC 9112 6.1, 6.3): the body is read by Transfer-Encoding, and the
            # connection is not trusted with another answer.
            and not (
                _field_values(headers, b"transfer-encoding")
                and (version == 0 or _has(headers, b"content-length"))
            )
            # A request that asked for the close gets it, whatever the server says.
            and b"close" not in _field_values(list(request.headers.raw), b"connection")
        )
        stream = _Body(
            self, connection, framing, length, keep_alive=keep_alive, timeout=read_timeout
        )
        return httpx.Response(
            status,
            headers=headers,
            stream=stream,
            request=request,
            extensions={
                "http_version": b"HTTP/1.1" if version == 1 else b"HTTP/1.0",
                "reason_phrase": reason,
                "network_stream": wire,
            },
        )


_HTTPX_SEND = httpx.AsyncHTTPTransport.handle_async_request
_HTTPCORE_SEND = httpcore.AsyncConnectionPool.handle_async_request
# Test doubles that mock httpx by patching its sending: respx (httpcore's pool, its default)
# and pytest-httpx (httpx's transport). Only they divert requests: anything else that wraps
# those methods (tracing, say) must not take linkwatch's connections past the address guard.
_MOCKERS = ("respx.", "pytest_httpx")


def _mocked() -> bool:
    """Whether a known mocking library has replaced httpx's or httpcore's sending."""
    for current, original in (
        (httpcore.AsyncConnectionPool.handle_async_request, _HTTPCORE_SEND),
        (httpx.AsyncHTTPTransport.handle_async_request, _HTTPX_SEND),
    ):
        if current is not original and str(getattr(current, "__module__", "")).startswith(_MOCKERS):
            return True
    return False


class _Body(httpx.AsyncByteStream):
    """A response body as it arrives, undecoded; the connection goes back when it is all read."""

    def __init__(
        self,
        transport: Transport,
        connection: _Connection,
        framing: str,
        length: int,
        *,
        keep_alive: bool,
        timeout: float | None,
    ) -> None:
        self._transport = transport
        self._connection = connection
        self._framing = framing
        self._length = length
        self._keep_alive = keep_alive
        self._timeout = timeout
        self._complete = framing == "none"
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._closed:
            raise httpx.StreamClosed
        wire = self._connection.wire
        try:
            if self._framing == "length":
                async for chunk in _by_length(wire, self._length, self._timeout):
                    yield chunk
            elif self._framing == "chunked":
                async for chunk in _by_chunks(wire, self._timeout):
                    yield chunk
            elif self._framing == "close":
                async for chunk in _until_close(wire, self._timeout):
                    yield chunk
            elif self._framing == "capped":
                async for chunk in _until_close(wire, self._timeout, self._length):
                    yield chunk
        except TimeoutError as e:
            raise httpx.ReadTimeout(
                self._transport._overdue(e)  # noqa: SLF001 - the body belongs to it
                or "the server stopped sending the body"
            ) from e
        except OSError as e:  # reset, or a TLS error, while the body arrived
            raise httpx.ReadError(str(e) or "the connection was reset") from e
        self._complete = True

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        connection = self._connection
        if self._complete and self._keep_alive and not connection.wire.buffer:
            self._transport._keep(connection)  # noqa: SLF001 - the body belongs to it
        else:
            # Unread or unreusable: dropping it is cheaper than draining a huge body.
            self._transport._drop(connection)  # noqa: SLF001


# ------------------------------------------------------------------------ parsing
def _request_head(request: httpx.Request, proxy: Proxy | None = None) -> bytes:
    """The request line and header fields; in absolute form, for ``proxy``, when given."""
    # httpx lets line breaks into header fields (h11 refused them below it): each part is
    # checked on its own, since a CRLF inside a value would pass for a line end once joined.
    method = request.method.encode("ascii", "replace")
    if not _TOKEN.fullmatch(method):
        raise httpx.LocalProtocolError(f"not a request method: {request.method[:20]!r}")
    # The target needs no check: httpx percent-encodes or refuses what would break the line.
    target = request.url.raw_path
    fields = list(request.headers.raw)
    if proxy is not None:
        url = request.url
        target = url.raw_scheme + b"://" + url.netloc + target
        if proxy.authorization is not None:
            fields.append((b"Proxy-Authorization", proxy.authorization.encode("ascii")))
    lines = [method + b" " + target + b" HTTP/1.1"]
    for name, value in fields:
        if not _TOKEN.fullmatch(name) or _BAD_IN_REQUEST.search(value):
            shown = name[:40].decode("ascii", "backslashreplace")
            raise httpx.LocalProtocolError(f"a header field that would break the head: {shown!r}")
        lines.append(name + b": " + value)
    return b"\r\n".join(lines) + b"\r\n\r\n"


async def _request_body(request: httpx.Request) -> bytes:
    """The body as sent: buffered (httpx has already read a GET's empty one), chunk-framed
    when the request says Transfer-Encoding: chunked."""
    body = await request.aread()
    if "chunked" not in request.headers.get("transfer-encoding", "").lower():
        return body
    return (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"


async def _read_head(
    wire: Wire,
    timeout: float | None,  # noqa: ASYNC109 - httpx's read timeout
    limit: int = MAX_HEAD,
) -> tuple[int, int, bytes, list[tuple[bytes, bytes]], int]:
    """(minor version, status, reason, header fields, bytes taken) of the next answer on
    ``wire``, whose head may take at most ``limit`` bytes."""
    searched = 0
    while True:
        end = _END_OF_HEAD.search(wire.buffer, max(searched - 3, 0))
        if end is not None and end.start() <= limit:
            head = wire.take(end.end())[: end.start()]
            return (*_parse_head(head), end.end())
        searched = len(wire.buffer)
        if searched > limit:  # a head that arrived whole is bounded too
            raise httpx.RemoteProtocolError(
                f"the answer's head is over {MAX_HEAD} bytes"
                + ("" if limit == MAX_HEAD else " with the 1xx answers before it")
            )
        if wire.ended:
            if wire.error is not None:
                raise httpx.ReadError(str(wire.error) or "the connection was reset") from wire.error
            if not wire.buffer:
                # httpcore's words: the probe reads "without sending" as a reset.
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            raise httpx.RemoteProtocolError("the server closed the connection inside the head")
        try:
            await wire.more(timeout)
        except DeadlineError:
            raise  # the transport says which deadline
        except TimeoutError as e:
            raise httpx.ReadTimeout("no answer in time") from e


def _parse_head(head: bytes) -> tuple[int, int, bytes, list[tuple[bytes, bytes]]]:
    # One pass over each line, and a folded value joined once: a head of 100 KB folded into
    # tens of thousands of lines costs what any other 100 KB head costs. (Rebuilding and
    # re-checking the value at every folded line was quadratic: seconds of CPU, during which
    # every other link's deadline ran out.)
    lines = head.split(b"\n")
    # Each line still ends in its CR, if it had one, but the last: its line end went with
    # the blank line that ends the head (a CR left there is a stray one, and refused).
    lines[:-1] = [_unterminated(line) for line in lines[:-1]]
    status_line = lines[0]
    matched = _STATUS_LINE.fullmatch(status_line)
    if matched is None or _BAD_IN_VALUE.search(status_line):
        shown = status_line[:60].decode("ascii", "backslashreplace")
        raise httpx.RemoteProtocolError(f"not an HTTP/1.x status line: {shown!r}")
    fields = _parse_fields(lines[1:])
    status = int(matched[2])
    if status < 100:  # not even an interim answer: waiting for another would hang
        raise httpx.RemoteProtocolError(f"not an HTTP status code: {matched[2].decode()}")
    # HTTP/1.2 and later minor versions are read as 1.1, the highest we implement (RFC 9110
    # 2.5); 1.0 keeps its own rules (no keep-alive unless asked, no Transfer-Encoding).
    return min(int(matched[1]), 1), status, matched[3] or b"", fields


def _parse_fields(lines: Iterable[bytes]) -> list[tuple[bytes, bytes]]:
    """Header (or trailer) fields from their lines, line ends removed."""
    fields: list[tuple[bytes, bytes]] = []
    folded: list[bytes] = []  # the last field's value in parts, while it is being folded
    for line in lines:
        if line[:1] in {b" ", b"\t"}:
            if not fields:
                raise httpx.RemoteProtocolError("a header line starts with white space")
            # Obsolete line folding (RFC 9112 5.2): the continuation joins with one space.
            _check_value(fields[-1][0], line)
            if not folded:
                folded.append(fields[-1][1])
            folded.append(line.strip(b" \t"))
            continue
        if folded:
            fields[-1] = (fields[-1][0], b" ".join(part for part in folded if part))
            folded = []
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            shown = line[:60].decode("ascii", "backslashreplace")
            raise httpx.RemoteProtocolError(f"not a header field: {shown!r}")
        _check_value(name, value)
        fields.append((name, value.strip(b" \t")))
    if folded:
        fields[-1] = (fields[-1][0], b" ".join(part for part in folded if part))
    return fields


def _unterminated(line: bytes) -> bytes:
    """A line of the head without its CR: lines end in CRLF or, tolerated, a bare LF
    (RFC 9112 2.2); a CR anywhere else is refused by ``_check_value``."""
    return line[:-1] if line[-1:] == b"\r" else line


def _check_value(name: bytes, value: bytes) -> None:
    # Only CR, LF and NUL (RFC 9110 5.5): they are what splits or truncates a field. Other
    # controls (a Set-Cookie with \x01, an X-Powered-By with DEL) are kept, as browsers, h11
    # and llhttp keep them: refusing them called working pages errors, and every string a
    # report shows is neutralised there (report/neutralise.py).
    if _BAD_IN_VALUE.search(value):
        raise httpx.RemoteProtocolError(f"a control character in the {name.decode('ascii')} header")


def _field_values(headers: list[tuple[bytes, bytes]], name: bytes) -> list[bytes]:
    """Every comma-separated element of every ``name`` field, stripped, lower-cased."""
    return [
        element.strip().lower()
        for field_name, value in headers
        if field_name.lower() == name
        for element in value.split(b",")
        if element.strip()
    ]


def _framing(method: str, status: int, headers: list[tuple[bytes, bytes]]) -> tuple[str, int]:
    """How the body is delimited (RFC 9112 6.3): none, length, chunked, close or capped
    (to the close, at most ``length`` bytes); and that length."""
    if method == "HEAD" or status in {204, 304} or status < 200:
        return "none", 0
    codings = _field_values(headers, b"transfer-encoding")
    if codings:
        if codings.count(b"chunked") > 1:
            # Never sent twice (RFC 9112 6.1): such a body could be read one way here and
            # another way by whatever sits between; refused, as h11 refuses it.
            raise httpx.RemoteProtocolError("the chunked coding applied twice")
        # Transfer-Encoding wins over any Content-Length; only chunked says where it ends.
        if codings[-1] == b"chunked":
            return "chunked", 0
        # Otherwise the body runs to the close (RFC 9112 6.3, 3). A server that also sent a
        # Content-Length (identity, gzip...) meant that length, and keeps the connection
        # open for the next request: waiting for its close would hold the link until its
        # deadline. So the body ends at the close or after Content-Length bytes, whichever
        # comes first; the connection is never used again (both lengths: see _exchange),
        # so no byte after them is ever read as another answer.
        try:
            length = _content_length(headers)
        except httpx.RemoteProtocolError:
            length = None  # an unusable one is ignored, as any is beside Transfer-Encoding
        if length is None:
            return "close", 0
        return ("capped", length) if length else ("none", 0)
    length = _content_length(headers)
    if length is None:
        return "close", 0
    return ("length", length) if length else ("none", 0)


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    lengths = set(_field_values(headers, b"content-length"))
    if not lengths:
        if _has(headers, b"content-length"):
            raise httpx.RemoteProtocolError("an empty Content-Length")
        return None
    if len(lengths) > 1:
        raise httpx.RemoteProtocolError("conflicting Content-Length values")
    (length,) = lengths
    # RFC 9112 sets no limit on digits: leading zeros are allowed however many there are;
    # past them, 18 digits (under 10^18 bytes) is more than any body can be.
    if not length.isdigit() or len(length.lstrip(b"0")) > 18:
        raise httpx.RemoteProtocolError(f"an invalid Content-Length: {length[:20]!r}")
    return int(length)


def _has(headers: list[tuple[bytes, bytes]], name: bytes) -> bool:
    return any(field_name.lower() == name for field_name, _ in headers)


def _keep_alive(version: int, headers: list[tuple[bytes, bytes]]) -> bool:
    tokens = _field_values(headers, b"connection")
    if b"close" in tokens:
        return False
    return version == 1 or b"keep-alive" in tokens


async def _by_length(wire: Wire, length: int, timeout: float | None) -> AsyncIterator[bytes]:  # noqa: ASYNC109
    remaining = length
    while remaining:
        if wire.buffer:
            chunk = wire.take(min(remaining, READ_CHUNK))
            remaining -= len(chunk)
            yield chunk
        elif wire.ended:
            _raise_lost(wire, f"the body ended after {length - remaining} of {length} bytes")
        else:
            await wire.more(timeout)


async def _until_close(
    wire: Wire,
    timeout: float | None,  # noqa: ASYNC109
    cap: int | None = None,
) -> AsyncIterator[bytes]:
    """Bytes until the close, or until ``cap`` bytes have come, whichever is first."""
    left = cap
    while left is None or left > 0:
        if wire.buffer:
            chunk = wire.take(READ_CHUNK if left is None else min(left, READ_CHUNK))
            if left is not None:
                left -= len(chunk)
            yield chunk
        elif wire.ended:
            if wire.error is not None:
                raise wire.error
            return
        else:
            await wire.more(timeout)


async def _line(
    wire: Wire,
    timeout: float | None,  # noqa: ASYNC109
    what: str,
    limit: int,
    too_long: str,
) -> bytes:
    """The next line of a chunked body's framing, without its CRLF (RFC 9112 7.1 requires
    CRLF there: a bare LF or CR is refused, unlike in the head, where 2.2 tolerates LF).
    A line that would be over ``limit`` bytes is refused with ``too_long``."""
    searched = 0
    while True:
        end = wire.buffer.find(b"\n", searched)
        if end > limit or (end < 0 and len(wire.buffer) > limit):
            raise httpx.RemoteProtocolError(too_long)
        if end >= 0:
            line = wire.take(end + 1)[:-1]
            if line[-1:] != b"\r" or b"\r" in line[:-1]:
                raise httpx.RemoteProtocolError(f"a chunk's {what} does not end in CRLF")
            return line[:-1]
        if wire.ended:
            _raise_lost(wire, f"the body ended inside a chunk's {what}")
        searched = len(wire.buffer)
        await wire.more(timeout)


async def _by_chunks(wire: Wire, timeout: float | None) -> AsyncIterator[bytes]:  # noqa: ASYNC109
    # Framing that carries no data is bounded as the head is: chunk extensions get
    # MAX_HEAD bytes in all beyond a plain size line per chunk (the probe bounds the data),
    # and so do the trailer fields. A server streaming either forever is refused, not read
    # until the link's deadline.
    framing = MAX_HEAD
    extensions = f"a chunked body's extensions are over {MAX_HEAD} bytes"
    while True:
        size_line = await _line(wire, timeout, "size", framing + _PLAIN_SIZE_LINE, extensions)
        framing -= max(len(size_line) - _PLAIN_SIZE_LINE, 0)
        matched = _CHUNK_SIZE.fullmatch(size_line)
        if matched is None:
            shown = size_line[:40].decode("ascii", "backslashreplace")
            raise httpx.RemoteProtocolError(f"not a chunk size: {shown!r}")
        size = int(matched[1], 16)
        if size == 0:
            break
        async for chunk in _by_length(wire, size, timeout):
            yield chunk
        while len(wire.buffer) < 2 and not wire.ended:
            await wire.more(timeout)
        if wire.buffer[:2] != b"\r\n":
            if len(wire.buffer) < 2:
                _raise_lost(wire, "the body ended inside a chunk's end")
            raise httpx.RemoteProtocolError("a chunk does not end in CRLF where its size says")
        del wire.buffer[:2]
    trailers: list[bytes] = []
    left = MAX_HEAD
    too_long = f"a chunked body's trailer section is over {MAX_HEAD} bytes"
    while line := await _line(wire, timeout, "trailer section", left, too_long):
        trailers.append(line)
        left -= len(line) + 2
    # Trailer fields are ignored, but read as header fields are: a malformed one is refused.
    _parse_fields(trailers)


def _raise_lost(wire: Wire, message: str) -> None:
    if wire.error is not None:
        raise wire.error
    raise httpx.RemoteProtocolError(message)


async def open_tunnel(wire: Wire, host: str, port: int, proxy: Proxy) -> None:
    """Ask the proxy on ``wire`` for a tunnel to ``host:port`` (RFC 9110 9.3.6).

    Returns once the proxy answered 2xx: the bytes that follow are the origin's. Any other
    answer raises ``httpx.ProxyError`` with its status; whatever bounds the wait (the
    connect timeout) is the caller's.
    """
    target = (f"[{host}]" if ":" in host else host) + f":{port}"
    lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
    if proxy.authorization is not None:
        lines.append(f"Proxy-Authorization: {proxy.authorization}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
    if _BAD_IN_REQUEST.search(head[:-4].replace(b"\r\n", b"")):
        raise httpx.LocalProtocolError("a host that would break the CONNECT request")
    await wire.send(head, None)
    left = MAX_HEAD
    while True:
        _, status, reason, _, size = await _read_head(wire, None, left)
        if status >= 200:
            break
        left -= size  # 1xx answers before the real one count towards the head's bound
    if not 200 <= status < 300:
        shown = reason[:60].decode("ascii", "backslashreplace")
        raise httpx.ProxyError(f"the proxy answered {status} {shown} to CONNECT {target}")
    if wire.buffer or wire.ended:
        # Bytes before the TLS handshake were not sent by the origin: refuse the tunnel.
        raise httpx.ProxyError(f"the proxy closed or spoke out of turn after CONNECT {target}")
