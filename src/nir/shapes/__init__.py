"""Shape rules interpreted from the schema's `x-nir-*` keywords."""

from nir.shapes.formulas import FORMULAS
from nir.shapes.rules import bind, infer, ports, view
from nir.shapes.symbols import fmt, match, resolve

__all__ = ["FORMULAS", "bind", "fmt", "infer", "match", "ports", "resolve", "view"]
