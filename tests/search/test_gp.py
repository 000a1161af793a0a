"""GP surrogate and log expected improvement: numerics that the Bayesian strategy relies on."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import special

from sagetune.simulator.search import GaussianProcess, fit_gp, log_expected_improvement
from sagetune.simulator.search.gp import log_ei_and_grad, log_h

NO_CATEGORICALS = np.zeros(2, dtype=bool)


def _direct_log_ei(mean: np.ndarray, sd: np.ndarray, best: float) -> np.ndarray:
    z = (best - mean) / sd
    ei = sd * (np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) + z * special.ndtr(z))
    out: np.ndarray = np.log(ei)
    return out


def test_log_ei_equals_log_of_ei_where_ei_is_representable() -> None:
    z = np.linspace(-5.0, 25.0, 601)
    for sd in (1e-3, 1.0, 250.0):
        mean = 1.0 - z * sd
        np.testing.assert_allclose(
            log_expected_improvement(mean, np.full_like(z, sd), 1.0),
            _direct_log_ei(mean, np.full_like(z, sd), 1.0),
            rtol=1e-10,
            atol=1e-12,
        )


@pytest.mark.parametrize("z", [-8.0, -20.0, -40.0, -300.0, -1e4])
def test_log_h_matches_the_asymptotic_series_in_the_left_tail(z: float) -> None:
    # h(z) = phi(z) / z^2 * (1 - 3/z^2 + 15/z^4 - 105/z^6 + 945/z^8 - 10395/z^10 ...)
    series = 1 - 3 / z**2 + 15 / z**4 - 105 / z**6 + 945 / z**8 - 10395 / z**10
    expected = -0.5 * z * z - 0.5 * math.log(2 * math.pi) - 2 * math.log(-z) + math.log(series)
    tolerance = 1e-9 if z <= -20 else 1e-5  # the truncated series itself is the limit at -8
    assert log_h(np.array([z]))[0] == pytest.approx(expected, rel=tolerance)


def test_log_ei_is_finite_and_monotone_far_into_the_tail() -> None:
    z = -np.logspace(0, 150, 400)[::-1]  # -1e150 ... -1, increasing
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = log_expected_improvement(-z, np.ones_like(z), 0.0)
    assert np.all(np.isfinite(values))
    assert np.all(np.diff(values) > 0)
    assert math.exp(log_expected_improvement(np.array([40.0]), np.array([1.0]), 0.0)[0]) == 0.0
    assert values[0] < -1e299  # EI underflows long before; its logarithm does not


def test_log_h_is_continuous_across_its_branches() -> None:
    for edge in (-1.0, -1e4):
        left, right = log_h(np.array([np.nextafter(edge, -np.inf), np.nextafter(edge, np.inf)]))
        assert left == pytest.approx(right, rel=1e-12, abs=1e-12)
    # Within the middle branch, right up to the seam, the value stays finite and ordered.
    z = -np.logspace(0, 4, 2000)[::-1]
    values = log_h(z)
    assert np.all(np.isfinite(values))
    assert np.all(np.diff(values) > 0)


def test_log_ei_gradient_matches_finite_differences() -> None:
    mean = np.array([0.3, -2.0, 5.0, 40.0])
    var = np.array([0.5, 2.0, 0.01, 1.0])
    value, d_mean, d_var = log_ei_and_grad(mean, var, 0.1)
    step = 1e-6
    num_mean = (log_ei_and_grad(mean + step, var, 0.1)[0] - value) / step
    num_var = (log_ei_and_grad(mean, var + step, 0.1)[0] - value) / step
    np.testing.assert_allclose(d_mean, num_mean, rtol=1e-4)
    np.testing.assert_allclose(d_var, num_var, rtol=1e-3)


def _smooth(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.sin(6 * x[:, 0]) + 0.5 * np.cos(4 * x[:, 1])
    return out


def test_gp_posterior_interpolates_noiseless_data() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((25, 2))
    y = _smooth(x)
    model = fit_gp(x, y, NO_CATEGORICALS)
    mean, var = model.predict(x)
    np.testing.assert_allclose(mean, y, atol=2e-3 * np.ptp(y))
    assert model.params.noise_var < 1e-3
    _, far_var = model.predict(np.array([[3.0, 3.0]]))
    assert np.max(var) < 1e-2 * far_var[0]


def test_gp_learns_that_an_irrelevant_dimension_does_not_matter() -> None:
    rng = np.random.default_rng(1)
    x = rng.random((30, 2))
    model = fit_gp(x, np.sin(6 * x[:, 0]), NO_CATEGORICALS)
    short, long = model.params.lengthscales
    assert long > 10 * short


def test_gp_gradients_match_finite_differences() -> None:
    rng = np.random.default_rng(2)
    x = np.column_stack([rng.random((20, 2)), rng.integers(0, 3, 20)])
    is_cat = np.array([False, False, True])
    y = _smooth(x) + 0.4 * x[:, 2]
    model = fit_gp(x, y, is_cat)
    probe = np.array([[0.3, 0.6, 1.0], [0.9, 0.1, 2.0]])
    mean, var, g_mean, g_var = model.predict_with_gradient(probe)
    step = 1e-6
    for j in (0, 1):
        moved = probe.copy()
        moved[:, j] += step
        m2, v2 = model.predict_standardized(moved)
        np.testing.assert_allclose(g_mean[:, j], (m2 - mean) / step, rtol=1e-3, atol=1e-5)
        np.testing.assert_allclose(g_var[:, j], (v2 - var) / step, rtol=1e-3, atol=1e-5)
    assert np.all(g_mean[:, 2] == 0.0)


def test_categorical_kernel_ignores_the_order_of_category_codes() -> None:
    rng = np.random.default_rng(3)
    x = np.column_stack([rng.random(18), rng.integers(0, 3, 18)])
    is_cat = np.array([False, True])
    y = np.sin(5 * x[:, 0]) + np.array([0.0, 2.0, 0.1])[x[:, 1].astype(int)]
    relabel = np.array([2.0, 0.0, 1.0])  # any permutation of codes
    x_relabelled = x.copy()
    x_relabelled[:, 1] = relabel[x[:, 1].astype(int)]
    probe = np.array([[0.5, 0.0], [0.5, 1.0], [0.5, 2.0]])
    probe_relabelled = probe.copy()
    probe_relabelled[:, 1] = relabel[probe[:, 1].astype(int)]
    mean, var = fit_gp(x, y, is_cat).predict(probe)
    mean2, var2 = fit_gp(x_relabelled, y, is_cat).predict(probe_relabelled)
    np.testing.assert_allclose(mean, mean2, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(var, var2, rtol=1e-6, atol=1e-10)


def test_kriging_believer_keeps_the_mean_and_collapses_variance_at_pending_points() -> None:
    rng = np.random.default_rng(4)
    x = rng.random((15, 2))
    model = fit_gp(x, _smooth(x), NO_CATEGORICALS)
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 21), np.linspace(0, 1, 21)), -1).reshape(-1, 2)
    mean, var = model.predict(grid)
    pending = grid[[int(np.argmax(var))]]  # the most uncertain point: where a job would go
    believed = model.with_believed(pending)
    mean2, var2 = believed.predict(grid)
    np.testing.assert_allclose(mean2, mean, rtol=1e-6, atol=1e-8)
    at_pending = int(np.argmax(var))
    assert var2[at_pending] < 1e-2 * var[at_pending]
    assert np.all(var2 <= var + 1e-12)


def test_believed_model_equals_a_model_built_with_the_pseudo_observations() -> None:
    rng = np.random.default_rng(5)
    x = rng.random((20, 2))
    model = fit_gp(x, _smooth(x), NO_CATEGORICALS)
    pending = rng.random((3, 2))
    believed = model.with_believed(pending)
    mean_at_pending, _ = model.predict_standardized(pending)
    rebuilt = GaussianProcess.build(
        np.vstack([x, pending]),
        np.concatenate([model.y, mean_at_pending]),
        NO_CATEGORICALS,
        model.params,
        np.concatenate([model.noise_diag, np.full(3, model.params.noise_var)]),
        y_mean=model.y_mean,
        y_scale=model.y_scale,
    )
    probe = rng.random((50, 2))
    for got, want in zip(believed.predict(probe), rebuilt.predict(probe), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)
