"""Write the bundled example files in examples/ (run by `make examples`; the files are committed).

- feedforward.nir: Input -> Affine -> LIF -> Affine -> LIF -> Output
- convnet.nir: a small spiking CNN (Conv2d, IF, SumPool2d, Flatten, Affine)
- recurrent.nir: a CubaLIF layer with recurrent weights in a nested graph
- broken.nir: deliberately invalid, to show what `nir validate` reports
"""

from __future__ import annotations

import warnings
from itertools import pairwise
from pathlib import Path

import numpy as np

import nir

HERE = Path(__file__).resolve().parent


def feedforward() -> nir.NIRGraph:
    """Two fully connected spiking layers."""
    rng = np.random.default_rng(1)

    def lif(n: int) -> nir.LIF:
        ones = np.ones(n, np.float32)
        return nir.LIF(tau=0.02 * ones, r=ones, v_leak=0 * ones, v_threshold=ones)

    return nir.NIRGraph.from_list(
        nir.Affine(weight=rng.normal(0, 0.3, (32, 16)).astype(np.float32), bias=np.zeros(32, np.float32)),
        lif(32),
        nir.Affine(weight=rng.normal(0, 0.3, (4, 32)).astype(np.float32), bias=np.zeros(4, np.float32)),
        lif(4),
    )


def convnet() -> nir.NIRGraph:
    """Conv2d/IF/SumPool2d blocks, then Flatten and a readout."""
    rng = np.random.default_rng(2)

    def if_(shape):
        return nir.IF(r=np.ones(shape, np.float32), v_threshold=np.ones(shape, np.float32))

    nodes = {
        "input": nir.Input(np.array([2, 32, 32])),
        "conv1": nir.Conv2d(
            None, rng.normal(0, 0.1, (8, 2, 3, 3)).astype(np.float32), 1, 1, 1, 1, np.zeros(8, np.float32)
        ),
        "spk1": if_((8, 32, 32)),
        "pool1": nir.SumPool2d(kernel_size=2, stride=2, padding=0),
        "conv2": nir.Conv2d(
            None, rng.normal(0, 0.1, (16, 8, 3, 5)).astype(np.float32), 2, (1, 2), 1, 1, np.zeros(16, np.float32)
        ),
        "spk2": if_((16, 8, 8)),
        "flat": nir.Flatten(start_dim=0),
        "fc": nir.Affine(weight=rng.normal(0, 0.1, (10, 1024)).astype(np.float32), bias=np.zeros(10, np.float32)),
        "spk3": if_(10),
        "output": nir.Output(np.array([10])),
    }
    names = list(nodes)
    return nir.NIRGraph(nodes=nodes, edges=list(pairwise(names)), metadata={"dataset": "N-MNIST-like"})


def recurrent() -> nir.NIRGraph:
    """12 inputs, a recurrent CubaLIF layer of 40 as a nested graph, 7 outputs."""
    rng = np.random.default_rng(3)
    n = 40

    def cuba(size):
        return nir.CubaLIF(
            tau_syn=np.full(size, 5e-3),
            tau_mem=np.full(size, 1e-2),
            r=np.ones(size),
            v_leak=np.zeros(size),
            v_threshold=np.ones(size),
        )

    layer = nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([n])),
            "lif": cuba(n),
            "w_rec": nir.Linear(rng.normal(0, 0.1, (n, n)).astype(np.float32)),
            "output": nir.Output(np.array([n])),
        },
        edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
    )
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([12])),
            "fc1": nir.Linear(rng.normal(0, 0.3, (n, 12)).astype(np.float32)),
            "rec": layer,
            "fc2": nir.Linear(rng.normal(0, 0.3, (7, n)).astype(np.float32)),
            "lif2": cuba(7),
            "output": nir.Output(np.array([7])),
        },
        edges=[("input", "fc1"), ("fc1", "rec"), ("rec", "fc2"), ("fc2", "lif2"), ("lif2", "output")],
        metadata={"task": "braille reading", "dt": 1e-3},
    )


def broken() -> nir.NIRGraph:
    """A graph with typical mistakes: a typo in an edge, a shape mismatch, a negative time constant."""
    nodes = {
        "input": nir.Input(np.array([3])),
        "fc": nir.Affine(weight=np.ones((4, 3), np.float32), bias=np.zeros(4, np.float32)),
        "lif": nir.LIF(
            tau=np.array([0.01, -0.01, 0.01, 0.01]), r=np.ones(4), v_leak=np.zeros(4), v_threshold=np.ones(4)
        ),
        "readout": nir.Linear(np.ones((2, 5), np.float32)),
        "output": nir.Output(np.array([2])),
    }
    edges = [("input", "fc"), ("fc", "lif"), ("lif", "readout"), ("readout", "ouput")]
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


EXAMPLES = {"feedforward": feedforward, "convnet": convnet, "recurrent": recurrent, "broken": broken}


def main() -> None:
    """Write every example file."""
    for name, build in EXAMPLES.items():
        with warnings.catch_warnings():
            if name == "broken":  # its findings are the point of it
                warnings.simplefilter("ignore", nir.NIRWarning)
            nir.write(HERE / f"{name}.nir", build())
        print(HERE / f"{name}.nir")


if __name__ == "__main__":
    main()
