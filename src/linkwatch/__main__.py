"""Entry point for ``python -m linkwatch``."""

from linkwatch.cli import main

main()
