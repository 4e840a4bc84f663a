"""Merge the reports of a sharded run into one (pure: the caller reads the files)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkwatch.errors import UsageError
from linkwatch.models import Report
from linkwatch.report.summary import outcome_id

if TYPE_CHECKING:
    from collections.abc import Sequence


def merge(named: Sequence[tuple[str, Report]]) -> Report:
    """One report from several ``(shown name, report)`` pairs of the same links.yaml.

    Outcomes come back in links.yaml order (by each link's index; ``--shard`` splits the
    list by site, so shards interleave), as an unsharded run lists them. The run spans the
    earliest start to the latest finish; the network counts as unavailable if it was for
    any shard. A link
    checked in two shards (same stable id) is an error: one of its results would be lost.
    """
    if not named:
        raise UsageError("no report to merge")
    if len(named) == 1:
        return named[0][1]  # one report, shard or not, is re-rendered as it is
    _check_shards(named)
    first_name, first = named[0]
    seen: dict[str, str] = {}
    outcomes = []
    for name, report in named:
        if report.config_path != first.config_path:
            raise UsageError(
                f"cannot merge reports of different files: {first_name} checked"
                f" {first.config_path!r}, {name} checked {report.config_path!r}"
            )
        for outcome in report.outcomes:
            key = outcome_id(outcome)
            if key in seen:
                raise UsageError(
                    f"{name}: link {outcome.checked_url!r} (id {key}) is also in {seen[key]};"
                    " each link must be checked by exactly one shard"
                )
            seen[key] = name
            outcomes.append(outcome)
    outcomes.sort(key=lambda outcome: outcome.link.index)  # stable: ties keep shard order
    versions = sorted({report.tool_version for _, report in named})
    return Report(
        tool_version=", ".join(versions),
        config_path=first.config_path,
        started=min(report.started for _, report in named),
        finished=max(report.finished for _, report in named),
        outcomes=tuple(outcomes),
        # Offline only if every shard was: a shard that reached only dead sites looks
        # offline on its own, but another shard's answers prove the network worked.
        network_unavailable=all(report.network_unavailable for _, report in named),
        # Two shards with links on one domain each say the same thing: keep one.
        domain_notes=tuple(dict.fromkeys(n for _, report in named for n in report.domain_notes)),
    )


def _check_shards(named: Sequence[tuple[str, Report]]) -> None:
    """Shard reports (``check --shard K/N``) merge only when all N are there, once each.

    A CI job that failed leaves its shard's report out; merging the rest would report a
    list with a part silently missing, so that is an error that names the missing shards.
    Reports without a shard (older ones, or whole runs) are merged by their links alone.
    """
    sharded = [(name, report.shard) for name, report in named if report.shard is not None]
    if not sharded:
        return
    if len(sharded) != len(named):
        whole = next(name for name, report in named if report.shard is None)
        raise UsageError(
            f"{whole} is a whole run but {sharded[0][0]} is shard"
            f" {sharded[0][1][0]}/{sharded[0][1][1]}: merge the reports of one sharded run"
        )
    count = sharded[0][1][1]
    owner: dict[int, str] = {}
    for name, (index, of) in sharded:
        if of != count:
            raise UsageError(
                f"{name} is shard {index}/{of} but {sharded[0][0]} is one of {count}:"
                " merge the reports of one sharded run"
            )
        if index in owner:
            raise UsageError(f"shard {index}/{count} is given twice: {owner[index]} and {name}")
        owner[index] = name
    missing = [k for k in range(1, count + 1) if k not in owner]
    if missing:
        shown = ", ".join(f"{k}/{count}" for k in missing)
        raise UsageError(
            f"missing shard {shown}: merge the reports of all {count} shards (a shard whose"
            " job failed must be run again, or its links would be left out silently)"
        )
