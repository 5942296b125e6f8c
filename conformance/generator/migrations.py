"""migrations/layouts.json: files in the reference package's old layouts (HDF5 trees in JSON) and their upgrades."""

from __future__ import annotations

import math
from typing import Any

from .builders import full, group, pairs, scalar, seq, tensor, vec
from .spec import Json, tensor_fields


def is_tensor(value: Any) -> bool:
    """Whether a JSON value is a tensor object (a numeric dataset in a tree)."""
    return isinstance(value, dict) and set(value) == {"dtype", "shape", "data"}


def _plain(value: Json) -> Any:
    """A numeric dataset as a plain JSON value: a number (0-d) or nested lists."""
    data, shape = value["data"], value["shape"]
    if not shape:
        return data[0]

    def build(offset: int, dims: list[int]) -> list[Any]:
        if len(dims) == 1:
            return data[offset : offset + dims[0]]
        step = math.prod(dims[1:])
        return [build(offset + i * step, dims[1:]) for i in range(dims[0])]

    return build(0, shape)


def tree_to_document(tree: Json) -> Json:
    """The JSON document of an upgraded graph tree: tensor fields stay tensors, other datasets turn plain."""
    tensors = tensor_fields()

    def convert_graph(g: Json) -> Json:
        result: Json = {"type": "NIRGraph", "nodes": {}, "edges": [list(e) for e in g["edges"]]}
        for name, node in g["nodes"].items():
            result["nodes"][name] = convert_graph(node) if node["type"] == "NIRGraph" else convert_node(node)
        if "metadata" in g:
            result["metadata"] = g["metadata"]
        # Keep the key order of the spec: type, nodes, edges, metadata.
        return result

    def convert_node(node: Json) -> Json:
        result: Json = {}
        for key, value in node.items():
            if key in ("type", "metadata") or key in tensors[node["type"]] or not is_tensor(value):
                result[key] = value
            else:
                result[key] = _plain(value)
        return result

    return {"version": "1.0", "graph": convert_graph(tree)}


def i64(*values: int) -> Json:
    """An int64 dataset of shape (n,)."""
    return tensor("int64", [len(values)], list(values))


def file_input(n: int) -> Json:
    """An Input group as the reference package writes it (shape: int64 dataset)."""
    return {"type": "Input", "shape": i64(n)}


def file_output(n: int) -> Json:
    """An Output group as the reference package writes it."""
    return {"type": "Output", "shape": i64(n)}


def migration(
    description: str,
    file: Json,
    *,
    layout: str | None,
    steps: list[str],
    upgraded: Json | None = None,
    findings: tuple[str, ...] = (),
    error: str | None = None,
) -> Json:
    """One migration case; `upgraded` is the graph tree after the steps (None when the file is refused)."""
    result: Json = {"description": description, "file": file, "layout": layout, "steps": steps}
    if error is not None:
        result["error"] = error
        result["findings"] = pairs([error])
        return result
    assert upgraded is not None
    result["upgraded"] = upgraded
    result["document"] = tree_to_document(upgraded)
    result["findings"] = pairs(findings)
    return result


ALL_STEPS = ["0.0->0.1", "0.1->0.2", "0.2->1.0"]


# 0.1 layout: LIF without v_reset, CubaLIF without w_in and v_reset (reference package 0.1.x).
_LIF_01 = {
    "type": "LIF",
    "tau": vec(0.0625),
    "r": vec(2.0),
    "v_leak": vec(0.0),
    "v_threshold": vec(1.0),
}
_LIF_10 = {**_LIF_01, "v_reset": vec(0.0)}
_CUBA_01 = {
    "type": "CubaLIF",
    "tau_syn": full([2, 3], 0.03125, "float64"),
    "tau_mem": full([2, 3], 0.0625, "float64"),
    "r": full([2, 3], 2.0, "float64"),
    "v_leak": full([2, 3], -0.5, "float64"),
    "v_threshold": full([2, 3], 1.0, "float64"),
}
_CUBA_02 = {**_CUBA_01, "w_in": full([2, 3], 1.0, "float64")}
_CUBA_10 = {**_CUBA_02, "v_reset": full([2, 3], 0.0, "float64")}
_CUBALI_01 = {
    "type": "CubaLI",
    "tau_syn": vec(0.03125, 0.03125),
    "tau_mem": vec(0.0625, 0.0625),
    "r": vec(2.0, 2.0),
    "v_leak": vec(0.25, 0.5),
}
_CUBALI_10 = {**_CUBALI_01, "w_in": vec(1.0, 1.0)}
_IF_02 = {"type": "IF", "r": full(4, 1.0, "float16"), "v_threshold": full(4, 0.5, "float16")}
_IF_10 = {**_IF_02, "v_reset": full(4, 0.0, "float16")}


