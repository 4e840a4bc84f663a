"""The house as documented is the house as built: layers, folder docstrings, module names, the API."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

import linkwatch

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "linkwatch"
CONTRACTS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "importlinter"
]["contracts"]
LAYERS = next(c for c in CONTRACTS if c["id"] == "layers")["layers"]


def drawn_layers() -> list[list[str]]:
    """The layers as docs/design.md draws them, top first: ``cli/`` → ``linkwatch.cli``."""
    text = (REPO / "docs" / "design.md").read_text(encoding="utf-8")
    block = text.split("<!-- layers: begin -->", 1)[1].split("<!-- layers: end -->", 1)[0]
    layers = []
    for line in block.splitlines():
        names = re.match(r"^((?:[a-z_]+(?:/|\.py))(?: · [a-z_]+(?:/|\.py))*)\s", line)
        if names:
            layers.append(
                [
                    f"linkwatch.{n.removesuffix('/').removesuffix('.py')}"
                    for n in names[1].split(" · ")
                ]
            )
    return layers


def test_the_design_picture_is_the_layers_contract():
    """docs/design.md draws exactly the layers pyproject.toml's contract enforces, in order."""
    contract = [[m.strip() for m in layer.split("|")] for layer in LAYERS]
    assert drawn_layers() == contract


def test_every_folder_and_root_module_is_in_a_layer():
    """No package or root module escapes the contract (a new folder must be placed in it)."""
    placed = {m.strip() for layer in LAYERS for m in layer.split("|")}
    present = {f"linkwatch.{p.name}" for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    present |= {
        f"linkwatch.{p.stem}"
        for p in PACKAGE.glob("*.py")
        if p.stem not in {"__init__", "__main__", "_version"}
    }
    assert present == placed


@pytest.mark.parametrize(
    "folder", sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
)
def test_each_folder_says_what_it_owns_and_may_import(folder):
    """Each folder opens with a docstring of a paragraph that names what it may import."""
    doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text()))
    assert doc is not None
    assert len(doc.split()) >= 30
    assert re.search(r"\bimport", doc)


def test_no_command_module_is_over_250_lines():
    """The CLI stays thin: each command module fits in about 250 lines."""
    sizes = {p.name: len(p.read_text().splitlines()) for p in (PACKAGE / "cli").glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 250} == {}


def _stem(name: str) -> str:
    for suffix in ("ing", "er", "ers", "ion", "s"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 4:
            return name[: -len(suffix)]
    return name


def test_no_two_modules_differ_only_by_a_suffix():
    """`importer` next to `importing` is how a newcomer gets lost: names are distinct words."""
    names = {p.stem for p in PACKAGE.rglob("*.py") if not p.stem.startswith("_")}
    names |= {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    clashes = sorted((a, b) for a in names for b in names if a < b and _stem(a) == _stem(b))
    assert clashes == []


def test_the_public_api_is_what_all_names():
    """Every name in __all__ resolves, lazily, to the object its module defines."""
    from linkwatch.listfile.config import load_list  # noqa: PLC0415
    from linkwatch.pipeline.check import CheckSettings, check  # noqa: PLC0415

    assert set(linkwatch.__all__) == {"__version__", *linkwatch._PUBLIC}
    for name in linkwatch.__all__:
        assert getattr(linkwatch, name) is not None
    assert (linkwatch.check, linkwatch.CheckSettings, linkwatch.load) == (
        check,
        CheckSettings,
        load_list,
    )
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = linkwatch.nope


def test_the_package_is_typed():
    """py.typed ships, so type checkers read linkwatch's annotations."""
    assert (PACKAGE / "py.typed").exists()
