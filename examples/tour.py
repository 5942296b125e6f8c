"""A short tour: build a small spiking network, inspect its shapes and check it."""

import numpy as np

import nir

rng = np.random.default_rng(0)
graph = nir.NIRGraph.from_list(
    nir.Affine(weight=rng.normal(size=(16, 8)).astype(np.float32), bias=np.zeros(16, np.float32)),
    nir.LIF(tau=0.02, r=1.0, v_leak=0.0, v_threshold=1.0),
    nir.Linear(weight=rng.normal(size=(4, 16)).astype(np.float32)),
    nir.CubaLIF(
        tau_syn=np.full(4, 5e-3), tau_mem=np.full(4, 2e-2), r=np.ones(4), v_leak=np.zeros(4), v_threshold=np.ones(4)
    ),
)
print(f"nir {nir.__version__}, spec {nir.SPEC_VERSION}")
for name, node in graph.nodes.items():
    print(f"  {name:10s} {type(node).__name__:8s} in={node.input_type['input']} out={node.output_type['output']}")
print("edges:", graph.edges)
print(nir.validate(graph))
