"""`nir.serialization`, where the reference package defines reading and writing files."""

from nir.store import read, read_version, write

__all__ = ["read", "read_version", "write"]
