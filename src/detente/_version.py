"""Package version (L0: imports nothing)."""

__version__ = "0.1.0"
