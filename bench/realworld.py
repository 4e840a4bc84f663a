"""What proxies and the trust store cost: one command, loopback only.

    python bench/realworld.py                 # 500 links, 5 rounds
    python bench/realworld.py --links 2000 --rounds 3

Needs the test extra (proxy.py, trustme). Prints, as medians over the rounds:

- building the run's TLS context: the system store, truststore's context, certifi, and
  ``ssl.create_default_context()`` (what linkwatch used before); and what each costs per
  TLS connection (``wrap_bio``: truststore reloads the bundle there on Linux);
- ``linkwatch.check`` over N links of a keep-alive loopback server (http, then https with a
  trustme CA given as SSL_CERT_FILE), direct and through proxy.py on 127.0.0.1; with the
  lines the proxy logged (proxy.py logs one per client connection, when it closes: kept-alive
  connections and tunnels carry many links each).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ssl
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import trustme

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from linkwatch.network import trust  # noqa: E402
from linkwatch.pipeline.check import CheckSettings, check  # noqa: E402
from linkwatch.report import OutputFormat  # noqa: E402
from proxyserver import ProxyServer  # noqa: E402 - the tests' own helper

BODY = b"<html><title>ok</title></html>"


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
        while await reader.readuntil(b"\r\n\r\n"):
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s"
                % (len(BODY), BODY)
            )
            await writer.drain()
    writer.close()


def serve(context: ssl.SSLContext | None) -> int:
    """A keep-alive server on 127.0.0.1 in a thread of its own; returns its port."""
    ready = threading.Event()
    port: list[int] = []

    def run() -> None:
        loop = asyncio.new_event_loop()
        server = loop.run_until_complete(
            asyncio.start_server(_answer, "127.0.0.1", 0, ssl=context, backlog=1024)
        )
        port.append(server.sockets[0].getsockname()[1])
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    ready.wait(10)
    return port[0]


def timed(function, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    print("TLS context: built once per run / per connection (median of 20)")
    for name, build in [
        (f"system store ({sys.platform})", trust.system_context),
        ("truststore.SSLContext", lambda: trust.system_context("darwin")),
        ("certifi", trust.certifi_context),
        ("ssl.create_default_context()", ssl.create_default_context),
    ]:
        context = build()
        assert context is not None

        def wrap(context: ssl.SSLContext = context) -> None:
            context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="example.org")

        once, each = timed(build, 20) * 1000, timed(wrap, 20) * 1000
        print(f"  {name:30} {once:7.1f} ms once {each:8.3f} ms per connection")

    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_context)
    ports = {"http": serve(None), "https": serve(server_context)}
    proxy = ProxyServer()
    proxy.start()
    work = Path(tempfile.mkdtemp())
    bundle = work / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    print(f"\nlinkwatch.check, {args.links} links on one loopback host (median of {args.rounds})")
    try:
        for scheme in ("http", "https"):
            links = work / f"{scheme}.yaml"
            entries = "".join(
                f"  - name: link {i}\n    url: {scheme}://localhost:{ports[scheme]}/{i}\n"
                for i in range(args.links)
            )
            links.write_text(f"version: 1\nlinks:\n{entries}", encoding="utf-8")
            for route in ("direct", "proxy.py"):
                settings = CheckSettings(
                    config=links,
                    allow_private=True,
                    per_host=16,
                    format=OutputFormat.JSON,
                    proxy=proxy.url if route == "proxy.py" else None,
                    environ={"SSL_CERT_FILE": str(bundle)},
                )
                before = len(proxy.access())
                codes: list[int] = []

                def one(s: CheckSettings = settings, out: list[int] = codes) -> None:
                    out.append(check(s).exit_code)

                seconds = timed(one, args.rounds)
                assert set(codes) == {0}, codes
                logged = "" if route == "direct" else "(the proxy's log is written as it closes)"
                print(f"  {scheme:5} {route:9} {seconds:6.2f} s  {logged}")
                if route == "proxy.py":
                    time.sleep(1)  # let the last access lines arrive; only for the count below
                    seen = len(proxy.access()) - before
                    print(f"        proxy log lines per round: {seen / args.rounds:.0f}")
    finally:
        proxy.stop()


if __name__ == "__main__":
    main()
