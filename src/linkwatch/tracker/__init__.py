"""Issue-tracker sync: one issue per persistently failing link (``plan`` pure, ``github`` I/O).

Owns what the tracker should show (``plan``, ``body``: pure, from a report and the history),
talking to GitHub's REST API (``github``) and carrying a plan out (``sync``). May import
``history``, ``report`` (its neutralising, for plan lines), ``models``, ``errors`` and
``urls``; never the network layer (GitHub is reached with its own small httpx client), the
pipeline or the CLI.
"""
