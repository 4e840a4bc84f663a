"""Pure URL functions: strip tracking parameters, canonical keys, stable ids.

The tracking list is data (``data/tracking.toml``), read once from the package. Stripping
works on the query string as text: it splits on ``&``, decides per segment from the
percent-decoded, lower-cased name, and joins the kept segments back *as they were written*,
so everything else in the URL stays byte for byte. ``;`` is not a separator (WHATWG URL and
Python's ``parse_qsl`` agree); see docs/design-urls.md for every exactness choice.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from linkwatch.models import TrackingSettings

DATA_FILE = "tracking.toml"
_NO_SETTINGS = TrackingSettings()


@dataclass(frozen=True, slots=True)
class TrackingParam:
    """One entry of the shipped list: a name or a prefix, where it applies, who lists it."""

    name: str  # lower-case; for a prefix, the prefix itself (``utm_``)
    prefix: bool = False
    hosts: tuple[str, ...] = ()  # empty: every host; else these hosts and their subdomains
    sources: tuple[str, ...] = ()  # keys of ``TrackingList.sources``


@dataclass(frozen=True, slots=True)
class TrackingList:
    """The shipped tracking list: its parameters, the names never stripped, and its sources."""

    params: tuple[TrackingParam, ...]
    never: frozenset[str]
    sources: tuple[tuple[str, str], ...]  # key -> description


@functools.cache
def shipped_list() -> TrackingList:
    """The tracking list shipped in the package, parsed once per process."""
    raw = resources.files("linkwatch").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return parse_list(tomllib.loads(raw))


def parse_list(data: dict[str, Any]) -> TrackingList:
    """Build a TrackingList from the TOML data; raises ValueError on a malformed entry."""
    sources = {str(k): str(v) for k, v in data.get("sources", {}).items()}
    params: list[TrackingParam] = []
    for i, entry in enumerate(data.get("param", [])):
        name, prefix = entry.get("name"), entry.get("prefix")
        if (name is None) == (prefix is None):
            raise ValueError(f"{DATA_FILE}: param {i} needs exactly one of `name` or `prefix`")
        listed = tuple(entry.get("sources", ()))
        if not listed or any(s not in sources for s in listed):
            raise ValueError(f"{DATA_FILE}: param {i} needs `sources` from [sources]")
        params.append(
            TrackingParam(
                name=str(name if name is not None else prefix).lower(),
                prefix=prefix is not None,
                hosts=tuple(str(h).lower() for h in entry.get("hosts", ())),
                sources=listed,
            )
        )
    never = frozenset(str(n).lower() for n in data.get("never", {}).get("names", ()))
    return TrackingList(tuple(params), never, tuple(sources.items()))


# ------------------------------------------------------------------------------ matching
@dataclass(frozen=True, slots=True)
class _Names:
    """A set of exact names and prefixes, all lower-case."""

    exact: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self.exact or name.startswith(self.prefixes))


def _names(patterns: tuple[str, ...]) -> _Names:
    """Config-style patterns (``gclid``, ``utm_*``) as a _Names."""
    lowered = [p.lower() for p in patterns]
    return _Names(
        frozenset(p for p in lowered if not p.endswith("*")),
        tuple(p[:-1] for p in lowered if p.endswith("*")),
    )


def in_scope(host: str, scope: str) -> bool:
    """Whether ``host`` is ``scope`` or one of its subdomains (``*.`` on scope is ignored)."""
    scope = scope.removeprefix("*.").lower()
    return host == scope or host.endswith("." + scope)


@dataclass(frozen=True, slots=True)
class _Rules:
    """Everything that decides whether one parameter goes, compiled for one settings value."""

    shipped: _Names  # shipped, every host
    shipped_scoped: tuple[tuple[tuple[str, ...], _Names], ...]  # (hosts, names)
    never: frozenset[str]
    added: _Names  # links.yaml: defaults.tracking.strip
    added_scoped: tuple[tuple[tuple[str, ...], _Names], ...]
    keep: _Names  # links.yaml: defaults.tracking.keep and the link's keep_params

    def strips(self, name: str, host: str) -> bool:
        """Whether a parameter with this lower-cased, decoded name is tracking on ``host``."""
        if name in self.keep:
            return False
        if name in self.added or any(
            name in names and any(in_scope(host, h) for h in hosts)
            for hosts, names in self.added_scoped
        ):
            return True
        # The never list guards against linkwatch's own list, not against the user's
        # explicit additions above: a links.yaml that says `strip: [ref]` means it.
        if name in self.never:
            return False
        return name in self.shipped or any(
            name in names and any(in_scope(host, h) for h in hosts)
            for hosts, names in self.shipped_scoped
        )


@functools.lru_cache(maxsize=256)
def _rules(settings: TrackingSettings, keep: tuple[str, ...]) -> _Rules:
    shipped = shipped_list()
    everywhere = [p for p in shipped.params if not p.hosts]
    return _Rules(
        shipped=_Names(
            frozenset(p.name for p in everywhere if not p.prefix),
            tuple(p.name for p in everywhere if p.prefix),
        ),
        shipped_scoped=tuple(
            (p.hosts, _Names(frozenset(), (p.name,)) if p.prefix else _Names(frozenset({p.name})))
            for p in shipped.params
            if p.hosts
        ),
        never=shipped.never,
        added=_names(settings.strip),
        added_scoped=tuple(((host,), _names(names)) for host, names in settings.hosts),
        keep=_names(settings.keep + keep),
    )


def host_of(url: str) -> str:
    """The URL's host, lower-cased, without a trailing dot; empty when it has none."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # e.g. an unclosed IPv6 bracket: no host to scope rules to
        return ""
    return host.rstrip(".")


