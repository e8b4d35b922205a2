"""detente.web."""
