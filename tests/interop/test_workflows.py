"""Real converter workflows on this package: export, write, read, import, and the same outputs.

Each workflow builds a model in a framework (snnTorch 1.0.0, Norse 1.1.0, or plain PyTorch
through nirtorch 2.6), exports it with the framework's own exporter, writes the graph with
`nir.write`, reads it back with `nir.read`, imports it with the framework's own importer and
runs both models on one fixed input: the outputs must be identical. The same is done without
a file (the exported graph imported straight away), and the reference package 1.0.8 (its own
venv) must read every file written here with its default type check, seeing the same values.

Runs in .venv-interop (`make interop`, part of `make test`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from support.store import run_reference
from support.store_summary import differences, summarise

import nir

torch = pytest.importorskip("torch", reason="the interop tier runs in .venv-interop (make interop)")
snn = pytest.importorskip("snntorch")
norse = pytest.importorskip("norse.torch")
nirtorch = pytest.importorskip("nirtorch")
from snntorch import import_nir as snn_import  # noqa: E402
from snntorch import utils as snn_utils  # noqa: E402
from snntorch.export_nir import export_to_nir  # noqa: E402
from snntorch.import_nir import import_from_nir  # noqa: E402

STEPS = 40
# snnTorch's importer builds Leaky neurons that reset to zero without delay: the originals do the same.
LEAKY = {"init_hidden": True, "reset_mechanism": "zero", "reset_delay": False}


@dataclass
class Workflow:
    """A model, how its framework exports and imports it, and how to run it for STEPS steps."""

    build: Callable[[], Any]
    export: Callable[[Any], nir.NIRGraph]
    load: Callable[[nir.NIRGraph], Any]
    original: Callable[[Any, Any], Any]
    imported: Callable[[Any, Any], Any]
    shape: tuple[int, ...]
    """One time step of the input: (batch, *features)."""


def _snn_run(model: Any, x: Any) -> Any:
    snn_utils.reset(model)
    return torch.stack([model(x[t])[0] for t in range(len(x))])


def _stateful_run(model: Any, x: Any) -> Any:
    state, out = None, []
    for t in range(len(x)):
        y, state = model(x[t], state)
        out.append(y)
    return torch.stack(out)


def _stateless_run(model: Any, x: Any) -> Any:
    result = model(x)
    return result[0] if isinstance(result, tuple) else result


def _snn_ff() -> Any:
    net = torch.nn.Sequential(
        torch.nn.Linear(5, 8),
        snn.Leaky(beta=0.9, **LEAKY),
        torch.nn.Linear(8, 3),
        snn.Leaky(beta=0.8, output=True, **LEAKY),
    )
    net[0].weight.data *= 3
    return net


def _snn_conv() -> Any:
    net = torch.nn.Sequential(
        torch.nn.Conv2d(2, 4, 3, padding=1),
        snn.Leaky(beta=0.9, **LEAKY),
        torch.nn.AvgPool2d((2, 2)),
        torch.nn.Conv2d(4, 3, 3),
        snn.Leaky(beta=0.8, output=True, **LEAKY),
    )
    net[0].weight.data *= 4
    net[3].weight.data *= 4
    return net


def _snn_recurrent() -> Any:
    net = torch.nn.Sequential(
        torch.nn.Linear(5, 8),
        snn.RLeaky(beta=0.9, linear_features=8, **LEAKY),
        torch.nn.Linear(8, 3),
        snn.Leaky(beta=0.8, output=True, **LEAKY),
    )
    net[0].weight.data *= 3
    return net


def _snn_nodes(graph: nir.NIRGraph) -> Any:
    """nirtorch's interpreter with snnTorch's own node conversion.

    snnTorch's import_from_nir first wraps a recurrent pair into a subgraph whose Input feeds
    the recurrent weight instead of the neuron (snnTorch 1.0.0's own bug, the same with the
    reference package), so the recurrent workflow imports node by node.
    """
    convert = {t: (lambda n: snn_import._nir_to_snntorch_module(n, init_hidden=True)) for t in (nir.Affine, nir.LIF)}
    return nirtorch.nir_to_torch(graph, convert)


def _norse_ff() -> Any:
    model = norse.SequentialState(torch.nn.Linear(5, 8), norse.LIFBoxCell(), torch.nn.Linear(8, 3), norse.LIFBoxCell())
    model[0].weight.data *= 8
    model[2].weight.data *= 12
    return model


def _norse_conv() -> Any:
    model = norse.SequentialState(torch.nn.Conv2d(2, 4, 3), norse.LIFBoxCell())
    model[0].weight.data *= 4
    return model


def _norse_export(model: Any, sample: Any) -> nir.NIRGraph:
    # Norse 1.1.0 exports tau = dt / tau_mem_inv: with dt = 1 that is the time constant in
    # seconds, which from_nir (its own dt = 1e-3) inverts back to the original tau_mem_inv.
    return norse.to_nir(model, sample, dt=1.0)


def _torch_mlp() -> Any:
    # No bias: nirtorch 2.6's default Affine importer assigns the bias to `weight.bias`, losing it.
    return torch.nn.Sequential(torch.nn.Linear(5, 8, bias=False), torch.nn.Linear(8, 3, bias=False))


def _torch_conv() -> Any:
    return torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3, stride=2, padding=1), torch.nn.Conv2d(4, 3, 2))


def _conv_from_module(module: Any) -> nir.Conv2d:
    """A converter that hands the module's parameters over as they are (nn.Parameter, requiring grad).

    The first convolution is told its input size; the graph infers the second's, as the reference's does.
    """
    size = (9, 9) if module.in_channels == 2 else None
    return nir.Conv2d(size, module.weight, module.stride, module.padding, module.dilation, module.groups, module.bias)


WORKFLOWS = {
    "snntorch-feedforward": Workflow(
        _snn_ff, lambda m: export_to_nir(m, torch.randn(5)), import_from_nir, _snn_run, _stateful_run, (4, 5)
    ),
    "snntorch-conv": Workflow(
        _snn_conv,
        lambda m: export_to_nir(m, torch.randn(2, 8, 8)),
        import_from_nir,
        _snn_run,
        _stateful_run,
        (4, 2, 8, 8),
    ),
    "snntorch-recurrent": Workflow(
        _snn_recurrent, lambda m: export_to_nir(m, torch.randn(5)), _snn_nodes, _snn_run, _stateful_run, (4, 5)
    ),
    "norse-feedforward": Workflow(
        _norse_ff, lambda m: _norse_export(m, torch.randn(5)), norse.from_nir, _stateful_run, _stateful_run, (4, 5)
    ),
    "norse-conv": Workflow(
        _norse_conv,
        lambda m: _norse_export(m, torch.randn(2, 8, 8)),
        norse.from_nir,
        _stateful_run,
        _stateful_run,
        (4, 2, 8, 8),
    ),
    "nirtorch-mlp": Workflow(
        _torch_mlp,
        lambda m: nirtorch.torch_to_nir(m, {}),
        lambda g: nirtorch.nir_to_torch(g, {}),
        _stateless_run,
        _stateless_run,
        (4, 5),
    ),
    "nirtorch-conv": Workflow(
        _torch_conv,
        lambda m: nirtorch.torch_to_nir(m, {torch.nn.Conv2d: _conv_from_module}),
        lambda g: nirtorch.nir_to_torch(g, {}),
        _stateless_run,
        _stateless_run,
        (4, 2, 9, 9),
    ),
}
IN_MEMORY = [name for name in WORKFLOWS if name != "nirtorch-conv"]
"""nirtorch's default Conv2d importer calls torch.from_numpy on the weight, so a graph still holding
the module's own parameters (as with the reference package) imports only after a file round trip."""


