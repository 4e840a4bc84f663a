"""The nightly workflow's issue script, run against saved reports with a fake ``gh``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from linkwatch.report import OutputFormat, render
from samples import sample_report

SCRIPT = Path(__file__).parents[2] / ".github" / "scripts" / "nightly-issue.sh"

# Records every call (and the body it was given); answers `issue list` from FAKE_GH_ISSUES,
# passing --jq through the real jq, as gh itself would.
FAKE_GH = """#!{python}
import json, os, subprocess, sys
args = sys.argv[1:]
entry = {{"args": args}}
if "--body-file" in args:
    with open(args[args.index("--body-file") + 1], encoding="utf-8") as f:
        entry["body"] = f.read()
with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(entry) + "\\n")
if args[:2] == ["issue", "list"]:
    issues = os.environ.get("FAKE_GH_ISSUES", "[]")
    jq = args[args.index("--jq") + 1]
    out = subprocess.run(["jq", "-r", jq], input=issues, capture_output=True, text=True, check=True)
    sys.stdout.write(out.stdout)
"""

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or shutil.which("bash") is None or shutil.which("jq") is None,
    reason="needs bash, jq and a fake gh run by its #! line (not on Windows)",
)

MARKER = "<!-- linkwatch:report -->"


def run_script(tmp_path, report, issues=()):
    """Run the script on a saved report; return (exit code, gh calls)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH.format(python=sys.executable), encoding="utf-8")
    gh.chmod(0o755)
    saved = tmp_path / "report.json"
    saved.write_text(
        render(report, OutputFormat.JSON) if not isinstance(report, str) else report,
        encoding="utf-8",
    )
    log = tmp_path / "gh.log"
    env = {
        **os.environ,
        "PATH": os.pathsep.join(
            [str(bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]]
        ),
        "FAKE_GH_LOG": str(log),
        "FAKE_GH_ISSUES": json.dumps(list(issues)),
        "GITHUB_RUN_ID": "42",
        "GITHUB_REPOSITORY": "org/links",
    }
    env.pop("LINKWATCH_ISSUE_ON", None)
    done = subprocess.run(
        ["bash", str(SCRIPT), str(saved)], env=env, capture_output=True, text=True, check=False
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return done.returncode, calls


def _commands(calls):
    return [call["args"][:2] for call in calls]


def test_problems_and_no_open_issue_creates_one(tmp_path, report):
    """The first run with problems opens one labelled issue with the Markdown body."""
    code, calls = run_script(tmp_path, report)
    assert code == 0
    assert _commands(calls) == [["issue", "list"], ["label", "create"], ["issue", "create"]]
    create = calls[2]
    assert create["args"][create["args"].index("--title") + 1] == ("linkwatch: 6 links fail")
    assert create["args"][create["args"].index("--label") + 1] == "linkwatch"
    assert create["body"].startswith(MARKER)
    assert create["body"].count("- [ ] ") == 6


def test_problems_and_an_open_issue_updates_it(tmp_path, report):
    """Later runs edit the open issue found by label and marker, never a stranger's."""
    issues = [
        {"number": 3, "body": "someone else's issue with the label"},
        {"number": 7, "body": MARKER + "\n\n## linkwatch: 2 links need attention"},
    ]
    code, calls = run_script(tmp_path, report, issues)
    assert code == 0
    assert _commands(calls) == [["issue", "list"], ["issue", "edit"]]
    assert calls[1]["args"][2] == "7"
    assert calls[1]["body"].startswith(MARKER)


def test_clean_run_closes_the_open_issue(tmp_path, clean_report):
    """A clean run closes the issue with a comment pointing at the run."""
    code, calls = run_script(tmp_path, clean_report, [{"number": 7, "body": MARKER}])
    assert code == 0
    assert _commands(calls) == [["issue", "list"], ["issue", "close"]]
    close = calls[1]["args"]
    assert close[2] == "7"
    assert "https://github.com/org/links/actions/runs/42" in close[close.index("--comment") + 1]


def test_clean_run_without_an_issue_does_nothing(tmp_path, clean_report):
    """Nothing to open and nothing to close."""
    code, calls = run_script(tmp_path, clean_report)
    assert code == 0
    assert _commands(calls) == [["issue", "list"]]


def test_unusable_report_leaves_the_issue_alone(tmp_path):
    """A broken report exits 2 without a single gh call."""
    code, calls = run_script(tmp_path, "{not json")
    assert code == 2
    assert calls == []


def test_unavailable_network_leaves_the_issue_alone(tmp_path):
    """A night without network neither closes nor rewrites the issue."""
    code, calls = run_script(tmp_path, sample_report(network_unavailable=True))
    assert code == 3
    assert calls == []
