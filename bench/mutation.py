"""Mutation testing, one module at a time, with only the tests that cover it.

    python bench/mutation.py                      # every module in MODULES
    python bench/mutation.py judgement.classify urls --verify 5

For each module: copy the checkout to ``build/mutation/<module>/`` (nothing is run in the
work tree), write that copy's ``[tool.mutmut]`` to mutate the one file with the module's own
pure tests, run ``mutmut run``, then re-run a sample of the *killed* mutants in a fresh
``python -m pytest`` process (mutmut forks workers from a process that already ran the suite;
a kill that only happens in a forked child is not a kill). Prints a score table (Markdown), and
writes it with every survivor's diff to ``build/mutation/summary.md`` and
``build/mutation/survivors.txt``.

Survivors judged equivalent (no test can tell them apart) are listed with the reason in
``bench/mutation-equivalent.txt``; they are counted in the raw score and shown apart.

Exit status: 0 when every module is at or above ``--min-score`` and every verified kill held,
1 otherwise, 2 when mutmut itself failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EQUIVALENT_FILE = REPO / "bench" / "mutation-equivalent.txt"

REPORT_EXACT = "report/test_report_exact.py"  # github, summary and merge, exactly
# module → its pure tests (globs under tests/). A new file named like the module's test file
# (tests/judgement/test_classify_exact.py) is picked up by the glob.
MODULES: dict[str, list[str]] = {
    "judgement.classify": ["judgement/test_classify*.py"],
    # What a page says (parking, bot walls, vanished pages, titles): split out of classify,
    # whose tests pin it through classify() and by name.
    "judgement.pages": ["judgement/test_classify*.py"],
    "judgement.policy": ["judgement/test_policy*.py"],
    "judgement.sites": ["judgement/test_sites*.py"],
    "urls": ["test_urls*.py"],
    "history.streaks": ["history/test_streaks*.py"],
    "listfile.config": ["listfile/test_config*.py", "listfile/test_schema*.py"],
    # The field kinds config declares the schema with: split out of config, the same tests.
    "listfile.kinds": ["listfile/test_config*.py", "listfile/test_schema*.py"],
    "report.table": ["report/test_table*.py", "report/test_formats*.py"],
    "report.json": ["report/test_json*.py", "report/test_formats*.py"],
    "report.markdown": ["report/test_markdown*.py", "report/test_formats*.py"],
    "report.github": ["report/test_github*.py", "report/test_formats*.py", REPORT_EXACT],
    "report.summary": ["report/test_summary*.py", REPORT_EXACT],
    "report.neutralise": ["report/test_neutralise*.py"],
    "report.merge": ["report/test_merge*.py", REPORT_EXACT],
    "tracker.plan": ["tracker/test_plan*.py", "tracker/test_report_history.py"],
    "tracker.body": ["tracker/test_body*.py"],
}

# What the copy needs: the package, the tests and the files the tests read.
COPY = ["src", "tests", "schema", "docs", "links.yaml", "README.md", "pyproject.toml"]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", "*.egg-info")


@dataclass
class Result:
    module: str
    counts: dict[str, int] = field(default_factory=dict)
    survivors: list[str] = field(default_factory=list)
    verified: int = 0
    false_kills: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""

    @property
    def killed(self) -> int:
        # A mutant that makes the tests hang is detected too (mutmut's "timeout").
        return self.counts.get("killed", 0) + self.counts.get("timeout", 0)

    @property
    def total(self) -> int:
        # Skipped mutants were never run (none are expected); everything else counts.
        return self.counts.get("total", 0) - self.counts.get("skipped", 0)

    @property
    def score(self) -> float:
        return 100.0 * self.killed / self.total if self.total else 0.0


def source_of(module: str) -> str:
    return "src/linkwatch/" + module.replace(".", "/") + ".py"


def tests_of(work: Path, module: str) -> list[str]:
    found: set[str] = set()
    for pattern in MODULES[module]:
        found.update(p.relative_to(work).as_posix() for p in (work / "tests").glob(pattern))
    return sorted(found)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"unsupported [tool.mutmut] value: {value!r}")


def write_config(work: Path, module: str, tests: list[str]) -> None:
    """The copy's pyproject.toml: the repository's [tool.mutmut], narrowed to one module."""
    path = work / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    base = tomllib.loads(text).get("tool", {}).get("mutmut", {})
    # Drop the repository's own [tool.mutmut] table (up to the next table header).
    text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", text)
    config = dict(base)
    config["only_mutate"] = [source_of(module)]
    config["pytest_add_cli_args_test_selection"] = tests
    lines = [f"{key} = {toml_value(value)}" for key, value in config.items()]
    path.write_text(text.rstrip() + "\n\n[tool.mutmut]\n" + "\n".join(lines) + "\n", "utf-8")


def prepare(out: Path, module: str) -> Path:
    work = out / module
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for name in COPY:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, work / name, symlinks=True, ignore=IGNORE)
        elif source.exists():
            shutil.copy2(source, work / name)
    return work


def fresh_run(work: Path, mutant: str, tests: list[str], timeout: float) -> int:
    """Run the module's tests against one mutant in a new interpreter; the exit code."""
    env = dict(os.environ, MUTANT_UNDER_TEST=mutant, PYTHONPATH="src")
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-x", *tests]
    try:
        done = subprocess.run(
            command,
            cwd=work / "mutants",
            env=env,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return -1  # a hang is a kill mutmut would also call a timeout
    return done.returncode


def statuses(work: Path) -> dict[str, int]:
    """mutant name → the exit code mutmut recorded, from its .meta files."""
    codes: dict[str, int] = {}
    for meta in (work / "mutants").rglob("*.meta"):
        codes.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return codes


def run_module(out: Path, module: str, args: argparse.Namespace) -> Result:
    result = Result(module)
    started = time.monotonic()
    work = prepare(out, module)
    tests = tests_of(work, module)
    write_config(work, module, tests)
    mutmut = Path(sys.executable).with_name("mutmut")
    log = work / "mutmut.log"
    with log.open("wb") as sink:
        try:
            done = subprocess.run(
                [str(mutmut), "run", "--max-children", str(args.jobs)],
                cwd=work,
                stdout=sink,
                stderr=subprocess.STDOUT,
                timeout=args.time_limit,
                check=False,
            )
        except subprocess.TimeoutExpired:
            result.error = f"mutmut run took longer than {args.time_limit:.0f} s"
            return result
    if done.returncode != 0:
        result.error = f"mutmut run exited {done.returncode}; see {log}"
        return result
    subprocess.run([str(mutmut), "export-cicd-stats"], cwd=work, capture_output=True, check=True)
    result.counts = json.loads((work / "mutants" / "mutmut-cicd-stats.json").read_text("utf-8"))
    codes = statuses(work)
    listing = subprocess.run(
        [str(mutmut), "results"], cwd=work, capture_output=True, text=True, check=True
    ).stdout
    # `mutmut results` lists every mutant not killed, with its status; a timeout is a kill.
    result.survivors = sorted(
        name.strip()
        for name, _, status in (line.partition(":") for line in listing.splitlines())
        if name.strip() and status.strip() != "timeout"
    )
    # Killed mutants, sampled evenly, each re-run in a fresh interpreter.
    killed = sorted(name for name, code in codes.items() if code in (1, 3))  # mutmut's kills
    if killed and args.verify:
        step = max(1, len(killed) // args.verify)
        for name in killed[::step][: args.verify]:
            if fresh_run(work, name, tests, timeout=120) == 0:
                result.false_kills.append(name)
            else:
                result.verified += 1
    result.seconds = time.monotonic() - started
    return result


def diff_of(work: Path, mutant: str) -> str:
    mutmut = Path(sys.executable).with_name("mutmut")
    shown = subprocess.run(
        [str(mutmut), "show", mutant], cwd=work, capture_output=True, text=True, check=False
    )
    return shown.stdout


def equivalent_names() -> dict[str, str]:
    """mutant name → why it is equivalent, from bench/mutation-equivalent.txt."""
    names: dict[str, str] = {}
    if EQUIVALENT_FILE.exists():
        for line in EQUIVALENT_FILE.read_text(encoding="utf-8").splitlines():
            name, _, reason = line.partition("#")
            if name.strip():
                names[name.strip()] = reason.strip()
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="e.g. judgement.classify (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="mutmut --max-children (2)")
    parser.add_argument("--verify", type=int, default=5, help="killed mutants re-run fresh (5)")
    parser.add_argument("--min-score", type=float, default=85.0, help="percent killed (85)")
    parser.add_argument("--time-limit", type=float, default=1800, help="seconds per module")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "mutation")
    args = parser.parse_args()
    modules = args.modules or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module(s): {', '.join(unknown)}; known: {', '.join(MODULES)}")
    args.out.mkdir(parents=True, exist_ok=True)
    equivalent = equivalent_names()

    results = []
    for module in modules:
        print(f"== {module}", flush=True)
        result = run_module(args.out, module, args)
        results.append(result)
        print(f"   {result.error or f'{result.score:.1f} % in {result.seconds:.0f} s'}", flush=True)

    rows = [
        "| module | mutants | killed | survived | equivalent | score | fresh-process kills |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    survivors_text = []
    for r in results:
        if r.error:
            rows.append(f"| `{r.module}` | | | | | error: {r.error} | |")
            continue
        same = [s for s in r.survivors if s in equivalent]
        fresh = f"{r.verified}/{r.verified + len(r.false_kills)}"
        rows.append(
            f"| `{r.module}` | {r.total} | {r.killed} | {len(r.survivors)} | {len(same)} "
            f"| {r.score:.1f} % | {fresh} |"
        )
        for name in r.survivors:
            note = f"  (equivalent: {equivalent[name]})" if name in equivalent else ""
            survivors_text.append(f"## {name}{note}\n{diff_of(args.out / r.module, name)}")
    table = "\n".join(rows)
    print(table)
    (args.out / "summary.md").write_text(table + "\n", encoding="utf-8")
    (args.out / "survivors.txt").write_text("\n".join(survivors_text), encoding="utf-8")
    print(f"survivors and their diffs: {args.out / 'survivors.txt'}")

    if any(r.error for r in results):
        return 2
    false = [name for r in results for name in r.false_kills]
    if false:
        print("killed in mutmut's forked worker but passing in a fresh process:", *false)
        return 1
    low = [r.module for r in results if r.score < args.min_score]
    if low:
        print(f"below {args.min_score:.0f} %: {', '.join(low)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
