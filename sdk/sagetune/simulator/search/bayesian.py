"""Bayesian optimization: a GP surrogate searched with log expected improvement.

One suggestion, as a pure function of the ``SearchState``:

1. **Initial design.** While fewer than ``n_initial`` observations exist or are on their way
   (``issued`` plus usable warm-start observations), or fewer than two finite values are
   known, the next point of a scrambled Sobol sequence (seeded by the tuning job's seed,
   indexed by ``issued``) is returned. Default ``n_initial = max(3, min(10, 2 * d))``: enough
   points for the hyperparameter fit to see variation along each dimension, few enough that
   a 20-job tuning run still spends most of its budget on modelled choices.
2. **Observations** are the finished trials, encoded by the space (scaling applied, ``Auto``
   resolved as documented in ``space``). **Failed trials** (value ``None`` or non-finite) are
   imputed with the worst finite value observed: the service retries internal errors itself,
   so a failure that reaches the strategy is usually caused by the configuration
   (divergence, out of memory), and the region should look bad. Until two different finite
   values are known, the initial design goes on.
   **Output warping**: with at least ``WARP_MIN_POINTS`` finite values, the values are
   standardized and passed through a Yeo-Johnson power transform whose exponent maximizes
   its likelihood within ``[WARP_MIN_LAMBDA, 1]`` (``warp_values``). Objectives with a long
   tail of bad values (Branin's 0.4 to 300; losses of diverged or early-stopped jobs; failed
   jobs imputed as the worst) otherwise make the GP spend its fit on the tail: the length
   scales shrink to model a few huge values, EI turns to the boundaries, and the region of
   good values looks flat. The transform is monotone, so the incumbent and the ranking of
   observations are unchanged; capping the exponent at 1 (the identity) never squeezes a
   tail of *good* values. Measured (``bench/search_quality.py``, 20 seeds): normalized
   median score on Branin at 15 jobs 0.53 -> 0.13, mixed-hpo at 50 jobs 0.08 -> 1e-4,
   mixed-branin at 50 jobs, 5 parallel 0.35 -> 0.10; Hartmann-6 unchanged (its tail is
   the good side).
3. **GP fit** (``gp``): Matérn 5/2 ARD + Hamming categoricals, MAP hyperparameters.
4. **Pending jobs** (parallel training jobs): *kriging believer* — each pending
   configuration is added as a pseudo-observation equal to the posterior mean, with the
   fitted hyperparameters kept. That leaves the mean unchanged and collapses the variance
   around the pending points; the believed values also join the EI incumbent, so EI at and
   near a pending point drops to about zero and parallel suggestions spread out. Chosen
   over constant liar because it needs no arbitrary lie value (a low lie pulls new points
   towards pending ones, a high lie carves false bad regions), and over fantasies because it
   is deterministic and costs one extra Cholesky instead of an ensemble of GPs. Measured
   against fantasies (EI averaged over 32 seeded joint draws of the pending outcomes, as in
   Snoek et al. 2012; ``bench/search_quality.py``, 15 jobs, 5 parallel, 20 seeds): branin
   0.508 -> 0.785, hartmann6 0.979 -> 0.940, mixed-branin 0.749 -> 1.01, mixed-hpo
   0.520 -> 0.456; not better overall, so the believer stays (README, search section).
   **Early-stopped trials** (median rule) have no final value; two things are learned from
   them (measured with ``bench/demo_setting.py`` and ``bench/early_stopping.py``, see the
   README):

   * *their learning curves*, as observations at lower fidelity (``curves``): the GP gets
     the epoch as one more input, sees every job's curve at epochs ``2, 4, 8, ...`` (values
     put on the finals' scale by their rank among the finished jobs at that epoch), with
     an extra noise variance on those rows fitted by likelihood (``aux``: a curve's early
     value is a noisier proxy than a final one), and EI is taken at the final epoch. Then
     a region whose jobs were stopped at chance level looks bad at the end too, unless
     jobs run to the end nearby say otherwise;
   * *a constraint* (``survival``): a job the rule stops is a spent job whatever it would
     have reached, so EI is multiplied by the probability that a new job survives the
     rule, from a GP on how far each job's curve was from the rule's threshold.

   Before, early-stopped trials were believed like pending jobs (nothing learned): the
   search kept proposing where the rule stops (the demo's last 15 jobs held a median 6.5
   stopped ones, against 1 bad job with early stopping off). Observing the cut-short value
   as final marks slow starters that end well as bad (on xgboost-curve, Bayesian with
   early stopping did no better than Random). A stopped trial without a curve is still
   believed. Warm-start parents' trials are observed as recorded, cut short or not: their
   values still rank the parents' configurations, and believing thousands of parent
   points would cost far more than the ``max_parent_observations`` subset.
5. **Acquisition.** log-EI (stable; ``gp.log_expected_improvement``) below the best finite
   observed value of this tuning job (the parents' best when the child has none), maximized
   over Sobol candidates (seeded by ``(seed, issued)``) plus Gaussian perturbations of the
   best observed points, or over every configuration when a fully discrete space is small
   enough; the best few are refined by L-BFGS-B on the continuous relaxation of the numeric
   features, integers are rounded and categoricals swept one dimension at a time, and
   everything is re-scored on valid configurations. A configuration already observed or
   pending is skipped in favour of the best new one, when one exists.
   **Cost at many observations** (scoring is ``O(n^2)`` per candidate, a 750-job tuning
   job asks 750 times): the global Sobol candidates are halved at ``LARGE_N`` observations
   and again at twice that (1024, 512, 256); the L-BFGS-B refinement runs on the posterior
   given the ``refine_points`` observations nearest to its starting points
   (``GaussianProcess.local``), and its results are re-scored with the full posterior.

**Warm start.**

* ``IdenticalDataAndAlgorithm``: the parents' trials are observations of the same surface and
  join the child's as they are. A parent point outside the child's ranges is *kept* at its
  out-of-box coordinates (the GP does not need points to lie in the box, and the observation
  is as true there as anywhere); a point that cannot be placed at all (a categorical value
  the child dropped, a missing hyperparameter, a non-positive value on a log scale) is
  dropped. The incumbent for EI is the best value inside the child's box.
* ``TransferLearning``: the parents' values are *not* assumed to lie on the child's surface.
  Each parent's values are rank-transformed to normal scores (only their ordering is
  trusted), the child's own values are standardized, and the parents' points enter the GP as
  a down-weighted auxiliary task: they carry an extra noise variance ``tau2`` fitted by
  marginal likelihood, so parent data guides the first choices and the child's own
  observations dominate wherever they exist.
* At most ``max_parent_observations`` parent trials are used (the best quarter plus an even
  spread of the rest), to keep suggestions fast with five 750-job parents.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Protocol

import attrs
import numpy as np
from scipy import optimize, special
from scipy.stats import qmc

from . import gp
from .curves import FinalEpoch, curve_rows
from .history import SearchState, Trial
from .seeding import (
    STREAM_CANDIDATES,
    STREAM_INITIAL_DESIGN,
    rng_for,
    seed_words,
)
from .space import CategoricalDim, FloatArray, IntegerDim, SearchSpace
from .survival import Survival, survival_model
from .threads import one_blas_thread

BoolArray = gp.BoolArray
LARGE_N = 300
WARP_MIN_POINTS = 8
WARP_MIN_LAMBDA = -2.0
WARP_FIT_POINTS = 128


class Surrogate(Protocol):
    """What the acquisition needs of a model: a GP, or a GP seen at the final epoch."""

    def predict_standardized(self, xs: FloatArray) -> tuple[FloatArray, FloatArray]: ...

    def predict_with_gradient(
        self, xs: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]: ...

    def local(self, centers: FloatArray, size: int) -> Surrogate: ...


def default_initial_design(n_dims: int) -> int:
    """Number of Sobol points before the GP takes over."""
    return max(3, min(10, 2 * n_dims))


def _config_key(params: Mapping[str, str], names: tuple[str, ...]) -> tuple[str | None, ...]:
    return tuple(map(params.get, names))


@attrs.frozen(kw_only=True, eq=False)
class _Observations:
    """Encoded data for the GP, plus the points to believe and the EI incumbent.

    With ``fidelity`` (early-stopped trials with learning curves, see ``curves``), ``x`` has
    one more column, the fidelity, and ``final`` marks the rows at the final epoch;
    without, every row is final and ``x`` holds the space's features only.
    """

    x: FloatArray
    y: FloatArray
    aux: BoolArray
    is_cat: BoolArray  # per column of x
    final: BoolArray
    incumbent: BoolArray  # rows whose value may serve as the EI incumbent
    believe: FloatArray  # pending configurations (at the final fidelity)
    n_parent: int
    fidelity: bool


def _values(trials: tuple[Trial, ...]) -> FloatArray:
    return np.array(
        [t.value if t.value is not None else math.nan for t in trials], dtype=np.float64
    )


def _in_box(x: FloatArray, is_cat: BoolArray) -> BoolArray:
    num = x[:, ~is_cat]
    inside: BoolArray = np.all((num >= -1e-9) & (num <= 1 + 1e-9), axis=1)
    return inside


def _normal_scores(values: FloatArray) -> FloatArray:
    """Rank-based normal scores; non-finite values rank last."""
    v = np.where(np.isfinite(values), values, np.inf)
    ranks = np.argsort(np.argsort(v, kind="stable"), kind="stable")
    scores: FloatArray = special.ndtri((ranks + 0.5) / v.shape[0])
    return scores


def _standardize_with_failures(y: FloatArray) -> FloatArray:
    finite = np.isfinite(y)
    if finite.sum() >= 2:
        mean, scale = float(np.mean(y[finite])), float(np.std(y[finite]))
        scale = scale if scale > 1e-12 else 1.0
    else:
        mean, scale = (float(y[finite][0]) if finite.any() else 0.0), 1.0
    out: FloatArray = (y - mean) / scale
    return out


def _yeo_johnson(z: FloatArray, lam: float) -> FloatArray:
    """The Yeo-Johnson power transform for an exponent ``lam <= 1``."""
    out = np.empty_like(z)
    pos = z >= 0.0
    lp = np.log1p(z[pos])
    out[pos] = lp if abs(lam) < 1e-12 else np.expm1(lam * lp) / lam
    out[~pos] = -np.expm1((2.0 - lam) * np.log1p(-z[~pos])) / (2.0 - lam)
    return out


def warp_values(y: FloatArray) -> FloatArray:
    """Compress a long tail of bad values (see module doc); finite entries only, NaN kept.

    Yeo-Johnson power transform of the standardized values, with the exponent that
    maximizes its profile likelihood within ``[WARP_MIN_LAMBDA, 1]``: below 1 it pulls in
    large (bad, in minimize form) values; 1 is the identity, so a long tail of *good* values
    is never squeezed. Fewer than ``WARP_MIN_POINTS`` values are left as they are.
    """
    out = np.array(y, dtype=np.float64)
    finite = np.isfinite(out)
    values = out[finite]
    if values.shape[0] < WARP_MIN_POINTS:
        return out
    scale = float(np.std(values))
    if not scale > 1e-12 * max(1.0, float(np.max(np.abs(values)))):
        return out
    z = (values - float(np.mean(values))) / scale
    # The exponent from evenly spaced order statistics: the same distribution at a bounded
    # cost (the likelihood is maximized numerically, O(points) per step).
    sample = np.sort(z)
    if sample.shape[0] > WARP_FIT_POINTS:
        picks = np.round(np.linspace(0, sample.shape[0] - 1, WARP_FIT_POINTS)).astype(np.intp)
        sample = sample[picks]
    jacobian = float(np.sum(np.sign(sample) * np.log1p(np.abs(sample))))

    def negative_log_likelihood(lam: float) -> float:
        var = float(np.var(_yeo_johnson(sample, lam)))
        if not var > 0.0:
            return math.inf
        return float(0.5 * sample.shape[0] * math.log(var) - (lam - 1.0) * jacobian)

    best = optimize.minimize_scalar(
        negative_log_likelihood,
        bounds=(WARP_MIN_LAMBDA, 1.0),
        method="bounded",
        options={"xatol": 1e-4},
    )
    lam = float(best.x)
    if lam < 1.0 - 1e-3:
        out[finite] = _yeo_johnson(z, lam)
    return out


def _at_final(x: FloatArray, fidelity: bool) -> FloatArray:
    return np.hstack([x, np.ones((x.shape[0], 1))]) if fidelity else x


def _collect(state: SearchState, max_parent: int, warp: bool) -> _Observations:
    space = state.space
    is_cat = space.categorical_mask
    d = len(space.dims)
    trials = state.trials
    x_trials, kept = space.encode_many([t.params for t in trials])
    row_of = np.full(len(trials), -1, dtype=np.intp)
    row_of[kept] = np.arange(kept.shape[0])
    stopped = np.array([t.stopped_early for t in trials], dtype=bool)
    # Early-stopped trials enter through their learning curves (``curves``); those without
    # one are believed like pending ones (module doc, point 4).
    curves = curve_rows(trials)
    fidelity = curves is not None
    has_curve = np.array([bool(t.curve) for t in trials], dtype=bool)
    cut_rows = stopped & ~has_curve if fidelity else stopped
    full = kept[~stopped[kept]]
    x_child = _at_final(x_trials[row_of[full]], fidelity)
    y_child = _values(trials)[full]
    y_child[~np.isfinite(y_child)] = math.nan
    n_final = y_child.shape[0]
    if curves is not None:
        placed = row_of[curves.trial] >= 0
        x_curve = x_trials[row_of[curves.trial[placed]]]
        x_child = np.vstack([x_child, np.hstack([x_curve, curves.fidelity[placed, None]])])
        y_child = np.concatenate([y_child, curves.value[placed]])

    x_par = np.empty((0, x_child.shape[1]))
    y_par = np.empty(0)
    transfer = state.warm_start is not None and state.warm_start.kind == "TransferLearning"
    if state.warm_start is not None:
        xs: list[FloatArray] = []
        ys: list[FloatArray] = []
        for parent in state.warm_start.parents:
            xp, kp = space.encode_many([t.params for t in parent])
            vp = _values(parent)[kp]
            if kp.size:
                xs.append(xp)
                ys.append(_normal_scores(vp) if transfer else vp)
        if xs:
            x_par, y_par = _at_final(np.vstack(xs), fidelity), np.concatenate(ys)
            rank_key = np.where(np.isfinite(y_par), y_par, np.inf)
            subset = gp.representative_subset(rank_key, max_parent)
            x_par, y_par = x_par[subset], y_par[subset]

    if transfer:
        y_child = _standardize_with_failures(warp_values(y_child) if warp else y_child)
    n_child = y_child.shape[0]
    x = np.vstack([x_child, x_par])
    y = np.concatenate([y_child, y_par])
    model_is_cat = np.append(is_cat, False) if fidelity else is_cat
    aux = np.zeros(y.shape[0], dtype=bool)
    if transfer:
        aux[n_child:] = True
    final = np.ones(y.shape[0], dtype=bool)
    final[n_final:n_child] = False
    child = np.ones(y.shape[0], dtype=bool)
    child[n_child:] = False
    aux[n_final:n_child] = True  # rows below the final fidelity: an extra, fitted noise

    real = np.isfinite(y)
    if not real.any():  # nothing to model yet: the caller falls back to the design
        return _Observations(
            x=x[:0],
            y=y[:0],
            aux=aux[:0],
            is_cat=model_is_cat,
            final=final[:0],
            incumbent=real[:0],
            believe=x[:0],
            n_parent=0,
            fidelity=fidelity,
        )
    y[~real] = np.max(y[real])  # failed: the worst value seen (see module doc)
    if warp and not transfer:
        y = warp_values(y)
    real &= final
    if transfer:
        incumbent = child & real if (child & real).any() else real.copy()
    else:
        inside = _in_box(x[:, :d], is_cat) & real
        incumbent = inside if inside.any() else real.copy()

    cut = [trials[i].params for i in np.flatnonzero(cut_rows)]
    x_pending, _ = space.encode_many(list(state.pending) + cut)
    return _Observations(
        x=x,
        y=y,
        aux=aux,
        is_cat=model_is_cat,
        final=final,
        incumbent=incumbent,
        believe=_at_final(x_pending, fidelity),
        n_parent=y_par.shape[0],
        fidelity=fidelity,
    )


@attrs.frozen(kw_only=True)
class BayesianStrategy:
    """GP + log-EI suggestions (see module doc). All knobs have documented defaults."""

    n_initial: int | None = None
    n_candidates: int = 1024
    n_local: int = 256
    n_refine: int = 3
    refine_maxiter: int = 20
    refine_points: int = 256
    warp: bool = True
    max_parent_observations: int = 300

    def suggest(self, state: SearchState) -> dict[str, str]:
        with one_blas_thread():
            return self._suggest(state)

    def _suggest(self, state: SearchState) -> dict[str, str]:
        space = state.space
        if not space.dims:
            return {}
        n_init = (
            self.n_initial
            if self.n_initial is not None
            else default_initial_design(len(space.dims))
        )
        obs = _collect(state, self.max_parent_observations, self.warp)
        enough = obs.y.shape[0] >= 2 and float(np.ptp(obs.y)) > 0.0
        if state.issued + obs.n_parent < n_init or not enough:
            return self._design_point(state)
        model = gp.fit_gp(obs.x, obs.y, obs.is_cat, aux=obs.aux)
        model = model.with_believed(obs.believe)
        # Believed values are observations for the incumbent too; otherwise a pending point
        # predicted to improve keeps its EI and the next suggestion lands on top of it.
        n_obs = obs.y.shape[0]
        best = float(np.min(np.concatenate([model.y[:n_obs][obs.incumbent], model.y[n_obs:]])))
        surrogate: Surrogate = FinalEpoch(model) if obs.fidelity else model
        centers = self._centers(state.space, obs, model)

        survival = survival_model(space, state.trials)
        return self._maximize(state, surrogate, survival, centers, n_obs, best)

    # ------------------------------------------------------------------ design

    def _design_point(self, state: SearchState) -> dict[str, str]:
        """Point ``issued`` of the tuning job's scrambled Sobol sequence."""
        rng = np.random.default_rng(seed_words(state.seed, STREAM_INITIAL_DESIGN))
        sobol = qmc.Sobol(len(state.space.dims), scramble=True, seed=rng)
        if state.issued > 0:
            sobol.fast_forward(state.issued)
        return state.space.decode_unit(sobol.random(1)[0])

    # ------------------------------------------------------------------ acquisition

    @staticmethod
    def _centers(space: SearchSpace, obs: _Observations, model: gp.GaussianProcess) -> FloatArray:
        """The best observed final configurations inside the box (local candidates' seeds)."""
        n_obs = obs.y.shape[0]
        d = len(space.dims)
        usable = _in_box(obs.x[:, :d], space.categorical_mask) & obs.final
        order = [i for i in np.argsort(model.y[:n_obs], kind="stable") if usable[i]]
        return obs.x[order[:5], :d]

    def _candidates(self, state: SearchState, centers: FloatArray, n_obs: int) -> FloatArray:
        space = state.space
        d = len(space.dims)
        rng = rng_for(state.seed, STREAM_CANDIDATES, state.issued)
        finite_size = _discrete_size(space)
        if finite_size is not None and finite_size <= self.n_candidates + self.n_local:
            return _enumerate_discrete(space)
        # Scoring costs O(n^2) per candidate: halve the global candidates at LARGE_N
        # observations and again at twice that (the local ones around the best points matter
        # most by then, and a 750-job run spends most of its time beyond LARGE_N).
        n_global = self.n_candidates >> min(2, n_obs // LARGE_N)
        sobol = qmc.Sobol(d, scramble=True, seed=rng)
        raw = space.unit_to_features(sobol.random_base2(max(0, math.ceil(math.log2(n_global)))))
        if centers.shape[0] == 0:
            centers = raw[:1]
        picks = centers[rng.integers(0, centers.shape[0], self.n_local)]
        local = picks.copy()
        num = ~space.categorical_mask
        scale = np.where(rng.random((self.n_local, 1)) < 0.5, 0.02, 0.1)
        local[:, num] += scale * rng.standard_normal((self.n_local, int(num.sum())))
        for j, dim in enumerate(space.dims):
            if isinstance(dim, CategoricalDim):
                flip = rng.random(self.n_local) < 1.0 / d
                local[flip, j] = rng.integers(0, len(dim.values), int(flip.sum()))
        return np.vstack([raw, space.snap_features(local)])

    def _maximize(
        self,
        state: SearchState,
        model: Surrogate,
        survival: Survival | None,
        centers: FloatArray,
        n_obs: int,
        best: float,
    ) -> dict[str, str]:
        space = state.space
        cands = self._candidates(state, centers, n_obs)
        scores = _score(model, survival, cands, best)
        top = _top_distinct(cands, scores, self.n_refine)
        refined = self._refine(space, model, survival, cands[top], best)
        swept = _sweep_categoricals(space, refined)
        extra = np.vstack([refined, swept])
        all_cands = np.vstack([cands, extra])
        all_scores = np.concatenate([scores, _score(model, survival, extra, best)])
        names = space.names
        seen = {_config_key(t.params, names) for t in state.trials}
        seen.update(_config_key(p, names) for p in state.pending)
        order = np.argsort(-all_scores, kind="stable")
        for i in order[:64]:
            params = space.decode(all_cands[i])
            if _config_key(params, names) not in seen:
                return params
        return space.decode(all_cands[order[0]])

    def _refine(
        self,
        space: SearchSpace,
        model: Surrogate,
        survival: Survival | None,
        start: FloatArray,
        best: float,
    ) -> FloatArray:
        """L-BFGS-B on the numeric features of a few candidates at once (sum of log-EI).

        Beyond ``refine_points`` observations the search runs on the posterior given the
        observations nearest to the starting points (``GaussianProcess.local``): each step
        then costs ``O(refine_points^2)`` instead of ``O(n^2)``, and ``_maximize`` re-scores
        the refined points with the full posterior before choosing.
        """
        num = ~space.categorical_mask
        if not num.any() or start.shape[0] == 0:
            return start
        q, dn = start.shape[0], int(num.sum())
        model = model.local(start, self.refine_points)

        def negative(flat: FloatArray) -> tuple[float, FloatArray]:
            xs = start.copy()
            xs[:, num] = flat.reshape(q, dn)
            mean, var, g_mean, g_var = model.predict_with_gradient(xs)
            value, d_mean, d_var = gp.log_ei_and_grad(mean, var, best)
            grad = d_mean[:, None] * g_mean + d_var[:, None] * g_var
            if survival is not None:
                log_p, g_log_p = survival.log_probability_with_gradient(xs)
                value = value + log_p
                grad = grad + g_log_p
            return -float(np.sum(value)), -grad[:, num].reshape(-1)

        result = optimize.minimize(
            negative,
            start[:, num].reshape(-1),
            jac=True,
            method="L-BFGS-B",
            bounds=[(0.0, 1.0)] * (q * dn),
            options={"maxiter": self.refine_maxiter},
        )
        out = start.copy()
        out[:, num] = np.asarray(result.x, dtype=np.float64).reshape(q, dn)
        return space.snap_features(out)


def _score(
    model: Surrogate, survival: Survival | None, cands: FloatArray, best: float
) -> FloatArray:
    mean, var = model.predict_standardized(cands)
    out = gp.log_expected_improvement(mean, np.sqrt(var), best)
    if survival is not None:
        out += survival.log_probability(cands)
    return out


def _top_distinct(cands: FloatArray, scores: FloatArray, k: int) -> list[int]:
    chosen: list[int] = []
    for i in np.argsort(-scores, kind="stable"):
        if all(not np.array_equal(cands[i], cands[j]) for j in chosen):
            chosen.append(int(i))
        if len(chosen) == k:
            break
    return chosen


def _sweep_categoricals(space: SearchSpace, points: FloatArray) -> FloatArray:
    """Every point with one categorical dimension changed to each of its other values."""
    variants = [points]
    for j, dim in enumerate(space.dims):
        if isinstance(dim, CategoricalDim):
            for v in range(len(dim.values)):
                changed = points.copy()
                changed[:, j] = v
                variants.append(changed)
    return np.vstack(variants[1:]) if len(variants) > 1 else np.empty((0, points.shape[1]))


def _discrete_size(space: SearchSpace) -> int | None:
    size = 1
    for dim in space.dims:
        if isinstance(dim, CategoricalDim):
            size *= len(dim.values)
        elif isinstance(dim, IntegerDim):
            size *= dim.high - dim.low + 1
        else:
            return None
    return size


def _enumerate_discrete(space: SearchSpace) -> FloatArray:
    """Features of every configuration of a fully discrete space."""
    axes: list[FloatArray] = []
    for j, dim in enumerate(space.dims):
        if isinstance(dim, CategoricalDim):
            axes.append(np.arange(len(dim.values), dtype=np.float64))
        else:
            ints = np.arange(dim.low, dim.high + 1, dtype=np.float64)
            axes.append(space.values_to_unit(j, ints))
    grids = np.meshgrid(*axes, indexing="ij")
    return np.stack([g.reshape(-1) for g in grids], axis=1)
