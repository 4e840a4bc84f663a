"""Tests for tracking-parameter stripping: the shipped list, exactness, config, properties."""

from __future__ import annotations

import os
import tomllib
from importlib import resources
from urllib.parse import quote, unquote_plus, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkwatch import urls
from linkwatch.models import TrackingSettings

# CI (CI=true) runs each of the six properties 1,000 times: "a few thousand" examples per
# run, about 15 s. A local run takes 200 of each so the suite stays quick.
PROPERTY = settings(
    max_examples=1000 if os.environ.get("CI") else 200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

ISSUE_EXACT = [
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "gclsrc",
    "fbclid",
    "msclkid",
    "twclid",
    "ttclid",
    "li_fat_id",
    "yclid",
    "ysclid",
    "ymclid",
    "srsltid",
    "irclickid",
    "_branch_match_id",
    "mc_eid",
    "_hsenc",
    "__hssc",
    "__hstc",
    "__hsfp",
    "hsCtaTracking",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "vero_conv",
    "wickedid",
    "rb_clickid",
    "s_cid",
    "ml_subscriber",
    "ml_subscriber_hash",
    "_openstat",
    "_ga",
    "_gl",
    "guce_referrer",
    "guce_referrer_sig",
    "fb_action_ids",
    "fb_action_types",
    "fb_source",
    "fb_ref",
]
ISSUE_PREFIXES = ["utm_", "mtm_", "pk_", "itm_", "hsa_"]
ISSUE_SCOPED = {
    "igshid": ("instagram.com",),
    "igsh": ("instagram.com",),
    "si": ("youtube.com", "youtu.be", "open.spotify.com"),
    "ref_src": ("twitter.com", "x.com"),
    "ref_url": ("twitter.com", "x.com"),
}
NEVER = ["ref", "referrer", "source", "spm", "mc", "var", "s", "t", "q", "cid", "from", "feature"]


def strip(url: str, **kw: object) -> str:
    return urls.strip_tracking(url, **kw)[0]  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the list
def test_shipped_list_has_every_parameter_the_issue_names():
    """The data file lists exactly the default set: names, prefixes and host scopes."""
    params = urls.shipped_list().params
    exact = {p.name for p in params if not p.prefix and not p.hosts}
    assert exact == {n.lower() for n in ISSUE_EXACT}
    assert {p.name for p in params if p.prefix} == set(ISSUE_PREFIXES)
    assert {p.name: p.hosts for p in params if p.hosts} == ISSUE_SCOPED


def test_every_entry_names_a_known_source():
    """Each parameter says which public list it comes from."""
    shipped = urls.shipped_list()
    known = dict(shipped.sources)
    assert {"clearurls", "brave", "firefox", "firefox-share", "adguard"} <= set(known)
    for param in shipped.params:
        assert param.sources
        assert all(s in known for s in param.sources)


def test_no_entry_matches_a_never_stripped_name():
    """Names sites use for real (?ref=main) are never matched by the shipped list."""
    shipped = urls.shipped_list()
    assert shipped.never == frozenset(NEVER)
    for name in NEVER:
        for param in shipped.params:
            assert name != param.name
            assert not (param.prefix and name.startswith(param.name))


@pytest.mark.parametrize("name", NEVER)
def test_never_stripped_names_survive(name):
    """GitHub's ?ref=main and friends are kept on every host."""
    url = f"https://github.com/o/r/?{name}=main"
    assert urls.strip_tracking(url) == (url, ())


def test_data_file_is_valid_toml_and_read_once():
    """The list is parsed once per process (cached), not per URL."""
    raw = resources.files("linkwatch").joinpath("data", urls.DATA_FILE).read_text("utf-8")
    assert urls.parse_list(tomllib.loads(raw)) == urls.shipped_list()
    assert urls.shipped_list() is urls.shipped_list()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"param": [{"sources": []}]}, "exactly one of"),
        ({"param": [{"name": "a", "prefix": "b"}]}, "exactly one of"),
        ({"param": [{"name": "a", "sources": ["nowhere"]}]}, "sources"),
        ({"param": [{"name": "a"}]}, "sources"),
    ],
)
def test_malformed_entries_are_refused(data, message):
    """A broken data file fails loudly instead of silently stripping nothing."""
    with pytest.raises(ValueError, match=message):
        urls.parse_list(data)


