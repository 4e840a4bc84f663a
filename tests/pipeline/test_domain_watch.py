"""The domain watch in a whole run, against a fake RDAP service on 127.0.0.1.

The links' host names resolve to the loopback site through a mapping resolver; the fake
registry answers with the registries' documented shapes (tests/data/rdap).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from conftest import DATA
from linkwatch.cli.app import app
from linkwatch.models import DomainState, Flag, Status
from linkwatch.network import rdap
from linkwatch.network.client import mapping_resolver, system_resolver
from linkwatch.network.rdap import RdapSettings
from linkwatch.pipeline import check as pipeline_check
from linkwatch.pipeline.check import CheckSettings, check
from linkwatch.report import OutputFormat
from loopback import Server, closed_port, respond

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
HOSTS = [
    "www.expiring-soon.com",
    "www.stop-cse.org",
    "www.nspcc.org.uk",
    "www.gone-for-good.org",
    "www.veilig-online.nl",
]
DOMAIN = {
    "expiring-soon.com": "verisign-com.json",
    "stop-cse.org": "pir-org-redacted.json",
    "nspcc.org.uk": "nominet-uk.json",
    "veilig-online.nl": "sidn-nl-no-expiry.json",
}


@pytest.fixture
def site(server):
    @server.route("/page")
    async def page(request, reader, writer):
        await respond(writer, 200, {"Content-Type": "text/html"}, b"<title>Help</title>")

    return server


@pytest.fixture
def registry():
    """A fake RDAP service: each documented answer at /rdap/domain/NAME, 404 for the rest."""
    srv = Server()
    for name, fixture in DOMAIN.items():
        content = (DATA / "rdap" / fixture).read_bytes()

        async def answer(request, reader, writer, content=content):
            await respond(writer, 200, {"Content-Type": "application/rdap+json"}, content)

        srv.route(f"/rdap/domain/{name}")(answer)

    async def gone(request, reader, writer):
        not_found = (DATA / "rdap" / "not-found.json").read_bytes()
        await respond(writer, 404, {"Content-Type": "application/rdap+json"}, not_found)

    srv.route("/rdap/domain/gone-for-good.org")(gone)
    srv.start()
    yield srv
    srv.stop()


def write_list(tmp_path, site, entries):
    """links.yaml with one link per (host, extra YAML lines)."""
    text = "version: 1\nlinks:\n"
    for i, (host, extra, *path) in enumerate(entries):
        where = path[0] if path else "/page"
        text += f"  - name: link {i}\n    url: http://{host}:{site.port}{where}\n{extra}"
    path = tmp_path / "links.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def settings(tmp_path, site, registry, entries, **overrides):
    # The hosts answer from the loopback site; other names have no DNS (the tests are offline).
    table = dict.fromkeys(HOSTS, "127.0.0.1") | {"nspcc.org.uk": "127.0.0.1"}
    resolver = mapping_resolver(table, fallback=system_resolver)
    base = {
        "config": write_list(tmp_path, site, entries),
        "allow_private": True,
        "resolver": resolver,
        "rdap": RdapSettings(base_url=registry.url("/rdap/")),
        "now": lambda: NOW,
        "format": OutputFormat.JSON,
    }
    return CheckSettings(**(base | overrides))


def by_name(result):
    return {o.link.name: o for o in result.report.outcomes}


def test_a_domain_expiring_in_ten_days_is_a_warning(tmp_path, site, registry):
    """Expiring in 10 days: domain_expiring with its date and action; the run passes."""
    result = check(settings(tmp_path, site, registry, [("www.expiring-soon.com", "")]))
    [outcome] = result.report.outcomes
    assert result.exit_code == 0
    assert outcome.status is Status.OK
    assert outcome.flags == (Flag.DOMAIN_EXPIRING,)
    [note] = outcome.notes
    assert note.text == "expiring-soon.com expires on 2026-12-16 (in 10 days)."
    assert outcome.action == "Tell the domain's owner to renew it before it lapses."
    assert outcome.domain is not None
    assert outcome.domain.state is DomainState.REGISTERED


def test_an_unregistered_domain_fails_the_run_with_its_reason(tmp_path, site, registry):
    """RDAP 404 and no DNS for the domain: domain_unregistered, exit 1, though the page answers."""
    result = check(settings(tmp_path, site, registry, [("www.gone-for-good.org", "")]))
    [outcome] = result.report.outcomes
    assert result.exit_code == 1
    assert outcome.status is Status.OK  # the page itself still answers (a cached host, say)
    assert outcome.flags == (Flag.DOMAIN_UNREGISTERED,)
    assert [n.text for n in outcome.notes] == [
        (
            "gone-for-good.org is not registered: its registry has no record of it and it has no"
            " DNS, so anyone can buy it."
        )
    ]
    assert outcome.action.startswith("Remove the link now, or ask the organisation")


def test_a_domain_registered_after_the_review_date_fails_the_run(tmp_path, site, registry):
    """stop-cse.org, registered in 2024 after its link was reviewed in 2019: changed hands."""
    entries = [("www.stop-cse.org", "    reviewed: 2019-03-18\n")]
    result = check(settings(tmp_path, site, registry, entries))
    [outcome] = result.report.outcomes
    assert result.exit_code == 1
    assert outcome.flags == (Flag.DOMAIN_CHANGED_HANDS,)
    assert [n.text for n in outcome.notes] == [
        (
            "stop-cse.org was registered on 2024-05-01, after this link was reviewed on"
            " 2019-03-18: the domain may have changed hands."
        )
    ]


def test_without_a_review_date_the_first_run_is_the_vetted_date(tmp_path, site, registry):
    """No `reviewed:` and no history: the link is vetted today, so nothing changed hands."""
    result = check(settings(tmp_path, site, registry, [("www.stop-cse.org", "")]))
    assert result.exit_code == 0
    assert result.report.outcomes[0].flags == ()


def test_the_state_files_first_sighting_is_the_vetted_date(tmp_path, site, registry):
    """A link first seen (state file) in 2023, its domain registered in 2024: changed hands."""
    state = tmp_path / "state.json"
    first = settings(tmp_path, site, registry, [("www.stop-cse.org", "")], state=state)
    # The first run happened in 2023, before the domain was registered again.
    early = datetime(2023, 1, 5, 2, 0, tzinfo=UTC)
    check(CheckSettings(**{**_fields(first), "now": lambda: early, "domains": False}))
    result = check(first)
    [outcome] = result.report.outcomes
    assert result.exit_code == 1
    assert [n.text for n in outcome.notes] == [
        (
            "stop-cse.org was registered on 2024-05-01, after this link was first seen by linkwatch"
            " on 2023-01-05: the domain may have changed hands."
        )
    ]


def _fields(settings_):
    return {name: getattr(settings_, name) for name in CheckSettings.__slots__}


def test_an_rdap_outage_changes_no_exit_code(tmp_path, site, registry):
    """The registry answering 503 (or not at all) is a note; the exit code is --no-domains'."""
    entries = [("www.gone-for-good.org", ""), ("www.expiring-soon.com", "")]

    @registry.route("/rdap/domain/gone-for-good.org")
    @registry.route("/rdap/domain/expiring-soon.com")
    async def down(request, reader, writer):
        await respond(writer, 503)

    outage = check(settings(tmp_path, site, registry, entries))
    off = check(settings(tmp_path, site, registry, entries, domains=False))
    assert outage.exit_code == off.exit_code == 0
    assert [o.flags for o in outage.report.outcomes] == [(), ()]
    assert outage.report.domain_notes == (
        "gone-for-good.org: the registry's RDAP server answered 503; not judged this run",
        "expiring-soon.com: the registry's RDAP server answered 503; not judged this run",
    )
    assert off.report.domain_notes == ()
    assert json.loads(outage.text)["domain_notes"] == list(outage.report.domain_notes)


