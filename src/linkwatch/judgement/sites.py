"""Pure site comparison: the registrable domain of a host, from the offline public suffix list."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import tldextract


@cache
def _extractor() -> tldextract.TLDExtract:
    import tldextract  # noqa: PLC0415 - loaded on first use: it is slow to import

    # The snapshot bundled with tldextract only: no fetching, no cache files, no network.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registrable_domain(host: str, *, private_suffixes: bool = False) -> str:
    """``www.nspcc.org.uk`` → ``nspcc.org.uk``; IP addresses and bare names are returned as is.

    ``private_suffixes`` also honours the list's private section, where each customer of a
    host (``alice.github.io``, ``foo.blogspot.com``) is a site of its own.
    """
    host = host.lower().rstrip(".")
    found = _extractor()(host, include_psl_private_domains=private_suffixes)
    return found.top_domain_under_public_suffix or host


def same_site(url_a: str, url_b: str, *, private_suffixes: bool = False) -> bool:
    """Whether two URLs are on the same registrable domain (the public suffix list decides)."""
    host_a = (urlsplit(url_a).hostname or "").lower()
    host_b = (urlsplit(url_b).hostname or "").lower()
    return host_a == host_b or registrable_domain(
        host_a, private_suffixes=private_suffixes
    ) == registrable_domain(host_b, private_suffixes=private_suffixes)
