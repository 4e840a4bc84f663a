"""Per-host settings in links.yaml: headers from the environment (sent to that host only),
accepted codes, concurrency, the least interval between requests, the user agent."""

from __future__ import annotations

import json
import textwrap

import pytest

from conftest import link
from linkwatch.errors import ConfigError
from linkwatch.listfile import config
from linkwatch.models import CodeRange, HostSettings, Link, host_settings
from linkwatch.network.client import ClientOptions, build_client
from linkwatch.network.probe import Prober, ProbeSettings
from linkwatch.pipeline import scheduler
from linkwatch.pipeline.check import CheckSettings, check
from linkwatch.report import OutputFormat
from loopback import respond

SECRET = "s3cret-token-value"


def load(text: str, environ=None):
    return config.loads(textwrap.dedent(text), "links.yaml", environ=environ)


def problems(text: str, environ=None) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load(text, environ)
    return [str(p) for p in raised.value.problems]


HOSTS = """\
    version: 1
    hosts:
      intranet.example.org:
        headers:
          Authorization: Bearer ${INTRANET_TOKEN}
          X-Price: $$5
        accept: [200, 401]
        concurrency: 1
        interval: 2.5
        user_agent: Example Constabulary link checker
      "*.example.org":
        headers: {X-Any: hello}
    links:
      - name: Intranet
        url: https://intranet.example.org/page
      - name: Public
        url: https://www.example.org/
        accept: 204
"""


# ------------------------------------------------------------------- the file
def test_host_settings_load_with_values_from_the_environment():
    """${NAME} is read from the environment, $$ is a dollar; the host's accept applies."""
    cfg = load(HOSTS, {"INTRANET_TOKEN": SECRET})
    intranet, anywhere = cfg.hosts
    assert intranet.pattern == "intranet.example.org"
    assert intranet.headers == (("Authorization", f"Bearer {SECRET}"), ("X-Price", "$5"))
    assert (intranet.concurrency, intranet.interval) == (1, 2.5)
    assert intranet.user_agent == "Example Constabulary link checker"
    assert anywhere.headers == (("X-Any", "hello"),)
    assert cfg.links[0].policy.accept == (CodeRange(200, 200), CodeRange(401, 401))
    assert cfg.links[1].policy.accept == (CodeRange(204, 204),)  # a link's own wins


def test_header_values_are_never_shown():
    """A host's repr names its headers, never their values (they may be secrets)."""
    cfg = load(HOSTS, {"INTRANET_TOKEN": SECRET})
    assert SECRET not in repr(cfg)
    assert repr(cfg.hosts[0]) == (
        "HostSettings('intranet.example.org', headers=[Authorization, X-Price] (values hidden))"
    )


def test_without_an_environment_values_stay_as_written():
    """Commands that do not send requests (clean, fix) need no secrets set."""
    assert load(HOSTS).hosts[0].headers[0] == ("Authorization", "Bearer ${INTRANET_TOKEN}")


def test_unset_variable_is_a_located_error():
    """A referenced variable that is not set is an error at the value, never an empty header."""
    assert problems(HOSTS, {}) == [
        (
            "links.yaml:5:22: hosts.intranet.example.org.headers.Authorization: the environment"
            " variable INTRANET_TOKEN is not set; set it (a CI secret, say) or remove the header"
        )
    ]


def test_variable_with_a_line_break_is_refused_without_its_value():
    """A value that would split the request head is refused; the message names the variable."""
    [message] = problems(HOSTS, {"INTRANET_TOKEN": "abc\r\nX-Evil: 1"})
    assert message == (
        "links.yaml:5:22: hosts.intranet.example.org.headers.Authorization: the environment"
        " variable INTRANET_TOKEN holds a line break"
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "headers: {Authorization: Bearer $TOKEN}",
            (
                "links.yaml:4:30: hosts.h.example.headers.Authorization: has a lone '$'; write"
                " ${NAME} for a variable, $$ for a '$'"
            ),
        ),
        (
            "headers: {Host: other.example}",
            "links.yaml:4:15: hosts.h.example.headers: 'Host' is a header linkwatch sets itself",
        ),
        (
            "headers: {User-Agent: x}",
            (
                "links.yaml:4:15: hosts.h.example.headers: 'User-Agent' is set with the host's `user_agent`"
                " key"
            ),
        ),
        (
            "headers: {'Bad Name': x}",
            "links.yaml:4:15: hosts.h.example.headers: 'Bad Name' is not a header name",
        ),
        (
            "concurrency: 0",
            "links.yaml:4:18: hosts.h.example.concurrency: 0 is out of range; use 1 to 256",
        ),
        (
            "interval: -1",
            "links.yaml:4:15: hosts.h.example.interval: -1 is out of range; use 0 to 3600 seconds",
        ),
        (
            "acept: 200",
            (
                "links.yaml:4:5: hosts.h.example.acept: unknown key 'acept' \u2014 did you mean"
                " 'accept'?"
            ),
        ),
    ],
)
def test_each_kind_of_mistake_is_located(entry, message):
    """validate says where each new kind of mistake is, and what to do."""
    text = f"version: 1\nhosts:\n  h.example:\n    {entry}\nlinks: []\n"
    assert problems(text, {}) == [message]


