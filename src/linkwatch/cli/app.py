"""The ``linkwatch`` typer app: its commands, ``--version``, and errors turned into exit codes.

Each command lives in a module of its own (``cli/check.py``, ``cli/listfile.py``, …): it
turns its options into a settings value, calls one library function and prints. Commands
raise ``LinkwatchError`` freely; :func:`_guarded` prints it (every problem of a bad file
with its line and column, else one ``error:`` line) and exits with its code, so that no
traceback ever reaches a user for a mistake of theirs.
"""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec

import typer
from typer.core import TyperArgument, TyperCommand

from linkwatch._version import __version__
from linkwatch.cli import check, listfile, newlist, report, sync
from linkwatch.cli.common import err, print_error
from linkwatch.errors import LinkwatchError

if TYPE_CHECKING:
    from collections.abc import Callable

P = ParamSpec("P")

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
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


class _Argument(TyperArgument):
    """An argument shown by its name alone: ``PATH...``, not ``{PATH}`` or ``PATH <list[Path]>``."""

    def display_type_rich(self, ctx: object) -> str | None:  # noqa: ARG002
        return None

    def _usage_display_name(self) -> str:
        name = self.metavar or self.name or ""
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")


class _Command(TyperCommand):
    """typer's command with plainly named arguments in its help (typer decorates them)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - typer's signature
        super().__init__(*args, **kwargs)
        for param in self.params:
            if type(param) is TyperArgument:
                param.__class__ = _Argument


def _guarded(command: Callable[P, None]) -> Callable[P, None]:
    """The command, with a ``LinkwatchError`` printed and turned into its exit code."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except LinkwatchError as e:
            print_error(e)
            raise typer.Exit(e.exit_code) from None

    return run


# In the order `--help` lists them.
for name, function, epilog in (
    ("validate", listfile.validate, listfile.VALIDATE_EPILOG),
    ("schema", listfile.schema, listfile.SCHEMA_EPILOG),
    ("check", check.check, check.EPILOG),
    ("report", report.report, report.EPILOG),
    ("clean", listfile.clean, listfile.CLEAN_EPILOG),
    ("fix", listfile.fix, listfile.FIX_EPILOG),
    ("import", newlist.import_, newlist.IMPORT_EPILOG),
    ("init", newlist.init, newlist.INIT_EPILOG),
):
    app.command(name, epilog=epilog, cls=_Command)(_guarded(function))

sync_app = typer.Typer(
    name="sync",
    help="Mirror persistently failing links into an issue tracker: one issue per link.",
    no_args_is_help=True,
)
sync_app.command("github", epilog=sync.GITHUB_EPILOG, cls=_Command)(_guarded(sync.sync_github))
app.add_typer(sync_app)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err("interrupted")
        sys.exit(130)
