# Generated from schema/1.0 by codegen/generate.py; do not edit.
from __future__ import annotations
from nir.annotations import (
    Edge,
    Integer,
    Metadata,
    Padding1d,
    Padding2d,
    Pair,
    PositiveInt,
    PositivePair,
    Shape,
    Size,
    Tensor,
)
from nir.node import NIRNode
from typing import Annotated, Literal
from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from nir.graph import GraphBase


class Affine(NIRNode):
    """
    Affine map: multiplies the input by a weight matrix and adds a bias.

    Equation: $y = W x + b$, with $W$ of shape $(\\dots, M, N)$ mapping $N$ inputs to $M$ outputs.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["Affine"]
    """
    Discriminator: the unit's name.
    """
    weight: Tensor
    """
    Weight matrix $W$; leading dimensions, if any, are batch-like and carried to the input and output.
    """
    bias: Tensor
    """
    Bias $b$, one value per output.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class AvgPool2d(NIRNode):
    """
    2-d average pooling over an input of shape $(C, H, W)$, as PyTorch's pooling layers.

    Equation: $y_{c,i,j} = \\frac{1}{K_h K_w} \\sum_{m,n} x_{c, s_h i + m - p_h, s_w j + n - p_w}$ over the kernel window.

    Formula `pool`: for each spatial dimension $i$, $O_i = \\lfloor (L_i + 2 p_i - K_i) / s_i \\rfloor + 1$ with input length $L_i$, padding $p_i$, kernel size $K_i$ and stride $s_i$; the channel count is kept.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["AvgPool2d"]
    """
    Discriminator: the unit's name.
    """
    kernel_size: PositivePair
    """
    Kernel size $(K_h, K_w)$.
    """
    stride: PositivePair
    """
    Stride $(s_h, s_w)$.
    """
    padding: Pair
    """
    Zero padding $(p_h, p_w)$ on both sides.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class Conv1d(NIRNode):
    """
    1-d convolution over an input of shape $(C_i, L)$, as PyTorch's `Conv1d`.

    Equation: $y_{c_o} = b_{c_o} + \\sum_{c_i} W_{c_o, c_i} \\star x_{c_i}$ (cross-correlation $\\star$).

    Formula `conv` (PyTorch's convolution): for each spatial dimension $i$, $O_i = \\lfloor (L_i + 2 p_i - d_i (K_i - 1) - 1) / s_i \\rfloor + 1$ with input length $L_i$, padding $p_i$, dilation $d_i$, kernel size $K_i$ and stride $s_i$. Padding `valid` means $p_i = 0$; padding `same` keeps $O_i = L_i$ and requires stride 1. The input channel count is $C_i = C_{i/g} \\cdot g$ with $g$ groups, which must divide both $C_i$ and $C_o$. Shapes carry no batch dimension.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["Conv1d"]
    """
    Discriminator: the unit's name.
    """
    input_shape: Size | None = None
    """
    Spatial shape of the input (without channels); optional, inferred from the graph when absent.
    """
    weight: Tensor
    """
    Kernel $W$ of shape $(C_o, C_i / g, K)$.
    """
    stride: PositiveInt | None = 1
    """
    Stride $s$.
    """
    padding: Padding1d | None = 0
    """
    Zero padding $p$ on both sides, or `same` / `valid`.
    """
    dilation: PositiveInt | None = 1
    """
    Dilation $d$ of the kernel.
    """
    groups: PositiveInt | None = 1
    """
    Number of groups $g$ the channels are split into.
    """
    bias: Tensor
    """
    Bias $b$, one value per output channel.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class Conv2d(NIRNode):
    """
    2-d convolution over an input of shape $(C_i, H, W)$, as PyTorch's `Conv2d`.

    Equation: $y_{c_o} = b_{c_o} + \\sum_{c_i} W_{c_o, c_i} \\star x_{c_i}$ (cross-correlation $\\star$).

    Formula `conv` (PyTorch's convolution): for each spatial dimension $i$, $O_i = \\lfloor (L_i + 2 p_i - d_i (K_i - 1) - 1) / s_i \\rfloor + 1$ with input length $L_i$, padding $p_i$, dilation $d_i$, kernel size $K_i$ and stride $s_i$. Padding `valid` means $p_i = 0$; padding `same` keeps $O_i = L_i$ and requires stride 1. The input channel count is $C_i = C_{i/g} \\cdot g$ with $g$ groups, which must divide both $C_i$ and $C_o$. Shapes carry no batch dimension.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["Conv2d"]
    """
    Discriminator: the unit's name.
    """
    input_shape: Pair | None = None
    """
    Spatial shape of the input (without channels); optional, inferred from the graph when absent.
    """
    weight: Tensor
    """
    Kernel $W$ of shape $(C_o, C_i / g, Kh, Kw)$.
    """
    stride: PositivePair | None = 1
    """
    Stride $s$.
    """
    padding: Padding2d | None = 0
    """
    Zero padding $p$ on both sides, or `same` / `valid`.
    """
    dilation: PositivePair | None = 1
    """
    Dilation $d$ of the kernel.
    """
    groups: PositiveInt | None = 1
    """
    Number of groups $g$ the channels are split into.
    """
    bias: Tensor
    """
    Bias $b$, one value per output channel.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class CubaLI(NIRNode):
    """
    Current-based leaky integrator: a synaptic current filter feeding a leaky integrator.

    Equations: $\\tau_{syn} \\dot I = -I + w_{in} S$ and $\\tau_{mem} \\dot v = (v_{leak} - v) + R I$, with input spikes $S$.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["CubaLI"]
    """
    Discriminator: the unit's name.
    """
    tau_syn: Tensor
    """
    Synaptic time constant $\\tau_{syn}$, in seconds.
    """
    tau_mem: Tensor
    """
    Membrane time constant $\\tau_{mem}$, in seconds.
    """
    r: Tensor
    """
    Resistance $R$.
    """
    v_leak: Tensor
    """
    Leak (resting) potential $v_{leak}$.
    """
    w_in: Tensor | None = {"dtype": "float64", "shape": [], "data": [1]}
    """
    Input weight $w_{in}$ applied elementwise to incoming spikes.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class CubaLIF(NIRNode):
    """
    Current-based leaky integrate-and-fire neuron: CubaLI that spikes and resets.

    Equations: $\\tau_{syn} \\dot I = -I + w_{in} S$ and $\\tau_{mem} \\dot v = (v_{leak} - v) + R I$, with input spikes $S$. Spike and reset: $z = H(v - v_{threshold})$; where $z = 1$, $v \\leftarrow v_{reset}$.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["CubaLIF"]
    """
    Discriminator: the unit's name.
    """
    tau_syn: Tensor
    """
    Synaptic time constant $\\tau_{syn}$, in seconds.
    """
    tau_mem: Tensor
    """
    Membrane time constant $\\tau_{mem}$, in seconds.
    """
    r: Tensor
    """
    Resistance $R$.
    """
    v_leak: Tensor
    """
    Leak (resting) potential $v_{leak}$.
    """
    v_threshold: Tensor
    """
    Firing threshold $v_{threshold}$.
    """
    v_reset: Tensor | None = {"dtype": "float64", "shape": [], "data": [0]}
    """
    Reset potential $v_{reset}$.
    """
    w_in: Tensor | None = {"dtype": "float64", "shape": [], "data": [1]}
    """
    Input weight $w_{in}$ applied elementwise to incoming spikes.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class Delay(NIRNode):
    """
    Delays its input by a fixed time per element.

    Equation: $y(t) = x(t - d)$.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["Delay"]
    """
    Discriminator: the unit's name.
    """
    delay: Tensor
    """
    Delay $d$ per element, in seconds.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class Flatten(NIRNode):
    """
    Flattens the dimensions `start_dim` to `end_dim` of its input into one.

    Equation: $y = \\mathrm{reshape}(x)$; the number of elements is kept.

    Formula `flatten`: with input shape $S$ and dimensions normalised to $0 \\le a \\le b < \\mathrm{len}(S)$, the output shape is $S_{<a} \\,\\|\\, (\\prod_{a \\le i \\le b} S_i) \\,\\|\\, S_{>b}$.
    """

    model_config = ConfigDict(
        extra="forbid",
        arbitrary_types_allowed=True,
    )
    type: Literal["Flatten"]
    """
    Discriminator: the unit's name.
    """
    input_shape: Annotated[Shape | None, Field(alias="input_type")] = None
    """
    Shape of the input; optional, inferred from the graph when absent.
    """
    start_dim: Integer | None = 1
    """
    First dimension to flatten (negative counts from the end; NIR shapes carry no batch dimension).
    """
    end_dim: Integer | None = -1
    """
    Last dimension to flatten, inclusive (negative counts from the end).
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class I(NIRNode):
    """
    Integrator: accumulates its input current.

    Equation: $\\dot v = R I$.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["I"]
    """
    Discriminator: the unit's name.
    """
    r: Tensor
    """
    Resistance $R$.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class IF(NIRNode):
    """
    Integrate-and-fire neuron: an integrator that spikes and resets.

    Equation: $\\dot v = R I$. Spike and reset: $z = H(v - v_{threshold})$; where $z = 1$, $v \\leftarrow v_{reset}$.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["IF"]
    """
    Discriminator: the unit's name.
    """
    r: Tensor
    """
    Resistance $R$.
    """
    v_threshold: Tensor
    """
    Firing threshold $v_{threshold}$.
    """
    v_reset: Tensor | None = {"dtype": "float64", "shape": [], "data": [0]}
    """
    Reset potential $v_{reset}$.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class Input(NIRNode):
    """
    Graph entry: feeds data of the declared shape into the graph.

    Equation: the output equals the input, $y = x$.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["Input"]
    """
    Discriminator: the unit's name.
    """
    shape: Annotated[Shape, Field(validation_alias=AliasChoices("shape", "input_type"))]
    """
    Shape of the data entering the graph (no batch dimension).
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class LI(NIRNode):
    """
    Leaky integrator.

    Equation: $\\tau \\dot v = (v_{leak} - v) + R I$.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["LI"]
    """
    Discriminator: the unit's name.
    """
    tau: Tensor
    """
    Membrane time constant $\\tau$, in seconds.
    """
    r: Tensor
    """
    Resistance $R$.
    """
    v_leak: Tensor
    """
    Leak (resting) potential $v_{leak}$.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class LIF(NIRNode):
    """
    Leaky integrate-and-fire neuron: a leaky integrator that spikes and resets.

    Equation: $\\tau \\dot v = (v_{leak} - v) + R I$. Spike and reset: $z = H(v - v_{threshold})$; where $z = 1$, $v \\leftarrow v_{reset}$.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["LIF"]
    """
    Discriminator: the unit's name.
    """
    tau: Tensor
    """
    Membrane time constant $\\tau$, in seconds.
    """
    r: Tensor
    """
    Resistance $R$.
    """
    v_leak: Tensor
    """
    Leak (resting) potential $v_{leak}$.
    """
    v_threshold: Tensor
    """
    Firing threshold $v_{threshold}$.
    """
    v_reset: Tensor | None = {"dtype": "float64", "shape": [], "data": [0]}
    """
    Reset potential $v_{reset}$.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class Linear(NIRNode):
    """
    Linear map: multiplies the input by a weight matrix.

    Equation: $y = W x$, with $W$ of shape $(\\dots, M, N)$ mapping $N$ inputs to $M$ outputs.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["Linear"]
    """
    Discriminator: the unit's name.
    """
    weight: Tensor
    """
    Weight matrix $W$.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class NIRDocument(BaseModel):
    """
    A whole NIR file: the spec version it follows and its root graph.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    field_schema: Annotated[str | None, Field(alias="$schema")] = None
    """
    Optional: the URI of this schema, for editors.
    """
    version: Annotated[str, Field(pattern="^1\\.0(\\.[0-9]+)?$")]
    """
    Spec version of the document.
    """
    graph: NIRGraph


