"""Entry point for ``python -m linkwatch``."""

from linkwatch.entry import main

main()