# ----------------------------------------------------------------------- exactness
def test_pace_link_loses_gclid():
    """The seed's PACE link is cleaned to its home page."""
    url = "https://paceuk.info/?gclid=EAIaIQobChMI2Z6I5vLg4AIVAojVCh0NPQwjEAAYASAAEgIY3vD_BwE"
    assert urls.strip_tracking(url) == ("https://paceuk.info/", ("gclid",))


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/",
        "https://example.org/?",
        "https://example.org/?a=1&&b=2&",
        "https://example.org/?q=a+b&Q=%41&q=1&k=&bare#frag",
        "https://EXAMPLE.org:8443/p;x?ref=main",
        "https://example.org/#?gclid=1",
    ],
)
def test_nothing_to_strip_returns_the_same_string(url):
    """A URL with nothing to strip comes back byte-identical."""
    cleaned, removed = urls.strip_tracking(url)
    assert cleaned is url
    assert removed == ()


def test_kept_segments_are_carried_over_byte_for_byte():
    """Order, percent-encoding, '+', repeated keys, 'k=' and bare 'k' are all kept as written."""
    url = "https://e.org/p?b=%2F%2f&gclid=1&a=x+y&b=2&k=&bare&utm_source=n&z=%E2%9C%93"
    assert strip(url) == "https://e.org/p?b=%2F%2f&a=x+y&b=2&k=&bare&z=%E2%9C%93"


@pytest.mark.parametrize(
    ("url", "removed"),
    [
        ("https://e.org/?GCLID=1", ("GCLID",)),
        ("https://e.org/?Utm_Source=1", ("Utm_Source",)),
        ("https://e.org/?utm%5Fsource=1", ("utm_source",)),
        ("https://e.org/?%67clid=1", ("gclid",)),
        ("https://e.org/?HSCTATRACKING=1", ("HSCTATRACKING",)),
    ],
)
def test_matching_is_case_insensitive_on_the_decoded_name(url, removed):
    """Names match whatever their case or percent-encoding."""
    assert urls.strip_tracking(url) == ("https://e.org/", removed)


def test_no_dangling_question_mark_and_fragment_untouched():
    """When every parameter goes, so does the '?'; the fragment stays as it was."""
    assert (
        strip("https://e.org/p?gclid=1&utm_medium=x#top?gclid=2") == "https://e.org/p#top?gclid=2"
    )


def test_bare_and_empty_valued_tracking_names_are_stripped():
    """'gclid' and 'gclid=' are tracking too."""
    assert urls.strip_tracking("https://e.org/?gclid&fbclid=&a=1") == (
        "https://e.org/?a=1",
        ("gclid", "fbclid"),
    )


def test_empty_segments_go_when_the_url_is_edited():
    """Stray '&'s are dropped only when something else is removed anyway."""
    assert strip("https://e.org/?&a=1&&gclid=2&") == "https://e.org/?a=1"
    assert strip("https://e.org/?&&gclid=2&&") == "https://e.org/"


def test_semicolon_is_not_a_separator():
    """'a=1;gclid=2' is one parameter named 'a' (WHATWG URL, parse_qsl): left alone."""
    url = "https://e.org/?a=1;gclid=2"
    assert strip(url) == url
    assert strip("https://e.org/?gclid=1;a=2") == "https://e.org/"


def test_removed_names_are_reported_once_in_order():
    """Repeated tracking names are listed once, in the order first seen."""
    assert urls.strip_tracking("https://e.org/?utm_a=1&gclid=2&utm_a=3")[1] == ("utm_a", "gclid")


def test_prefix_only_matches_at_the_start():
    """'utm_' strips utm_source but not my_utm_source."""
    assert (
        strip("https://e.org/?my_utm_source=1&xutm_=2") == "https://e.org/?my_utm_source=1&xutm_=2"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.instagram.com/p/x/?igshid=1", "https://www.instagram.com/p/x/"),
        ("https://instagram.com/p/x/?igsh=1", "https://instagram.com/p/x/"),
        ("https://example.org/?igshid=1", "https://example.org/?igshid=1"),
        ("https://notinstagram.com/?igshid=1", "https://notinstagram.com/?igshid=1"),
        ("https://youtu.be/abc?si=xyz&t=42", "https://youtu.be/abc?t=42"),
        ("https://m.youtube.com/watch?v=1&si=x", "https://m.youtube.com/watch?v=1"),
        ("https://open.spotify.com/track/1?si=x", "https://open.spotify.com/track/1"),
        ("https://spotify.com/track/1?si=x", "https://spotify.com/track/1?si=x"),
        ("https://x.com/a/status/1?ref_src=twsrc", "https://x.com/a/status/1"),
        ("https://TWITTER.com./a?ref_url=1", "https://TWITTER.com./a"),
        ("https://example.org/?si=1&ref_src=2", "https://example.org/?si=1&ref_src=2"),
    ],
)
def test_host_scoped_names_apply_to_the_host_and_its_subdomains(url, expected):
    """si, igshid, ref_src are tracking only on the sites that use them that way."""
    assert strip(url) == expected


