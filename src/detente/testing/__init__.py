"""detente.testing."""
