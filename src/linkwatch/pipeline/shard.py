"""Which links one shard of a run checks: ``--shard K/N``, partitioned by site, stable across runs.

A link's shard is a hash of its registrable domain (``www.nspcc.org.uk`` → ``nspcc.org.uk``),
so every link of one site, whatever its subdomain, lands in the same shard: the per-host
limit still holds when N runners check a list in parallel, and a site is never asked by two
runners at once. The hash is of the name, not of the position in links.yaml, so adding or
moving a link never reshuffles the others.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from linkwatch.errors import UsageError
from linkwatch.judgement.sites import registrable_domain

if TYPE_CHECKING:
    from linkwatch.models import Config, Link

MAX_SHARDS = 1024


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int


def parse(text: str) -> Shard:
    """``"2/4"`` → ``Shard(2, 4)``; anything else is a ``UsageError`` (exit 2)."""
    match = re.fullmatch(r"\s*([0-9]{1,6})\s*/\s*([0-9]{1,6})\s*", text)
    if match is None:
        raise UsageError(f"--shard {text!r}: expected K/N, two whole numbers such as 1/4")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= count <= MAX_SHARDS:
        raise UsageError(f"--shard {text!r}: N must be between 1 and {MAX_SHARDS}")
    if not 1 <= index <= count:
        raise UsageError(f"--shard {text!r}: K must be between 1 and N ({count})")
    return Shard(index, count)


def site_key(url: str) -> str:
    """What a link is partitioned by: its registrable domain (its host if it has none)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    return registrable_domain(host) if host else ""


def shard_of(key: str, count: int) -> int:
    """The 1-based shard of a site key: a hash stable across runs, machines and Pythons."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count + 1


def owns(shard: Shard, link: Link) -> bool:
    """Whether ``link`` is checked by ``shard``."""
    return shard.count == 1 or shard_of(site_key(link.url), shard.count) == shard.index


def select(config: Config, shard: Shard) -> Config:
    """The config with only this shard's links (each keeps its index in the file)."""
    if shard.count == 1:
        return config
    keys: dict[str, int] = {}  # the public suffix lookup once per site, not per link
    links = []
    for link in config.links:
        key = site_key(link.url)
        if key not in keys:
            keys[key] = shard_of(key, shard.count)
        if keys[key] == shard.index:
            links.append(link)
    return replace(config, links=tuple(links))