def _input(workflow: Workflow) -> Any:
    torch.manual_seed(1)
    steps = 1 if workflow.original is _stateless_run else STEPS
    x = (torch.rand(steps, *workflow.shape) > 0.5).float() * 2
    return x[0] if steps == 1 else x


def _outputs(workflow: Workflow, graph: nir.NIRGraph) -> tuple[Any, Any]:
    torch.manual_seed(0)
    model = workflow.build()
    x = _input(workflow)
    with torch.no_grad():
        return workflow.original(model, x), workflow.imported(workflow.load(graph), x)


def _exported(name: str) -> nir.NIRGraph:
    torch.manual_seed(0)
    workflow = WORKFLOWS[name]
    return workflow.export(workflow.build())


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_exported_graph_is_valid(name: str) -> None:
    graph = _exported(name)  # would raise a NIRWarning (an error in this suite) if it had findings
    assert nir.validate(graph).findings == []


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_write_read_import_gives_the_same_outputs(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.nir"
    nir.write(path, _exported(name))
    back = nir.read(path)
    assert back.report.findings == []
    original, imported = _outputs(WORKFLOWS[name], back)
    assert original.numel() == imported.numel() and original.abs().sum() > 0, "a silent model proves nothing"
    torch.testing.assert_close(imported.reshape(original.shape), original, rtol=0, atol=0)


@pytest.mark.parametrize("name", IN_MEMORY)
def test_in_memory_round_trip_gives_the_same_outputs(name: str) -> None:
    original, imported = _outputs(WORKFLOWS[name], _exported(name))
    torch.testing.assert_close(imported.reshape(original.shape), original, rtol=0, atol=0)


def test_parameters_are_kept_as_the_module_gave_them(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = _torch_conv()
    graph = nirtorch.torch_to_nir(model, {torch.nn.Conv2d: _conv_from_module})
    convs = [n for n in graph.nodes.values() if isinstance(n, nir.Conv2d)]
    assert [c.weight is m.weight for c, m in zip(convs, (model[0], model[1]), strict=True)] == [True, True]
    assert all(c.weight.requires_grad and isinstance(c.stride, tuple) for c in convs)
    assert convs[0].input_shape == (9, 9) and convs[1].input_shape == (5, 5)  # inferred, as the reference does
    nir.write(tmp_path / "conv.nir", graph)
    back = nir.read(tmp_path / "conv.nir")
    for before, after in zip(convs, (n for n in back.nodes.values() if isinstance(n, nir.Conv2d)), strict=True):
        np.testing.assert_array_equal(after.weight, before.weight.detach().numpy())
        assert after.weight.dtype == np.float32


def test_an_exported_batch_dimension_is_a_warning_not_an_error(tmp_path: Path) -> None:
    torch.manual_seed(0)
    with pytest.warns(nir.NIRWarning, match="batch-dimension"):
        graph = export_to_nir(_snn_ff(), torch.randn(1, 5))  # traced with a batch of one
    assert graph.report.ok and set(graph.report.codes()) == {"batch-dimension"}
    with pytest.warns(nir.NIRWarning, match="batch-dimension"):
        nir.write(tmp_path / "batched.nir", graph)
    with pytest.warns(nir.NIRWarning, match="batch-dimension"):
        back = nir.read(tmp_path / "batched.nir")
    original, imported = _outputs(WORKFLOWS["snntorch-feedforward"], back)
    torch.testing.assert_close(imported.reshape(original.shape), original, rtol=0, atol=0)


@pytest.mark.reference
def test_the_reference_reads_every_file_these_workflows_write(reference_python: str, tmp_path: Path) -> None:
    manifest, ours = {}, {}
    for name in sorted(WORKFLOWS):
        path = tmp_path / f"{name}.nir"
        nir.write(path, _exported(name))
        manifest[str(path)] = True  # the reference's default: type_check=True
        ours[str(path)] = summarise(nir.read(path))
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    out = run_reference(reference_python, "store_ref_read.py", str(tmp_path / "manifest.json"))
    assert out["version"] == "1.0.8"
    for path, result in out["results"].items():
        assert "error" not in result, (Path(path).name, result.get("error"))
        assert differences(ours[path], result["summary"]) == [], Path(path).name
