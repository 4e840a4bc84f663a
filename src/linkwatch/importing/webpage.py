"""One web page for ``linkwatch import URL``, fetched the way ``check`` fetches a link.

The caller's prober holds a client from ``client.build_client``: the same private-address
guard on every hop (unless ``--allow-private``), no cookies between sites, one deadline over
everything, and a bounded body. Anything short of a readable 2xx page is a ``ConfigError``
naming the URL, like a file that cannot be read.
"""

from __future__ import annotations

import codecs
import contextlib
from dataclasses import dataclass
from email.message import Message
from typing import TYPE_CHECKING

from linkwatch import urls
from linkwatch.errors import ConfigError, Problem, UsageError
from linkwatch.importing.documents import DocKind
from linkwatch.listfile import config
from linkwatch.listfile.yamlsrc import MAX_FILE_BYTES
from linkwatch.models import Failure, Policy
from linkwatch.network.probe import ProbeSettings

if TYPE_CHECKING:
    from collections.abc import Mapping

    from linkwatch.network.probe import Prober

TIMEOUT = 30.0  # seconds for the whole fetch, redirects included
# GET (the page is the point), bounded like a document read from disk; retries as check does.
PROBE_SETTINGS = ProbeSettings(max_body=MAX_FILE_BYTES, inspect_pages=True)
_KINDS = {
    "text/html": DocKind.HTML,
    "application/xhtml+xml": DocKind.HTML,
    "text/markdown": DocKind.MARKDOWN,
    "text/x-markdown": DocKind.MARKDOWN,
}


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page: its text, where it ended up (relative links resolve there), its kind."""

    url: str  # as asked for
    final_url: str
    text: str
    kind: DocKind | None  # from the Content-Type; None lets the importer guess


async def fetch(prober: Prober, url: str, timeout: float = TIMEOUT) -> Page:  # noqa: ASYNC109 - one deadline over redirects and retries, as in check
    """Fetch ``url`` (raises UsageError for a bad URL, ConfigError when it cannot be read)."""
    problem = config.check_url(url)
    if problem is not None:
        raise UsageError(f"{urls.redact(url, whole=True)} {problem}")
    seen = await prober.probe(url, Policy(timeout=timeout))

    def fail(message: str) -> ConfigError:
        return ConfigError([Problem(url, None, None, "", message)])

    if seen.failure is Failure.PRIVATE_ADDRESS:
        raise fail(f"not fetched: {seen.detail}; use --allow-private to import from it")
    if seen.failure is not None:
        reason = seen.detail or seen.failure.value.replace("_", " ")
        raise fail(f"cannot be fetched: {reason}")
    code = seen.status_code
    if code is None or not 200 <= code < 300:
        raise fail(f"cannot be imported: the server answered HTTP {code}")
    if seen.body_truncated:
        raise fail(f"is too large to import (over {MAX_FILE_BYTES // (1024 * 1024)} MiB)")
    if seen.body is None:
        raise fail("cannot be imported: the page came in an encoding linkwatch cannot read")
    media_type, charset = _content_type(seen.header("content-type"))
    return Page(
        url=url,
        final_url=seen.final_url or url,
        text=_decode(seen.body, charset),
        kind=_KINDS.get(media_type),
    )


def fetch_url(
    url: str, *, allow_private: bool = False, environ: Mapping[str, str] | None = None
) -> Page:
    """Fetch an import SOURCE with a client built as ``check`` builds its own (own event loop):
    the environment's proxies and trust store too (``environ``: None is the process's)."""
    import asyncio  # noqa: PLC0415
    import os  # noqa: PLC0415

    from linkwatch.network import proxy, trust  # noqa: PLC0415
    from linkwatch.network.client import ClientOptions, build_client  # noqa: PLC0415
    from linkwatch.network.probe import Prober  # noqa: PLC0415

    env = os.environ if environ is None else environ
    options = ClientOptions(
        allow_private=allow_private,
        proxies=proxy.settings(env),
        ssl_context=trust.ssl_context(env),
    )

    async def fetching() -> Page:
        async with build_client(options) as client:
            return await fetch(Prober(client, PROBE_SETTINGS), url)

    return asyncio.run(fetching())


def _content_type(value: str | None) -> tuple[str, str | None]:
    """``text/html; charset=ISO-8859-1`` → ``("text/html", "iso-8859-1")``."""
    if not value:
        return "", None
    message = Message()
    message["content-type"] = value
    charset = message.get_param("charset")
    return message.get_content_type(), charset.lower() if isinstance(charset, str) else None


def _decode(body: bytes, charset: str | None) -> str:
    """The page as text: the declared charset if known, else UTF-8, else Windows-1252."""
    encodings = ["utf-8-sig", "cp1252"]
    if charset is not None:
        with contextlib.suppress(LookupError):  # an unknown charset: guess as for files
            encodings.insert(0, codecs.lookup(charset).name)
    for encoding in encodings:
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode("latin-1")  # every byte decodes; the URLs themselves are ASCII
