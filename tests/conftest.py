"""Shared fixtures: no test may reach the internet; loopback is allowed."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def _is_loopback(address: object) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX paths
        return True
    if not isinstance(address, tuple) or not address:
        return False
    host = address[0]
    if host in {"localhost", "localhost.", ""}:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails any test that tries to open a connection beyond 127.0.0.0/8 and ::1."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

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

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


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
