"""The one source of randomness: a seed normalised once, spawned per chunk via SeedSequence."""

from __future__ import annotations

import numpy as np

from detente.errors import ModelConfigError


def check_seed(seed: object, name: str = "seed") -> int:
    """``seed`` as a Python ``int``, or :class:`ModelConfigError` naming ``name``.

    A seed is an integer >= 0 (a NumPy integer is fine). ``None`` is refused: it would draw fresh
    entropy from the operating system, so the numbers could not be reproduced from what a result
    records. A float, a text or a bool is refused rather than truncated or hashed.

    >>> check_seed(7)
    7
    >>> check_seed(1.5)
    Traceback (most recent call last):
    ...
    detente.errors.ModelConfigError: seed: expected an integer >= 0, received 1.5
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or int(seed) < 0:
        raise ModelConfigError(name, "an integer >= 0", seed)
    return int(seed)


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