def test_a_registry_that_is_not_listening_is_a_note(tmp_path, site, registry):
    """A closed port where the registry should be: a note, exit 0."""
    dead = RdapSettings(base_url=f"http://127.0.0.1:{closed_port()}/rdap/", timeout=5)
    result = check(settings(tmp_path, site, registry, [("www.nspcc.org.uk", "")], rdap=dead))
    assert result.exit_code == 0
    [note] = result.report.domain_notes
    assert note.startswith("nspcc.org.uk: the registry's RDAP server did not answer (")


def test_one_lookup_per_domain_and_none_with_no_domains(tmp_path, site, registry):
    """Three links on one domain ask its registry once; --no-domains asks nothing."""
    entries = [("www.nspcc.org.uk", ""), ("nspcc.org.uk", ""), ("www.nspcc.org.uk", "", "/page?x")]
    result = check(settings(tmp_path, site, registry, entries))
    assert result.exit_code == 0
    assert registry.hits["/rdap/domain/nspcc.org.uk"] == 1
    assert {o.domain.domain for o in result.report.outcomes if o.domain} == {"nspcc.org.uk"}
    check(settings(tmp_path, site, registry, entries, domains=False))
    assert registry.hits["/rdap/domain/nspcc.org.uk"] == 1


def test_lookups_are_cached_in_the_state_file_for_a_week(tmp_path, site, registry):
    """A second run within a week reads the cache; after a week the registry is asked again."""
    state = tmp_path / "state.json"
    base = settings(tmp_path, site, registry, [("www.nspcc.org.uk", "")], state=state)
    check(base)
    cached = json.loads(state.read_text("utf-8"))["domains"]["nspcc.org.uk"]
    assert cached["state"] == "registered"
    assert cached["looked_up"] == "2026-12-06T02:00:00Z"
    later = {**_fields(base), "now": lambda: NOW + timedelta(days=6)}
    check(CheckSettings(**later))
    assert registry.hits["/rdap/domain/nspcc.org.uk"] == 1
    week = {**_fields(base), "now": lambda: NOW + timedelta(days=7)}
    check(CheckSettings(**week))
    assert registry.hits["/rdap/domain/nspcc.org.uk"] == 2


