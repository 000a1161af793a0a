"""The search space: typed dimensions, their scaling, and the unit-cube / feature encodings.

Every strategy speaks two coordinate systems besides the service's strings:

* the **unit cube**: one coordinate in [0, 1] per dimension. Drawing a point uniformly in the
  cube and decoding it gives exactly the distribution the dimension's scaling asks for
  (``Logarithmic``: uniform in log; ``ReverseLogarithmic``: ``1 - x`` log-uniform), so random
  search, Sobol designs and acquisition optimizers all share one decoder;
* **features** for the Gaussian process: numeric dimensions keep their (scaled) unit
  coordinate, categorical dimensions become their value's index (the kernel compares indices
  for equality only, never by order).

Integers live on the unit cube through the half-open bins ``[low - 0.5, high + 0.5]``, so
every integer gets the share of the cube its scaling gives it and ``round`` decodes.

``Auto`` scaling is resolved once, statically: ``Logarithmic`` when the range is positive and
spans at least three decades (``high / low >= 1000``), else ``Linear``. The service says Auto
"starts linear"; a range such as 1e-5..1e-1 searched linearly would put 99.99% of the draws
above 1e-4, which no user asking for Auto wants. ``ReverseLogarithmic`` is never chosen
automatically.

Values are rendered as the service passes them: integers as ``str(int)``, continuous values as
Python's shortest round-tripping float text (``repr``), categoricals verbatim.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

Scaling = Literal["Linear", "Logarithmic", "ReverseLogarithmic", "Auto"]
ResolvedScaling = Literal["Linear", "Logarithmic", "ReverseLogarithmic"]
FloatArray: TypeAlias = npt.NDArray[np.float64]

AUTO_LOG_MIN_RATIO = 1000.0
"""``Auto`` picks ``Logarithmic`` when ``low > 0`` and ``high / low`` reaches this ratio."""


def _finite(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{attribute.name} must be a finite number, got {value!r}")


def _check_numeric_range(
    name: str, low: float, high: float, scaling: Scaling, *, integer: bool
) -> None:
    if low > high:
        raise ValueError(f"dimension {name!r}: low ({low}) must not exceed high ({high})")
    if scaling == "Logarithmic" and low <= 0:
        raise ValueError(f"dimension {name!r}: Logarithmic scaling needs low > 0, got {low}")
    if scaling == "ReverseLogarithmic":
        if integer:
            raise ValueError(
                f"dimension {name!r}: ReverseLogarithmic scaling is for continuous ranges only"
            )
        if not (low >= 0 and high < 1):
            raise ValueError(
                f"dimension {name!r}: ReverseLogarithmic scaling needs 0 <= low <= high < 1, "
                f"got [{low}, {high}]"
            )


@attrs.frozen(kw_only=True)
class ContinuousDim:
    """A real-valued hyperparameter searched in ``[low, high]``."""

    name: str
    low: float = attrs.field(converter=float, validator=_finite)
    high: float = attrs.field(converter=float, validator=_finite)
    scaling: Scaling = "Auto"

    def __attrs_post_init__(self) -> None:
        _check_numeric_range(self.name, self.low, self.high, self.scaling, integer=False)


@attrs.frozen(kw_only=True)
class IntegerDim:
    """An integer hyperparameter searched in ``[low, high]`` (both included)."""

    name: str
    low: int
    high: int
    scaling: Scaling = "Auto"

    def __attrs_post_init__(self) -> None:
        _check_numeric_range(self.name, self.low, self.high, self.scaling, integer=True)


@attrs.frozen(kw_only=True)
class CategoricalDim:
    """An unordered choice among string values."""

    name: str
    values: tuple[str, ...]

    def __attrs_post_init__(self) -> None:
        if not self.values:
            raise ValueError(f"dimension {self.name!r}: a categorical needs at least one value")
        if len(set(self.values)) != len(self.values):
            raise ValueError(f"dimension {self.name!r}: categorical values must be distinct")


Dim: TypeAlias = ContinuousDim | IntegerDim | CategoricalDim


def resolve_scaling(dim: ContinuousDim | IntegerDim) -> ResolvedScaling:
    """The scaling a numeric dimension is searched with (``Auto`` resolved, see module doc)."""
    if dim.scaling != "Auto":
        return dim.scaling
    if dim.low > 0 and dim.high / dim.low >= AUTO_LOG_MIN_RATIO:
        return "Logarithmic"
    return "Linear"


@attrs.frozen
class _Warp:
    """Monotone map between a numeric dimension's values and its unit coordinate."""

    scaling: ResolvedScaling
    low: float
    high: float

    def _ends(self) -> tuple[float, float]:
        if self.scaling == "Logarithmic":
            return math.log(self.low), math.log(self.high)
        if self.scaling == "ReverseLogarithmic":
            return math.log1p(-self.low), math.log1p(-self.high)
        return self.low, self.high

    def to_unit(self, values: FloatArray) -> FloatArray:
        a, b = self._ends()
        if a == b:
            return np.full_like(values, 0.5)
        if self.scaling == "Logarithmic":
            t = np.log(values)
        elif self.scaling == "ReverseLogarithmic":
            t = np.log1p(-values)
        else:
            t = values
        out: FloatArray = (t - a) / (b - a)
        return out

    def from_unit(self, unit: FloatArray) -> FloatArray:
        a, b = self._ends()
        t = a + np.clip(unit, 0.0, 1.0) * (b - a)
        if self.scaling == "Logarithmic":
            values = np.exp(t)
        elif self.scaling == "ReverseLogarithmic":
            values = -np.expm1(t)
        else:
            values = t
        clipped: FloatArray = np.clip(values, self.low, self.high)
        return clipped


