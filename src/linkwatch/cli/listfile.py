"""The commands on a links.yaml itself: ``validate``, ``schema``, ``clean`` and ``fix``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from linkwatch.cli.common import err, parse_day, print_error
from linkwatch.cli.lazy import lazy_module
from linkwatch.errors import LinkwatchError, UsageError

if TYPE_CHECKING:
    from linkwatch.listfile import clean as cleaning
    from linkwatch.listfile import config
    from linkwatch.listfile import fix as fixing
    from linkwatch.pipeline import deliver
else:
    # Loaded on first use: `--help` and pre-commit runs should not pay for YAML and the rest.
    cleaning = lazy_module("linkwatch.listfile.clean")
    config = lazy_module("linkwatch.listfile.config")
    fixing = lazy_module("linkwatch.listfile.fix")
    deliver = lazy_module("linkwatch.pipeline.deliver")

VALIDATE_EPILOG = "Examples:\n\n  linkwatch validate\n\n  linkwatch validate links.yaml other.yaml"
SCHEMA_EPILOG = "Example:\n\n  linkwatch schema > schema/links.schema.json"
CLEAN_EPILOG = (
    "Examples:\n\n  linkwatch clean\n\n  linkwatch clean --check links.yaml\n\n"
    "  linkwatch clean --write links.yaml"
)
FIX_EPILOG = (
    "Examples:\n\n  linkwatch fix --from report.json\n\n"
    "  linkwatch fix --from report.json --write links.yaml"
)
_DEFAULT_PATHS = "Default: ./links.yaml if present, else the bundled list."


def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help=f"The links.yaml files to check. {_DEFAULT_PATHS}",
            show_default=False,
            metavar="PATH",
        ),
    ] = None,
) -> None:
    """Check that a links.yaml is well-formed; print every problem with its line and column.

    Prints `ok: N links` and exits 0, or lists each problem and exits 2.
    """
    failed: LinkwatchError | None = None
    targets: list[Path | None] = list(paths) if paths else [None]
    for path in targets:
        try:
            # The environment is read as check reads it: an unset ${NAME} is reported here.
            cfg = config.load_list(path, environ=os.environ)
        except LinkwatchError as e:
            failed = e
            print_error(e)
            continue
        count = len(cfg.links)
        # One file: exactly `ok: N links`. Several: each line names its file.
        where = f"{cfg.path}: " if len(targets) > 1 else ""
        # Without ./links.yaml the bundled list was read: a user who meant their own must know.
        bundled = (
            " in the list bundled with linkwatch (no links.yaml here; give a PATH, or start one"
            " with `linkwatch init`)"
            if cfg.embedded
            else ""
        )
        typer.echo(f"{where}ok: {count} link{'s' if count != 1 else ''}{bundled}")
    if failed is not None:
        raise typer.Exit(failed.exit_code)


def schema() -> None:
    """Print the JSON Schema of links.yaml (for editors and other tools)."""
    typer.echo(json.dumps(config.json_schema(), indent=2, ensure_ascii=False))


def clean(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help=f"The links.yaml files to clean. {_DEFAULT_PATHS}",
            show_default=False,
            metavar="PATH",
        ),
    ] = None,
    check_only: Annotated[
        bool,
        typer.Option("--check", help="Change nothing; exit 1 if any URL carries tracking."),
    ] = False,
    write: Annotated[
        bool,
        typer.Option(
            "--write", help="Rewrite the file in place; only the URLs change, nothing else."
        ),
    ] = False,
) -> None:
    """Remove tracking parameters (gclid, utm_*, ...) from the URLs in links.yaml.

    Prints each change (line, old URL -> new URL, parameters removed) and exits 0.
    With --check, exits 1 when anything would change (for CI and pre-commit).
    With --write, rewrites the file atomically; exits 1 if some URL must be fixed by hand.
    """
    if check_only and write:
        raise UsageError("--check and --write cannot be used together; choose one")
    found_any = stuck_any = False
    for path in list(paths) if paths else [None]:
        result = cleaning.clean_file(path, Path.cwd(), write_back=write)
        if result.changes:
            typer.echo(cleaning.format_changes(result))
        err(cleaning.summary(result, wrote=write))
        found_any = found_any or bool(result.changes)
        stuck_any = stuck_any or bool(result.stuck)
    if (check_only and found_any) or (write and stuck_any):
        raise typer.Exit(1)


def fix(
    reports: Annotated[
        list[Path],
        typer.Option(
            "--from",
            help="A saved JSON report of this file (from check --format json); repeat for shards.",
            dir_okay=False,
            metavar="REPORT.json",
            show_default=False,
        ),
    ],
    path: Annotated[
        Path | None,
        typer.Argument(
            help="The links.yaml the report is about. Default: ./links.yaml.",
            show_default=False,
            metavar="PATH",
        ),
    ] = None,
    write: Annotated[
        bool,
        typer.Option("--write", help="Apply the diff in place; only the moved URLs change."),
    ] = False,
    reviewed: Annotated[
        str | None,
        typer.Option(
            "--reviewed",
            metavar="DATE",
            help="Also set each adopted link's `reviewed:` to DATE (YYYY-MM-DD, or `today`):"
            " you vouch for the new address.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Adopt the permanent same-site redirects a saved report proves; print them as a diff.

    Only chains of 301/308 redirects that stay on the link's own site are adopted (www and
    http->https count as the same site). Temporary, cross-site, downgrading or suspicious
    redirects are listed for a human, never applied. No network is used.
    Exit codes: 0 done (or nothing to do); 1 with --write, a proven move must be edited by
    hand; 2 usage, config or write error.
    """
    # The bundled list is refused before any report is read.
    target, shown = config.editable_path(path, Path.cwd())
    day = parse_day(reviewed, "--reviewed") if reviewed is not None else None
    report = deliver.read_reports(reports)
    result = fixing.fix_file(target, shown, report, write_back=write, reviewed=day)
    typer.echo(fixing.diff(result), nl=False)
    if result.findings:
        err(fixing.format_findings(result))
    err(fixing.summary(result, wrote=write))
    if write and result.of(fixing.Kind.BY_HAND):
        raise typer.Exit(1)
