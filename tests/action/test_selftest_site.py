"""CI's `action` job, here: the self-test site, the Action's steps on it, and the outputs check."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from action.runner import ROOT, run_action

SCRIPT = ROOT / ".github" / "scripts" / "selftest-site.py"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork"), reason="the self-test site forks into the background (POSIX only)"
)


def test_the_action_on_the_selftest_site_gives_the_expected_outputs(tmp_path):
    """The site serves, the Action checks it, and `--expect` accepts the outputs it set."""
    started = subprocess.run(
        [sys.executable, str(SCRIPT), "--port", "0", "--list", "links.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(re.search(r"pid (\d+) serving", started.stdout)[1])
    try:
        run = run_action(
            {
                "args": "--allow-private --timeout 10",
                "fail": "false",
                "history": "true",
                "fail-after": "1",
            },
            tmp_path,
            replace={"install": {"bin": str(BIN)}},
        )
        assert run.failed is None, run.stdout
        checked = subprocess.run(
            [sys.executable, str(SCRIPT), "--expect", json.dumps(run.outputs)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stdout
        assert (
            checked.stdout == "selftest-site: outputs as expected, report linkwatch-report.json\n"
        )
        wrong = subprocess.run(
            [sys.executable, str(SCRIPT), "--expect", json.dumps({**run.outputs, "ok": "3"})],
            capture_output=True,
            text=True,
            check=False,
        )
        assert wrong.returncode == 1
        assert "'ok': ('3', '1')" in wrong.stdout
    finally:
        os.kill(pid, signal.SIGTERM)
