"""Pure site comparison: the registrable domain of a host, from the offline public suffix list."""

from __future__ import annotations

import ipaddress
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList


@cache
def _suffix_list(*, private_suffixes: bool) -> PublicSuffixList:
    # Loaded on first use (parsing the list takes a few tens of milliseconds).
    from publicsuffixlist import PublicSuffixList  # noqa: PLC0415

    # The list bundled in the package only: nothing is fetched, nothing is cached on disk.
    # accept_unknown=False: a host under a TLD the list does not know is its own site, so
    # `www.a.internal` and `a.internal` differ (stricter, and what linkwatch always did).
    return PublicSuffixList(accept_unknown=False, only_icann=not private_suffixes)


def registrable_domain(host: str, *, private_suffixes: bool = False) -> str:
    """``www.nspcc.org.uk`` → ``nspcc.org.uk``; IP addresses and bare names are returned as is.

    ``private_suffixes`` also honours the list's private section, where each customer of a
    host (``alice.github.io``, ``foo.blogspot.com``) is a site of its own.
    """
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return host  # the list would read 127.0.0.1 as the name `0.1` under `1`
    found = _suffix_list(private_suffixes=private_suffixes).privatesuffix(host)
    return found or host


def registered_name(host: str, *, private_suffixes: bool = False) -> str | None:
    """The registrable domain of ``host``, or None for IP addresses, bare names and names
    under a suffix the list does not know (``localhost``, ``a.internal``)."""
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return None
    found: str | None = _suffix_list(private_suffixes=private_suffixes).privatesuffix(host)
    return found


def same_site(url_a: str, url_b: str, *, private_suffixes: bool = False) -> bool:
    """Whether two URLs are on the same registrable domain (the public suffix list decides)."""
    host_a = (urlsplit(url_a).hostname or "").lower()
    host_b = (urlsplit(url_b).hostname or "").lower()
    return host_a == host_b or registrable_domain(
        host_a, private_suffixes=private_suffixes
    ) == registrable_domain(host_b, private_suffixes=private_suffixes)
