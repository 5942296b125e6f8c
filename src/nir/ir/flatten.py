"""`nir.ir.flatten`, as in the reference package."""

from nir._generated.models import Flatten

__all__ = ["Flatten"]
