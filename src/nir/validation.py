"""`nir.validate`: one entry to check a graph, a single node, or a `.nir` / `.json` file."""

from __future__ import annotations

import os
from typing import Any

from nir.analysis import check_node, settle
from nir.errors import NIRArgumentError
from nir.findings import Report
from nir.store.reading import validate_path
from nir.topology import is_graph, unit_of

__all__ = ["validate"]


def validate(target: Any) -> Report:
    """Check a graph, a single node, or a `.nir`/`.json` file, and return its Report; never raises on bad input.

    A graph in memory also gets the shapes inference found (as `read` gives them). Files are
    opened lazily: large tensors are checked from their headers (shape, dtype).
    """
    if is_graph(target):
        return settle(target, warn_findings=False)
    if unit_of(target) is not None:
        return check_node(target)
    if not isinstance(target, str | os.PathLike):
        raise NIRArgumentError(f"nir.validate takes a graph, a node or a path, not {type(target).__name__}")
    return validate_path(target)
