"""The ``linkwatch`` command line: parse options, call the library, print, set the exit code."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from linkwatch import __version__, config
from linkwatch.errors import ConfigError, LinkwatchError

if TYPE_CHECKING:
    from linkwatch.models import Config

EXIT_CODES_HELP = (
    "Exit codes: 0 nothing failed the policy; 1 problems found; 2 usage or config error;"
    " 3 network unavailable."
)

app = typer.Typer(
    name="linkwatch",
    help="Keep a curated list of links healthy: broken, moved, hijacked or tracking-laden links"
    " are found before a reader clicks them.\n\n" + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ConfigArg = Annotated[
    Path | None,
    typer.Argument(
        help="The links.yaml to read. Default: ./links.yaml if present, else the bundled list.",
        show_default=False,
        dir_okay=True,
        metavar="[PATH]",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="The links.yaml to read. Default: ./links.yaml if present, else the bundled list.",
        show_default=False,
    ),
]


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"linkwatch {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="Print the version and exit.",
            callback=_version_callback,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Keep a curated list of links healthy."""


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _load(path: Path | None) -> Config:
    """Find and validate the links.yaml to use (raises ConfigError)."""
    resolved, embedded = config.resolve_path(path, Path.cwd())
    shown = str(path) if path is not None else (config.CONFIG_NAME if not embedded else None)
    return config.load(resolved, shown=shown, embedded=embedded)


def _fail(error: LinkwatchError) -> typer.Exit:
    if isinstance(error, ConfigError):
        for problem in error.problems:
            _err(str(problem))
        count = len(error.problems)
        _err(f"{count} problem{'s' if count != 1 else ''} found")
    else:
        _err(f"error: {error}")
    return typer.Exit(error.exit_code)


@app.command(
    epilog="Examples:\n\n  linkwatch validate\n\n  linkwatch validate path/to/links.yaml",
)
def validate(path: ConfigArg = None) -> None:
    """Check that a links.yaml is well-formed; print every problem with its line and column.

    Prints `ok: N links` and exits 0, or lists each problem and exits 2.
    """
    try:
        cfg = _load(path)
    except LinkwatchError as e:
        raise _fail(e) from None
    count = len(cfg.links)
    typer.echo(f"ok: {count} link{'s' if count != 1 else ''} ({cfg.path})")


@app.command(
    epilog="Example:\n\n  linkwatch schema > schema/links.schema.json",
)
def schema() -> None:
    """Print the JSON Schema of links.yaml (for editors and other tools)."""
    typer.echo(json.dumps(config.json_schema(), indent=2, ensure_ascii=False))


@app.command(
    epilog="Examples:\n\n  linkwatch check\n\n  linkwatch check --config links.yaml",
)
def check(config_path: ConfigOption = None) -> None:
    """Check every link concurrently and report what is broken, redirected, blocked or suspicious.

    Exit codes: 0 nothing failed the policy; 1 problems found; 2 usage or config error;
    3 network unavailable.
    """
    try:
        _load(config_path)
    except LinkwatchError as e:
        raise _fail(e) from None
    _err("error: the checking engine is not built yet (see the engine issue); nothing was checked")
    raise typer.Exit(2)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
