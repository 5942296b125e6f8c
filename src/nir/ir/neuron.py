"""`nir.ir.neuron`, as in the reference package: the neuron models."""

from nir._generated.models import IF, LI, LIF, CubaLI, CubaLIF, I

__all__ = ["IF", "LI", "LIF", "CubaLI", "CubaLIF", "I"]
