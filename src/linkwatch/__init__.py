"""linkwatch: keeps a curated list of safeguarding links healthy."""

from linkwatch._version import __version__

__all__ = ["__version__"]