def param_name(segment: str) -> str:
    """The decoded name of one ``name=value`` query segment (``+`` is a space, as in forms)."""
    return unquote_plus(segment.partition("=")[0])


# ----------------------------------------------------------------------------- stripping
def strip_tracking(
    url: str, settings: TrackingSettings | None = None, keep: tuple[str, ...] = ()
) -> tuple[str, tuple[str, ...]]:
    """Return the URL without tracking parameters, and the names removed (first seen first).

    ``settings`` are links.yaml's ``defaults.tracking``; ``keep`` is the link's
    ``keep_params``. A URL with nothing to strip is returned unchanged, the very same string.
    """
    hash_at = url.find("#")
    # The fragment starts at the first '#'; a '?' after it belongs to the fragment.
    head = url if hash_at < 0 else url[:hash_at]
    question = head.find("?")
    if question < 0 or question == len(head) - 1:
        return url, ()
    segments = head[question + 1 :].split("&")
    rules = _rules(settings or _NO_SETTINGS, keep)
    host = host_of(url)
    removed: dict[str, None] = {}  # an ordered set
    kept: list[str] = []
    for segment in segments:
        name = param_name(segment)
        if segment and rules.strips(name.lower(), host):
            removed.setdefault(name)
        elif segment:  # empty segments (`&&`, a trailing `&`) go once the URL is edited anyway
            kept.append(segment)
    if not removed:
        return url, ()
    query = "&".join(kept)
    # No dangling '?' when every parameter went.
    rebuilt = head[:question] + (f"?{query}" if query else "")
    return rebuilt + ("" if hash_at < 0 else url[hash_at:]), tuple(removed)


def dedupe_key(url: str, settings: TrackingSettings | None = None) -> str:
    """The form under which two entries count as the same link: no tracking, host lower-cased."""
    cleaned, _ = strip_tracking(url, settings)
    parts = urlsplit(cleaned)
    netloc = (parts.hostname or "").lower()
    if ":" in netloc:
        netloc = f"[{netloc}]"
    port = parts.port
    if port is not None and port != {"http": 80, "https": 443}.get(parts.scheme.lower()):
        netloc = f"{netloc}:{port}"
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, parts.fragment))


def stable_id(cleaned_url: str) -> str:
    """A short id for a link that survives renames and unrelated edits of the file."""
    return hashlib.sha256(dedupe_key(cleaned_url).encode()).hexdigest()[:12]


# scheme://userinfo@ : what a message must never show of a URL (a password, a token). The
# userinfo runs to the LAST "@" before the path ("user:p@ssw0rd@host" hides all of it).
_USERINFO = re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*://)([^/?#\s]*)@")
# One URL on its own (a links.yaml value): white space does not end its userinfo either.
_USERINFO_WHOLE = re.compile(r"(?i)^(\s*[a-z][a-z0-9+.-]*://)([^/?#]*)@")


def redact(text: str, *, whole: bool = False) -> str:
    """``text`` with the credentials of every URL in it hidden: ``https://***@host/``.

    Messages land in CI logs, which many people can read; a password in a URL must not.
    ``whole``: ``text`` is one URL (a value as written), so white space in its userinfo is
    hidden too (``https://user:my secret@host/``).
    """
    pattern = _USERINFO_WHOLE if whole else _USERINFO
    return pattern.sub(lambda m: f"{m.group(1)}***@", text)
