"""`nir.ir.pooling`, as in the reference package."""

from nir._generated.models import AvgPool2d, SumPool2d

__all__ = ["AvgPool2d", "SumPool2d"]
