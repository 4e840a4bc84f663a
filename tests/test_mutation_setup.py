"""The mutation-testing setup stays whole: every module the score covers has its tests, the
weekly workflow runs the documented command, and CI's fast extras do not pull mutmut in."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _runner():
    spec = importlib.util.spec_from_file_location("mutation", ROOT / "bench" / "mutation.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("mutation", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_module_has_its_file_and_tests():
    runner = _runner()
    for module in runner.MODULES:
        assert (ROOT / runner.source_of(module)).is_file(), module
        assert runner.tests_of(ROOT, module), module


def test_pyproject_mutates_the_same_modules_the_runner_scores():
    runner = _runner()
    only = PYPROJECT["tool"]["mutmut"]["only_mutate"]
    files = {p.relative_to(ROOT).as_posix() for pattern in only for p in ROOT.glob(pattern)}
    assert files == {runner.source_of(module) for module in runner.MODULES} | {
        "src/linkwatch/report/__init__.py"
    }


def test_a_module_config_replaces_only_the_selection(tmp_path):
    runner = _runner()
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.mutmut]\nsource_paths = ["src"]\n'
        'only_mutate = ["a"]\n\n[tool.other]\nkey = 1\n',
        encoding="utf-8",
    )
    runner.write_config(tmp_path, "urls", ["tests/test_urls.py"])
    written = tomllib.loads((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    assert written["tool"]["mutmut"] == {
        "source_paths": ["src"],
        "only_mutate": ["src/linkwatch/urls.py"],
        "pytest_add_cli_args_test_selection": ["tests/test_urls.py"],
    }
    assert written["tool"]["other"] == {"key": 1}


def test_mutmut_is_its_own_extra_not_a_test_dependency():
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert any(req.startswith("mutmut") for req in extras["mutation"])
    assert not any(req.startswith("mutmut") for req in extras["test"] + extras["lint"])


def test_weekly_workflow_runs_the_documented_command_and_uploads_survivors():
    doc = yaml.safe_load((ROOT / ".github" / "workflows" / "mutation.yml").read_text("utf-8"))
    assert set(doc[True]) == {"schedule", "workflow_dispatch"}  # YAML 1.1 reads `on` as true
    (cron,) = doc[True]["schedule"]
    assert cron["cron"].split()[2:4] == ["*", "*"]
    assert cron["cron"].split()[4] != "*"  # one day a week
    assert doc["permissions"] == {}
    job = doc["jobs"]["mutation"]
    assert job["permissions"] == {"contents": "read"}
    steps = job["steps"]
    assert steps[0]["with"]["persist-credentials"] is False
    runs = "\n".join(step.get("run", "") for step in steps)
    assert ".[test,mutation]" in runs
    assert "bench/mutation.py" in runs
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert "build/mutation/survivors.txt" in upload["with"]["path"]
    assert upload["if"] == "always()"
    docs = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    assert "python bench/mutation.py" in docs
