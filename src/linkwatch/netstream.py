"""httpcore's network backend on plain asyncio streams, without anyio's layers in between.

httpcore's default backend goes through anyio: every read and write opens a cancel scope,
every pool check of an idle connection builds anyio's whole attribute table, and each step
asks sniffio which event loop runs. On a run of thousands of links that is about a fifth of
linkwatch's CPU (see docs/design.md, "Transport"). linkwatch only ever runs on asyncio, so
this backend talks to asyncio directly; errors are mapped to httpcore's, exactly as its
own backends do, so httpx and the probe see no difference.
"""

from __future__ import annotations

import asyncio
import select
from typing import TYPE_CHECKING, Any

import httpcore

if TYPE_CHECKING:
    import ssl
    from collections.abc import Iterable

# The same chunk httpcore asks for; the stream reader's buffer limit only matters for
# readline(), which httpcore never calls.
_READER_LIMIT = 64 * 1024


def _readable(fd: int) -> bool:
    """Whether ``fd`` has data or an end waiting (an idle kept-alive connection gone bad)."""
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One TCP (or TLS) connection as httpcore wants it, over asyncio's reader and writer."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109 - httpcore's interface
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as e:
            raise httpcore.ReadTimeout(str(e)) from e
        except OSError as e:
            raise httpcore.ReadError(str(e)) from e

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109 - httpcore's interface
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError as e:
            raise httpcore.WriteTimeout(str(e)) from e
        except (OSError, RuntimeError) as e:  # RuntimeError: written after the close
            raise httpcore.WriteError(str(e)) from e

    async def aclose(self) -> None:
        # No wait for the close to complete: a TLS peer that never answers close_notify
        # must not hold a link past its deadline; the transport finishes closing alone.
        self._writer.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as e:
            self._writer.close()
            raise httpcore.ConnectTimeout(str(e)) from e
        except OSError as e:  # ssl.SSLError included: the probe reads the cause
            self._writer.close()
            raise httpcore.ConnectError(str(e)) from e
        return self

    def get_extra_info(self, info: str) -> Any:  # noqa: ANN401 - httpcore's interface
        if info == "is_readable":
            if self._writer.transport.is_closing() or self._reader.at_eof():
                return True
            sock = self._writer.get_extra_info("socket")
            return sock is None or _readable(sock.fileno())
        name = {
            "ssl_object": "ssl_object",
            "client_addr": "sockname",
            "server_addr": "peername",
            "socket": "socket",
        }.get(info)
        return None if name is None else self._writer.get_extra_info(name)


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections with asyncio; the address guard wraps it (client.GuardedBackend)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host,
                    port,
                    local_addr=(local_address, 0) if local_address else None,
                    limit=_READER_LIMIT,
                )
        except TimeoutError as e:
            raise httpcore.ConnectTimeout(str(e)) from e
        except OSError as e:
            raise httpcore.ConnectError(str(e)) from e
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
