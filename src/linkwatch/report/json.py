"""The ``json`` format (schema ``linkwatch.report/1``) and the reader that loads it back.

The shape is documented by ``schema/report.schema.json``; the tests validate real output
against it. Values are written exactly as they are (this is the machine-readable record),
but characters that could drive a terminal when the file is printed are written as
``\\uXXXX`` escapes, which every JSON reader decodes back to the same string.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from linkwatch.errors import ConfigError, Problem
from linkwatch.models import (
    DomainInfo,
    DomainState,
    Flag,
    HistoryNote,
    Hop,
    Link,
    Note,
    Outcome,
    Policy,
    Report,
    Status,
)
from linkwatch.report.neutralise import is_unsafe
from linkwatch.report.summary import flag_counts, outcome_id, problems, status_counts

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SCHEMA: Final = "linkwatch.report/1"
TOOL: Final = "linkwatch"

# Only characters outside printable ASCII can be unsafe; the callback decides which are.
# json.dumps already escapes C0 controls inside strings, so a raw newline is layout.
_CANDIDATE = re.compile(r"[^\x20-\x7e\n]")


def _json_escape(char: str) -> str:
    """``\\uXXXX``, as a surrogate pair beyond the Basic Multilingual Plane."""
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _escape_unsafe(text: str) -> str:
    """Write unsafe characters (they can only occur inside strings) as JSON escapes."""
    return _CANDIDATE.sub(lambda m: _json_escape(m[0]) if is_unsafe(m[0]) else m[0], text)


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def outcome_record(outcome: Outcome) -> dict[str, Any]:
    """One link's record, every field the schema lists, in a stable order."""
    link = outcome.link
    return {
        "id": outcome_id(outcome),
        "index": link.index,
        "name": link.name,
        "category": link.category,
        "tags": list(link.tags),
        "owner": link.owner,
        "notes": link.notes,
        "source": link.source,
        "line": link.line,
        "column": link.column,
        "url_line": link.url_line,
        "url_column": link.url_column,
        "url": link.url,
        "keep_params": list(link.keep_params),
        "skip": link.policy.skip,
        "checked_url": outcome.checked_url,
        "stripped_params": list(outcome.stripped_params),
        "status": outcome.status.value,
        "http_status": outcome.http_status,
        "final_url": outcome.final_url,
        "redirects": [{"url": hop.url, "status": hop.status_code} for hop in outcome.redirects],
        "flags": [flag.value for flag in outcome.flags],
        "reason": outcome.reason,
        "action": outcome.action,
        "attempts": outcome.attempts,
        "elapsed_ms": outcome.elapsed_ms,
        "tls_expires": _time(outcome.tls_expires),
        "title": outcome.title,
        "history": _history(outcome.history),
        "archive_url": outcome.archive_url,
        "archive_timestamp": _time(outcome.archive_timestamp),
        "reviewed": link.reviewed.isoformat() if link.reviewed is not None else None,
        "domain": _domain(outcome.domain),
        "findings": [
            {
                "topic": note.topic,
                "text": note.text,
                "action": note.action,
                "flag": note.flag.value if note.flag is not None else None,
            }
            for note in outcome.notes
        ],
    }


def _domain(info: DomainInfo | None) -> dict[str, Any] | None:
    if info is None:
        return None
    return {
        "name": info.domain,
        "state": info.state.value,
        "registered": _time(info.registered),
        "expires": _time(info.expires),
        "transferred": _time(info.transferred),
    }


def _history(note: HistoryNote | None) -> dict[str, Any] | None:
    if note is None:
        return None
    return {
        "kind": note.kind,
        "label": note.label,
        "counts": note.counts,
        "since": _time(note.since),
        "runs": note.runs,
    }


def report_document(report: Report) -> dict[str, Any]:
    """The whole report as plain JSON values."""
    document = _head_document(report)
    document["links"] = [outcome_record(o) for o in report.outcomes]
    return document


def _head_document(report: Report) -> dict[str, Any]:
    """Everything but the links' records (``links`` is last, and empty here)."""
    return {
        "schema": SCHEMA,
        "tool": TOOL,
        "tool_version": report.tool_version,
        "config_path": report.config_path,
        "started": _time(report.started),
        "finished": _time(report.finished),
        "duration_s": round(max(report.duration_s, 0.0), 3),
        "network_unavailable": report.network_unavailable,
        "shard": (
            None if report.shard is None else {"index": report.shard[0], "count": report.shard[1]}
        ),
        "summary": {
            "total": len(report.outcomes),
            "problems": len(problems(report)),
            "statuses": {s.value: n for s, n in status_counts(report).items()},
            "flags": {f.value: n for f, n in flag_counts(report).items()},
        },
        "domain_notes": list(report.domain_notes),
        "links": [],
    }