def _warp(dim: ContinuousDim | IntegerDim) -> _Warp:
    scaling = resolve_scaling(dim)
    if isinstance(dim, IntegerDim):
        return _Warp(scaling, dim.low - 0.5, dim.high + 0.5)
    return _Warp(scaling, dim.low, dim.high)


def format_float(value: float) -> str:
    """Shortest text that parses back to the same float (how continuous values are passed)."""
    return repr(float(value))


def _parse_float(text: str | None) -> float:
    if text is None:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


class ParamError(ValueError):
    """A configuration that cannot be placed in this search space (unknown value, bad text)."""


@attrs.frozen(kw_only=True)
class SearchSpace:
    """An ordered set of dimensions; the order fixes feature columns and grid order."""

    dims: tuple[Dim, ...]
    _warps: tuple[_Warp | None, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        names = [d.name for d in self.dims]
        if len(set(names)) != len(names):
            raise ValueError(f"dimension names must be distinct, got {names}")
        warps = tuple(None if isinstance(d, CategoricalDim) else _warp(d) for d in self.dims)
        object.__setattr__(self, "_warps", warps)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dims)

    @property
    def categorical_mask(self) -> npt.NDArray[np.bool_]:
        """True for feature columns that hold a categorical index."""
        return np.array([isinstance(d, CategoricalDim) for d in self.dims], dtype=bool)

    def values_to_unit(self, index: int, values: FloatArray) -> FloatArray:
        """Unit coordinates of numeric values of dimension ``index`` (scaling applied)."""
        warp = self._warps[index]
        if warp is None:
            raise ValueError(f"dimension {self.dims[index].name!r} is categorical")
        return warp.to_unit(np.asarray(values, dtype=np.float64))

    def unit_to_features(self, unit: FloatArray) -> FloatArray:
        """Map unit-cube points ``(m, d)`` to features, snapping integers and categoricals."""
        unit = np.atleast_2d(np.asarray(unit, dtype=np.float64))
        out = np.empty_like(unit)
        for j, (dim, warp) in enumerate(zip(self.dims, self._warps, strict=True)):
            col = unit[:, j]
            if isinstance(dim, CategoricalDim):
                k = len(dim.values)
                out[:, j] = np.minimum(np.floor(np.clip(col, 0.0, 1.0) * k), k - 1)
            elif isinstance(dim, IntegerDim):
                assert warp is not None
                ints = np.clip(np.floor(warp.from_unit(col) + 0.5), dim.low, dim.high)
                out[:, j] = warp.to_unit(ints)
            else:
                out[:, j] = np.clip(col, 0.0, 1.0)
        return out

    def snap_features(self, features: FloatArray) -> FloatArray:
        """Round a relaxed feature matrix onto valid configurations (inside the box)."""
        feats = np.atleast_2d(np.asarray(features, dtype=np.float64))
        out = feats.copy()
        for j, dim in enumerate(self.dims):
            if isinstance(dim, CategoricalDim):
                out[:, j] = np.clip(np.round(feats[:, j]), 0, len(dim.values) - 1)
        numeric = ~self.categorical_mask
        unit = feats.copy()
        unit[:, numeric] = np.clip(feats[:, numeric], 0.0, 1.0)
        snapped = self.unit_to_features(unit)
        out[:, numeric] = snapped[:, numeric]
        return out

    def encode(self, params: Mapping[str, str]) -> FloatArray:
        """Features of one configuration given as the service's strings.

        Numeric values outside the range are kept (their unit coordinate falls outside
        [0, 1]); a missing name, unparsable text or unknown categorical raises ``ParamError``.
        """
        out = np.empty(len(self.dims), dtype=np.float64)
        for j, (dim, warp) in enumerate(zip(self.dims, self._warps, strict=True)):
            if dim.name not in params:
                raise ParamError(f"missing hyperparameter {dim.name!r}")
            text = params[dim.name]
            if isinstance(dim, CategoricalDim):
                try:
                    out[j] = dim.values.index(text)
                except ValueError:
                    raise ParamError(f"{dim.name}={text!r} is not one of {dim.values}") from None
                continue
            assert warp is not None
            try:
                value = float(text)
            except ValueError:
                raise ParamError(f"{dim.name}={text!r} is not a number") from None
            if isinstance(dim, IntegerDim):
                value = float(math.floor(value + 0.5))
            if not math.isfinite(value) or (
                (warp.scaling == "Logarithmic" and value <= 0)
                or (warp.scaling == "ReverseLogarithmic" and value >= 1)
            ):
                raise ParamError(f"{dim.name}={text!r} cannot be placed on its scale")
            out[j] = warp.to_unit(np.array([value]))[0]
        return out

    def encode_many(
        self, configs: Sequence[Mapping[str, str]]
    ) -> tuple[FloatArray, npt.NDArray[np.intp]]:
        """Features of many configurations at once, and the indices of those that could be
        placed (the rows ``encode`` would not reject), in order."""
        n = len(configs)
        out = np.zeros((n, len(self.dims)), dtype=np.float64)
        ok = np.ones(n, dtype=bool)
        for j, (dim, warp) in enumerate(zip(self.dims, self._warps, strict=True)):
            if isinstance(dim, CategoricalDim):
                index = {value: i for i, value in enumerate(dim.values)}
                for i, params in enumerate(configs):
                    code = index.get(params.get(dim.name, ""), -1)
                    out[i, j] = code
                    ok[i] &= code >= 0
                continue
            assert warp is not None
            raw = np.array([_parse_float(params.get(dim.name)) for params in configs])
            if isinstance(dim, IntegerDim):
                raw = np.floor(raw + 0.5)
            valid = np.isfinite(raw)
            if warp.scaling == "Logarithmic":
                valid &= raw > 0
            elif warp.scaling == "ReverseLogarithmic":
                valid &= raw < 1
            ok &= valid
            raw[~valid] = dim.low
            out[:, j] = warp.to_unit(raw)
        kept = np.flatnonzero(ok)
        return out[kept], kept

    def decode(self, features: FloatArray) -> dict[str, str]:
        """The service's strings for one feature vector (clipped into the box)."""
        feats = np.asarray(features, dtype=np.float64).reshape(-1)
        params: dict[str, str] = {}
        for j, (dim, warp) in enumerate(zip(self.dims, self._warps, strict=True)):
            if isinstance(dim, CategoricalDim):
                index = int(np.clip(np.round(feats[j]), 0, len(dim.values) - 1))
                params[dim.name] = dim.values[index]
                continue
            assert warp is not None
            value = float(warp.from_unit(np.array([feats[j]]))[0])
            if isinstance(dim, IntegerDim):
                params[dim.name] = str(int(min(max(math.floor(value + 0.5), dim.low), dim.high)))
            else:
                params[dim.name] = format_float(value)
        return params

    def decode_unit(self, unit: FloatArray) -> dict[str, str]:
        """The configuration at one unit-cube point (how random draws become parameters)."""
        return self.decode(self.unit_to_features(unit)[0])
