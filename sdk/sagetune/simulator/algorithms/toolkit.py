"""Hyperparameter checking as SageMaker's built-in algorithm containers do it.

The XGBoost container declares its hyperparameters with sagemaker-algorithm-toolkit
(``hyperparameter_validation.py``): each has a kind (integer, continuous, categorical,
comma-separated list, free text), a valid range, whether it is required, a tuning range
it recommends; aliases (``learning_rate`` for ``eta``). :func:`validate` follows the
toolkit's order and words:

1. aliases are replaced by their names;
2. a required hyperparameter that is absent: ``Missing required hyperparameter: num_round``;
3. each given one, in the order given: an unknown name
   ``Extraneous hyperparameter found: silent``; a value ``int()`` / ``float()`` cannot read
   ``Hyperparameter eta: could not parse value (caused by ValueError)``;
4. each value against its range: ``Hyperparameter eta: 1.5 is not in [0, 1]``,
   ``Hyperparameter booster: foo is not in ['gbtree', 'gblinear', 'dart']``, for lists
   ``Hyperparameter eval_metric: value ['foo'] not in range [...]``.

Cross-checks between hyperparameters (``num_class`` for ``multi:*``) belong to each
algorithm. The first-party algorithms (linear-learner) validate the same declarations
with JSON-schema wording instead; :class:`Wording` is the only difference.

Deliberate difference: a continuous ``nan`` is out of every range here (the toolkit's
interval test lets it through, and the container then fails inside XGBoost).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Literal, Protocol

import attrs

from sagetune.simulator.algorithms.spec import HyperParameterSpec

__all__ = [
    "Declaration",
    "Interval",
    "ToolkitWording",
    "Value",
    "Wording",
    "describe",
    "validate",
]

Value = int | float | str | tuple[str, ...]
Kind = Literal["Integer", "Continuous", "Categorical", "List", "FreeText"]


TRUE_FALSE = ("true", "false")
"""The values of the containers' boolean hyperparameters."""


class ContainerClock:
    """A container's wall clock: ``context.start_time`` plus the simulated seconds so far."""

    def __init__(self, start: float | None) -> None:
        self.now = start or 0.0

    def advance(self, seconds: float) -> float:
        """Move on by ``seconds`` (returned: a log line's delay)."""
        self.now += seconds
        return seconds

    def stamp(self, pattern: str) -> str:
        return time.strftime(pattern, time.gmtime(self.now))


def binary_entropy(p: float) -> float:
    """The entropy (nats) of a coin that lands heads with probability ``p``."""
    if p <= 0.0 or p >= 1.0:
        return 0.0
    return -(p * math.log(p) + (1.0 - p) * math.log(1.0 - p))


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@attrs.frozen(kw_only=True)
class Interval:
    """A range of numbers with open or closed ends (unbounded when both are None)."""

    min_open: float | None = None
    min_closed: float | None = None
    max_open: float | None = None
    max_closed: float | None = None

    def __contains__(self, value: float) -> bool:
        if math.isnan(value):
            return False
        return not (
            (self.min_open is not None and value <= self.min_open)
            or (self.min_closed is not None and value < self.min_closed)
            or (self.max_open is not None and value >= self.max_open)
            or (self.max_closed is not None and value > self.max_closed)
        )

    def __str__(self) -> str:
        if self.min_open is not None:
            low = f"({_number_text(self.min_open)}, "
        elif self.min_closed is not None:
            low = f"[{_number_text(self.min_closed)}, "
        else:
            low = "(-inf, "
        if self.max_open is not None:
            return f"{low}{_number_text(self.max_open)})"
        if self.max_closed is not None:
            return f"{low}{_number_text(self.max_closed)}]"
        return f"{low}+inf)"

    @property
    def low(self) -> float | None:
        return self.min_closed if self.min_closed is not None else self.min_open

    @property
    def high(self) -> float | None:
        return self.max_closed if self.max_closed is not None else self.max_open


@attrs.frozen(kw_only=True)
class Declaration:
    """One hyperparameter an algorithm container accepts.

    ``valid`` is the Interval (numbers) or the allowed values (categorical, list items);
    ``also`` lists words a numeric hyperparameter accepts besides numbers (``auto``).
    ``default`` is the value the algorithm uses when absent (documentation only: the
    toolkit passes absent ones on as absent). ``tuning`` and ``scaling`` are the range the
    algorithm's documentation recommends for tuning a number; ``tunable`` marks a
    categorical the documentation lists as tunable.
    """

    name: str
    kind: Kind
    valid: Interval | tuple[str, ...] | None = None
    required: bool = False
    default: str | None = None
    also: tuple[str, ...] = ()
    tuning: Interval | None = None
    scaling: str = "Linear"
    tunable: bool = False
    description: str = ""

    def parse(self, text: str) -> Value:
        """The value the container reads from the string (ValueError if it cannot)."""
        if self.kind == "FreeText" or text in self.also:
            return text
        if self.kind == "Integer":
            return int(text)
        if self.kind == "Continuous":
            return float(text)
        if self.kind == "List":
            return tuple(text.split(","))
        return text

    def in_range(self, value: Value) -> bool:
        if self.valid is None or (isinstance(value, str) and value in self.also):
            return True
        if isinstance(self.valid, Interval):
            assert isinstance(value, int | float)
            return value in self.valid
        if isinstance(value, tuple):
            return all(item in self.valid for item in value)
        return value in self.valid


