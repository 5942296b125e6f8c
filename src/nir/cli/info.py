"""`nir info FILE`: what a file holds — version, node table, edges, metadata, totals."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from nir.cli.validate import verdict
from nir.findings import Report
from nir.graph import GraphBase
from nir.lazy import is_lazy
from nir.node import NIRNode
from nir.shapes.rules import value_of
from nir.store import load, read_json, read_version
from nir.store.versions import layout_of

EXAMPLES = """examples:
  nir info model.nir
  nir info model.nir --format json | jq .totals

Large tensors are not read: the file is opened lazily and sizes come from dataset headers.

exit codes: 0 valid, 1 invalid (still described), 2 unreadable or a usage error"""


def add_parser(commands: argparse._SubParsersAction, parents: list[argparse.ArgumentParser], line: str) -> None:
    """Register the `info` command."""
    parser = commands.add_parser(
        "info",
        help=line,
        description="Show a NIR file's version, nodes (type, shapes, parameters), edges and metadata.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    parser.add_argument("file", metavar="FILE", help="a .nir or .json file")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.set_defaults(run=run)


def describe(path: Path) -> dict[str, Any]:
    """Everything `nir info` shows, as a JSON-ready dictionary."""
    return _describe(path)[0]


def _describe(path: Path) -> tuple[dict[str, Any], Report]:
    """`describe(path)` and the validation report it summarises."""
    if path.suffix.lower() == ".json":
        graph = read_json(path, warn_findings=False)
        version = json.loads(path.read_text("utf-8")).get("version")
        report = graph.report
    else:
        graph, report = load(path, lazy=True)  # first: its errors are the ones to show
        version = read_version(path)
    rows = list(_rows(graph, ""))
    leaves = [r for r in rows if r["type"] != "NIRGraph"]
    info = {
        "file": str(path),
        "version": version,
        "layout": layout_of(version) if path.suffix.lower() != ".json" else version,
        "valid": report.ok,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "counts": dict(sorted(Counter(r["type"] for r in rows).items())),
        "nodes": rows,
        "edges": [list(e) for e in _edges(graph, "")],
        "metadata": _jsonable(graph.metadata),
        "totals": {
            "nodes": len(rows),
            "edges": len(_edges(graph, "")),
            "parameters": sum(r["parameters"] for r in leaves),
            "bytes": sum(r["bytes"] for r in leaves),
        },
    }
    return info, report


def flow_order(graph: GraphBase) -> list[str]:
    """Node names in the order data reaches them from the Inputs (breadth first), then the rest."""
    following: dict[str, list[str]] = {}
    for src, dst in graph.edges:
        following.setdefault(src, []).append(dst)
    order = [name for name in graph.inputs]
    seen = set(order)
    for name in order:
        for nxt in following.get(name, []):
            if nxt in graph.nodes and nxt not in seen:
                seen.add(nxt)
                order.append(nxt)
    return order + [name for name in graph.nodes if name not in seen]


def _rows(graph: GraphBase, prefix: str):
    for name in flow_order(graph):
        node = graph.nodes[name]
        yield _row(prefix + name, node)
        if isinstance(node, GraphBase):
            yield from _rows(node, f"{prefix}{name}.")


def _row(name: str, node: NIRNode) -> dict[str, Any]:
    params, nbytes, dtypes = 0, 0, set()
    if not isinstance(node, GraphBase):
        for field in node.unit_spec.tensor_fields:
            value = value_of(node, field.name)
            if value is not None:
                params += int(value.size)
                nbytes += value.nbytes_on_disk if is_lazy(value) else int(value.nbytes)
                dtypes.add(str(value.dtype))
    return {
        "name": name,
        "type": type(node).__name__,
        "input": _shape(node.input_type),
        "output": _shape(node.output_type),
        "parameters": params,
        "bytes": nbytes,
        "dtype": ",".join(sorted(dtypes)),
    }


def _shape(port: dict[str, Any]) -> Any:
    shapes = {k: None if v is None else [int(x) for x in v] for k, v in port.items()}
    return next(iter(shapes.values())) if len(shapes) == 1 else shapes


def _edges(graph: GraphBase, prefix: str) -> list[tuple[str, str]]:
    rank = {name: i for i, name in enumerate(flow_order(graph))}
    ordered = sorted(graph.edges, key=lambda e: (rank.get(e[0], len(rank)), rank.get(e[1], len(rank))))
    out = [(prefix + a, prefix + b) for a, b in ordered]
    for name, node in graph.nodes.items():
        if isinstance(node, GraphBase):
            out.extend(_edges(node, f"{prefix}{name}."))
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist() if value.size <= 16 else f"<array {value.dtype} {list(value.shape)}>"
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def run(args: argparse.Namespace) -> int:
    """Print the description of one file; exit code as `nir validate`'s (0 valid, 1 invalid, 2 unreadable)."""
    info, report = _describe(Path(args.file))
    print(json.dumps(info, indent=2) if args.format == "json" else _text(info))
    return verdict(report, strict=False)


def _text(info: dict[str, Any]) -> str:
    status = "valid" if info["valid"] else f"INVALID ({info['errors']} errors; run `nir validate` for details)"
    lines = [
        f"file:     {info['file']}",
        f"version:  {info['version'] or '(none)'} (layout {info['layout']}), {status}",
        "nodes:    " + ", ".join(f"{n} {t}" for t, n in info["counts"].items()),
        "",
    ]
    header = ("name", "type", "input", "output", "params", "dtype")
    table = [header] + [
        (r["name"], r["type"], _fmt(r["input"]), _fmt(r["output"]), f"{r['parameters']:,}", r["dtype"])
        for r in info["nodes"]
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    lines += ["", f"edges ({len(info['edges'])}):"]
    lines += [f"  {a} -> {b}" for a, b in info["edges"]]
    if info["metadata"]:
        lines += ["", "metadata:"] + [f"  {k}: {v}" for k, v in info["metadata"].items()]
    totals = info["totals"]
    counts = f"{totals['nodes']} nodes, {totals['edges']} edges, {totals['parameters']:,} parameters"
    lines += ["", f"total: {counts}, {_bytes(totals['bytes'])}"]
    return "\n".join(lines)


def _fmt(shape: Any) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, dict):
        return ", ".join(f"{k}:{_fmt(v)}" for k, v in shape.items()) or "-"
    return "[" + ", ".join(str(x) for x in shape) + "]"


def _bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
