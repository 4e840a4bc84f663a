"""Sites by the public suffix list: its private section, IP addresses and unknown TLDs."""

from __future__ import annotations

import pytest

from linkwatch.judgement.sites import registrable_domain, same_site


def test_private_section_makes_each_customer_a_site():
    """alice.github.io and bob.github.io are two sites when the private section is honoured."""
    assert registrable_domain("www.alice.github.io", private_suffixes=True) == "alice.github.io"
    assert not same_site(
        "https://alice.github.io/", "https://bob.github.io/", private_suffixes=True
    )
    assert same_site("https://alice.github.io/a", "https://alice.github.io/b")
    assert same_site(
        "https://a.alice.github.io/", "https://alice.github.io/", private_suffixes=True
    )


def test_without_the_private_section_github_io_is_one_site():
    """The ICANN section alone sees github.io as the registrable domain."""
    assert registrable_domain("alice.github.io") == "github.io"
    assert same_site("https://alice.github.io/", "https://bob.github.io/")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("::1", "::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("localhost", "localhost"),
        ("WWW.NSPCC.ORG.UK.", "nspcc.org.uk"),
        ("co.uk", "co.uk"),
        ("www.bücher.de", "bücher.de"),
        ("www.xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("foo.bar.blogspot.com", "blogspot.com"),
        # A TLD the list does not know: the host is its own site (the stricter reading).
        ("www.example.internal", "www.example.internal"),
    ],
)
def test_registrable_domain_edge_cases(host, expected):
    """Addresses, bare names, a suffix alone, IDNs and unknown TLDs."""
    assert registrable_domain(host) == expected


def test_blogspot_customers_are_sites_with_the_private_section():
    """The private section splits blogspot.com by customer."""
    assert registrable_domain("foo.bar.blogspot.com", private_suffixes=True) == "bar.blogspot.com"
