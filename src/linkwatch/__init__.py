"""linkwatch: keeps a curated list of safeguarding links healthy."""

__version__ = "0.1.0"
