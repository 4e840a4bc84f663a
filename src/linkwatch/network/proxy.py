"""Which proxy a request goes through: ``--proxy``, HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY.

The variables mean what they mean to curl and httpx: the lower-case spelling wins over the
upper-case one, an empty value is unset, ``https_proxy`` serves https URLs and
``http_proxy`` http ones, ``all_proxy`` both when the specific one is unset. ``--proxy``
replaces all three; NO_PROXY still applies to it, as it does to curl's ``--proxy``.

NO_PROXY is a list separated by commas (or white space) of:

- ``*``: no proxy at all;
- a host name, with or without a leading dot or ``*.``: that host and its subdomains
  (``example.org`` and ``.example.org`` both cover ``www.example.org`` and ``example.org``,
  as curl reads them; httpx leaves ``example.org`` itself to the proxy for ``.example.org``);
- an IP address, or a block in CIDR form (``10.0.0.0/8``, ``fd00::/8``): links written
  with an address in it (names are not resolved for NO_PROXY, as curl does not);
- any of these followed by ``:PORT``, which then only covers that port.

Entries that are none of these are ignored, as curl ignores them. Only ``http://`` proxies
are supported (the usual corporate kind, reached in the clear, HTTPS carried inside a
CONNECT tunnel); a proxy URL of another kind is a usage error, never silently ignored.
"""

from __future__ import annotations

import base64
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from linkwatch.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping

ENVIRONMENT = ("https_proxy", "http_proxy", "all_proxy", "no_proxy")


@dataclass(frozen=True, slots=True, repr=False)
class Proxy:
    """An HTTP proxy: where it is, and the Proxy-Authorization value when it needs one."""

    host: str  # a name or an address (no brackets)
    port: int
    shown: str  # its URL as messages show it: credentials never appear there
    authorization: str | None = None  # "Basic ..."; never shown, never logged

    def __repr__(self) -> str:
        return f"Proxy({self.shown})"


def parse_proxy(value: str, source: str) -> Proxy:
    """A proxy from its URL (``http://user:password@host:port``; the scheme may be left out).

    ``source`` names where it came from (``--proxy``, ``HTTPS_PROXY``) for the message of
    the ``UsageError`` raised when it is not usable; credentials are never quoted.
    """
    text = value.strip()
    if "://" not in text:
        text = "http://" + text  # curl's reading of "proxy.example:3128"
    try:
        parts = urlsplit(text)
        port = parts.port
        host = parts.hostname
    except ValueError as e:
        # Not the parser's message: it may quote a piece of a password it misread as a port.
        raise UsageError(
            f"{source}: not a proxy URL; write it as http://host:port (credentials in it"
            " percent-encoded)"
        ) from e
    scheme = parts.scheme.lower()
    shown = _shown(scheme, host or "", port)
    if scheme != "http":
        raise UsageError(
            f"{source}: {scheme}:// proxies are not supported; give an http:// proxy"
            " (HTTPS links go through it in a CONNECT tunnel, verified end to end)"
        )
    if not host:
        raise UsageError(f"{source}: the proxy URL has no host")
    authorization = None
    if parts.username is not None or parts.password is not None:
        user = unquote(parts.username or "")
        password = unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        authorization = f"Basic {token}"
    return Proxy(host=host, port=port or 80, shown=shown, authorization=authorization)


def _shown(scheme: str, host: str, port: int | None) -> str:
    bracketed = f"[{host}]" if ":" in host else host
    return f"{scheme}://{bracketed}" + (f":{port}" if port else "")


