"""The state file on disk: versioned JSON, written atomically, never silently thrown away.

A state file that cannot be used (not JSON, truncated, the wrong shape, or written by a
newer linkwatch) must neither crash a nightly run nor vanish: ``load`` moves it aside next
to itself (``state.json.corrupt-20261127T210000Z`` or ``state.json.newer-…``), says so in a
warning, and the run starts from an empty history.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from linkwatch.errors import ConfigError, Problem, WriteError
from linkwatch.history import streaks
from linkwatch.listfile.fileio import write_atomic
from linkwatch.models import DomainRecord, DomainState, Status

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

    from linkwatch.models import Report

SCHEMA: Final = f"linkwatch.state/{streaks.STATE_VERSION}"
_SCHEMA_RE: Final = re.compile(r"linkwatch\.state/([0-9]{1,6})")
# A state file is a few hundred bytes per link; anything this big is not ours.
MAX_BYTES: Final = 64 * 1024 * 1024


class StateFileError(ValueError):
    """Why a state file cannot be used; ``newer`` when a later linkwatch wrote it."""

    def __init__(self, message: str, *, newer: bool = False) -> None:
        super().__init__(message)
        self.newer = newer


# ---------------------------------------------------------------- encoding


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def dumps(state: streaks.State) -> bytes:
    """The state as JSON bytes, ids sorted so that the file diffs well."""
    links = {
        key: {
            "name": link.name,
            "url": link.url,
            "last_status": link.last_status.value,
            "last_reason": link.last_reason,
            "last_checked": _time(link.last_checked),
            "consecutive_failures": link.consecutive_failures,
            "consecutive_successes": link.consecutive_successes,
            "first_failed": _time(link.first_failed),
            "last_ok": _time(link.last_ok),
            "problem": link.problem,
            "first_seen": _time(link.first_seen),
            # Only when set: a linkwatch before --reuse-ok reads these files too.
            **({"last_healthy": _time(link.last_healthy)} if link.last_healthy else {}),
        }
        for key, link in sorted(state.links.items())
    }
    domains = {
        name: _domain_doc(record)
        for name, record in sorted(state.domains.items())
        # Nothing known is not worth keeping: the next run asks again.
        if record.state is not DomainState.UNKNOWN
    }
    doc = {"schema": SCHEMA, "links": links, "domains": domains}
    # ASCII escapes: a lone surrogate read back from an old file still writes (and reads) back.
    return (json.dumps(doc, indent=2, ensure_ascii=True) + "\n").encode("ascii")


def _domain_doc(record: DomainRecord) -> dict[str, object]:
    return {
        "state": record.state.value,
        "looked_up": _time(record.looked_up),
        "registered": _time(record.registered),
        "expires": _time(record.expires),
        "last_changed": _time(record.last_changed),
        "transferred": _time(record.transferred),
        "statuses": list(record.statuses),
        "dns": record.dns,
    }


# ---------------------------------------------------------------- decoding


def _text(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise StateFileError(f"{where}.{key}: expected text")
    return value


def _count(obj: dict[str, Any], key: str, where: str) -> int:
    value = obj.get(key)
    # bool is an int in Python; true is not a count.
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise StateFileError(f"{where}.{key}: expected a count")
    return value


def _when(obj: dict[str, Any], key: str, where: str, *, optional: bool) -> datetime | None:
    value = obj.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise StateFileError(f"{where}.{key}: expected a time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as e:
        raise StateFileError(f"{where}.{key}: not an ISO 8601 time") from e
    if parsed.tzinfo is None:
        raise StateFileError(f"{where}.{key}: time without a time zone")
    return parsed


def _link(key: str, obj: object) -> streaks.LinkState:
    where = f"links[{key!r}]"
    if not isinstance(obj, dict):
        raise StateFileError(f"{where}: expected an object")
    try:
        status = Status(_text(obj, "last_status", where))
    except ValueError as e:
        raise StateFileError(f"{where}.last_status: unknown status") from e
    problem = obj.get("problem")
    if not isinstance(problem, bool):
        raise StateFileError(f"{where}.problem: expected true or false")
    last_checked = _when(obj, "last_checked", where, optional=False)
    assert last_checked is not None  # noqa: S101 - optional=False never returns None
    first_failed = _when(obj, "first_failed", where, optional=True)
    last_ok = _when(obj, "last_ok", where, optional=True)
    first_seen = _when(obj, "first_seen", where, optional=True)
    if first_seen is None:
        # Version 1 did not keep it: the link was seen by its earliest known date at least
        # (later than the truth, so the domain watch can only miss, never raise, an alarm).
        first_seen = min(t for t in (last_checked, first_failed, last_ok) if t is not None)
    return streaks.LinkState(
        name=_text(obj, "name", where),
        url=_text(obj, "url", where),
        last_status=status,
        last_reason=_text(obj, "last_reason", where),
        last_checked=last_checked,
        consecutive_failures=_count(obj, "consecutive_failures", where),
        consecutive_successes=_count(obj, "consecutive_successes", where),
        first_failed=first_failed,
        last_ok=last_ok,
        problem=problem,
        first_seen=first_seen,
        last_healthy=_when(obj, "last_healthy", where, optional=True),
    )


def _domain(name: str, obj: object) -> DomainRecord:
    where = f"domains[{name!r}]"
    if not isinstance(obj, dict):
        raise StateFileError(f"{where}: expected an object")
    try:
        state = DomainState(_text(obj, "state", where))
    except ValueError as e:
        raise StateFileError(f"{where}.state: unknown state") from e
    statuses = obj.get("statuses", [])
    if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
        raise StateFileError(f"{where}.statuses: expected a list of text")
    dns = obj.get("dns")
    if dns is not None and not isinstance(dns, bool):
        raise StateFileError(f"{where}.dns: expected true, false or null")
    looked_up = _when(obj, "looked_up", where, optional=False)
    assert looked_up is not None  # noqa: S101 - optional=False never returns None
    return DomainRecord(
        domain=name,
        state=state,
        looked_up=looked_up,
        registered=_when(obj, "registered", where, optional=True),
        expires=_when(obj, "expires", where, optional=True),
        last_changed=_when(obj, "last_changed", where, optional=True),
        transferred=_when(obj, "transferred", where, optional=True),
        statuses=tuple(statuses),
        dns=dns,
    )


def loads(data: bytes) -> streaks.State:
    """Parse a state file's bytes; raises ``StateFileError`` saying what is wrong."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise StateFileError(f"not UTF-8 (byte {e.start})") from e
    except json.JSONDecodeError as e:
        raise StateFileError(f"not valid JSON ({e.msg}, line {e.lineno})") from e
    except RecursionError as e:
        raise StateFileError("nested too deeply") from e
    if not isinstance(doc, dict):
        raise StateFileError("expected a JSON object at the top")
    schema = doc.get("schema")
    match = _SCHEMA_RE.fullmatch(schema) if isinstance(schema, str) else None
    if match is None:
        raise StateFileError(f"not a linkwatch state file (schema {schema!r:.60})")
    version = int(match.group(1))
    if version > streaks.STATE_VERSION:
        raise StateFileError(
            f"written by a newer linkwatch (version {version}, this one reads"
            f" {streaks.STATE_VERSION})",
            newer=True,
        )
    if version < 1:
        raise StateFileError(f"unknown version {version}")
    links = doc.get("links")
    if not isinstance(links, dict):
        raise StateFileError("links: expected an object")
    domains = doc.get("domains", {})  # version 1 had no domain cache
    if not isinstance(domains, dict):
        raise StateFileError("domains: expected an object")
    return streaks.State(
        links={key: _link(key, value) for key, value in links.items()},
        domains={name: _domain(name, value) for name, value in domains.items()},
    )


