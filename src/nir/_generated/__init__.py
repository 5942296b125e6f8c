# Generated from schema/1.0 by codegen/generate.py; do not edit.
"""Pydantic models generated from the NIR schema."""
