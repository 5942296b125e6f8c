"""parameters.json: element values of tensor parameters (non-finite, out of range), the JSON tensor encoding, and
non-tensor fields."""

from __future__ import annotations

from .builders import case, chain, doc, full, group, inp, neuron, out, scalar, seq, tensor, through, vec
from .spec import Json


def parameters() -> list[Json]:
    """Element values of tensor parameters, and the JSON tensor encoding."""
    return [_non_finite(), _out_of_range(), _tensor_encoding(), _non_tensor_fields()]


def _non_finite() -> Json:
    return group(
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
    )


def _out_of_range() -> Json:
    return group(
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
    )


def _tensor_encoding() -> Json:
    # Most of these are JSON only: an HDF5 dataset carries its dtype and shape, so its elements always
    # fit them, and a list of numbers is a dataset like any tensor.
    return group(
        "JSON tensor encoding",
        case(
            "data holds fewer elements than the shape",
            through({"type": "Scale", "scale": tensor("float32", [3], [1.0, 2.0])}, [3], [3]),
            schema_valid=True,
            findings=["invalid-node"],
            json_only=True,
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
            json_only=True,
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
            json_only=True,
        ),
        case(
            "NaN in an int32 tensor cannot be represented",
            through({"type": "Scale", "scale": tensor("int32", [3], [1, "NaN", 1])}, [3], [3]),
            schema_valid=False,
            findings=["invalid-node"],
            json_only=True,
        ),
        case(
            "300 does not fit uint8",
            through({"type": "Scale", "scale": tensor("uint8", [3], [1, 300, 1])}, [3], [3]),
            schema_valid=True,
            findings=["invalid-node"],
            json_only=True,
        ),
        case(
            "1.5 is not an int32 element",
            through({"type": "Scale", "scale": tensor("int32", [3], [1, 1.5, 1])}, [3], [3]),
            schema_valid=True,
            findings=["invalid-node"],
            json_only=True,
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
    )


def _non_tensor_fields() -> Json:
    return group(
        "non-tensor fields",
        case(
            "Conv1d stride 0",
            through({"type": "Conv1d", "weight": seq([2, 1, 3]), "stride": 0, "bias": full(2, 0.0)}, [1, 8], [2, 6]),
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
    )
