"""File versions and layouts: which reader a version needs, and the migrations between layouts.

The reference package writes its own release number into each file. Releases with the same
HDF5 layout share a layout name; each step from one layout to the next is one function,
applied in order until the tree is in the current spec's layout (as ONNX's version
converter applies one adapter per opset step).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from nir.errors import UnsupportedVersionError
from nir.spec import SPEC_VERSION
from nir.store.tree import Tree

CURRENT = SPEC_VERSION
LAYOUTS = ("0.0", "0.1", "0.2", CURRENT)
"""Layouts in order: 0.0 (files without a version), 0.1.x, 0.2.x to 0.x, and 1.0 (1.0.0 to 1.0.8, and this spec)."""


def layout_of(version: str | None) -> str:
    """The layout a file of `version` uses; UnsupportedVersionError for a future major version."""
    if version is None:
        return "0.0"
    found = re.match(r"^\s*v?(\d{1,6})\.(\d{1,6})(?!\d)", version)
    if not found:
        raise UnsupportedVersionError(f"unrecognised file version {version!r}")
    major, minor = int(found[1]), int(found[2])
    current_major = int(CURRENT.split(".")[0])
    if major > current_major:
        raise UnsupportedVersionError(
            f"file version {version} is newer than this package can read (spec {CURRENT}); upgrade the nir package"
        )
    if major == 0:
        return "0.1" if minor <= 1 else "0.2"
    return CURRENT


def _graphs(tree: Tree) -> Iterator[Tree]:
    """Every graph group in the tree, the root first."""
    yield tree
    for node in _nodes(tree):
        if _type(node) == "NIRGraph":
            yield from _graphs(node)


def _nodes_of_type(tree: Tree, *types: str) -> Iterator[Tree]:
    for graph in _graphs(tree):
        for node in _nodes(graph):
            if _type(node) in types:
                yield node


def _nodes(graph: Tree) -> list[Any]:
    """The entries of a graph's `nodes` group; none where a damaged file has something else there."""
    nodes = graph.get("nodes")
    return list(nodes.values()) if isinstance(nodes, dict) else []


def _type(node: Any) -> str | None:
    """A node group's `type` string; None for anything else (a damaged file's array, a value)."""
    kind = node.get("type") if isinstance(node, dict) else None
    return kind if isinstance(kind, str) else None


def _fill_like(node: Tree, name: str, like: str, value: float) -> bool:
    """Add field `name` filled with `value`, shaped and typed like field `like`."""
    if name in node or not isinstance(node.get(like), np.ndarray):
        return False
    template = node[like]
    node[name] = np.broadcast_to(np.asarray(value, dtype=template.dtype), template.shape)
    return True


def from_0_0(tree: Tree) -> list[str]:
    """0.0 -> 0.1: files written before the version dataset existed share the 0.1 layout."""
    return ["file has no version dataset; read as the 0.1 layout"]


def from_0_1(tree: Tree) -> list[str]:
    """0.1 -> 0.2: CubaLI and CubaLIF gained the input weight `w_in` (ones)."""
    filled = sum(_fill_like(n, "w_in", "v_leak", 1) for n in _nodes_of_type(tree, "CubaLI", "CubaLIF"))
    return [f"added w_in = 1 to {filled} node(s)"] if filled else []


def from_0_2(tree: Tree) -> list[str]:
    """0.2 -> 1.0: IF, LIF and CubaLIF gained the reset potential `v_reset` (zeros)."""
    filled = sum(_fill_like(n, "v_reset", "v_threshold", 0) for n in _nodes_of_type(tree, "IF", "LIF", "CubaLIF"))
    return [f"added v_reset = 0 to {filled} node(s)"] if filled else []


MIGRATIONS: dict[str, tuple[str, Callable[[Tree], list[str]]]] = {
    "0.0": ("0.1", from_0_0),
    "0.1": ("0.2", from_0_1),
    "0.2": (CURRENT, from_0_2),
}
"""Each layout's successor and the function that upgrades a graph tree to it (in place)."""


def upgrade(tree: Tree, layout: str) -> list[str]:
    """Bring a graph tree from `layout` to the current one; returns what each step changed."""
    notes = []
    while layout != CURRENT:
        target, step = MIGRATIONS[layout]
        notes += [f"{layout} -> {target}: {n}" for n in step(tree)] or [f"{layout} -> {target}: no change needed"]
        layout = target
    return notes
