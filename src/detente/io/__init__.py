"""detente.io."""