def test_bad_host_key_is_located():
    """A host key must be a host name (or *. and one)."""
    assert problems(
        "version: 1\nhosts:\n  'https://x.example/':\n    interval: 1\nlinks: []\n"
    ) == [
        "links.yaml:3:3: hosts: 'https://x.example/' has an invalid host name 'https://x.example/'"
    ]


@pytest.mark.parametrize(
    ("host", "pattern"),
    [
        ("intranet.example.org", "intranet.example.org"),
        ("INTRANET.example.org.", "intranet.example.org"),
        ("www.example.org", "*.example.org"),
        ("a.intranet.example.org", "*.example.org"),
        ("example.org", None),  # *.example.org is the subdomains only
        ("badexample.org", None),
    ],
)
def test_host_matching(host, pattern):
    """The host's own entry first, else the longest *. pattern; *.x never covers x itself."""
    hosts = (
        HostSettings("*.example.org"),
        HostSettings("intranet.example.org"),
    )
    found = host_settings(hosts, host)
    assert (found.pattern if found else None) == pattern


# ------------------------------------------------------------ on the network
@pytest.fixture
def intranet(server):
    """/page answers 200 only with the token (401 without); /moves redirects to another host."""
    seen: list[dict[str, str]] = []

    @server.route("/page")
    async def page(request, reader, writer):
        seen.append(request.headers)
        ok = request.headers.get("authorization") == f"Bearer {SECRET}"
        await respond(writer, 200 if ok else 401, head=request.method == "HEAD")

    @server.route("/moves")
    async def moves(request, reader, writer):
        seen.append(request.headers)
        await respond(writer, 302, {"Location": f"http://localhost:{server.port}/landing"})

    @server.route("/landing")
    async def landing(request, reader, writer):
        seen.append(request.headers)
        await respond(writer, 200, head=request.method == "HEAD")

    server.seen = seen
    return server


def host_list(tmp_path, server, *paths: str):
    entries = "".join(
        f"  - name: link {i}\n    url: http://127.0.0.1:{server.port}{p}\n"
        for i, p in enumerate(paths)
    )
    path = tmp_path / "links.yaml"
    path.write_text(
        "version: 1\nhosts:\n  127.0.0.1:\n    headers:\n"
        "      Authorization: Bearer ${INTRANET_TOKEN}\n"
        "    user_agent: Intranet checker\n"
        f"links:\n{entries}",
        encoding="utf-8",
    )
    return path


def test_host_that_requires_a_header_gets_it_and_nothing_shows_it(tmp_path, intranet):
    """The token reaches the host; neither the report nor its text contain it."""
    result = check(
        CheckSettings(
            config=host_list(tmp_path, intranet, "/page"),
            allow_private=True,
            environ={"INTRANET_TOKEN": SECRET},
            format=OutputFormat.JSON,
        )
    )
    assert result.exit_code == 0
    [record] = json.loads(result.text)["links"]
    assert (record["status"], record["http_status"]) == ("ok", 200)
    [headers] = intranet.seen
    assert headers["authorization"] == f"Bearer {SECRET}"
    assert headers["user-agent"] == "Intranet checker"
    assert SECRET not in result.text
    assert SECRET not in repr(result.report)


def test_without_the_header_the_host_refuses(tmp_path, intranet):
    """The same page without a hosts entry answers 401: the header is what made it work."""
    path = tmp_path / "links.yaml"
    path.write_text(
        f"version: 1\nlinks:\n  - name: A\n    url: http://127.0.0.1:{intranet.port}/page\n",
        encoding="utf-8",
    )
    result = check(CheckSettings(config=path, allow_private=True, format=OutputFormat.JSON))
    [record] = json.loads(result.text)["links"]
    assert (record["status"], record["http_status"]) == ("blocked", 401)
    assert "authorization" not in intranet.seen[0]


def test_headers_are_not_sent_after_a_redirect_to_another_host(tmp_path, intranet):
    """127.0.0.1 redirects to localhost: the hop to localhost carries no token."""
    result = check(
        CheckSettings(
            config=host_list(tmp_path, intranet, "/moves"),
            allow_private=True,
            environ={"INTRANET_TOKEN": SECRET},
            format=OutputFormat.JSON,
        )
    )
    [record] = json.loads(result.text)["links"]
    assert record["final_url"] == f"http://localhost:{intranet.port}/landing"
    first, landing = intranet.seen
    assert first["authorization"] == f"Bearer {SECRET}"
    assert "authorization" not in landing
    assert landing["user-agent"] != "Intranet checker"


