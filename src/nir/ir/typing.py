"""Type aliases of the reference package (`nir.ir.typing`, also `nir.typing`)."""

from __future__ import annotations

import numpy as np

from nir.node import NIRNode

Nodes = dict[str, NIRNode]
"""Nodes of a graph, keyed by name."""
Edges = list[tuple[str, str]]
"""Edges of a graph as (source, destination) name pairs."""
Types = dict[str, np.ndarray]
"""Port shapes keyed by port name."""

__all__ = ["Edges", "NIRNode", "Nodes", "Types"]
