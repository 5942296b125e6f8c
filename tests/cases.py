"""A catalogue of small, valid NIR nodes and graphs shared by the test modules.

Everything here is deterministic: each function builds fresh objects from a numpy
generator seeded with a fixed value, so two calls give equal (but not identical) nodes.
Most parameters are float32 so that dtype preservation is exercised everywhere.

Shapes (derived by hand from the unit formulas, see test_units.py):

=========== ====================================== ============ ============
type        parameters                              input        output
=========== ====================================== ============ ============
Input       shape (3,)                              (3,)         (3,)
Output      shape (4,)                              (4,)         (4,)
Affine      weight (4, 3), bias (4,)                (3,)         (4,)
Linear      weight (4, 3)                           (3,)         (4,)
Scale       scale (3,)                              (3,)         (3,)
Conv1d      L=12, W (4, 2, 3), s=2, p=1             (2, 12)      (4, 6)
Conv2d      (8, 8), W (4, 2, 3, 3), s=1, p=1        (2, 8, 8)    (4, 8, 8)
SumPool2d   k=(2, 2), s=(2, 2), p=(0, 0)            unknown      unknown
AvgPool2d   k=(2, 2), s=(2, 2), p=(0, 0)            unknown      unknown
Flatten     input (2, 3, 4), dims 1..-1             (2, 3, 4)    (2, 12)
neurons     every parameter (3,)                    (3,)         (3,)
NIRGraph    Input(3) -> Affine -> LIF(4) -> Output  {input: 3}   {output: 4}
=========== ====================================== ============ ============
"""

from __future__ import annotations

import numpy as np

import nir

SEED = 20240601
F32 = np.float32

#: Expected port shapes of the catalogue nodes (None = unknown without a graph).
EXPECTED_PORTS: dict[str, tuple[list[int] | None, list[int] | None]] = {
    "Input": ([3], [3]),
    "Output": ([4], [4]),
    "Affine": ([3], [4]),
    "Linear": ([3], [4]),
    "Scale": ([3], [3]),
    # Conv1d: L_out = floor((12 + 2*1 - 1*(3-1) - 1) / 2) + 1 = floor(11/2) + 1 = 6
    "Conv1d": ([2, 12], [4, 6]),
    # Conv2d: H_out = floor((8 + 2*1 - 1*(3-1) - 1) / 1) + 1 = 8, same for W
    "Conv2d": ([2, 8, 8], [4, 8, 8]),
    "SumPool2d": (None, None),
    "AvgPool2d": (None, None),
    # Flatten dims 1..2 of (2, 3, 4): (2, 3*4)
    "Flatten": ([2, 3, 4], [2, 12]),
    "Delay": ([3], [3]),
    "Threshold": ([3], [3]),
    "I": ([3], [3]),
    "LI": ([3], [3]),
    "IF": ([3], [3]),
    "LIF": ([3], [3]),
    "CubaLI": ([3], [3]),
    "CubaLIF": ([3], [3]),
}


def _rng() -> np.random.Generator:
    return np.random.default_rng(SEED)


def _normal(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(F32)


def _positive(rng: np.random.Generator, *shape: int, low: float = 1e-3, high: float = 1e-1) -> np.ndarray:
    return rng.uniform(low, high, shape).astype(F32)


def _lif(rng: np.random.Generator, n: int) -> nir.LIF:
    return nir.LIF(
        tau=_positive(rng, n),
        r=_positive(rng, n, low=0.5, high=2.0),
        v_leak=_normal(rng, n),
        v_threshold=_positive(rng, n, low=0.5, high=1.5),
        v_reset=np.zeros(n, dtype=F32),
    )


def small_graph(rng: np.random.Generator | None = None) -> nir.NIRGraph:
    """Input(3) -> Affine(4x3) -> LIF(4) -> Output(4)."""
    rng = _rng() if rng is None else rng
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([3])),
            "affine": nir.Affine(weight=_normal(rng, 4, 3), bias=_normal(rng, 4)),
            "lif": _lif(rng, 4),
            "output": nir.Output(np.array([4])),
        },
        edges=[("input", "affine"), ("affine", "lif"), ("lif", "output")],
        metadata={"description": "small feed-forward graph"},
    )


