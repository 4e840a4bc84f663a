"""The nightly workflow is valid, pinned, and asks only for the permissions it needs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "nightly.yml"


def _actionlint() -> str | None:
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.exists() else shutil.which("actionlint")


def test_actionlint_is_clean():
    """actionlint reports nothing (it runs shellcheck on the run: scripts too)."""
    assert _actionlint() is not None, "actionlint comes with the test extra"
    done = subprocess.run(
        [_actionlint(), str(WORKFLOW)], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_triggers_permissions_and_pins():
    """Scheduled and manual; issues write, contents read; every action pinned by SHA."""
    text = WORKFLOW.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    triggers = doc[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    assert doc["permissions"] == {}
    assert doc["jobs"]["check"]["permissions"] == {"contents": "read", "issues": "write"}
    uses = re.findall(r"uses: (\S+)@(\S+) # (v[\d.]+)", text)
    assert len(uses) == len(re.findall(r"uses:", text)) == 3
    assert all(re.fullmatch(r"[0-9a-f]{40}", sha) for _, sha, _ in uses)
    checkout = doc["jobs"]["check"]["steps"][0]
    assert checkout["with"]["persist-credentials"] is False


def test_runs_check_then_renders_the_saved_report():
    """The network is used once; Markdown for the summary comes from the saved JSON."""
    runs = "\n".join(
        step.get("run", "")
        for step in yaml.safe_load(WORKFLOW.read_text())["jobs"]["check"]["steps"]
    )
    assert "linkwatch check --format json --output report.json" in runs
    assert "linkwatch report report.json --format markdown" in runs
    assert '>> "$GITHUB_STEP_SUMMARY"' in runs
    assert ".github/scripts/nightly-issue.sh report.json" in runs


def _shellcheck() -> str | None:
    beside = Path(sys.executable).parent / "shellcheck"
    return str(beside) if beside.exists() else shutil.which("shellcheck")


def test_issue_script_passes_shellcheck():
    """The issue script is clean under shellcheck."""
    assert _shellcheck() is not None, "shellcheck comes with the test extra"
    script = ROOT / ".github" / "scripts" / "nightly-issue.sh"
    done = subprocess.run([_shellcheck(), str(script)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
