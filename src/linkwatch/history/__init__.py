"""History across runs: streaks per link (``streaks``, pure) and the state file (``statefile``).

Owns when a failing link counts (``--fail-after``), when it has recovered, and the versioned
JSON file that carries this from one run to the next (written atomically through
``listfile.fileio``, never silently lost). May import ``listfile.fileio``, ``urls``,
``models`` and ``errors``; never the network, reports, the pipeline or the CLI.
"""
