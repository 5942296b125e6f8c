"""Helpers of the store tests: hand-built HDF5 files in old layouts, dtype variants of the
catalogue, small graphs wrapped around one unit, and running scripts with the reference package.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import h5py
import numpy as np

import nir
from support.cases import EXPECTED_PORTS

TESTS = Path(__file__).resolve().parent

# Shapes around units whose catalogue ports are unknown on their own (pooling).
CHAIN_PORTS: dict[str, tuple[list[int], list[int]]] = {
    **{k: v for k, v in EXPECTED_PORTS.items() if v[0] is not None},
    "SumPool2d": ([2, 8, 8], [2, 4, 4]),
    "AvgPool2d": ([2, 8, 8], [2, 4, 4]),
}


def chain(name: str, node: nir.NIRNode) -> nir.NIRGraph:
    """Input -> node -> Output with the node's port shapes (a graph holding one unit)."""
    if name == "Input":
        return nir.NIRGraph(
            nodes={"input": node, "output": nir.Output(np.array([3]))},
            edges=[("input", "output")],
        )
    if name == "Output":
        return nir.NIRGraph(
            nodes={"input": nir.Input(np.array([4])), "output": node},
            edges=[("input", "output")],
        )
    shape_in, shape_out = CHAIN_PORTS[name]
    return nir.NIRGraph(
        nodes={"input": nir.Input(np.array(shape_in)), "unit": node, "output": nir.Output(np.array(shape_out))},
        edges=[("input", "unit"), ("unit", "output")],
    )


def with_dtype(node: nir.NIRNode, dtype: Any) -> nir.NIRNode:
    """A copy of `node` whose floating-point tensors have `dtype` (graphs recursively)."""
    if isinstance(node, nir.NIRGraph):
        return nir.NIRGraph(
            nodes={k: with_dtype(n, dtype) for k, n in node.nodes.items()},
            edges=list(node.edges),
            metadata=dict(node.metadata),
        )
    fields = {}
    for key, value in node.to_dict().items():
        if key == "type":
            continue
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            value = value.astype(dtype)
        fields[key] = value
    return type(node)(**fields)


def tensors(graph: nir.NIRGraph, prefix: str = "") -> dict[str, np.ndarray]:
    """Every tensor field of every node, keyed by dotted node name and field."""
    out = {}
    for name, node in graph.nodes.items():
        if isinstance(node, nir.NIRGraph):
            out.update(tensors(node, f"{prefix}{name}."))
            continue
        fields = {f.name for f in node.unit_spec.tensor_fields}
        for key, value in node.to_dict().items():
            if key in fields:
                out[f"{prefix}{name}/{key}"] = value
    return out


def assert_same_tensors(expected: dict[str, np.ndarray], actual: dict[str, np.ndarray]) -> None:
    """Same keys, and per key the same dtype, shape and bytes."""
    assert sorted(actual) == sorted(expected)
    for key, want in expected.items():
        got = actual[key]
        assert got.dtype == want.dtype, key
        assert got.shape == want.shape, key
        assert np.ascontiguousarray(got).tobytes() == np.ascontiguousarray(want).tobytes(), key


def _text(value: str, strings: str) -> Any:
    return np.bytes_(value.encode()) if strings == "fixed" else value


def _write_tree(group: h5py.Group, tree: dict[str, Any], strings: str) -> None:
    for key, value in tree.items():
        if isinstance(value, dict):
            _write_tree(group.create_group(key), value, strings)
        elif key == "edges" and isinstance(value, list):
            if not value:
                group.create_dataset(key, data=np.zeros((0,)))  # what the reference writes for []
            elif strings == "fixed":
                group.create_dataset(key, data=np.array(value, dtype="S"))
            else:
                group.create_dataset(key, data=np.array(value, dtype=object), dtype=h5py.string_dtype())
        elif isinstance(value, str):
            group.create_dataset(key, data=_text(value, strings))
        else:
            group.create_dataset(key, data=value)


def write_legacy(target: Any, version: str | None, graph: dict[str, Any], strings: str = "vlen") -> None:
    """Write a graph tree the way old reference releases did: a root `version` dataset
    (none when `version` is None), the graph in the `node` group; strings as variable-length
    str (`strings="vlen"`) or fixed-length bytes (`strings="fixed"`, dtype 'S').
    """
    with h5py.File(target, "w") as f:
        if version is not None:
            f.create_dataset("version", data=_text(version, strings))
        _write_tree(f.create_group("node"), graph, strings)


def legacy_graph(nodes: dict[str, dict[str, Any]], edges: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    """A graph tree in the on-disk layout."""
    return {"type": "NIRGraph", "nodes": nodes, "edges": edges, **extra}


def run_reference(reference_python: str, script: str, *args: str) -> Any:
    """Run tests/support/<script> with the reference package's interpreter; it prints one JSON value, returned here.

    It runs as the module `support.<script>` from tests/, so it imports its neighbours as the tests
    do; `import nir` there finds the reference package, as tests/ holds no package of that name.
    """
    result = subprocess.run(
        [reference_python, "-m", f"support.{Path(script).stem}", *args],
        cwd=TESTS.parent,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout)
