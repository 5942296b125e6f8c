"""Run with the REFERENCE package (nir 1.0.8): write one .nir file per case into argv[1] and
print, as JSON, the reference's own summary of each graph it wrote (see store_summary).

The per-unit nodes are the units' examples in schema/1.0 (schema_examples.py), built with
the reference's classes.

Used by test_store_reference.py; not a test module.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import numpy as np

import nir
from support.schema_examples import decode, examples, node_types, schema
from support.store_summary import summarise


def node(instance: dict[str, Any], dtype: np.dtype) -> Any:
    """The reference's node for a schema example: floats of `dtype`, lists as arrays, omitted fields at their defaults.

    The reference's dataclasses have no defaults for most fields (a Conv2d needs its stride), so a
    field the example leaves out is given the schema's `default`.
    """
    defaults = {k: v["default"] for k, v in schema(instance["type"])["properties"].items() if "default" in v}
    fields = {}
    for key, value in decode({**defaults, **instance}).items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            value = value.astype(dtype)
        elif isinstance(value, list):
            value = np.array(value)
        fields[key] = value
    fields.pop("type")
    return getattr(nir, instance["type"])(**fields)


def units(dtype: np.dtype) -> dict:
    """name -> (input shape, output shape, node): each unit's first schema example, and two more Conv2d layouts."""
    chosen = {}
    for name in node_types():
        # The reference 1.0.8 knows the units of spec 1.0; Input, Output and the graph frame each unit.
        if name not in ("Input", "Output", "NIRGraph") and schema(name)["x-nir-since"] == "1.0":
            chosen[name] = examples(name)[0]
    # The reference's Conv2d takes the kernel's height for both dimensions: only square kernels.
    conv = [e for e in examples("Conv2d") if len(set(e[0]["weight"]["shape"][2:])) == 1]
    chosen["Conv2d_pairs"] = next(e for e in conv if isinstance(e[0].get("stride"), list))
    chosen["Conv2d_same"] = next(e for e in conv if e[0].get("padding") == "same")
    out = {}
    for name, (instance, note) in chosen.items():
        built = node(instance, dtype)
        if name == "LIF":
            built.metadata = {"note": "reference LIF", "gain": 2.5, "steps": 7}
        out[name] = (note["input"], note["output"], built)
    return out


def lif(n: int, dtype: str) -> nir.LIF:
    return nir.LIF(
        tau=np.full(n, 0.02, dtype),
        r=np.ones(n, dtype),
        v_leak=np.zeros(n, dtype),
        v_threshold=np.ones(n, dtype),
        v_reset=np.zeros(n, dtype),
    )


def main(out: str) -> None:
    rng = np.random.default_rng(7)
    graphs = {}
    for dtype in ("float32", "float64"):
        for name, (shape_in, shape_out, unit) in units(np.dtype(dtype)).items():
            graphs[f"{name}_{dtype}.nir"] = nir.NIRGraph(
                nodes={
                    "input": nir.Input(input_type=np.array(shape_in)),
                    "unit": unit,
                    "output": nir.Output(output_type=np.array(shape_out)),
                },
                edges=[("input", "unit"), ("unit", "output")],
                metadata={"unit": name, "dtype": dtype},
            )
    sub = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([4])),
            "lif": lif(4, "float64"),
            "output": nir.Output(np.array([4])),
        },
        edges=[("input", "lif"), ("lif", "output")],
        metadata={"role": "hidden"},
    )
    graphs["nested.nir"] = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([3])),
            "affine": nir.Affine(weight=rng.standard_normal((4, 3)).astype("float32"), bias=np.zeros(4, "float32")),
            "sub": sub,
            "linear": nir.Linear(weight=rng.standard_normal((2, 4))),
            "output": nir.Output(output_type=np.array([2])),
        },
        edges=[("input", "affine"), ("affine", "sub"), ("sub", "linear"), ("linear", "output")],
        metadata={
            "name": "nested",
            "steps": 100,
            "dt": 1e-4,
            "scale": np.array([1.0, 0.5], dtype="float32"),
            "flag": True,
            "origin": {"framework": "reference", "seed": 7},
        },
    )
    graphs["recurrent.nir"] = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([3])),
            "affine": nir.Affine(weight=rng.standard_normal((5, 3)).astype("float32"), bias=np.zeros(5, "float32")),
            "lif": nir.CubaLIF(
                tau_syn=np.full(5, 0.01, "float32"),
                tau_mem=np.full(5, 0.02, "float32"),
                r=np.ones(5, "float32"),
                v_leak=np.zeros(5, "float32"),
                v_threshold=np.ones(5, "float32"),
                v_reset=np.zeros(5, "float32"),
                w_in=np.ones(5, "float32"),
            ),
            "rec": nir.Linear(weight=rng.standard_normal((5, 5)).astype("float32")),
            "output": nir.Output(output_type=np.array([5])),
        },
        edges=[("input", "affine"), ("affine", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "output")],
    )
    summaries = {}
    for filename, graph in graphs.items():
        nir.write(f"{out}/{filename}", graph)
        summaries[filename] = summarise(graph)
    print(json.dumps({"version": nir.version, "graphs": summaries}))


if __name__ == "__main__":
    main(sys.argv[1])
