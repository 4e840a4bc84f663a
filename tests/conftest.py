"""Shared fixtures: no test may reach the internet (loopback is allowed); a loopback server,
a trustme CA, and a prober factory for the engine's tests."""

from __future__ import annotations

import ipaddress
import socket
import ssl
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import trustme

from linkwatch.models import Link, Policy
from linkwatch.network.client import ClientOptions, build_client, mapping_resolver, system_resolver
from linkwatch.network.probe import Prober, ProbeSettings
from loopback import Server, respond
from proxyserver import ProxyServer
from samples import sample_outcomes, sample_report

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

_LOOPBACK_NAMES = {"localhost", "localhost.", "localhost.localdomain", ""}


def _is_loopback_host(host: object) -> bool:
    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _is_loopback(address: object) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX paths
        return True
    if not isinstance(address, tuple) or not address:
        return False
    return _is_loopback_host(address[0])


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails any connection beyond 127.0.0.0/8 and ::1; other names do not resolve (offline)."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def offline_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if not _is_loopback_host(host):
            raise socket.gaierror(socket.EAI_NONAME, f"tests are offline: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    def guarded_connect(self: socket.socket, address: object) -> None:
        if not _is_loopback(address):
            msg = f"test tried to reach {address!r}: tests must not use the network"
            raise RuntimeError(msg)
        real_connect(self, address)  # type: ignore[arg-type]

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        if not _is_loopback(address):
            msg = f"test tried to reach {address!r}: tests must not use the network"
            raise RuntimeError(msg)
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", offline_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


@pytest.fixture(autouse=True)
def _no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy set on the machine running the tests must not change what they see."""
    for name in ("https_proxy", "http_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(scope="session")
def proxy_server():
    """proxy.py, a real HTTP proxy, on 127.0.0.1 (see tests/proxyserver.py); one for the
    session (it takes a second to start), so tests look for their own ports in its log."""
    srv = ProxyServer()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def repo() -> Path:
    """The repository root (where the bundled links.yaml lives)."""
    return REPO


@pytest.fixture
def write_config(tmp_path: Path):
    """Writes text (or bytes) to a links.yaml in a temporary directory and returns its path."""

    def write(content: str | bytes, name: str = "links.yaml") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
        return path

    return write


# ------------------------------------------------------------------------ the engine
@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def server():
    """A misbehaving-on-purpose HTTP server on 127.0.0.1 (see tests/loopback.py)."""
    srv = Server()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def ca():
    return trustme.CA()


def client_ssl_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    ca.configure_trust(context)
    return context


def link(url: str = "http://example.org/", **policy) -> Link:
    """A link as the config would build it, with a policy of the given fields."""
    return Link(
        index=0,
        name="Example",
        url=url,
        line=1,
        column=1,
        url_line=1,
        url_column=1,
        policy=Policy(**policy),
    )


@asynccontextmanager
async def prober(
    *,
    allow_private: bool = True,
    hosts: dict[str, str] | None = None,
    ssl_context: ssl.SSLContext | None = None,
    is_allowed=None,
    **settings,
):
    """A Prober over a real guarded client; ``hosts`` maps test names to addresses."""
    resolver = mapping_resolver(hosts, fallback=system_resolver) if hosts else None
    options = ClientOptions(
        allow_private=allow_private,
        resolver=resolver,
        ssl_context=ssl_context,
        is_allowed=is_allowed,
    )
    settings.setdefault("backoff_base", 0.01)
    async with build_client(options) as client:
        yield Prober(client, ProbeSettings(**settings))


@pytest.fixture
def report():
    """A report with every status, several flags and hostile strings."""
    return sample_report()


@pytest.fixture
def clean_report():
    """A report where every link is ok and unflagged."""
    return sample_report(outcomes=sample_outcomes()[:1])


@pytest.fixture
def site(server):
    """The loopback server with one healthy page, /ok."""

    @server.route("/ok")
    async def ok(request, reader, writer):
        await respond(writer, 200, head=True)

    return server


def pytest_sessionstart(session: pytest.Session) -> None:
    """Every session starts with the parsed-data caches empty, as a fresh process has them.

    mutmut's workers are forked from a process that already ran the tests: without this, a
    mutant inside a cached function (the tracking list, its compiled rules, the public suffix
    list) would never run, and would survive for a reason that has nothing to do with the
    tests. A no-op in a fresh process.
    """
    from linkwatch import urls  # noqa: PLC0415
    from linkwatch.judgement import sites  # noqa: PLC0415

    urls.shipped_list.cache_clear()
    urls._rules.cache_clear()
    sites._suffix_list.cache_clear()
