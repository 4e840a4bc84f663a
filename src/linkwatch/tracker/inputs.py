"""Read a saved JSON report for ``sync``: the one seam to point at ``report.json.load_report``.

STAND-IN: the reports work ships ``linkwatch.report.json.load_report(text, path) -> Report``
with full validation. Until it is merged, ``parse_report`` below reads just the fields sync
needs from the same ``linkwatch.report/1`` document. When merging, replace the body of
``parse_report`` with ``return load_report(text, path)`` and delete the rest of this module.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from linkwatch.errors import ConfigError, Problem
from linkwatch.models import Link, Outcome, Report, Status

if TYPE_CHECKING:
    from pathlib import Path

SCHEMA: Final = "linkwatch.report/1"


def load_report(path: Path) -> Report:
    """Read and parse a JSON report file (raises ``ConfigError``)."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError([Problem(str(path), None, None, "", f"cannot read: {e}")]) from e
    return parse_report(text, str(path))


def _fail(path: str, where: str, message: str) -> ConfigError:
    return ConfigError([Problem(path, None, None, where, message)])


def parse_report(text: str, path: str) -> Report:
    """The report in ``text`` (minimal stand-in, see the module docstring)."""
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise _fail(path, "", f"not valid JSON: {e}") from e
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise _fail(path, "schema", f"expected a {SCHEMA} report")
    try:
        outcomes = tuple(_outcome(i, item) for i, item in enumerate(doc["links"]))
        return Report(
            tool_version=str(doc.get("tool_version", "")),
            config_path=str(doc.get("config_path", "")),
            started=datetime.fromisoformat(doc["started"]),
            finished=datetime.fromisoformat(doc["finished"]),
            outcomes=outcomes,
            network_unavailable=bool(doc.get("network_unavailable", False)),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise _fail(path, "links", f"not a usable report: {type(e).__name__}: {e}") from e


def _outcome(index: int, item: dict[str, Any]) -> Outcome:
    link = Link(
        index=int(item.get("index", index)),
        name=str(item["name"]),
        url=str(item["url"]),
        line=int(item.get("line", 0)),
        column=int(item.get("column", 0)),
        url_line=int(item.get("url_line", 0)),
        url_column=int(item.get("url_column", 0)),
        category=item.get("category"),
    )
    http_status = item.get("http_status")
    return Outcome(
        link=link,
        checked_url=str(item["checked_url"]),
        stripped_params=tuple(item.get("stripped_params", ())),
        status=Status(item["status"]),
        reason=str(item.get("reason", "")),
        action=str(item.get("action", "")),
        http_status=http_status if isinstance(http_status, int) else None,
        final_url=item.get("final_url"),
    )
