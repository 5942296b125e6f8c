"""`nir.ir.linear`, as in the reference package: the linear maps."""

from nir._generated.models import Affine, Linear, Scale

__all__ = ["Affine", "Linear", "Scale"]
