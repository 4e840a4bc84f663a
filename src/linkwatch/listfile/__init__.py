"""The list file, links.yaml: reading YAML safely, the schema and validation, in-place edits.

Owns ``yamlsrc`` (a YAML reader that keeps lines and columns), ``kinds`` (the field kinds
the schema is built from), ``config`` (schema v1 and validation into ``models.Config``),
``rewrite`` (changing only URL scalars), ``fileio`` (atomic writes, used by every file
linkwatch writes), ``clean``, ``fix`` and ``scaffold``
(``init``). May import ``report`` (to neutralise text it prints), ``judgement``, ``urls``,
``models`` and ``errors``; never the network, history, importing, the pipeline or the CLI.
"""
