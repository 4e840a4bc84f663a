"""The field kinds links.yaml's schema is built from: each validates a YAML node and
describes itself as JSON Schema (``Text``, ``Number``, ``Obj``, ``MapOf``…).

``config`` declares schema v1 with them. A kind records a located ``Problem`` in the
``Ctx`` and carries on, so every problem of a file is reported in one run.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from linkwatch import models, urls
from linkwatch.errors import Problem

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from linkwatch.listfile.yamlsrc import Node

# ASCII control characters: never in a URL or a header value.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Invalid:
    """Marks a value that failed validation (its problem is already recorded)."""


INVALID: Final = Invalid()


@dataclass(slots=True)
class Ctx:
    path: str
    problems: list[Problem] = field(default_factory=list)
    # Where ${NAME} in header values is read from; None: left as written (validate reads it).
    environ: Mapping[str, str] | None = None

    def error(self, node: Node, where: str, message: str) -> Invalid:
        self.problems.append(Problem(self.path, node.line, node.column, where, message))
        return INVALID


def show(node: Node) -> str:
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

    def parse(self, node: Node, ctx: Ctx, where: str) -> Any:  # noqa: ANN401 - each kind has its own type
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

    def parse(self, node: Node, ctx: Ctx, where: str) -> str | Invalid:
        if node.kind != "scalar" or node.tag not in _TEXTUAL_TAGS:
            return ctx.error(node, where, f"expected text, got {node.type_name}")
        value = node.value
        if not value.strip():
            return ctx.error(node, where, "is empty; give a value or remove the key")
        if len(value) > self.max_length:
            return ctx.error(node, where, f"is longer than {self.max_length:,} characters")
        if self.check is not None and (message := self.check(value)) is not None:
            return ctx.error(node, where, f"{show(node)} {message}")
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

    def parse(self, node: Node, ctx: Ctx, where: str) -> tuple[Any, ...] | Invalid:
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

    def parse(self, node: Node, ctx: Ctx, where: str) -> float | int | Invalid:
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
            return ctx.error(node, where, f"expected {wanted}, got {show(node)}")
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

    def parse(self, node: Node, ctx: Ctx, where: str) -> int | Invalid:
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

    def parse(self, node: Node, ctx: Ctx, where: str) -> tuple[models.CodeRange, ...] | Invalid:
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
                    f"{show(item)} is not a status code; use codes 100-599 such as 200,"
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

    def parse(self, node: Node, ctx: Ctx, where: str) -> str | Invalid | None:
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

    def parse(self, node: Node, ctx: Ctx, where: str) -> date | Invalid:
        if node.kind != "scalar" or node.tag not in _TEXTUAL_TAGS:
            return ctx.error(node, where, f"expected a date, got {node.type_name}")
        value = node.value.strip()
        if _DATE_RE.fullmatch(value) is None:
            return ctx.error(node, where, f"{show(node)} is not a date; write it as 2019-03-18")
        try:
            return date.fromisoformat(value)
        except ValueError:
            return ctx.error(node, where, f"{show(node)} is not a day of the calendar")

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": f"^{_DATE_RE.pattern}$"}


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\$|\$")


@dataclass(frozen=True, slots=True)
class HeaderValue(Kind):
    """A request header's value; ``${NAME}`` is replaced by the environment variable NAME
    (``$$`` is a dollar sign), so that no secret is written in the file. The value found is
    never shown: messages name the variable only."""

    def parse(self, node: Node, ctx: Ctx, where: str) -> str | Invalid:
        template = TEXT.parse(node, ctx, where)
        if isinstance(template, Invalid):
            return template
        if CONTROL.search(template):
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
HEADER_NAME = re.compile(r"^[-!#$%&'*+.^_`|~0-9A-Za-z]+$")
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


def check_header_name(value: str) -> str | None:
    if not HEADER_NAME.match(value):
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

    def parse(self, node: Node, ctx: Ctx, where: str) -> dict[str, Any] | Invalid:
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

    def parse(self, node: Node, ctx: Ctx, where: str) -> list[tuple[Node, Any]] | Invalid:
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

    def parse(self, node: Node, ctx: Ctx, where: str) -> dict[str, Any] | Invalid:
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


TEXT: Final = Text()
