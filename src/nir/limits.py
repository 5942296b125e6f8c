"""Documented limits of the readers; each is checked before anything is allocated."""

MAX_DEPTH = 64
"""Deepest nesting of groups (graphs inside graphs and metadata mappings) a file may have."""

MAX_EAGER_BYTES = 2 * 1024**3
"""Most bytes an eager read takes into memory from one file (all datasets together); beyond it, use `lazy=True`."""

LAZY_THRESHOLD_BYTES = 64 * 1024
"""In a lazy read, datasets up to this size are still read; larger ones stay on disk."""

MAX_OBJECTS = 5_000_000
"""Most groups and datasets one file may hold."""

MAX_NAME_BYTES = 4096
"""Longest node or field name accepted."""

CHECK_VALUES_MAX_BYTES = 16 * 1024**2
"""Lazy tensors up to this size have their values checked by validation; larger ones are reported as unchecked."""

MAX_STRINGS = 200_000
"""Most strings (node types, edge endpoints, text metadata) one file may hold; each costs far
more to read and decode than its 8 bytes on disk suggest."""