@dataclass(frozen=True, slots=True)
class _Bypass:
    """One NO_PROXY entry."""

    name: str | None = None  # a host name: itself and its subdomains
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: int | None = None  # None: any port

    def covers(self, host: str, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            try:
                address = ipaddress.ip_address(host)
            except ValueError:
                return False
            return address.version == self.network.version and address in self.network
        assert self.name is not None  # noqa: S101 - one of the two is always set
        return host == self.name or host.endswith("." + self.name)


def parse_no_proxy(value: str) -> tuple[_Bypass, ...] | None:
    """NO_PROXY's entries; None when it says ``*`` (no proxy for anything)."""
    rules: list[_Bypass] = []
    for raw in value.replace(",", " ").split():
        entry = raw.strip().lower()
        if entry == "*":
            return None
        rule = _bypass(entry)
        if rule is not None:
            rules.append(rule)
    return tuple(rules)


def _bypass(entry: str) -> _Bypass | None:
    port: int | None = None
    if entry.startswith("["):  # [v6] or [v6]:port
        inside, _, rest = entry[1:].partition("]")
        if rest:
            if not rest.startswith(":") or not rest[1:].isdigit():
                return None
            port = int(rest[1:])
        entry = inside
    elif entry.count(":") == 1:  # host:port, v4:port (a bare IPv6 address has more colons)
        entry, _, digits = entry.partition(":")
        if not digits.isdigit():
            return None
        port = int(digits)
    if port is not None and not 0 < port < 65536:
        return None
    try:
        network = ipaddress.ip_network(entry, strict=False)
    except ValueError:
        pass
    else:
        return _Bypass(network=network, port=port)
    name = entry.removeprefix("*").removeprefix(".").rstrip(".")
    if not name or "*" in name or "/" in name or ":" in name:
        return None
    return _Bypass(name=name, port=port)


@dataclass(frozen=True, slots=True)
class ProxySettings:
    """The proxies of a run, by URL scheme, and the hosts that go without."""

    http: Proxy | None = None
    https: Proxy | None = None
    # None: NO_PROXY=* (nothing goes through a proxy)
    bypass: tuple[_Bypass, ...] | None = ()

    @property
    def in_use(self) -> bool:
        return (self.http is not None or self.https is not None) and self.bypass is not None

    def proxy_for(self, scheme: str, host: str, port: int) -> Proxy | None:
        """The proxy a request to ``scheme://host:port`` goes through, or None for direct."""
        proxy = self.https if scheme == "https" else self.http if scheme == "http" else None
        if proxy is None or self.bypass is None:
            return None
        name = host.strip("[]").rstrip(".").lower()
        if any(rule.covers(name, port) for rule in self.bypass):
            return None
        return proxy

    def describe(self) -> str:
        """What the run goes through, for messages: the proxies' URLs, credentials hidden."""
        shown = dict.fromkeys(p.shown for p in (self.https, self.http) if p is not None)
        return ", ".join(shown)


def _variable(environ: Mapping[str, str], name: str) -> tuple[str, str] | None:
    """(the spelling found, its value) of a variable, lower case first; empty is unset.

    Under CGI (REQUEST_METHOD set), HTTP_PROXY is the client's ``Proxy:`` header, not the
    user's choice ("httpoxy"): it is ignored there, as Python's urllib and curl ignore it.
    """
    spellings = [name, name.upper()]
    if name == "http_proxy" and "REQUEST_METHOD" in environ:
        spellings.remove("HTTP_PROXY")
    for spelling in spellings:
        value = environ.get(spelling, "").strip()
        if value:
            return spelling, value
    return None


def settings(
    environ: Mapping[str, str], *, explicit: str | None = None, use_environment: bool = True
) -> ProxySettings:
    """The run's proxies: ``explicit`` (``--proxy``) for both schemes, else the environment's.

    ``use_environment=False`` ignores every proxy variable, NO_PROXY included. Raises
    ``UsageError`` (exit 2) for a proxy URL that cannot be used, naming its source.
    """
    env = environ if use_environment else {}
    no_proxy = _variable(env, "no_proxy")
    bypass = parse_no_proxy(no_proxy[1]) if no_proxy else ()
    if explicit is not None:
        proxy = parse_proxy(explicit, "--proxy") if explicit.strip() else None
        return ProxySettings(http=proxy, https=proxy, bypass=bypass)
    found = {
        name: parse_proxy(value, spelling)
        for name in ("https_proxy", "http_proxy", "all_proxy")
        if (variable := _variable(env, name)) is not None
        for spelling, value in [variable]
    }
    fallback = found.get("all_proxy")
    return ProxySettings(
        http=found.get("http_proxy", fallback),
        https=found.get("https_proxy", fallback),
        bypass=bypass,
    )
