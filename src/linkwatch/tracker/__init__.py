"""Issue-tracker sync: one issue per persistently failing link (``plan`` pure, ``github`` I/O)."""
