"""One link over the network: requests, redirects, retries and a hard deadline → ``Observation``.

httpx and client errors are translated to a ``Failure`` in exactly one place, ``_failure_of``.
"""

from __future__ import annotations

import asyncio
import email.utils
import errno
import random
import re
import ssl
import time
import zlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx

from linkwatch.judgement.sites import same_site
from linkwatch.models import Failure, Hop, Observation, host_settings
from linkwatch.network.client import (
    ConnectGuardError,
    NameLookupError,
    NameNotFoundError,
    PrivateAddressError,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from linkwatch.models import HostSettings, Policy

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
# Servers that mishandle HEAD answer one of these (or drop the connection); GET tells the truth.
HEAD_REFUSED_CODES = frozenset({400, 403, 405, 501})
RETRY_CODES = frozenset({429, 502, 503, 504})
# Retried once only: a 500 is usually a real fault, but a passing one must not be a false
# alarm (the link is then reported ok, and flaky).
RETRY_ONCE_CODES = frozenset({500})
RETRY_FAILURES = frozenset({Failure.RESET, Failure.CONNECT_TIMEOUT, Failure.DNS_FAILED})
# Headers classification looks at; the rest is dropped so an Observation stays small.
KEPT_HEADERS = (
    "content-type",
    "server",
    "retry-after",
    "x-adblock-key",  # parking services sign their pages with it
    # What bot-protection services put on their challenge and block pages.
    "cf-mitigated",
    "x-iinfo",
    "x-cdn",
    "x-sucuri-id",
    "x-sucuri-block",
    "x-amzn-waf-action",
    "x-datadome",
)


@dataclass(frozen=True, slots=True)
class ProbeSettings:
    """Limits of one probe. Defaults are the documented behaviour; tests shrink the delays."""

    max_body: int = 256 * 1024  # bytes read from the wire, and bytes kept after decoding
    max_redirects: int = 10
    max_attempts: int = 3  # per hop, for transient failures only
    backoff_base: float = 0.5  # seconds before the second attempt, doubled after
    backoff_max: float = 8.0
    connect_timeout: float = 10.0  # per attempt, so a dead address leaves time to retry
    # GET every page (one request, bounded body) so parked domains, vanished pages, soft
    # 404s, bot walls and titles are seen; False sends HEAD, which sees status and headers
    # only (``check --head-only``, for lists too large for the bandwidth).
    inspect_pages: bool = True


@dataclass(slots=True)
class _Answer:
    """One response, reduced to what the probe needs, its body already bounded and closed."""

    status: int
    headers: httpx.Headers
    body: bytes | None = None
    truncated: bool = False
    tls_expires: datetime | None = None


@dataclass(slots=True)
class _Failed:
    failure: Failure
    detail: str


@dataclass(slots=True)
class _Trace:
    """Mutable record of one probe in progress, so a deadline can still report the path."""

    url: str
    started: float
    deadline: float
    want_body: bool
    pause: Callable[[float], Awaitable[None]]
    cookies: httpx.Cookies = field(default_factory=httpx.Cookies)  # this probe's only
    hops: list[Hop] = field(default_factory=list)
    current: str = ""  # the URL being requested now
    attempts: int = 0
    retries: int = 0  # requests repeated after a transient failure (not HEAD → GET)
    tls_expires: datetime | None = None
    retry_after: float | None = None
    method: str = "HEAD"

    def note_tls(self, expires: datetime | None) -> None:
        if expires is not None and (self.tls_expires is None or expires < self.tls_expires):
            self.tls_expires = expires


class Prober:
    """Probes links with the run's client; holds no per-link state between calls."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: ProbeSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        hosts: tuple[HostSettings, ...] = (),
    ) -> None:
        self._client = client
        # links.yaml's per-host settings: headers and a user agent for that host only, and
        # the least interval between two requests to it (when each host may next be asked).
        self._hosts = hosts
        self._next_request: dict[str, float] = {}
        # The client's headers (User-Agent...), and raw bytes only: httpx does not bound
        # decompressed output, so no compression is asked for, and whatever arrives is
        # decoded here, bounded.
        self._headers = httpx.Headers(client.headers)
        self._headers["Accept-Encoding"] = "identity"
        self.settings = settings or ProbeSettings()
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter

    async def probe(
        self,
        url: str,
        policy: Policy,
        *,
        pause: Callable[[float], Awaitable[None]] | None = None,
    ) -> Observation:
        """Request ``url`` as ``policy`` asks; every outcome, including a timeout, is data.

        ``pause`` waits before a retry; the checker passes one that frees the host's slot
        meanwhile. By default the prober's own sleep is used.
        """
        # A host with an interval: the first request waits its turn before the link's
        # deadline starts (waiting for a turn is the host's pace, not the link's slowness).
        first_turn = self._turn(url)
        if first_turn is not None:
            await first_turn
        started = self._clock()
        trace = _Trace(
            url=url,
            started=started,
            deadline=started + policy.timeout,
            want_body=policy.expect_text is not None or self.settings.inspect_pages,
            pause=pause or self._sleep,
        )
        try:
            # One timeout around everything (DNS, connect, TLS, every hop, retries, body):
            # per-read timeouts alone let a server dripping a byte a second live forever.
            async with asyncio.timeout(policy.timeout):
                return await self._follow(trace)
        except TimeoutError:
            if not trace.hops or trace.hops[-1].url != trace.current:
                trace.hops.append(Hop(trace.current, None))  # where the time ran out
            return self._observe(
                trace,
                _Failed(Failure.TIMEOUT, f"no complete answer within {policy.timeout:g} s"),
            )

    # ------------------------------------------------------------------ redirects
    async def _follow(self, trace: _Trace) -> Observation:
        method = "GET" if trace.want_body else "HEAD"
        cookies = trace.cookies
        current = trace.url
        seen: set[tuple[str, int]] = set()
        while True:
            trace.current = current
            seen.add((current, len(cookies)))
            result = await self._attempts(method, current, trace)
            if method == "HEAD" and _head_refused(result):
                # Some servers refuse or fumble HEAD; ask again the way a browser does. The
                # HEAD counts towards the hop's attempts, so a link is tried at most 3 times.
                method = "GET"
                result = await self._attempts(method, current, trace, spent=1)
            trace.method = method
            if isinstance(result, _Failed):
                trace.hops.append(Hop(current, None))
                return self._observe(trace, result)
            trace.hops.append(Hop(current, result.status))
            location = result.headers.get("location")
            if result.status not in REDIRECT_CODES or not location:
                if _needs_a_look(trace, method, result, current):
                    # The link now ends on another site that says 200: parking and
                    # for-sale pages are recognised by their text, so read the page once.
                    trace.want_body = True
                    looked = await self._attempts("GET", current, trace)
                    if isinstance(looked, _Answer):
                        result = looked
                        trace.method = "GET"
                        trace.hops[-1] = Hop(current, looked.status)
                return self._observe(trace, result, final_url=current)
            target = _redirect_target(current, location)
            if isinstance(target, _Failed):
                return self._observe(trace, target)
            if (target, len(cookies)) in seen:
                return self._observe(
                    trace, _Failed(Failure.REDIRECT_LOOP, f"{current} redirects back to {target}")
                )
            if len(trace.hops) > self.settings.max_redirects:
                return self._observe(
                    trace,
                    _Failed(
                        Failure.TOO_MANY_REDIRECTS,
                        f"more than {self.settings.max_redirects} redirects",
                    ),
                )
            current = target

    # -------------------------------------------------------------------- retries
    async def _attempts(
        self,
        method: str,
        url: str,
        trace: _Trace,
        *,
        spent: int = 0,
    ) -> _Answer | _Failed:
        attempt = spent
        retried_500 = False
        while True:
            attempt += 1
            trace.attempts += 1
            result = await self._send(method, url, trace)
            if attempt >= self.settings.max_attempts or not _transient(result, method):
                return result
            if isinstance(result, _Answer) and result.status in RETRY_ONCE_CODES:
                if retried_500:
                    return result
                retried_500 = True
            delay = self._backoff(attempt)
            if isinstance(result, _Answer):
                asked = _retry_after(result.headers.get("retry-after"), datetime.now(UTC))
                if asked is not None:
                    trace.retry_after = asked
                    delay = asked
            if self._clock() + delay >= trace.deadline:
                # The wait would outlive the deadline: report what was seen instead of
                # sleeping into a timeout.
                return result
            if not (isinstance(result, _Answer) and result.status == 429):
                # A stumble, not the server's request to slow down: worth telling (flaky).
                trace.retries += 1
            await trace.pause(delay)

    def _backoff(self, attempt: int) -> float:
        base: float = min(
            self.settings.backoff_max, self.settings.backoff_base * 2.0 ** (attempt - 1)
        )
        # Jitter spreads retries of many links to one host so they do not arrive together.
        return base * (0.5 + self._jitter())

    # -------------------------------------------------------------- one exchange
    async def _send(
        self,
        method: str,
        url: str,
        trace: _Trace,
    ) -> _Answer | _Failed:
        host_rule = host_settings(self._hosts, _host_of(url)) if self._hosts else None
        if trace.attempts > 1 or trace.hops:  # the first request's turn came before the clock
            turn = self._turn(url)
            if turn is not None:
                await turn
        remaining = max(trace.deadline - self._clock(), 0.001)
        connect = min(remaining, self.settings.connect_timeout)
        try:
            # Built directly, not with client.build_request: the client has no base URL,
            # parameters or cookies to merge, and merging was a tenth of a run's CPU.
            request = httpx.Request(
                method,
                url,
                headers=self._headers,
                extensions={
                    "timeout": {
                        "connect": connect,
                        "read": remaining,
                        "write": remaining,
                        "pool": remaining,
                    }
                },
            )
            if host_rule is not None:
                # Chosen again for every hop by that hop's own host: a redirect to another
                # host never carries them.
                request.headers.update(host_rule.headers)
                if host_rule.user_agent is not None:
                    request.headers["User-Agent"] = host_rule.user_agent
            if trace.cookies:
                trace.cookies.set_cookie_header(request)
            response = await self._client.send(request, stream=True)
            try:
                if "set-cookie" in response.headers:
                    trace.cookies.extract_cookies(response)
                answer = _Answer(response.status_code, response.headers)
                if request.url.scheme == "https":
                    answer.tls_expires = _tls_expiry(response)
                    trace.note_tls(answer.tls_expires)
                if (
                    trace.want_body
                    and method == "GET"
                    and response.status_code not in REDIRECT_CODES
                ):
                    answer.body, answer.truncated = await _read_bounded(
                        response, self.settings.max_body
                    )
                elif method == "HEAD":
                    # A HEAD answer has no body, but the connection only returns to the
                    # pool once its end is read; otherwise every link pays a new connection.
                    async for _ in response.aiter_raw():
                        pass
            finally:
                # Closing early drops the connection rather than draining a huge body.
                await response.aclose()
        except (httpx.TransportError, httpx.InvalidURL, ConnectGuardError) as e:
            return _failure_of(e)
        return answer

    def _turn(self, url: str) -> Awaitable[None] | None:
        """The wait before ``url``'s host may be asked again, when its ``interval`` says so:
        ``interval`` seconds after the request before it. The turn is taken now, before the
        wait, so requests at once queue up in order. None: no wait."""
        if not self._hosts:
            return None
        host = _host_of(url)
        rule = host_settings(self._hosts, host)
        if rule is None or rule.interval <= 0:
            return None
        now = self._clock()
        turn = max(now, self._next_request.get(host, now))
        self._next_request[host] = turn + rule.interval
        return self._sleep(turn - now) if turn > now else None

    def _observe(
        self, trace: _Trace, result: _Answer | _Failed, final_url: str | None = None
    ) -> Observation:
        seen = Observation(
            url=trace.url,
            hops=tuple(trace.hops),
            method=trace.method,
            attempts=trace.attempts,
            retries=trace.retries,
            elapsed_ms=int((self._clock() - trace.started) * 1000),
            tls_expires=trace.tls_expires,
            retry_after_s=trace.retry_after,
        )
        if isinstance(result, _Failed):
            return replace(seen, failure=result.failure, detail=result.detail)
        kept = tuple(
            (name, result.headers[name]) for name in KEPT_HEADERS if name in result.headers
        )
        return replace(
            seen,
            status_code=result.status,
            final_url=final_url,
            headers=kept,
            body=result.body,
            body_truncated=result.truncated,
        )


# ------------------------------------------------------------------------------ helpers
def _host_of(url: str) -> str:
    try:
        return httpx.URL(url).host
    except httpx.InvalidURL:
        return ""


def _needs_a_look(trace: _Trace, method: str, answer: _Answer, final_url: str) -> bool:
    return (
        method == "HEAD"
        and 200 <= answer.status < 300
        and len(trace.hops) > 1
        and not same_site(trace.url, final_url, private_suffixes=True)
    )


def _head_refused(result: _Answer | _Failed) -> bool:
    if isinstance(result, _Failed):
        return result.failure in {Failure.RESET, Failure.PROTOCOL}
    return result.status in HEAD_REFUSED_CODES


def _transient(result: _Answer | _Failed, method: str) -> bool:
    if isinstance(result, _Answer):
        return result.status in RETRY_CODES or result.status in RETRY_ONCE_CODES
    if method == "HEAD" and result.failure is Failure.RESET:
        return False  # the GET fallback is the better second try
    return result.failure in RETRY_FAILURES


def _redirect_target(current: str, location: str) -> str | _Failed:
    scheme = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*):", location)
    if scheme and scheme.group(1).lower() not in {"http", "https"}:
        return _Failed(
            Failure.BAD_REDIRECT, f"redirects to a non-web address ({scheme.group(1).lower()}:)"
        )
    try:
        target = httpx.URL(current).join(location.strip())
    except httpx.InvalidURL as e:
        return _Failed(Failure.BAD_REDIRECT, f"invalid redirect target {location!r}: {e}")
    if target.scheme not in {"http", "https"}:
        return _Failed(Failure.BAD_REDIRECT, f"redirects to a non-web address ({target.scheme}:)")
    if not target.host:
        return _Failed(Failure.BAD_REDIRECT, f"redirect target {location!r} has no host")
    # A fragment in the Location is where the reader lands (RFC 9110, 10.2.2): keep it in
    # the recorded hop (it is never sent); a Location without one inherits none here.
    return str(target)


def _retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds asked for by a Retry-After header (delta seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


def _tls_expiry(response: httpx.Response) -> datetime | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    ssl_object = stream.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    cert = ssl_object.getpeercert()
    not_after = cert.get("notAfter") if cert else None
    if not isinstance(not_after, str):
        return None
    return datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), UTC)


async def _read_bounded(response: httpx.Response, limit: int) -> tuple[bytes | None, bool]:
    """At most ``limit`` raw bytes, decoded to at most ``limit`` bytes; (body, truncated)."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    decoder = None
    if encoding in {"gzip", "x-gzip", "deflate"}:
        decoder = zlib.decompressobj(wbits=47)  # gzip or zlib header, detected
    elif encoding not in {"identity", ""}:
        return None, False  # br, zstd...: we asked for identity; do not guess
    out = bytearray()
    raw_seen = 0
    try:
        async for chunk in response.aiter_raw():
            raw_seen += len(chunk)
            if decoder is None:
                out += chunk
            else:
                # max_length bounds the output of each call: a gzip bomb inflates no further.
                out += decoder.decompress(chunk, limit + 1 - len(out))
            if len(out) > limit or raw_seen >= limit:
                return bytes(out[:limit]), True
    except zlib.error:
        return None, False
    return bytes(out), False


def _cause_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _failure_of(exc: Exception) -> _Failed:
    """The one boundary where httpx and client errors become a ``Failure``."""
    match exc:
        case PrivateAddressError():
            return _Failed(Failure.PRIVATE_ADDRESS, str(exc))
        case NameNotFoundError():
            return _Failed(Failure.DNS_NOT_FOUND, str(exc))
        case NameLookupError():
            return _Failed(Failure.DNS_FAILED, str(exc))
        case httpx.ProxyError():
            return _Failed(Failure.PROXY, str(exc))
        case httpx.ConnectTimeout():
            return _Failed(Failure.CONNECT_TIMEOUT, "the connection was not accepted in time")
        case httpx.TimeoutException():
            return _Failed(Failure.TIMEOUT, "the server stopped answering")
        case httpx.ConnectError():
            return _connect_failure(exc)
        case httpx.ReadError() | httpx.WriteError():
            return _Failed(Failure.RESET, "the connection was reset")
        case httpx.RemoteProtocolError() if "without sending" in str(exc):
            # A server that closes before answering behaves like a reset (keep-alive races).
            return _Failed(Failure.RESET, "the server closed the connection without answering")
        case httpx.RemoteProtocolError() | httpx.LocalProtocolError():
            return _Failed(Failure.PROTOCOL, f"not a valid HTTP answer ({exc})")
        case httpx.UnsupportedProtocol() | httpx.InvalidURL():
            return _Failed(Failure.INVALID_URL, str(exc) or "not a valid URL")
        case _:
            return _Failed(Failure.PROTOCOL, f"{type(exc).__name__}: {exc}")


def _connect_failure(exc: Exception) -> _Failed:
    for cause in _cause_chain(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return _Failed(Failure.TLS, f"certificate rejected: {cause.verify_message}")
        if isinstance(cause, ssl.SSLError):
            return _Failed(
                Failure.TLS, f"TLS handshake failed: {getattr(cause, 'reason', None) or cause}"
            )
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
        ):
            return _Failed(Failure.REFUSED, "connection refused")
        if isinstance(cause, OSError) and cause.errno in {errno.ENETUNREACH, errno.EHOSTUNREACH}:
            return _Failed(Failure.UNREACHABLE, f"no route to the server ({cause.strerror})")
    return _Failed(Failure.UNREACHABLE, f"could not connect ({exc})")
