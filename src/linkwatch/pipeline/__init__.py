"""The runs the CLI, the GitHub Action and Python users start: ``check`` and ``sync github``.

Owns the order of a run (load → shard → state → run → remember → deliver, in ``check.py``),
the scheduler that spreads probes over hosts (``scheduler.py``), the domain watch's lookups
and cache (``domains.py``), shards, archive suggestions and delivering a report to a file or
to the caller. May import every layer below it (tracker, importing, history, listfile,
report, network, judgement, urls, models, errors); never ``cli``.
"""
