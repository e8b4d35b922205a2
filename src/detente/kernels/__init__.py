"""Batch-first NumPy kernels (numpy only; inputs shaped (..., A, I), reductions over axis -2)."""
