"""A three-page site on 127.0.0.1 for CI's run of the Action, and the check of its outputs.

    python selftest-site.py --port 8765 --list links.yaml  # serve in the background
    python selftest-site.py --expect JSON [--expect JSON]   # the Action's outputs are right

/ok answers 200, /gone 404, /moved a 301 to /ok. The server binds before the command returns
(it forks once listening), so the next step can use it at once; it ends with the job.
POSIX only (fork): the job runs on Linux.
"""

# ruff: noqa: INP001, T201 - a standalone CI script that prints its verdict
from __future__ import annotations

import argparse
import http.server
import json
import os
import sys
from pathlib import Path

PAGES = {"/ok": (200, {}), "/gone": (404, {}), "/moved": (301, {"Location": "/ok"})}
EXPECTED = {
    "exit-code": "1",
    "total": "3",
    "problems": "2",
    "ok": "1",
    "redirected": "1",
    "broken": "1",
    "blocked": "0",
    "error": "0",
    "skipped": "0",
    "counts": '{"ok":1,"redirected":1,"broken":1,"blocked":0,"error":0,"skipped":0}',
}


class Handler(http.server.BaseHTTPRequestHandler):
    def _answer(self, *, body: bool) -> None:
        status, headers = PAGES.get(self.path, (404, {}))
        text = f"<title>{self.path}</title>".encode() if body else b""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(text) if body else 0))
        self.end_headers()
        self.wfile.write(text)

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve(port: int, list_path: str) -> int:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    port = server.server_address[1]  # the one given, or the one chosen for port 0
    pages = (("Helpline", "/ok"), ("Old leaflet", "/gone"), ("Advice", "/moved"))
    Path(list_path).write_text(
        "version: 1\nlinks:\n"
        + "".join(f"  - name: {n}\n    url: http://127.0.0.1:{port}{p}\n" for n, p in pages),
        encoding="utf-8",
    )
    child = os.fork()
    if child == 0:  # the child serves until the job ends; the parent reports and returns
        os.setsid()
        # Let go of the step's output: whoever reads it sees its end when the parent exits.
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        server.serve_forever()
        return 0
    server.socket.close()
    print(f"selftest-site: pid {child} serving http://127.0.0.1:{port}/, list in {list_path}")
    return 0


def expect(outputs: list[str]) -> int:
    failed = 0
    for text in outputs:
        got = json.loads(text)
        wrong = {k: (got.get(k), v) for k, v in EXPECTED.items() if got.get(k) != v}
        if wrong:
            print(f"selftest-site: wrong outputs (got, expected): {wrong}")
            failed = 1
        else:
            print(f"selftest-site: outputs as expected, report {got.get('report')}")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--list", default="selftest-links.yaml")
    parser.add_argument("--expect", action="append", default=[])
    args = parser.parse_args()
    if args.expect:
        return expect(args.expect)
    return serve(args.port, args.list)


if __name__ == "__main__":
    sys.exit(main())
