"""Test objectives shared by the search tests (imported as ``tests.search.objectives``)."""

from __future__ import annotations

import math

BRANIN_MINIMUM = 0.397887357729738


def branin(a: float, b: float) -> float:
    """Branin-Hoo on a in [-5, 10], b in [0, 15]; three global minima of 0.397887."""
    return (
        (b - 5.1 / (4 * math.pi**2) * a * a + 5 / math.pi * a - 6) ** 2
        + 10 * (1 - 1 / (8 * math.pi)) * math.cos(a)
        + 10
    )
