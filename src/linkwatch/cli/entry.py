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


def _utf8_streams() -> None:
    """Write UTF-8 whatever the locale says: reports hold →, · and names in any script.

    A redirected stdout on Windows uses the ANSI code page (cp1252), which cannot encode
    them, and a crash there would lose the report; what no encoding can write is escaped.
    """
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        reconfigure = getattr(stream, "reconfigure", None)
        if encoding != "utf8" and reconfigure is not None:
            reconfigure(encoding="utf-8", errors="backslashreplace")


def main() -> None:
    """Console-script entry point."""
    _utf8_streams()
    if sys.argv[1:] in VERSION_FLAGS:
        sys.stdout.write(f"linkwatch {__version__}\n")
        return
    from linkwatch.cli.app import main as cli_main  # noqa: PLC0415 - the point of this module

    cli_main()
