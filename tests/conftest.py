"""Shared fixtures: no internet, a loopback server, a trustme CA, and a client factory."""

from __future__ import annotations

import ipaddress
import socket
import ssl
from contextlib import asynccontextmanager

import pytest
import trustme

from linkwatch.client import ClientOptions, build_client, mapping_resolver, system_resolver
from linkwatch.models import Link, Policy
from linkwatch.probe import Prober, ProbeSettings
from loopback import Server

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def _is_loopback(host: object) -> bool:
    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any lookup or connection beyond loopback fails, as if the machine were offline."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host, *args, **kwargs):
        if not _is_loopback(host):
            raise socket.gaierror(socket.EAI_NONAME, f"tests are offline: {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    def guard(address):
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            raise OSError(101, f"tests are offline: {address[0]}")

    def connect(self, address):
        guard(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        guard(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def server():
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
