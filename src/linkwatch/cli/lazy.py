"""Modules loaded on first attribute access, for a CLI that should start fast."""

from __future__ import annotations

import importlib.util
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """``name``, imported only when one of its attributes is first used (importlib's LazyLoader).

    A module already imported is returned as it is.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        # As an import does: ``package.child`` then works (monkeypatch paths, library use).
        setattr(sys.modules[parent], child, module)
    return module
