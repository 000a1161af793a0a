"""Grid search over categorical dimensions: every combination exactly once.

Order: the combinations in ``itertools.product`` order over the dimensions as listed, each
dimension's values in their given order; the last dimension varies fastest. The i-th
suggestion (``state.issued == i``) is the i-th combination.
"""

from __future__ import annotations

import math

import attrs

from .history import SearchState
from .space import CategoricalDim, SearchSpace


def _categoricals(space: SearchSpace) -> tuple[CategoricalDim, ...]:
    if not space.dims:
        raise ValueError("Grid search needs at least one categorical hyperparameter")
    dims: list[CategoricalDim] = []
    for dim in space.dims:
        if not isinstance(dim, CategoricalDim):
            raise ValueError(
                f"Grid search supports categorical hyperparameters only; {dim.name!r} is not"
            )
        dims.append(dim)
    return tuple(dims)


def grid_size(space: SearchSpace) -> int:
    """Number of combinations (the tuning job's number of training jobs for Grid)."""
    return math.prod(len(d.values) for d in _categoricals(space))


def grid_point(space: SearchSpace, index: int) -> dict[str, str]:
    """The ``index``-th combination (mixed-radix digits, last dimension fastest)."""
    dims = _categoricals(space)
    size = math.prod(len(d.values) for d in dims)
    if not 0 <= index < size:
        raise ValueError(f"grid index {index} is outside the {size} combinations")
    params: dict[str, str] = {}
    for dim in reversed(dims):
        index, digit = divmod(index, len(dim.values))
        params[dim.name] = dim.values[digit]
    return {d.name: params[d.name] for d in dims}


@attrs.frozen(kw_only=True)
class GridStrategy:
    """Suggests the combinations in order; asking past the last one is a ``ValueError``."""

    def suggest(self, state: SearchState) -> dict[str, str]:
        return grid_point(state.space, state.issued)
