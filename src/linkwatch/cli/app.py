"""The ``linkwatch`` command line: parse options, call the library, print, set the exit code."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from linkwatch._version import __version__
from linkwatch.cli.lazy import lazy_module
from linkwatch.errors import ConfigError, LinkwatchError, NetworkUnavailableError, UsageError
from linkwatch.judgement import policy
from linkwatch.models import Status
from linkwatch.report import OutputFormat, use_color

if TYPE_CHECKING:
    from linkwatch.history import statefile
    from linkwatch.history import streaks as history
    from linkwatch.importing import entries as importing
    from linkwatch.listfile import clean as cleaning
    from linkwatch.listfile import config, scaffold
    from linkwatch.listfile import fix as fixing
    from linkwatch.pipeline import deliver as output
    from linkwatch.pipeline import shard
    from linkwatch.tracker import github
    from linkwatch.tracker import plan as tracker_plan
    from linkwatch.tracker import sync as tracker_sync
else:
    # What only a command's body needs is loaded on first use: `--help` and a CLI run from
    # pre-commit should not pay for YAML, the tracker or the importer.
    config = lazy_module("linkwatch.listfile.config")
    history = lazy_module("linkwatch.history.streaks")
    importing = lazy_module("linkwatch.importing.entries")
    output = lazy_module("linkwatch.pipeline.deliver")
    scaffold = lazy_module("linkwatch.listfile.scaffold")
    shard = lazy_module("linkwatch.pipeline.shard")
    statefile = lazy_module("linkwatch.history.statefile")
    cleaning = lazy_module("linkwatch.listfile.clean")
    fixing = lazy_module("linkwatch.listfile.fix")
    github = lazy_module("linkwatch.tracker.github")
    tracker_plan = lazy_module("linkwatch.tracker.plan")
    tracker_sync = lazy_module("linkwatch.tracker.sync")

if TYPE_CHECKING:
    from collections.abc import Iterable

    from linkwatch.importing.webpage import Page
    from linkwatch.models import Config, Report
    from linkwatch.network.client import ClientOptions
    from linkwatch.network.probe import Prober, ProbeSettings
    from linkwatch.pipeline import archive, checker

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
    _report_error(error)
    return typer.Exit(error.exit_code)


def _report_error(error: LinkwatchError) -> None:
    if isinstance(error, ConfigError):
        for problem in error.problems:
            _err(str(problem))
        count = len(error.problems)
        _err(f"{count} problem{'s' if count != 1 else ''} found")
    else:
        _err(f"error: {error}")


@app.command(
    epilog="Examples:\n\n  linkwatch validate\n\n  linkwatch validate links.yaml other.yaml",
)
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="The links.yaml files to check. Default: ./links.yaml if present, else the"
            " bundled list.",
            show_default=False,
            metavar="[PATH]...",
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
            cfg = _load(path)
        except LinkwatchError as e:
            failed = e
            _report_error(e)
            continue
        count = len(cfg.links)
        # One file: exactly `ok: N links`. Several: each line names its file.
        where = f"{cfg.path}: " if len(targets) > 1 else ""
        typer.echo(f"{where}ok: {count} link{'s' if count != 1 else ''}")
    if failed is not None:
        raise typer.Exit(failed.exit_code)


@app.command(
    epilog="Example:\n\n  linkwatch schema > schema/links.schema.json",
)
def schema() -> None:
    """Print the JSON Schema of links.yaml (for editors and other tools)."""
    typer.echo(json.dumps(config.json_schema(), indent=2, ensure_ascii=False))


# ---------------------------------------------------------------------------- reports
# Shared by `check` and `report`: the same three options mean the same thing in both.
FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="table (for people), json (schema linkwatch.report/1, for machines),"
        " markdown (an issue body), github (workflow annotations on links.yaml).",
        case_sensitive=False,
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the report to FILE (replaced atomically) instead of standard output.",
        dir_okay=False,
        metavar="FILE",
        show_default=False,
    ),
]
FailOnOption = Annotated[
    str,
    typer.Option(
        "--fail-on",
        help="Comma-separated statuses and flags that make the exit code 1"
        f" ({', '.join(policy.known_names())}). 'none' never fails.",
        metavar="NAMES",
    ),
]


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _deliver(
    report: Report, fmt: OutputFormat, output_path: Path | None, fail_on: policy.FailOn
) -> typer.Exit:
    """Render, print or write, and return the Exit carrying the policy's code."""
    if output_path is not None and str(output_path) == "-":
        output_path = None  # `-o -` is standard output, as in most tools
    is_terminal = output_path is None and _stdout_is_terminal()
    result = output.emit(
        report,
        fmt,
        output=output_path,
        fail_on=fail_on,
        color=use_color(is_terminal, os.environ),
        width=shutil.get_terminal_size().columns if is_terminal else None,
    )
    if result.stdout:
        typer.echo(result.stdout, nl=False)
    else:
        _err(f"{result.summary} → {output_path}")
    return typer.Exit(result.exit_code)


