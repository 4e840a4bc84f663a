"""The command line as a user drives it: versions, help, validate, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkwatch._version import __version__
from linkwatch.cli.app import app

runner = CliRunner()


def run_cli(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env)


def test_version():
    """--version prints the package version."""
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"linkwatch {__version__}\n"


def test_python_dash_m_runs_the_cli(tmp_path):
    """`python -m linkwatch` is the same program, in a fresh process."""
    proc = subprocess.run(
        [sys.executable, "-m", "linkwatch", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (0, f"linkwatch {__version__}\n")


@pytest.mark.parametrize("command", ["validate", "check", "schema"])
def test_every_command_has_help_with_an_example(command):
    """Each sub-command's --help shows how to use it."""
    result = run_cli(command, "--help", env={"NO_COLOR": "1", "COLUMNS": "100"})
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"linkwatch {command}" in result.stdout


def test_no_color_means_no_escape_codes():
    """NO_COLOR (and a non-terminal) keep help free of ANSI escape sequences."""
    result = run_cli("--help", env={"NO_COLOR": "1", "COLUMNS": "100"})
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    assert "Exit codes" in result.stdout


# Said when no ./links.yaml exists: the user may have meant their own list.
BUNDLED = (
    "ok: 10 links in the list bundled with linkwatch (no links.yaml here; give a PATH, or"
    " start one with `linkwatch init`)\n"
)


def test_validate_ok_on_the_bundled_list(repo, monkeypatch):
    """In the repository, ./links.yaml is validated."""
    monkeypatch.chdir(repo)
    result = run_cli("validate")
    assert result.exit_code == 0
    assert result.stdout == "ok: 10 links\n"


def test_validate_uses_the_embedded_list_anywhere(tmp_path, monkeypatch):
    """Outside a directory with a links.yaml, the list shipped in the package is used."""
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate")
    assert result.exit_code == 0
    assert result.stdout == BUNDLED


def test_local_links_yaml_wins_over_the_embedded_one(tmp_path, monkeypatch):
    """A links.yaml in the working directory is the one validated."""
    (tmp_path / "links.yaml").write_text(
        "version: 1\nlinks:\n  - name: A\n    url: https://a.org/\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate")
    assert (result.exit_code, result.stdout) == (0, "ok: 1 link\n")


def test_validate_reports_every_problem_and_exits_2(write_config):
    """Problems go to stderr, one per line with file:line:col, then a count; exit 2."""
    path = write_config(
        "version: 1\nlinks:\n  - name: A\n    ulr: https://a.org/\n  - name: B\n    url: htp://x\n"
    )
    result = run_cli("validate", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == [
        f"{path}:3:5: links[0]: missing required key 'url'; add `url: https://...`",
        f"{path}:4:5: links[0].ulr: unknown key 'ulr' \u2014 did you mean 'url'?",
        f"{path}:6:10: links[1].url: 'htp://x' is not an http(s) URL",
        "3 problems found",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        (b"", "is empty"),
        (b"\xff\xfe", "is not valid UTF-8"),
        (b"version: 1\nlinks: [\n", "YAML syntax error"),
        (b"- 1\n", "the top level must be a mapping"),
    ],
)
def test_bad_files_exit_2_with_a_message_and_no_traceback(tmp_path, content, expected):
    """Missing, empty, undecodable, malformed or mis-shaped files: one clear message, exit 2."""
    path = tmp_path / "links.yaml"
    if content is not None:
        path.write_bytes(content)
    result = run_cli("validate", str(path))
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_directory_argument_is_a_clear_error(tmp_path):
    """Passing a directory is explained, not a traceback."""
    result = run_cli("validate", str(tmp_path))
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_schema_command_prints_json_schema():
    """`linkwatch schema` prints the links.yaml JSON Schema."""
    result = run_cli("schema")
    assert result.exit_code == 0
    assert '"$schema": "https://json-schema.org/draft/2020-12/schema"' in result.stdout


def test_installed_console_script_validates_from_any_directory(tmp_path):
    """The `linkwatch` console script finds the embedded list outside the repository."""
    exe = Path(sys.executable).parent / "linkwatch"
    if not exe.exists():
        pytest.fail("the linkwatch console script is not installed in this environment")
    proc = subprocess.run(
        [exe, "validate"], capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == BUNDLED
