"""Which certificate authorities a run trusts: the operating system's store, as pip uses it.

In order:

1. ``SSL_CERT_FILE`` and/or ``SSL_CERT_DIR``, when set: exactly those (a PEM bundle, a
   directory of hashed certificates), on every platform, as OpenSSL and curl read them;
2. else the operating system's store through ``truststore`` (Keychain on macOS, the
   certificate store on Windows, OpenSSL's configured bundle on Linux and the BSDs), where
   a corporate network installs the root certificate its TLS inspection signs with;
3. else certifi's bundle (Mozilla's list), when truststore is not installed or, on Linux,
   no system bundle exists (a bare container).

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


def ssl_context(environ: Mapping[str, str] | None = None) -> ssl.SSLContext:
    """The run's TLS context (see the module's docstring for the order).

    Raises ``UsageError`` when SSL_CERT_FILE or SSL_CERT_DIR names something unusable.
    """
    env = os.environ if environ is None else environ
    cafile = env.get("SSL_CERT_FILE", "").strip() or None
    capath = env.get("SSL_CERT_DIR", "").strip() or None
    if cafile is not None or capath is not None:
        return _from_files(cafile, capath)
    return system_context() or certifi_context()


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


def system_context() -> ssl.SSLContext | None:
    """The operating system's store through truststore; None when there is none to use."""
    try:
        import truststore  # noqa: PLC0415 - optional at run time: certifi is the fallback
    except ImportError:
        return None
    if sys.platform not in {"darwin", "win32"} and not _system_bundle_exists():
        return None
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def certifi_context() -> ssl.SSLContext:
    """Mozilla's list as certifi ships it (httpx depends on certifi)."""
    import certifi  # noqa: PLC0415 - only when there is no system store

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=certifi.where())
    return context


def _system_bundle_exists() -> bool:
    defaults = ssl.get_default_verify_paths()
    if defaults.cafile or (defaults.capath and _has_hashed_certificates(defaults.capath)):
        return True
    return any(Path(path).is_file() for path in _SYSTEM_BUNDLES)


def _has_hashed_certificates(capath: str) -> bool:
    try:
        names = [entry.name for entry in Path(capath).iterdir()]
    except OSError:
        return False
    # OpenSSL's hashed names: eight hex digits, a dot, a digit (5d5a7a10.0).
    return any(len(name) == 10 and name[8] == "." for name in names)
