"""Issue 6's done-when, end to end: real checks of a loopback site, then sync to a fake GitHub.

Each "night" runs `linkwatch check --state … --fail-after 2` against a server on 127.0.0.1
whose pages break and recover between nights, then `linkwatch sync github` against the
in-memory GitHub API served over real HTTP. The fake tracker must end with exactly the
expected issues, opened and closed on the right nights, never duplicated.
"""

from __future__ import annotations

import http.server
import json
import threading
from typing import Self

import pytest
from typer.testing import CliRunner

from linkwatch.cli.app import app
from tracker.fakegithub import TOKEN, FakeGitHub, serve

runner = CliRunner()


class Site:
    """A loopback site whose pages answer whatever status the test sets for the night."""

    def __init__(self) -> None:
        self.status: dict[str, int] = {}
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                code = site.status.get(self.path, 404)
                body = b"" if self.command == "HEAD" else b"<title>page</title>"
                self.send_response(code)
                self.send_header("content-length", "19")
                self.end_headers()
                self.wfile.write(body)

            do_HEAD = do_GET = _answer  # noqa: N815 - http.server's naming

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.root = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def site():
    with Site() as running:
        yield running


def night(tmp_path, site, api, pages: dict[str, int]) -> tuple[int, dict[str, str]]:
    """Check, then sync; returns check's exit code and each link's history label."""
    site.status = pages
    report = tmp_path / "report.json"
    state = tmp_path / "state.json"
    checked = runner.invoke(
        app,
        [
            "check",
            "--config",
            str(tmp_path / "links.yaml"),
            "--allow-private",
            "--state",
            str(state),
            "--fail-after",
            "2",
            "--format",
            "json",
            "--output",
            str(report),
        ],
    )
    assert checked.exit_code in (0, 1), checked.output
    synced = runner.invoke(
        app,
        [
            "sync",
            "github",
            "--repo",
            "safe/links",
            "--report",
            str(report),
            "--state",
            str(state),
            "--api-url",
            api,
        ],
        env={"GITHUB_TOKEN": TOKEN},
    )
    assert synced.exit_code == 0, synced.output
    records = json.loads(report.read_text())["links"]
    return checked.exit_code, {r["name"]: (r["history"] or {}).get("label", "") for r in records}


def test_failing_and_recovering_links_over_five_nights(tmp_path, site):
    """Pending, opened, persisting, closed on recovery: exactly two issues, no duplicates."""
    (tmp_path / "links.yaml").write_text(
        "version: 1\nlinks:\n"
        f"  - name: Alpha\n    url: {site.root}/alpha\n"
        f"  - name: Beta\n    url: {site.root}/beta\n",
        encoding="utf-8",
    )
    fake = FakeGitHub()
    with serve(fake) as api:
        code, marks = night(tmp_path, site, api, {"/alpha": 404, "/beta": 200})
        assert (code, marks["Alpha"]) == (0, "pending (1 failing run)")
        assert fake.issues == {}

        code, marks = night(tmp_path, site, api, {"/alpha": 404, "/beta": 200})
        assert (code, marks["Alpha"]) == (1, "new")
        assert [(i.state, i.title.count("Alpha")) for i in fake.ours()] == [("open", 1)]

        code, marks = night(tmp_path, site, api, {"/alpha": 404, "/beta": 410})
        assert code == 1
        assert marks["Alpha"].startswith("persisting (since ")
        assert marks["Beta"] == "pending (1 failing run)"
        assert len(fake.ours()) == 1

        code, marks = night(tmp_path, site, api, {"/alpha": 200, "/beta": 410})
        assert (code, marks["Alpha"], marks["Beta"]) == (1, "recovered", "new")
        alpha, beta = sorted(fake.ours(), key=lambda i: i.number)
        assert "Alpha" in alpha.title
        assert alpha.state == "closed"
        assert alpha.comments, "closing says why"
        assert ("Beta" in beta.title, beta.state) == (True, "open")

        code, marks = night(tmp_path, site, api, {"/alpha": 200, "/beta": 200})
        assert (code, marks["Beta"]) == (0, "recovered")
        assert [i.state for i in fake.ours()] == ["closed", "closed"]
        assert len(fake.issues) == 2
