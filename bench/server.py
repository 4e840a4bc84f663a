"""A loopback HTTP/1.1 server for linkwatch's benchmark, meant to run in its own process.

It listens on many loopback addresses (127.0.0.2, 127.0.0.3, ...), each one a distinct host
for linkwatch's per-host limits, answers after a configurable latency without blocking, and
counts every request. Behaviour is chosen by the path's first segment:

    /ok/ID       200 after the latency
    /missing/ID  404
    /moved/ID    301 to /ok/ID (same host)
    /flaky/ID    503 the first time this ID is asked for, then 200
    /slow/ID     200 after SLOW_FACTOR times the latency
    /stumbles/ID 500 the first time this ID is asked for, then 200

The control address answers GET /stats with JSON counts. Prints one JSON line on stdout when
ready: {"hosts": ["127.0.0.2:PORT", ...], "control": "127.0.0.1:PORT"}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections import Counter
from typing import cast

SLOW_FACTOR = 4
REASONS = {
    200: "OK",
    301: "Moved Permanently",
    404: "Not Found",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Stats:
    def __init__(self) -> None:
        self.methods: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.connections = 0
        self.flaky_seen: set[str] = set()


class HTTPProtocol(asyncio.Protocol):
    """Minimal keep-alive HTTP/1.1: enough for HEAD and GET without bodies in requests."""

    def __init__(self, stats: Stats, latency: float) -> None:
        self.stats = stats
        self.latency = latency
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.pending = 0
        self.closing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, only alike.
        transport = cast("asyncio.Transport", transport)
        self.transport = transport
        self.stats.connections += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, target, _version = lines[0].split(" ", 2)
            close = any(line.lower() == "connection: close" for line in lines[1:])
            self.handle(method, target, close)

    def handle(self, method: str, target: str, close: bool) -> None:
        self.stats.methods[method] += 1
        parts = target.split("/")
        kind = parts[1] if len(parts) > 2 else "ok"
        ident = parts[2] if len(parts) > 2 else ""
        self.stats.kinds[kind] += 1
        delay = self.latency
        headers: list[tuple[str, str]] = []
        if kind == "missing":
            code = 404
        elif kind == "moved":
            code = 301
            headers.append(("Location", f"/ok/{ident}"))
        elif kind == "flaky" and ident not in self.stats.flaky_seen:
            self.stats.flaky_seen.add(ident)
            code = 503
        elif kind == "stumbles" and ident not in self.stats.flaky_seen:
            self.stats.flaky_seen.add(ident)
            code = 500
        elif kind == "slow":
            code = 200
            delay = self.latency * SLOW_FACTOR
        else:
            code = 200
        body = b"" if method == "HEAD" else b"<html><title>ok</title>hello</html>"
        head = [f"HTTP/1.1 {code} {REASONS[code]}", "Content-Type: text/html"]
        head += [f"{k}: {v}" for k, v in headers]
        head.append(f"Content-Length: {35 if method == 'HEAD' else len(body)}")
        if close:
            head.append("Connection: close")
        payload = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        self.pending += 1
        asyncio.get_running_loop().call_later(delay, self.respond, payload, close)

    def respond(self, payload: bytes, close: bool) -> None:
        self.pending -= 1
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(payload)
        if close:
            self.transport.close()


class ControlProtocol(asyncio.Protocol):
    def __init__(self, stats: Stats) -> None:
        self.stats = stats

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, only alike.
        transport = cast("asyncio.Transport", transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if b"\r\n\r\n" not in data:
            return
        body = json.dumps(
            {
                "methods": dict(self.stats.methods),
                "kinds": dict(self.stats.kinds),
                "connections": self.stats.connections,
            }
        ).encode()
        self.transport.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        self.transport.close()


async def serve(hosts: int, latency: float) -> None:
    loop = asyncio.get_running_loop()
    stats = Stats()
    addresses = []
    servers = []
    for i in range(hosts):
        ip = f"127.0.0.{2 + i % 250}"
        server = await loop.create_server(
            lambda: HTTPProtocol(stats, latency), ip, 0, backlog=4096, reuse_address=True
        )
        servers.append(server)
        addresses.append(f"{ip}:{server.sockets[0].getsockname()[1]}")
    control = await loop.create_server(lambda: ControlProtocol(stats), "127.0.0.1", 0)
    port = control.sockets[0].getsockname()[1]
    print(json.dumps({"hosts": addresses, "control": f"127.0.0.1:{port}"}), flush=True)
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    loop.add_signal_handler(signal.SIGINT, stop.set_result, None)
    await stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    try:
        import uvloop  # noqa: PLC0415 - optional speed-up for the server only

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(serve(args.hosts, args.latency))
    sys.exit(0)


if __name__ == "__main__":
    main()
