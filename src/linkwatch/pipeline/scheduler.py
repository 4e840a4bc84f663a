"""Schedules probes over a whole list: a global limit, a per-host limit, hosts interleaved.

Workers (as many as the global limit) take links from a scheduler that hands out, in
round-robin over hosts, the next link whose host is below its own limit. A slow host thus
holds at most ``per_host`` workers while the others keep going, and nothing waits on a
semaphore in thousands of idle tasks. A link waiting to retry lends its slots out (its host's
and its global one) and its worker is replaced meanwhile.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from linkwatch import urls
from linkwatch._version import __version__
from linkwatch.judgement import classify
from linkwatch.models import (
    NETWORK_FAILURES,
    Exclusion,
    Failure,
    HostSettings,
    Report,
    Status,
    host_settings,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from datetime import timedelta

    from linkwatch.models import Config, Link, Outcome
    from linkwatch.network.probe import Prober


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """How a run is scheduled; None means the value from links.yaml."""

    concurrency: int | None = None
    per_host: int | None = None
    timeout: float | None = None  # replaces every link's timeout
    thresholds: classify.Thresholds = field(default_factory=classify.Thresholds)
    # Stable ids (urls.stable_id) of links to check first, e.g. those that failed last run:
    # failing links are the slow ones (timeouts, retries), and started last they would be
    # the run's tail.
    first: frozenset[str] = frozenset()
    # Patterns from the command line (--exclude), beside the file's own ``exclude``.
    exclude: tuple[Exclusion, ...] = ()
    # --reuse-ok: stable ids of links healthy not long ago, with how long ago; they are
    # reported as cached, not requested. ``reuse_within`` is the option as written.
    fresh: Mapping[str, timedelta] = field(default_factory=dict)
    reuse_within: str = ""


@dataclass(frozen=True, slots=True)
class Progress:
    """One link finished: sent to the progress callback, in completion order."""

    done: int
    total: int
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class _Job:
    link: Link
    url: str  # cleaned
    stripped: tuple[str, ...]
    host: str


@dataclass(slots=True)
class _Slot:
    """One job's place in the global and its host's limit; given back while it waits to retry."""

    host: str
    held: bool = True


class _Scheduler:
    """Hands out jobs round-robin over hosts, within the global and the per-host limits.

    Synchronous bookkeeping (the event loop is one thread): a worker only waits, on a plain
    future, when nothing can be handed out. No lock, so taking a job costs no trip through
    the event loop. A job waiting to retry gives its slot back (it sends nothing meanwhile),
    both its host's and the global one, and takes one again, before any new job, to retry;
    a freed slot is handed to such a job directly, so no new job can slip in between.
    """

    def __init__(
        self,
        jobs: Sequence[_Job],
        per_host: int,
        concurrency: int,
        hosts: tuple[HostSettings, ...] = (),
    ) -> None:
        self._queues: dict[str, deque[_Job]] = {}
        for job in jobs:
            self._queues.setdefault(job.host, deque()).append(job)
        # links.yaml's `hosts.NAME.concurrency` replaces the run's per-host limit there; a
        # host with an `interval` and no concurrency takes one link at a time (more would
        # only queue for their turns, their deadlines running).
        self._limits = {
            host: rule.concurrency or 1
            for host in self._queues
            if (rule := host_settings(hosts, host)) is not None
            and (rule.concurrency or rule.interval > 0)
        }
        self._ring: deque[str] = deque(self._queues)
        self._busy: Counter[str] = Counter()
        self._active = 0  # slots held, all hosts
        self._per_host = per_host
        self._concurrency = concurrency
        self._waiters: deque[asyncio.Future[None]] = deque()  # workers wanting any job
        self._reclaiming: dict[str, deque[asyncio.Future[None]]] = {}  # jobs back from a pause

    @property
    def needs_a_worker(self) -> bool:
        """Whether jobs are left and no idle worker waits for them."""
        return bool(self._ring) and not any(not w.done() for w in self._waiters)

    async def take(self) -> tuple[_Job, _Slot] | None:
        while self._ring:
            job = self._pick() if self._active < self._concurrency else None
            if job is not None:
                return job, _Slot(job.host)
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            await waiter
        return None

    def release(self, slot: _Slot) -> None:
        if slot.held:
            slot.held = False
            self._busy[slot.host] -= 1
            self._active -= 1
            self._offer(slot.host)

    async def reclaim(self, slot: _Slot) -> None:
        host = slot.host
        if (
            not self._reclaiming.get(host)
            and self._busy[host] < self._limit(host)
            and self._active < self._concurrency
        ):
            self._hold(host)
            slot.held = True
            return
        waiter = asyncio.get_running_loop().create_future()
        queue = self._reclaiming.setdefault(host, deque())
        queue.append(waiter)
        try:
            await waiter  # _offer hands the slot over before waking us
        except asyncio.CancelledError:
            # The link's deadline passed while it waited: leave no stale entry that would
            # keep new jobs off this host, and pass on a slot handed over but not used.
            if waiter in queue:
                queue.remove(waiter)
            if not queue and self._reclaiming.get(host) is queue:
                del self._reclaiming[host]
            if waiter.done() and not waiter.cancelled():
                self._busy[host] -= 1
                self._active -= 1
                self._offer(host)
            raise
        slot.held = True

    def _limit(self, host: str) -> int:
        return self._limits.get(host, self._per_host)

    def _hold(self, host: str) -> None:
        self._busy[host] += 1
        self._active += 1

    def _offer(self, host: str) -> None:
        """A slot is free: a job back from a pause first (its own host's first), else a worker."""
        for candidate in (host, *self._reclaiming):
            queue = self._reclaiming.get(candidate)
            if not queue or self._busy[candidate] >= self._limit(candidate):
                continue
            waiter = queue.popleft()
            if not queue:
                del self._reclaiming[candidate]
            self._hold(candidate)
            waiter.set_result(None)
            return
        self._wake(everyone=False)

    def _pick(self) -> _Job | None:
        for _ in range(len(self._ring)):
            host = self._ring[0]
            self._ring.rotate(-1)
            if self._busy[host] < self._limit(host) and not self._reclaiming.get(host):
                queue = self._queues[host]
                job = queue.popleft()
                self._hold(host)
                if not queue:
                    self._ring.remove(host)
                    del self._queues[host]
                    if not self._ring:
                        # Nothing left to hand out: waiting workers may stop.
                        self._wake(everyone=True)
                return job
        return None

    def _wake(self, *, everyone: bool) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                if not everyone:
                    return


def _jobs(config: Config) -> list[_Job]:
    jobs = []
    for link in config.links:
        cleaned, stripped = urls.strip_tracking(
            link.url, config.defaults.tracking, link.keep_params
        )
        host = (urlsplit(cleaned).hostname or "").lower()
        jobs.append(_Job(link, cleaned, stripped, host))
    return jobs


async def run(
    config: Config,
    prober: Prober,
    options: CheckOptions | None = None,
    *,
    progress: Callable[[Progress], None] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Report:
    """Check every link of ``config`` with ``prober`` (which holds the run's one client)."""
    options = options or CheckOptions()
    started = now()
    jobs = _jobs(config)
    outcomes: dict[int, Outcome] = {}
    probed = 0
    network_failed = 0
    network_failed_links: set[int] = set()
    network_failed_hosts: set[str] = set()

    def record(outcome: Outcome) -> None:
        outcomes[outcome.link.index] = outcome
        if progress is not None:
            progress(Progress(len(outcomes), len(jobs), outcome))

    # Excluded links are reported as skipped, with the pattern: never silently dropped.
    exclusions = [(re.compile(e.pattern), e) for e in (*config.exclude, *options.exclude)]
    to_probe = []
    for job in jobs:
        if job.link.policy.skip is not None:
            record(classify.skipped(job.link, job.url, job.stripped, job.link.policy.skip))
        elif hit := next((e for p, e in exclusions if p.search(job.link.url)), None):
            record(classify.excluded(job.link, job.url, job.stripped, hit))
        elif (age := options.fresh.get(urls.stable_id(job.url))) is not None:
            record(classify.cached(job.link, job.url, job.stripped, age, options.reuse_within))
        else:
            to_probe.append(job)

    if options.first:
        # Stable sort: those links first, each host's in file order, then everything else;
        # their hosts come first in the scheduler's round.
        to_probe.sort(key=lambda job: urls.stable_id(job.url) not in options.first)
    per_host = options.per_host or config.defaults.per_host_concurrency
    concurrency = options.concurrency or config.defaults.concurrency
    scheduler = _Scheduler(to_probe, max(per_host, 1), max(concurrency, 1), config.hosts)
    group = asyncio.TaskGroup()

    async def worker() -> None:
        nonlocal probed, network_failed
        while (taken := await scheduler.take()) is not None:
            job, slot = taken

            async def pause(seconds: float, slot: _Slot = slot) -> None:
                scheduler.release(slot)
                # This worker sleeps with the link; another one takes its place meanwhile.
                if scheduler.needs_a_worker:
                    group.create_task(worker())
                await asyncio.sleep(seconds)
                await scheduler.reclaim(slot)

            try:
                policy = job.link.policy
                if options.timeout is not None:
                    policy = replace(policy, timeout=options.timeout)
                observation = await prober.probe(job.url, policy, pause=pause)
                outcome = classify.classify(
                    observation,
                    job.link,
                    now(),
                    stripped=job.stripped,
                    thresholds=options.thresholds,
                )
            except Exception as e:  # noqa: BLE001 - one bad link must not end the run
                record(classify.internal_error(job.link, job.url, job.stripped, e))
                probed += 1
                continue
            finally:
                scheduler.release(slot)
            # A link refused by the address guard never reached the network.
            if observation.failure is not Failure.PRIVATE_ADDRESS:
                probed += 1
                host = job.host
                # A .invalid name is known not to exist without asking anyone (RFC 6761).
                definitive = host == "invalid" or host.endswith(".invalid")
                if observation.failure in NETWORK_FAILURES and not definitive:
                    network_failed += 1
                    network_failed_links.add(job.link.index)
                    network_failed_hosts.add(host)
            record(outcome)

    workers = min(max(concurrency, 1), len(to_probe))
    async with group:
        for _ in range(workers):
            group.create_task(worker())

    # Network down is not fifty broken links: when no probed link got past DNS or the
    # socket, the machine is offline and the list says nothing, so no link is called
    # broken (or "lapsed") in any format; each says it was not judged.
    # One dead host is just a dead link: it takes failures on two or more hosts, and no
    # answer from anywhere, to conclude that the machine itself is offline.
    offline = probed > 0 and network_failed == probed and len(network_failed_hosts) >= 2
    ordered = tuple(
        classify.not_judged(outcomes[link.index])
        if offline and link.index in network_failed_links
        else outcomes[link.index]
        for link in config.links
    )
    return Report(
        tool_version=__version__,
        config_path=config.path,
        started=started,
        finished=now(),
        outcomes=ordered,
        network_unavailable=offline,
    )


def has_failures(report: Report) -> bool:
    """Whether any link is broken or could not be checked (exit code 1)."""
    return any(o.status in {Status.BROKEN, Status.ERROR} for o in report.outcomes)


def summary(report: Report) -> str:
    """One line: how many links, by status, worst first, and how long it took."""
    counts = Counter(o.status for o in report.outcomes)
    parts = [f"{counts[s]} {s.value}" for s in Status if counts[s]]
    total = len(report.outcomes)
    detail = ", ".join(parts) if parts else "nothing to check"
    return f"{total} link{'s' if total != 1 else ''}: {detail} ({report.duration_s:.1f} s)"
