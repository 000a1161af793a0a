"""Gaussian-process surrogate and the log expected improvement it is searched with.

Model
    ``f ~ GP(0, s2 * Matern52(r))`` on standardized outputs, observed with Gaussian noise.
    The squared distance mixes both kinds of feature column::

        r^2 = sum_numeric ((x_j - x'_j) / l_j)^2  +  sum_categorical [c_j != c'_j] / l_j^2

    Categoricals enter as a Hamming (mismatch) term with one length scale per dimension:
    categories are unordered, so only "same or different" may matter; it is the same kernel
    as one-hot encoding with a length scale shared by the dimension's one-hot columns, but it
    needs no relaxation between categories and keeps one hyperparameter per dimension however
    many values the dimension has (which keeps the fit cheap and well posed).

Fit
    Hyperparameters ``theta = (log l_1..l_d, log s2, log noise[, log tau2])`` maximize the log
    marginal likelihood plus log priors (MAP), by L-BFGS-B with analytic gradients inside
    bounds. Three fixed starting points are scored and the best is refined; up to 50 fitted
    points the runner-up is refined too (small data is where the likelihood is most
    multimodal; beyond, a second run cost 40% of the fit and never changed a Branin or
    Hartmann-6 result in our runs). Iterations are capped at 25. Priors on
    features in [0, 1]: ``log l ~ N(log 0.3 + max(0, log(d / 6)) / 2, 1)`` - median 0.3 up
    to six dimensions, growing like ``sqrt(d)`` beyond as in Hvarfner et al. 2024 so that
    high-dimensional fits stay smooth (their prior as such, median ~10 at d = 6, made our
    Hartmann-6 runs clearly worse); ``log s2 ~ N(0, 1)``; ``log noise ~ N(-8, 2.5)``
    (wide: a tighter N(-4, 1) kept noiseless objectives from being interpolated and left
    Branin runs stuck on a boundary).
    ``tau2`` is an extra noise variance on observations marked as "auxiliary"
    (transfer-learning parents), fitted with ``log tau2 ~ N(log 0.3, 1)``.
    With many observations the hyperparameters are fitted on a deterministic subset (the best
    quarter plus an even spread of the rest), then the posterior uses every observation; this
    keeps a suggestion within its latency budget at 750 observations.

Acquisition
    ``log_expected_improvement`` follows Ament et al. 2023 ("Unexpected improvements to
    expected improvement"): ``log EI = log sd + log h(z)``, ``h(z) = phi(z) + z Phi(z)``,
    with ``log h`` evaluated through ``erfcx`` and ``log1mexp`` in the left tail and its
    asymptotic series ``-z^2/2 - log(2 pi)/2 - 2 log|z| + log(1 - 3/z^2 + 15/z^4)`` beyond
    ``z = -1e4``, so it stays finite (and has a useful gradient) where EI underflows to 0.

Cost
    Kernel matrices are where the time goes at hundreds of observations: distances come
    from ``scipy.spatial.distance.cdist`` (exact differences, 5x faster than the
    ``|a|^2 + |b|^2 - 2 a.b`` expansion for a handful of columns), ``exp(-t)`` is computed as
    ``exp2(-t log2 e)`` (numpy has a vectorized float64 ``exp`` only with AVX-512; ``exp2``
    is 2-3x faster without it and within a few ulps), and Cholesky factors are kept in the
    Fortran order LAPACK uses, so that the many small solves of the acquisition refinement
    do not copy an ``n x n`` factor each time (7-14x slower at n = 760).

Everything is deterministic: no randomness is used at all.
"""

from __future__ import annotations

import math

import attrs
import numpy as np
import numpy.typing as npt
from scipy import linalg, optimize, special
from scipy.linalg import lapack
from scipy.spatial import distance

from .space import FloatArray

BoolArray = npt.NDArray[np.bool_]

_SQRT5 = math.sqrt(5.0)
_LOG2_E = 1.0 / math.log(2.0)
_LOG_2PI = math.log(2.0 * math.pi)
_C1 = 0.5 * _LOG_2PI
_C2 = 0.5 * math.log(math.pi / 2.0)
_TAIL_Z = -1e4  # ~ (3 / eps) ** 0.25: where cancellation and series errors cross

