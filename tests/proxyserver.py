"""A real HTTP proxy on 127.0.0.1 for the tests: proxy.py (from PyPI, the test extra), in its
own process, with its access log read as it is written.

``start`` returns once proxy.py says it listens (its DEBUG line "Listening on ..."), read
from its output, not guessed with a sleep. ``wait_for`` blocks until the access log has a
line containing some text (each exchange is logged when its connection closes).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field

_LISTENING = re.compile(r"Listening on 127\.0\.0\.1:(\d+)")
_ACCESS = "server.access_log"


@dataclass
class ProxyServer:
    basic_auth: str | None = None  # "user:password": the proxy then demands them (407)
    port: int = 0
    lines: list[str] = field(default_factory=list)  # every line it printed
    _process: subprocess.Popen[str] | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _reader: threading.Thread | None = None
    _home: str | None = None  # proxy.py keeps a data directory in ~: a temporary one

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "proxy",
            "--hostname",
            "127.0.0.1",
            "--port",
            "0",
            "--num-workers",
            "1",
            "--num-acceptors",
            "1",
            "--log-level",
            "DEBUG",
        ]
        if self.basic_auth is not None:
            command += ["--basic-auth", self.basic_auth]
        self._home = tempfile.mkdtemp(prefix="linkwatch-proxy-")
        self._process = subprocess.Popen(
            command,
            env={**os.environ, "HOME": self._home},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        with self._changed:
            ready = self._changed.wait_for(
                lambda: self.port or self._process.poll() is not None, timeout=30
            )
        assert ready, "proxy.py did not start:\n" + "\n".join(self.lines[-20:])
        assert self.port, "proxy.py did not start:\n" + "\n".join(self.lines[-20:])

    def _read(self) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        for line in self._process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                if not self.port and (found := _LISTENING.search(line)):
                    self.port = int(found[1])
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def access(self) -> list[str]:
        """The access log so far: one line per request or tunnel, e.g. ``CONNECT host:443``."""
        with self._changed:
            return [line.split(" - ", 2)[-1] for line in self.lines if _ACCESS in line]

    def wait_for(self, text: str, count: int = 1) -> list[str]:
        """The access log once ``count`` of its lines contain ``text`` (fails after 30 s)."""

        def found() -> bool:
            return sum(text in line for line in self.access()) >= count

        with self._changed:
            assert self._changed.wait_for(found, timeout=30), "\n".join(self.access())
        return self.access()

    def stop(self) -> None:
        assert self._process is not None
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(10)
        if self._reader is not None:
            self._reader.join(10)
        if self._process.stdout is not None:
            self._process.stdout.close()
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
