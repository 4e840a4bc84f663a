"""RDAP lookups: which registry serves a domain (IANA's bootstrap file), and one lookup.

Every request goes through the run's client, so through its address guard. Nothing here
raises for what a registry does: a 404 is "not found", and an outage, a missing server, a
rate limit that asks for too long or a body we cannot read are an ``UNKNOWN`` record with
the reason, never an exception and never an alarm.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Final

import httpx

from linkwatch.judgement.domains import MalformedAnswerError, read_answer
from linkwatch.models import DomainRecord, DomainState
from linkwatch.network.client import (
    ConnectGuardError,
    NameLookupError,
    NameNotFoundError,
    PrivateAddressError,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from datetime import datetime

    from linkwatch.network.client import Resolver

BOOTSTRAP_FILE: Final = "rdap-dns.json"
# RFC 7480 4.2: ask for RDAP's own media type (plain JSON is accepted too).
ACCEPT: Final = "application/rdap+json, application/json;q=0.9"
MAX_BODY: Final = 1024 * 1024  # a domain object is a few KB; anything this big is not one
REDIRECTS: Final = 3  # some registries answer for a domain with a redirect to another server


@dataclass(frozen=True, slots=True)
class RdapSettings:
    """How lookups are made; the defaults are what ``check`` does."""

    # One base URL for every domain instead of the bootstrap file's (tests, a local mirror).
    base_url: str | None = None
    timeout: float = 15.0  # seconds per request
    # A 429's Retry-After is waited out when it asks for at most this long (else: a note).
    max_wait: float = 30.0
    retries: int = 2  # after a 429


def _read_bootstrap(text: str) -> dict[str, str]:
    """IANA's dns.json → {tld: base URL}; the first https URL of each service wins."""
    doc = json.loads(text)
    servers: dict[str, str] = {}
    for service in doc.get("services", []):
        suffixes, bases = service[0], service[1]
        chosen = next((b for b in bases if b.startswith("https://")), None)
        if chosen is None:
            continue
        for suffix in suffixes:
            servers.setdefault(suffix.lower(), chosen if chosen.endswith("/") else chosen + "/")
    return servers


@cache
def bootstrap() -> dict[str, str]:
    """The shipped bootstrap file, read once."""
    text = resources.files("linkwatch.data").joinpath(BOOTSTRAP_FILE).read_text("utf-8")
    return _read_bootstrap(text)


def server_for(domain: str, settings: RdapSettings) -> str | None:
    """The RDAP base URL for ``domain`` (with a trailing slash), or None when none is known.

    The longest suffix the bootstrap file lists wins (RFC 9224 4: ``co.uk`` before ``uk``).
    """
    if settings.base_url is not None:
        base = settings.base_url
        return base if base.endswith("/") else base + "/"
    labels = domain.lower().split(".")
    servers = bootstrap()
    for start in range(1, len(labels)):
        found = servers.get(".".join(labels[start:]))
        if found is not None:
            return found
    return None


def _retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds a 429 asks us to wait (delta-seconds or an HTTP date), or None if unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - now).total_seconds(), 0.0)


def _unknown(domain: str, now: datetime, detail: str) -> DomainRecord:
    return DomainRecord(domain, DomainState.UNKNOWN, now, detail=detail)


async def _has_dns(resolver: Resolver, domain: str) -> bool | None:
    """True or False when DNS says so; None when the lookup itself failed."""
    try:
        await resolver(domain, 443)
    except NameNotFoundError:
        return False
    except (NameLookupError, OSError):
        return None
    return True


async def _get(
    client: httpx.AsyncClient,
    url: str,
    timeout: float,  # noqa: ASYNC109 - httpx's timeout per request
) -> tuple[int, bytes, str | None]:
    """One GET, redirects followed (through the guard each time), the body capped."""
    for _ in range(REDIRECTS + 1):
        request = client.build_request(
            "GET", url, headers={"Accept": ACCEPT}, timeout=httpx.Timeout(timeout)
        )
        response = await client.send(request, stream=True)
        try:
            location = response.headers.get("location")
            if response.is_redirect and location:
                url = str(response.url.join(location))
                continue
            body = bytearray()
            async for chunk in response.aiter_raw():
                body += chunk
                if len(body) > MAX_BODY:
                    break
            return response.status_code, bytes(body), response.headers.get("retry-after")
        finally:
            await response.aclose()
    return 310, b"", None  # too many redirects: read as an unusable answer


async def lookup(
    client: httpx.AsyncClient,
    domain: str,
    *,
    resolver: Resolver,
    now: Callable[[], datetime],
    settings: RdapSettings | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> DomainRecord:
    """Ask ``domain``'s registry about it; a 404 is checked against DNS before it counts."""
    settings = settings or RdapSettings()
    base = server_for(domain, settings)
    tld = domain.rsplit(".", 1)[-1]
    if base is None:
        return _unknown(domain, now(), f"no RDAP server is known for .{tld}")
    url = f"{base}domain/{domain}"
    for attempt in range(settings.retries + 1):
        try:
            status, body, retry_after = await _get(client, url, settings.timeout)
        except PrivateAddressError as e:
            return _unknown(domain, now(), f"the registry's RDAP server is refused: {e}")
        except (httpx.HTTPError, ConnectGuardError, TimeoutError, OSError) as e:
            reason = str(e).splitlines()[0][:120] if str(e) else type(e).__name__
            return _unknown(domain, now(), f"the registry's RDAP server did not answer ({reason})")
        if status == 429:
            wait = _retry_after(retry_after, now())
            if wait is None or wait > settings.max_wait or attempt == settings.retries:
                asked = f" (it asked to wait {wait:g} s)" if wait is not None else ""
                return _unknown(
                    domain, now(), f"the registry's RDAP server is rate-limiting us{asked}"
                )
            await sleep(wait)
            continue
        if status == 404:
            return DomainRecord(
                domain, DomainState.NOT_FOUND, now(), dns=await _has_dns(resolver, domain)
            )
        if status != 200:
            return _unknown(domain, now(), f"the registry's RDAP server answered {status}")
        try:
            return read_answer(json.loads(body), domain, now())
        except (ValueError, RecursionError) as e:  # MalformedAnswerError, JSON and UTF-8 errors
            what = str(e) if isinstance(e, MalformedAnswerError) else "not JSON"
            return _unknown(domain, now(), f"the registry's RDAP answer is unreadable ({what})")
    return _unknown(
        domain, now(), "the registry's RDAP server is rate-limiting us"
    )  # pragma: no cover
