"""The console script's fast --version answers exactly what the full CLI answers."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from linkwatch.cli import entry
from linkwatch.cli.app import app


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_fast_version_matches_the_cli(flag, monkeypatch, capsys):
    """entry.main prints the same line as the typer app's --version, without the app."""
    monkeypatch.setattr(sys, "argv", ["linkwatch", flag])
    entry.main()
    assert capsys.readouterr().out == CliRunner().invoke(app, [flag]).output


def test_other_arguments_go_to_the_cli(monkeypatch):
    """Anything but a lone version flag runs the full CLI."""
    called = []
    monkeypatch.setattr(sys, "argv", ["linkwatch", "check", "--help"])
    monkeypatch.setattr("linkwatch.cli.app.main", lambda: called.append(True))
    entry.main()
    assert called == [True]


def test_version_does_not_import_the_cli():
    """python -m linkwatch --version loads neither typer nor the CLI module."""
    code = (
        "import sys, runpy; sys.argv = ['linkwatch', '--version'];"
        "runpy.run_module('linkwatch', run_name='__main__');"
        "assert 'linkwatch.cli.app' not in sys.modules and 'typer' not in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("linkwatch ")


def test_a_pipe_in_a_legacy_code_page_still_gets_the_whole_report(tmp_path, report):
    """With stdout in cp1252 (a redirected stdout on Windows), the report is written in UTF-8,
    arrows and all, instead of crashing."""
    from linkwatch.report import OutputFormat, render  # noqa: PLC0415

    saved = tmp_path / "r.json"
    saved.write_text(render(report, OutputFormat.JSON), encoding="utf-8")
    env = {"PYTHONIOENCODING": "cp1252", "NO_COLOR": "1", "PATH": ""}
    proc = subprocess.run(
        [sys.executable, "-m", "linkwatch", "report", str(saved)],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    text = proc.stdout.decode("utf-8")
    assert "  → https://casino.example/landing\n" in text
    assert text.endswith(
        "8 links: 2 ok, 1 skipped, 2 redirected, 1 blocked, 1 error, 1 broken · 2.3 s\n"
    )
