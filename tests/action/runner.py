"""Runs action.yml's steps here, as a GitHub runner would run the composite, for the tests.

Each `run:` step is run with bash (`bash --noprofile --norc -eo pipefail`, GitHub's `shell:
bash`) with a fresh GITHUB_OUTPUT file, the job's GITHUB_STEP_SUMMARY file and the step's
`env:`; `if:` conditions and `${{ }}` expressions are evaluated over `inputs`, `steps`,
`github` and `runner` (the subset of the expression language action.yml uses). Steps that
use another action (setup-python, cache, upload-artifact) cannot run here: they are recorded
as skipped. Steps may be replaced by given outputs (the install step, which needs a package
index, is replaced by the test's own environment).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||[!(),])"
    r"|(?P<number>\d+)|(?P<name>[A-Za-z_][\w-]*(?:\.[\w-]+)*))"
)
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}")


@dataclass
class Run:
    """What one run of the action did."""

    outputs: dict[str, str]
    steps: dict[str, dict[str, str]]
    summary: str
    stdout: str
    ran: list[str] = field(default_factory=list)
    skipped_uses: list[str] = field(default_factory=list)
    failed: tuple[str, int] | None = None


class Context:
    """The values an expression can read, and the functions it can call."""

    def __init__(self, inputs: dict[str, str], github: dict[str, str], workspace: Path) -> None:
        self.inputs = inputs
        self.github = github
        self.runner = {"os": "Linux", "temp": str(workspace.parent / "runner-temp")}
        self.steps: dict[str, dict[str, str]] = {}
        self.workspace = workspace

    def lookup(self, name: str) -> str:
        head, _, rest = name.partition(".")
        if head == "inputs":
            return self.inputs[rest]
        if head == "github":
            return self.github[rest]
        if head == "runner":
            return self.runner[rest]
        if head == "steps":
            step, _, output = rest.partition(".outputs.")
            return self.steps.get(step, {}).get(output, "")
        raise KeyError(name)

    def hash_files(self, pattern: str) -> str:
        return "h" if pattern and any(self.workspace.glob(pattern)) else ""

    def evaluate(self, expression: str) -> Any:
        """An expression's value (strings and booleans; `&&` and `||` as in GitHub)."""
        python: list[str] = []
        functions = {"hashFiles": "hash_files", "cancelled": "never", "always": "yes"}
        position = 0
        expression = expression.strip()
        while position < len(expression):
            match = _TOKEN.match(expression, position)
            assert match is not None, f"cannot read {expression[position:]!r}"
            position = match.end()
            if match["string"] is not None:
                python.append(repr(match["string"][1:-1].replace("''", "'")))
            elif match["op"] is not None:
                python.append(
                    {"&&": " and ", "||": " or ", "!": " not "}.get(match["op"], match["op"])
                )
            elif match["number"] is not None:
                python.append(match["number"])
            elif expression[position:].lstrip().startswith("("):
                python.append(functions[match["name"]])
            elif match["name"] in {"true", "false"}:
                python.append(str(match["name"] == "true"))
            else:
                python.append(repr(self.lookup(match["name"])))
        namespace = {"hash_files": self.hash_files, "never": lambda: False, "yes": lambda: True}
        return eval("".join(python), {"__builtins__": {}}, namespace)

    def substitute(self, text: str) -> str:
        """`${{ ... }}` replaced by its value, as text."""

        def value(match: re.Match[str]) -> str:
            result = self.evaluate(match[1])
            return ("true" if result else "false") if isinstance(result, bool) else str(result)

        return _EXPRESSION.sub(value, text)

    def condition(self, text: str | None) -> bool:
        if text is None:
            return True
        inner = _EXPRESSION.fullmatch(text.strip())
        return bool(self.evaluate(inner[1] if inner else text))


def _read_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT's `name=value` and `name<<DELIMITER` forms."""
    outputs: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            outputs[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def run_action(
    inputs: dict[str, str],
    workspace: Path,
    *,
    replace: dict[str, dict[str, str]],
    github: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> Run:
    """Run the action's steps in ``workspace`` with ``inputs`` (others take their defaults)."""
    github = {
        "token": "ghs_default-token",
        "api_url": "https://api.github.invalid",
        "repository": "safe/links",
        "run_id": "1",
        "run_attempt": "1",
        **(github or {}),
    }
    context = Context({}, github, workspace)
    unknown = set(inputs) - set(ACTION["inputs"])
    assert not unknown, f"not inputs of action.yml: {unknown}"
    for name, spec in ACTION["inputs"].items():
        context.inputs[name] = inputs.get(name, context.substitute(str(spec.get("default", ""))))
    temp = Path(context.runner["temp"])
    temp.mkdir(exist_ok=True)
    summary = temp / "step-summary.md"
    summary.write_text("", encoding="utf-8")  # one job, one summary
    run = Run(outputs={}, steps=context.steps, summary="", stdout="")
    for index, step in enumerate(ACTION["runs"]["steps"]):
        step_id = step.get("id", f"step-{index}")
        if not context.condition(step.get("if")):
            continue
        if step_id in replace:
            context.steps[step_id] = dict(replace[step_id])
            run.ran.append(step_id)
            continue
        if "uses" in step:
            run.skipped_uses.append(step["uses"].split("@")[0])
            continue
        output = temp / f"output-{index}"
        output.write_text("", encoding="utf-8")
        script = temp / f"step-{index}.sh"
        script.write_text(context.substitute(step["run"]), encoding="utf-8")
        step_env = {
            **os.environ,
            **(env or {}),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_REPOSITORY": github["repository"],
            "RUNNER_TEMP": str(temp),
            **{k: context.substitute(str(v)) for k, v in step.get("env", {}).items()},
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=step_env,
            capture_output=True,
            text=True,
            check=False,
        )
        run.stdout += done.stdout + done.stderr
        run.ran.append(step_id)
        context.steps[step_id] = _read_outputs(output)
        if done.returncode != 0:
            run.failed = (step_id, done.returncode)
            break
    run.outputs = {
        name: context.substitute(spec["value"]) for name, spec in ACTION["outputs"].items()
    }
    run.summary = summary.read_text(encoding="utf-8")
    return run
