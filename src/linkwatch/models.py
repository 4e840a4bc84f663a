"""Plain frozen values that flow through linkwatch: links in, outcomes out. No I/O here."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from linkwatch._version import __version__

if TYPE_CHECKING:
    from datetime import date, datetime

DEFAULT_TIMEOUT = 30.0
DEFAULT_CONCURRENCY = 64
DEFAULT_PER_HOST_CONCURRENCY = 4
DEFAULT_USER_AGENT = f"linkwatch/{__version__} (link checker for curated lists)"
# A domain whose registration ends within this many days is flagged (domain_expiring).
DEFAULT_DOMAIN_EXPIRING_DAYS = 30


@dataclass(frozen=True, slots=True)
class CodeRange:
    """An inclusive range of HTTP status codes, e.g. 200-299; a single code has low == high."""

    low: int
    high: int

    def __contains__(self, code: object) -> bool:
        return isinstance(code, int) and self.low <= code <= self.high

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"


DEFAULT_ACCEPT: tuple[CodeRange, ...] = (CodeRange(200, 299),)


@dataclass(frozen=True, slots=True)
class TrackingSettings:
    """What links.yaml adds to, or exempts from, the shipped list of tracking parameters.

    Names ending in ``*`` are prefixes. ``hosts`` maps a host (which also covers its
    subdomains) to extra names stripped only there.
    """

    strip: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    hosts: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class Defaults:
    """Run-wide settings from the ``defaults`` block, with linkwatch's own defaults filled in."""

    timeout: float = DEFAULT_TIMEOUT
    accept: tuple[CodeRange, ...] = DEFAULT_ACCEPT
    user_agent: str = DEFAULT_USER_AGENT
    concurrency: int = DEFAULT_CONCURRENCY
    per_host_concurrency: int = DEFAULT_PER_HOST_CONCURRENCY
    tracking: TrackingSettings = field(default_factory=TrackingSettings)
    # Days after its `reviewed:` date a link is due for a person to look at again (None: never).
    review_every_days: int | None = None
    domain_expiring_days: int = DEFAULT_DOMAIN_EXPIRING_DAYS


@dataclass(frozen=True, slots=True)
class Policy:
    """How one link is judged, already merged with the defaults."""

    accept: tuple[CodeRange, ...] = DEFAULT_ACCEPT
    timeout: float = DEFAULT_TIMEOUT
    expect_text: str | None = None
    # Hosts (``example.org``, ``*.example.org``) or URL prefixes a redirect may end on
    # without being flagged as leaving the site.
    allow_redirect_to: tuple[str, ...] = ()
    skip: str | None = None  # the reason, when the link is not to be checked

    def accepts(self, code: int) -> bool:
        """Whether an HTTP status code counts as healthy for this link."""
        return any(code in r for r in self.accept)


@dataclass(frozen=True, slots=True)
class Link:
    """One entry of links.yaml, exactly as written, with where it stands in the file."""

    index: int  # position in the ``links`` list, 0-based
    name: str
    url: str  # as written in the file, tracking parameters and all
    line: int  # 1-based line of the entry
    column: int  # 1-based column of the entry
    url_line: int  # 1-based line of the url value
    url_column: int
    category: str | None = None
    tags: tuple[str, ...] = ()
    owner: str | None = None
    notes: str | None = None
    source: str | None = None
    keep_params: tuple[str, ...] = ()  # tracking parameters this link must keep
    policy: Policy = field(default_factory=Policy)
    reviewed: date | None = None  # when a person last vetted the link (`reviewed:`)


@dataclass(frozen=True, slots=True, repr=False)
class HostSettings:
    """links.yaml's settings for one host (``example.org``) or its subdomains (``*.example.org``).

    Header values may hold secrets (taken from the environment): they are never shown, not
    even in a repr.
    """

    pattern: str  # lower case; "*." first for the subdomains
    headers: tuple[tuple[str, str], ...] = ()  # resolved values once the environment is read
    accept: tuple[CodeRange, ...] | None = None  # None: the defaults'
    concurrency: int | None = None  # None: the run's --per-host or per_host_concurrency
    interval: float = 0.0  # seconds at least between two requests to the host
    user_agent: str | None = None

    def __repr__(self) -> str:
        names = ", ".join(name for name, _ in self.headers)
        return f"HostSettings({self.pattern!r}, headers=[{names}] (values hidden))"

    def covers(self, host: str) -> bool:
        """Whether ``host`` (``host_key``'s form) is this entry's."""
        if self.pattern.startswith("*."):
            return host.endswith(self.pattern[1:])
        return host == self.pattern


def host_key(host: str) -> str:
    """A host name as ``hosts:`` compares it: lower case, no trailing dot, A-labels decoded
    (``xn--strae-oqa`` is ``straße``, as a redirect's URL spells what links.yaml wrote).
    Punycode only, no IDNA 2003 mapping: Python's idna codec would make ß "ss", another name."""
    labels = host.rstrip(".").lower().split(".")
    for i, label in enumerate(labels):
        if label.startswith("xn--"):
            with contextlib.suppress(UnicodeError):  # not punycode: compared as written
                labels[i] = label[4:].encode("ascii").decode("punycode")
    return ".".join(labels)


