"""detente.analysis."""
