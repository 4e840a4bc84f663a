"""The network: the HTTP/1.1 transport, the client with its address guard and DNS, the probe.

Owns every byte sent and received (``wire``), which addresses may be reached and how names
are resolved (``client``), and one link's requests, redirects, retries and deadline turned
into an ``Observation`` (``probe``), and a registry's RDAP answer about a domain
(``rdap``). The only layer that imports httpx. May import ``judgement`` (``sites``,
``domains``), ``urls``, ``models`` and ``errors``; nothing above it.
"""
