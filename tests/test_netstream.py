"""The asyncio network backend under httpcore: reads, writes, ends, timeouts, errors."""

from __future__ import annotations

import asyncio
import socket

import httpcore
import pytest

from linkwatch.client import GuardedBackend
from linkwatch.netstream import AsyncioBackend


async def _server(handler):
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_guard_uses_asyncio_backend_by_default():
    """The guarded backend connects through the asyncio backend unless told otherwise."""
    assert isinstance(GuardedBackend()._inner, AsyncioBackend)


def test_echo_and_end_of_stream():
    """Bytes written come back; a peer that closes makes the idle stream readable and EOF."""

    async def main():
        async def handler(reader, writer):
            writer.write(await reader.read(100))
            await writer.drain()
            writer.close()

        server, port = await _server(handler)
        async with server:
            stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
            assert stream.get_extra_info("server_addr")[1] == port
            assert stream.get_extra_info("client_addr")[0] == "127.0.0.1"
            assert stream.get_extra_info("socket") is not None
            assert stream.get_extra_info("ssl_object") is None
            assert stream.get_extra_info("unknown") is None
            await stream.write(b"")
            await stream.write(b"hello", timeout=5)
            assert await stream.read(100, timeout=5) == b"hello"
            assert await stream.read(100, timeout=5) == b""
            assert stream.get_extra_info("is_readable") is True
            await stream.aclose()

    asyncio.run(main())


def test_idle_connection_is_not_readable():
    """A kept-alive connection with nothing waiting is reusable (not readable)."""

    async def main():
        done = asyncio.Event()

        async def handler(reader, writer):
            await done.wait()
            writer.close()

        server, port = await _server(handler)
        async with server:
            stream = await AsyncioBackend().connect_tcp(
                "127.0.0.1", port, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
            )
            await asyncio.sleep(0.01)
            assert stream.get_extra_info("is_readable") is False
            done.set()
            await stream.aclose()

    asyncio.run(main())


def test_read_timeout():
    """A silent server gives httpcore's ReadTimeout."""

    async def main():
        done = asyncio.Event()

        async def handler(reader, writer):
            await done.wait()
            writer.close()

        server, port = await _server(handler)
        async with server:
            stream = await AsyncioBackend().connect_tcp("127.0.0.1", port)
            with pytest.raises(httpcore.ReadTimeout):
                await stream.read(10, timeout=0.05)
            done.set()
            await stream.aclose()

    asyncio.run(main())


def test_refused_is_connect_error():
    """A closed port gives httpcore's ConnectError with the OS error as its cause."""

    async def main():
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        with pytest.raises(httpcore.ConnectError) as caught:
            await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
        assert isinstance(caught.value.__cause__, ConnectionRefusedError)

    asyncio.run(main())


def test_sleep():
    """The backend's sleep is asyncio's."""
    asyncio.run(AsyncioBackend().sleep(0))
