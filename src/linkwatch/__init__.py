"""linkwatch: keeps a curated list of safeguarding links healthy.

The public, stable API is what ``__all__`` names; everything else (the modules inside the
folders) may change between minor versions. A Python caller does what ``linkwatch check``
does with one call::

    import linkwatch

    result = linkwatch.check(linkwatch.CheckSettings(config=Path("links.yaml")))
    for outcome in result.report.outcomes:
        print(outcome.status, outcome.link.name, outcome.reason)

``load`` reads and validates a list without checking it. The names are loaded on first use,
so ``import linkwatch`` stays as cheap as reading ``__version__``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from linkwatch._version import __version__

if TYPE_CHECKING:
    from linkwatch.errors import ConfigError, LinkwatchError
    from linkwatch.judgement.policy import DEFAULT_FAIL_ON, FailOn, parse_fail_on
    from linkwatch.listfile.config import load_list as load
    from linkwatch.models import Config, Flag, Link, Outcome, Report, Status
    from linkwatch.pipeline.check import CheckResult, CheckSettings, Hooks, check
    from linkwatch.pipeline.shard import Shard
    from linkwatch.report import OutputFormat, render

# Where each public name lives: the one registry of the public API.
_PUBLIC = {
    "check": ("linkwatch.pipeline.check", "check"),
    "CheckSettings": ("linkwatch.pipeline.check", "CheckSettings"),
    "CheckResult": ("linkwatch.pipeline.check", "CheckResult"),
    "Hooks": ("linkwatch.pipeline.check", "Hooks"),
    "Shard": ("linkwatch.pipeline.shard", "Shard"),
    "load": ("linkwatch.listfile.config", "load_list"),
    "Config": ("linkwatch.models", "Config"),
    "Link": ("linkwatch.models", "Link"),
    "Report": ("linkwatch.models", "Report"),
    "Outcome": ("linkwatch.models", "Outcome"),
    "Status": ("linkwatch.models", "Status"),
    "Flag": ("linkwatch.models", "Flag"),
    "OutputFormat": ("linkwatch.report", "OutputFormat"),
    "render": ("linkwatch.report", "render"),
    "FailOn": ("linkwatch.judgement.policy", "FailOn"),
    "DEFAULT_FAIL_ON": ("linkwatch.judgement.policy", "DEFAULT_FAIL_ON"),
    "parse_fail_on": ("linkwatch.judgement.policy", "parse_fail_on"),
    "LinkwatchError": ("linkwatch.errors", "LinkwatchError"),
    "ConfigError": ("linkwatch.errors", "ConfigError"),
}

__all__ = [
    "DEFAULT_FAIL_ON",
    "CheckResult",
    "CheckSettings",
    "Config",
    "ConfigError",
    "FailOn",
    "Flag",
    "Hooks",
    "Link",
    "LinkwatchError",
    "Outcome",
    "OutputFormat",
    "Report",
    "Shard",
    "Status",
    "__version__",
    "check",
    "load",
    "parse_fail_on",
    "render",
]


def __getattr__(name: str) -> object:
    """A public name, imported from its module the first time it is asked for."""
    try:
        module, attribute = _PUBLIC[name]
    except KeyError:
        raise AttributeError(f"module 'linkwatch' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # the next access is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
