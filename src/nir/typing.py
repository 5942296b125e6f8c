"""`nir.typing`: the reference package's type aliases (defined in `nir.ir.typing`)."""

from nir.ir.typing import Edges, NIRNode, Nodes, Types

__all__ = ["Edges", "NIRNode", "Nodes", "Types"]
