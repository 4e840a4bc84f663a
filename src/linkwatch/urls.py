"""Pure URL functions: strip tracking parameters, canonical keys, stable ids.

(Foundation stub: the full, data-driven tracking list arrives with the URL-cleaning issue.)
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus, urlsplit, urlunsplit

if TYPE_CHECKING:
    from linkwatch.models import TrackingSettings

_NAMES = frozenset({"gclid", "dclid", "gbraid", "wbraid", "fbclid", "msclkid", "mc_eid", "_ga"})
_PREFIXES = ("utm_",)


def strip_tracking(
    url: str, settings: TrackingSettings | None = None, keep: tuple[str, ...] = ()
) -> tuple[str, tuple[str, ...]]:
    """Return the URL without tracking parameters, and the names removed (in order)."""
    del settings
    parts = urlsplit(url)
    if not parts.query:
        return url, ()
    kept: list[str] = []
    removed: list[str] = []
    keep_lower = {k.lower() for k in keep}
    for segment in parts.query.split("&"):
        name = unquote_plus(segment.split("=", 1)[0])
        lowered = name.lower()
        if lowered not in keep_lower and (lowered in _NAMES or lowered.startswith(_PREFIXES)):
            removed.append(name)
        else:
            kept.append(segment)
    if not removed:
        return url, ()
    return urlunsplit(parts._replace(query="&".join(kept))), tuple(removed)


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
