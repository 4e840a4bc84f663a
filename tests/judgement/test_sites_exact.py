"""Site comparison at its edges: trailing dots on addresses, URLs without a host."""

from __future__ import annotations

from linkwatch.judgement.sites import registrable_domain, same_site


def test_an_address_with_a_trailing_dot_is_the_address():
    assert registrable_domain("127.0.0.1.") == "127.0.0.1"
    assert registrable_domain("www.example.org.") == "example.org"


def test_a_leading_dot_is_not_stripped():
    assert registrable_domain(".127.0.0.1") == ".127.0.0.1"


def test_urls_without_a_host_are_one_site_and_never_the_same_as_a_host():
    assert same_site("mailto:a@x.org", "data:,hello") is True
    assert same_site("https://x.org/", "mailto:a@x.org") is False


def test_same_site_ignores_host_case_on_either_side():
    assert same_site("https://WWW.Example.org/a", "https://example.ORG/b") is True
    assert same_site("https://a.Example.org/", "https://b.example.net/") is False