@app.command(
    epilog="Examples:\n\n  linkwatch check\n\n  linkwatch check --config links.yaml --per-host 2"
    "\n\n  linkwatch check --format json --output report.json"
    "\n\n  linkwatch check --shard 2/4 --format json --output shard-2.json",
)
def check(  # noqa: PLR0917 - typer passes every option by name
    config_path: ConfigOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output_path: OutputOption = None,
    fail_on: FailOnOption = policy.DEFAULT_FAIL_ON_TEXT,
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
    try:
        chosen = policy.parse_fail_on(fail_on)
        if state_path is None and (fail_after != 1 or recover_after != 1):
            raise UsageError("--fail-after and --recover-after need --state FILE")
        chosen_shard = shard.parse(shard_text) if shard_text is not None else None
        cfg = _load(config_path)
        if chosen_shard is not None:
            cfg = shard.select(cfg, chosen_shard)
        # Read once, before the run (to check last run's failures first); the run's results
        # are folded into it after the report is out.
        loaded = statefile.load(state_path, datetime.now(UTC)) if state_path else None
    except LinkwatchError as e:
        raise _fail(e) from None
    # Imported here: asyncio, httpx and the engine are not needed by --version, --help or
    # validate, and a CLI run from pre-commit should start fast.
    import asyncio  # noqa: PLC0415

    from linkwatch.network.client import ClientOptions  # noqa: PLC0415
    from linkwatch.network.probe import ProbeSettings  # noqa: PLC0415
    from linkwatch.pipeline import checker  # noqa: PLC0415

    options = checker.CheckOptions(
        concurrency=concurrency,
        per_host=per_host,
        timeout=timeout,
        # What failed last time is checked first: it is what takes longest (timeouts,
        # retries), and left for last it would draw the run out.
        first=history.failing_ids(loaded.state) if loaded is not None else frozenset(),
    )
    client_options = ClientOptions(
        user_agent=cfg.defaults.user_agent,
        allow_private=allow_private,
        # Room for every connection of a full run to wait for its host's next link.
        max_idle=max(concurrency or cfg.defaults.concurrency, 1) * 2,
    )
    result = asyncio.run(
        _check(
            cfg,
            options,
            client_options,
            ProbeSettings(inspect_pages=inspect_pages),
            archive_options=_archive_options() if suggest_archive else None,
        )
    )
    if chosen_shard is not None:
        result = dataclasses.replace(result, shard=(chosen_shard.index, chosen_shard.count))
    if result.network_unavailable:
        tried = sum(o.status is not Status.SKIPPED for o in result.outcomes)
        _err(
            f"error: network unavailable: none of the {tried} links checked got past DNS or a"
            " connection; check this machine's network and run again (nothing was judged)"
        )
    try:
        failing = [name for name in chosen if isinstance(name, Status)]
        remembered = _remember(
            result, state_path, fail_after, recover_after, failing, loaded=loaded
        )
        if remembered is not None:
            result = history.annotate(result, remembered.marks)
        done = _deliver(result, fmt, output_path, chosen)
        # The history moves on only once the report is out: a run whose report could not be
        # written must not use up a link's "new" (or "recovered") transition.
        if remembered is not None and state_path is not None:
            statefile.save(state_path, remembered.state)
        raise done
    except LinkwatchError as e:
        raise _fail(e) from None


async def _check(
    cfg: Config,
    options: checker.CheckOptions,
    client_options: ClientOptions,
    settings: ProbeSettings,
    *,
    archive_options: archive.ArchiveOptions | None = None,
) -> Report:
    """Build the run's one client, run the checker with it, close it."""
    from linkwatch.network.client import build_client  # noqa: PLC0415
    from linkwatch.network.probe import Prober  # noqa: PLC0415
    from linkwatch.pipeline import checker  # noqa: PLC0415

    async with build_client(client_options) as client:
        prober = Prober(client, settings)
        lookups = Prober(client, _archive_probe_settings()) if archive_options else None
        if not sys.stderr.isatty():
            report = await checker.run(cfg, prober, options)
            return await _archived(report, archive_options, lookups)
        # A progress bar only for a person watching (rich's import is not free).
        from rich.console import Console  # noqa: PLC0415
        from rich.progress import (  # noqa: PLC0415
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

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

            report = await checker.run(cfg, prober, options, progress=advance)
            return await _archived(report, archive_options, lookups)


def _archive_options() -> archive.ArchiveOptions:
    """How --suggest-archive asks the Internet Archive (tests replace this to mock the API)."""
    from linkwatch.pipeline import archive  # noqa: PLC0415

    return archive.ArchiveOptions()


def _archive_probe_settings() -> ProbeSettings:
    from linkwatch.pipeline import archive  # noqa: PLC0415

    return archive.PROBE_SETTINGS


async def _archived(
    report: Report, options: archive.ArchiveOptions | None, prober: Prober | None = None
) -> Report:
    """The report with archived copies of its broken links, when --suggest-archive asks."""
    if options is None or prober is None:
        return report
    from linkwatch.pipeline import archive  # noqa: PLC0415

    return await archive.suggest(report, prober, options)


@app.command(
    epilog="Examples:\n\n  linkwatch report report.json --format markdown\n\n"
    "  linkwatch report shard-*.json --format github --fail-on broken,error,cross_site_redirect",
)
def report(
    reports: Annotated[
        list[Path],
        typer.Argument(
            help="Saved JSON reports (from --format json); several are merged into one.",
            metavar="REPORT.json",
            dir_okay=False,
            show_default=False,
        ),
    ],
    fmt: FormatOption = OutputFormat.TABLE,
    output_path: OutputOption = None,
    fail_on: FailOnOption = policy.DEFAULT_FAIL_ON_TEXT,
) -> None:
    """Render saved JSON reports again, in any format, without touching the network.

    Exit codes: 0 nothing failed the policy; 1 problems found; 2 usage or config error;
    3 network unavailable (in the saved run).
    """
    try:
        chosen = policy.parse_fail_on(fail_on)
        merged = output.read_reports(reports)
        raise _deliver(merged, fmt, output_path, chosen)
    except LinkwatchError as e:
        raise _fail(e) from None


@app.command(
    epilog="Examples:\n\n  linkwatch clean\n\n  linkwatch clean --check links.yaml\n\n"
    "  linkwatch clean --write links.yaml",
)
def clean(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="The links.yaml files to clean. Default: ./links.yaml if present, else the"
            " bundled list.",
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
    try:
        if check_only and write:
            raise UsageError("--check and --write cannot be used together; choose one")
        found_any = stuck_any = False
        targets: list[Path | None] = list(paths) if paths else [None]
        for path in targets:
            resolved, embedded = config.resolve_path(path, Path.cwd())
            shown = (
                str(path) if path is not None else str(resolved if embedded else config.CONFIG_NAME)
            )
            if write and embedded:
                raise UsageError(
                    f"no links.yaml here, and the list bundled with linkwatch ({resolved})"
                    " is not yours to rewrite; give the PATH of your own links.yaml"
                )
            result = cleaning.load_plan(resolved, shown)
            if result.changes:
                typer.echo(cleaning.format_changes(result))
            if write:
                cleaning.write(result, resolved)
            _err(cleaning.summary(result, wrote=write))
            found_any = found_any or bool(result.changes)
            stuck_any = stuck_any or bool(result.stuck)
    except LinkwatchError as e:
        raise _fail(e) from None
    if (check_only and found_any) or (write and stuck_any):
        raise typer.Exit(1)


@app.command(
    epilog="Examples:\n\n  linkwatch fix --from report.json\n\n"
    "  linkwatch fix --from report.json --write links.yaml",
)
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
) -> None:
    """Adopt the permanent same-site redirects a saved report proves; print them as a diff.

    Only chains of 301/308 redirects that stay on the link's own site are adopted (www and
    http->https count as the same site). Temporary, cross-site, downgrading or suspicious
    redirects are listed for a human, never applied. No network is used.
    Exit codes: 0 done (or nothing to do); 1 with --write, a proven move must be edited by
    hand; 2 usage, config or write error.
    """
    try:
        resolved, embedded = config.resolve_path(path, Path.cwd())
        if embedded:
            raise UsageError(
                f"no links.yaml here, and the list bundled with linkwatch ({resolved}) is not"
                " yours to rewrite; give the PATH of your own links.yaml"
            )
        report = output.read_reports(reports)
        result = fixing.load_plan(resolved, report, str(path or config.CONFIG_NAME))
        typer.echo(fixing.diff(result), nl=False)
        if result.findings:
            _err(fixing.format_findings(result))
        if write:
            fixing.write(result, resolved)
        _err(fixing.summary(result, wrote=write))
    except LinkwatchError as e:
        raise _fail(e) from None
    if write and result.of(fixing.Kind.BY_HAND):
        raise typer.Exit(1)


@app.command(
    "import",
    epilog="Examples:\n\n  linkwatch import press-release.txt\n\n"
    "  linkwatch import resources.md --into links.yaml --write\n\n"
    "  linkwatch import https://www.example.org/resources --write",
)
def import_(
    source: Annotated[
        str,
        typer.Argument(
            help="A plain-text, Markdown or HTML document that mentions links: a file, or an"
            " http(s) URL fetched with the same safety rules as check.",
            show_default=False,
            metavar="SOURCE",
        ),
    ],
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="The links.yaml to add to (default ./links.yaml; created if missing).",
            show_default=False,
        ),
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", help="Append the new entries to the file.")
    ] = False,
    source_text: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="What to put in each entry's `source:` (default: the document's title and name).",
            show_default=False,
        ),
    ] = None,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Let a SOURCE URL be on a loopback, private or link-local address.",
        ),
    ] = False,
) -> None:
    """Build entries from a document people already have: a press release, a web page.

    Each link is named from its context (the label before it, the link text, else the site),
    cleaned of tracking parameters, and given a `source:`. Links already in the list are
    skipped and reported. Code and comments are not read for links; in-page links (#top) are
    only counted; relative ones resolve when SOURCE is a URL. Without --write, prints the YAML
    it would add.
    """
    try:
        target = into if into is not None else Path(config.CONFIG_NAME)
        if importing.is_url(source):
            plan = importing.plan_page(_fetch_page(source, allow_private=allow_private), target)
        else:
            plan = importing.plan(Path(source), target)
        for skipped in plan.already:
            _err(f"already in {plan.target_shown}: {skipped}")
        for item in plan.skipped:
            if (message := importing.skip_message(source, item)) is not None:
                _err(message)
        if source_text is not None:
            plan = importing.with_source(plan, source_text)
        if write:
            importing.write(plan)
        elif plan.entries:
            typer.echo(importing.preview(plan), nl=False)
        _err(importing.summary(plan, wrote=write))
    except LinkwatchError as e:
        raise _fail(e) from None