LOG_LENGTHSCALE_BOUNDS = (math.log(5e-3), math.log(1e2))
LOG_SIGNAL_BOUNDS = (math.log(1e-2), math.log(1e2))
LOG_NOISE_BOUNDS = (math.log(1e-6), math.log(1.0))
LOG_TAU_BOUNDS = (math.log(1e-2), math.log(10.0))
LENGTHSCALE_PRIOR_MEDIAN = 0.3
MAX_FIT_POINTS = 100
FIT_MAXITER = 25
FIT_RESTARTS_SMALL = 2  # L-BFGS-B runs up to SMALL_FIT observations, 1 beyond
SMALL_FIT = 50
_JITTER = 1e-9


# --------------------------------------------------------------------------- log EI


def _log1mexp(x: FloatArray) -> FloatArray:
    """``log(1 - exp(x))`` for ``x < 0``, accurate at both ends (Maechler 2012)."""
    out = np.empty_like(x)
    near = x > -math.log(2.0)
    out[near] = np.log(-np.expm1(x[near]))
    out[~near] = np.log1p(-np.exp(x[~near]))
    return out


def log_h(z: FloatArray) -> FloatArray:
    """``log(phi(z) + z * Phi(z))``, stable for every finite ``z`` (Ament et al. 2023, eq. 9).

    The paper switches to the asymptote at ``-1/sqrt(eps)``, where its middle branch already
    rounds ``1 - |z| Phi / phi`` to zero or below; we switch at ``z = -1e4`` and keep two
    more terms of the series ``h = phi / z^2 * (1 - 3/z^2 + 15/z^4 - ...)``, so both branches
    are accurate to ~1e-8 relative in ``h`` at the seam and the tail is exact to rounding.
    """
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    upper = z > -1.0
    tail = z <= _TAIL_Z
    middle = ~upper & ~tail
    with np.errstate(over="ignore", under="ignore"):
        zu = z[upper]
        out[upper] = np.log(np.exp(-0.5 * zu * zu) / math.sqrt(2 * math.pi) + zu * special.ndtr(zu))
        zm = z[middle]
        inner = np.log(special.erfcx(-zm / math.sqrt(2.0)) * np.abs(zm)) + _C2
        out[middle] = -0.5 * zm * zm - _C1 + _log1mexp(inner)
        zt = z[tail]
        inv2 = 1.0 / (zt * zt)
        out[tail] = (
            -0.5 * zt * zt - _C1 - 2.0 * np.log(np.abs(zt)) + np.log1p(inv2 * (15.0 * inv2 - 3.0))
        )
    return out


def _dlog_h(z: FloatArray, logh: FloatArray) -> FloatArray:
    """``d log h / dz = Phi(z) / h(z)``, computed in log space."""
    ratio: FloatArray = np.exp(special.log_ndtr(z) - logh)
    return ratio


def log_expected_improvement(mean: FloatArray, sd: FloatArray, best: float) -> FloatArray:
    """log EI of improving below ``best`` (minimization) for Gaussian predictions."""
    sd = np.maximum(np.asarray(sd, dtype=np.float64), 1e-300)
    z = (best - np.asarray(mean, dtype=np.float64)) / sd
    out: FloatArray = np.log(sd) + log_h(z)
    return out


