"""links.yaml → a validated ``Config``; every problem is reported with file, line and column.

The schema is declared once, as a tree of small field kinds (``TEXT``, ``URL``, ``Obj`` …).
Each kind both validates a YAML node and describes itself as JSON Schema, so the
committed ``schema/links.schema.json`` is generated from the very rules the loader applies.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from linkwatch import models, urls
from linkwatch.errors import ConfigError, Problem, UsageError
from linkwatch.listfile.kinds import (
    CONTROL,
    HEADER_NAME,
    INVALID,
    TEXT,
    Const,
    Ctx,
    Day,
    FieldSpec,
    HeaderValue,
    Invalid,
    ListOf,
    MapOf,
    Number,
    Obj,
    OneOrMany,
    SkipReason,
    StatusCodes,
    Text,
    check_header_name,
)
from linkwatch.listfile.yamlsrc import Node, parse, read_text

if TYPE_CHECKING:
    from collections.abc import Mapping

SCHEMA_VERSION: Final = 1
CONFIG_NAME: Final = "links.yaml"
SCHEMA_ID: Final = "https://linkwatch.invalid/schema/links.schema.json"


# ------------------------------------------------------------------------- value checks
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", re.IGNORECASE)
_BAD_URL_CHARS = frozenset('<>"\\^`{|}')
# One regex scan each instead of a Python loop over every character (a large list's load).
_WHITE_SPACE = re.compile(r"\s")  # in str patterns, \s is exactly str.isspace()


def check_url(url: str) -> str | None:
    """Why ``url`` is not an absolute http(s) URL with a host, or None when it is."""
    if _WHITE_SPACE.search(url):
        return "contains white space; encode spaces as %20"
    if CONTROL.search(url):
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
        return ""  # ASCII controls are CONTROL's; nothing else in ASCII is invisible
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
                Text(max_length=200, check=check_header_name, pattern=HEADER_NAME.pattern),
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
    ctx = Ctx(path, environ=environ)
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
    data = _salvage(root, ctx) if isinstance(parsed, Invalid) else parsed
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


def _salvage(root: Node, ctx: Ctx) -> dict[str, Any]:
    """Parse the parts of a broken file that parsed, without recording problems twice."""
    scratch = Ctx(ctx.path)
    out: dict[str, Any] = {}
    for key, value in root.pairs:
        spec = ROOT.fields.get(key.value) if key.kind == "scalar" else None
        if spec is not None:
            parsed = spec.kind.parse(value, scratch, key.value)
            if not isinstance(parsed, Invalid):
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
    ctx: Ctx,
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