def render(report: Report) -> str:
    """The report as indented JSON text, ending in a newline."""
    return "".join(iter_render(report))


_EMPTY_TAIL: Final = "[]\n}"


def iter_render(report: Report) -> Iterator[str]:
    """``render``'s text in pieces, one per link, so a large report is never one giant string.

    The same text as ``json.dumps(report_document(report), indent=2)``: a record nested two
    levels deep is the record dumped alone with every line indented by four spaces.
    """
    head = json.dumps(_head_document(report), indent=2, ensure_ascii=False)
    if not report.outcomes:
        yield _escape_unsafe(head) + "\n"
        return
    assert head.endswith(_EMPTY_TAIL)  # noqa: S101 - "links" is the last key
    yield _escape_unsafe(head[: -len(_EMPTY_TAIL)]) + "["
    separator = "\n    "
    for outcome in report.outcomes:
        yield _escape_unsafe(separator + indented(outcome_record(outcome), 2))
        separator = ",\n    "
    yield "\n  ]\n}\n"


_encode_string: Callable[[str], str] = (
    getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
)


def indented(value: object, level: int = 0) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, nested ``level`` deep, faster.

    CPython 3.11's json module indents in pure Python, through generators, and writing the
    report of 20,000 links took about a second; this does the same for JSON values (dicts
    with string keys, lists, strings, numbers, booleans, None) in one recursive pass, with
    the C string encoder. Anything else goes to json.dumps, which says what is wrong.
    """
    if isinstance(value, str):
        return _encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    if isinstance(value, dict) and all(type(key) is str for key in value):
        if not value:
            return "{}"
        inner = "\n" + "  " * (level + 1)
        items = [f"{inner}{_encode_string(k)}: {indented(v, level + 1)}" for k, v in value.items()]
        return "{" + ",".join(items) + "\n" + "  " * level + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = "\n" + "  " * (level + 1)
        return (
            "["
            + ",".join(inner + indented(v, level + 1) for v in value)
            + "\n"
            + "  " * level
            + "]"
        )
    # Floats (json's special cases for nan and infinity) and anything unexpected.
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)


# ---------------------------------------------------------------------------- reading back
class _Reader:
    """Collects every problem in a report document, each with its key path."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.path, None, None, where, message))

    def field(
        self,
        obj: dict[str, Any],
        key: str,
        where: str,
        check: Callable[[Any], bool],
        expected: str,
        *,
        nullable: bool = False,
        default: Any = ...,  # noqa: ANN401 - whatever the field holds
    ) -> Any:  # noqa: ANN401 - the caller knows the type it asked for
        here = f"{where}.{key}" if where else key
        if key not in obj:
            if default is not ...:
                return default
            self.fail(here, "is missing")
            return None
        value = obj[key]
        if value is None and nullable:
            return None
        if not check(value):
            self.fail(
                here, f"must be {expected}{' or null' if nullable else ''}, not {value!r:.60}"
            )
            return None
        return value

    def text(self, obj: dict[str, Any], key: str, where: str, **kw: Any) -> Any:  # noqa: ANN401
        return self.field(obj, key, where, lambda v: isinstance(v, str), "a string", **kw)

    def count(self, obj: dict[str, Any], key: str, where: str, low: int = 0, **kw: Any) -> Any:  # noqa: ANN401
        return self.field(
            obj, key, where, lambda v: _is_int(v) and v >= low, f"an integer ≥ {low}", **kw
        )

    def texts(self, obj: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = self.field(
            obj,
            key,
            where,
            lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
            "a list of strings",
            default=[],
        )
        return tuple(value or ())

    def time(self, obj: dict[str, Any], key: str, where: str, **kw: Any) -> datetime | None:  # noqa: ANN401
        value = self.text(obj, key, where, **kw)
        if value is None:
            return None
        here = f"{where}.{key}" if where else key
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(here, f"must be an ISO 8601 date-time, not {value!r:.60}")
            return None
        if parsed.tzinfo is None:
            # Times from several shards are compared; a time without an offset cannot be.
            self.fail(here, f"must carry a UTC offset, not {value!r:.60}")
            return None
        return parsed


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _enum_values(values: list[Any], kind: type[Status | Flag]) -> bool:
    known = {m.value for m in kind}
    return all(isinstance(v, str) and v in known for v in values)


def _read_outcome(r: _Reader, item: object, where: str) -> Outcome | None:
    if not isinstance(item, dict):
        r.fail(where, f"must be an object, not {type(item).__name__}")
        return None
    before = len(r.problems)
    status = r.field(
        item,
        "status",
        where,
        lambda v: isinstance(v, str) and v in {s.value for s in Status},
        "one of " + ", ".join(s.value for s in Status),
    )
    flags = r.field(
        item,
        "flags",
        where,
        lambda v: isinstance(v, list) and _enum_values(v, Flag),
        "a list of " + ", ".join(f.value for f in Flag),
        default=[],
    )
    hops = r.field(
        item,
        "redirects",
        where,
        lambda v: (
            isinstance(v, list)
            and all(
                isinstance(h, dict)
                and isinstance(h.get("url"), str)
                and (h.get("status") is None or _is_int(h.get("status")))
                for h in v
            )
        ),
        'a list of {"url": string, "status": integer or null}',
        default=[],
    )
    link = Link(
        index=r.count(item, "index", where),
        name=r.text(item, "name", where),
        url=r.text(item, "url", where),
        line=r.count(item, "line", where, low=1),
        column=r.count(item, "column", where, low=1, default=1),
        url_line=r.count(item, "url_line", where, low=1, default=item.get("line")),
        url_column=r.count(item, "url_column", where, low=1, default=1),
        category=r.text(item, "category", where, nullable=True, default=None),
        tags=r.texts(item, "tags", where),
        owner=r.text(item, "owner", where, nullable=True, default=None),
        notes=r.text(item, "notes", where, nullable=True, default=None),
        source=r.text(item, "source", where, nullable=True, default=None),
        keep_params=r.texts(item, "keep_params", where),
        policy=Policy(skip=r.text(item, "skip", where, nullable=True, default=None)),
        reviewed=_read_day(r, item, "reviewed", where),
    )
    outcome = Outcome(
        link=link,
        checked_url=r.text(item, "checked_url", where),
        stripped_params=r.texts(item, "stripped_params", where),
        status=Status(status) if status is not None else Status.ERROR,
        reason=r.text(item, "reason", where),
        action=r.text(item, "action", where),
        flags=tuple(Flag(f) for f in flags or ()),
        http_status=r.count(item, "http_status", where, nullable=True, default=None),
        final_url=r.text(item, "final_url", where, nullable=True, default=None),
        redirects=tuple(Hop(h["url"], h.get("status")) for h in hops or ()),
        attempts=r.count(item, "attempts", where, default=0),
        elapsed_ms=r.count(item, "elapsed_ms", where, default=0),
        tls_expires=r.time(item, "tls_expires", where, nullable=True, default=None),
        title=r.text(item, "title", where, nullable=True, default=None),
        history=_read_history(r, item, where),
        archive_url=r.text(item, "archive_url", where, nullable=True, default=None),
        archive_timestamp=r.time(item, "archive_timestamp", where, nullable=True, default=None),
        domain=_read_domain(r, item, where),
        notes=_read_findings(r, item, where),
    )
    return outcome if len(r.problems) == before else None


def _read_day(r: _Reader, item: dict[str, Any], key: str, where: str) -> date | None:
    value = r.text(item, key, where, nullable=True, default=None)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        r.fail(f"{where}.{key}", f"must be a date (YYYY-MM-DD), not {value!r:.60}")
        return None


def _read_domain(r: _Reader, item: dict[str, Any], where: str) -> DomainInfo | None:
    info = r.field(
        item,
        "domain",
        where,
        lambda v: isinstance(v, dict),
        "an object",
        nullable=True,
        default=None,
    )
    if info is None:
        return None
    here = f"{where}.domain"
    state = r.field(
        info,
        "state",
        here,
        lambda v: v in {s.value for s in DomainState},
        "one of " + ", ".join(s.value for s in DomainState),
    )
    return DomainInfo(
        domain=r.text(info, "name", here),
        state=DomainState(state) if state is not None else DomainState.UNKNOWN,
        registered=r.time(info, "registered", here, nullable=True, default=None),
        expires=r.time(info, "expires", here, nullable=True, default=None),
        transferred=r.time(info, "transferred", here, nullable=True, default=None),
    )


def _read_findings(r: _Reader, item: dict[str, Any], where: str) -> tuple[Note, ...]:
    found = r.field(
        item,
        "findings",
        where,
        lambda v: isinstance(v, list) and all(isinstance(n, dict) for n in v),
        "a list of objects",
        default=[],
    )
    notes: list[Note] = []
    for i, note in enumerate(found or ()):
        here = f"{where}.findings[{i}]"
        flag = r.field(
            note,
            "flag",
            here,
            lambda v: v in {f.value for f in Flag},
            "a flag",
            nullable=True,
            default=None,
        )
        notes.append(
            Note(
                topic=r.text(note, "topic", here) or "",
                text=r.text(note, "text", here) or "",
                action=r.text(note, "action", here, default="") or "",
                flag=Flag(flag) if flag is not None else None,
            )
        )
    return tuple(notes)


_HISTORY_KINDS = frozenset({"pending", "new", "persisting", "recovering", "recovered"})


def _read_history(r: _Reader, item: dict[str, Any], where: str) -> HistoryNote | None:
    note = r.field(
        item,
        "history",
        where,
        lambda v: isinstance(v, dict),
        "an object",
        nullable=True,
        default=None,
    )
    if note is None:
        return None
    here = f"{where}.history"
    kind = r.field(
        note,
        "kind",
        here,
        lambda v: v in _HISTORY_KINDS,
        "one of " + ", ".join(sorted(_HISTORY_KINDS)),
    )
    counts = r.field(note, "counts", here, lambda v: isinstance(v, bool), "true or false")
    return HistoryNote(
        kind=kind or "new",
        label=r.text(note, "label", here),
        counts=bool(counts),
        since=r.time(note, "since", here, nullable=True, default=None),
        runs=r.count(note, "runs", here, default=0),
    )


class _PositionDecoder(json.JSONDecoder):
    """A JSON decoder that remembers where each object starts (offset of its ``{``)."""

    def __init__(self) -> None:
        super().__init__()
        self.starts: dict[int, int] = {}

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:  # noqa: ANN401
            obj, end = json.decoder.JSONObject(s_and_end, *args)  # type: ignore[attr-defined]
            self.starts[id(obj)] = s_and_end[1] - 1
            return obj, end

        self.parse_object = parse_object
        # The C scanner ignores parse_object; the Python one calls it.
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


_ITEM = re.compile(r"^links\[(\d+)\]")


def _locate(problems: list[Problem], text: str) -> list[Problem]:
    """Give each problem inside ``links[i]`` the line and column where that item starts.

    Only run when something is wrong: the position-tracking parser is the slow Python one.
    """
    decoder = _PositionDecoder()
    items = decoder.decode(text).get("links")
    located = []
    for problem in problems:
        match = _ITEM.match(problem.where)
        index = int(match[1]) if match else -1
        if (
            isinstance(items, list)
            and 0 <= index < len(items)
            and id(items[index]) in decoder.starts
        ):
            line, column = _line_col(text, decoder.starts[id(items[index])])
            problem = Problem(problem.path, line, column, problem.where, problem.message)  # noqa: PLW2901
        located.append(problem)
    return located


def load_report(text: str, path: str) -> Report:
    """Parse a saved ``json`` report back into a ``Report``; ``ConfigError`` says where it is bad.

    Fields derived from others (``id``, ``duration_s``, ``summary``) are recomputed, not
    trusted; unknown fields are ignored so a newer linkwatch's additions do not break reading.
    """
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigError([Problem(path, e.lineno, e.colno, "", f"not JSON: {e.msg}")]) from e
    except RecursionError as e:
        raise ConfigError([Problem(path, None, None, "", "not JSON: nested too deeply")]) from e
    if not isinstance(doc, dict):
        raise ConfigError([Problem(path, 1, 1, "", "not a linkwatch report: expected an object")])
    schema = doc.get("schema")
    if schema != SCHEMA:
        raise ConfigError(
            [Problem(path, None, None, "schema", f"expected {SCHEMA!r}, found {schema!r:.60}")]
        )
    r = _Reader(path)
    tool_version = r.text(doc, "tool_version", "")
    config_path = r.text(doc, "config_path", "")
    started = r.time(doc, "started", "")
    finished = r.time(doc, "finished", "")
    unavailable = r.field(
        doc,
        "network_unavailable",
        "",
        lambda v: isinstance(v, bool),
        "true or false",
        default=False,
    )
    shard = _read_shard(r, doc.get("shard"))
    domain_notes = r.texts(doc, "domain_notes", "")
    items = r.field(doc, "links", "", lambda v: isinstance(v, list), "a list")
    outcomes = [_read_outcome(r, item, f"links[{i}]") for i, item in enumerate(items or ())]
    if r.problems:
        raise ConfigError(_locate(r.problems, text))
    assert started is not None  # noqa: S101 - no problems means every required field was read
    assert finished is not None  # noqa: S101
    return Report(
        tool_version=tool_version,
        config_path=config_path,
        started=started,
        finished=finished,
        outcomes=tuple(o for o in outcomes if o is not None),
        network_unavailable=unavailable,
        shard=shard,
        domain_notes=domain_notes,
    )


def _read_shard(r: _Reader, value: object) -> tuple[int, int] | None:
    """``{"index": K, "count": N}`` → (K, N); absent or null (a whole run, or an older
    report) → None."""
    if value is None:
        return None
    if (
        isinstance(value, dict)
        and set(value) == {"index", "count"}
        and all(type(value[k]) is int for k in ("index", "count"))
        and 1 <= value["index"] <= value["count"]
    ):
        return value["index"], value["count"]
    r.fail("shard", 'expected null or {"index": K, "count": N} with 1 <= K <= N')
    return None
