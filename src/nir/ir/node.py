"""`nir.ir.node`, where the reference package defines the node base class."""

from nir.node import NIRNode

__all__ = ["NIRNode"]
