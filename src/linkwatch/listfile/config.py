"""links.yaml → a validated ``Config``; every problem is reported with file, line and column.

The schema is declared once, as a tree of small field kinds (``TEXT``, ``URL``, ``Obj`` …).
Each kind both validates a YAML node and describes itself as JSON Schema, so the
committed ``schema/links.schema.json`` is generated from the very rules the loader applies.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from linkwatch import models, urls
from linkwatch.errors import ConfigError, Problem, UsageError
from linkwatch.listfile.yamlsrc import Node, parse, read_text

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

SCHEMA_VERSION: Final = 1
CONFIG_NAME: Final = "links.yaml"
SCHEMA_ID: Final = "https://linkwatch.invalid/schema/links.schema.json"


class _Invalid:
    """Marks a value that failed validation (its problem is already recorded)."""


INVALID: Final = _Invalid()


@dataclass(slots=True)
class _Ctx:
    path: str
    problems: list[Problem] = field(default_factory=list)
    # Where ${NAME} in header values is read from; None: left as written (validate reads it).
    environ: Mapping[str, str] | None = None

    def error(self, node: Node, where: str, message: str) -> _Invalid:
        self.problems.append(Problem(self.path, node.line, node.column, where, message))
        return INVALID


def _show(node: Node) -> str:
    """A node's value as quoted in messages, shortened so one line stays readable."""
    if node.kind != "scalar":
        return node.type_name
    # A URL's credentials are never echoed: messages end up in CI logs.
    value = urls.redact(node.value, whole=True)
    text = value if len(value) <= 80 else value[:77] + "..."
    return repr(text)


# ---------------------------------------------------------------------------- field kinds
class Kind:
    """How one value is validated and described."""

    def parse(self, node: Node, ctx: _Ctx, where: str) -> Any:  # noqa: ANN401 - each kind has its own type
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError


_TEXTUAL_TAGS = frozenset(
    {
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:timestamp",
    }
)


@dataclass(frozen=True, slots=True)
class Text(Kind):
    """A non-empty line of text. Numbers and dates are taken as written (``name: 2019``)."""

    max_length: int = 10_000
    check: Callable[[str], str | None] | None = None  # returns an error message or None
    pattern: str | None = None  # for the JSON Schema only
    extra_schema: tuple[tuple[str, Any], ...] = ()

    def parse(self, node: Node, ctx: _Ctx, where: str) -> str | _Invalid:
        if node.kind != "scalar" or node.tag not in _TEXTUAL_TAGS:
            return ctx.error(node, where, f"expected text, got {node.type_name}")
        value = node.value
        if not value.strip():
            return ctx.error(node, where, "is empty; give a value or remove the key")
        if len(value) > self.max_length:
            return ctx.error(node, where, f"is longer than {self.max_length:,} characters")
        if self.check is not None and (message := self.check(value)) is not None:
            return ctx.error(node, where, f"{_show(node)} {message}")
        return value

    def schema(self) -> dict[str, Any]:
        # Free text takes numbers as written (`name: 2019`), as the loader does; values with
        # a format of their own (URLs, host names, parameter names) must be strings.
        kind: str | list[str] = "string" if self.check or self.pattern else ["string", "number"]
        out: dict[str, Any] = {"type": kind, "minLength": 1, "maxLength": self.max_length}
        if self.pattern:
            out["pattern"] = self.pattern
        out.update(self.extra_schema)
        return out


@dataclass(frozen=True, slots=True)
class OneOrMany(Kind):
    """A single value or a list of them; always parsed to a tuple."""

    item: Kind
    max_items: int = 1000

    def parse(self, node: Node, ctx: _Ctx, where: str) -> tuple[Any, ...] | _Invalid:
        if node.kind == "mapping":
            return ctx.error(node, where, f"expected a list, got {node.type_name}")
        if node.kind == "scalar":
            value = self.item.parse(node, ctx, where)
            return INVALID if value is INVALID else (value,)
        if len(node.items) > self.max_items:
            return ctx.error(node, where, f"has more than {self.max_items:,} items")
        values = [self.item.parse(n, ctx, f"{where}[{i}]") for i, n in enumerate(node.items)]
        if any(v is INVALID for v in values):
            return INVALID
        return tuple(values)

    def schema(self) -> dict[str, Any]:
        one = self.item.schema()
        return {"anyOf": [one, {"type": "array", "items": one, "maxItems": self.max_items}]}


