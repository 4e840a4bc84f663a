"""`linkwatch sync github` in a fresh process, over real HTTP, against the fake API on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys

from factories import lid, link, night, run
from linkwatch.history import statefile
from linkwatch.models import Status
from linkwatch.tracker import body
from tracker.fakegithub import TOKEN, FakeGitHub, serve

A, B = link("Alpha", index=0), link("Beta", index=1)


def linkwatch(*args, token=TOKEN):
    env = {**os.environ, "GITHUB_TOKEN": token, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "linkwatch", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def nightly(tmp_path, api, statuses, n):
    """One night's check (history), then sync in a subprocess, as the workflow runs them."""
    state_path = tmp_path / "state.json"
    statefile.remember(run(statuses, night(n)), state_path, now=night(n), fail_after=2)
    return linkwatch(
        "sync", "github", "--repo", "safe/links", "--state", str(state_path), "--api-url", api
    )


def test_nights_over_real_http(tmp_path):
    """Over a real socket: pending, created, recovered and closed, with one issue and no leak."""
    fake = FakeGitHub()
    with serve(fake) as api:
        first = nightly(tmp_path, api, {A: Status.BROKEN, B: Status.OK}, 0)
        assert first.returncode == 0, first.stderr
        assert fake.issues == {}
        second = nightly(tmp_path, api, {A: Status.BROKEN, B: Status.OK}, 1)
        assert second.returncode == 0, second.stderr
        assert second.stdout.endswith("synced: 1 create\n")
        third = nightly(tmp_path, api, {A: Status.OK, B: Status.OK}, 2)
        assert third.returncode == 0, third.stderr
        assert "synced: 1 comment, 1 close" in third.stdout
        bad = linkwatch(
            "sync",
            "github",
            "--repo",
            "safe/links",
            "--state",
            str(tmp_path / "state.json"),
            "--api-url",
            api,
            token="ghp_wrong_token_value_123",
        )
    (issue,) = fake.issues.values()
    assert body.parse(issue.body) == (lid(A), Status.BROKEN)
    assert issue.state == "closed"
    assert bad.returncode == 2
    assert "HTTP 401" in bad.stderr
    assert "ghp_wrong_token_value_123" not in bad.stdout + bad.stderr
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in fake.requests[:-1])