def test_unparseable_host_gets_global_rules_only():
    """A URL whose host cannot be parsed is still stripped of global names."""
    assert strip("http://[::1/?gclid=1&si=2") == "http://[::1/?si=2"


# --------------------------------------------------------------------------- config
def test_config_adds_names_and_prefixes_globally():
    """defaults.tracking.strip adds exact names and '*' prefixes."""
    cfg = TrackingSettings(strip=("sessionid", "Cmp_*"))
    assert urls.strip_tracking("https://e.org/?SessionId=1&cmp_x=2&a=3", cfg) == (
        "https://e.org/?a=3",
        ("SessionId", "cmp_x"),
    )


def test_config_adds_names_per_host():
    """defaults.tracking.hosts strips a name only on that host and its subdomains."""
    cfg = TrackingSettings(hosts=(("example.org", ("src",)), ("*.other.org", ("x_*",))))
    assert strip("https://www.example.org/?src=1", settings=cfg) == "https://www.example.org/"
    assert strip("https://example.com/?src=1", settings=cfg) == "https://example.com/?src=1"
    assert strip("https://a.other.org/?x_y=1", settings=cfg) == "https://a.other.org/"


def test_config_keep_exempts_globally_and_per_link():
    """defaults.tracking.keep and a link's keep_params win over every strip rule."""
    url = "https://e.org/?gclid=1&utm_source=2&fbclid=3"
    assert strip(url, settings=TrackingSettings(keep=("GCLID", "utm_*"))) == (
        "https://e.org/?gclid=1&utm_source=2"
    )
    assert strip(url, keep=("fbclid",)) == "https://e.org/?fbclid=3"


def test_user_may_strip_a_never_listed_name_explicitly():
    """The never list protects against linkwatch's list, not the file owner's own choice."""
    assert (
        strip("https://e.org/?ref=x", settings=TrackingSettings(strip=("ref",))) == "https://e.org/"
    )


def test_dedupe_key_ignores_tracking_and_host_case():
    """Two spellings of one link share a key."""
    assert urls.dedupe_key("https://PACEUK.info?gclid=1") == urls.dedupe_key("https://paceuk.info/")


def test_stable_id_is_short_and_stable():
    """Ids depend on the canonical form only."""
    assert urls.stable_id("https://E.org") == urls.stable_id("https://e.org/")
    assert len(urls.stable_id("https://e.org/")) == 12


# ------------------------------------------------------------------------ properties
# The oracle reads the shipped TOML itself, and decodes names and hosts with the standard
# library: nothing of urls.py (its parser, param_name, host_of) decides what it expects.
_TOML = tomllib.loads(
    resources.files("linkwatch").joinpath("data", "tracking.toml").read_text(encoding="utf-8")
)
_PARAMS = [
    (
        str(entry.get("name", entry.get("prefix"))).lower(),
        "prefix" in entry,
        tuple(str(h).lower() for h in entry.get("hosts", ())),
    )
    for entry in _TOML["param"]
]
_NEVER = {str(n).lower() for n in _TOML.get("never", {}).get("names", ())}
_LISTED_NAMES = [name for name, _, _ in _PARAMS] + [name + "id" for name, _, _ in _PARAMS]
_HOSTS = ["example.org", "www.instagram.com", "youtu.be", "x.com", "open.spotify.com", "a.b"]


def _listed(name: str, host: str) -> bool:
    """An independent oracle: is ``name`` (decoded) tracking on ``host`` by the shipped list?"""
    lowered = name.lower()
    if lowered in _NEVER:
        return False
    for listed, prefix, hosts in _PARAMS:
        hit = lowered.startswith(listed) if prefix else lowered == listed
        on_host = not hosts or any(host == h or host.endswith("." + h) for h in hosts)
        if hit and on_host:
            return True
    return False


def _name(segment: str) -> str:
    """A query segment's decoded name, as a form decodes it (``+`` is a space)."""
    return unquote_plus(segment.partition("=")[0])


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""


_CASES = st.sampled_from([str, str.upper, str.title, str.swapcase])
_ENCODINGS = st.sampled_from(
    [
        str,
        lambda n: quote(n, safe=""),
        lambda n: n.replace("_", "%5F"),
        lambda n: n.replace("_", "+"),
    ]
)
_NAMES = st.builds(
    lambda base, case, encode: encode(case(base)),
    st.one_of(
        st.sampled_from(_LISTED_NAMES + NEVER),
        st.text(alphabet="abcdefgsiu_-.", max_size=8),
    ),
    _CASES,
    _ENCODINGS,
)
"""A parameter name as it may appear in a query: listed or not, any case, maybe encoded."""