@dataclass(frozen=True, slots=True)
class Number(Kind):
    """A number (int or float) within bounds; ``integer`` restricts it to whole numbers."""

    minimum: float
    maximum: float
    integer: bool = False
    exclusive_minimum: bool = False
    unit: str = ""

    def parse(self, node: Node, ctx: _Ctx, where: str) -> float | int | _Invalid:
        wanted = "a whole number" if self.integer else "a number"
        tags = {"tag:yaml.org,2002:int"}
        if not self.integer:
            tags.add("tag:yaml.org,2002:float")
        if node.kind != "scalar" or node.tag not in tags:
            return ctx.error(node, where, f"expected {wanted}, got {node.type_name}")
        try:
            text = node.value.replace("_", "").lower()
            # YAML spells infinity and NaN with a dot; both then fail the range check.
            text = text.replace(".inf", "inf").replace(".nan", "nan")
            value: float = int(text, 0) if self.integer else float(text)
        except ValueError:
            return ctx.error(node, where, f"expected {wanted}, got {_show(node)}")
        low_ok = value > self.minimum if self.exclusive_minimum else value >= self.minimum
        if not low_ok or value > self.maximum or value != value:  # noqa: PLR0124 - NaN check
            low = f"more than {self.minimum:g}" if self.exclusive_minimum else f"{self.minimum:g}"
            return ctx.error(
                node,
                where,
                f"{node.value} is out of range; use {low} to {self.maximum:g}{self.unit}",
            )
        return value

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer" if self.integer else "number"}
        out["exclusiveMinimum" if self.exclusive_minimum else "minimum"] = self.minimum
        out["maximum"] = self.maximum
        return out


@dataclass(frozen=True, slots=True)
class Const(Kind):
    """The schema version: exactly one accepted integer."""

    value: int

    def parse(self, node: Node, ctx: _Ctx, where: str) -> int | _Invalid:
        if node.kind == "scalar" and node.tag == "tag:yaml.org,2002:int":
            try:
                found = int(node.value, 0)
            except ValueError:
                found = None
            if found == self.value:
                return found
            return ctx.error(
                node,
                where,
                f"{node.value} is not a version this linkwatch reads; use `version: {self.value}`"
                " (or upgrade linkwatch)",
            )
        return ctx.error(node, where, f"expected `version: {self.value}`, got {node.type_name}")

    def schema(self) -> dict[str, Any]:
        return {"const": self.value}