def log_ei_and_grad(
    mean: FloatArray, var: FloatArray, best: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """log EI and its derivatives with respect to the predictive mean and variance."""
    var = np.maximum(var, 1e-300)
    sd = np.sqrt(var)
    z = (best - mean) / sd
    logh = log_h(z)
    rho = _dlog_h(z, logh)
    d_mean = -rho / sd
    d_sd = (1.0 - z * rho) / sd
    return np.log(sd) + logh, d_mean, d_sd / (2.0 * sd)


# --------------------------------------------------------------------------- kernel


def _neg_exp(t: FloatArray) -> FloatArray:
    """``exp(-t)`` as ``exp2(-t log2 e)``: 2-3x faster where numpy has no SIMD ``exp`` for
    float64 (CPUs without AVX-512), and within a few ulps of it for the ``t`` a kernel sees.
    """
    out: FloatArray = np.multiply(t, -_LOG2_E)
    np.exp2(out, out=out)
    return out


def _matern52(r2: FloatArray) -> FloatArray:
    """Matérn 5/2 correlation of squared distances (in place where possible: large inputs)."""
    r = np.sqrt(r2)
    r *= _SQRT5
    out = _neg_exp(r)
    r += 1.0
    r += (5.0 / 3.0) * r2
    out *= r
    return out


def _matern52_dr2(r2: FloatArray) -> FloatArray:
    """Derivative of the Matérn 5/2 correlation with respect to ``r^2`` (finite at 0)."""
    r = np.sqrt(r2)
    out: FloatArray = -(5.0 / 6.0) * (1.0 + _SQRT5 * r) * _neg_exp(_SQRT5 * r)
    return out


def _sqdist(
    a: FloatArray, b: FloatArray, lengthscales: FloatArray, is_cat: BoolArray
) -> FloatArray:
    """Scaled squared distances ``r^2`` between rows of ``a`` and ``b`` (see module doc).

    Numeric columns go through ``cdist``: exact differences (no cancellation, unlike the
    ``|a|^2 + |b|^2 - 2 a.b`` expansion) and about 5x faster for the few columns we have.
    """
    num = ~is_cat
    if num.any():
        scale = lengthscales[num]
        r2: FloatArray = distance.cdist(a[:, num] / scale, b[:, num] / scale, "sqeuclidean")
    else:
        r2 = np.zeros((a.shape[0], b.shape[0]))
    for j in np.flatnonzero(is_cat):
        r2 += (a[:, j][:, None] != b[:, j][None, :]) * (1.0 / lengthscales[j] ** 2)
    return r2


def _per_dim_sqdist(x: FloatArray, is_cat: BoolArray) -> FloatArray:
    """``(d, n, n)`` unscaled per-dimension distances, precomputed once per fit."""
    diff = x.T[:, :, None] - x.T[:, None, :]
    out: FloatArray = np.where(is_cat[:, None, None], (diff != 0).astype(np.float64), diff * diff)
    return out


# --------------------------------------------------------------------------- fit


@attrs.frozen(kw_only=True, eq=False)
class KernelParams:
    """Fitted kernel hyperparameters (on the standardized output scale)."""

    lengthscales: FloatArray
    signal_var: float
    noise_var: float
    aux_noise_var: float = 0.0


def _prior(dim: int, with_aux: bool) -> tuple[FloatArray, FloatArray]:
    """Means and standard deviations of the Gaussian priors on ``theta`` (see module doc)."""
    log_l = math.log(LENGTHSCALE_PRIOR_MEDIAN) + 0.5 * math.log(max(1.0, dim / 6.0))
    mean = [log_l] * dim + [0.0, -8.0]
    std = [1.0] * dim + [1.0, 2.5]
    if with_aux:
        mean.append(math.log(0.3))
        std.append(1.0)
    return np.array(mean), np.array(std)


def _bounds(dim: int, with_aux: bool) -> list[tuple[float, float]]:
    bounds = [LOG_LENGTHSCALE_BOUNDS] * dim + [LOG_SIGNAL_BOUNDS, LOG_NOISE_BOUNDS]
    if with_aux:
        bounds.append(LOG_TAU_BOUNDS)
    return bounds


def _neg_log_posterior(
    theta: FloatArray,
    dists: FloatArray,
    y: FloatArray,
    aux: BoolArray,
    prior: tuple[FloatArray, FloatArray],
    lower_weight: FloatArray,
) -> tuple[float, FloatArray]:
    """Negative log marginal likelihood plus negative log prior, with its gradient.

    ``lower_weight`` is 1 on the diagonal, 2 below it and 0 above: LAPACK's inverse fills
    one triangle only, and weighting it so gives every symmetric contraction its full value.
    """
    d, n = dists.shape[0], y.shape[0]
    with_aux = theta.shape[0] > d + 2
    inv_l2 = np.exp(-2.0 * theta[:d])
    s2 = math.exp(theta[d])
    noise = math.exp(theta[d + 1])
    tau2 = math.exp(theta[d + 2]) if with_aux else 0.0
    flat = dists.reshape(d, -1)
    r2 = (inv_l2 @ flat).reshape(n, n)
    t = np.sqrt(r2)
    t *= _SQRT5
    decay = _neg_exp(t)
    poly = t
    poly += 1.0  # 1 + sqrt5 r
    corr = (5.0 / 3.0) * r2
    corr += poly
    corr *= decay
    k = s2 * corr
    diag = np.diag_indices(n)
    k[diag] += noise + _JITTER
    if with_aux:
        k[diag] += np.where(aux, tau2, 0.0)
    # k is symmetric: its transpose is the same matrix in the Fortran order LAPACK wants.
    chol, info = lapack.dpotrf(k.T, lower=1, clean=0, overwrite_a=1)
    if info != 0:
        return 1e25, np.zeros_like(theta)
    alpha, _ = lapack.dpotrs(chol, y, lower=1)
    nll = 0.5 * float(y @ alpha) + float(np.sum(np.log(np.diag(chol)))) + 0.5 * n * _LOG_2PI
    k_inv, info = lapack.dpotri(chol, lower=1, overwrite_c=1)
    if info != 0:
        return 1e25, np.zeros_like(theta)
    w = np.multiply.outer(alpha, alpha)
    w -= k_inv * lower_weight  # d LML = 1/2 tr(w dK) for every symmetric dK
    grad = np.empty_like(theta)
    # dK/dlog l_j = s2 * dcorr/dr2 * (-2 D_j / l_j^2), with dcorr/dr2 = -5/6 (1 + sqrt5 r) e^..
    a = poly
    a *= decay
    a *= w
    grad[:d] = -(5.0 / 6.0) * s2 * inv_l2 * (flat @ a.reshape(-1))
    grad[d] = -0.5 * s2 * float(np.vdot(w, corr))
    w_diag = np.diag(w)
    grad[d + 1] = -0.5 * noise * float(np.sum(w_diag))
    if with_aux:
        grad[d + 2] = -0.5 * tau2 * float(np.sum(w_diag[aux]))
    mu, sd = prior
    dev = (theta - mu) / sd
    return nll + 0.5 * float(dev @ dev), grad + dev / sd


def representative_subset(y: FloatArray, limit: int) -> npt.NDArray[np.intp]:
    """At most ``limit`` sorted indices: all, or the best quarter plus an even spread of the rest.

    Deterministic (ties broken by position), so a re-asked suggestion sees the same subset.
    """
    n = y.shape[0]
    if n <= limit:
        return np.arange(n)
    n_best = limit // 4
    order = np.argsort(y, kind="stable")
    best = order[:n_best]
    rest = np.setdiff1d(np.arange(n), best)
    spread = rest[np.round(np.linspace(0, rest.shape[0] - 1, limit - n_best)).astype(np.intp)]
    return np.sort(np.concatenate([best, spread]))


def fit_kernel_params(
    x: FloatArray,
    y: FloatArray,
    is_cat: BoolArray,
    *,
    aux: BoolArray | None = None,
    max_points: int | None = None,
    maxiter: int | None = None,
) -> KernelParams:
    """MAP kernel hyperparameters for standardized outputs ``y`` (see module doc)."""
    max_points = MAX_FIT_POINTS if max_points is None else max_points
    maxiter = FIT_MAXITER if maxiter is None else maxiter
    n, d = x.shape
    aux_mask = np.zeros(n, dtype=bool) if aux is None else aux
    with_aux = bool(aux_mask.any()) and not bool(aux_mask.all())
    subset = representative_subset(y, max_points)
    xs, ys, auxs = x[subset], y[subset], aux_mask[subset]
    dists = _per_dim_sqdist(xs, is_cat)
    lower_weight = np.tril(np.full((xs.shape[0],) * 2, 2.0), -1) + np.eye(xs.shape[0])
    prior = _prior(d, with_aux)
    bounds = _bounds(d, with_aux)
    tail = [math.log(0.3)] if with_aux else []
    starts = [
        np.array([math.log(length)] * d + [0.0, math.log(noise), *tail])
        for length, noise in ((0.5, 1e-3), (0.15, 1e-3), (2.0, 1e-2))
    ]

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        return _neg_log_posterior(theta, dists, ys, auxs, prior, lower_weight)

    values = [objective(start)[0] for start in starts]
    order = np.argsort(values, kind="stable")
    best_theta, best_value = starts[int(order[0])], values[int(order[0])]
    restarts = FIT_RESTARTS_SMALL if ys.shape[0] <= SMALL_FIT else 1
    for start in (starts[int(i)] for i in order[:restarts]):
        result = optimize.minimize(
            objective,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": maxiter, "ftol": 1e-7, "gtol": 1e-4},
        )
        if np.isfinite(result.fun) and result.fun < best_value:
            best_theta, best_value = np.asarray(result.x, dtype=np.float64), float(result.fun)
    return KernelParams(
        lengthscales=np.exp(best_theta[:d]),
        signal_var=math.exp(best_theta[d]),
        noise_var=math.exp(best_theta[d + 1]),
        aux_noise_var=math.exp(best_theta[d + 2]) if with_aux else 0.0,
    )


# --------------------------------------------------------------------------- posterior


@attrs.frozen(kw_only=True, eq=False)
class GaussianProcess:
    """A GP posterior with fixed hyperparameters; predictions are in the data's own units."""

    x: FloatArray
    y: FloatArray  # standardized
    is_cat: BoolArray
    params: KernelParams
    noise_diag: FloatArray
    y_mean: float
    y_scale: float
    chol: FloatArray
    alpha: FloatArray
    jitter: float

    @classmethod
    def build(
        cls,
        x: FloatArray,
        y_std: FloatArray,
        is_cat: BoolArray,
        params: KernelParams,
        noise_diag: FloatArray,
        *,
        y_mean: float,
        y_scale: float,
    ) -> GaussianProcess:
        """Condition on standardized observations (Cholesky with escalating jitter)."""
        jitter = _JITTER * params.signal_var
        for _ in range(8):
            # Factor in place (the transpose of the symmetric C-ordered matrix is the same
            # matrix in Fortran order): no copy of an n x n matrix, and the factor comes out
            # in the order LAPACK's solves want. A failed attempt clobbers k: rebuild it.
            k = params.signal_var * _matern52(_sqdist(x, x, params.lengthscales, is_cat))
            diag = np.diag_indices_from(k)
            k[diag] += noise_diag
            k[diag] += jitter
            chol, info = lapack.dpotrf(k.T, lower=1, clean=1, overwrite_a=1)
            if info == 0:
                break
            jitter *= 100.0
        else:  # pragma: no cover - only for pathological inputs
            raise linalg.LinAlgError("GP kernel matrix is not positive definite")
        alpha = linalg.cho_solve((chol, True), y_std, check_finite=False)
        return cls(
            x=x,
            y=y_std,
            is_cat=is_cat,
            params=params,
            noise_diag=noise_diag,
            y_mean=y_mean,
            y_scale=y_scale,
            chol=chol,
            alpha=alpha,
            jitter=jitter,
        )

    def predict_standardized(self, xs: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Latent mean and variance (no observation noise) on the standardized scale."""
        p = self.params
        k_star = p.signal_var * _matern52(_sqdist(xs, self.x, p.lengthscales, self.is_cat))
        mean = k_star @ self.alpha
        v = linalg.solve_triangular(self.chol, k_star.T, lower=True, check_finite=False)
        var = np.maximum(p.signal_var - np.sum(v * v, axis=0), 1e-12 * p.signal_var)
        return mean, var

    def predict(self, xs: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Latent mean and variance in the units of the observations."""
        mean, var = self.predict_standardized(xs)
        return self.y_mean + self.y_scale * mean, var * self.y_scale**2

    def predict_with_gradient(
        self, xs: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Standardized mean, variance and their gradients ``(m, d)`` w.r.t. numeric features.

        Gradient columns of categorical features are zero (they are not differentiable).
        """
        p = self.params
        num = ~self.is_cat
        r2 = _sqdist(xs, self.x, p.lengthscales, self.is_cat)
        k_star = p.signal_var * _matern52(r2)
        dk_dr2 = p.signal_var * _matern52_dr2(r2)  # (m, n)
        mean = k_star @ self.alpha
        beta = linalg.cho_solve((self.chol, True), k_star.T, check_finite=False).T  # (m, n)
        var = np.maximum(p.signal_var - np.sum(k_star * beta, axis=1), 1e-12 * p.signal_var)
        # d r2 / d x_j = 2 (x_j - X_ij) / l_j^2, so for any weights w (m, n):
        # sum_i w_i dk_i/dx_j = 2 / l_j^2 * (x_j * sum_i w'_i - sum_i w'_i X_ij), w' = w dk/dr2.
        inv_l2 = 2.0 / p.lengthscales[num] ** 2
        x_num, train_num = xs[:, num], self.x[:, num]
        a = dk_dr2 * self.alpha[None, :]
        b = dk_dr2 * beta
        grad_mean = np.zeros_like(xs)
        grad_var = np.zeros_like(xs)
        grad_mean[:, num] = inv_l2 * (x_num * a.sum(axis=1)[:, None] - a @ train_num)
        grad_var[:, num] = -2.0 * inv_l2 * (x_num * b.sum(axis=1)[:, None] - b @ train_num)
        return mean, var, grad_mean, grad_var

    def local(self, centers: FloatArray, size: int) -> GaussianProcess:
        """The posterior given only the ``size`` observations nearest to ``centers``.

        Same hyperparameters, nearest in the kernel's own scaled distance. Cheap to evaluate
        (``O(size^2)`` instead of ``O(n^2)`` per point) and close to the full posterior near
        the centers, where far observations barely correlate: good enough to steer a local
        optimizer, whose results the caller re-scores with the full posterior.
        """
        n = self.x.shape[0]
        if n <= size:
            return self
        r2 = _sqdist(centers, self.x, self.params.lengthscales, self.is_cat)
        nearest = np.sort(np.argsort(np.min(r2, axis=0), kind="stable")[:size])
        return GaussianProcess.build(
            self.x[nearest],
            self.y[nearest],
            self.is_cat,
            self.params,
            self.noise_diag[nearest],
            y_mean=self.y_mean,
            y_scale=self.y_scale,
        )

    def with_believed(self, xs: FloatArray) -> GaussianProcess:
        """Kriging believer: add pseudo-observations at ``xs`` equal to the posterior mean.

        The posterior mean is unchanged everywhere; the variance collapses around ``xs``.
        The Cholesky factor is extended by the new rows (``O(n^2 p)``, not ``O(n^3)``).
        """
        if xs.shape[0] == 0:
            return self
        p = self.params
        mean, _ = self.predict_standardized(xs)
        noise = np.full(xs.shape[0], p.noise_var)
        x_all = np.vstack([self.x, xs])
        y_all = np.concatenate([self.y, mean])
        noise_all = np.concatenate([self.noise_diag, noise])
        k_cross = p.signal_var * _matern52(_sqdist(self.x, xs, p.lengthscales, self.is_cat))
        k_new = p.signal_var * _matern52(_sqdist(xs, xs, p.lengthscales, self.is_cat))
        k_new[np.diag_indices_from(k_new)] += noise + self.jitter
        b = linalg.solve_triangular(self.chol, k_cross, lower=True, check_finite=False)
        try:
            c = linalg.cholesky(k_new - b.T @ b, lower=True, check_finite=False)
        except linalg.LinAlgError:
            return GaussianProcess.build(
                x_all, y_all, self.is_cat, p, noise_all, y_mean=self.y_mean, y_scale=self.y_scale
            )
        n, q = self.x.shape[0], xs.shape[0]
        # Fortran order, as LAPACK wants it: a C-ordered factor is copied on every
        # cho_solve (7-14x slower at n = 760, and the acquisition refinement solves often).
        chol = np.zeros((n + q, n + q), order="F")
        chol[:n, :n] = self.chol
        chol[n:, :n] = b.T
        chol[n:, n:] = c
        alpha = linalg.cho_solve((chol, True), y_all, check_finite=False)
        return GaussianProcess(
            x=x_all,
            y=y_all,
            is_cat=self.is_cat,
            params=p,
            noise_diag=noise_all,
            y_mean=self.y_mean,
            y_scale=self.y_scale,
            chol=chol,
            alpha=alpha,
            jitter=self.jitter,
        )


def standardize(y: FloatArray) -> tuple[FloatArray, float, float]:
    """Zero-mean, unit-variance outputs (a constant series keeps scale 1)."""
    mean = float(np.mean(y))
    scale = float(np.std(y))
    if not math.isfinite(scale) or scale < 1e-12:
        scale = 1.0
    return (y - mean) / scale, mean, scale


def fit_gp(
    x: FloatArray,
    y: FloatArray,
    is_cat: BoolArray,
    *,
    aux: BoolArray | None = None,
    max_fit_points: int | None = None,
    maxiter: int | None = None,
    min_prior_mean: float | None = None,
) -> GaussianProcess:
    """Standardize ``y``, fit hyperparameters, and condition on all observations.

    ``aux`` marks auxiliary observations (e.g. transfer-learning parents) that get an extra,
    fitted noise variance on top of the shared one. ``min_prior_mean``: the value far from
    every observation is at least this, not the mean of ``y`` (the hyperparameters are still
    fitted on the standardized ``y``).
    """
    x = np.asarray(x, dtype=np.float64)
    y_std, y_mean, y_scale = standardize(np.asarray(y, dtype=np.float64))
    aux_mask = np.zeros(y.shape[0], dtype=bool) if aux is None else np.asarray(aux, dtype=bool)
    params = fit_kernel_params(
        x, y_std, is_cat, aux=aux_mask, max_points=max_fit_points, maxiter=maxiter
    )
    noise_diag = np.full(y.shape[0], params.noise_var) + np.where(
        aux_mask, params.aux_noise_var, 0.0
    )
    if min_prior_mean is not None and y_mean < min_prior_mean:
        y_mean = min_prior_mean
        y_std = (y - y_mean) / y_scale
    return GaussianProcess.build(
        x, y_std, is_cat, params, noise_diag, y_mean=y_mean, y_scale=y_scale
    )
