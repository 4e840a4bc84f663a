"""The check pipeline as one call: load → shard → read the state → run → remember → deliver.

``linkwatch check``, the GitHub Action and Python users all call :func:`check`. What a
caller shows while it runs (a progress bar, warnings) comes in through :class:`Hooks`; what
it asks for (the list, the policy, the format, history) is one :class:`CheckSettings`.

The order of the steps is the contract:

1. every option and the list are validated before any request (a bad ``--shard`` or a
   broken links.yaml costs nothing);
2. the state file is read once, before the run, so that last run's failures go first;
3. the report is delivered (written, or handed to ``Hooks.out``) before the state file is
   saved: a run whose report never got out must not use up a link's "new" transition.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from linkwatch.errors import UsageError
from linkwatch.history import statefile, streaks
from linkwatch.judgement.policy import DEFAULT_FAIL_ON, FailOn, failing_statuses
from linkwatch.listfile import config
from linkwatch.models import Exclusion, Status
from linkwatch.network import proxy, trust
from linkwatch.network.client import ClientOptions, build_client, system_resolver
from linkwatch.network.probe import Prober, ProbeSettings
from linkwatch.network.rdap import RdapSettings
from linkwatch.pipeline import deliver, scheduler
from linkwatch.pipeline import domains as domain_watch
from linkwatch.pipeline import shard as sharding
from linkwatch.report import OutputFormat

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable, Iterable, Mapping
    from contextlib import AbstractContextManager
    from pathlib import Path
    from typing import TypeAlias

    from linkwatch.models import Config, DomainRecord, Report
    from linkwatch.network.client import Resolver
    from linkwatch.pipeline.archive import ArchiveOptions

    # Given the number of links to check, a context open for the whole run that yields the
    # callback told of each finished link (the CLI's progress bar is one).
    ProgressFactory: TypeAlias = Callable[
        [int], AbstractContextManager[Callable[[scheduler.Progress], None] | None]
    ]


def _ignore(_: str) -> None:
    """The default for a hook nobody listens to."""


@dataclass(frozen=True, slots=True)
class Hooks:
    """What the caller sees of a run while it happens; every hook is optional."""

    progress: ProgressFactory | None = None
    warn: Callable[[str], None] = _ignore  # a line for a person (stderr in the CLI)
    # Where the rendered report goes when there is no output file, before the state file is
    # saved. None: it is only returned, in CheckResult.text.
    out: Callable[[str], None] | None = None


@dataclass(frozen=True, slots=True)
class CheckSettings:
    """One run of ``check``; every field defaults to what ``linkwatch check`` does bare."""

    config: Path | None = None  # None: ./links.yaml in ``cwd`` if present, else the bundled list
    cwd: Path | None = None  # where ./links.yaml is looked for; None: the current directory
    format: OutputFormat = OutputFormat.TABLE
    output: Path | None = None  # write the report here (atomically); None: return the text
    fail_on: FailOn = DEFAULT_FAIL_ON
    allow_private: bool = False
    proxy: str | None = None  # --proxy URL, for http and https links; "" for none
    env_proxy: bool = True  # honour HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY
    environ: Mapping[str, str] | None = None  # None: the process's environment
    exclude: tuple[str, ...] = ()  # --exclude: regular expressions searched in each URL
    concurrency: int | None = None  # None: links.yaml's, else 64
    per_host: int | None = None  # None: links.yaml's, else 4
    timeout: float | None = None  # seconds per link, replacing every link's own
    head_only: bool = False  # HEAD instead of a bounded GET: less bandwidth, fewer detections
    state: Path | None = None  # the history file; None: no history
    # --reuse-ok: links the state file saw healthy less than this long ago are not requested
    # (reported as cached); with ``reuse_ok_text``, the option as written, for the report.
    reuse_ok: timedelta | None = None
    reuse_ok_text: str = ""
    fail_after: int = 1
    recover_after: int = 1
    shard: sharding.Shard | None = None
    archive: ArchiveOptions | None = None  # ask the Internet Archive about broken links
    color: bool = False  # ANSI colour in the table (never in a file)
    width: int | None = None  # the table's width; None: 80 columns
    verbose: bool = False  # the table lists healthy links too
    # The domain watch: RDAP lookups per registrable domain (False: --no-domains).
    domains: bool = True
    rdap: RdapSettings = field(default_factory=RdapSettings)  # its base_url serves tests
    domain_cache_days: float = domain_watch.DEFAULT_CACHE_DAYS  # how long a lookup is reused
    resolver: Resolver | None = field(default=None, repr=False)  # None: the system's (tests)
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), repr=False)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """A finished run: the report, its rendering and the exit code the policy gives it."""

    report: Report
    text: str  # the rendered report, or "" when it was written to ``settings.output``
    summary: str  # ``5 links: 3 ok, … · 2.3 s``
    exit_code: int  # 0 nothing fails the policy, 1 something does, 3 no network


def validate(settings: CheckSettings) -> None:
    """Refuse settings that cannot make sense together (``UsageError``, exit 2)."""
    if settings.state is None and (settings.fail_after != 1 or settings.recover_after != 1):
        raise UsageError("--fail-after and --recover-after need --state FILE")
    if settings.reuse_ok is not None and settings.state is None:
        raise UsageError("--reuse-ok needs --state FILE (the results it reuses are kept there)")
    if settings.fail_after < 1 or settings.recover_after < 1:
        raise UsageError("--fail-after and --recover-after count runs: 1 or more")
    for pattern in settings.exclude:
        if (problem := config.check_pattern(pattern)) is not None:
            raise UsageError(f"--exclude {pattern!r} {problem}")


def check(settings: CheckSettings | None = None, *, hooks: Hooks | None = None) -> CheckResult:
    """Check every link of a list and deliver the report, as ``linkwatch check`` does.

    Raises ``LinkwatchError`` (exit 2) for what stops a run from starting or its report
    from being written; a dead link, and even a dead network, is a result (exit 1 or 3).
    Runs its own event loop: call it from synchronous code.
    """
    settings = settings or CheckSettings()
    hooks = hooks or Hooks()
    validate(settings)
    if settings.output is not None:
        deliver.check_writable(settings.output)
    if settings.state is not None:
        statefile.check_writable(settings.state)
    # A proxy URL or a CA bundle that cannot be used stops the run here, before any request.
    proxies = proxy_settings(settings)
    tls = trust.ssl_context(_environ(settings))
    # Header values' ${NAME} are read here: an unset variable is a located error (exit 2).
    cfg = config.load_list(settings.config, settings.cwd, _environ(settings))
    if settings.shard is not None:
        cfg = sharding.select(cfg, settings.shard)
    # Read once, before the run (to check last run's failures first); the run's results are
    # folded into it after the report is out.
    loaded = statefile.load(settings.state, settings.now()) if settings.state else None
    report, records = asyncio.run(
        _run(
            cfg,
            settings,
            first=streaks.failing_ids(loaded.state) if loaded is not None else frozenset(),
            fresh=(
                streaks.fresh(loaded.state, settings.now(), settings.reuse_ok)
                if loaded is not None and settings.reuse_ok is not None
                else {}
            ),
            progress=hooks.progress,
            state=loaded.state if loaded is not None else None,
            proxies=proxies,
            tls=tls,
        )
    )
    if settings.shard is not None:
        report = dataclasses.replace(report, shard=(settings.shard.index, settings.shard.count))
    # The table says it itself; anything else (JSON, a file) gets the line on stderr too.
    if report.network_unavailable and not (
        settings.format is OutputFormat.TABLE and settings.output is None
    ):
        hooks.warn(network_unavailable_message(report, proxies))
    remembered = remember(
        report, settings, loaded, failing_statuses(settings.fail_on), domains=records
    )
    if remembered is not None:
        for warning in remembered.warnings:
            hooks.warn(warning)
        report = streaks.annotate(report, remembered.marks)
    emitted = deliver.emit(
        report,
        settings.format,
        output=settings.output,
        fail_on=settings.fail_on,
        color=settings.color,
        width=settings.width,
        verbose=settings.verbose,
    )
    if hooks.out is not None and settings.output is None:
        hooks.out(emitted.stdout)
    # The history moves on only once the report is out.
    if remembered is not None and settings.state is not None:
        statefile.save(settings.state, remembered.state)
    return CheckResult(report, emitted.stdout, emitted.summary, emitted.exit_code)


_AGE = re.compile(r"\s*([0-9]+)\s*([smhdw])\s*")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_age(text: str) -> timedelta:
    """``--reuse-ok``'s AGE: a whole number and a unit, s, m, h, d or w (``90m``, ``1d``)."""
    matched = _AGE.fullmatch(text.lower())
    if matched is None or int(matched[1]) == 0:
        raise UsageError(f"--reuse-ok {text!r}: give an age such as 30m, 1h or 1d (s, m, h, d, w)")
    return timedelta(seconds=int(matched[1]) * _UNITS[matched[2]])


