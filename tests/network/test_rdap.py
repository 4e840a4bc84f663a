"""RDAP lookups against the registries' documented answers (respx), and the bootstrap file."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime

import httpx
import pytest
import respx

from conftest import DATA, REPO
from linkwatch.models import DomainState
from linkwatch.network import rdap
from linkwatch.network.client import ClientOptions, NameLookupError, build_client, mapping_resolver

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
RDAP = DATA / "rdap"
NO_DNS = mapping_resolver({})


def body(name: str) -> bytes:
    return (RDAP / name).read_bytes()


async def lookup(domain, *, resolver=NO_DNS, sleep=None, **settings):
    waits: list[float] = []

    async def record_sleep(seconds: float) -> None:
        waits.append(seconds)

    async with build_client(ClientOptions()) as client:
        found = await rdap.lookup(
            client,
            domain,
            resolver=resolver,
            now=lambda: NOW,
            settings=rdap.RdapSettings(**settings),
            sleep=sleep or record_sleep,
        )
    return found, waits


def test_the_shipped_bootstrap_names_the_main_registries():
    """.com goes to Verisign, .org to PIR, .uk (and .org.uk under it) to Nominet; https only."""
    settings = rdap.RdapSettings()
    assert rdap.server_for("example.com", settings) == "https://rdap.verisign.com/com/v1/"
    assert (
        rdap.server_for("stop-cse.org", settings) == "https://rdap.publicinterestregistry.org/rdap/"
    )
    assert rdap.server_for("nspcc.org.uk", settings) == "https://rdap.nominet.uk/uk/"
    assert rdap.server_for("example.de", settings) is None
    assert all(
        url.startswith("https://") and url.endswith("/") for url in rdap.bootstrap().values()
    )


def test_the_longest_listed_suffix_wins_and_an_override_serves_every_domain():
    """RFC 9224: a server for co.uk beats uk's; a base URL given in settings replaces both."""
    servers = rdap._read_bootstrap(
        json.dumps(
            {
                "services": [
                    [["uk"], ["http://plain.example/", "https://uk.example/rdap"]],
                    [["co.uk"], ["https://co-uk.example/"]],
                ]
            }
        )
    )
    assert servers == {"uk": "https://uk.example/rdap/", "co.uk": "https://co-uk.example/"}
    assert rdap.server_for("a.de", rdap.RdapSettings(base_url="http://127.0.0.1:9/rdap")) == (
        "http://127.0.0.1:9/rdap/"
    )


@pytest.mark.anyio
@respx.mock
async def test_a_verisign_answer_is_read_with_rdap_accept_header():
    """The .com registry is asked for the domain once, as RDAP JSON, through the run's client."""
    route = respx.get("https://rdap.verisign.com/com/v1/domain/expiring-soon.com").respond(
        200, content=body("verisign-com.json"), headers={"content-type": "application/rdap+json"}
    )
    found, _ = await lookup("expiring-soon.com")
    assert found.state is DomainState.REGISTERED
    assert found.expires == datetime(2026, 12, 16, 4, tzinfo=UTC)
    [call] = route.calls
    assert call.request.headers["accept"] == "application/rdap+json, application/json;q=0.9"
    assert call.request.headers["user-agent"].startswith("linkwatch/")


@pytest.mark.anyio
@respx.mock
async def test_pir_redacted_and_nominet_answers_are_read():
    """A redacted .org record and a .uk record give their dates."""
    respx.get("https://rdap.publicinterestregistry.org/rdap/domain/stop-cse.org").respond(
        200, content=body("pir-org-redacted.json")
    )
    respx.get("https://rdap.nominet.uk/uk/domain/nspcc.org.uk").respond(
        200, content=body("nominet-uk.json")
    )
    org, _ = await lookup("stop-cse.org")
    uk, _ = await lookup("nspcc.org.uk")
    assert org.registered == datetime(2024, 5, 1, 10, 21, 7, tzinfo=UTC)
    assert uk.expires == datetime(2028, 8, 1, tzinfo=UTC)


@pytest.mark.anyio
@respx.mock
async def test_a_404_is_checked_against_dns():
    """Not found, and DNS says no such name: dns False; the name resolving: dns True."""
    respx.get("https://rdap.publicinterestregistry.org/rdap/domain/gone.org").respond(
        404, content=body("not-found.json")
    )
    gone, _ = await lookup("gone.org")
    assert (gone.state, gone.dns) == (DomainState.NOT_FOUND, False)
    alive, _ = await lookup("gone.org", resolver=mapping_resolver({"gone.org": "192.0.2.1"}))
    assert (alive.state, alive.dns) == (DomainState.NOT_FOUND, True)


@pytest.mark.anyio
@respx.mock
async def test_a_404_whose_dns_lookup_fails_is_not_called_unregistered():
    """A resolver that cannot answer leaves dns unknown (None): no alarm can follow."""

    async def broken(host, port):
        raise NameLookupError(f"{host}: name lookup failed (temporary failure)")

    respx.get("https://rdap.publicinterestregistry.org/rdap/domain/gone.org").respond(404)
    gone, _ = await lookup("gone.org", resolver=broken)
    assert (gone.state, gone.dns) == (DomainState.NOT_FOUND, None)


