"""The ``linkwatch`` command line: parse options, call the library, print, set the exit code."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from linkwatch import __version__, config
from linkwatch.errors import ConfigError, LinkwatchError, NetworkUnavailableError
from linkwatch.models import Status

if TYPE_CHECKING:
    from linkwatch import checker
    from linkwatch.client import ClientOptions
    from linkwatch.models import Config, Report
    from linkwatch.probe import ProbeSettings

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
    epilog="Examples:\n\n  linkwatch check\n\n  linkwatch check --config links.yaml --per-host 2",
)
def check(  # noqa: PLR0917 - typer passes every option by name
    config_path: ConfigOption = None,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Also request loopback, private and link-local addresses (refused by default).",
        ),
    ] = False,
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, max=1024, help="Links checked at once. Default: links.yaml, else 64."),
    ] = None,
    per_host: Annotated[
        int | None,
        typer.Option(
            "--per-host", min=1, max=64, help="Links checked at once per host. Default: 4."
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            max=600,
            help="Seconds each link may take in total (replaces every link's timeout).",
        ),
    ] = None,
    inspect_pages: Annotated[
        bool,
        typer.Option(
            "--inspect-pages",
            help="Read the start of every page (GET) to find parked domains and titles in"
            " place; by default only HEAD is sent unless a link needs its text.",
        ),
    ] = False,
) -> None:
    """Check every link concurrently and report what is broken, redirected, blocked or suspicious.

    Exit codes: 0 nothing failed the policy; 1 problems found; 2 usage or config error;
    3 network unavailable.
    """
    try:
        cfg = _load(config_path)
    except LinkwatchError as e:
        raise _fail(e) from None
    # Imported here: httpx and the engine are not needed by --version, --help or validate.
    from linkwatch import checker  # noqa: PLC0415
    from linkwatch.client import ClientOptions  # noqa: PLC0415
    from linkwatch.probe import ProbeSettings  # noqa: PLC0415

    options = checker.CheckOptions(concurrency=concurrency, per_host=per_host, timeout=timeout)
    client_options = ClientOptions(
        user_agent=cfg.defaults.user_agent,
        allow_private=allow_private,
        connections_per_origin=max(per_host or cfg.defaults.per_host_concurrency, 1) * 2,
    )
    report = asyncio.run(
        _check(cfg, options, client_options, ProbeSettings(inspect_pages=inspect_pages))
    )
    if report.network_unavailable:
        tried = sum(o.status is not Status.SKIPPED for o in report.outcomes)
        raise _fail(
            NetworkUnavailableError(
                f"network unavailable: none of the {tried} links checked got past DNS or a"
                " connection; check this machine's network and run again (nothing was judged)"
            )
        )
    typer.echo(render_plain(report))
    raise typer.Exit(1 if checker.has_failures(report) else 0)


async def _check(
    cfg: Config,
    options: checker.CheckOptions,
    client_options: ClientOptions,
    settings: ProbeSettings,
) -> Report:
    """Build the run's one client, run the checker with it, close it."""
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from linkwatch import checker  # noqa: PLC0415
    from linkwatch.client import build_client  # noqa: PLC0415
    from linkwatch.probe import Prober  # noqa: PLC0415

    async with build_client(client_options) as client:
        prober = Prober(client, settings)
        if not sys.stderr.isatty():
            return await checker.run(cfg, prober, options)
        with Progress(
            TextColumn("checking"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task("links", total=len(cfg.links))

            def advance(event: checker.Progress) -> None:
                bar.update(task, completed=event.done)

            return await checker.run(cfg, prober, options, progress=advance)


def render_plain(report: Report) -> str:
    """A minimal text report: one line per link, then the summary (to be replaced by formats)."""
    lines = []
    for o in report.outcomes:
        flags = f" [{', '.join(f.value for f in o.flags)}]" if o.flags else ""
        lines.append(f"{o.status.value:<10} {o.link.name}: {o.reason}{flags}")
        if o.status not in {Status.OK, Status.SKIPPED}:
            lines.append(f"{'':<10} {o.checked_url} -> {o.action}")
    from linkwatch.checker import summary  # noqa: PLC0415

    lines.append(summary(report))
    return "\n".join(lines)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
