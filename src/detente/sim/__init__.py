"""detente.sim."""
