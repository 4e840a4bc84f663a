"""Lint action.yml with actionlint, which reads workflows only.

actionlint checks a local action's inputs where a workflow uses it, not the action's own
steps. So this writes the composite's steps into a reusable workflow whose inputs are the
action's (same names, strings), and lints that: every `run:` script through shellcheck, every
expression and context, every pinned `uses:`. Exits with actionlint's status.

Usage: python .github/scripts/lint-action.py [ACTIONLINT]
"""

# ruff: noqa: INP001, T201, S603 - a standalone CI script: prints its verdict, runs actionlint
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def as_workflow(action: dict[str, object]) -> dict[str, object]:
    """The composite action as a reusable workflow with one job and the same steps."""
    inputs = action["inputs"]
    runs = action["runs"]
    if not isinstance(inputs, dict) or not isinstance(runs, dict) or runs["using"] != "composite":
        raise SystemExit("lint-action: action.yml is not a composite action with inputs")
    return {
        "name": "action.yml as a workflow",
        "on": {
            "workflow_call": {
                "inputs": {
                    # A workflow input's default cannot use `github`; the action's may.
                    name: {"type": "string", "required": False}
                    for name in inputs
                }
            }
        },
        "permissions": {},
        "jobs": {
            "action": {
                "runs-on": "ubuntu-latest",
                "steps": runs["steps"],
            }
        },
    }


def main() -> int:
    tool = sys.argv[1] if len(sys.argv) > 1 else None
    tool = tool or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    tool = tool or shutil.which("actionlint")
    if tool is None:
        print("lint-action: actionlint not found", file=sys.stderr)
        return 2
    tool = str(Path(tool).resolve()) if os.sep in tool or "/" in tool else tool
    # actionlint runs shellcheck from PATH; the one installed beside it comes first.
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(tool).parent), os.environ["PATH"]])}
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    text = yaml.safe_dump(as_workflow(action), sort_keys=False, width=1000)
    # `github.action_path` is what a composite's steps are given; a workflow has no such path.
    text = text.replace("$GITHUB_ACTION_PATH", "$GITHUB_WORKSPACE")
    with tempfile.TemporaryDirectory() as tmp:
        workflows = Path(tmp) / ".github" / "workflows"
        workflows.mkdir(parents=True)
        (workflows / "action.yml").write_text(text, encoding="utf-8")
        done = subprocess.run([tool, ".github/workflows/action.yml"], cwd=tmp, env=env, check=False)
    if done.returncode == 0:
        print("lint-action: action.yml is clean")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