def test_unset_variable_stops_the_check_before_any_request(tmp_path, intranet):
    """check with the token unset: exit 2, located, nothing requested."""
    path = host_list(tmp_path, intranet, "/page")
    with pytest.raises(ConfigError) as raised:
        check(CheckSettings(config=path, allow_private=True, environ={}))
    assert str(raised.value) == (
        f"{path}:5:22: hosts.127.0.0.1.headers.Authorization: the environment variable"
        " INTRANET_TOKEN is not set; set it (a CI secret, say) or remove the header"
    )
    assert intranet.seen == []


@pytest.mark.anyio
async def test_interval_spaces_requests_to_the_host(server):
    """interval: each request to the host waits its turn; other hosts do not wait."""

    @server.route("/a")
    async def page(request, reader, writer):
        await respond(writer, 200)

    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    hosts = (HostSettings("127.0.0.1", interval=2.5),)
    async with build_client(ClientOptions(allow_private=True)) as client:
        prober = Prober(client, ProbeSettings(), clock=lambda: now[0], sleep=sleep, hosts=hosts)
        for _ in range(3):
            observation = await prober.probe(server.url("/a"), link().policy)
            assert observation.status_code == 200
        other = await prober.probe(server.url("/a", host="localhost"), link().policy)
    assert other.status_code == 200
    assert slept == [2.5, 2.5]
    assert server.hits["/a"] == 4


@pytest.mark.anyio
async def test_host_concurrency_replaces_the_per_host_limit():
    """hosts.NAME.concurrency: 1 holds that host to one link at a time; others keep theirs."""

    def job(host: str, index: int) -> scheduler._Job:
        url = f"https://{host}/{index}"
        entry = Link(index, "x", url, 1, 1, 1, 1)
        return scheduler._Job(entry, url, (), host)

    jobs = [
        job("slow.example", 0),
        job("slow.example", 1),
        job("a.example", 2),
        job("a.example", 3),
    ]
    limits = scheduler._Scheduler(jobs, 4, 16, (HostSettings("slow.example", concurrency=1),))
    taken = [await limits.take() for _ in range(3)]
    assert [t.link.index for t, _ in taken] == [0, 2, 3]
    limits.release(taken[0][1])
    job_1, _ = await limits.take()
    assert job_1.link.index == 1


def test_international_host_names_match_in_either_form():
    """A key written in Unicode covers the host however a URL spells it (IDNA A-labels)."""
    cfg = load(
        """\
        version: 1
        hosts:
          "*.straße.example":
            interval: 1
        links: []
        """
    )
    [entry] = cfg.hosts
    assert entry.pattern == "*.straße.example"
    assert host_settings(cfg.hosts, "www.straße.example") is entry
    assert host_settings(cfg.hosts, "www.xn--strae-oqa.example") is entry


@pytest.mark.anyio
async def test_an_interval_alone_means_one_link_at_a_time_on_that_host():
    """A host with an interval and no concurrency takes one link at a time."""

    def job(host: str, index: int) -> scheduler._Job:
        url = f"https://{host}/{index}"
        return scheduler._Job(Link(index, "x", url, 1, 1, 1, 1), url, (), host)

    jobs = [job("paced.example", 0), job("paced.example", 1), job("a.example", 2)]
    limits = scheduler._Scheduler(jobs, 4, 16, (HostSettings("paced.example", interval=3),))
    taken = [await limits.take() for _ in range(2)]
    assert [t.link.index for t, _ in taken] == [0, 2]


@pytest.mark.anyio
async def test_interval_paces_a_redirect_hop_and_the_first_wait_is_outside_the_deadline(server):
    """The hop after a redirect to the same host waits its turn too; the first request's
    wait comes before the link's clock starts, so it never eats the link's timeout."""

    @server.route("/from")
    async def moved(request, reader, writer):
        await respond(writer, 301, {"Location": "/to"})

    @server.route("/to")
    async def landed(request, reader, writer):
        await respond(writer, 200)

    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    hosts = (HostSettings("127.0.0.1", interval=50.0),)
    async with build_client(ClientOptions(allow_private=True)) as client:
        prober = Prober(client, ProbeSettings(), clock=lambda: now[0], sleep=sleep, hosts=hosts)
        first = await prober.probe(server.url("/to"), link(timeout=60).policy)
        second = await prober.probe(server.url("/from"), link(timeout=60).policy)
    assert (first.status_code, first.elapsed_ms) == (200, 0)
    assert [hop.status_code for hop in second.hops] == [301, 200]
    assert slept == [50.0, 50.0]
    assert second.elapsed_ms == 50_000  # the hop's wait, not the first one's
    assert second.failure is None
