"""The spec version this package writes (stdlib only: the code generator loads it by path)."""

SPEC_VERSION = "1.0"
