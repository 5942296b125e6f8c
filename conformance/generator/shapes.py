"""shapes.json: every shape rule, within a node (x-nir-shape, x-nir-value, x-nir-derive) and along edges."""

from __future__ import annotations

from .builders import case, chain, doc, full, graph, group, inp, neuron, out, scalar, seq, through
from .spec import Json


def shapes() -> list[Json]:
    """Every shape rule: symbols within a node (invalid-node) and shapes along edges."""
    return [
        _neuron_parameters(),
        _dense_weights(),
        _conv_weights(),
        _conv_channels(),
        _window_formulas(),
        _flatten_dimensions(),
        _along_edges(),
        _io_shapes(),
        _batch_dimensions(),
    ]


def _neuron_parameters() -> Json:
    return group(
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
    )


def _dense_weights() -> Json:
    return group(
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
    )


def _conv_weights() -> Json:
    return group(
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
        # JSON only: an HDF5 file's one-value size pair means that size for both dimensions, as the
        # reference package reads it; only a JSON document must list both.
        case(
            "Conv2d: input_shape with one value (x-nir-value [H, W])",
            through(
                {"type": "Conv2d", "input_shape": [5], "weight": seq([2, 1, 3, 3]), "bias": full(2, 0.0)},
                [1, 5, 5],
                [2, 3, 3],
            ),
            schema_valid=False,
            findings=["invalid-node"],
            json_only=True,
        ),
    )


def _conv_channels() -> Json:
    return group(
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
    )


def _window_formulas() -> Json:
    return group(
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
    )


def _flatten_dimensions() -> Json:
    return group(
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
    )


def _along_edges() -> Json:
    return group(
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
    )


def _io_shapes() -> Json:
    return group(
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
    )


def _batch_dimensions() -> Json:
    return group(
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
    )
