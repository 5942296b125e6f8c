"""How the Python binding holds the spec's shared value types (stdlib only: the code generator loads it by path).

The spec stays language-neutral; which Python type stands for each shared definition is the
binding's business. The names are those of the annotated types in `nir.annotations` (what the
generated models use) and of the kinds in `nir.types.KINDS` (how a kept value is read).
"""

PYTHON_TYPES = {
    "Tensor": "Tensor",
    "finite": "Tensor",
    "positive": "Tensor",
    "nonnegative": "Tensor",
    "shape": "Shape",
    "size": "Size",
    "positive_int": "PositiveInt",
    "edge": "Edge",
    "size_pair": "Pair",
    "pair": "Pair",
    "positive_pair": "PositivePair",
    "padding1d": "Padding1d",
    "padding2d": "Padding2d",
    "metadata": "Metadata",
    "integer": "Integer",
}
"""Shared definition of the schema (or, for `integer`, a field's JSON type) -> the Python type holding its values."""
