"""`check --state` from the command line: the state folder, and a report that could not be written."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from factories import link
from linkwatch.cli.app import app

A = link("Alpha")


def test_first_run_creates_the_state_folder_and_a_failed_report_keeps_the_state(tmp_path):
    """`--state .linkwatch/state.json` works on a first run; an unwritable report saves no state."""
    links = tmp_path / "links.yaml"
    links.write_text("version: 1\nlinks:\n  - name: A\n    url: https://a.invalid/\n")
    state = tmp_path / ".linkwatch" / "state.json"
    base = ["check", "--config", str(links), "--state", str(state), "--format", "json"]
    failed = CliRunner().invoke(app, [*base, "--output", str(tmp_path / "no" / "such" / "r.json")])
    assert failed.exit_code == 2
    assert not state.exists()
    ok = CliRunner().invoke(app, [*base, "--output", str(tmp_path / "r.json")])
    assert ok.exit_code == 1, ok.output
    assert state.exists()
    record = json.loads((tmp_path / "r.json").read_text())["links"][0]
    assert (record["status"], record["history"]["kind"]) == ("broken", "new")


def test_a_corrupt_state_warns_on_stderr_and_the_run_goes_on(tmp_path):
    """A state file that is not JSON is moved aside with one warning on stderr; stdout is the report."""
    links = tmp_path / "links.yaml"
    links.write_text("version: 1\nlinks:\n  - name: A\n    url: https://a.invalid/\n")
    state = tmp_path / "state.json"
    state.write_text("{not json", "utf-8")
    result = CliRunner().invoke(
        app, ["check", "-c", str(links), "--state", str(state), "--format", "json"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"warning: state file {state} is unusable (not valid JSON")
    assert json.loads(result.stdout)["links"][0]["history"]["kind"] == "new"
    assert len(list(tmp_path.glob("state.json.corrupt-*"))) == 1