_VALUES = st.text(alphabet="abcXYZ019%+=/?:@-._~", max_size=6)


@st.composite
def _segments(draw: st.DrawFn) -> str:
    name = draw(_NAMES)
    shape = draw(st.sampled_from(["pair", "empty-value", "bare", "empty"]))
    if shape == "pair":
        return f"{name}={draw(_VALUES)}"
    if shape == "empty-value":
        return f"{name}="
    return name if shape == "bare" else ""


@st.composite
def _urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTPS"]))
    host = draw(st.sampled_from(_HOSTS))
    path = draw(st.sampled_from(["", "/", "/a/b", "/p;x=1", "/%7Euser/"]))
    query = "&".join(draw(st.lists(_segments(), max_size=6)))
    has_query = draw(st.booleans())
    fragment = draw(st.one_of(st.none(), st.text(alphabet="ab?&=gclid#", max_size=8)))
    url = f"{scheme}://{host}{path}"
    if has_query:
        url += f"?{query}"
    if fragment is not None:
        url += f"#{fragment}"
    return url


def _query_segments(url: str) -> list[str]:
    head = url.split("#", 1)[0]
    return head.split("?", 1)[1].split("&") if "?" in head else []


@PROPERTY
@given(_urls())
def test_property_idempotent(url):
    """Cleaning a clean URL changes nothing."""
    once, _ = urls.strip_tracking(url)
    assert urls.strip_tracking(once) == (once, ())


@PROPERTY
@given(_urls())
def test_property_scheme_host_path_fragment_unchanged(url):
    """Only the query may change."""
    cleaned, _ = urls.strip_tracking(url)
    before, after = urlsplit(url), urlsplit(cleaned)
    assert (after.scheme, after.netloc, after.path, after.fragment) == (
        before.scheme,
        before.netloc,
        before.path,
        before.fragment,
    )
    assert ("#" in cleaned) == ("#" in url)


@PROPERTY
@given(_urls())
def test_property_kept_segments_are_an_in_order_subsequence(url):
    """Every kept segment is an input segment, byte for byte, in the same order."""
    cleaned, removed = urls.strip_tracking(url)
    if not removed:
        assert cleaned == url
        return
    source = iter(_query_segments(url))
    for segment in _query_segments(cleaned):
        assert any(segment == candidate for candidate in source)


@PROPERTY
@given(_urls())
def test_property_no_listed_name_survives(url):
    """No segment left in the cleaned URL is on the list for that host."""
    cleaned, _ = urls.strip_tracking(url)
    host = _host(url)
    for segment in _query_segments(cleaned):
        assert not (segment and _listed(_name(segment), host))


@PROPERTY
@given(_urls())
def test_property_no_unlisted_name_is_removed(url):
    """Every non-empty segment that is not on the list is still there."""
    cleaned, removed = urls.strip_tracking(url)
    host = _host(url)
    expected = [s for s in _query_segments(url) if s and not _listed(_name(s), host)]
    if removed:
        assert [s for s in _query_segments(cleaned) if s] == expected
    assert all(_listed(name, host) for name in removed)


@PROPERTY
@given(_urls(), st.lists(st.sampled_from(_LISTED_NAMES), max_size=3))
def test_property_kept_names_are_never_removed(url, keep):
    """A per-link keep_params exemption always wins."""
    _, removed = urls.strip_tracking(url, keep=tuple(keep))
    assert not {n.lower() for n in removed} & {k.lower() for k in keep}


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://bob:hunter2@example.org/x", "https://***@example.org/x"),
        (
            "see http://TOKEN@a.example/ and ftp://u:p@b.example",
            "see http://***@a.example/ and ftp://***@b.example",
        ),
        ("https://example.org/@someone", "https://example.org/@someone"),
        ("mail me@example.org", "mail me@example.org"),
    ],
)
def test_redact_hides_credentials_only(text, shown):
    """Userinfo is hidden; an @ in a path or an e-mail address is left alone."""
    assert urls.redact(text) == shown


def test_redact_hides_a_password_holding_an_at_sign():
    """The userinfo runs to the last '@' before the host: nothing of the password shows."""
    assert urls.redact("https://user:p@ssw0rd@example.org/") == "https://***@example.org/"


def test_redact_whole_hides_white_space_in_credentials():
    """A links.yaml value is one URL: white space does not end its userinfo."""
    assert (
        urls.redact("https://user:my secret@example.org/", whole=True) == "https://***@example.org/"
    )
    # In free text, white space ends a URL: the caller passes whole=True for a lone URL.
    assert urls.redact("see https://user:my secret@example.org/") == (
        "see https://user:my secret@example.org/"
    )