def _norse(lif: Json) -> Json:
    return {
        "type": "NIRGraph",
        "nodes": {
            "input": file_input(1),
            "0": {"type": "Affine", "weight": tensor("float32", [1, 1], [1.0]), "bias": vec(0.0)},
            "1": lif,
            "output": file_output(1),
        },
        "edges": [["input", "0"], ["0", "1"], ["1", "output"]],
    }


def _cuba_graph(node: Json) -> Json:
    return {
        "type": "NIRGraph",
        "nodes": {
            "input": {"type": "Input", "shape": i64(2, 3)},
            "lif": node,
            "output": {"type": "Output", "shape": i64(2, 3)},
        },
        "edges": [["input", "lif"], ["lif", "output"]],
    }


def _nested(inner: Json) -> Json:
    return {
        "type": "NIRGraph",
        "nodes": {
            "input": file_input(1),
            "fc": {"type": "Linear", "weight": tensor("float32", [1, 1], [0.5])},
            "sub": {
                "type": "NIRGraph",
                "nodes": {"input": file_input(1), "lif": inner, "output": file_output(1)},
                "edges": [["input", "lif"], ["lif", "output"]],
            },
            "output": file_output(1),
        },
        "edges": [["input", "fc"], ["fc", "sub"], ["sub", "output"]],
    }


_CONV_NODE = {
    "type": "Conv2d",
    "weight": seq([2, 1, 3, 3]),
    "bias": vec(0.0, 0.5),
    "stride": i64(1, 1),
    "padding": i64(1, 1),
    "dilation": i64(1, 1),
    "groups": tensor("int64", [], [1]),
    "input_shape": i64(4, 4),
}


def _conv_graph(if_node: Json) -> Json:
    return {
        "type": "NIRGraph",
        "nodes": {
            "input": {"type": "Input", "shape": i64(1, 4, 4)},
            "conv": _CONV_NODE,
            "if": if_node,
            "pool": {"type": "SumPool2d", "kernel_size": i64(2, 2), "stride": i64(2, 2), "padding": i64(0, 0)},
            "flat": {
                "type": "Flatten",
                "start_dim": tensor("int64", [], [0]),
                "end_dim": tensor("int64", [], [-1]),
            },
            "output": file_output(8),
        },
        "edges": [["input", "conv"], ["conv", "if"], ["if", "pool"], ["pool", "flat"], ["flat", "output"]],
    }


_IF_CONV_02 = {"type": "IF", "r": full([2, 4, 4], 1.0), "v_threshold": full([2, 4, 4], 1.0)}
_IF_CONV_10 = {**_IF_CONV_02, "v_reset": full([2, 4, 4], 0.0)}
_SCALAR_LIF_02 = {
    "type": "LIF",
    "tau": vec(0.0625, 0.0625, 0.0625),
    "r": vec(2.0, 2.0, 2.0),
    "v_leak": vec(0.0, 0.0, 0.0),
    "v_threshold": scalar(1.0, "float64"),
}
_SCALAR_LIF_10 = {**_SCALAR_LIF_02, "v_reset": scalar(0.0, "float64")}


def _single(node: Json, n: int) -> Json:
    return {
        "type": "NIRGraph",
        "nodes": {"input": file_input(n), "x": node, "output": file_output(n)},
        "edges": [["input", "x"], ["x", "output"]],
    }


_KEPT_01 = {**_CUBA_01, "w_in": full([2, 3], 0.5, "float64"), "v_reset": full([2, 3], -1.0, "float64")}


def migrations() -> list[Json]:
    """Old-layout files (HDF5 trees spelled in JSON) and the trees they upgrade to."""
    return [_unversioned(), _layout_01(), _layout_02(), _layout_10(), _newer()]


def _unversioned() -> Json:
    return group(
        "files without a version (layout 0.0)",
        migration(
            "LIF gains v_reset = 0 shaped and typed like v_threshold",
            {"node": _norse(_LIF_01)},
            layout="0.0",
            steps=ALL_STEPS,
            upgraded=_norse(_LIF_10),
            findings=("migrated",),
        ),
        migration(
            "CubaLIF gains w_in = 1 (like v_leak) and v_reset = 0 (like v_threshold)",
            {"node": _cuba_graph(_CUBA_01)},
            layout="0.0",
            steps=ALL_STEPS,
            upgraded=_cuba_graph(_CUBA_10),
            findings=("migrated",),
        ),
    )


