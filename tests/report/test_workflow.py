"""The nightly workflow is valid, pinned, asks only for what it needs, and runs the Action."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW = WORKFLOWS / "nightly.yml"


def _actionlint() -> str | None:
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.exists() else shutil.which("actionlint")


def test_actionlint_is_clean_on_every_workflow():
    """actionlint reports nothing on any workflow (shellcheck on run: scripts too)."""
    assert _actionlint() is not None, "actionlint comes with the test extra"
    files = sorted(str(p.relative_to(ROOT)) for p in WORKFLOWS.glob("*.yml"))
    assert files == [
        ".github/workflows/ci.yml",
        ".github/workflows/mutation.yml",
        ".github/workflows/nightly.yml",
        ".github/workflows/release.yml",
    ]
    # actionlint runs shellcheck only if it finds it on PATH, and says nothing otherwise.
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
    }
    done = subprocess.run(
        [_actionlint(), *files], capture_output=True, text=True, check=False, cwd=ROOT, env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_is_clean_on_the_action():
    """action.yml's steps, linted as a workflow (expressions, shellcheck, pins)."""
    done = subprocess.run(
        [sys.executable, ".github/scripts/lint-action.py", _actionlint() or "actionlint"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "lint-action: action.yml is clean\n"


def test_every_action_is_pinned_by_sha():
    """In every workflow and in action.yml: `uses: owner/name@<40 hex> # vX.Y.Z`, or `./`."""
    for path in [*WORKFLOWS.glob("*.yml"), ROOT / "action.yml"]:
        text = path.read_text(encoding="utf-8")
        uses = re.findall(r"(?m)^\s*(?:- )?uses: (\S+)", text)
        pinned = re.findall(
            r"(?m)^\s*(?:- )?uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v[\d.]+$", text
        )
        local = [u for u in uses if u == "./"]
        assert len(pinned) + len(local) == len(uses) > 0, path


def test_triggers_permissions_and_the_action():
    """Scheduled and manual; issues write, contents read; the Action from this checkout."""
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert set(doc[True]) == {"schedule", "workflow_dispatch"}  # YAML 1.1 reads `on` as true
    assert doc["permissions"] == {}
    job = doc["jobs"]["check"]
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    checkout, action, _ = job["steps"]
    assert checkout["with"]["persist-credentials"] is False
    assert action["uses"] == "./"
    assert action["with"] == {
        "config": "links.yaml",
        "history": True,
        "fail-after": 2,
        "issues": "summary,per-link",
        "fail": False,
        "python-version": "3.12",
    }


def test_workflows_start_with_no_permissions():
    """Every workflow sets `permissions: {}` at the top; jobs ask for what they need."""
    for path in WORKFLOWS.glob("*.yml"):
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["permissions"] == {}, path


def _shellcheck() -> str | None:
    beside = Path(sys.executable).parent / "shellcheck"
    return str(beside) if beside.exists() else shutil.which("shellcheck")


def test_scripts_pass_shellcheck():
    """The issue script and the Action's scripts are clean under shellcheck."""
    assert _shellcheck() is not None, "shellcheck comes with the test extra"
    scripts = sorted(str(p) for p in (ROOT / ".github" / "scripts").glob("*.sh"))
    assert len(scripts) == 7
    done = subprocess.run([_shellcheck(), *scripts], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