class Wording(Protocol):
    """The texts an algorithm's validation fails with."""

    def missing(self, name: str) -> str: ...
    def extraneous(self, name: str) -> str: ...
    def unparseable(self, declaration: Declaration, text: str) -> str: ...
    def out_of_range(self, declaration: Declaration, value: Value, text: str) -> str: ...


class ToolkitWording:
    """sagemaker-algorithm-toolkit's messages (the XGBoost containers)."""

    def missing(self, name: str) -> str:
        return f"Missing required hyperparameter: {name}"

    def extraneous(self, name: str) -> str:
        return f"Extraneous hyperparameter found: {name}"

    def unparseable(self, declaration: Declaration, text: str) -> str:
        return f"Hyperparameter {declaration.name}: could not parse value (caused by ValueError)"

    def out_of_range(self, declaration: Declaration, value: Value, text: str) -> str:
        valid = declaration.valid
        shown = str(valid) if isinstance(valid, Interval) else str(list(valid or ()))
        if isinstance(value, tuple):
            return f"Hyperparameter {declaration.name}: value {list(value)} not in range {shown}"
        return f"Hyperparameter {declaration.name}: {value} is not in {shown}"


def validate(
    raw: Mapping[str, str],
    declarations: Sequence[Declaration],
    *,
    wording: Wording,
    error: Callable[[str], Exception],
    aliases: Mapping[str, str] | None = None,
    ignored_prefixes: tuple[str, ...] = ("sagemaker_",),
) -> dict[str, Value]:
    """The given hyperparameters, typed; raises ``error(message)`` for the first problem.

    Keys starting with ``ignored_prefixes`` never reach the algorithm (the container
    framework strips them). Absent hyperparameters stay absent.
    """
    by_name = {d.name: d for d in declarations}
    names = aliases or {}
    given = {
        names.get(key, key): value
        for key, value in raw.items()
        if not key.startswith(ignored_prefixes)
    }
    for declaration in declarations:
        if declaration.required and declaration.name not in given:
            raise error(wording.missing(declaration.name))
    parsed: dict[str, tuple[Declaration, Value, str]] = {}
    for key, text in given.items():
        found = by_name.get(key)
        if found is None:
            raise error(wording.extraneous(key))
        try:
            parsed[key] = (found, found.parse(text), text)
        except ValueError:
            raise error(wording.unparseable(found, text)) from None
    for declaration, value, text in parsed.values():
        if not declaration.in_range(value):
            raise error(wording.out_of_range(declaration, value, text))
    return {key: value for key, (_, value, _) in parsed.items()}


def describe(declaration: Declaration) -> HyperParameterSpec:
    """The declaration as a HyperParameterSpec (``sagetune algorithms``, ParameterRanges):
    tunable with the recommended range when it has one, else a static value."""
    valid = declaration.valid
    note = declaration.description
    if declaration.kind in ("Integer", "Continuous") and isinstance(valid, Interval):
        note = f"{note} Valid: {valid}{' or ' + ', '.join(declaration.also) if declaration.also else ''}."
        if declaration.tuning is not None:
            low, high = declaration.tuning.low, declaration.tuning.high
            assert low is not None
            assert high is not None
            return HyperParameterSpec(
                name=declaration.name,
                kind=declaration.kind,
                min_value=_number_text(low),
                max_value=_number_text(high),
                scaling=declaration.scaling,
                default=declaration.default
                if declaration.default not in declaration.also
                else None,
                description=note.strip(),
                required=declaration.required,
            )
    if declaration.kind == "Categorical" and isinstance(valid, tuple):
        default = declaration.default if declaration.default in valid else None
        return HyperParameterSpec(
            name=declaration.name,
            kind="Categorical",
            values=valid,
            default=default,
            description=note.strip(),
            tunable=declaration.tunable,
            required=declaration.required,
        )
    return HyperParameterSpec(
        name=declaration.name,
        kind="Static",
        default=declaration.default,
        description=note.strip(),
        tunable=False,
        required=declaration.required,
    )
