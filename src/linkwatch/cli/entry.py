"""The ``linkwatch`` console script: answers ``--version`` before loading the CLI at all.

Importing the typer app (and through it YAML, the config model and the report formats)
takes about 0.15 s; ``linkwatch --version`` is run by CI and
pre-commit set-ups just to log a version, so it is answered from the package alone.
Everything else goes to ``linkwatch.cli.app.main`` unchanged.
"""

from __future__ import annotations

import sys

from linkwatch._version import __version__

VERSION_FLAGS = (["--version"], ["-V"])


def main() -> None:
    """Console-script entry point."""
    if sys.argv[1:] in VERSION_FLAGS:
        sys.stdout.write(f"linkwatch {__version__}\n")
        return
    from linkwatch.cli.app import main as cli_main  # noqa: PLC0415 - the point of this module

    cli_main()