def _fetch_page(url: str, *, allow_private: bool) -> Page:
    """Fetch an import SOURCE with a client built as check builds its own."""
    import asyncio  # noqa: PLC0415

    from linkwatch.importing import webpage  # noqa: PLC0415
    from linkwatch.network.client import ClientOptions, build_client  # noqa: PLC0415
    from linkwatch.network.probe import Prober  # noqa: PLC0415

    async def fetch() -> Page:
        async with build_client(ClientOptions(allow_private=allow_private)) as client:
            return await webpage.fetch(Prober(client, webpage.PROBE_SETTINGS), url)

    return asyncio.run(fetch())


@app.command(epilog="Examples:\n\n  linkwatch init\n\n  linkwatch init path/to/repository")
def init(
    directory: Annotated[
        Path,
        typer.Argument(help="The repository to set up (default: here).", show_default=False),
    ] = Path(),
) -> None:
    """Set up another repository to watch its own list: links.yaml, workflow, pre-commit.

    Writes a commented starter links.yaml (with its JSON Schema), a nightly GitHub Actions
    workflow with its issue script, and a pre-commit configuration. An existing file is
    never overwritten: it is named and left as it is.
    """
    try:
        results = scaffold.init(directory)
    except LinkwatchError as e:
        raise _fail(e) from None
    for item, result in results:
        shown = directory / item.path
        if result is scaffold.Result.WRITTEN:
            typer.echo(f"wrote {shown}: {item.purpose}")
        else:
            _err(f"skipped {shown}: it exists, left as it is")


# History options for `check` (see "Remember results across runs" in the README).
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
    *,
    loaded: statefile.Loaded | None = None,
) -> statefile.Remembered | None:
    """Fold the run into the history (not saved yet), print its warnings; None without --state.

    ``loaded``: the state as read before the run (else it is read here)."""
    if state_path is None:
        if fail_after != 1 or recover_after != 1:
            raise UsageError("--fail-after and --recover-after need --state FILE")
        return None
    remembered = statefile.prepare(
        report,
        state_path,
        now=datetime.now(UTC),
        fail_after=fail_after,
        recover_after=recover_after,
        failing=failing,
        loaded=loaded,
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
    report = output.read_reports([report_path]) if report_path is not None else None
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
