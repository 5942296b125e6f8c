"""Real converters (snnTorch 1.0.0, Norse 1.1.0) exporting to and importing from this package.

Runs in its own tier (`make interop`, part of `make test`) in .venv-interop, which holds
torch and the converters installed on top of this package.
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
from snntorch.import_nir import import_from_nir  # noqa: E402


def _snntorch_graph():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(5, 6), snn.Leaky(beta=0.9, init_hidden=True, output=True))
    return export_to_nir(net, torch.randn(1, 5))


def _norse_graph():
    torch.manual_seed(0)
    return norse.to_nir(norse.SequentialState(torch.nn.Linear(5, 6), norse.LIFBoxCell()), torch.randn(1, 5))


@pytest.fixture(params=["snntorch", "norse"])
def exported(request):
    """A graph exported by a real converter whose neuron parameters are 0-d scalars."""
    return request.param, (_snntorch_graph if request.param == "snntorch" else _norse_graph)()


def test_scalar_neuron_takes_its_shape_from_the_graph(exported):
    _, graph = exported
    report = nir.validate(graph)  # Norse builds its graph with type_check=False: infer here
    lif = next(n for n in graph.nodes.values() if isinstance(n, nir.LIF))
    assert all(np.ndim(getattr(lif, f)) == 0 for f in ("tau", "r", "v_leak", "v_threshold"))
    assert list(lif.input_type["input"]) == [6]
    assert list(lif.output_type["output"]) == [6]
    assert report.ok, str(report)
    # The exporters trace with a batch of one, so Input/Output carry it: a warning, not an error.
    assert set(report.codes()) <= {"batch-dimension"}


def test_written_file_keeps_scalars_and_reads_back(exported, tmp_path):
    name, graph = exported
    path = tmp_path / f"{name}.nir"
    nir.write(path, graph)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    with h5py.File(path, "r") as f:
        lif_key = next(k for k in f["node/nodes"] if f[f"node/nodes/{k}/type"][()] == b"LIF")
        assert f[f"node/nodes/{lif_key}/tau"].shape == ()
    again = nir.read(path)
    assert again.equals(graph)
    assert nir.validate(path).ok


def test_snntorch_imports_our_file_and_runs(tmp_path):
    nir.write(tmp_path / "m.nir", _snntorch_graph())
    net = import_from_nir(nir.read(tmp_path / "m.nir"))
    spikes, _ = net(torch.randn(3, 5))
    assert tuple(spikes.shape) == (3, 6)
    assert set(torch.unique(spikes).tolist()) <= {0.0, 1.0}


def test_norse_imports_our_file_and_runs(tmp_path):
    nir.write(tmp_path / "m.nir", _norse_graph())
    net = norse.from_nir(nir.read(tmp_path / "m.nir"))
    spikes, _ = net(torch.randn(2, 5))
    assert tuple(spikes.shape) == (2, 6)


@pytest.mark.reference
def test_reference_reads_scalar_parameters_back_unchanged(exported, tmp_path, reference_python):
    name, graph = exported
    path = tmp_path / f"{name}.nir"
    nir.write(path, graph)
    script = (
        "import json, sys, nir, numpy as np\n"
        "g = nir.read(sys.argv[1], type_check=False)\n"
        "lif = [n for n in g.nodes.values() if type(n).__name__ == 'LIF'][0]\n"
        "print(json.dumps({f: [list(np.shape(getattr(lif, f))), float(getattr(lif, f))] for f in "
        "('tau', 'r', 'v_leak', 'v_threshold')}))\n"
    )
    done = subprocess.run([reference_python, "-c", script, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    lif = next(n for n in graph.nodes.values() if isinstance(n, nir.LIF))
    for field, (shape, value) in seen.items():
        assert shape == []
        assert value == pytest.approx(float(getattr(lif, field)))
