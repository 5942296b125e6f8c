"""Write the NIR conformance cases: conformance/cases/*.json and conformance/migrations/*.json.

Every document and every expected verdict in this file is written by hand from the spec
(schema/1.0, the finding codes and the rules in conformance/README.md). The script does
not import the `nir` package: it only serialises what is written here, so the expected
results can never be copied from the implementation under test. It reads the schema files
for one thing only: which fields of a unit are tensors (those with `x-nir-shape`), to spell
the upgraded documents of the migration cases.

    python conformance/generate.py          # rewrite the JSON files
    python conformance/generate.py --check  # exit 1, printing a diff, if the committed files are stale
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
SCHEMA_DIR = HERE.parent / "schema" / "1.0"

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY = {
    # The finding codes of spec 1.0 and their severities.
    "unreadable": ERROR,
    "unsupported-version": ERROR,
    "invalid-node": ERROR,
    "unknown-field": WARNING,
    "values-unchecked": INFO,
    "empty-graph": ERROR,
    "unknown-node": ERROR,
    "ambiguous-port": ERROR,
    "duplicate-edge": ERROR,
    "shape-mismatch": ERROR,
    "io-shape-mismatch": ERROR,
    "batch-dimension": WARNING,
    "broadcast-parameter": WARNING,
    "invalid-parameter": ERROR,
    "non-finite": ERROR,
    "out-of-range": ERROR,
    "no-incoming-edge": WARNING,
    "output-unconnected": ERROR,
    "unreachable-node": WARNING,
    "cycle-without-entry": ERROR,
    "uninferred-shape": WARNING,
    "no-input-node": WARNING,
    "no-output-node": WARNING,
    "migrated": INFO,
}
ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
FATAL = ("unreadable", "unsupported-version")

Json = dict[str, Any]

# --------------------------------------------------------------------------- builders


def tensor(dtype: str, shape: list[int], data: list[Any]) -> Json:
    """A JSON tensor; `data` is row-major and must hold prod(shape) elements (checked here)."""
    return {"dtype": dtype, "shape": list(shape), "data": list(data)}


def full(shape: list[int] | int, value: Any, dtype: str = "float32") -> Json:
    """A tensor of one value."""
    shape = [shape] if isinstance(shape, int) else list(shape)
    return tensor(dtype, shape, [value] * math.prod(shape))


def vec(*values: Any, dtype: str = "float32") -> Json:
    """A 1-d tensor."""
    return tensor(dtype, [len(values)], list(values))


def scalar(value: Any, dtype: str = "float32") -> Json:
    """A 0-d tensor (one element)."""
    return tensor(dtype, [], [value])


def seq(shape: list[int], dtype: str = "float32", start: float = 0.0, step: float = 0.25) -> Json:
    """A tensor holding start, start+step, ... (values exact in float32)."""
    n = math.prod(shape)
    return tensor(dtype, shape, [start + step * i for i in range(n)])


def inp(*shape: int, **extra: Any) -> Json:
    """An Input node."""
    return {"type": "Input", "shape": list(shape), **extra}


def out(*shape: int, **extra: Any) -> Json:
    """An Output node."""
    return {"type": "Output", "shape": list(shape), **extra}


NEURON_DEFAULTS: dict[str, dict[str, float]] = {
    # Required parameters of each neuron-like unit with exact float32 values.
    "I": {"r": 2.0},
    "LI": {"tau": 0.0625, "r": 2.0, "v_leak": 0.0},
    "IF": {"r": 2.0, "v_threshold": 1.0},
    "LIF": {"tau": 0.0625, "r": 2.0, "v_leak": 0.0, "v_threshold": 1.0},
    "CubaLI": {"tau_syn": 0.03125, "tau_mem": 0.0625, "r": 2.0, "v_leak": 0.0},
    "CubaLIF": {"tau_syn": 0.03125, "tau_mem": 0.0625, "r": 2.0, "v_leak": 0.0, "v_threshold": 1.0},
    "Delay": {"delay": 0.5},
    "Threshold": {"threshold": 0.5},
    "Scale": {"scale": 1.5},
}


def neuron(kind: str, shape: list[int] | int, dtype: str = "float32", **override: Any) -> Json:
    """A neuron-like node whose required parameters all have `shape`; `override` replaces fields."""
    node: Json = {"type": kind}
    for name, value in NEURON_DEFAULTS[kind].items():
        node[name] = full(shape, value, dtype)
    node.update(override)
    return node


def graph(nodes: Json, edges: list[tuple[str, str]] | list[list[str]], **extra: Any) -> Json:
    """A NIRGraph object."""
    return {"type": "NIRGraph", "nodes": nodes, "edges": [list(e) for e in edges], **extra}


def chain(nodes: Json, **extra: Any) -> Json:
    """A graph whose nodes are joined in the order given."""
    names = list(nodes)
    return graph(nodes, list(itertools.pairwise(names)), **extra)


def doc(root: Json, version: str = "1.0", **extra: Any) -> Json:
    """A NIR JSON document."""
    return {"version": version, "graph": root, **extra}


def through(node: Json, shape_in: list[int], shape_out: list[int], name: str = "x") -> Json:
    """The document Input(shape_in) -> node -> Output(shape_out)."""
    return doc(chain({"input": inp(*shape_in), name: node, "output": out(*shape_out)}))


def case(
    description: str,
    document: Any,
    *,
    schema_valid: bool,
    findings: tuple[str, ...] | list[str] = (),
    error: str | None = None,
) -> Json:
    """One case; `valid` follows from the findings (no error finding, no fatal error)."""
    codes = list(findings)
    if error is not None:
        assert error in FATAL and not codes, description
        codes = [error]
    for code in codes:
        assert code in SEVERITY, code
    pairs = sorted({(SEVERITY[c], c) for c in codes}, key=lambda p: (ORDER[p[0]], p[1]))
    out_: Json = {"description": description, "document": document, "schema_valid": schema_valid}
    out_["valid"] = error is None and not any(sev == ERROR for sev, _ in pairs)
    out_["findings"] = [list(p) for p in pairs]
    if error is not None:
        out_["error"] = error
    return out_


def group(description: str, *cases: Json) -> Json:
    """A group of cases."""
    return {"description": description, "cases": list(cases)}


# --------------------------------------------------------------------------- units.json


def units() -> list[Json]:
    """A valid minimal graph for every unit, and valid variants of their optional fields."""
    return [
        group(
            "Input and Output",
            case("Input feeding an Output directly", through_io([3]), schema_valid=True),
            case("multi-dimensional Input and Output", through_io([2, 3, 4]), schema_valid=True),
            case(
                "a size-0 dimension is a valid shape",
                doc(chain({"input": inp(0), "output": out(0)})),
                schema_valid=True,
            ),
        ),
        group(
            "Affine",
            case(
                "weight (M, N) = (2, 3) and bias (2): input (3,), output (2,)",
                through({"type": "Affine", "weight": seq([2, 3]), "bias": vec(0.5, -0.5)}, [3], [2]),
                schema_valid=True,
            ),
            case(
                "batched weight (4, 2, 3): the leading dimension is carried, input (4, 3), output (4, 2)",
                through({"type": "Affine", "weight": seq([4, 2, 3]), "bias": vec(0.5, -0.5)}, [4, 3], [4, 2]),
                schema_valid=True,
            ),
            case(
                "float64 weight with float32 bias: dtypes may differ between fields",
                through(
                    {"type": "Affine", "weight": seq([2, 3], "float64"), "bias": vec(1.0, 2.0)},
                    [3],
                    [2],
                ),
                schema_valid=True,
            ),
        ),
        group(
            "Linear",
            case(
                "weight (2, 3): input (3,), output (2,)",
                through({"type": "Linear", "weight": seq([2, 3])}, [3], [2]),
                schema_valid=True,
            ),
            case(
                "integer weight (int8)",
                through({"type": "Linear", "weight": tensor("int8", [2, 2], [1, -1, 0, 2])}, [2], [2]),
                schema_valid=True,
            ),
            case(
                "with metadata",
                through(
                    {"type": "Linear", "weight": seq([1, 3]), "metadata": {"source": "fc1", "trained": True}},
                    [3],
                    [1],
                ),
                schema_valid=True,
            ),
        ),
        group(
            "Scale",
            case(
                "scale (3,)",
                through({"type": "Scale", "scale": vec(0.5, 1.0, 2.0)}, [3], [3]),
                schema_valid=True,
            ),
            case(
                "0-d scale is broadcast; the shape comes from the edge",
                through({"type": "Scale", "scale": scalar(2.0)}, [2, 3], [2, 3]),
                schema_valid=True,
            ),
        ),
        group(
            "Conv1d",
            case(
                "only the required fields (stride 1, padding 0, dilation 1, groups 1): (1, 8) -> (2, 6)",
                through({"type": "Conv1d", "weight": seq([2, 1, 3]), "bias": vec(0.0, 1.0)}, [1, 8], [2, 6]),
                schema_valid=True,
            ),
            case(
                "every field: L=10, K=3, stride 2, padding 1, dilation 2: floor((10+2-4-1)/2)+1 = 4",
                through(
                    {
                        "type": "Conv1d",
                        "input_shape": 10,
                        "weight": seq([4, 2, 3]),
                        "stride": 2,
                        "padding": 1,
                        "dilation": 2,
                        "groups": 1,
                        "bias": vec(0.0, 1.0, 2.0, 3.0),
                    },
                    [2, 10],
                    [4, 4],
                ),
                schema_valid=True,
            ),
            case(
                "groups 2: Ci = Ci_g * groups = 1 * 2",
                through(
                    {"type": "Conv1d", "weight": seq([4, 1, 3]), "groups": 2, "bias": full(4, 0.0)},
                    [2, 8],
                    [4, 6],
                ),
                schema_valid=True,
            ),
            case(
                "padding 'same' keeps the length",
                through(
                    {"type": "Conv1d", "weight": seq([2, 1, 3]), "padding": "same", "bias": full(2, 0.0)},
                    [1, 8],
                    [2, 8],
                ),
                schema_valid=True,
            ),
            case(
                "padding 'valid' means no padding",
                through(
                    {"type": "Conv1d", "weight": seq([2, 1, 3]), "padding": "valid", "bias": full(2, 0.0)},
                    [1, 8],
                    [2, 6],
                ),
                schema_valid=True,
            ),
            case(
                "input_shape null means unknown (inferred from the graph)",
                through(
                    {"type": "Conv1d", "input_shape": None, "weight": seq([2, 1, 3]), "bias": full(2, 0.0)},
                    [1, 8],
                    [2, 6],
                ),
                schema_valid=True,
            ),
        ),
        group(
            "Conv2d",
            case(
                "only the required fields: (1, 5, 5) -> (2, 3, 3)",
                through({"type": "Conv2d", "weight": seq([2, 1, 3, 3]), "bias": vec(0.0, 1.0)}, [1, 5, 5], [2, 3, 3]),
                schema_valid=True,
            ),
            case(
                "pairs: (8, 6), kernel (3, 2), stride (2, 1), padding (1, 0): Ho = 4, Wo = 5",
                through(
                    {
                        "type": "Conv2d",
                        "input_shape": [8, 6],
                        "weight": seq([3, 1, 3, 2]),
                        "stride": [2, 1],
                        "padding": [1, 0],
                        "dilation": [1, 1],
                        "groups": 1,
                        "bias": full(3, 0.0),
                    },
                    [1, 8, 6],
                    [3, 4, 5],
                ),
                schema_valid=True,
            ),
            case(
                "dilation 2: kernel extent 5 on length 7 gives 3",
                through(
                    {"type": "Conv2d", "weight": seq([1, 1, 3, 3]), "dilation": 2, "bias": full(1, 0.0)},
                    [1, 7, 7],
                    [1, 3, 3],
                ),
                schema_valid=True,
            ),
            case(
                "groups 2: input channels 2 * 1",
                through(
                    {"type": "Conv2d", "weight": seq([4, 1, 3, 3]), "groups": 2, "bias": full(4, 0.0)},
                    [2, 5, 5],
                    [4, 3, 3],
                ),
                schema_valid=True,
            ),
            case(
                "padding 'same' keeps height and width",
                through(
                    {"type": "Conv2d", "weight": seq([2, 1, 3, 3]), "padding": "same", "bias": full(2, 0.0)},
                    [1, 5, 5],
                    [2, 5, 5],
                ),
                schema_valid=True,
            ),
            case(
                "input_shape matching the Input",
                through(
                    {"type": "Conv2d", "input_shape": [5, 5], "weight": seq([2, 1, 3, 3]), "bias": full(2, 0.0)},
                    [1, 5, 5],
                    [2, 3, 3],
                ),
                schema_valid=True,
            ),
        ),
        group(
            "SumPool2d",
            case(
                "kernel 2, stride 2, padding 0: (2, 4, 4) -> (2, 2, 2)",
                through({"type": "SumPool2d", "kernel_size": 2, "stride": 2, "padding": 0}, [2, 4, 4], [2, 2, 2]),
                schema_valid=True,
            ),
            case(
                "kernel 3, stride 1, padding 1 keeps (1, 4, 4)",
                through(
                    {"type": "SumPool2d", "kernel_size": [3, 3], "stride": [1, 1], "padding": [1, 1]},
                    [1, 4, 4],
                    [1, 4, 4],
                ),
                schema_valid=True,
            ),
        ),
        group(
            "AvgPool2d",
            case(
                "kernel (3, 2), stride (1, 2), padding (1, 0): (1, 5, 4) -> (1, 5, 2)",
                through(
                    {"type": "AvgPool2d", "kernel_size": [3, 2], "stride": [1, 2], "padding": [1, 0]},
                    [1, 5, 4],
                    [1, 5, 2],
                ),
                schema_valid=True,
            ),
            case(
                "the output length is floored: kernel 5, stride 5 on 9 gives 1",
                through({"type": "AvgPool2d", "kernel_size": 5, "stride": 5, "padding": 0}, [1, 9, 9], [1, 1, 1]),
                schema_valid=True,
            ),
        ),
        group(
            "Flatten",
            case(
                "defaults start_dim 1, end_dim -1: (2, 3, 4) -> (2, 12)",
                through({"type": "Flatten"}, [2, 3, 4], [2, 12]),
                schema_valid=True,
            ),
            case(
                "start_dim 0: (2, 3, 4) -> (24,)",
                through({"type": "Flatten", "input_type": [2, 3, 4], "start_dim": 0, "end_dim": -1}, [2, 3, 4], [24]),
                schema_valid=True,
            ),
            case(
                "start_dim 0, end_dim 1: (2, 3, 4) -> (6, 4)",
                through({"type": "Flatten", "start_dim": 0, "end_dim": 1}, [2, 3, 4], [6, 4]),
                schema_valid=True,
            ),
            case(
                "negative start_dim -2: (2, 3, 4) -> (2, 12)",
                through({"type": "Flatten", "start_dim": -2, "end_dim": -1}, [2, 3, 4], [2, 12]),
                schema_valid=True,
            ),
            case(
                "start_dim = end_dim keeps the shape",
                through({"type": "Flatten", "start_dim": 1, "end_dim": 1}, [2, 3, 4], [2, 3, 4]),
                schema_valid=True,
            ),
            case(
                "input_type null means unknown",
                through({"type": "Flatten", "input_type": None, "start_dim": 0}, [2, 3], [6]),
                schema_valid=True,
            ),
        ),
        group(
            "Delay",
            case("delay (3,)", through(neuron("Delay", 3), [3], [3]), schema_valid=True),
            case("zero delay is allowed", through(neuron("Delay", 3, delay=full(3, 0.0)), [3], [3]), schema_valid=True),
        ),
        group(
            "Threshold",
            case("threshold (3,)", through(neuron("Threshold", 3), [3], [3]), schema_valid=True),
            case(
                "negative thresholds are allowed",
                through(neuron("Threshold", 3, threshold=vec(-1.0, 0.0, 1.0)), [3], [3]),
                schema_valid=True,
            ),
        ),
        group(
            "I",
            case("r (3,)", through(neuron("I", 3), [3], [3]), schema_valid=True),
            case("zero resistance is allowed", through(neuron("I", 3, r=full(3, 0.0)), [3], [3]), schema_valid=True),
        ),
        group(
            "LI",
            case("tau, r, v_leak (3,)", through(neuron("LI", 3), [3], [3]), schema_valid=True),
            case("(2, 3) parameters", through(neuron("LI", [2, 3]), [2, 3], [2, 3]), schema_valid=True),
            case(
                "every parameter 0-d: the shape comes from the edge",
                through(neuron("LI", []), [4], [4]),
                schema_valid=True,
            ),
        ),
        group(
            "IF",
            case("IF without v_reset (default 0)", through(neuron("IF", 3), [3], [3]), schema_valid=True),
            case(
                "with v_reset",
                through(neuron("IF", 3, v_reset=full(3, -0.5)), [3], [3]),
                schema_valid=True,
            ),
        ),
        group(
            "LIF",
            case("LIF without v_reset (default 0)", through(neuron("LIF", 3), [3], [3]), schema_valid=True),
            case(
                "with v_reset, float64",
                through(neuron("LIF", 3, "float64", v_reset=full(3, 0.0, "float64")), [3], [3]),
                schema_valid=True,
            ),
            case(
                "float16 parameters",
                through(neuron("LIF", 3, "float16"), [3], [3]),
                schema_valid=True,
            ),
            case(
                "0-d tau broadcast to the (3,) of the other parameters",
                through(neuron("LIF", 3, tau=scalar(0.0625)), [3], [3]),
                schema_valid=True,
            ),
            case(
                "integer time constants (int32)",
                through(neuron("LIF", 3, tau=tensor("int32", [3], [1, 2, 3])), [3], [3]),
                schema_valid=True,
            ),
        ),
        group(
            "CubaLI",
            case("without w_in (default 1)", through(neuron("CubaLI", 3), [3], [3]), schema_valid=True),
            case(
                "with w_in",
                through(neuron("CubaLI", 3, w_in=vec(1.0, 0.5, 2.0)), [3], [3]),
                schema_valid=True,
            ),
        ),
        group(
            "CubaLIF",
            case("without v_reset and w_in", through(neuron("CubaLIF", 3), [3], [3]), schema_valid=True),
            case(
                "every field, with metadata",
                through(
                    neuron(
                        "CubaLIF",
                        3,
                        v_reset=full(3, 0.0),
                        w_in=full(3, 1.0),
                        metadata={"framework": "snntorch", "dt": 0.001},
                    ),
                    [3],
                    [3],
                ),
                schema_valid=True,
            ),
        ),
        group(
            "NIRGraph",
            case(
                "a nested graph used as a node: edges to and from it reach its single Input and Output",
                doc(
                    chain(
                        {
                            "input": inp(3),
                            "sub": chain({"input": inp(3), "lif": neuron("LIF", 3), "output": out(3)}),
                            "output": out(3),
                        }
                    )
                ),
                schema_valid=True,
            ),
            case(
                "three levels of nesting",
                doc(
                    chain(
                        {
                            "input": inp(3),
                            "a": chain(
                                {
                                    "input": inp(3),
                                    "b": chain({"input": inp(3), "li": neuron("LI", 3), "output": out(3)}),
                                    "output": out(3),
                                }
                            ),
                            "output": out(3),
                        }
                    )
                ),
                schema_valid=True,
            ),
            case(
                "graph and nested graph metadata, including a tensor",
                doc(
                    chain(
                        {
                            "input": inp(2),
                            "sub": chain(
                                {"input": inp(2), "scale": neuron("Scale", 2), "output": out(2)},
                                metadata={"role": "block", "gain": scalar(2.0)},
                            ),
                            "output": out(2),
                        },
                        metadata={"framework": "norse", "version": "1.1", "seed": 3, "nested": {"ok": True}},
                    )
                ),
                schema_valid=True,
            ),
            case(
                "the document's optional $schema",
                doc(
                    chain({"input": inp(3), "output": out(3)}),
                    **{"$schema": "https://neuroir.org/schema/1.0/document.schema.json"},
                ),
                schema_valid=True,
            ),
            case(
                "a patch version in the document",
                doc(chain({"input": inp(3), "output": out(3)}), version="1.0.8"),
                schema_valid=True,
            ),
        ),
    ]


def through_io(shape: list[int]) -> Json:
    """Input(shape) -> Output(shape)."""
    return doc(chain({"input": inp(*shape), "output": out(*shape)}))


# --------------------------------------------------------------------------- shapes.json


def shapes() -> list[Json]:
    """Every shape rule: symbols within a node (invalid-node) and shapes along edges."""
    return [
        group(
            "neuron parameters share one shape (x-nir-shape [...N])",
            case(
                "LIF: r (4,) against tau (3,)",
                through(neuron("LIF", 3, r=full(4, 2.0)), [3], [3]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "LI: v_leak (3, 1) against (3,)",
                through(neuron("LI", 3, v_leak=full([3, 1], 0.0)), [3], [3]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "CubaLIF: optional w_in (2,) against (3,)",
                through(neuron("CubaLIF", 3, w_in=full(2, 1.0)), [3], [3]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "CubaLI: tau_mem (2,) against (3,)",
                through(neuron("CubaLI", 3, tau_mem=full(2, 0.0625)), [3], [3]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "IF: optional v_reset (2,) against (3,)",
                through(neuron("IF", 3, v_reset=full(2, 0.0)), [3], [3]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "a (1,) tau broadcasts to the (3,) of the other parameters: a warning",
                through(neuron("LIF", 3, tau=full(1, 0.0625)), [3], [3]),
                schema_valid=True,
                findings=["broadcast-parameter"],
            ),
            case(
                "CubaLIF: w_in (1,) broadcasts to (3,): a warning",
                through(neuron("CubaLIF", 3, w_in=full(1, 1.0)), [3], [3]),
                schema_valid=True,
                findings=["broadcast-parameter"],
            ),
        ),
        group(
            "Affine and Linear weights (x-nir-shape [...B, M, N], bias [M])",
            case(
                "Affine: bias (3,) against weight (2, 3)",
                through({"type": "Affine", "weight": seq([2, 3]), "bias": full(3, 0.0)}, [3], [2]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "Affine: bias (1,) broadcasts to the 2 outputs: a warning",
                through({"type": "Affine", "weight": seq([2, 3]), "bias": full(1, 0.0)}, [3], [2]),
                schema_valid=True,
                findings=["broadcast-parameter"],
            ),
            case(
                "Affine: bias (1, 2) with a leading size-1 dimension broadcasts to (2,): a warning",
                through({"type": "Affine", "weight": seq([2, 3]), "bias": full([1, 2], 0.0)}, [3], [2]),
                schema_valid=True,
                findings=["broadcast-parameter"],
            ),
            case(
                "Affine: 1-d weight",
                through({"type": "Affine", "weight": seq([3]), "bias": full(3, 0.0)}, [3], [3]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "Linear: 1-d weight",
                through({"type": "Linear", "weight": seq([3])}, [3], [3]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "Linear: 0-d weight (weight is not broadcast)",
                through({"type": "Linear", "weight": scalar(2.0)}, [3], [3]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "Linear after a LIF of 3: N = 5 against 3",
                doc(
                    chain(
                        {
                            "input": inp(3),
                            "lif": neuron("LIF", 3),
                            "fc": {"type": "Linear", "weight": seq([2, 5])},
                            "output": out(2),
                        }
                    )
                ),
                schema_valid=True,
                findings=["shape-mismatch"],
            ),
        ),
        group(
            "Conv weights (x-nir-shape [Co, Ci_g, K...], bias [Co])",
            case(
                "Conv1d: 2-d weight",
                through({"type": "Conv1d", "weight": seq([2, 1]), "bias": full(2, 0.0)}, [1, 8], [2, 8]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "Conv1d: 4-d weight",
                through({"type": "Conv1d", "weight": seq([2, 1, 3, 3]), "bias": full(2, 0.0)}, [1, 8], [2, 6]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "Conv2d: 3-d weight",
                through({"type": "Conv2d", "weight": seq([2, 1, 3]), "bias": full(2, 0.0)}, [1, 5, 5], [2, 3, 3]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "Conv2d: bias (3,) against Co = 2",
                through({"type": "Conv2d", "weight": seq([2, 1, 3, 3]), "bias": full(3, 0.0)}, [1, 5, 5], [2, 3, 3]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "Conv2d: input_shape with one value (x-nir-value [H, W])",
                through(
                    {"type": "Conv2d", "input_shape": [5], "weight": seq([2, 1, 3, 3]), "bias": full(2, 0.0)},
                    [1, 5, 5],
                    [2, 3, 3],
                ),
                schema_valid=False,
                findings=["invalid-node"],
            ),
        ),
        group(
            "Conv channels and groups (x-nir-derive Ci = Ci_g * groups)",
            case(
                "3 channels arrive from a Scale, the kernel takes Ci_g * groups = 1 * 2",
                doc(
                    chain(
                        {
                            "input": inp(3, 5, 5),
                            "scale": neuron("Scale", [3, 5, 5]),
                            "conv": {"type": "Conv2d", "weight": seq([2, 1, 3, 3]), "groups": 2, "bias": full(2, 0.0)},
                            "output": out(2, 3, 3),
                        }
                    )
                ),
                schema_valid=True,
                findings=["shape-mismatch"],
            ),
            case(
                "Conv1d after a Scale: 1 channel arrives, the kernel takes 2",
                doc(
                    chain(
                        {
                            "input": inp(1, 8),
                            "scale": neuron("Scale", [1, 8]),
                            "conv": {"type": "Conv1d", "weight": seq([2, 2, 3]), "bias": full(2, 0.0)},
                            "output": out(2, 6),
                        }
                    )
                ),
                schema_valid=True,
                findings=["shape-mismatch"],
            ),
            case(
                "groups 2 do not divide Co = 3",
                through(
                    {"type": "Conv2d", "weight": seq([3, 1, 3, 3]), "groups": 2, "bias": full(3, 0.0)},
                    [2, 5, 5],
                    [3, 3, 3],
                ),
                schema_valid=True,
                findings=["invalid-parameter"],
            ),
            case(
                "groups 2 do not divide Co = 3, with input_shape given",
                through(
                    {
                        "type": "Conv2d",
                        "input_shape": [5, 5],
                        "weight": seq([3, 1, 3, 3]),
                        "groups": 2,
                        "bias": full(3, 0.0),
                    },
                    [2, 5, 5],
                    [3, 3, 3],
                ),
                schema_valid=True,
                findings=["invalid-parameter"],
            ),
        ),
        group(
            "convolution and pooling output shapes (x-nir-formula conv, pool)",
            case(
                "Conv1d output (4, 4) declared as (4, 5)",
                through(
                    {
                        "type": "Conv1d",
                        "weight": seq([4, 2, 3]),
                        "stride": 2,
                        "padding": 1,
                        "dilation": 2,
                        "bias": full(4, 0.0),
                    },
                    [2, 10],
                    [4, 5],
                ),
                schema_valid=True,
                findings=["io-shape-mismatch"],
            ),
            case(
                "kernel extent larger than the padded input",
                through({"type": "Conv2d", "weight": seq([2, 1, 3, 3]), "bias": full(2, 0.0)}, [1, 2, 2], [2, 1, 1]),
                schema_valid=True,
                findings=["invalid-parameter"],
            ),
            case(
                "kernel extent larger than the padded input, with input_shape given",
                through(
                    {"type": "Conv2d", "input_shape": [2, 2], "weight": seq([2, 1, 3, 3]), "bias": full(2, 0.0)},
                    [1, 2, 2],
                    [2, 1, 1],
                ),
                schema_valid=True,
                findings=["invalid-parameter"],
            ),
            case(
                "padding 'same' with stride 2",
                through(
                    {
                        "type": "Conv2d",
                        "weight": seq([2, 1, 3, 3]),
                        "padding": "same",
                        "stride": 2,
                        "bias": full(2, 0.0),
                    },
                    [1, 5, 5],
                    [2, 5, 5],
                ),
                schema_valid=True,
                findings=["invalid-parameter"],
            ),
            case(
                "Conv2d input_shape (6, 6) against an Input of (1, 5, 5)",
                through(
                    {"type": "Conv2d", "input_shape": [6, 6], "weight": seq([2, 1, 3, 3]), "bias": full(2, 0.0)},
                    [1, 5, 5],
                    [2, 4, 4],
                ),
                schema_valid=True,
                findings=["io-shape-mismatch"],
            ),
            case(
                "SumPool2d kernel 5 on a (1, 3, 3) input",
                through({"type": "SumPool2d", "kernel_size": 5, "stride": 1, "padding": 0}, [1, 3, 3], [1, 1, 1]),
                schema_valid=True,
                findings=["invalid-parameter"],
            ),
            case(
                "AvgPool2d after a Scale of (4, 4): pooling needs (C, H, W)",
                doc(
                    chain(
                        {
                            "input": inp(4, 4),
                            "scale": neuron("Scale", [4, 4]),
                            "pool": {"type": "AvgPool2d", "kernel_size": 2, "stride": 2, "padding": 0},
                            "output": out(2, 2),
                        }
                    )
                ),
                schema_valid=True,
                findings=["shape-mismatch"],
            ),
        ),
        group(
            "Flatten dimensions (x-nir-formula flatten)",
            case(
                "start_dim 3 on a 2-d input",
                through({"type": "Flatten", "start_dim": 3}, [2, 3], [6]),
                schema_valid=True,
                findings=["invalid-parameter"],
            ),
            case(
                "start_dim after end_dim",
                through({"type": "Flatten", "start_dim": 1, "end_dim": 0}, [2, 3], [6]),
                schema_valid=True,
                findings=["invalid-parameter"],
            ),
            case(
                "the default start_dim 1 selects nothing of a 1-d input",
                through({"type": "Flatten"}, [6], [6]),
                schema_valid=True,
                findings=["invalid-parameter"],
            ),
            case(
                "start_dim 2 on input_type (2, 3)",
                through({"type": "Flatten", "input_type": [2, 3], "start_dim": 2}, [2, 3], [6]),
                schema_valid=True,
                findings=["invalid-parameter"],
            ),
            case(
                "input_type (2, 3, 4) against an Input of (2, 12)",
                through({"type": "Flatten", "input_type": [2, 3, 4]}, [2, 12], [2, 12]),
                schema_valid=True,
                findings=["io-shape-mismatch"],
            ),
            case(
                "the element count is kept: (2, 3, 4) flattens to (2, 12), not the declared (24,)",
                through({"type": "Flatten", "input_type": [2, 3, 4]}, [2, 3, 4], [24]),
                schema_valid=True,
                findings=["io-shape-mismatch"],
            ),
            case(
                "(2, 3) flattened from 0 gives 6, the next Linear takes 5",
                doc(
                    chain(
                        {
                            "input": inp(2, 3),
                            "flat": {"type": "Flatten", "start_dim": 0},
                            "fc": {"type": "Linear", "weight": seq([2, 5])},
                            "output": out(2),
                        }
                    )
                ),
                schema_valid=True,
                findings=["shape-mismatch"],
            ),
        ),
        group(
            "shapes along edges",
            case(
                "LIF of 3 feeding a LIF of 4",
                doc(
                    chain(
                        {
                            "input": inp(3),
                            "a": neuron("LIF", 3),
                            "b": neuron("LIF", 4),
                            "output": out(4),
                        }
                    )
                ),
                schema_valid=True,
                findings=["shape-mismatch"],
            ),
            case(
                "a shape arriving through a 0-d Scale reaches the next node",
                doc(
                    chain(
                        {
                            "input": inp(3),
                            "scale": {"type": "Scale", "scale": scalar(2.0)},
                            "lif": neuron("LIF", 4),
                            "output": out(4),
                        }
                    )
                ),
                schema_valid=True,
                findings=["shape-mismatch"],
            ),
            case(
                "two edges into one node with equal shapes",
                doc(
                    graph(
                        {
                            "input": inp(3),
                            "a": neuron("Scale", 3),
                            "b": neuron("Scale", 3),
                            "lif": neuron("LIF", 3),
                            "output": out(3),
                        },
                        [("input", "a"), ("input", "b"), ("a", "lif"), ("b", "lif"), ("lif", "output")],
                    )
                ),
                schema_valid=True,
            ),
        ),
        group(
            "Input and Output shapes against their neighbours",
            case(
                "Input (4,) feeding a LIF of 3",
                through(neuron("LIF", 3), [4], [3]),
                schema_valid=True,
                findings=["io-shape-mismatch"],
            ),
            case(
                "Affine output (2,) into an Output of (3,)",
                through({"type": "Affine", "weight": seq([2, 3]), "bias": full(2, 0.0)}, [3], [3]),
                schema_valid=True,
                findings=["io-shape-mismatch"],
            ),
            case(
                "a trailing size-1 dimension is not a batch dimension",
                through(neuron("LIF", 3), [3], [3, 1]),
                schema_valid=True,
                findings=["io-shape-mismatch"],
            ),
            case(
                "Input (3, 5, 5) feeding a Conv2d whose kernel takes 1 channel",
                through({"type": "Conv2d", "weight": seq([2, 1, 3, 3]), "bias": full(2, 0.0)}, [3, 5, 5], [2, 3, 3]),
                schema_valid=True,
                findings=["io-shape-mismatch"],
            ),
            case(
                "Input (3,) feeding a SumPool2d that needs (C, H, W)",
                through({"type": "SumPool2d", "kernel_size": 2, "stride": 2, "padding": 0}, [3], [3]),
                schema_valid=True,
                findings=["io-shape-mismatch"],
            ),
            case(
                "root Input (4,) feeding a nested graph whose Input declares (3,)",
                doc(
                    chain(
                        {
                            "input": inp(4),
                            "sub": chain({"input": inp(3), "lif": neuron("LIF", 3), "output": out(3)}),
                            "output": out(3),
                        }
                    )
                ),
                schema_valid=True,
                findings=["io-shape-mismatch"],
            ),
        ),
        group(
            "batch dimensions on Input and Output",
            case(
                "Output (1, 3) after a LIF of 3",
                through(neuron("LIF", 3), [3], [1, 3]),
                schema_valid=True,
                findings=["batch-dimension"],
            ),
            case(
                "Output (1, 1, 1) after a LIF of 1",
                through(neuron("LIF", 1), [1], [1, 1, 1]),
                schema_valid=True,
                findings=["batch-dimension"],
            ),
            case(
                "Input (1, 3) feeding a LIF of 3",
                through(neuron("LIF", 3), [1, 3], [3]),
                schema_valid=True,
                findings=["batch-dimension"],
            ),
            case(
                "Input (1, 2, 5, 5) feeding a Conv2d with input_shape (5, 5)",
                through(
                    {"type": "Conv2d", "input_shape": [5, 5], "weight": seq([2, 2, 3, 3]), "bias": full(2, 0.0)},
                    [1, 2, 5, 5],
                    [2, 3, 3],
                ),
                schema_valid=True,
                findings=["batch-dimension"],
            ),
            case(
                "Input (1, 2, 5, 5) feeding a Conv2d without input_shape (the optional field changes nothing)",
                through(
                    {"type": "Conv2d", "weight": seq([2, 2, 3, 3]), "bias": full(2, 0.0)},
                    [1, 2, 5, 5],
                    [2, 3, 3],
                ),
                schema_valid=True,
                findings=["batch-dimension"],
            ),
        ),
    ]


# --------------------------------------------------------------------------- parameters.json


def parameters() -> list[Json]:
    """Element values of tensor parameters, and the JSON tensor encoding."""
    return [
        group(
            "non-finite values (tensor $defs finite)",
            case(
                "LIF v_leak NaN",
                through(neuron("LIF", 3, v_leak=vec(0.0, "NaN", 0.0)), [3], [3]),
                schema_valid=False,
                findings=["non-finite"],
            ),
            case(
                "Affine weight Infinity",
                through(
                    {"type": "Affine", "weight": tensor("float32", [1, 2], [1.0, "Infinity"]), "bias": vec(0.0)},
                    [2],
                    [1],
                ),
                schema_valid=False,
                findings=["non-finite"],
            ),
            case(
                "Conv1d bias -Infinity",
                through(
                    {"type": "Conv1d", "weight": seq([2, 1, 3]), "bias": vec(0.0, "-Infinity")},
                    [1, 8],
                    [2, 6],
                ),
                schema_valid=False,
                findings=["non-finite"],
            ),
            case(
                "positive infinity for tau is non-finite, not out of range",
                through(neuron("LIF", 3, tau=vec(0.0625, "Infinity", 0.0625)), [3], [3]),
                schema_valid=False,
                findings=["non-finite"],
            ),
            case(
                "Threshold 0-d NaN",
                through({"type": "Threshold", "threshold": scalar("NaN")}, [3], [3]),
                schema_valid=False,
                findings=["non-finite"],
            ),
            case(
                "tau holding both -1 and NaN breaks both rules",
                through(neuron("LIF", 3, tau=vec(-1.0, "NaN", 0.0625)), [3], [3]),
                schema_valid=False,
                findings=["non-finite", "out-of-range"],
            ),
            case(
                "NaN inside graph metadata is allowed",
                doc(chain({"input": inp(3), "output": out(3)}, metadata={"loss": scalar("NaN", "float64")})),
                schema_valid=True,
            ),
        ),
        group(
            "out-of-range values (tensor $defs positive, nonnegative)",
            case(
                "LIF tau 0 (must be > 0)",
                through(neuron("LIF", 3, tau=vec(0.0625, 0.0, 0.0625)), [3], [3]),
                schema_valid=False,
                findings=["out-of-range"],
            ),
            case(
                "LI tau negative",
                through(neuron("LI", 3, tau=full(3, -0.5)), [3], [3]),
                schema_valid=False,
                findings=["out-of-range"],
            ),
            case(
                "CubaLIF tau_syn 0",
                through(neuron("CubaLIF", 3, tau_syn=full(3, 0.0)), [3], [3]),
                schema_valid=False,
                findings=["out-of-range"],
            ),
            case(
                "CubaLI tau_mem negative, 0-d",
                through(neuron("CubaLI", 3, tau_mem=scalar(-1.0)), [3], [3]),
                schema_valid=False,
                findings=["out-of-range"],
            ),
            case(
                "I r negative (must be >= 0)",
                through(neuron("I", 3, r=vec(1.0, -1.0, 1.0)), [3], [3]),
                schema_valid=False,
                findings=["out-of-range"],
            ),
            case(
                "Delay negative",
                through(neuron("Delay", 3, delay=full(3, -0.5)), [3], [3]),
                schema_valid=False,
                findings=["out-of-range"],
            ),
            case(
                "integer tau 0 (int32)",
                through(neuron("LIF", 3, tau=tensor("int32", [3], [1, 0, 1])), [3], [3]),
                schema_valid=False,
                findings=["out-of-range"],
            ),
        ),
        group(
            "JSON tensor encoding",
            case(
                "data holds fewer elements than the shape",
                through({"type": "Scale", "scale": tensor("float32", [3], [1.0, 2.0])}, [3], [3]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "unknown dtype complex64",
                through({"type": "Scale", "scale": tensor("complex64", [3], [1.0, 2.0, 3.0])}, [3], [3]),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "lowercase 'nan' is not a non-finite spelling",
                through({"type": "Scale", "scale": vec(1.0, "nan", 1.0)}, [3], [3]),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "a tensor without shape",
                through({"type": "Scale", "scale": {"dtype": "float32", "data": [1.0, 2.0, 3.0]}}, [3], [3]),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "a bare list is not a tensor",
                through({"type": "Scale", "scale": [1.0, 2.0, 3.0]}, [3], [3]),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "NaN in an int32 tensor cannot be represented",
                through({"type": "Scale", "scale": tensor("int32", [3], [1, "NaN", 1])}, [3], [3]),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "300 does not fit uint8",
                through({"type": "Scale", "scale": tensor("uint8", [3], [1, 300, 1])}, [3], [3]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "1.5 is not an int32 element",
                through({"type": "Scale", "scale": tensor("int32", [3], [1, 1.5, 1])}, [3], [3]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "2.0 is an integer (JSON Schema: a number with zero fractional part)",
                through({"type": "Scale", "scale": tensor("int32", [3], [1, 2.0, 1])}, [3], [3]),
                schema_valid=True,
            ),
            case(
                "an Input shape written as [3.0] is the integer 3",
                doc(chain({"input": {"type": "Input", "shape": [3.0]}, "output": out(3)})),
                schema_valid=True,
            ),
        ),
        group(
            "non-tensor fields",
            case(
                "Conv1d stride 0",
                through(
                    {"type": "Conv1d", "weight": seq([2, 1, 3]), "stride": 0, "bias": full(2, 0.0)}, [1, 8], [2, 6]
                ),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "Conv1d padding 'full' is not a padding mode",
                through(
                    {"type": "Conv1d", "weight": seq([2, 1, 3]), "padding": "full", "bias": full(2, 0.0)},
                    [1, 8],
                    [2, 6],
                ),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "Conv2d groups 0",
                through(
                    {"type": "Conv2d", "weight": seq([2, 1, 3, 3]), "groups": 0, "bias": full(2, 0.0)},
                    [1, 5, 5],
                    [2, 3, 3],
                ),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "SumPool2d kernel_size of three values",
                through(
                    {"type": "SumPool2d", "kernel_size": [2, 2, 2], "stride": 2, "padding": 0},
                    [1, 4, 4],
                    [1, 2, 2],
                ),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "AvgPool2d negative padding",
                through({"type": "AvgPool2d", "kernel_size": 2, "stride": 2, "padding": -1}, [1, 4, 4], [1, 2, 2]),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "Flatten start_dim 1.5",
                through({"type": "Flatten", "start_dim": 1.5}, [2, 3], [6]),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "Input shape with a negative size",
                doc(chain({"input": inp(-3), "output": out(3)})),
                schema_valid=False,
                findings=["invalid-node"],
            ),
        ),
    ]


# --------------------------------------------------------------------------- graph.json


def _sub_two_outputs() -> Json:
    return graph(
        {"input": inp(3), "lif": neuron("LIF", 3), "o1": out(3), "o2": out(3)},
        [("input", "lif"), ("lif", "o1"), ("lif", "o2")],
    )


def _sub_two_inputs() -> Json:
    return graph(
        {"a": inp(3), "b": inp(3), "lif": neuron("LIF", 3), "output": out(3)},
        [("a", "lif"), ("b", "lif"), ("lif", "output")],
    )


def graph_checks() -> list[Json]:
    """Every graph check: edges, connectivity, cycles, ports, nesting."""
    scale = neuron("Scale", 3)
    return [
        group(
            "unknown-node",
            case(
                "an edge to a node that does not exist",
                doc(
                    graph(
                        {"input": inp(3), "x": scale, "output": out(3)},
                        [("input", "x"), ("x", "output"), ("x", "ghost")],
                    )
                ),
                schema_valid=True,
                findings=["unknown-node"],
            ),
            case(
                "a misspelled Output name leaves the Output unconnected too",
                doc(graph({"input": inp(3), "x": scale, "output": out(3)}, [("input", "x"), ("x", "outptu")])),
                schema_valid=True,
                findings=["unknown-node", "output-unconnected"],
            ),
            case(
                "an edge from a node that does not exist still counts as an edge into its destination",
                doc(
                    graph(
                        {"input": inp(3), "x": scale, "y": scale, "output": out(3)},
                        [("input", "x"), ("x", "output"), ("ghost", "y"), ("y", "output")],
                    )
                ),
                schema_valid=True,
                findings=["unknown-node"],
            ),
            case(
                "edges of a nested graph name nodes of that graph only",
                doc(
                    chain(
                        {
                            "input": inp(3),
                            "sub": graph(
                                {"input": inp(3), "lif": neuron("LIF", 3), "output": out(3)},
                                [("input", "lif"), ("lif", "output"), ("lif", "x")],
                            ),
                            "x": scale,
                            "output": out(3),
                        }
                    )
                ),
                schema_valid=True,
                findings=["unknown-node"],
            ),
            case(
                "a dotted name through a node that is not a graph",
                doc(graph({"input": inp(3), "x": scale, "output": out(3)}, [("input", "x"), ("x.y", "output")])),
                schema_valid=True,
                findings=["unknown-node"],
            ),
        ),
        group(
            "ambiguous-port",
            case(
                "edge from a nested graph with two Outputs",
                doc(chain({"input": inp(3), "sub": _sub_two_outputs(), "output": out(3)})),
                schema_valid=True,
                findings=["ambiguous-port"],
            ),
            case(
                "naming the Output resolves it",
                doc(
                    graph(
                        {"input": inp(3), "sub": _sub_two_outputs(), "output": out(3)},
                        [("input", "sub"), ("sub.o1", "output")],
                    )
                ),
                schema_valid=True,
            ),
            case(
                "edge into a nested graph with two Inputs: the nested Inputs then receive no edge",
                doc(chain({"input": inp(3), "sub": _sub_two_inputs(), "output": out(3)})),
                schema_valid=True,
                findings=["ambiguous-port", "no-incoming-edge"],
            ),
            case(
                "naming both Inputs resolves it",
                doc(
                    graph(
                        {"input": inp(3), "sub": _sub_two_inputs(), "output": out(3)},
                        [("input", "sub.a"), ("input", "sub.b"), ("sub", "output")],
                    )
                ),
                schema_valid=True,
            ),
        ),
        group(
            "duplicate-edge",
            case(
                "the same edge twice",
                doc(
                    graph(
                        {"input": inp(3), "x": scale, "output": out(3)},
                        [("input", "x"), ("x", "output"), ("input", "x")],
                    )
                ),
                schema_valid=True,
                findings=["duplicate-edge"],
            ),
            case(
                "opposite directions are two different edges",
                doc(
                    graph(
                        {"input": inp(3), "x": scale, "y": scale, "output": out(3)},
                        [("input", "x"), ("x", "y"), ("y", "x"), ("y", "output")],
                    )
                ),
                schema_valid=True,
            ),
        ),
        group(
            "dangling and unreachable nodes",
            case(
                "a node without incoming edge",
                doc(
                    graph(
                        {"input": inp(3), "x": scale, "y": scale, "output": out(3)},
                        [("input", "x"), ("x", "output"), ("y", "output")],
                    )
                ),
                schema_valid=True,
                findings=["no-incoming-edge"],
            ),
            case(
                "a node fed only by a dangling node is unreachable",
                doc(
                    graph(
                        {"input": inp(3), "x": scale, "y": scale, "z": scale, "output": out(3)},
                        [("input", "x"), ("x", "output"), ("y", "z"), ("z", "output")],
                    )
                ),
                schema_valid=True,
                findings=["no-incoming-edge", "unreachable-node"],
            ),
            case(
                "an Output without edge",
                doc(
                    graph(
                        {"input": inp(3), "x": scale, "output": out(3), "extra": out(3)},
                        [("input", "x"), ("x", "output")],
                    )
                ),
                schema_valid=True,
                findings=["output-unconnected"],
            ),
            case(
                "an Input with no outgoing edge is fine",
                doc(
                    graph(
                        {"input": inp(3), "spare": inp(2), "x": scale, "output": out(3)},
                        [("input", "x"), ("x", "output")],
                    )
                ),
                schema_valid=True,
            ),
            case(
                "a nested Input that no edge of the enclosing graph feeds",
                doc(
                    graph(
                        {
                            "input": inp(3),
                            "sub": chain({"input": inp(3), "lif": neuron("LIF", 3), "output": out(3)}),
                            "output": out(3),
                        },
                        [("input", "sub.lif"), ("sub", "output")],
                    )
                ),
                schema_valid=True,
                findings=["no-incoming-edge"],
            ),
        ),
        group(
            "cycles",
            case(
                "a recurrent loop entered from the Input",
                doc(
                    graph(
                        {
                            "input": inp(3),
                            "fc": {"type": "Linear", "weight": seq([3, 3])},
                            "lif": neuron("LIF", 3),
                            "rec": {"type": "Linear", "weight": seq([3, 3])},
                            "output": out(3),
                        },
                        [("input", "fc"), ("fc", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "output")],
                    )
                ),
                schema_valid=True,
            ),
            case(
                "a self-loop entered from the Input",
                doc(
                    graph(
                        {"input": inp(3), "lif": neuron("LIF", 3), "output": out(3)},
                        [("input", "lif"), ("lif", "lif"), ("lif", "output")],
                    )
                ),
                schema_valid=True,
            ),
            case(
                "a cycle no Input enters",
                doc(
                    graph(
                        {"input": inp(3), "x": scale, "a": scale, "b": scale, "output": out(3)},
                        [("input", "x"), ("x", "output"), ("a", "b"), ("b", "a"), ("b", "output")],
                    )
                ),
                schema_valid=True,
                findings=["cycle-without-entry"],
            ),
            case(
                "a self-loop no Input enters",
                doc(
                    graph(
                        {"input": inp(3), "x": scale, "a": scale, "output": out(3)},
                        [("input", "x"), ("x", "output"), ("a", "a")],
                    )
                ),
                schema_valid=True,
                findings=["cycle-without-entry"],
            ),
            case(
                "a recurrent nested graph",
                doc(
                    chain(
                        {
                            "input": inp(3),
                            "rnn": graph(
                                {
                                    "input": inp(3),
                                    "lif": neuron("CubaLIF", 3),
                                    "rec": {"type": "Linear", "weight": seq([3, 3])},
                                    "output": out(3),
                                },
                                [("input", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "output")],
                            ),
                            "output": out(3),
                        }
                    )
                ),
                schema_valid=True,
            ),
        ),
        group(
            "uninferred-shape",
            case(
                "a pooling node fed only by an edge from a node that does not exist",
                doc(
                    graph(
                        {
                            "input": inp(2, 4, 4),
                            "pool": {"type": "SumPool2d", "kernel_size": 2, "stride": 2, "padding": 0},
                            "lost": {"type": "SumPool2d", "kernel_size": 2, "stride": 2, "padding": 0},
                            "output": out(2, 2, 2),
                        },
                        [("input", "pool"), ("pool", "output"), ("ghost", "lost")],
                    )
                ),
                schema_valid=True,
                findings=["unknown-node", "uninferred-shape"],
            ),
        ),
        group(
            "graph without Input, Output or nodes",
            case(
                "no Input node",
                doc(chain({"x": scale, "output": out(3)})),
                schema_valid=True,
                findings=["no-input-node", "no-incoming-edge", "unreachable-node"],
            ),
            case(
                "no Output node",
                doc(chain({"input": inp(3), "x": scale})),
                schema_valid=True,
                findings=["no-output-node"],
            ),
            case(
                "an empty graph",
                doc(graph({}, [])),
                schema_valid=True,
                findings=["empty-graph"],
            ),
            case(
                "an empty nested graph",
                doc(graph({"input": inp(3), "empty": graph({}, []), "output": out(3)}, [("input", "output")])),
                schema_valid=True,
                findings=["empty-graph"],
            ),
            case(
                "a nested graph without Input, entered by a dotted name",
                doc(
                    graph(
                        {
                            "input": inp(3),
                            "sub": chain({"lif": neuron("LIF", 3), "output": out(3)}),
                            "output": out(3),
                        },
                        [("input", "sub.lif"), ("sub", "output")],
                    )
                ),
                schema_valid=True,
                findings=["no-input-node"],
            ),
            case(
                "a nested graph without Output, left by a dotted name",
                doc(
                    graph(
                        {
                            "input": inp(3),
                            "sub": chain({"input": inp(3), "lif": neuron("LIF", 3)}),
                            "output": out(3),
                        },
                        [("input", "sub"), ("sub.lif", "output")],
                    )
                ),
                schema_valid=True,
                findings=["no-output-node"],
            ),
        ),
        group(
            "names",
            case(
                "dotted names reach into a nested graph",
                doc(
                    graph(
                        {
                            "input": inp(3),
                            "sub": chain({"input": inp(3), "lif": neuron("LIF", 3), "output": out(3)}),
                            "output": out(3),
                        },
                        [("input", "sub.input"), ("sub.output", "output")],
                    )
                ),
                schema_valid=True,
            ),
            case(
                "a node named 'a.b' is matched before node 'b' of the nested graph 'a'",
                doc(
                    graph(
                        {
                            "input": inp(3),
                            "a.b": neuron("Scale", 3),
                            "a": chain({"input": inp(4), "b": neuron("Scale", 4), "output": out(4)}),
                            "in4": inp(4),
                            "output": out(3),
                        },
                        [("input", "a.b"), ("a.b", "output"), ("in4", "a")],
                    )
                ),
                schema_valid=True,
            ),
            case(
                "names are case-sensitive",
                doc(graph({"input": inp(3), "x": scale, "output": out(3)}, [("input", "X"), ("x", "output")])),
                schema_valid=True,
                findings=["unknown-node", "no-incoming-edge", "unreachable-node"],
            ),
            case(
                "non-ASCII names",
                doc(chain({"entrée": inp(3), "λ": scale, "sortie": out(3)})),
                schema_valid=True,
            ),
        ),
    ]


# --------------------------------------------------------------------------- document.json


def document() -> list[Json]:
    """The document object, node objects, unknown entries, and nodes that cannot be built."""
    ok = chain({"input": inp(3), "output": out(3)})
    return [
        group(
            "documents that cannot be read as a graph",
            case("a JSON array", [ok], schema_valid=False, error="unreadable"),
            case("a JSON string", "NIRGraph", schema_valid=False, error="unreadable"),
            case("no graph", {"version": "1.0"}, schema_valid=False, error="unreadable"),
            case("graph is not an object", {"version": "1.0", "graph": [ok]}, schema_valid=False, error="unreadable"),
            case("no version", {"graph": ok}, schema_valid=False, error="unreadable"),
            case("version is a number", {"version": 1.0, "graph": ok}, schema_valid=False, error="unreadable"),
            case("a future major version", doc(ok, version="2.0"), schema_valid=False, error="unsupported-version"),
        ),
        group(
            "nodes that break their schema",
            case(
                "unknown node type",
                doc(
                    graph(
                        {"input": inp(3), "x": {"type": "LIFF", "tau": full(3, 0.5)}, "output": out(3)},
                        [("input", "output")],
                    )
                ),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "a node without type",
                doc(graph({"input": inp(3), "x": {"tau": full(3, 0.5)}, "output": out(3)}, [("input", "output")])),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "a node that is not an object",
                doc(graph({"input": inp(3), "x": 5, "output": out(3)}, [("input", "output")])),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "a missing required field",
                doc(graph({"input": inp(3), "x": {"type": "Scale"}, "output": out(3)}, [("input", "output")])),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "type names are case-sensitive",
                doc(graph({"input": inp(3), "x": {"type": "lif"}, "output": out(3)}, [("input", "output")])),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "an empty node name",
                doc(graph({"input": inp(3), "": neuron("Scale", 3), "output": out(3)}, [("input", "output")])),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "a node name with '/' (HDF5 reads it as a path)",
                doc(graph({"input": inp(3), "a/b": neuron("Scale", 3), "output": out(3)}, [("input", "output")])),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "Input with the Python-API name input_type instead of shape",
                doc(chain({"input": {"type": "Input", "input_type": [3]}, "output": out(3)})),
                schema_valid=False,
                findings=["invalid-node", "unknown-field"],
            ),
        ),
        group(
            "an invalid node is still a node of its graph",
            case(
                "edges to and from an invalid LIF do not name unknown nodes",
                through(neuron("LIF", 3, r=full(4, 2.0)), [3], [3]),
                schema_valid=True,
                findings=["invalid-node"],
            ),
            case(
                "an invalid Input is still the graph's Input",
                doc(chain({"input": {"type": "Input"}, "output": out(3)})),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "a node after an invalid node is not dangling",
                doc(
                    chain(
                        {
                            "input": inp(3),
                            "bad": {"type": "Scale"},
                            "lif": neuron("LIF", 3),
                            "output": out(3),
                        }
                    )
                ),
                schema_valid=False,
                findings=["invalid-node"],
            ),
        ),
        group(
            "edges that break their schema",
            case(
                "edges missing",
                doc({"type": "NIRGraph", "nodes": {"input": inp(3), "output": out(3)}}),
                schema_valid=False,
                findings=["invalid-node", "output-unconnected"],
            ),
            case(
                "edges not a list",
                doc({"type": "NIRGraph", "nodes": {"input": inp(3), "output": out(3)}, "edges": {"input": "output"}}),
                schema_valid=False,
                findings=["invalid-node", "output-unconnected"],
            ),
            case(
                "an edge naming a node by a number",
                doc(graph({"input": inp(3), "output": out(3)}, [["input", "output"], ["input", 1]])),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "an edge of three names does not spoil the others",
                doc(graph({"input": inp(3), "output": out(3)}, [["input", "output"], ["input", "output", "x"]])),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "an edge to an empty name",
                doc(graph({"input": inp(3), "output": out(3)}, [["input", "output"], ["input", ""]])),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "an empty edge list is allowed",
                doc(graph({"input": inp(3)}, [])),
                schema_valid=True,
                findings=["no-output-node"],
            ),
        ),
        group(
            "unknown entries",
            case(
                "a node field its type does not define",
                doc(chain({"input": inp(3), "x": {**neuron("Scale", 3), "bias": full(3, 0.0)}, "output": out(3)})),
                schema_valid=False,
                findings=["unknown-field"],
            ),
            case(
                "an entry of the root graph it does not define",
                doc({**ok, "name": "net"}),
                schema_valid=False,
                findings=["unknown-field"],
            ),
            case(
                "an entry of a nested graph",
                doc(
                    chain(
                        {
                            "input": inp(3),
                            "sub": {**chain({"input": inp(3), "output": out(3)}), "inputs": ["input"]},
                            "output": out(3),
                        }
                    )
                ),
                schema_valid=False,
                findings=["unknown-field"],
            ),
            case(
                "Flatten's Python attribute name input_shape is not its field input_type",
                doc(
                    chain({"input": inp(2, 3), "flat": {"type": "Flatten", "input_shape": [2, 3]}, "output": out(2, 3)})
                ),
                schema_valid=False,
                findings=["unknown-field"],
            ),
        ),
        group(
            "metadata",
            case(
                "graph metadata that is not an object",
                doc({**ok, "metadata": 5}),
                schema_valid=False,
                findings=["invalid-node"],
            ),
            case(
                "node metadata of every JSON kind",
                doc(
                    chain(
                        {
                            "input": inp(
                                3, metadata={"s": "x", "i": 1, "f": 0.5, "b": False, "l": [1, 2], "n": {"t": vec(1.0)}}
                            ),
                            "output": out(3),
                        }
                    )
                ),
                schema_valid=True,
            ),
            case(
                "empty metadata",
                doc({**chain({"input": inp(3, metadata={}), "output": out(3)}), "metadata": {}}),
                schema_valid=True,
            ),
        ),
    ]


# --------------------------------------------------------------------------- migrations


def _tensor_fields() -> dict[str, set[str]]:
    """Tensor fields (those with x-nir-shape) of each unit, read from the schema files."""
    out_: dict[str, set[str]] = {}
    for path in sorted((SCHEMA_DIR / "units").glob("*.schema.json")):
        schema = json.loads(path.read_text("utf-8"))
        out_[schema["title"]] = {k for k, v in schema["properties"].items() if "x-nir-shape" in v}
    return out_


def _is_tensor(value: Any) -> bool:
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
    tensors = _tensor_fields()

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
            if key in ("type", "metadata") or key in tensors[node["type"]] or not _is_tensor(value):
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
        result["findings"] = [[SEVERITY[error], error]]
        return result
    assert upgraded is not None
    result["upgraded"] = upgraded
    result["document"] = tree_to_document(upgraded)
    codes = sorted({(SEVERITY[c], c) for c in findings}, key=lambda p: (ORDER[p[0]], p[1]))
    result["findings"] = [list(p) for p in codes]
    return result


ALL_STEPS = ["0.0->0.1", "0.1->0.2", "0.2->1.0"]


def migrations() -> list[Json]:
    """Old-layout files (HDF5 trees spelled in JSON) and the trees they upgrade to."""
    # 0.1 layout: LIF without v_reset, CubaLIF without w_in and v_reset (reference package 0.1.x).
    lif_01 = {
        "type": "LIF",
        "tau": vec(0.0625),
        "r": vec(2.0),
        "v_leak": vec(0.0),
        "v_threshold": vec(1.0),
    }
    lif_10 = {**lif_01, "v_reset": vec(0.0)}
    cuba_01 = {
        "type": "CubaLIF",
        "tau_syn": full([2, 3], 0.03125, "float64"),
        "tau_mem": full([2, 3], 0.0625, "float64"),
        "r": full([2, 3], 2.0, "float64"),
        "v_leak": full([2, 3], -0.5, "float64"),
        "v_threshold": full([2, 3], 1.0, "float64"),
    }
    cuba_02 = {**cuba_01, "w_in": full([2, 3], 1.0, "float64")}
    cuba_10 = {**cuba_02, "v_reset": full([2, 3], 0.0, "float64")}
    cubali_01 = {
        "type": "CubaLI",
        "tau_syn": vec(0.03125, 0.03125),
        "tau_mem": vec(0.0625, 0.0625),
        "r": vec(2.0, 2.0),
        "v_leak": vec(0.25, 0.5),
    }
    cubali_10 = {**cubali_01, "w_in": vec(1.0, 1.0)}
    if_02 = {"type": "IF", "r": full(4, 1.0, "float16"), "v_threshold": full(4, 0.5, "float16")}
    if_10 = {**if_02, "v_reset": full(4, 0.0, "float16")}

    def norse(lif: Json) -> Json:
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

    def cuba_graph(node: Json) -> Json:
        return {
            "type": "NIRGraph",
            "nodes": {
                "input": {"type": "Input", "shape": i64(2, 3)},
                "lif": node,
                "output": {"type": "Output", "shape": i64(2, 3)},
            },
            "edges": [["input", "lif"], ["lif", "output"]],
        }

    def nested(inner: Json) -> Json:
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

    conv_node = {
        "type": "Conv2d",
        "weight": seq([2, 1, 3, 3]),
        "bias": vec(0.0, 0.5),
        "stride": i64(1, 1),
        "padding": i64(1, 1),
        "dilation": i64(1, 1),
        "groups": tensor("int64", [], [1]),
        "input_shape": i64(4, 4),
    }

    def conv_graph(if_node: Json) -> Json:
        return {
            "type": "NIRGraph",
            "nodes": {
                "input": {"type": "Input", "shape": i64(1, 4, 4)},
                "conv": conv_node,
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

    if_conv_02 = {"type": "IF", "r": full([2, 4, 4], 1.0), "v_threshold": full([2, 4, 4], 1.0)}
    if_conv_10 = {**if_conv_02, "v_reset": full([2, 4, 4], 0.0)}
    scalar_lif_02 = {
        "type": "LIF",
        "tau": vec(0.0625, 0.0625, 0.0625),
        "r": vec(2.0, 2.0, 2.0),
        "v_leak": vec(0.0, 0.0, 0.0),
        "v_threshold": scalar(1.0, "float64"),
    }
    scalar_lif_10 = {**scalar_lif_02, "v_reset": scalar(0.0, "float64")}

    def single(node: Json, n: int) -> Json:
        return {
            "type": "NIRGraph",
            "nodes": {"input": file_input(n), "x": node, "output": file_output(n)},
            "edges": [["input", "x"], ["x", "output"]],
        }

    kept_01 = {**cuba_01, "w_in": full([2, 3], 0.5, "float64"), "v_reset": full([2, 3], -1.0, "float64")}

    return [
        group(
            "files without a version (layout 0.0)",
            migration(
                "LIF gains v_reset = 0 shaped and typed like v_threshold",
                {"node": norse(lif_01)},
                layout="0.0",
                steps=ALL_STEPS,
                upgraded=norse(lif_10),
                findings=("migrated",),
            ),
            migration(
                "CubaLIF gains w_in = 1 (like v_leak) and v_reset = 0 (like v_threshold)",
                {"node": cuba_graph(cuba_01)},
                layout="0.0",
                steps=ALL_STEPS,
                upgraded=cuba_graph(cuba_10),
                findings=("migrated",),
            ),
        ),
        group(
            "0.1.x files (layout 0.1)",
            migration(
                "a Norse LIF export of 0.1.1",
                {"version": "0.1.1", "node": norse(lif_01)},
                layout="0.1",
                steps=ALL_STEPS[1:],
                upgraded=norse(lif_10),
                findings=("migrated",),
            ),
            migration(
                "CubaLI gains only w_in",
                {"version": "0.1.0", "node": single(cubali_01, 2)},
                layout="0.1",
                steps=ALL_STEPS[1:],
                upgraded=single(cubali_10, 2),
                findings=("migrated",),
            ),
            migration(
                "CubaLIF gains w_in and v_reset, float64 and (2, 3) kept",
                {"version": "0.1.1", "node": cuba_graph(cuba_01)},
                layout="0.1",
                steps=ALL_STEPS[1:],
                upgraded=cuba_graph(cuba_10),
                findings=("migrated",),
            ),
            migration(
                "fields already present are kept, not overwritten",
                {"version": "0.1.1", "node": cuba_graph(kept_01)},
                layout="0.1",
                steps=ALL_STEPS[1:],
                upgraded=cuba_graph(kept_01),
                findings=("migrated",),
            ),
        ),
        group(
            "0.2.x and later 0.x files (layout 0.2)",
            migration(
                "CubaLIF with w_in gains v_reset",
                {"version": "0.2.0", "node": cuba_graph(cuba_02)},
                layout="0.2",
                steps=ALL_STEPS[2:],
                upgraded=cuba_graph(cuba_10),
                findings=("migrated",),
            ),
            migration(
                "IF gains v_reset in float16",
                {"version": "0.2.0", "node": single(if_02, 4)},
                layout="0.2",
                steps=ALL_STEPS[2:],
                upgraded=single(if_10, 4),
                findings=("migrated",),
            ),
            migration(
                "a 0-d v_threshold gives a 0-d v_reset",
                {"version": "0.2.0", "node": single(scalar_lif_02, 3)},
                layout="0.2",
                steps=ALL_STEPS[2:],
                upgraded=single(scalar_lif_10, 3),
                findings=("migrated",),
            ),
            migration(
                "nodes inside nested graphs are upgraded too",
                {"version": "0.2.0", "node": nested(lif_01)},
                layout="0.2",
                steps=ALL_STEPS[2:],
                upgraded=nested(lif_10),
                findings=("migrated",),
            ),
            migration(
                "a Sinabs-like CNN: integer datasets become plain numbers in the document",
                {"version": "0.2.0", "node": conv_graph(if_conv_02)},
                layout="0.2",
                steps=ALL_STEPS[2:],
                upgraded=conv_graph(if_conv_10),
                findings=("migrated",),
            ),
            migration(
                "0.5.0 is a 0.x release after 0.2: layout 0.2",
                {"version": "0.5.0", "node": norse(lif_01)},
                layout="0.2",
                steps=ALL_STEPS[2:],
                upgraded=norse(lif_10),
                findings=("migrated",),
            ),
        ),
        group(
            "1.0.x files (the current layout)",
            migration(
                "1.0.8 needs no migration",
                {"version": "1.0.8", "node": norse(lif_10)},
                layout="1.0",
                steps=[],
                upgraded=norse(lif_10),
            ),
            migration(
                "a 1.0 LIF without v_reset keeps the field's default, not a migration",
                {"version": "1.0", "node": norse(lif_01)},
                layout="1.0",
                steps=[],
                upgraded=norse(lif_01),
            ),
        ),
        group(
            "versions newer than the spec",
            migration(
                "2.0.0 is refused",
                {"version": "2.0.0", "node": norse(lif_10)},
                layout=None,
                steps=[],
                error="unsupported-version",
            ),
        ),
    ]


# --------------------------------------------------------------------------- output

CASE_FILES = {
    "cases/units.json": units,
    "cases/shapes.json": shapes,
    "cases/parameters.json": parameters,
    "cases/graph.json": graph_checks,
    "cases/document.json": document,
    "migrations/layouts.json": migrations,
}


def dumps(value: Any, indent: int = 0) -> str:
    """Stable, readable JSON: objects one key a line, lists of scalars (and of short lists) on one line."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        if _is_tensor(value) or (all(_flat(v) for v in value.values()) and len(json.dumps(value)) <= 60):
            return json.dumps(value, ensure_ascii=False, allow_nan=False)
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {dumps(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if all(_flat(v) for v in value):
            return json.dumps(value, ensure_ascii=False, allow_nan=False)
        items = [inner + dumps(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _flat(value: Any) -> bool:
    if isinstance(value, list):
        return all(not isinstance(v, dict | list) for v in value)
    return not isinstance(value, dict)


def _drift() -> ModuleType:
    """The package's drift check, loaded by path so that the `nir` package is never imported."""
    spec = importlib.util.spec_from_file_location("_nir_drift", HERE.parent / "src" / "nir" / "spec" / "drift.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render() -> dict[str, str]:
    """Every output file's path (relative to conformance/) and text."""
    files = {}
    for path, make in CASE_FILES.items():
        groups = make()
        descriptions = [c["description"] for g in groups for c in g["cases"]]
        duplicates = {d for d in descriptions if descriptions.count(d) > 1}
        assert not duplicates, f"{path}: case descriptions must be unique: {duplicates}"
        files[path] = dumps(groups) + "\n"
    return files


def main(argv: list[str] | None = None) -> int:
    """Write the files, or with --check report stale ones."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed file differs")
    args = parser.parse_args(argv)
    files = render()
    if args.check:
        return _drift().check(
            files,
            HERE,
            tool="conformance-check",
            shown_as="conformance",
            source="conformance/generate.py",
            fix="python conformance/generate.py",
        )
    for rel, text in files.items():
        path = HERE / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
