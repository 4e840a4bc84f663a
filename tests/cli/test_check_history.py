"""The history seam `check` calls: options checked, warnings printed, marks returned."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from factories import lid, link, night, run
from linkwatch.cli import app as cli
from linkwatch.errors import UsageError
from linkwatch.history.streaks import MarkKind
from linkwatch.models import Status

A = link("Alpha")


def test_without_state_nothing_is_remembered():
    """No --state, default thresholds: history is off."""
    assert cli._remember(run({A: Status.BROKEN}, night(0)), None, 1, 1) is None


@pytest.mark.parametrize(("fail_after", "recover_after"), [(2, 1), (1, 3)])
def test_thresholds_without_state_are_a_usage_error(fail_after, recover_after):
    """--fail-after or --recover-after without --state is refused (exit 2)."""
    with pytest.raises(UsageError, match="need --state FILE"):
        cli._remember(run({A: Status.BROKEN}, night(0)), None, fail_after, recover_after)


def test_state_marks_and_warns_on_stderr(tmp_path, capsys):
    """A corrupt state prints one warning on stderr and the run carries on with marks."""
    path = tmp_path / "state.json"
    path.write_text("{not json", "utf-8")
    remembered = cli._remember(run({A: Status.BROKEN}, night(0)), path, 2, 1)
    assert remembered is not None
    assert remembered.marks[lid(A)].kind is MarkKind.PENDING
    assert not remembered.failed
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"warning: state file {path} is unusable (not valid JSON")
    assert list(tmp_path.glob("state.json.corrupt-*"))


def test_first_run_creates_the_state_folder_and_a_failed_report_keeps_the_state(tmp_path):
    """`--state .linkwatch/state.json` works on a first run; an unwritable report saves no state."""
    links = tmp_path / "links.yaml"
    links.write_text("version: 1\nlinks:\n  - name: A\n    url: https://a.invalid/\n")
    state = tmp_path / ".linkwatch" / "state.json"
    base = ["check", "--config", str(links), "--state", str(state), "--format", "json"]
    failed = CliRunner().invoke(
        cli.app, [*base, "--output", str(tmp_path / "no" / "such" / "r.json")]
    )
    assert failed.exit_code == 2
    assert not state.exists()
    ok = CliRunner().invoke(cli.app, [*base, "--output", str(tmp_path / "r.json")])
    assert ok.exit_code == 1, ok.output
    assert state.exists()
    record = json.loads((tmp_path / "r.json").read_text())["links"][0]
    assert (record["status"], record["history"]["kind"]) == ("broken", "new")