def _layout_01() -> Json:
    return group(
        "0.1.x files (layout 0.1)",
        migration(
            "a Norse LIF export of 0.1.1",
            {"version": "0.1.1", "node": _norse(_LIF_01)},
            layout="0.1",
            steps=ALL_STEPS[1:],
            upgraded=_norse(_LIF_10),
            findings=("migrated",),
        ),
        migration(
            "CubaLI gains only w_in",
            {"version": "0.1.0", "node": _single(_CUBALI_01, 2)},
            layout="0.1",
            steps=ALL_STEPS[1:],
            upgraded=_single(_CUBALI_10, 2),
            findings=("migrated",),
        ),
        migration(
            "CubaLIF gains w_in and v_reset, float64 and (2, 3) kept",
            {"version": "0.1.1", "node": _cuba_graph(_CUBA_01)},
            layout="0.1",
            steps=ALL_STEPS[1:],
            upgraded=_cuba_graph(_CUBA_10),
            findings=("migrated",),
        ),
        migration(
            "fields already present are kept, not overwritten",
            {"version": "0.1.1", "node": _cuba_graph(_KEPT_01)},
            layout="0.1",
            steps=ALL_STEPS[1:],
            upgraded=_cuba_graph(_KEPT_01),
            findings=("migrated",),
        ),
    )


def _layout_02() -> Json:
    return group(
        "0.2.x and later 0.x files (layout 0.2)",
        migration(
            "CubaLIF with w_in gains v_reset",
            {"version": "0.2.0", "node": _cuba_graph(_CUBA_02)},
            layout="0.2",
            steps=ALL_STEPS[2:],
            upgraded=_cuba_graph(_CUBA_10),
            findings=("migrated",),
        ),
        migration(
            "IF gains v_reset in float16",
            {"version": "0.2.0", "node": _single(_IF_02, 4)},
            layout="0.2",
            steps=ALL_STEPS[2:],
            upgraded=_single(_IF_10, 4),
            findings=("migrated",),
        ),
        migration(
            "a 0-d v_threshold gives a 0-d v_reset",
            {"version": "0.2.0", "node": _single(_SCALAR_LIF_02, 3)},
            layout="0.2",
            steps=ALL_STEPS[2:],
            upgraded=_single(_SCALAR_LIF_10, 3),
            findings=("migrated",),
        ),
        migration(
            "nodes inside nested graphs are upgraded too",
            {"version": "0.2.0", "node": _nested(_LIF_01)},
            layout="0.2",
            steps=ALL_STEPS[2:],
            upgraded=_nested(_LIF_10),
            findings=("migrated",),
        ),
        migration(
            "a Sinabs-like CNN: integer datasets become plain numbers in the document",
            {"version": "0.2.0", "node": _conv_graph(_IF_CONV_02)},
            layout="0.2",
            steps=ALL_STEPS[2:],
            upgraded=_conv_graph(_IF_CONV_10),
            findings=("migrated",),
        ),
        migration(
            "0.5.0 is a 0.x release after 0.2: layout 0.2",
            {"version": "0.5.0", "node": _norse(_LIF_01)},
            layout="0.2",
            steps=ALL_STEPS[2:],
            upgraded=_norse(_LIF_10),
            findings=("migrated",),
        ),
    )


def _layout_10() -> Json:
    return group(
        "1.0.x files (the current layout)",
        migration(
            "1.0.8 needs no migration",
            {"version": "1.0.8", "node": _norse(_LIF_10)},
            layout="1.0",
            steps=[],
            upgraded=_norse(_LIF_10),
        ),
        migration(
            "a 1.0 LIF without v_reset keeps the field's default, not a migration",
            {"version": "1.0", "node": _norse(_LIF_01)},
            layout="1.0",
            steps=[],
            upgraded=_norse(_LIF_01),
        ),
    )


def _newer() -> Json:
    return group(
        "versions newer than the spec",
        migration(
            "2.0.0 is refused",
            {"version": "2.0.0", "node": _norse(_LIF_10)},
            layout=None,
            steps=[],
            error="unsupported-version",
        ),
    )