def valid_nodes() -> dict[str, nir.NIRNode]:
    """One small valid instance of every node type of the spec, keyed by type name."""
    rng = _rng()
    n = 3
    return {
        "Input": nir.Input(np.array([3])),
        "Output": nir.Output(np.array([4])),
        "Affine": nir.Affine(weight=_normal(rng, 4, 3), bias=_normal(rng, 4)),
        "Linear": nir.Linear(weight=_normal(rng, 4, 3)),
        "Scale": nir.Scale(scale=_normal(rng, n)),
        "Conv1d": nir.Conv1d(
            input_shape=12,
            weight=_normal(rng, 4, 2, 3),
            stride=2,
            padding=1,
            dilation=1,
            groups=1,
            bias=_normal(rng, 4),
        ),
        "Conv2d": nir.Conv2d(
            input_shape=(8, 8),
            weight=_normal(rng, 4, 2, 3, 3),
            stride=1,
            padding=1,
            dilation=1,
            groups=1,
            bias=_normal(rng, 4),
        ),
        "SumPool2d": nir.SumPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)),
        "AvgPool2d": nir.AvgPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)),
        "Flatten": nir.Flatten(input_type=np.array([2, 3, 4]), start_dim=1, end_dim=-1),
        "Delay": nir.Delay(delay=_positive(rng, n)),
        "Threshold": nir.Threshold(threshold=_positive(rng, n, low=0.5, high=1.5)),
        "I": nir.I(r=_positive(rng, n, low=0.5, high=2.0)),
        "LI": nir.LI(tau=_positive(rng, n), r=_positive(rng, n, low=0.5, high=2.0), v_leak=_normal(rng, n)),
        "IF": nir.IF(
            r=_positive(rng, n, low=0.5, high=2.0),
            v_threshold=_positive(rng, n, low=0.5, high=1.5),
            v_reset=np.zeros(n, dtype=F32),
        ),
        "LIF": nir.LIF(
            tau=_positive(rng, n),
            r=_positive(rng, n, low=0.5, high=2.0),
            v_leak=_normal(rng, n),
            v_threshold=_positive(rng, n, low=0.5, high=1.5),
            v_reset=np.zeros(n, dtype=F32),
            metadata={"note": "catalogue LIF"},
        ),
        "CubaLI": nir.CubaLI(
            tau_syn=_positive(rng, n),
            tau_mem=_positive(rng, n),
            r=_positive(rng, n, low=0.5, high=2.0),
            v_leak=_normal(rng, n),
            w_in=_positive(rng, n, low=0.5, high=2.0),
        ),
        "CubaLIF": nir.CubaLIF(
            tau_syn=_positive(rng, n),
            tau_mem=_positive(rng, n),
            r=_positive(rng, n, low=0.5, high=2.0),
            v_leak=_normal(rng, n),
            v_threshold=_positive(rng, n, low=0.5, high=1.5),
            v_reset=np.zeros(n, dtype=F32),
            w_in=_positive(rng, n, low=0.5, high=2.0),
        ),
        "NIRGraph": small_graph(rng),
    }


def nested_graph() -> nir.NIRGraph:
    """Input(3) -> Affine(4x3) -> sub[Input(4) -> LIF(4) -> Output(4)] -> Linear(2x4) -> Output(2).

    The edges reach into the subgraph with dotted names (`sub.input`, `sub.output`). Both
    graphs carry metadata of several types: str, int, float, numpy array, nested dict.
    """
    rng = _rng()
    sub = nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([4])),
            "lif": _lif(rng, 4),
            "output": nir.Output(np.array([4])),
        },
        edges=[("input", "lif"), ("lif", "output")],
        metadata={"role": "hidden layer", "index": 1},
    )
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([3])),
            "affine": nir.Affine(weight=_normal(rng, 4, 3), bias=_normal(rng, 4)),
            "sub": sub,
            "linear": nir.Linear(weight=_normal(rng, 2, 4)),
            "output": nir.Output(np.array([2])),
        },
        edges=[("input", "affine"), ("affine", "sub.input"), ("sub.output", "linear"), ("linear", "output")],
        metadata={
            "name": "nested",
            "steps": 100,
            "dt": 1e-4,
            "scale": np.array([1.0, 0.5, 0.25], dtype=F32),
            "counts": np.arange(4, dtype=np.int64),
            "origin": {"framework": "tests", "params": {"seed": SEED, "lr": 0.01}},
        },
    )


def recurrent_graph() -> nir.NIRGraph:
    """Input(3) -> Affine(5x3) -> CubaLIF(5) -> Output(5), with Linear(5x5) from the CubaLIF back to it."""
    rng = _rng()
    n = 5
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([3])),
            "affine": nir.Affine(weight=_normal(rng, n, 3), bias=_normal(rng, n)),
            "lif": nir.CubaLIF(
                tau_syn=_positive(rng, n),
                tau_mem=_positive(rng, n),
                r=_positive(rng, n, low=0.5, high=2.0),
                v_leak=_normal(rng, n),
                v_threshold=_positive(rng, n, low=0.5, high=1.5),
                v_reset=np.zeros(n, dtype=F32),
                w_in=np.ones(n, dtype=F32),
            ),
            "rec": nir.Linear(weight=_normal(rng, n, n)),
            "output": nir.Output(np.array([n])),
        },
        edges=[("input", "affine"), ("affine", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "output")],
        metadata={"recurrent": True},
    )
