"""`nir.ir.threshold`, as in the reference package."""

from nir._generated.models import Threshold

__all__ = ["Threshold"]
