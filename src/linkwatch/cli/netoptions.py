"""``check``'s options for real networks: proxies, exclusions, reusing recent results."""

from __future__ import annotations

from typing import Annotated

import typer

# Appended to check's examples: what the environment and links.yaml change on a real network.
ENVIRONMENT_HELP = (
    "\n\n  linkwatch check --state .linkwatch/state.json --reuse-ok 1h"
    "\n\nEnvironment: HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY (either case) choose a"
    " proxy, as curl does; SSL_CERT_FILE and SSL_CERT_DIR replace the system trust store,"
    " which is otherwise used (certifi when there is none). links.yaml's `hosts:` sets"
    " headers (values from ${VARIABLES}), accepted codes, concurrency and an interval per"
    " host; its `exclude:` lists patterns of links not to check."
)

ProxyOption = Annotated[
    str | None,
    typer.Option(
        "--proxy",
        metavar="URL",
        help="Send http and https requests through this HTTP proxy (http://[user:password@]"
        "host:port), instead of HTTPS_PROXY, HTTP_PROXY and ALL_PROXY; NO_PROXY still applies."
        " HTTPS goes through a CONNECT tunnel, verified end to end. Private addresses are"
        " still refused before the proxy hears of them.",
        show_default=False,
    ),
]
ExcludeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        metavar="REGEX",
        help="Do not check links whose URL (as written in links.yaml) matches this regular"
        " expression (Python syntax, searched anywhere in the URL); repeatable, added to"
        " links.yaml's `exclude`. Excluded links are reported as skipped, with the pattern.",
        show_default=False,
    ),
]
ReuseOkOption = Annotated[
    str | None,
    typer.Option(
        "--reuse-ok",
        metavar="AGE",
        help="With --state: do not request links found ok less than AGE ago (30m, 1h, 1d);"
        " they are reported as ok and cached, with their age. Anything else, failures"
        " above all, is checked again. For pre-commit and pull-request runs.",
        show_default=False,
    ),
]
NoEnvProxyOption = Annotated[
    bool,
    typer.Option(
        "--no-env-proxy",
        help="Ignore HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY (honoured by default,"
        " either case).",
    ),
]
