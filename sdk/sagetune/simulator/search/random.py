"""Random search: independent draws that respect each dimension's scaling.

A draw is a uniform point of the unit cube decoded by the space (see ``space``): uniform for
Linear, uniform in log for Logarithmic, ``1 - x`` log-uniform for ReverseLogarithmic, integers
by rounding on their scaled bins, categoricals uniform. The i-th draw depends only on
(seed, i), so a restarted engine re-draws the same configurations.
"""

from __future__ import annotations

import attrs

from .history import SearchState
from .seeding import STREAM_RANDOM, rng_for


@attrs.frozen(kw_only=True)
class RandomStrategy:
    """Independent draws; ``stream`` separates strategies that share seeds (e.g. Hyperband)."""

    stream: int = STREAM_RANDOM

    def suggest(self, state: SearchState) -> dict[str, str]:
        rng = rng_for(state.seed, self.stream, state.issued)
        unit = rng.random(len(state.space.dims))
        return state.space.decode_unit(unit)