# ---------------------------------------------------------------- files


@dataclass(frozen=True, slots=True)
class Loaded:
    """A state read from disk, and the warning to print when the file had to be moved aside."""

    state: streaks.State
    warning: str | None = None
    moved_to: Path | None = None


def _read_bytes(path: Path) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise StateFileError(f"larger than {MAX_BYTES // (1024 * 1024)} MiB")
    return data


def _aside_path(path: Path, tag: str, now: datetime) -> Path:
    """A free name next to ``path``; a second bad file in the same second gets ``-2``."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.name}.{tag}-{stamp}")
    counter = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = path.with_name(f"{path.name}.{tag}-{stamp}-{counter}")
        counter += 1
    return candidate


def load(path: Path, now: datetime) -> Loaded:
    """The state in ``path``: empty when missing; a bad file is moved aside (with a warning).

    Raises ``WriteError`` only when a bad file cannot be moved aside, because starting
    fresh would then overwrite it on save.
    """
    try:
        data = _read_bytes(path)
        return Loaded(loads(data))
    except FileNotFoundError:
        return Loaded(streaks.State())
    except IsADirectoryError as e:
        raise WriteError(f"state file {path} is a folder") from e
    except OSError as e:
        raise WriteError(f"cannot read state file {path}: {e.strerror or e}") from e
    except StateFileError as e:
        aside = _aside_path(path, "newer" if e.newer else "corrupt", now)
        try:
            path.replace(aside)
        except OSError as move_error:
            raise WriteError(
                f"state file {path} is unusable ({e}) and cannot be moved aside:"
                f" {move_error.strerror or move_error}"
            ) from move_error
        warning = (
            f"warning: state file {path} is unusable ({e}); kept as {aside.name},"
            " starting with an empty history"
        )
        return Loaded(streaks.State(), warning=warning, moved_to=aside)


def read(path: Path) -> streaks.State:
    """The state in ``path`` for a reader that must not start fresh (``sync``).

    A missing or unusable file is a ``ConfigError``: an empty history would close every issue.
    """
    shown = str(path)
    try:
        return loads(_read_bytes(path))
    except FileNotFoundError as e:
        message = "no such state file (run `linkwatch check --state` first)"
        raise ConfigError([Problem(shown, None, None, "", message)]) from e
    except OSError as e:
        message = f"cannot read: {e.strerror or e}"
        raise ConfigError([Problem(shown, None, None, "", message)]) from e
    except StateFileError as e:
        raise ConfigError([Problem(shown, None, None, "", f"unusable state file: {e}")]) from e


def check_writable(path: Path) -> None:
    """Refuse, before a run, a state file that could not be saved after it (``WriteError``).

    The folder may not exist yet (it is created on the first save); the nearest folder that
    does must be a folder, and writable.
    """
    if path.is_dir():
        raise WriteError(f"--state {path}: is a folder; give the path of a file")
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise WriteError(
            f"--state {path}: {existing} is a file, not a folder (nothing was checked)"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise WriteError(f"--state {path}: {existing} is not writable (nothing was checked)")


def save(path: Path, state: streaks.State) -> None:
    """Write the state atomically, creating its folder if needed (raises ``WriteError``)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise WriteError(
            f"{path}: its folder cannot be created ({e.strerror or e}); nothing was written"
        ) from e
    write_atomic(path, dumps(state))


