"""`nir.ir.conv`, as in the reference package: the convolution nodes."""

from nir._generated.models import Conv1d, Conv2d

__all__ = ["Conv1d", "Conv2d"]
