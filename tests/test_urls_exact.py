"""URL cleaning at its edges, with literal expected strings (no helper of urls.py builds them):
dedupe keys, default ports, fragments holding `#` or `?`, queries with no `?`, prefixes."""

from __future__ import annotations

import hashlib

import pytest

from linkwatch import urls
from linkwatch.models import TrackingSettings


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("HTTPS://WWW.Example.ORG/Path?b=1&utm_source=x#F", "https://www.example.org/Path?b=1#F"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("http://example.org:80/a", "http://example.org/a"),
        ("https://example.org:80/a", "https://example.org:80/a"),
        ("http://example.org:443/a", "http://example.org:443/a"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        ("https://example.org", "https://example.org/"),
        ("http://[::1]:8080/a", "http://[::1]:8080/a"),
        ("http://[::1]/a", "http://[::1]/a"),
        ("ftp://example.org:21/a", "ftp://example.org:21/a"),
        ("file:///srv/a", "file:///srv/a"),
    ],
)
def test_dedupe_key_exact(url, key):
    assert urls.dedupe_key(url) == key


def test_dedupe_key_uses_the_files_own_tracking_settings():
    settings = TrackingSettings(strip=("ref",))
    assert urls.dedupe_key("https://x.org/a?ref=home&b=2", settings) == "https://x.org/a?b=2"
    assert urls.dedupe_key("https://x.org/a?ref=home&b=2") == "https://x.org/a?ref=home&b=2"


def test_stable_id_is_the_hash_of_the_dedupe_key():
    expected = hashlib.sha256(b"https://x.org/a").hexdigest()[:12]
    assert urls.stable_id("HTTPS://X.ORG:443/a") == expected
    assert urls.stable_id("https://x.org/a?utm_source=1") == expected


def test_a_hash_inside_the_fragment_stays_in_the_fragment():
    url = "https://x.org/?a=1&utm_source=2#f#utm_medium=3"
    assert urls.strip_tracking(url) == ("https://x.org/?a=1#f#utm_medium=3", ("utm_source",))


def test_a_url_that_is_only_a_fragment_is_left_alone():
    assert urls.strip_tracking("#?utm_source=1") == ("#?utm_source=1", ())


def test_an_ampersand_without_a_question_mark_is_not_a_query():
    url = "https://x.org/a&utm_source=1"
    assert urls.strip_tracking(url) == (url, ())


def test_a_query_at_the_very_start_is_a_query():
    assert urls.strip_tracking("?utm_source=1&a=2") == ("?a=2", ("utm_source",))


def test_a_one_letter_query_is_checked():
    settings = TrackingSettings(strip=("a",))
    assert urls.strip_tracking("https://x.org/?a", settings) == ("https://x.org/", ("a",))
    assert urls.strip_tracking("https://x.org/?", settings) == ("https://x.org/?", ())


def test_config_patterns_are_case_blind_and_a_star_is_a_prefix_of_exactly_what_precedes_it():
    settings = TrackingSettings(strip=("Foo_*", "BAR"))
    assert urls.strip_tracking("https://x.org/?foo_id=1&foox=2&bar=3&Bar2=4", settings) == (
        "https://x.org/?foox=2&Bar2=4",
        ("foo_id", "bar"),
    )
    keep = TrackingSettings(keep=("UTM_*",))
    assert urls.strip_tracking("https://x.org/?utm_source=1", keep) == (
        "https://x.org/?utm_source=1",
        (),
    )


def test_host_of_exact():
    assert urls.host_of("https://WWW.X.ORG./a") == "www.x.org"
    assert urls.host_of("mailto:a@x.org") == ""
    assert urls.host_of("http://[::1/a") == ""


def test_parse_list_without_params_or_never():
    parsed = urls.parse_list({"sources": {"a": "A"}})
    assert (parsed.params, parsed.never, parsed.sources) == ((), frozenset(), (("a", "A"),))
    parsed = urls.parse_list({"never": {}})
    assert parsed.never == frozenset()


def test_parse_list_exactly():
    parsed = urls.parse_list(
        {
            "sources": {"a": "Source A"},
            "param": [
                {"name": "Utm_X", "sources": ["a"], "hosts": ["X.org"]},
                {"prefix": "Ref_", "sources": ["a"]},
            ],
            "never": {"names": ["Keep"]},
        }
    )
    assert parsed == urls.TrackingList(
        (
            urls.TrackingParam("utm_x", prefix=False, hosts=("x.org",), sources=("a",)),
            urls.TrackingParam("ref_", prefix=True, hosts=(), sources=("a",)),
        ),
        frozenset({"keep"}),
        (("a", "Source A"),),
    )
