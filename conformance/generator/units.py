"""units.json: every example of every node type in the schema, as a valid document.

Nothing here is written per unit: each example (a unit schema's `examples`, with the port
shapes of its `x-nir-examples` note) is placed between an Input and an Output of those shapes,
and a graph example is the document's root graph. A new unit's schema brings its cases.
"""

from __future__ import annotations

from .builders import case, chain, doc, group, inp, out, through
from .spec import Json, examples, node_schema, node_types


def units() -> list[Json]:
    """One group per node type, one valid document per example."""
    return [group(name, *_cases(name)) for name in node_types()]


def _cases(name: str) -> list[Json]:
    schema = node_schema(name)
    return [
        case(f"{name}: {note['description']}", _document(schema, example, note), schema_valid=True)
        for example, note in examples(schema)
    ]


def _document(schema: Json, example: Json, note: Json) -> Json:
    """The example in a graph that feeds it its `input` shape and takes its `output` shape."""
    role = schema.get("x-nir-role")
    if schema["x-nir-kind"] == "graph":
        return doc(example)
    if role == "graph-input":
        return doc(chain({"input": example, "output": out(*note["output"])}))
    if role == "graph-output":
        return doc(chain({"input": inp(*note["input"]), "output": example}))
    return through(example, note["input"], note["output"])
