"""The ``linkwatch`` command line: parse options, call the library, print, set the exit code."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from linkwatch import __version__, config, history, statefile
from linkwatch.errors import ConfigError, LinkwatchError, NetworkUnavailableError, UsageError
from linkwatch.tracker import github, inputs
from linkwatch.tracker import plan as tracker_plan
from linkwatch.tracker import sync as tracker_sync

if TYPE_CHECKING:
    from collections.abc import Iterable

    from linkwatch.models import Config, Report, Status

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


# History options for `check` (wired in by the engine merge; see docs/readme/state.md).
StateOption = Annotated[
    Path | None,
    typer.Option(
        "--state",
        help="Remember results across runs in this JSON file; marks problems new, persisting"
        " or recovered.",
        dir_okay=False,
        show_default=False,
    ),
]
FailAfterOption = Annotated[
    int,
    typer.Option(
        "--fail-after",
        min=1,
        help="A failing link counts as a problem only after N failing runs in a row (with"
        " --state).",
    ),
]
RecoverAfterOption = Annotated[
    int,
    typer.Option(
        "--recover-after",
        min=1,
        help="A problem counts as recovered only after M passing runs in a row (with --state).",
    ),
]


def _remember(
    report: Report,
    state_path: Path | None,
    fail_after: int,
    recover_after: int,
    failing: Iterable[Status] = history.DEFAULT_FAILING,
) -> statefile.Remembered | None:
    """Fold the run into the state file, print its warnings; None without --state."""
    if state_path is None:
        if fail_after != 1 or recover_after != 1:
            raise UsageError("--fail-after and --recover-after need --state FILE")
        return None
    remembered = statefile.remember(
        report,
        state_path,
        now=datetime.now(UTC),
        fail_after=fail_after,
        recover_after=recover_after,
        failing=failing,
    )
    for warning in remembered.warnings:
        _err(warning)
    return remembered


sync_app = typer.Typer(
    name="sync",
    help="Mirror persistently failing links into an issue tracker: one issue per link.",
    no_args_is_help=True,
)
app.add_typer(sync_app)


def _github(repo: str, token: github.Token | None, api_url: str) -> github.GitHub:
    """The GitHub client (tests replace this to talk to a fake API)."""
    return github.GitHub(repo, token, api_url=api_url)


def _sync_github(
    repo: str,
    report_path: Path | None,
    state_path: Path | None,
    api_url: str,
    label: str,
    *,
    dry_run: bool,
) -> tracker_plan.Plan:
    if report_path is None and state_path is None:
        raise UsageError("sync needs --report, --state, or both")
    if not label or "," in label or len(label) > 50:
        raise UsageError("--label must be one label name, without commas")
    secret = os.environ.get("GITHUB_TOKEN", "").strip()
    if not secret and not dry_run:
        raise UsageError("set GITHUB_TOKEN to a token allowed to write issues (or use --dry-run)")
    report = inputs.load_report(report_path) if report_path is not None else None
    if report is not None and report.network_unavailable:
        raise NetworkUnavailableError(
            "the report was made without a network, so it says nothing about the links;"
            " nothing was synced"
        )
    state = statefile.read(state_path) if state_path is not None else None
    wanted = tracker_plan.wanted(report, state)

    def done(step: tracker_plan.Step, number: int) -> None:
        typer.echo(f"{' + '.join(step.verbs)} #{number}: link {step.link_id}: {step.why}")

    token = github.Token(secret) if secret else None
    with _github(repo, token, api_url) as client:
        return tracker_sync.sync(client, wanted, label, dry_run=dry_run, on_step=done)


@sync_app.command(
    "github",
    epilog="Examples:\n\n  linkwatch sync github --repo OWNER/NAME --report report.json"
    " --state state.json\n\n  linkwatch sync github --repo OWNER/NAME --state state.json"
    " --dry-run",
)
def sync_github(
    *,
    repo: Annotated[
        str, typer.Option("--repo", help="The repository, OWNER/NAME.", show_default=False)
    ],
    report: Annotated[
        Path | None,
        typer.Option("--report", help="A JSON report from `check --format json`.", dir_okay=False),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option(
            "--state",
            help="The state file from `check --state`: only links failing --fail-after runs"
            " in a row get an issue.",
            dir_okay=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan; change nothing.")
    ] = False,
    api_url: Annotated[
        str, typer.Option("--api-url", help="The API root, for GitHub Enterprise.")
    ] = github.DEFAULT_API_URL,
    label: Annotated[
        str, typer.Option("--label", help="The label that marks linkwatch's issues.")
    ] = "linkwatch",
) -> None:
    """One GitHub issue per persistently failing link: opened, kept current, closed on recovery.

    The token comes from GITHUB_TOKEN. Issues are found by their label and a hidden marker, so
    a re-run never duplicates one; a run stopped by a rate limit is finished by the next.
    Exit codes: 0 synced; 2 usage error or GitHub refused (401/403/404, rate limit);
    3 the report was made without a network.
    """
    try:
        the_plan = _sync_github(repo, report, state, api_url, label, dry_run=dry_run)
    except LinkwatchError as e:
        raise _fail(e) from None
    if dry_run:
        for line in tracker_plan.describe(the_plan):
            typer.echo(line)
        typer.echo(f"{tracker_plan.summary(the_plan)} (dry run: nothing changed)")
    else:
        typer.echo(tracker_plan.summary(the_plan).replace("plan:", "synced:", 1))


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
