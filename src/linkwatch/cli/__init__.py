"""The command line: the typer app (``app.py``), one module per command or command family.

Owns option parsing, what goes to stdout and stderr, colour, the progress bar and exit codes;
no pipeline logic. Each command turns its options into a settings value, calls one library
function (``pipeline``, ``listfile``, ``importing``) and prints what it returns. Nothing
imports ``cli`` (an import-linter contract in pyproject.toml); it may import any layer, and it
is, with ``report.table``, the only place that imports rich.
"""