@pytest.mark.anyio
@respx.mock
async def test_a_429_is_waited_out_as_retry_after_asks():
    """Retry-After: 3 is slept (through the injected sleep), then the answer is read."""
    route = respx.get("https://rdap.nominet.uk/uk/domain/nspcc.org.uk").mock(
        side_effect=[
            httpx.Response(429, headers={"retry-after": "3"}),
            httpx.Response(200, content=body("nominet-uk.json")),
        ]
    )
    found, waits = await lookup("nspcc.org.uk")
    assert found.state is DomainState.REGISTERED
    assert waits == [3.0]
    assert route.call_count == 2


@pytest.mark.anyio
@respx.mock
async def test_a_429_asking_too_long_is_a_note_not_a_wait():
    """Retry-After beyond max_wait: no sleep, an unknown record that says why."""
    respx.get("https://rdap.nominet.uk/uk/domain/nspcc.org.uk").respond(
        429, headers={"retry-after": "3600"}
    )
    found, waits = await lookup("nspcc.org.uk")
    assert waits == []
    assert found.state is DomainState.UNKNOWN
    assert (
        found.detail == "the registry's RDAP server is rate-limiting us (it asked to wait 3600 s)"
    )


@pytest.mark.anyio
@respx.mock
async def test_a_429_with_an_http_date_and_one_that_never_ends():
    """An HTTP-date Retry-After is read too; after the last retry the rate limit is a note."""
    route = respx.get("https://rdap.nominet.uk/uk/domain/nspcc.org.uk").respond(
        429, headers={"retry-after": "Sun, 06 Dec 2026 02:00:05 GMT"}
    )
    found, waits = await lookup("nspcc.org.uk", retries=1)
    assert waits == [5.0]
    assert route.call_count == 2
    assert found.detail == "the registry's RDAP server is rate-limiting us (it asked to wait 5 s)"


@pytest.mark.anyio
@respx.mock
@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        (
            httpx.Response(200, content=b"{not json"),
            "the registry's RDAP answer is unreadable (not JSON)",
        ),
        (
            httpx.Response(200, json={"objectClassName": "domain", "events": "none"}),
            "the registry's RDAP answer is unreadable (events is not a list)",
        ),
        (httpx.Response(503), "the registry's RDAP server answered 503"),
        (
            httpx.Response(200, content=b"\xff\xfe"),
            "the registry's RDAP answer is unreadable (not JSON)",
        ),
    ],
)
async def test_a_bad_answer_is_unknown_with_its_reason(answer, detail):
    """A malformed body or an error status is never an alarm: unknown, and why."""
    respx.get("https://rdap.verisign.com/com/v1/domain/example.com").mock(return_value=answer)
    found, _ = await lookup("example.com")
    assert (found.state, found.detail) == (DomainState.UNKNOWN, detail)


@pytest.mark.anyio
@respx.mock
async def test_an_outage_is_unknown():
    """A connection that fails is an unknown record saying the server did not answer."""
    respx.get("https://rdap.verisign.com/com/v1/domain/example.com").mock(
        side_effect=httpx.ConnectError("connection refused")
    )
    found, _ = await lookup("example.com")
    assert found.state is DomainState.UNKNOWN
    assert found.detail == "the registry's RDAP server did not answer (connection refused)"


@pytest.mark.anyio
async def test_a_tld_without_an_rdap_server_is_unknown_without_a_request():
    """No server in the bootstrap file: nothing is sent, and the note names the TLD."""
    found, _ = await lookup("example.de")
    assert found.state is DomainState.UNKNOWN
    assert found.detail == "no RDAP server is known for .de"


@pytest.mark.anyio
@respx.mock
async def test_a_redirect_to_another_rdap_server_is_followed():
    """Some registries answer with a redirect; it is followed (through the guard)."""
    respx.get("https://rdap.verisign.com/com/v1/domain/example.com").respond(
        302, headers={"location": "https://rdap.example-registrar.com/domain/example.com"}
    )
    respx.get("https://rdap.example-registrar.com/domain/example.com").respond(
        200, content=body("verisign-com.json")
    )
    found, _ = await lookup("example.com")
    assert found.state is DomainState.REGISTERED


def test_the_shipped_file_passes_the_refresh_scripts_check():
    """The shipped copy has IANA's shape, as the refresh script checks it (run offline here)."""
    path = REPO / "scripts" / "refresh_rdap_bootstrap.py"
    spec = importlib.util.spec_from_file_location("refresh_rdap_bootstrap", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    shipped = json.loads((REPO / "src" / "linkwatch" / "data" / "rdap-dns.json").read_text("utf-8"))
    assert script.check(shipped) == []
    assert script.check({"services": [[["com"], ["http://plain.example/"]]]}) == [
        "services[0] (com): no https URL",
        "net: missing",
        "org: missing",
        "uk: missing",
    ]
