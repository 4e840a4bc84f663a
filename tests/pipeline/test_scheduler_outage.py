"""Outage detection is not switched off by links the address guard refused: a private
address is never probed, so it neither proves the network works nor hides that it does not."""

from __future__ import annotations

import pytest

from linkwatch.models import Status
from pipeline.test_scheduler import make_config, run

pytestmark = pytest.mark.anyio

NOT_CHECKED = "not checked: the network is unavailable (no link got past DNS or a connection)"


async def test_private_address_skips_do_not_hide_an_outage():
    cfg = make_config(
        ["https://a.example.org/", "http://10.0.0.1/", "https://b.example.net/"],
    )
    report = await run(cfg, allow_private=False)
    assert report.network_unavailable is True
    assert [(o.status, o.reason) for o in report.outcomes] == [
        (Status.ERROR, NOT_CHECKED),
        (Status.SKIPPED, "not requested: 10.0.0.1 is a non-public address"),
        (Status.ERROR, NOT_CHECKED),
    ]


async def test_only_private_addresses_is_not_an_outage():
    report = await run(make_config(["http://10.0.0.1/", "http://10.0.0.2/"]), allow_private=False)
    assert report.network_unavailable is False
    assert [o.status for o in report.outcomes] == [Status.SKIPPED, Status.SKIPPED]
