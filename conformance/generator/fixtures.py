"""The .nir (HDF5) file of each case, for readers whose HDF5 layer needs test files.

The one module of the generator that uses the `nir` package, and only its writer: the
expected verdicts stay those of the JSON cases. A case's file is written in one of two ways:

* a case without findings is the graph `nir.from_json` reads from its document, written by
  `nir.write`, exactly as the package writes any valid graph;
* a case with findings (invalid or warned about by design) is its document transcribed as it
  stands into the HDF5 layout, by the writer's own tree writer with the same file options, so
  that the file holds exactly the problem the document shows (`nir.write` would store the
  graph as the package understood it: without the nodes it left out, with broadcast
  parameters expanded). Migration cases are their `file` tree transcribed the same way.

Transcription: an object is a group; a tensor object `{dtype, shape, data}` a dataset of that
dtype and shape; a string a string dataset; an integer, float or boolean a 0-d int64, float64
or bool dataset; a list of numbers or of strings a 1-d dataset; `edges` an (E, 2) string
dataset; `null` (an open optional field) is left out, as the writer leaves it out. Cases the
HDF5 layout cannot hold are marked JSON-only where they are written (`case(..., json_only=True)`).
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

import h5py
import numpy as np

import nir
from nir.store import h5write

from .migrations import is_tensor
from .spec import Json

SPELLED = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def render(case_files: dict[str, str]) -> dict[str, bytes]:
    """The bytes of every fixture named by the `hdf5` key of the cases in the rendered case files."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.nir"
        for text in case_files.values():
            for group in json.loads(text):
                for case in group["cases"]:
                    if case["hdf5"] is not None:
                        write(path, case)
                        out[case["hdf5"]] = path.read_bytes()
    return out


def write(path: Path, case: Json) -> None:
    """Write the .nir file of one case (a document case or a migration case)."""
    if "file" in case:
        _write_tree(path, transcribe(case["file"]), {})
    elif case["findings"]:
        # The document's graph is the file's `node` group; its version the `version` dataset.
        tree = {("node" if key == "graph" else key): transcribe(value) for key, value in case["document"].items()}
        _write_tree(path, tree, {"schema": nir.spec.schema_id()})
    else:
        graph = nir.from_json(json.dumps(case["document"]), warn_findings=False)
        nir.write(path, graph, warn_findings=False)


def transcribe(value: Any, key: str | None = None) -> Any:
    """A JSON value as the HDF5 tree the writer writes: dicts are groups, everything else datasets."""
    if is_tensor(value):
        data = [SPELLED.get(x, x) if isinstance(x, str) else x for x in value["data"]]
        return np.array(data, dtype=value["dtype"]).reshape(value["shape"])
    if isinstance(value, dict):
        return {k: transcribe(v, k) for k, v in value.items() if v is not None}
    if key == "edges" and isinstance(value, list):
        edges = np.empty((len(value), 2), dtype=object)
        for i, (source, destination) in enumerate(value):
            edges[i] = (_text(source), _text(destination))
        return edges
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return np.bool_(value)
    if isinstance(value, int):
        return np.int64(value)
    if isinstance(value, float):
        return np.float64(value)
    array = np.asarray(value)
    if array.dtype.kind not in "iufU" or array.ndim != 1:
        raise ValueError(f"{value!r} has no HDF5 form: mark its case json_only")
    return array


def _text(name: Any) -> str:
    if not isinstance(name, str):
        raise ValueError(f"edge endpoint {name!r} has no HDF5 form: mark its case json_only")
    return name


def _write_tree(path: Path, tree: dict[str, Any], attrs: dict[str, Any]) -> None:
    with h5py.File(path, "w", libver="earliest") as f:
        h5write.write_file(f, tree, attrs)
