"""Which certificate authorities a run trusts: the operating system's store, as pip uses it.

In order:

1. ``SSL_CERT_FILE`` and/or ``SSL_CERT_DIR``, when set: exactly those (a PEM bundle, a
   directory of hashed certificates), on every platform, as OpenSSL and curl read them;
2. else the operating system's store, where a corporate network installs the root
   certificate its TLS inspection signs with: on macOS and Windows through ``truststore``
   (the Keychain, the Windows certificate store and their policies, as pip uses them); on
   Linux and the BSDs, OpenSSL's configured bundle (``update-ca-certificates``), read here
   once, which is what truststore does there too, but for every connection (32 ms of CPU
   per TLS connection, measured with bench/realworld.py: minutes over a large list);
3. else certifi's bundle (Mozilla's list): truststore not installed on macOS or Windows,
   or no system bundle at all (a bare container).

One context per run: loading a store is costly.
"""

from __future__ import annotations

import os
import ssl
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from linkwatch.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping

# Where Linux distributions and the BSDs keep their bundle (truststore looks at the same).
_SYSTEM_BUNDLES = (
    "/etc/ssl/cert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/pki/tls/cert.pem",
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/ssl/ca-bundle.pem",
)


def ssl_context(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> ssl.SSLContext:
    """The run's TLS context (see the module's docstring for the order); ``platform`` is
    ``sys.platform`` unless a test says otherwise.

    Raises ``UsageError`` when SSL_CERT_FILE or SSL_CERT_DIR names something unusable.
    """
    env = os.environ if environ is None else environ
    cafile = env.get("SSL_CERT_FILE", "").strip() or None
    capath = env.get("SSL_CERT_DIR", "").strip() or None
    if cafile is not None or capath is not None:
        return _from_files(cafile, capath)
    return system_context(platform) or certifi_context()


def _from_files(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    if cafile is not None and not Path(cafile).is_file():
        raise UsageError(f"SSL_CERT_FILE: {cafile}: no such file")
    if capath is not None and not Path(capath).is_dir():
        raise UsageError(f"SSL_CERT_DIR: {capath}: no such directory")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cafile=cafile, capath=capath)
    except ssl.SSLError as e:
        raise UsageError(f"SSL_CERT_FILE: {cafile}: not a bundle of PEM certificates") from e
    return context


def system_context(platform: str | None = None) -> ssl.SSLContext | None:
    """The operating system's store; None when there is none to use."""
    if (platform or sys.platform) in {"darwin", "win32"}:
        try:
            import truststore  # noqa: PLC0415 - optional at run time: certifi is the fallback
        except ImportError:
            return None
        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    defaults = ssl.get_default_verify_paths()  # SSL_CERT_FILE/DIR, else OpenSSL's own
    if defaults.cafile or (defaults.capath and _has_hashed_certificates(defaults.capath)):
        context.set_default_verify_paths()
        return context
    # OpenSSL built for another layout (a wheel's, say): where distributions keep theirs.
    for path in _SYSTEM_BUNDLES:
        if Path(path).is_file():
            context.load_verify_locations(cafile=path)
            return context
    return None


def certifi_context() -> ssl.SSLContext:
    """Mozilla's list as certifi ships it (httpx depends on certifi)."""
    import certifi  # noqa: PLC0415 - only when there is no system store

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=certifi.where())
    return context


def _has_hashed_certificates(capath: str) -> bool:
    try:
        names = [entry.name for entry in Path(capath).iterdir()]
    except OSError:
        return False
    # OpenSSL's hashed names: eight hex digits, a dot, a digit (5d5a7a10.0).
    return any(len(name) == 10 and name[8] == "." for name in names)
