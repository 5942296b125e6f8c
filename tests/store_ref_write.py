"""Run with the REFERENCE package (nir 1.0.8): write one .nir file per case into argv[1] and
print, as JSON, the reference's own summary of each graph it wrote (see store_summary).

Used by test_store_reference.py; not a test module.
"""

from __future__ import annotations

import json
import sys

import numpy as np
from store_summary import summarise

import nir


def units(dtype: np.dtype, rng: np.random.Generator) -> dict:
    """name -> (input shape, output shape, node) for every unit, floats of `dtype`."""

    def normal(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(dtype)

    def positive(*shape: int) -> np.ndarray:
        return rng.uniform(0.01, 0.1, shape).astype(dtype)

    def conv2d(padding: object, stride: object = 1, dilation: object = 1) -> nir.Conv2d:
        return nir.Conv2d(
            input_shape=(8, 8),
            weight=normal(4, 2, 3, 3),
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=1,
            bias=normal(4),
        )

    pool = {"kernel_size": np.array([2, 2]), "stride": np.array([2, 2]), "padding": np.array([0, 0])}
    return {
        "Affine": ([3], [4], nir.Affine(weight=normal(4, 3), bias=normal(4))),
        "Linear": ([3], [4], nir.Linear(weight=normal(4, 3))),
        "Scale": ([3], [3], nir.Scale(scale=normal(3))),
        "Conv1d": (
            [2, 12],
            [4, 6],
            nir.Conv1d(
                input_shape=12, weight=normal(4, 2, 3), stride=2, padding=1, dilation=1, groups=1, bias=normal(4)
            ),
        ),
        "Conv2d": ([2, 8, 8], [4, 8, 8], conv2d(1)),
        "Conv2d_pairs": ([2, 8, 8], [4, 4, 4], conv2d((1, 0), stride=(2, 1), dilation=(1, 2))),
        "Conv2d_same": ([2, 8, 8], [4, 8, 8], conv2d("same")),
        "SumPool2d": ([2, 8, 8], [2, 4, 4], nir.SumPool2d(**pool)),
        "AvgPool2d": ([2, 8, 8], [2, 4, 4], nir.AvgPool2d(**pool)),
        "Flatten": ([2, 3, 4], [24], nir.Flatten(input_type={"input": np.array([2, 3, 4])}, start_dim=0, end_dim=-1)),
        "Delay": ([3], [3], nir.Delay(delay=positive(3))),
        "Threshold": ([3], [3], nir.Threshold(threshold=positive(3) + 1)),
        "I": ([3], [3], nir.I(r=positive(3) * 10)),
        "LI": ([3], [3], nir.LI(tau=positive(3), r=positive(3) * 10, v_leak=normal(3))),
        "IF": ([3], [3], nir.IF(r=positive(3) * 10, v_threshold=positive(3) + 1, v_reset=normal(3))),
        "LIF": (
            [3],
            [3],
            nir.LIF(
                tau=positive(3),
                r=positive(3) * 10,
                v_leak=normal(3),
                v_threshold=positive(3) + 1,
                v_reset=normal(3),
                metadata={"note": "reference LIF", "gain": 2.5, "steps": 7},
            ),
        ),
        "CubaLI": (
            [3],
            [3],
            nir.CubaLI(
                tau_syn=positive(3), tau_mem=positive(3), r=positive(3) * 10, v_leak=normal(3), w_in=positive(3) * 20
            ),
        ),
        "CubaLIF": (
            [3],
            [3],
            nir.CubaLIF(
                tau_syn=positive(3),
                tau_mem=positive(3),
                r=positive(3) * 10,
                v_leak=normal(3),
                v_threshold=positive(3) + 1,
                v_reset=normal(3),
                w_in=positive(3) * 20,
            ),
        ),
    }


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
        for name, (shape_in, shape_out, node) in units(np.dtype(dtype), rng).items():
            graphs[f"{name}_{dtype}.nir"] = nir.NIRGraph(
                nodes={
                    "input": nir.Input(input_type=np.array(shape_in)),
                    "unit": node,
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
