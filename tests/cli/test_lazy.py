"""Lazy modules: the CLI starts without loading what only a command's body needs."""

from __future__ import annotations

import builtins
import json
import subprocess
import sys
import types

import pytest

from linkwatch.cli.lazy import lazy_module


def test_a_lazy_module_runs_on_first_use(tmp_path, monkeypatch):
    """The module's code runs when an attribute is first read, not when it is named."""
    (tmp_path / "lw_lazy_probe.py").write_text(
        "import builtins\nbuiltins.lw_lazy_ran = True\nVALUE = 42\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "lw_lazy_probe", raising=False)
    monkeypatch.setattr(builtins, "lw_lazy_ran", False, raising=False)
    module = lazy_module("lw_lazy_probe")
    assert builtins.lw_lazy_ran is False
    assert module.VALUE == 42
    assert builtins.lw_lazy_ran is True
    assert sys.modules["lw_lazy_probe"] is module
    monkeypatch.delitem(sys.modules, "lw_lazy_probe")


def test_an_imported_module_is_returned_as_it_is():
    assert lazy_module("json") is json
    assert isinstance(lazy_module("json"), types.ModuleType)


def test_a_missing_module_is_an_import_error():
    with pytest.raises(ModuleNotFoundError):
        lazy_module("linkwatch.no_such_module")


def test_the_cli_loads_no_yaml_until_a_command_needs_it():
    """`linkwatch --help` and `check --help` stay fast: YAML, httpx and the importer wait."""
    code = (
        "import sys, linkwatch.cli.app\n"
        "heavy = [m for m in ('yaml', 'linkwatch.listfile.config', 'linkwatch.listfile.yamlsrc',"
        " 'linkwatch.importing.entries', 'httpx') if m in sys.modules and"
        " not type(sys.modules[m]).__name__.startswith('_Lazy')]\n"
        "print(heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_a_lazy_submodule_is_an_attribute_of_its_package(monkeypatch):
    """As after an import: `package.child` works, so monkeypatch paths and library use do."""
    import linkwatch  # noqa: PLC0415

    monkeypatch.delitem(sys.modules, "linkwatch.pipeline.shard", raising=False)
    monkeypatch.delattr(linkwatch, "shard", raising=False)
    module = lazy_module("linkwatch.pipeline.shard")
    assert linkwatch.pipeline.shard is module
    assert module.MAX_SHARDS == 1024
