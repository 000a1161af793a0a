"""Reading an algorithm's string hyperparameters against its declared specs.

The service passes every hyperparameter as a string. The built-in algorithms check them
the way SageMaker's algorithm containers do (sagemaker-algorithm-toolkit): a missing
required one, an unknown name, an unparseable value or a value out of range fails the
job with a ``ClientError`` whose text names the hyperparameter, e.g.
``Hyperparameter eta: value 1.5 not in range [0, 1]``.

Keys starting with ``_`` (``_tuning_objective_metric``) or ``sagemaker_`` are reserved
for the service and ignored. Integers accept ``"5"`` and also integral decimals such as
``"5.0"`` (a static value typed by hand); numbers must be finite ASCII decimals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import attrs

from sagetune.simulator.algorithms.errors import HyperparameterError
from sagetune.simulator.algorithms.spec import HyperParameterSpec

__all__ = ["ParsedHyperparameters", "parse_hyperparameters"]

_RESERVED_PREFIXES = ("_", "sagemaker_")


@attrs.frozen(kw_only=True)
class ParsedHyperparameters:
    """Typed hyperparameter values, looked up by name."""

    values: Mapping[str, float | int | str]

    def real(self, name: str) -> float:
        value = self.values[name]
        assert not isinstance(value, str), name
        return float(value)

    def integer(self, name: str) -> int:
        value = self.values[name]
        assert isinstance(value, int), name
        return value

    def choice(self, name: str) -> str:
        value = self.values[name]
        assert isinstance(value, str), name
        return value


def _parse_real(name: str, text: str) -> float:
    stripped = text.strip()
    try:
        if not stripped.isascii() or "_" in stripped:
            raise ValueError(text)
        value = float(stripped)
    except ValueError:
        raise HyperparameterError(
            f"Hyperparameter {name}: could not parse value {text!r} as a number"
        ) from None
    if not math.isfinite(value):
        raise HyperparameterError(f"Hyperparameter {name}: value {text!r} is not finite")
    return value


def _parse_integer(name: str, text: str) -> int:
    value = _parse_real(name, text)
    if value != int(value):
        raise HyperparameterError(
            f"Hyperparameter {name}: could not parse value {text!r} as an integer"
        )
    return int(value)


def _format_range(spec: HyperParameterSpec) -> str:
    opening = "(" if spec.min_exclusive else "["
    return f"{opening}{spec.accepted_min}, {spec.accepted_max}]"


def _parse_one(spec: HyperParameterSpec, text: str) -> float | int | str:
    if spec.kind == "Categorical":
        value = text.strip()
        if value not in spec.values:
            allowed = ", ".join(spec.values)
            raise HyperparameterError(
                f"Hyperparameter {spec.name}: value {text!r} not in [{allowed}]"
            )
        return value
    if spec.kind == "Static":
        return text
    number: float | int = (
        _parse_integer(spec.name, text) if spec.kind == "Integer" else _parse_real(spec.name, text)
    )
    low, high = spec.accepted_min, spec.accepted_max
    assert low is not None
    assert high is not None
    too_low = number <= float(low) if spec.min_exclusive else number < float(low)
    if too_low or number > float(high):
        raise HyperparameterError(
            f"Hyperparameter {spec.name}: value {text.strip()} not in range {_format_range(spec)}"
        )
    return number


def parse_hyperparameters(
    raw: Mapping[str, str], specs: Sequence[HyperParameterSpec]
) -> ParsedHyperparameters:
    """Check ``raw`` against ``specs`` and return typed values (defaults filled in).

    Raises HyperparameterError for the first problem found: any unknown name first, then
    a missing required value or a bad value, in the order of ``specs``.
    """
    by_name = {spec.name: spec for spec in specs}
    for name in raw:
        if name not in by_name and not name.startswith(_RESERVED_PREFIXES):
            known = ", ".join(sorted(by_name))
            raise HyperparameterError(
                f"Extraneous hyperparameter found: {name} (this algorithm accepts: {known})"
            )
    values: dict[str, float | int | str] = {}
    for spec in specs:
        text = raw.get(spec.name)
        if text is None:
            if spec.default is None:
                if spec.required:
                    raise HyperparameterError(f"Missing required hyperparameter: {spec.name}")
                continue
            text = spec.default
        if not isinstance(text, str):
            raise HyperparameterError(
                f"Hyperparameter {spec.name}: value must be a string, got {type(text).__name__}"
            )
        values[spec.name] = _parse_one(spec, text)
    return ParsedHyperparameters(values=values)