def host_settings(hosts: tuple[HostSettings, ...], host: str) -> HostSettings | None:
    """The entry for ``host``: its own name first, else the longest ``*.`` pattern covering it."""
    name = host_key(host)
    found = [entry for entry in hosts if entry.covers(name)]
    return max(found, key=lambda e: (not e.pattern.startswith("*."), len(e.pattern)), default=None)


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A pattern of links not to check: a regular expression searched in the link's URL."""

    pattern: str
    source: str  # where it was given, as the report says it: "links.yaml" or "--exclude"


@dataclass(frozen=True, slots=True)
class Config:
    """A validated links.yaml."""

    path: str  # as shown to the user
    version: int
    defaults: Defaults
    links: tuple[Link, ...]
    embedded: bool = False  # True when this is the list shipped inside the package
    exclude: tuple[Exclusion, ...] = ()  # the file's `exclude` patterns
    hosts: tuple[HostSettings, ...] = ()  # the file's `hosts` entries


class Status(StrEnum):
    """The verdict on one link. Order matters: worst first, for reports."""

    BROKEN = "broken"
    ERROR = "error"
    BLOCKED = "blocked"
    REDIRECTED = "redirected"
    SKIPPED = "skipped"
    OK = "ok"


class Flag(StrEnum):
    """Something worth a maintainer's eye, on any status."""

    TRACKING_PARAMS = "tracking_params"
    CROSS_SITE_REDIRECT = "cross_site_redirect"
    HTTPS_DOWNGRADE = "https_downgrade"
    EXPECT_TEXT_MISSING = "expect_text_missing"
    PARKED_DOMAIN = "parked_domain"
    # A deep link whose redirects end at the site's home page, or a search or "not found"
    # page: how many sites answer for a page they deleted.
    MOVED_TO_HOME = "moved_to_home"
    # A page that answers 200 but whose title or main heading says it is not there.
    SOFT_404 = "soft_404"
    TLS_EXPIRING = "tls_expiring"
    SLOW = "slow"
    # The link answered only after a retry (a 5xx, a reset): a site that keeps stumbling.
    FLAKY = "flaky"
    # The link's registrable domain, as its registry's RDAP server tells it (domain watch):
    # not registered (or expired) and without DNS, so anyone can buy it;
    DOMAIN_UNREGISTERED = "domain_unregistered"
    # registered or transferred after the link was vetted (`reviewed:`, else first seen);
    DOMAIN_CHANGED_HANDS = "domain_changed_hands"
    # its registration ends soon.
    DOMAIN_EXPIRING = "domain_expiring"
    # The list's review interval has passed since the link's `reviewed:` date.
    REVIEW_DUE = "review_due"
    # Not requested this run: it was ok within `check --reuse-ok AGE` (the reason says when).
    CACHED = "cached"


@dataclass(frozen=True, slots=True)
class Hop:
    """One request in a redirect chain: the URL asked for and the status it answered."""

    url: str
    status_code: int | None  # None when the request itself failed


class Failure(StrEnum):
    """Why a probe ended without a usable final response (what went wrong, not the verdict)."""

    DNS_NOT_FOUND = "dns_not_found"  # the name does not exist
    DNS_FAILED = "dns_failed"  # the lookup itself failed (no resolver, temporary failure)
    REFUSED = "refused"  # nothing listens on that port
    UNREACHABLE = "unreachable"  # no route, host down, other connect failure
    CONNECT_TIMEOUT = "connect_timeout"
    TIMEOUT = "timeout"  # the link's overall deadline passed
    RESET = "reset"  # the connection was dropped mid-exchange
    TLS = "tls"  # handshake or certificate failure
    PROTOCOL = "protocol"  # the answer was not valid HTTP
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    BAD_REDIRECT = "bad_redirect"  # a Location that is not an http(s) URL
    PRIVATE_ADDRESS = "private_address"  # refused by the private-address guard
    INVALID_URL = "invalid_url"
    PROXY = "proxy"  # the proxy could not be reached, or would not carry the request


# Failures that happen before any server answers: when every link ends in one of these,
# the machine may be offline rather than the list being dead. A refused connection is not
# among them: the refusal came back from the host, so the network works.
NETWORK_FAILURES: frozenset[Failure] = frozenset(
    {
        Failure.DNS_NOT_FOUND,
        Failure.DNS_FAILED,
        Failure.UNREACHABLE,
        Failure.CONNECT_TIMEOUT,
        # Through a proxy, the proxy is the way out: when it fails for every link, it is
        # the network (or its settings), not the list.
        Failure.PROXY,
    }
)


