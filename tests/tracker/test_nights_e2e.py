"""Issue 6's done-when, end to end: real checks of a loopback site, then sync to a fake GitHub.

Each "night" runs `linkwatch check --state … --fail-after 2` against a server on 127.0.0.1
whose pages break and recover between nights, then `linkwatch sync github` against the
in-memory GitHub API served over real HTTP, given the report alone, the state alone, or
both. The fake tracker must end with exactly the expected issues, opened and closed on the
right nights, never before --fail-after, never duplicated, whichever inputs sync reads.
"""

from __future__ import annotations

import http.server
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


SYNC_INPUTS = {
    "report": ("--report",),
    "state": ("--state",),
    "both": ("--report", "--state"),
}


def night(tmp_path, site, api, pages: dict[str, int], inputs: str, *, exit_code: int) -> list[str]:
    """Check with history (check must exit with `exit_code`), then sync with the report, the
    state, or both. Returns the lines sync printed.
    """
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
    assert checked.exit_code == exit_code, checked.output
    files = {"--report": str(report), "--state": str(state)}
    args = [arg for option in SYNC_INPUTS[inputs] for arg in (option, files[option])]
    synced = runner.invoke(
        app,
        ["sync", "github", "--repo", "safe/links", *args, "--api-url", api],
        env={"GITHUB_TOKEN": TOKEN},
    )
    assert synced.exit_code == 0, synced.output
    return synced.stdout.splitlines()


@pytest.mark.parametrize("inputs", sorted(SYNC_INPUTS))
def test_failing_and_recovering_links_over_five_nights(tmp_path, site, inputs):
    """At --fail-after 2, with the report alone, the state alone or both: nothing opens on a
    first failing night, an issue opens on the second, closes on recovery, and a first
    re-failure leaves it closed. Exactly two issues, never duplicated.
    """
    config = tmp_path / "links.yaml"
    config.write_text(
        "version: 1\nlinks:\n"
        f"  - name: Alpha\n    url: {site.root}/alpha\n"
        f"  - name: Beta\n    url: {site.root}/beta\n",
        encoding="utf-8",
    )
    with_report = "--report" in SYNC_INPUTS[inputs]
    listed = {"Alpha": f" ({config}:3)", "Beta": f" ({config}:5)"} if with_report else {}

    def line(verbs: str, number: int, name: str, why: str) -> str:
        path = f"{site.root}/{name.lower()}"
        return f'{verbs:<14} #{number:<4} "{name}" {path}{listed.get(name, "")}: {why}'

    # The state remembers statuses, not HTTP codes: those come with the report.
    ok = "ok (HTTP 200)" if with_report else "ok"
    http_404, http_410 = (", HTTP 404", ", HTTP 410") if with_report else ("", "")
    fake = FakeGitHub()
    with serve(fake) as api:
        # Night 1: Alpha fails for the first time: pending, so no issue.
        printed = night(tmp_path, site, api, {"/alpha": 404, "/beta": 200}, inputs, exit_code=0)
        assert printed == ["synced: nothing to do"]
        assert fake.issues == {}

        # Night 2: the second failing night in a row: the issue opens.
        printed = night(tmp_path, site, api, {"/alpha": 404, "/beta": 200}, inputs, exit_code=1)
        assert printed == [line("create", 1, "Alpha", f"broken{http_404}"), "synced: 1 create"]
        assert [(i.number, i.title, i.state) for i in fake.ours()] == [
            (1, "Link broken: Alpha", "open")
        ]

        # Night 3: Alpha persists (no change), Beta fails once (pending).
        printed = night(tmp_path, site, api, {"/alpha": 404, "/beta": 410}, inputs, exit_code=1)
        assert printed == ["synced: nothing to do"]
        assert len(fake.issues) == 1

        # Night 4: Alpha recovers (closed), Beta's second failure opens its issue.
        printed = night(tmp_path, site, api, {"/alpha": 200, "/beta": 410}, inputs, exit_code=1)
        assert printed == [
            line("comment+close", 1, "Alpha", f"recovered, {ok}"),
            line("create", 2, "Beta", f"broken{http_410}"),
            "synced: 1 create, 1 comment, 1 close",
        ]

        # Night 5: Alpha fails once more (pending: stays closed), Beta recovers.
        printed = night(tmp_path, site, api, {"/alpha": 404, "/beta": 200}, inputs, exit_code=0)
        assert printed == [
            line("comment+close", 2, "Beta", f"recovered, {ok}"),
            "synced: 1 comment, 1 close",
        ]
        assert [(i.number, i.title, i.state, len(i.comments)) for i in fake.ours()] == [
            (1, "Link broken: Alpha", "closed", 1),
            (2, "Link broken: Beta", "closed", 1),
        ]
        assert len(fake.issues) == 2
