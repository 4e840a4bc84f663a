"""``linkwatch check``: options into CheckSettings, one call to the pipeline, the report printed."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from linkwatch.cli.common import (
    ConfigOption,
    FailAfterOption,
    FailOnOption,
    FormatOption,
    OutputOption,
    RecoverAfterOption,
    StateOption,
    VerboseOption,
    err,
    output_path,
    show_report,
    stdout_is_terminal,
    terminal_width,
)
from linkwatch.cli.netoptions import (
    ENVIRONMENT_HELP,
    ExcludeOption,
    NoEnvProxyOption,
    ProxyOption,
    ReuseOkOption,
)
from linkwatch.judgement import policy
from linkwatch.report import OutputFormat, use_color

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from linkwatch.pipeline.archive import ArchiveOptions
    from linkwatch.pipeline.scheduler import Progress

EPILOG = (
    "Examples:\n\n  linkwatch check\n\n  linkwatch check --config links.yaml --per-host 2"
    "\n\n  linkwatch check --format json --output report.json"
    "\n\n  linkwatch check --shard 2/4 --format json --output shard-2.json"
) + ENVIRONMENT_HELP


def check(  # noqa: PLR0917 - typer passes every option by name
    config_path: ConfigOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
    fail_on: FailOnOption = policy.DEFAULT_FAIL_ON_TEXT,
    verbose: VerboseOption = False,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Also request loopback, private and link-local addresses (refused by default).",
        ),
    ] = False,
    proxy: ProxyOption = None,
    no_env_proxy: NoEnvProxyOption = False,
    exclude: ExcludeOption = None,
    reuse_ok: ReuseOkOption = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=1024,
            metavar="N",
            help="Links checked at once. Default: links.yaml, else 64.",
        ),
    ] = None,
    per_host: Annotated[
        int | None,
        typer.Option(
            "--per-host",
            min=1,
            max=64,
            metavar="N",
            help="Links checked at once per host. Default: links.yaml, else 4.",
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            max=600,
            metavar="SECONDS",
            help="Seconds each link may take in total (replaces every link's timeout).",
        ),
    ] = None,
    head_only: Annotated[
        bool,
        typer.Option(
            "--head-only",
            help="Send HEAD instead of reading the start of each page, to save bandwidth on"
            " very large lists. It then no longer catches: parked domains served at their own"
            " address, pages that say they are not found (soft 404), bot-protection pages"
            " that answer 200, and expect_text (links with expect_text are still read).",
        ),
    ] = False,
    inspect_pages: Annotated[
        bool,
        typer.Option(
            "--inspect-pages",
            hidden=True,
            help="Kept for old scripts: pages are now read by default.",
        ),
    ] = False,
    state_path: StateOption = None,
    fail_after: FailAfterOption = 1,
    recover_after: RecoverAfterOption = 1,
    suggest_archive: Annotated[
        bool,
        typer.Option(
            "--suggest-archive",
            help="For each broken link, ask the Internet Archive for its closest snapshot"
            " (one request per broken link) and show it in the report.",
        ),
    ] = False,
    no_domains: Annotated[
        bool,
        typer.Option(
            "--no-domains",
            help="Do not ask the registries (RDAP) about the links' domains: no expiry,"
            " lapse or change-of-hands checks.",
        ),
    ] = False,
    rdap_url: Annotated[
        str | None,
        typer.Option(
            "--rdap-url", hidden=True, envvar="LINKWATCH_RDAP_URL", help="One RDAP base URL."
        ),
    ] = None,
    shard_text: Annotated[
        str | None,
        typer.Option(
            "--shard",
            metavar="K/N",
            help="Check only shard K of N (links split by site, stable across runs); merge"
            " the N JSON reports with `linkwatch report`.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check every link concurrently and report what is broken, redirected, blocked or suspicious.

    Exit codes: 0 nothing failed the policy; 1 problems found; 2 usage or config error;
    3 network unavailable.
    """
    # Imported here: asyncio, httpx and the engine are not needed by --version, --help or
    # validate, and a CLI run from pre-commit should start fast.
    from linkwatch.network.rdap import RdapSettings  # noqa: PLC0415
    from linkwatch.pipeline import check as pipeline  # noqa: PLC0415
    from linkwatch.pipeline import shard  # noqa: PLC0415

    written_to = output_path(output)
    is_terminal = written_to is None and stdout_is_terminal()
    settings = pipeline.CheckSettings(
        config=config_path,
        format=fmt,
        output=written_to,
        fail_on=policy.parse_fail_on(fail_on),
        allow_private=allow_private,
        proxy=proxy,
        env_proxy=not no_env_proxy,
        exclude=tuple(exclude or ()),
        concurrency=concurrency,
        per_host=per_host,
        timeout=timeout,
        head_only=head_only and not inspect_pages,
        state=state_path,
        reuse_ok=pipeline.parse_age(reuse_ok) if reuse_ok is not None else None,
        reuse_ok_text=reuse_ok or "",
        fail_after=fail_after,
        recover_after=recover_after,
        shard=shard.parse(shard_text) if shard_text is not None else None,
        archive=_archive_options() if suggest_archive else None,
        color=use_color(is_terminal, os.environ),
        width=terminal_width(is_terminal),
        verbose=verbose,
        domains=not no_domains,
        rdap=RdapSettings(base_url=rdap_url),
    )
    hooks = pipeline.Hooks(
        # A progress bar only for a person watching (rich's import is not free).
        progress=_progress_bar if sys.stderr.isatty() else None,
        warn=err,
        out=lambda text: show_report(text, "", None),
    )
    result = pipeline.check(settings, hooks=hooks)
    if written_to is not None:
        show_report(result.text, result.summary, written_to)
    raise typer.Exit(result.exit_code)


def _archive_options() -> ArchiveOptions:
    """How --suggest-archive asks the Internet Archive (tests replace this to mock the API)."""
    from linkwatch.pipeline import archive  # noqa: PLC0415

    return archive.ArchiveOptions()


@contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[Progress], None]]:
    """A transient bar on stderr for the run; gone before the report is printed."""
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import Progress as Bar  # noqa: PLC0415

    with Bar(
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("links", total=total)

        def advance(event: Progress) -> None:
            bar.update(task, completed=event.done)

        yield advance