def proxy_settings(settings: CheckSettings) -> proxy.ProxySettings:
    """The run's proxies, from --proxy and the environment (``UsageError`` when unusable)."""
    return proxy.settings(
        _environ(settings), explicit=settings.proxy, use_environment=settings.env_proxy
    )


def _environ(settings: CheckSettings) -> Mapping[str, str]:
    return os.environ if settings.environ is None else settings.environ


def network_unavailable_message(report: Report, proxies: proxy.ProxySettings | None = None) -> str:
    """What to tell a person when no link got past DNS or a connection."""
    tried = sum(o.status is not Status.SKIPPED for o in report.outcomes)
    through = proxies.describe() if proxies is not None and proxies.in_use else ""
    where = (
        f"this machine's network and the proxy {through},"
        if through
        else "this machine's network, or its proxy settings (HTTPS_PROXY, --proxy),"
    )
    return (
        f"error: network unavailable: none of the {tried} links checked got past DNS or a"
        f" connection; check {where} and run again (nothing was judged)"
    )


def remember(
    report: Report,
    settings: CheckSettings,
    loaded: statefile.Loaded | None = None,
    failing: Iterable[Status] = streaks.DEFAULT_FAILING,
    *,
    domains: Mapping[str, DomainRecord] | None = None,
) -> statefile.Remembered | None:
    """Fold the run into the history (not saved yet); None without a state file.

    ``loaded``: the state as read before the run (else it is read here). ``domains``: the
    domain watch's records, the new cache (None: the cache is kept as it was).
    """
    if settings.state is None:
        validate(settings)
        return None
    return statefile.prepare(
        report,
        settings.state,
        now=settings.now(),
        fail_after=settings.fail_after,
        recover_after=settings.recover_after,
        failing=failing,
        loaded=loaded,
        domains=domains,
    )


