"""Entry point for ``python -m linkwatch``."""

from linkwatch.cli.entry import main

main()
