"""Hyperband for the tuning service: asynchronous successive halving inside brackets.

Resources are epochs, from ``min_resource`` (``r``, HyperbandStrategyConfig.MinResource) to
``max_resource`` (``R``, MaxResource, or inferred from the static hyperparameters). The
reduction factor is ``eta = 3``, the value of the Hyperband and ASHA papers: each rung keeps
a third of the jobs, so few levels are needed between ``r`` and ``R``.

* **Rungs** are at ``r * eta**k`` epochs, for every ``k >= 0`` with ``r * eta**k < R``.
  A job that reaches ``R`` epochs is done (the engine ends it there: every job's resource
  is ``R``, and it is the rungs that cut jobs short).
* **Brackets** trade breadth for patience as in Hyperband: bracket ``b`` makes its first
  decision at rung ``b`` (the last bracket never stops a job). Hyperband's bracket sizes
  ``n_b = ceil(B / (s + 1) * eta**s)`` (``B`` brackets, ``s = B - 1 - b`` stopping rungs)
  are turned into a fixed, evenly interleaved cycle of brackets, and the job with launch
  index ``i`` belongs to the bracket in position ``i mod len(cycle)``: deterministic, and
  the mix of brackets matches Hyperband's at any job count.
* **Decision** (asynchronous successive halving, "stopping" variant): when a job has just
  finished the epoch of one of its bracket's rungs, compare its objective at that epoch with
  the objectives at the same epoch of every other job of the same bracket that has reached
  it (running or not, launched before or after). The job continues if fewer than
  ``n / eta`` of these ``n`` values (itself included) are strictly better than its own -
  it is in the top ``1/eta`` - and stops otherwise. Ties favour the job. With fewer than
  ``eta`` values at the rung, nothing is decided yet and the job continues. Non-finite
  values count as the worst.
* **Configurations** are drawn at random (SageMaker's Hyperband samples randomly), from a
  stream of their own so that they differ from a Random strategy with the same seed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

from .history import SearchState
from .random import RandomStrategy
from .seeding import STREAM_HYPERBAND

ETA = 3


def _positive(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ValueError(f"{attribute.name} must be at least 1, got {value}")


def _bracket_cycle(sizes: Sequence[int]) -> tuple[int, ...]:
    """Brackets spread evenly: slot ``k`` of bracket ``b`` sits at ``(k + 0.5) / n_b``."""
    slots = sorted(((k + 0.5) / n, b) for b, n in enumerate(sizes) for k in range(n))
    return tuple(b for _, b in slots)


@attrs.frozen(kw_only=True)
class HyperbandRule:
    """Rungs, brackets and the stop decision for one Hyperband tuning job."""

    min_resource: int = attrs.field(validator=_positive)
    max_resource: int = attrs.field(validator=_positive)
    eta: int = ETA
    _cycle: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if self.min_resource > self.max_resource:
            raise ValueError(
                f"MinResource ({self.min_resource}) must not exceed MaxResource "
                f"({self.max_resource})"
            )
        if self.eta < 2:
            raise ValueError(f"eta must be at least 2, got {self.eta}")
        object.__setattr__(self, "_cycle", _bracket_cycle(self.bracket_sizes))

    @property
    def rung_levels(self) -> tuple[int, ...]:
        """Epochs at which decisions happen, ascending (all below ``max_resource``)."""
        levels = []
        level = self.min_resource
        while level < self.max_resource:
            levels.append(level)
            level *= self.eta
        return tuple(levels)

    @property
    def bracket_sizes(self) -> tuple[int, ...]:
        """Hyperband's number of configurations per bracket, bracket 0 most aggressive."""
        count = len(self.rung_levels) + 1
        sizes = []
        for b in range(count):
            s = count - 1 - b
            sizes.append(math.ceil(count / (s + 1) * self.eta**s))
        return tuple(sizes)

    def bracket_of(self, launch_index: int) -> int:
        """The bracket of the job launched ``launch_index``-th (0-based) in the tuning job."""
        return self._cycle[launch_index % len(self._cycle)]

    def rungs_for(self, launch_index: int) -> tuple[int, ...]:
        """The epochs at which this job can be stopped."""
        return self.rung_levels[self.bracket_of(launch_index) :]

    def max_epochs(self, launch_index: int) -> int:
        """The resource a job may use: every job runs to ``max_resource`` unless stopped."""
        del launch_index
        return self.max_resource

    def should_stop(self, launch_index: int, curves: Sequence[Sequence[float]]) -> bool:
        """Whether job ``launch_index`` stops after its latest epoch.

        ``curves[i]`` is the per-epoch objective (minimize form) reported so far by the job
        with launch index ``i``; the decision is for ``len(curves[launch_index])`` epochs.
        """
        curve = curves[launch_index]
        epoch = len(curve)
        if epoch not in self.rungs_for(launch_index):
            return False
        bracket = self.bracket_of(launch_index)
        own = _finite_or_worst(curve[epoch - 1])
        values = [own]
        for j, other in enumerate(curves):
            if j != launch_index and len(other) >= epoch and self.bracket_of(j) == bracket:
                values.append(_finite_or_worst(other[epoch - 1]))
        if len(values) < self.eta:
            return False
        better = sum(1 for v in values if v < own)
        return better * self.eta >= len(values)


def _finite_or_worst(value: float) -> float:
    return value if math.isfinite(value) else math.inf


@attrs.frozen(kw_only=True)
class HyperbandStrategy:
    """Configurations for Hyperband: independent random draws (see module doc)."""

    def suggest(self, state: SearchState) -> dict[str, str]:
        return RandomStrategy(stream=STREAM_HYPERBAND).suggest(state)