async def run(
    cfg: Config,
    settings: CheckSettings,
    *,
    first: frozenset[str] = frozenset(),
    progress: ProgressFactory | None = None,
    state: streaks.State | None = None,
    fresh: Mapping[str, timedelta] | None = None,
    proxies: proxy.ProxySettings | None = None,
    tls: ssl.SSLContext | None = None,
) -> Report:
    """Build the run's one client, check the links and their domains, ask the archive.

    ``proxies``, ``tls``: None reads them from ``settings`` and the environment.
    """
    report, _ = await _run(
        cfg,
        settings,
        first=first,
        progress=progress,
        state=state,
        fresh=fresh,
        proxies=proxies,
        tls=tls,
    )
    return report


async def _run(
    cfg: Config,
    settings: CheckSettings,
    *,
    first: frozenset[str],
    progress: ProgressFactory | None,
    state: streaks.State | None,
    fresh: Mapping[str, timedelta] | None = None,
    proxies: proxy.ProxySettings | None = None,
    tls: ssl.SSLContext | None = None,
) -> tuple[Report, dict[str, DomainRecord] | None]:
    """``run``, and the domain watch's records (None when it is off, or nothing was judged)."""
    options = scheduler.CheckOptions(
        concurrency=settings.concurrency,
        per_host=settings.per_host,
        timeout=settings.timeout,
        # What failed last time is checked first: it is what takes longest (timeouts,
        # retries), and left for last it would draw the run out.
        first=first,
        exclude=tuple(Exclusion(pattern, "--exclude") for pattern in settings.exclude),
        fresh=fresh or {},
        reuse_within=settings.reuse_ok_text,
    )
    resolver = settings.resolver or system_resolver
    client_options = ClientOptions(
        user_agent=cfg.defaults.user_agent,
        allow_private=settings.allow_private,
        resolver=resolver,
        proxies=proxies if proxies is not None else proxy_settings(settings),
        ssl_context=tls if tls is not None else trust.ssl_context(_environ(settings)),
        # Room for every connection of a full run to wait for its host's next link.
        max_idle=max(settings.concurrency or cfg.defaults.concurrency, 1) * 2,
    )
    watched = domain_watch.by_link(cfg) if settings.domains else {}
    async with build_client(client_options) as client:
        prober = Prober(
            client, ProbeSettings(inspect_pages=not settings.head_only), hosts=cfg.hosts
        )
        watching = progress(len(cfg.links)) if progress is not None else nullcontext(None)
        # The registries are asked while the links are checked, over the same client.
        lookups = (
            asyncio.ensure_future(
                domain_watch.look_up(
                    client,
                    list(dict.fromkeys(watched.values())),
                    state.domains if state is not None else {},
                    now=settings.now,
                    resolver=resolver,
                    settings=settings.rdap,
                    max_age=timedelta(days=settings.domain_cache_days),
                    expiring_days=cfg.defaults.domain_expiring_days,
                )
            )
            if settings.domains
            else None
        )
        try:
            with watching as advance:
                report = await scheduler.run(cfg, prober, options, progress=advance)
            records = await lookups if lookups is not None else None
        finally:
            if lookups is not None and not lookups.done():
                lookups.cancel()
        if report.network_unavailable:
            records = None  # an offline machine learns nothing: keep the cache as it was
        report = domain_watch.annotate(
            report, cfg, records, state=state, now=settings.now(), domains=watched
        )
        if settings.archive is None:
            return report, records
        from linkwatch.pipeline import archive  # noqa: PLC0415 - only --suggest-archive uses it

        lookups_ = Prober(client, archive.PROBE_SETTINGS)
        return await archive.suggest(report, lookups_, settings.archive), records
