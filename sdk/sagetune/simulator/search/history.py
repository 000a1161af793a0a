"""What a strategy is told: the tuning job's finished trials, pending launches and warm start.

A strategy's answer must be a pure function of a ``SearchState``: the engine may restart from
its database and ask again, and must get the same configuration back, bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import attrs

from .space import SearchSpace

WarmStartKind = Literal["IdenticalDataAndAlgorithm", "TransferLearning"]


def _as_tuple(values: Iterable[float]) -> tuple[float, ...]:
    return values if isinstance(values, tuple) else tuple(values)


@attrs.frozen(kw_only=True)
class Trial:
    """One finished training job: its hyperparameters and objective.

    ``value`` is in minimize form (the engine negates Maximize objectives); ``None`` means
    the job failed or never emitted the objective metric. ``stopped_early``: the job was cut
    short (median rule, Hyperband), so ``value`` is its objective at that epoch, not what
    the configuration would have reached. ``curve``: the objective after each epoch it ran
    (minimize form; empty when unknown), its learning curve.
    """

    params: Mapping[str, str]
    value: float | None
    stopped_early: bool = False
    curve: tuple[float, ...] = attrs.field(default=(), converter=_as_tuple)


@attrs.frozen(kw_only=True)
class WarmStart:
    """Parents' finished trials (minimize form), one tuple per parent tuning job."""

    kind: WarmStartKind
    parents: tuple[tuple[Trial, ...], ...]


@attrs.frozen(kw_only=True)
class SearchState:
    """Everything a strategy may use to pick the next configuration.

    ``issued`` is the number of suggestions this tuning job has issued so far, i.e. the index
    of the one being asked for; it seeds each suggestion's randomness.
    """

    space: SearchSpace
    seed: int
    trials: tuple[Trial, ...] = ()
    pending: tuple[Mapping[str, str], ...] = ()
    issued: int = 0
    warm_start: WarmStart | None = None