_RANGE_RE = re.compile(r"^\s*([1-5][0-9][0-9])\s*(?:-\s*([1-5][0-9][0-9])\s*)?$")
_CLASS_RE = re.compile(r"^\s*([1-5])xx\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class StatusCodes(Kind):
    """Accepted HTTP status codes: 200, "200-299", "2xx", or a list of these."""

    def parse(self, node: Node, ctx: _Ctx, where: str) -> tuple[models.CodeRange, ...] | _Invalid:
        nodes = node.items if node.kind == "sequence" else [node]
        if node.kind == "mapping" or not nodes:
            return ctx.error(node, where, "expected status codes such as 200 or '200-299'")
        ranges: list[models.CodeRange] = []
        for i, item in enumerate(nodes):
            at = f"{where}[{i}]" if node.kind == "sequence" else where
            parsed = _code_range(item)
            if parsed is None:
                ctx.error(
                    item,
                    at,
                    f"{_show(item)} is not a status code; use codes 100-599 such as 200,"
                    " a range such as '200-299', or a class such as '2xx'",
                )
                continue
            ranges.append(parsed)
        return tuple(ranges) if len(ranges) == len(nodes) else INVALID

    def schema(self) -> dict[str, Any]:
        one = {
            "anyOf": [
                {"type": "integer", "minimum": 100, "maximum": 599},
                {"type": "string", "pattern": r"^\s*[1-5][0-9]{2}\s*(-\s*[1-5][0-9]{2}\s*)?$"},
                {"type": "string", "pattern": r"^\s*[1-5][xX][xX]\s*$"},
            ]
        }
        return {"anyOf": [one, {"type": "array", "items": one, "minItems": 1}]}


def _code_range(node: Node) -> models.CodeRange | None:
    if node.kind != "scalar" or node.tag not in {"tag:yaml.org,2002:int", "tag:yaml.org,2002:str"}:
        return None
    if match := _CLASS_RE.match(node.value):
        base = int(match.group(1)) * 100
        return models.CodeRange(base, base + 99)
    if match := _RANGE_RE.match(node.value):
        low = int(match.group(1))
        high = int(match.group(2) or low)
        return models.CodeRange(low, high) if low <= high else None
    return None


@dataclass(frozen=True, slots=True)
class SkipReason(Kind):
    """``skip: "why"`` skips a link; ``skip: false`` is the same as leaving it out."""

    def parse(self, node: Node, ctx: _Ctx, where: str) -> str | _Invalid | None:
        if node.kind == "scalar" and node.tag == "tag:yaml.org,2002:bool":
            if node.value.lower() in {"false", "no", "off"}:
                return None
            return ctx.error(
                node, where, "give the reason as text, e.g. skip: 'login wall, checked by hand'"
            )
        return TEXT.parse(node, ctx, where)

    def schema(self) -> dict[str, Any]:
        return {"anyOf": [TEXT.schema(), {"const": False}]}


_DATE_RE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Day(Kind):
    """A calendar date written ``YYYY-MM-DD`` (``reviewed: 2019-03-18``), quoted or not."""

    def parse(self, node: Node, ctx: _Ctx, where: str) -> date | _Invalid:
        if node.kind != "scalar" or node.tag not in _TEXTUAL_TAGS:
            return ctx.error(node, where, f"expected a date, got {node.type_name}")
        value = node.value.strip()
        if _DATE_RE.fullmatch(value) is None:
            return ctx.error(node, where, f"{_show(node)} is not a date; write it as 2019-03-18")
        try:
            return date.fromisoformat(value)
        except ValueError:
            return ctx.error(node, where, f"{_show(node)} is not a day of the calendar")

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": f"^{_DATE_RE.pattern}$"}


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\$|\$")


@dataclass(frozen=True, slots=True)
class HeaderValue(Kind):
    """A request header's value; ``${NAME}`` is replaced by the environment variable NAME
    (``$$`` is a dollar sign), so that no secret is written in the file. The value found is
    never shown: messages name the variable only."""

    def parse(self, node: Node, ctx: _Ctx, where: str) -> str | _Invalid:
        template = TEXT.parse(node, ctx, where)
        if isinstance(template, _Invalid):
            return template
        if _CONTROL.search(template):
            return ctx.error(node, where, "contains a control character")
        out: list[str] = []
        position = 0
        for found in _VARIABLE.finditer(template):
            out.append(template[position : found.start()])
            position = found.end()
            if found[0] == "$$":
                out.append("$")
            elif found[1] is None:
                return ctx.error(
                    node, where, "has a lone '$'; write ${NAME} for a variable, $$ for a '$'"
                )
            elif ctx.environ is not None:
                value = ctx.environ.get(found[1])
                if value is None:
                    return ctx.error(
                        node,
                        where,
                        f"the environment variable {found[1]} is not set; set it (a CI"
                        " secret, say) or remove the header",
                    )
                if _BAD_HEADER_CHARS.search(value):
                    return ctx.error(
                        node, where, f"the environment variable {found[1]} holds a line break"
                    )
                out.append(value)
            else:
                out.append(found[0])
        out.append(template[position:])
        return "".join(out)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": TEXT.max_length}


_BAD_HEADER_CHARS = re.compile(r"[\x00\r\n]")
_HEADER_NAME = re.compile(r"^[-!#$%&'*+.^_`|~0-9A-Za-z]+$")
# Headers linkwatch itself must control: framing, the connection, the proxy's, and what
# keeps bodies bounded (Accept-Encoding: identity). User-Agent has its own key.
_RESERVED_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "te",
        "trailer",
        "upgrade",
        "proxy-authorization",
        "proxy-connection",
        "accept-encoding",
    }
)


