"""The one source of randomness: a seed normalised once, spawned per chunk via SeedSequence."""

from __future__ import annotations

import numpy as np


def as_seed_sequence(seed: int | np.random.SeedSequence | None) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(seed)


def as_generator(seed: int | np.random.SeedSequence | np.random.Generator | None) -> np.random.Generator:
    """A ``numpy.random.Generator`` from an int, a SeedSequence, a Generator (returned as is) or None."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(as_seed_sequence(seed))


def spawn(seed: int | np.random.SeedSequence | None, n: int) -> list[np.random.Generator]:
    """``n`` independent generators from one seed (chunk ``k`` always gets child ``k``)."""
    return [np.random.default_rng(s) for s in as_seed_sequence(seed).spawn(n)]
