"""Graph recipes: the same graph built by this package and by the reference package nir 1.0.8.

A recipe is JSON: a chain of nodes, each a type and its arguments, where a tensor argument is
a description (shape, fill, dtype) that `build` turns into the same array on either side (a
seeded numpy generator). Importable by this package's tests AND by scripts run with the
reference's interpreter (numpy only; `nir` is whichever package the caller imported).
`random_recipe` draws recipes the way converter code builds graphs: shapes that mostly fit,
batch-free and batched, 0-d and broadcasting parameters, values out of range, shapes left None.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Recipe = dict[str, Any]

NEURONS = {
    "I": ("r",),
    "LI": ("tau", "r", "v_leak"),
    "IF": ("r", "v_threshold", "v_reset"),
    "LIF": ("tau", "r", "v_leak", "v_threshold", "v_reset"),
    "CubaLI": ("tau_syn", "tau_mem", "r", "v_leak", "w_in"),
    "CubaLIF": ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"),
    "Scale": ("scale",),
    "Delay": ("delay",),
    "Threshold": ("threshold",),
}
TIMES = {"tau", "tau_syn", "tau_mem", "delay"}


def tensor(spec: dict[str, Any], rng: np.random.Generator) -> np.ndarray:
    """The array a tensor description stands for (drawn from `rng` in recipe order)."""
    shape = tuple(spec["shape"])
    values = {
        "normal": lambda: rng.standard_normal(shape),
        "positive": lambda: rng.uniform(0.001, 0.1, shape),
        "zeros": lambda: np.zeros(shape),
        "ones": lambda: np.ones(shape),
        "inf": lambda: np.full(shape, np.inf),  # tau = dt / (1 - beta) with beta = 1
    }[spec.get("fill", "normal")]()
    return np.asarray(values, dtype=spec.get("dtype", "float32"))


def _value(value: Any, rng: np.random.Generator) -> Any:
    if isinstance(value, dict) and "shape" in value:
        return tensor(value, rng)
    if isinstance(value, dict) and "array" in value:
        return np.array(value["array"])
    return value


def node(nir: Any, spec: dict[str, Any], rng: np.random.Generator) -> Any:
    """One node of a recipe, built with the given `nir` package."""
    args = {k: _value(v, rng) for k, v in spec["args"].items()}
    if spec["type"] in ("Input", "Output") and isinstance(args.get("shape"), list):
        args["shape"] = np.array(args["shape"])
    key = {"Input": "input_type", "Output": "output_type"}.get(spec["type"])
    if key is not None:
        args[key] = args.pop("shape")
    return getattr(nir, spec["type"])(**args)


def build(nir: Any, recipe: Recipe) -> Any:
    """The recipe's graph: NIRGraph.from_list of its chain, type-checked as the reference does by default."""
    rng = np.random.default_rng(recipe["seed"])
    return nir.NIRGraph.from_list(*[node(nir, spec, rng) for spec in recipe["chain"]])


def _t(shape: tuple[int, ...], fill: str = "normal", dtype: str = "float32") -> dict[str, Any]:
    return {"shape": list(shape), "fill": fill, "dtype": dtype}


def _neuron(rng: np.random.Generator, kind: str, shape: tuple[int, ...]) -> dict[str, Any]:
    args = {}
    zero_d = rng.random() < 0.15  # every parameter 0-d, as snnTorch's Leaky exports a scalar beta
    for name in NEURONS[kind]:
        own = () if zero_d else shape
        if not zero_d and name in ("w_in", "v_reset") and rng.random() < 0.3:
            own = (1,)  # broadcasts (the reference accepts a (1,) w_in)
        if name in ("w_in", "v_reset") and rng.random() < 0.3:
            continue  # left at its default
        fill = "positive" if name in TIMES else "normal"
        if name in TIMES and rng.random() < 0.1:
            fill = "inf" if name != "delay" else "normal"  # a time constant of inf, a negative delay
        args[name] = _t(own, fill)
    return {"type": kind, "args": args}


def _step(rng: np.random.Generator, shape: tuple[int, ...]) -> tuple[dict[str, Any], tuple[int, ...]]:
    """A node that takes `shape`, and the shape it gives (as far as the recipe knows)."""
    if len(shape) == 1 and rng.random() < 0.5:
        m = int(rng.integers(1, 6))
        if rng.random() < 0.5:
            return {"type": "Linear", "args": {"weight": _t((m, shape[0]))}}, (m,)
        bias = [(m,), (m,), (1, m), (1,)][int(rng.integers(0, 4))]
        return {"type": "Affine", "args": {"weight": _t((m, shape[0])), "bias": _t(bias)}}, (m,)
    if len(shape) == 3 and rng.random() < 0.5:
        c, h, w = shape
        if rng.random() < 0.5 and h >= 2 and w >= 2:
            kind = ["SumPool2d", "AvgPool2d"][int(rng.integers(0, 2))]
            two = {"array": [2, 2]} if rng.random() < 0.5 else 2
            args = {"kernel_size": two, "stride": two, "padding": {"array": [0, 0]} if rng.random() < 0.5 else 0}
            return {"type": kind, "args": args}, (c, h // 2, w // 2)
        co, k = int(rng.integers(1, 4)), int(rng.integers(1, min(h, w, 3) + 1))
        size = None if rng.random() < 0.5 else [h, w]
        args = {"input_shape": size, "weight": _t((co, c, k, k)), "stride": 1, "padding": 0}
        args |= {"dilation": 1, "groups": 1, "bias": _t((co,))}
        return {"type": "Conv2d", "args": args}, (co, h - k + 1, w - k + 1)
    if len(shape) == 2 and rng.random() < 0.5:
        c, length = shape
        co, k = int(rng.integers(1, 4)), int(rng.integers(1, min(length, 3) + 1))
        size = None if rng.random() < 0.5 else length
        args = {"input_shape": size, "weight": _t((co, c, k)), "stride": 1, "padding": 0}
        args |= {"dilation": 1, "groups": 1, "bias": _t((co,))}
        return {"type": "Conv1d", "args": args}, (co, length - k + 1)
    if len(shape) > 1 and rng.random() < 0.4:
        given = None if rng.random() < 0.5 else list(shape)
        return {"type": "Flatten", "args": {"input_type": given, "start_dim": 0, "end_dim": -1}}, (int(np.prod(shape)),)
    return _neuron(rng, list(NEURONS)[int(rng.integers(0, len(NEURONS)))], shape), shape


def random_recipe(seed: int) -> Recipe:
    """One recipe: a chain of 1 to 4 nodes, sometimes between declared Input and Output nodes."""
    rng = np.random.default_rng(seed)
    shape = [(int(rng.integers(1, 5)),), (int(rng.integers(1, 4)), 6), (int(rng.integers(1, 3)), 6, 6)][
        int(rng.integers(0, 3))
    ]
    chain: list[dict[str, Any]] = []
    first = shape
    if rng.random() < 0.5:
        batch = rng.random() < 0.2  # traced with a batch of one, as exporters do
        chain.append({"type": "Input", "args": {"shape": [1, *shape] if batch else list(shape)}})
    for _ in range(int(rng.integers(1, 5))):
        if rng.random() < 0.05:
            shape = (shape[0] + 1, *shape[1:])  # a node that does not fit: a type mismatch
        spec, shape = _step(rng, shape)
        chain.append(spec)
    if rng.random() < 0.5:
        out = None if rng.random() < 0.5 else list(shape)  # None: the graph infers it (as nirtorch leaves it)
        chain.append({"type": "Output", "args": {"shape": out}})
    return {"seed": seed, "chain": chain, "input": list(first)}
