"""A misbehaving-on-purpose HTTP server on 127.0.0.1, run in its own thread and event loop.

Each test registers a handler for a path; a handler gets the parsed request and the raw
streams, so it can answer properly, drip, stall, reset or send garbage.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import struct
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    503: "Service Unavailable",
}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Server:
    host: str = "127.0.0.1"
    ssl_context: ssl.SSLContext | None = None
    port: int = 0
    routes: dict[str, Callable[..., Awaitable[None]]] = field(default_factory=dict)
    hits: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    connections: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _transports: list[asyncio.BaseTransport] = field(default_factory=list)

    def url(self, path: str, host: str | None = None) -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{host or self.host}:{self.port}{path}"

    def route(self, path: str):
        def register(handler):
            self.routes[path] = handler
            return handler

        return register

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> None:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def serve() -> asyncio.Server:
            # TLS is started in _connection, not by the server: asyncio 3.11's server leaks
            # the socket of a client that resets during the handshake (as a client that
            # rejects the certificate may), and the leak would surface in a later test.
            server = await asyncio.start_server(self._connection, self.host, 0)
            self.port = server.sockets[0].getsockname()[1]
            return server

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(serve())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert ready.wait(5)

    def stop(self) -> None:
        assert self._loop is not None
        assert self._thread is not None

        async def shutdown() -> None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            # A handshake cancelled here may leave its socket closing, not closed: drop them
            # all, and let the callbacks that finish a close run before the loop stops.
            for transport in self._transports:
                transport.abort()
            await asyncio.sleep(0)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    # -------------------------------------------------------------- connections
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        try:
            self._transports.append(writer.transport)
            if self.ssl_context is not None and not await start_tls(writer, self.ssl_context):
                return
            # A handler returns True to keep the connection open for the next request.
            while (request := await _read_request(reader)) is not None:
                self.hits[request.path.split("?")[0]] += 1
                handler = self.routes.get(request.path.split("?")[0], not_found)
                if not await handler(request, reader, writer):
                    return
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
            pass
        finally:
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()


async def start_tls(writer: asyncio.StreamWriter, context: ssl.SSLContext) -> bool:
    """TLS on a server's side of a stream; False if the client left during the handshake.

    asyncio 3.11's StreamWriter.start_tls sets its transport to None when the client closes
    mid-handshake (as one that refuses the certificate does), and then fails in
    AttributeError, and again when the writer is collected: the closed transport is put back.
    """
    raw = writer.transport
    try:
        await writer.start_tls(context)
    except AttributeError:
        writer._transport = raw
        return False
    return True


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return Request(method, path, headers)


async def respond(
    writer: asyncio.StreamWriter,
    status: int,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    *,
    head: bool = False,
    keep_alive: bool = False,
) -> None:
    """Write a complete response (the handler then closes the connection, or keeps it)."""
    connection = "keep-alive" if keep_alive else "close"
    all_headers = {"Content-Length": str(len(body)), "Connection": connection, **(headers or {})}
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
    lines += [f"{k}: {v}" for k, v in all_headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    if not head:
        writer.write(body)
    await writer.drain()


async def not_found(request: Request, reader, writer) -> None:
    await respond(writer, 404, head=request.method == "HEAD")


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST instead of a FIN."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def unanswering(host: str, port: int = 0) -> Iterator[int]:
    """A port on ``host`` where a connection attempt is never answered, as on a network
    whose route is broken; yields the port.

    A listener with a backlog of 0 that never accepts: one connection fills its accept
    queue, and from then on the kernel drops every SYN to it, so a connect neither
    succeeds nor is refused. (Checked on Linux for 127.0.0.0/8 and ::1.)
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as listener:
        listener.bind((host, port))
        listener.listen(0)
        bound = listener.getsockname()[1]
        with socket.create_connection((host, bound)):
            yield bound