# ---------------------------------------------------------------- the one call for `check`


@dataclass(frozen=True, slots=True)
class Remembered:
    """What one run adds to the history: marks per link id, and the warnings to print."""

    state: streaks.State
    marks: dict[str, streaks.Mark]
    warnings: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        """Whether any link counts as a problem once the thresholds are applied (exit code 1)."""
        return any(mark.counts for mark in self.marks.values())


def remember(
    report: Report,
    path: Path,
    *,
    now: datetime,
    fail_after: int = 1,
    recover_after: int = 1,
    failing: Iterable[Status] = streaks.DEFAULT_FAILING,
) -> Remembered:
    """Load the state at ``path``, fold this run's report in, save it, and return the marks.

    ``prepare`` then ``save``, in one call (``check`` makes the two calls itself, so that
    the state is saved only once its report is out). Pass the ``--fail-on`` statuses as
    ``failing`` so that every status that fails a run needs ``fail_after`` runs in a row.
    Raises ``WriteError`` (exit 2) only when the file cannot be read, moved aside or
    written; a damaged file is a warning, never an error.
    """
    remembered = prepare(
        report,
        path,
        now=now,
        fail_after=fail_after,
        recover_after=recover_after,
        failing=failing,
    )
    save(path, remembered.state)
    return remembered


def prepare(
    report: Report,
    path: Path,
    *,
    now: datetime,
    fail_after: int = 1,
    recover_after: int = 1,
    failing: Iterable[Status] = streaks.DEFAULT_FAILING,
    loaded: Loaded | None = None,
    domains: Mapping[str, DomainRecord] | None = None,
) -> Remembered:
    """Like ``remember`` but without saving: ``check`` saves only once its report is out.

    ``loaded`` is the state ``check`` read before its run (to check last run's failures
    first); without it the file is loaded here. Either way a damaged state file is moved
    aside (with its warning), so it is never lost. ``domains``: the domain watch's records
    of this run, replacing the cache (None: the cache is kept as it was).
    """
    thresholds = streaks.Thresholds(fail_after, recover_after, frozenset(failing))
    loaded = loaded or load(path, now)
    after = streaks.update(loaded.state, report, now, thresholds)
    if domains is not None:
        after = dataclasses.replace(after, domains=dict(domains))
    warnings = (loaded.warning,) if loaded.warning else ()
    return Remembered(after, streaks.marks(loaded.state, after), warnings)
