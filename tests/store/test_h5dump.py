"""The HDF5 layout that `nir.write` produces, seen by the HDF5 project's own `h5dump` (not h5py).

Layout (the reference package's): root dataset `version` and root attribute `schema`;
group `/node` is the root graph with dataset `type` ("NIRGraph"), dataset `edges` of shape
(E, 2) strings, group `nodes` holding one group per node (dataset `type` and one dataset
per set field, group `metadata` when there is metadata), and group `metadata`; a nested
graph is a node group with the same layout. Numeric arrays of 4096 bytes or more are
written with shuffle + gzip (deflate), smaller ones without filters.

The conformance suite's .nir files (conformance/hdf5/) are read by h5dump too.

Skips when h5dump (Debian package hdf5-tools) is not installed; CI installs it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nir

H5DUMP = shutil.which("h5dump")
pytestmark = pytest.mark.skipif(H5DUMP is None, reason="h5dump is not installed (apt-get install -y hdf5-tools)")

STRING = "H5T_STRING"
F32, F64, I64 = "H5T_IEEE_F32LE", "H5T_IEEE_F64LE", "H5T_STD_I64LE"
HEAD = re.compile(r'^(GROUP|DATASET|ATTRIBUTE) "(.*)" \{$')
SIMPLE = re.compile(r"^DATASPACE\s+SIMPLE \{ \( ([\d, ]+) \) / \(")


def _graph() -> nir.NIRGraph:
    rng = np.random.default_rng(7)
    sub = nir.NIRGraph(
        nodes={
            "input": nir.Input(shape=np.array([3])),
            "lif": nir.LIF(
                tau=np.full(3, 0.02, np.float32),
                r=np.ones(3, np.float32),
                v_leak=np.zeros(3, np.float32),
                v_threshold=np.ones(3, np.float32),
            ),
            "output": nir.Output(shape=np.array([3])),
        },
        edges=[("input", "lif"), ("lif", "output")],
        metadata={"role": "recurrent block"},
    )
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(shape=np.array([64])),
            "big": nir.Linear(weight=rng.standard_normal((64, 64)).astype(np.float32), metadata={"note": "dense"}),
            "fc": nir.Affine(weight=rng.standard_normal((3, 64)).astype(np.float32), bias=np.zeros(3, np.float32)),
            "sub": sub,
            "output": nir.Output(shape=np.array([3])),
        },
        edges=[("input", "big"), ("big", "fc"), ("fc", "sub"), ("sub", "output")],
        metadata={"framework": "conformance", "steps": 3, "nested": {"dt": 0.001}},
    )


def parse_header(text: str) -> dict[str, dict[str, Any]]:
    """Objects of `h5dump -p -H` output by path (`/node/edges`; attributes as `/@schema`)."""
    objects: dict[str, dict[str, Any]] = {}
    stack: list[tuple[str, str | None]] = []

    def owner() -> dict[str, Any] | None:
        for kind, path in reversed(stack):
            if kind in ("GROUP", "DATASET", "ATTRIBUTE") and path is not None:
                return objects[path]
        return None

    for raw in text.splitlines():
        line = raw.strip()
        head = HEAD.match(line)
        if head:
            kind, name = head.groups()
            parent = next((p for k, p in reversed(stack) if k == "GROUP"), "")
            if kind == "ATTRIBUTE":
                path = f"{parent}@{name}" if parent.endswith("/") else f"{parent}/@{name}"
            elif name == "/":
                path = "/"
            else:
                path = f"{parent.rstrip('/')}/{name}"
            objects[path] = {"kind": kind.lower(), "filters": []}
            stack.append((kind, path))
            continue
        obj = owner()
        if line.startswith("DATATYPE") and obj is not None:
            obj["type"] = line.split(None, 1)[1].removesuffix("{").strip()
        elif line.startswith("DATASPACE") and obj is not None:
            simple = SIMPLE.match(line)
            obj["shape"] = tuple(int(x) for x in simple[1].split(",")) if simple else ()
            if not simple:
                assert "SCALAR" in line, line
        elif stack and stack[-1][0] == "FILTERS" and line != "}" and obj is not None:
            obj["filters"].append(line)
        opens, closes = line.count("{"), line.count("}")
        if opens > closes:
            stack.append(("FILTERS" if line == "FILTERS {" else "BLOCK", None))
        elif closes > opens:
            stack.pop()
    assert not stack, "unbalanced h5dump output"
    return objects


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("h5dump") / "net.nir"
    nir.write(path, _graph())
    return path


@pytest.fixture(scope="module")
def layout(written: Path) -> dict[str, dict[str, Any]]:
    result = subprocess.run([str(H5DUMP), "-p", "-H", str(written)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return parse_header(result.stdout)


def value(path: Path, dataset: str) -> str:
    """The DATA block of one dataset, as h5dump prints it."""
    result = subprocess.run([str(H5DUMP), "-d", dataset, str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split("DATA {", 1)[1]


def attribute(path: Path, name: str) -> str:
    result = subprocess.run([str(H5DUMP), "-a", name, str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split("DATA {", 1)[1]


def children(layout: dict[str, dict[str, Any]], group: str) -> dict[str, str]:
    """Direct members of a group: name -> kind."""
    prefix = group.rstrip("/") + "/"
    return {
        p[len(prefix) :]: o["kind"]
        for p, o in layout.items()
        if p != group and p.startswith(prefix) and "/" not in p[len(prefix) :]
    }


def test_root_holds_version_schema_and_node(layout: dict[str, dict[str, Any]], written: Path) -> None:
    assert children(layout, "/") == {"@schema": "attribute", "node": "group", "version": "dataset"}
    assert layout["/version"]["type"] == STRING and layout["/version"]["shape"] == ()
    assert f'"{nir.spec.SPEC_VERSION}"' in value(written, "/version")
    assert layout["/@schema"]["type"] == STRING and layout["/@schema"]["shape"] == ()
    assert f'"{nir.spec.schema_id()}"' in attribute(written, "/schema")


def test_root_graph_group(layout: dict[str, dict[str, Any]], written: Path) -> None:
    assert children(layout, "/node") == {"type": "dataset", "edges": "dataset", "nodes": "group", "metadata": "group"}
    assert layout["/node/type"]["type"] == STRING and layout["/node/type"]["shape"] == ()
    assert '"NIRGraph"' in value(written, "/node/type")
    assert layout["/node/edges"]["type"] == STRING
    assert layout["/node/edges"]["shape"] == (4, 2)
    edges = value(written, "/node/edges")
    assert re.search(r'\(0,0\): "input", "big"', edges) and re.search(r'\(3,0\): "sub", "output"', edges)
    assert set(children(layout, "/node/nodes")) == {"input", "big", "fc", "sub", "output"}
    assert all(kind == "group" for kind in children(layout, "/node/nodes").values())


def test_one_group_per_node_with_type_and_fields(layout: dict[str, dict[str, Any]], written: Path) -> None:
    nodes = "/node/nodes"
    assert children(layout, f"{nodes}/input") == {"type": "dataset", "shape": "dataset"}
    assert layout[f"{nodes}/input/shape"]["type"] == I64 and layout[f"{nodes}/input/shape"]["shape"] == (1,)
    assert children(layout, f"{nodes}/fc") == {"type": "dataset", "weight": "dataset", "bias": "dataset"}
    assert layout[f"{nodes}/fc/weight"]["type"] == F32 and layout[f"{nodes}/fc/weight"]["shape"] == (3, 64)
    assert layout[f"{nodes}/fc/bias"]["shape"] == (3,)
    assert children(layout, f"{nodes}/big") == {"type": "dataset", "weight": "dataset", "metadata": "group"}
    assert children(layout, f"{nodes}/big/metadata") == {"note": "dataset"}
    assert layout[f"{nodes}/big/metadata/note"]["type"] == STRING
    for name, kind in (("input", "Input"), ("big", "Linear"), ("fc", "Affine"), ("output", "Output")):
        assert layout[f"{nodes}/{name}/type"]["type"] == STRING
        assert f'"{kind}"' in value(written, f"{nodes}/{name}/type")


def test_graph_metadata_group(layout: dict[str, dict[str, Any]], written: Path) -> None:
    assert children(layout, "/node/metadata") == {"framework": "dataset", "steps": "dataset", "nested": "group"}
    assert layout["/node/metadata/framework"]["type"] == STRING
    assert '"conformance"' in value(written, "/node/metadata/framework")
    assert layout["/node/metadata/steps"]["type"] == I64 and layout["/node/metadata/steps"]["shape"] == ()
    assert layout["/node/metadata/nested/dt"]["type"] == F64


def test_nested_graph_has_the_graph_layout(layout: dict[str, dict[str, Any]], written: Path) -> None:
    sub = "/node/nodes/sub"
    assert children(layout, sub) == {"type": "dataset", "edges": "dataset", "nodes": "group", "metadata": "group"}
    assert '"NIRGraph"' in value(written, f"{sub}/type")
    assert layout[f"{sub}/edges"]["shape"] == (2, 2)
    assert set(children(layout, f"{sub}/nodes")) == {"input", "lif", "output"}
    lif = children(layout, f"{sub}/nodes/lif")
    assert lif == {name: "dataset" for name in ("type", "tau", "r", "v_leak", "v_threshold", "v_reset")}
    assert all(layout[f"{sub}/nodes/lif/{f}"]["shape"] == (3,) for f in lif if f != "type")
    assert '"LIF"' in value(written, f"{sub}/nodes/lif/type")
    assert '"recurrent block"' in value(written, f"{sub}/metadata/role")


def test_gzip_on_large_arrays_only(layout: dict[str, dict[str, Any]]) -> None:
    big = layout["/node/nodes/big/weight"]
    assert big["shape"] == (64, 64) and big["type"] == F32
    assert any(re.fullmatch(r"COMPRESSION DEFLATE \{ LEVEL \d+ \}", f) for f in big["filters"]), big["filters"]
    assert "PREPROCESSING SHUFFLE" in big["filters"]
    small = [p for p, o in layout.items() if o["kind"] == "dataset" and p != "/node/nodes/big/weight"]
    assert len(small) > 20
    for path in small:
        assert layout[path]["filters"] == ["NONE"], path


def test_parser_reads_a_known_header() -> None:
    text = """HDF5 "x.nir" {
GROUP "/" {
   ATTRIBUTE "schema" {
      DATATYPE  H5T_STRING {
         STRSIZE H5T_VARIABLE;
      }
      DATASPACE  SCALAR
   }
   DATASET "w" {
      DATATYPE  H5T_IEEE_F32LE
      DATASPACE  SIMPLE { ( 64, 64 ) / ( 64, 64 ) }
      FILTERS {
         PREPROCESSING SHUFFLE
         COMPRESSION DEFLATE { LEVEL 1 }
      }
   }
}
}"""
    parsed = parse_header(text)
    assert parsed["/@schema"] == {"kind": "attribute", "filters": [], "type": STRING, "shape": ()}
    assert parsed["/w"]["shape"] == (64, 64)
    assert parsed["/w"]["filters"] == ["PREPROCESSING SHUFFLE", "COMPRESSION DEFLATE { LEVEL 1 }"]


CONFORMANCE = Path(__file__).resolve().parents[2] / "conformance"


def test_h5dump_reads_every_conformance_fixture() -> None:
    """Every .nir file of the conformance suite is plain HDF5: h5dump reads each whole, data included."""
    fixtures = sorted((CONFORMANCE / "hdf5").rglob("*.nir"))
    named = [
        case["hdf5"]
        for path in [*(CONFORMANCE / "cases").glob("*.json"), *(CONFORMANCE / "migrations").glob("*.json")]
        for group in json.loads(path.read_text("utf-8"))
        for case in group["cases"]
        if case["hdf5"] is not None
    ]
    assert sorted(CONFORMANCE / name for name in named) == fixtures
    result = subprocess.run([str(H5DUMP), *map(str, fixtures)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert [
        line.removeprefix('HDF5 "').removesuffix('" {') for line in re.findall(r'^HDF5 ".*" \{$', result.stdout, re.M)
    ] == [str(f) for f in fixtures]
    assert "DATA {" in result.stdout