def _check_header_name(value: str) -> str | None:
    if not _HEADER_NAME.match(value):
        return "is not a header name"
    if value.lower() == "user-agent":
        return "is set with the host's `user_agent` key"
    if value.lower() in _RESERVED_HEADERS:
        return "is a header linkwatch sets itself"
    return None


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One key of a mapping."""

    kind: Kind
    description: str
    required: bool = False
    how_to_fix: str = ""  # appended to the "missing key" message


@dataclass(frozen=True, slots=True)
class Obj(Kind):
    """A mapping with known keys; unknown keys are errors with a suggestion."""

    fields: dict[str, FieldSpec]
    description: str = ""
    title: str = ""

    def parse(self, node: Node, ctx: _Ctx, where: str) -> dict[str, Any] | _Invalid:
        if node.kind != "mapping":
            return ctx.error(node, where, f"expected a mapping of keys, got {node.type_name}")
        values: dict[str, Any] = {}
        ok = True
        prefix = f"{where}." if where else ""
        for key, value in node.pairs:
            if key.kind != "scalar":
                ctx.error(key, where, f"keys must be plain names, not {key.type_name}")
                ok = False
                continue
            spec = self.fields.get(key.value)
            if spec is None:
                ctx.error(key, f"{prefix}{key.value}", self._unknown(key.value))
                ok = False
                continue
            parsed = spec.kind.parse(value, ctx, f"{prefix}{key.value}")
            if parsed is INVALID:
                ok = False
            else:
                values[key.value] = parsed
        for name, spec in self.fields.items():
            if spec.required and not any(k.value == name for k, _ in node.pairs):
                hint = f"; {spec.how_to_fix}" if spec.how_to_fix else ""
                ctx.error(node, where, f"missing required key '{name}'{hint}")
                ok = False
        return values if ok else INVALID

    def _unknown(self, name: str) -> str:
        if name == "<<":
            return "YAML merge keys ('<<') are not supported; write the keys out in full"
        close = difflib.get_close_matches(name, list(self.fields), n=1, cutoff=0.6)
        if close:
            return f"unknown key '{name}' \u2014 did you mean '{close[0]}'?"
        return f"unknown key '{name}'; known keys: {', '.join(self.fields)}"

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "object"}
        if self.title:
            out["title"] = self.title
        if self.description:
            out["description"] = self.description
        out["properties"] = {
            name: {"description": spec.description, **spec.kind.schema()}
            for name, spec in self.fields.items()
        }
        required = [name for name, spec in self.fields.items() if spec.required]
        if required:
            out["required"] = required
        out["additionalProperties"] = False
        return out


@dataclass(frozen=True, slots=True)
class ListOf(Kind):
    """A list of one kind of item (the ``links`` list)."""

    item: Kind
    max_items: int = 200_000

    def parse(self, node: Node, ctx: _Ctx, where: str) -> list[tuple[Node, Any]] | _Invalid:
        if node.kind != "sequence":
            return ctx.error(node, where, f"expected a list, got {node.type_name}")
        if len(node.items) > self.max_items:
            return ctx.error(node, where, f"has more than {self.max_items:,} items")
        return [(n, self.item.parse(n, ctx, f"{where}[{i}]")) for i, n in enumerate(node.items)]

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self.item.schema(), "maxItems": self.max_items}


@dataclass(frozen=True, slots=True)
class MapOf(Kind):
    """A mapping from free-form keys (checked by ``key``) to values of one kind."""

    key: Kind
    value: Kind

    def parse(self, node: Node, ctx: _Ctx, where: str) -> dict[str, Any] | _Invalid:
        if node.kind != "mapping":
            return ctx.error(node, where, f"expected a mapping, got {node.type_name}")
        out: dict[str, Any] = {}
        ok = True
        for key, value in node.pairs:
            name = self.key.parse(key, ctx, where)
            parsed = self.value.parse(value, ctx, f"{where}.{key.value or '?'}")
            if name is INVALID or parsed is INVALID:
                ok = False
            else:
                out[name] = parsed
        return out if ok else INVALID

    def schema(self) -> dict[str, Any]:
        key_schema = self.key.schema()
        return {
            "type": "object",
            "propertyNames": {k: v for k, v in key_schema.items() if k in {"pattern", "maxLength"}},
            "additionalProperties": self.value.schema(),
        }


# ------------------------------------------------------------------------- value checks
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", re.IGNORECASE)
_BAD_URL_CHARS = frozenset('<>"\\^`{|}')
# One regex scan each instead of a Python loop over every character (a large list's load).
_WHITE_SPACE = re.compile(r"\s")  # in str patterns, \s is exactly str.isspace()
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_url(url: str) -> str | None:
    """Why ``url`` is not an absolute http(s) URL with a host, or None when it is."""
    if _WHITE_SPACE.search(url):
        return "contains white space; encode spaces as %20"
    if _CONTROL.search(url):
        return "contains a control character"
    if hidden := _invisible(url):
        return (
            f"contains invisible or control characters ({hidden}); a reader would see another"
            " URL than the one checked: percent-encode them if they belong in it"
        )
    if bad := sorted(set(url) & _BAD_URL_CHARS):
        return f"contains {' '.join(bad)}, which a URL cannot hold unencoded"
    scheme, sep, _ = url.partition(":")
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        return "has no scheme; write it in full, e.g. https://example.org/"
    if scheme.lower() not in {"http", "https"}:
        return "is not an http(s) URL"
    if not url[len(scheme) + 1 :].startswith("//"):
        return "is not an absolute URL; write it as https://host/path"
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed '[' of an IPv6 address
        return "has an invalid IPv6 address"
    if parts.username is not None or parts.password is not None:
        return "contains a user name or password; remove the credentials from the URL"
    try:
        parts.port  # noqa: B018 - evaluated for its ValueError
    except ValueError:
        return "has an invalid port; use a number from 1 to 65535"
    if parts.port == 0:
        return "has an invalid port; use a number from 1 to 65535"
    host = parts.hostname or ""
    if not host:
        return "has no host"
    return _check_host(host, bracketed=parts.netloc.rsplit("@", 1)[-1].startswith("["))


# Beyond ASCII: C1 controls, format characters (bidi overrides such as U+202E, zero-width
# spaces, soft hyphens) and lone surrogates make a URL read differently from what it is.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


def _invisible(url: str) -> str:
    """The invisible or control characters of a non-ASCII URL as ``U+XXXX, ...`` ("" if none)."""
    if url.isascii():
        return ""  # ASCII controls are _CONTROL's; nothing else in ASCII is invisible
    found = sorted(
        {ord(c) for c in url if unicodedata.category(c) in _INVISIBLE_CATEGORIES and ord(c) > 0x7F}
    )
    return ", ".join(f"U+{code:04X}" for code in found)


def _check_host(host: str, *, bracketed: bool) -> str | None:
    if bracketed:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"has an invalid IPv6 address '{host}'"
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return f"has an invalid host name '{host}'"
    ascii_host = ascii_host.removesuffix(".")
    if all(
        re.fullmatch(r"(0x[0-9a-f]*|[0-9]+)", label, re.IGNORECASE)
        for label in ascii_host.split(".")
    ):
        # All-numeric: only a plain dotted-quad IPv4 address is unambiguous (0177.0.0.1 is
        # octal to some clients and decimal to others).
        try:
            ipaddress.IPv4Address(ascii_host)
        except ValueError:
            return f"has an invalid IPv4 address '{host}'; write it as four numbers, e.g. 192.0.2.1"
        return None
    if len(ascii_host) > 253:
        return "has a host name longer than 253 characters"
    if not all(_HOST_LABEL.match(label) for label in ascii_host.split(".")):
        return f"has an invalid host name '{host}'"
    return None


def _check_allowed_redirect(value: str) -> str | None:
    if "://" in value:
        return check_url(value)
    host = value.removeprefix("*.")
    if "/" in host or "*" in host:
        return "is neither a host name (example.org, *.example.org) nor a URL prefix"
    return _check_host(host, bracketed=False)


def _check_param_name(value: str) -> str | None:
    if "*" in value.rstrip("*") or value.count("*") > 1 or value == "*":
        return "may only end in one '*' (a prefix such as utm_*), and must name something"
    if any(ch in value for ch in "&=#?") or any(ch.isspace() for ch in value):
        return "is not a query parameter name"
    return None


def check_pattern(value: str) -> str | None:
    """Why ``value`` is not a usable regular expression (``exclude``), or None."""
    try:
        re.compile(value)
    except re.error as e:
        return f"is not a regular expression ({e})"
    return None


def _check_host_key(value: str) -> str | None:
    return _check_host(value.removeprefix("*."), bracketed=False)


# ------------------------------------------------------------------------------- schema
TEXT: Final = Text()
URL: Final = Text(
    max_length=8192,
    check=check_url,
    pattern="^[Hh][Tt][Tt][Pp][Ss]?://[^\\s]+$",
    extra_schema=(("format", "uri"),),
)
PARAM_NAMES: Final = OneOrMany(Text(max_length=200, check=_check_param_name))

TRACKING: Final = Obj(
    {
        "strip": FieldSpec(
            PARAM_NAMES,
            "Extra query parameters to strip from every URL; a trailing * makes a prefix.",
        ),
        "keep": FieldSpec(
            PARAM_NAMES, "Parameters never to strip, even if linkwatch's list names them."
        ),
        "hosts": FieldSpec(
            MapOf(Text(max_length=253, check=_check_host_key), PARAM_NAMES),
            "Extra parameters to strip only on a host (and its subdomains): host -> names.",
        ),
    },
    description="Tracking-parameter rules added to the list linkwatch ships.",
)

DEFAULTS: Final = Obj(
    {
        "timeout": FieldSpec(
            Number(0, 600, exclusive_minimum=True, unit=" seconds"),
            "Overall deadline for checking one link, in seconds (default 30).",
        ),
        "accept": FieldSpec(
            StatusCodes(), "Status codes that count as healthy (default '200-299')."
        ),
        "user_agent": FieldSpec(Text(max_length=500), "The User-Agent header sent."),
        "concurrency": FieldSpec(
            Number(1, 4096, integer=True), "Links checked at once, in all (default 64)."
        ),
        "per_host_concurrency": FieldSpec(
            Number(1, 256, integer=True), "Requests at once to any one host (default 4)."
        ),
        "tracking": FieldSpec(TRACKING, TRACKING.description),
        "review_every_days": FieldSpec(
            Number(1, 36_500, integer=True),
            "Days after a link's `reviewed:` date it is due for a person to look at again"
            " (flag review_due; default: no reminders).",
        ),
        "domain_expiring_days": FieldSpec(
            Number(0, 3650, integer=True),
            "Flag a link whose domain's registration ends within this many days (default 30).",
        ),
    },
    description="Settings for every link; a link's own keys override them.",
)

HOST: Final = Obj(
    {
        "headers": FieldSpec(
            MapOf(
                Text(max_length=200, check=_check_header_name, pattern=_HEADER_NAME.pattern),
                HeaderValue(),
            ),
            "Request headers sent to this host only (never after a redirect to another host):"
            " name -> value; ${NAME} in a value is the environment variable NAME, so no"
            " secret is written here.",
        ),
        "accept": FieldSpec(
            StatusCodes(), "Status codes that count as healthy on this host (a link's own win)."
        ),
        "concurrency": FieldSpec(
            Number(1, 256, integer=True),
            "Links checked at once on this host (replaces --per-host; 1 with an interval).",
        ),
        "interval": FieldSpec(
            Number(0, 3600, unit=" seconds"),
            "Seconds at least between two requests to this host (retries and redirects too).",
        ),
        "user_agent": FieldSpec(Text(max_length=500), "The User-Agent header sent to this host."),
    },
    description="Settings for one host; *.example.org for its subdomains.",
)

LINK: Final = Obj(
    {
        "name": FieldSpec(TEXT, "What the link is, as a reader would call it.", required=True),
        "url": FieldSpec(
            URL,
            "The absolute http(s) URL, exactly as published.",
            required=True,
            how_to_fix="add `url: https://...`",
        ),
        "category": FieldSpec(TEXT, "A grouping for reports, e.g. 'helpline'."),
        "tags": FieldSpec(OneOrMany(Text(max_length=100)), "Free-form labels."),
        "owner": FieldSpec(TEXT, "Who looks after this entry."),
        "notes": FieldSpec(TEXT, "Anything a maintainer should know."),
        "source": FieldSpec(TEXT, "Where the link came from, e.g. a press release and its date."),
        "accept": FieldSpec(StatusCodes(), "Status codes that count as healthy for this link."),
        "expect_text": FieldSpec(
            Text(max_length=1000), "Text the page must contain (checked in the first 256 KB)."
        ),
        "allow_redirect_to": FieldSpec(
            OneOrMany(Text(max_length=2048, check=_check_allowed_redirect)),
            "Hosts (example.org, *.example.org) or URL prefixes a redirect may end on.",
        ),
        "timeout": FieldSpec(
            Number(0, 600, exclusive_minimum=True, unit=" seconds"),
            "Overall deadline for this link, in seconds.",
        ),
        "skip": FieldSpec(SkipReason(), "Do not check this link; the value says why."),
        "keep_params": FieldSpec(
            PARAM_NAMES, "Query parameters to keep on this link even if they look like tracking."
        ),
        "reviewed": FieldSpec(
            Day(),
            "When a person last vetted the link (YYYY-MM-DD): a domain registered or"
            " transferred after it is flagged, and review reminders count from it.",
        ),
    },
    description="One curated link.",
)

ROOT: Final = Obj(
    {
        "version": FieldSpec(
            Const(SCHEMA_VERSION),
            "Schema version of this file; always 1.",
            required=True,
            how_to_fix="add `version: 1` as the first line",
        ),
        "defaults": FieldSpec(DEFAULTS, DEFAULTS.description),
        "hosts": FieldSpec(
            MapOf(Text(max_length=253, check=_check_host_key), HOST),
            "Per-host settings (headers, accepted codes, concurrency, interval, user agent):"
            " example.org for that host only, *.example.org for its subdomains.",
        ),
        "exclude": FieldSpec(
            OneOrMany(Text(max_length=2000, check=check_pattern)),
            "Links not to check: regular expressions (Python syntax) searched in each URL"
            " as written; a matching link is reported as skipped, with the pattern.",
        ),
        "links": FieldSpec(
            ListOf(LINK),
            "The curated links.",
            required=True,
            how_to_fix="add `links:` followed by a list of entries",
        ),
    },
    title="linkwatch links.yaml",
    description="A curated list of links checked by linkwatch.",
)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of links.yaml, generated from the same rules the loader applies."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **ROOT.schema(),
    }


# ------------------------------------------------------------------------------ loading
def embedded_path() -> Path:
    """The links.yaml shipped inside the package (the repository's links.yaml)."""
    return Path(str(resources.files("linkwatch").joinpath("data", CONFIG_NAME)))


def resolve_path(explicit: Path | None, cwd: Path) -> tuple[Path, bool]:
    """Which links.yaml to use: the one given, else ./links.yaml, else the embedded one.

    Returns the path and whether it is the embedded default.
    """
    if explicit is not None:
        return explicit, False
    local = cwd / CONFIG_NAME
    if local.exists():
        return local, False
    return embedded_path(), True


def load_list(
    explicit: Path | None = None,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> models.Config:
    """The list to use, validated: ``explicit``, else ./links.yaml in ``cwd``, else the bundled one.

    ``environ``: where header values' ${NAME} are read (an unset one is a problem); None
    leaves them as written. Raises ConfigError listing every problem, each located.
    """
    resolved, embedded = resolve_path(explicit, cwd or Path.cwd())
    shown = str(explicit) if explicit is not None else (CONFIG_NAME if not embedded else None)
    return load(resolved, shown=shown, embedded=embedded, environ=environ)


def editable_path(explicit: Path | None, cwd: Path) -> tuple[Path, str]:
    """The links.yaml a command may rewrite, and its name as shown; never the bundled list.

    Raises UsageError when there is no ./links.yaml and no path was given.
    """
    resolved, embedded = resolve_path(explicit, cwd)
    if embedded:
        raise UsageError(
            f"no links.yaml here, and the list bundled with linkwatch ({resolved}) is not"
            " yours to rewrite; give the PATH of your own links.yaml"
        )
    return resolved, str(explicit or CONFIG_NAME)


def load(
    path: Path,
    *,
    shown: str | None = None,
    embedded: bool = False,
    environ: Mapping[str, str] | None = None,
) -> models.Config:
    """Read and validate a links.yaml file; raises ConfigError listing every problem."""
    name = shown or str(path)
    return loads(read_text(path, name), name, embedded=embedded, environ=environ)


def loads(
    text: str,
    path: str = CONFIG_NAME,
    *,
    embedded: bool = False,
    environ: Mapping[str, str] | None = None,
) -> models.Config:
    """Validate links.yaml text; ``path`` is only used in messages; ``environ`` as in
    ``load_list``."""
    root = parse(text, path)
    if root is None or (root.kind == "scalar" and root.tag.endswith(":null") and not root.value):
        raise ConfigError(
            [Problem(path, None, None, "", "is empty; start with `version: 1` and `links:`")]
        )
    ctx = _Ctx(path, environ=environ)
    if root.kind != "mapping":
        ctx.error(
            root,
            "",
            f"the top level must be a mapping with `version` and `links`, not {root.type_name}",
        )
        raise ConfigError(ctx.problems)
    parsed = ROOT.parse(root, ctx, "")
    # When the top level is wrong, still validate what could be read, so every problem
    # is reported at once.
    data = _salvage(root, ctx) if isinstance(parsed, _Invalid) else parsed
    defaults = _defaults(data.get("defaults") or {})
    hosts = _hosts(data.get("hosts") or {})
    links = _links(data.get("links") or [], defaults, ctx, hosts)
    if ctx.problems:
        raise ConfigError(sorted(ctx.problems, key=lambda p: (p.line or 0, p.column or 0)))
    return models.Config(
        path=path,
        version=SCHEMA_VERSION,
        defaults=defaults,
        links=tuple(links),
        embedded=embedded,
        exclude=tuple(models.Exclusion(pattern, path) for pattern in data.get("exclude", ())),
        hosts=hosts,
    )


def _hosts(data: dict[str, dict[str, Any]]) -> tuple[models.HostSettings, ...]:
    return tuple(
        models.HostSettings(
            pattern=("*." if pattern.startswith("*.") else "")
            + models.host_key(pattern.removeprefix("*.")),
            headers=tuple(entry.get("headers", {}).items()),
            accept=entry.get("accept"),
            concurrency=entry.get("concurrency"),
            interval=float(entry.get("interval", 0.0)),
            user_agent=entry.get("user_agent"),
        )
        for pattern, entry in data.items()
    )


def _salvage(root: Node, ctx: _Ctx) -> dict[str, Any]:
    """Parse the parts of a broken file that parsed, without recording problems twice."""
    scratch = _Ctx(ctx.path)
    out: dict[str, Any] = {}
    for key, value in root.pairs:
        spec = ROOT.fields.get(key.value) if key.kind == "scalar" else None
        if spec is not None:
            parsed = spec.kind.parse(value, scratch, key.value)
            if not isinstance(parsed, _Invalid):
                out[key.value] = parsed
    return out


def _defaults(data: dict[str, Any]) -> models.Defaults:
    tracking: dict[str, Any] = data.get("tracking") or {}
    settings = models.TrackingSettings(
        strip=tuple(tracking.get("strip", ())),
        keep=tuple(tracking.get("keep", ())),
        hosts=tuple(
            (host.lower(), tuple(names)) for host, names in tracking.get("hosts", {}).items()
        ),
    )
    base = models.Defaults()
    return models.Defaults(
        timeout=float(data.get("timeout", base.timeout)),
        accept=data.get("accept", base.accept),
        user_agent=data.get("user_agent", base.user_agent),
        concurrency=int(data.get("concurrency", base.concurrency)),
        per_host_concurrency=int(data.get("per_host_concurrency", base.per_host_concurrency)),
        tracking=settings,
        review_every_days=data.get("review_every_days"),
        domain_expiring_days=int(data.get("domain_expiring_days", base.domain_expiring_days)),
    )


def _links(
    entries: list[tuple[Node, Any]],
    defaults: models.Defaults,
    ctx: _Ctx,
    hosts: tuple[models.HostSettings, ...] = (),
) -> list[models.Link]:
    links: list[models.Link] = []
    seen: dict[str, tuple[int, int]] = {}  # dedupe key -> (index, line)
    for index, (node, data) in enumerate(entries):
        if data is INVALID or not isinstance(data, dict):
            continue
        url_node = next(v for k, v in node.pairs if k.kind == "scalar" and k.value == "url")
        url: str = data["url"]
        key = urls.dedupe_key(url, defaults.tracking)
        if key in seen:
            first, line = seen[key]
            ctx.error(
                url_node,
                f"links[{index}].url",
                f"the same link as links[{first}] (line {line}) once tracking parameters are"
                " removed and the host lower-cased; remove one of them",
            )
            continue
        seen[key] = (index, url_node.line)
        host = models.host_settings(hosts, urlsplit(url).hostname or "") if hosts else None
        accept = host.accept if host is not None and host.accept is not None else defaults.accept
        policy = models.Policy(
            accept=data.get("accept", accept),
            timeout=float(data.get("timeout", defaults.timeout)),
            expect_text=data.get("expect_text"),
            allow_redirect_to=data.get("allow_redirect_to", ()),
            skip=data.get("skip"),
        )
        links.append(
            models.Link(
                index=index,
                name=data["name"],
                url=url,
                line=node.line,
                column=node.column,
                url_line=url_node.line,
                url_column=url_node.column,
                category=data.get("category"),
                tags=data.get("tags", ()),
                owner=data.get("owner"),
                notes=data.get("notes"),
                source=data.get("source"),
                keep_params=data.get("keep_params", ()),
                policy=policy,
                reviewed=data.get("reviewed"),
            )
        )
    return links
