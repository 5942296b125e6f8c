"""`nir.ir.graph`, as in the reference package: the graph and its Input and Output nodes."""

from nir._generated.models import Input, NIRGraph, Output

__all__ = ["Input", "NIRGraph", "Output"]