@dataclass(frozen=True, slots=True)
class Observation:
    """What one probe saw on the wire, before any judgement. Short-lived: never stored."""

    url: str  # the URL requested first (the cleaned link)
    hops: tuple[Hop, ...] = ()  # every URL requested, in order; the last is the final one
    failure: Failure | None = None  # None when a final response arrived
    detail: str = ""  # the low-level cause, e.g. "certificate has expired"
    status_code: int | None = None  # of the final response
    final_url: str | None = None
    method: str = "HEAD"  # of the final request
    # A few headers of the final response, lower-cased names (server, content-type, ...).
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None  # the first bytes of the page, decoded, only when read
    body_truncated: bool = False
    attempts: int = 0  # requests made, retries and HEAD/GET fallbacks included
    # Requests repeated because the answer was a transient failure (5xx, reset, timeout);
    # a HEAD refused and asked again as GET is not one.
    retries: int = 0
    elapsed_ms: int = 0
    tls_expires: datetime | None = None  # the soonest certificate expiry along the chain
    retry_after_s: float | None = None  # what the server last asked us to wait

    def header(self, name: str) -> str | None:
        """The value of a recorded header of the final response, or None."""
        return next((v for k, v in self.headers if k == name), None)


class DomainState(StrEnum):
    """What a registry's RDAP server said of a registrable domain."""

    REGISTERED = "registered"  # a record came back
    NOT_FOUND = "not_found"  # 404: the registry holds no such domain
    UNKNOWN = "unknown"  # no answer we can use (no RDAP server, an outage, a bad body)


@dataclass(frozen=True, slots=True)
class DomainRecord:
    """One registrable domain's registration data (RDAP events), as looked up or cached."""

    domain: str  # the registrable domain, e.g. nspcc.org.uk
    state: DomainState
    looked_up: datetime
    registered: datetime | None = None  # RDAP event "registration"
    expires: datetime | None = None  # "expiration"
    last_changed: datetime | None = None  # "last changed"
    transferred: datetime | None = None  # "transfer" (or "reregistration")
    statuses: tuple[str, ...] = ()  # RDAP status values, e.g. "redemption period"
    # NOT_FOUND only: whether the name still has DNS (a 404 with DNS is not called unregistered).
    dns: bool | None = None
    detail: str = ""  # UNKNOWN: why (a line for the report's notes)


@dataclass(frozen=True, slots=True)
class DomainInfo:
    """The registration data of a link's registrable domain, as the report shows it."""

    domain: str
    state: DomainState
    registered: datetime | None = None
    expires: datetime | None = None
    transferred: datetime | None = None


@dataclass(frozen=True, slots=True)
class Note:
    """A finding beside the page's own verdict: the domain watch's, or a review reminder.

    Each flag the domain watch or the review reminder sets comes with the note that says why
    (``text``) and what to do (``action``); notes without a flag only inform.
    """

    topic: str  # "domain" or "review"
    text: str  # one line a maintainer understands
    action: str = ""  # what to do; "" when nothing
    flag: Flag | None = None


@dataclass(frozen=True, slots=True)
class HistoryNote:
    """What the run history (``check --state``) says of a link."""

    kind: str  # pending, new, persisting, recovering or recovered
    label: str  # e.g. "persisting (since 2026-11-20, 3 runs)"
    counts: bool  # a problem once --fail-after and --recover-after are applied
    since: datetime | None = None  # when the failure episode began
    runs: int = 0  # failing runs in a row (recovering: passing runs in a row)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What linkwatch concluded about one link, and why."""

    link: Link
    checked_url: str  # the URL requested: the link's URL without tracking parameters
    stripped_params: tuple[str, ...]
    status: Status
    reason: str  # one line a maintainer understands
    action: str  # what to do about it
    flags: tuple[Flag, ...] = ()
    http_status: int | None = None  # of the last response
    final_url: str | None = None
    redirects: tuple[Hop, ...] = ()  # every hop, starting with checked_url
    attempts: int = 0
    elapsed_ms: int = 0
    tls_expires: datetime | None = None
    title: str | None = None
    history: HistoryNote | None = None  # only with `check --state`
    # The Internet Archive's closest snapshot of a broken link (check --suggest-archive).
    archive_url: str | None = None
    archive_timestamp: datetime | None = None
    domain: DomainInfo | None = None  # the link's domain's registration data (domain watch)
    notes: tuple[Note, ...] = ()  # the domain watch's and the review reminder's findings


@dataclass(frozen=True, slots=True)
class Report:
    """The result of one run over one links.yaml."""

    tool_version: str
    config_path: str
    started: datetime
    finished: datetime
    outcomes: tuple[Outcome, ...]
    network_unavailable: bool = False
    # (K, N) when the run checked shard K of N (``check --shard K/N``); None for a whole list.
    shard: tuple[int, int] | None = None
    # Lines about the domain watch itself (a registry without RDAP, an outage): never a failure.
    domain_notes: tuple[str, ...] = ()

    @property
    def duration_s(self) -> float:
        """Wall-clock seconds the run took."""
        return (self.finished - self.started).total_seconds()
