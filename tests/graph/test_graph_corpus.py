"""The real files of ../shared/corpus: exactly which findings `nir.validate` gives, and the inferred shapes."""

from __future__ import annotations

import pytest
from support.graphs import as_list

import nir
from nir.findings import CODES

MIGRATED = ("info", "migrated", "")

EXPECTED = {
    "lif_norse.nir": [MIGRATED],
    # Rockpool writes the Output with shape [1, 1, 1] after a LIF of shape [1]
    "lif_rockpool.nir": [MIGRATED, ("warning", "batch-dimension", "/edges/1")],
    "cnn_sinabs.nir": [MIGRATED],
    # snnTorch's recurrent export names its nodes `lif1.lif`, `lif1.w_rec` at the top level
    "braille_noDelay_noBias_subtract.nir": [MIGRATED],
    # the nested variant: the subgraph's edges name `lif`, but its CubaLIF is called `lif1`
    "braille_noDelay_noBias_subtract_subgraph.nir": [
        MIGRATED,
        ("error", "unknown-node", "/nodes/lif1/edges/0"),
        ("error", "unknown-node", "/nodes/lif1/edges/1"),
        ("error", "unknown-node", "/nodes/lif1/edges/2"),
        ("error", "unknown-node", "/nodes/lif1/edges/3"),
        ("warning", "no-incoming-edge", "/nodes/lif1/nodes/lif1"),
    ],
}


def test_the_corpus_holds_the_expected_files(corpus):
    assert sorted(p.name for p in corpus.glob("*.nir")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_findings(corpus, name):
    report = nir.validate(corpus / name)
    assert [(f.severity, f.code, f.path) for f in report] == EXPECTED[name]
    assert report.source == str(corpus / name)
    assert report.ok == all(severity != "error" for severity, _, _ in EXPECTED[name])
    for finding in report:
        assert finding.severity == CODES[finding.code][0]


def test_rockpool_batch_dimension_is_explained(corpus):
    (finding,) = [f for f in nir.validate(corpus / "lif_rockpool.nir") if f.code == "batch-dimension"]
    assert "(1,)" in finding.message and "(1, 1, 1)" in finding.message
    assert "batch dimension" in finding.hint


def test_subgraph_unknown_nodes_point_at_the_real_name(corpus):
    report = nir.validate(corpus / "braille_noDelay_noBias_subtract_subgraph.nir")
    unknown = [f for f in report if f.code == "unknown-node"]
    assert [f.message.split(" ")[1] for f in unknown] == ["destination", "source", "destination", "source"]
    assert all("'lif'" in f.message for f in unknown)
    assert all(f.hint == "did you mean 'lif1'?" for f in unknown)


def _ports(graph) -> dict[str, tuple[list[int] | None, list[int] | None]]:
    return {
        name: (as_list(node.input_type["input"]), as_list(node.output_type["output"]))
        for name, node in graph.nodes.items()
    }


def test_braille_shapes_are_all_inferred(corpus):
    g = nir.read(corpus / "braille_noDelay_noBias_subtract.nir")
    assert _ports(g) == {
        "input": ([12], [12]),
        "fc1": ([12], [40]),
        "lif1.lif": ([40], [40]),
        "lif1.w_rec": ([40], [40]),
        "fc2": ([40], [7]),
        "lif2": ([7], [7]),
        "output": ([7], [7]),
    }
    assert sorted(g.edges) == sorted(
        [
            ("input", "fc1"),
            ("fc1", "lif1.lif"),
            ("lif1.lif", "lif1.w_rec"),
            ("lif1.w_rec", "lif1.lif"),
            ("lif1.lif", "fc2"),
            ("fc2", "lif2"),
            ("lif2", "output"),
        ]
    )


def test_sinabs_cnn_shapes_follow_the_pytorch_formulas(corpus):
    g = nir.read(corpus / "cnn_sinabs.nir")
    ports = _ports(g)
    # node 0: Conv 5x5, stride 2, padding 1 on 34x34: floor((34 + 2 - 4 - 1)/2) + 1 = 16
    assert ports["0"] == ([2, 34, 34], [16, 16, 16])
    # node 4: SumPool 2x2 stride 2: (16 - 2)/2 + 1 = 8; node 7: (8 - 2)/2 + 1 = 4
    assert ports["4"] == ([16, 16, 16], [16, 8, 8])
    assert ports["7"] == ([8, 8, 8], [8, 4, 4])
    # node 8: Flatten with start_dim=0 (Sinabs), 8 * 4 * 4 = 128
    assert g.nodes["8"].start_dim == 0
    assert ports["8"] == ([8, 4, 4], [128])
    assert ports["output"] == ([10], [10])


def test_subgraph_file_reads_leniently_with_its_nested_graph(corpus):
    g = nir.read(corpus / "braille_noDelay_noBias_subtract_subgraph.nir", warn_findings=False)
    assert [f.code for f in g.report.errors] == ["unknown-node"] * 4
    sub = g.nodes["lif1"]
    assert sorted(sub.nodes) == ["input", "lif1", "lin", "output"]
    assert sorted(sub.edges) == sorted([("input", "lif"), ("lif", "lin"), ("lin", "lif"), ("lif", "output")])
    # the outer edges reach the nested graph through its single Input and Output
    assert ("fc1", "lif1") in g.edges and ("lif1", "fc2") in g.edges
    with pytest.raises(nir.NIRValidationError) as caught:
        nir.read(corpus / "braille_noDelay_noBias_subtract_subgraph.nir", strict=True)
    assert [f.code for f in caught.value.report.errors] == ["unknown-node"] * 4
