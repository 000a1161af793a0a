"""Random streams derived from the search state, so that every suggestion is reproducible.

A suggestion's randomness depends only on (seed, issued, stream): re-asking the same question
after a restart draws the same numbers, and different purposes (random draws, Sobol
scrambling, optimizer restarts) never share a stream by accident.
"""

from __future__ import annotations

import numpy as np

STREAM_RANDOM = 1
STREAM_INITIAL_DESIGN = 2
STREAM_CANDIDATES = 3
STREAM_HYPERBAND = 4

_SEED_MODULUS = 2**63


def seed_words(seed: int, *words: int) -> list[int]:
    """Non-negative entropy words for ``numpy.random.SeedSequence`` (negative seeds allowed)."""
    return [seed % _SEED_MODULUS, *(w % _SEED_MODULUS for w in words)]


def rng_for(seed: int, *words: int) -> np.random.Generator:
    """A generator fully determined by the seed and the given words."""
    return np.random.default_rng(seed_words(seed, *words))
