"""Scalar neuron parameters from real converters (snnTorch 1.0.0, Norse 1.1.0) in graphs and files.

Both exporters hand over 0-d parameters (a scalar beta, Norse's scalar tau_mem_inv). In memory
they stay as the converter gave them; the graph gives the neuron its shape, and files hold the
parameters at that shape, which is what the reference package's type check needs.

Runs in its own tier (`make interop`, part of `make test`) in .venv-interop.
"""

from __future__ import annotations

import json
import subprocess

import h5py
import numpy as np
import pytest

import nir

torch = pytest.importorskip("torch", reason="the interop tier runs in .venv-interop (make interop)")
snn = pytest.importorskip("snntorch")
norse = pytest.importorskip("norse.torch")
from snntorch.export_nir import export_to_nir  # noqa: E402

FIELDS = ("tau", "r", "v_leak", "v_threshold")


def _snntorch_graph():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(5, 6), snn.Leaky(beta=0.9, init_hidden=True, output=True))
    return export_to_nir(net, torch.randn(5))


def _norse_graph():
    torch.manual_seed(0)
    return norse.to_nir(norse.SequentialState(torch.nn.Linear(5, 6), norse.LIFBoxCell()), torch.randn(5))


@pytest.fixture(params=["snntorch", "norse"])
def exported(request):
    """A graph exported by a real converter whose neuron parameters are 0-d scalars."""
    return request.param, (_snntorch_graph if request.param == "snntorch" else _norse_graph)()


def _lif(graph: nir.NIRGraph) -> nir.LIF:
    return next(n for n in graph.nodes.values() if isinstance(n, nir.LIF))


def test_scalar_neuron_takes_its_shape_from_the_graph(exported):
    name, graph = exported
    report = nir.validate(graph)  # Norse builds its graph with type_check=False: infer here
    lif = _lif(graph)
    assert all(np.ndim(getattr(lif, f)) == 0 for f in FIELDS)  # kept as the converter gave them
    if name == "norse":
        assert all(isinstance(getattr(lif, f), torch.Tensor) for f in FIELDS)
    assert list(lif.input_type["input"]) == [6]
    assert list(lif.output_type["output"]) == [6]
    assert report.findings == []


def test_written_file_holds_the_parameters_at_the_graph_shape(exported, tmp_path):
    name, graph = exported
    path = tmp_path / f"{name}.nir"
    nir.write(path, graph)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    lif = _lif(graph)
    with h5py.File(path, "r") as f:
        key = next(k for k in f["node/nodes"] if f[f"node/nodes/{k}/type"][()] == b"LIF")
        for field in FIELDS:
            stored = f[f"node/nodes/{key}/{field}"][()]
            assert stored.shape == (6,), field
            np.testing.assert_array_equal(stored, np.full(6, nir.types.to_numpy(getattr(lif, field))))
    again = nir.read(path)
    assert again.report.findings == [] and nir.validate(path).ok
    assert all(getattr(_lif(again), f).shape == (6,) for f in FIELDS)


@pytest.mark.reference
def test_reference_reads_and_type_checks_the_scalar_parameters(exported, tmp_path, reference_python):
    name, graph = exported
    path = tmp_path / f"{name}.nir"
    nir.write(path, graph)
    script = (
        "import json, sys, nir, numpy as np\n"
        "g = nir.read(sys.argv[1])\n"  # its default type check
        "lif = [n for n in g.nodes.values() if type(n).__name__ == 'LIF'][0]\n"
        "print(json.dumps({f: np.asarray(getattr(lif, f)).tolist() for f in "
        "('tau', 'r', 'v_leak', 'v_threshold')}))\n"
    )
    done = subprocess.run([reference_python, "-c", script, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    lif = _lif(graph)
    for field, values in seen.items():
        assert values == pytest.approx([float(getattr(lif, field))] * 6), field