class NIRGraph(GraphBase):
    """
    A graph of named nodes joined by edges. Each edge `[source, destination]` says that the source's output feeds the destination's input. A name may be dotted (`sub.node`) to reach a node inside a nested graph; a node whose own name contains a dot is matched by that exact name first. Graphs may be cyclic (recurrent). A graph is itself a node: its inputs are its `Input` nodes and its outputs its `Output` nodes.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["NIRGraph"]
    """
    Discriminator: the unit's name.
    """
    nodes: dict[
        str,
        Input
        | Output
        | Affine
        | Linear
        | Scale
        | Conv1d
        | Conv2d
        | SumPool2d
        | AvgPool2d
        | Flatten
        | Delay
        | Threshold
        | I
        | LI
        | IF
        | LIF
        | CubaLI
        | CubaLIF
        | NIRGraph,
    ]
    """
    The nodes, keyed by name.
    """
    edges: list[Edge]
    """
    Connections, each a `[source, destination]` pair of node names.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class Output(NIRNode):
    """
    Graph exit: the data leaving the graph, of the declared shape.

    Equation: the output equals the input, $y = x$.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["Output"]
    """
    Discriminator: the unit's name.
    """
    shape: Annotated[
        Shape, Field(validation_alias=AliasChoices("shape", "output_type"))
    ]
    """
    Shape of the data leaving the graph (no batch dimension).
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class Scale(NIRNode):
    """
    Elementwise scaling of the input.

    Equation: $y = s \\odot x$ (Hadamard product).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["Scale"]
    """
    Discriminator: the unit's name.
    """
    scale: Tensor
    """
    Scaling factors $s$, one per element.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class SumPool2d(NIRNode):
    """
    2-d sum pooling over an input of shape $(C, H, W)$, as PyTorch's pooling layers.

    Equation: $y_{c,i,j} = \\sum_{m,n} x_{c, s_h i + m - p_h, s_w j + n - p_w}$ over the kernel window.

    Formula `pool`: for each spatial dimension $i$, $O_i = \\lfloor (L_i + 2 p_i - K_i) / s_i \\rfloor + 1$ with input length $L_i$, padding $p_i$, kernel size $K_i$ and stride $s_i$; the channel count is kept.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["SumPool2d"]
    """
    Discriminator: the unit's name.
    """
    kernel_size: PositivePair
    """
    Kernel size $(K_h, K_w)$.
    """
    stride: PositivePair
    """
    Stride $(s_h, s_w)$.
    """
    padding: Pair
    """
    Zero padding $(p_h, p_w)$ on both sides.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


class Threshold(NIRNode):
    """
    Heaviside step: emits 1 where the input exceeds the threshold.

    Equation: $z = H(v - \\theta_{thr})$, i.e. $z = 1$ if $v > \\theta_{thr}$ else $0$.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: Literal["Threshold"]
    """
    Discriminator: the unit's name.
    """
    threshold: Tensor
    """
    Threshold $\\theta_{thr}$.
    """
    metadata: Metadata | None = {}
    """
    Free-form annotations: strings, numbers, booleans, tensors, lists and nested mappings.
    """


NIRDocument.model_rebuild()
NIRGraph.model_rebuild()
