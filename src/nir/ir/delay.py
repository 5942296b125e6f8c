"""`nir.ir.delay`, as in the reference package."""

from nir._generated.models import Delay

__all__ = ["Delay"]
