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
