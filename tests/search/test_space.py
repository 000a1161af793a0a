"""Search space: scaling, validation, encoding and the service's value formatting."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sagetune.simulator.search import (
    CategoricalDim,
    ContinuousDim,
    IntegerDim,
    ParamError,
    SearchSpace,
    format_float,
    resolve_scaling,
)


def test_auto_scaling_picks_log_for_three_positive_decades_else_linear() -> None:
    assert resolve_scaling(ContinuousDim(name="lr", low=1e-4, high=1e-1)) == "Logarithmic"
    assert resolve_scaling(ContinuousDim(name="lr", low=1e-3, high=0.5)) == "Linear"
    assert resolve_scaling(ContinuousDim(name="m", low=0.0, high=1e6)) == "Linear"
    assert resolve_scaling(IntegerDim(name="n", low=1, high=1000)) == "Logarithmic"
    assert resolve_scaling(IntegerDim(name="n", low=1, high=999)) == "Linear"
    explicit = ContinuousDim(name="x", low=1e-4, high=1e-1, scaling="Linear")
    assert resolve_scaling(explicit) == "Linear"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ContinuousDim(name="x", low=2.0, high=1.0), "must not exceed"),
        (lambda: ContinuousDim(name="x", low=0.0, high=1.0, scaling="Logarithmic"), "low > 0"),
        (
            lambda: ContinuousDim(name="x", low=0.5, high=1.0, scaling="ReverseLogarithmic"),
            "high < 1",
        ),
        (
            lambda: IntegerDim(name="n", low=0, high=5, scaling="ReverseLogarithmic"),
            "continuous ranges only",
        ),
        (lambda: ContinuousDim(name="x", low=math.nan, high=1.0), "finite"),
        (lambda: CategoricalDim(name="c", values=()), "at least one value"),
        (lambda: CategoricalDim(name="c", values=("a", "a")), "distinct"),
        (
            lambda: SearchSpace(
                dims=(CategoricalDim(name="c", values=("a",)), IntegerDim(name="c", low=1, high=2))
            ),
            "distinct",
        ),
    ],
)
def test_invalid_dimensions_are_rejected_with_a_reason(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


def test_values_are_formatted_as_the_service_passes_them(mixed_space: SearchSpace) -> None:
    params = mixed_space.decode(np.array([1.0, 1.0, 2.0]))
    assert params == {"lr": "0.1", "layers": "8", "optimizer": "rmsprop"}
    assert format_float(1e-5) == "1e-05"
    assert float(format_float(0.1 + 0.2)) == 0.1 + 0.2


def test_log_scale_maps_geometric_midpoint_to_the_middle() -> None:
    space = SearchSpace(dims=(ContinuousDim(name="lr", low=1e-4, high=1.0),))
    assert space.encode({"lr": "0.01"})[0] == pytest.approx(0.5)
    assert float(space.decode(np.array([0.25]))["lr"]) == pytest.approx(1e-3)


def test_reverse_log_scale_spreads_values_towards_one() -> None:
    space = SearchSpace(
        dims=(ContinuousDim(name="beta", low=0.0, high=0.999, scaling="ReverseLogarithmic"),)
    )
    # 1 - beta is log-uniform in [0.001, 1]: the middle of the cube is 1 - sqrt(0.001).
    assert float(space.decode(np.array([0.5]))["beta"]) == pytest.approx(1 - math.sqrt(0.001))
    assert space.encode({"beta": "0.9"})[0] == pytest.approx(1 / 3)


def test_encode_rejects_what_cannot_be_placed(mixed_space: SearchSpace) -> None:
    good = {"lr": "0.01", "layers": "3", "optimizer": "adam"}
    with pytest.raises(ParamError, match="not one of"):
        mixed_space.encode({**good, "optimizer": "adagrad"})
    with pytest.raises(ParamError, match="missing"):
        mixed_space.encode({"lr": "0.01", "layers": "3"})
    with pytest.raises(ParamError, match="not a number"):
        mixed_space.encode({**good, "lr": "fast"})
    with pytest.raises(ParamError, match="scale"):
        mixed_space.encode({**good, "lr": "-1"})


def test_out_of_range_numbers_encode_outside_the_unit_box(mixed_space: SearchSpace) -> None:
    features = mixed_space.encode({"lr": "1.0", "layers": "12", "optimizer": "sgd"})
    assert features[0] == pytest.approx(1.25)  # one decade above a four-decade range
    assert features[1] > 1.0


def test_encode_many_matches_encode_and_drops_unplaceable_rows(mixed_space: SearchSpace) -> None:
    configs = [
        {"lr": "0.001", "layers": "2", "optimizer": "sgd"},
        {"lr": "0.001", "layers": "2", "optimizer": "nope"},
        {"lr": "0.05", "layers": "7", "optimizer": "rmsprop"},
        {"layers": "7", "optimizer": "rmsprop"},
    ]
    x, kept = mixed_space.encode_many(configs)
    assert kept.tolist() == [0, 2]
    np.testing.assert_array_equal(x[0], mixed_space.encode(configs[0]))
    np.testing.assert_array_equal(x[1], mixed_space.encode(configs[2]))


units = st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3)


@settings(max_examples=200, deadline=None)
@given(unit=units)
def test_decode_then_encode_round_trips_configurations(unit: list[float]) -> None:
    space = SearchSpace(
        dims=(
            ContinuousDim(name="lr", low=1e-5, high=1e-1),
            IntegerDim(name="n", low=-3, high=40),
            CategoricalDim(name="c", values=("x", "y", "z", "w")),
        )
    )
    params = space.decode_unit(np.array(unit))
    again = space.decode(space.encode(params))
    assert {k: again[k] for k in ("n", "c")} == {k: params[k] for k in ("n", "c")}
    assert float(again["lr"]) == pytest.approx(float(params["lr"]), rel=1e-12)
    assert 1e-5 <= float(params["lr"]) <= 1e-1
    assert -3 <= int(params["n"]) <= 40
    assert params["c"] in ("x", "y", "z", "w")