def test_a_record_without_expiry_and_an_ip_link_raise_nothing(tmp_path, site, registry):
    """No expiration event: no flag; a link to an IP address is not looked up."""
    entries = [("www.veilig-online.nl", ""), ("127.0.0.1", "")]
    result = check(settings(tmp_path, site, registry, entries))
    assert result.exit_code == 0
    assert [o.flags for o in result.report.outcomes] == [(), ()]
    assert dict(registry.hits) == {"/rdap/domain/veilig-online.nl": 1}


def test_review_reminders_come_from_the_lists_interval(tmp_path, site, registry):
    """review_every_days: 365 and a link reviewed in 2019: review_due, not failing."""
    entries = [("www.nspcc.org.uk", "    reviewed: 2019-03-18\n")]
    run = settings(tmp_path, site, registry, entries, domains=False)
    text = run.config.read_text("utf-8")
    run.config.write_text(text.replace("links:", "defaults:\n  review_every_days: 365\nlinks:"))
    result = check(run)
    [outcome] = result.report.outcomes
    assert result.exit_code == 0
    assert outcome.flags == (Flag.REVIEW_DUE,)
    assert [n.text for n in outcome.notes] == [
        (
            "Due for review since 2020-03-17: reviewed on 2019-03-18, and the list asks for a look"
            " every 365 days."
        )
    ]


def test_the_cli_fails_on_a_changed_domain_and_shows_why(tmp_path, site, registry, monkeypatch):
    """`linkwatch check` with LINKWATCH_RDAP_URL: exit 1, the reason and action in the table.

    (Only a change of hands here: the CLI runs on today's clock, and 2024 is after 2019 on
    any day this test runs.)
    """
    entries = [("www.stop-cse.org", "    reviewed: 2019-03-18\n")]
    path = write_list(tmp_path, site, entries)
    hosts = mapping_resolver(dict.fromkeys(HOSTS, "127.0.0.1"), fallback=system_resolver)
    monkeypatch.setattr(pipeline_check, "system_resolver", hosts)
    result = CliRunner().invoke(
        app,
        ["check", "--config", str(path), "--allow-private"],
        env={"LINKWATCH_RDAP_URL": registry.url("/rdap/")},
    )
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    assert (
        "· do: Open the link and check the site still belongs to the organisation you vetted."
        " If it does, set `reviewed:` to today's date; if not, remove the link. domain:"
        " stop-cse.org was registered on 2024-05-01, after this link was reviewed on"
        " 2019-03-18: the domain may have changed hands."
    ) in out
    assert "flags: domain_changed_hands" in out


def test_a_bug_in_a_lookup_is_a_note_not_a_crash(tmp_path, site, registry, monkeypatch):
    """Whatever a lookup raises, the run finishes with the link judged and a note."""

    async def broken(*args, **kwargs):
        raise TypeError("unexpected")

    monkeypatch.setattr(rdap, "lookup", broken)
    result = check(settings(tmp_path, site, registry, [("www.nspcc.org.uk", "")]))
    assert result.exit_code == 0
    assert result.report.domain_notes == (
        (
            "nspcc.org.uk: the lookup failed inside linkwatch (TypeError); please report it;"
            " not judged this run"
        ),
    )
