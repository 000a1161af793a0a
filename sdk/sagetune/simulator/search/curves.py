"""Learning curves as observations at lower fidelity: what an early-stopped job tells the GP.

An early-stopped job has no final objective, but its learning curve up to the stopping
epoch is evidence about it. Following trace-aware multi-fidelity Bayesian optimization
(Wu, Toscano-Palmerin, Frazier and Wilson, "Practical multi-fidelity Bayesian optimization
for hyperparameter tuning", UAI 2019; Swersky et al.'s freeze-thaw BO before it), the GP
gets one more input, the **fidelity** ``z = log t / log T`` of epoch ``t`` out of the
longest curve's ``T`` epochs, and every job's curve enters at a few epochs:

* a finished job (not stopped early): its final objective at ``z = 1``, as before, plus its
  curve at the epochs ``2, 4, 8, ...`` below its last (how early values relate to final ones
  is learned from these: the GP needs jobs seen at both ends);
* an early-stopped job: its curve at ``2, 4, 8, ...`` and at its last epoch, all ``z < 1``;
  nothing at ``z = 1``, where the GP predicts what it would have reached.

The search asks for expected improvement at ``z = 1`` only (``FinalEpoch``).

**On the finals' scale.** Every curve starts bad and improves, and the spread between jobs
differs from epoch to epoch: taken as they are, the values made the GP spend its fit on that
common trend, the fidelity length scale came out short, and a job stopped at chance level
said nothing about the end (a first try, with each value taken relative to the median at
its epoch: ``bench/demo_setting.py --seeds 0-5`` gave a median 8 stopped jobs among the
demo's last 15, against 6 when they were believed). So a value at epoch ``t`` is replaced by the
final value at the same quantile: its mid-rank among the *finished* jobs' values at epoch
``t``, read off those jobs' final values (the value the job would end with if jobs kept
their ranks; finished jobs only, because the stopped ones have no final to read). A job
behind every finished job at epoch 2 then sits at the worst final seen; a job that keeps
its rank has the same value at every fidelity, and the GP learns from the jobs that do
not (slow starters that end well) how much an early rank says. The bayesian module gives
these rows an extra noise variance fitted by likelihood.

Why this and not the alternatives the issue lists: *believing* a stopped job at the
posterior mean (what the search did before) learns nothing; *observing* the cut-short
value as final marks slow starters' regions as bad (on xgboost-curve, Bayesian with early
stopping did no better than Random); a *censored* observation needs a bound, and a
cut-short loss bounds the final loss from above, the useless side; a *parametric
learning-curve extrapolation* per job (Domhan et al. 2015) fits two or three points at the
stopping epoch, and a chance-level or slowly rising curve fits any asymptote. The
multi-fidelity GP extrapolates with what the other jobs' curves show, from neighbours in
hyperparameter space, and keeps the uncertainty where nothing nearby ran to the end.

**Cost.** Curves enter only when an early-stopped trial has one (everything else sees the
GP over the space alone, bit for bit as before). At most ``log2 T`` rows per job; beyond
``MAX_CURVE_ROWS`` rows the finished jobs' curves are thinned evenly (the stopped jobs'
rows come first: they are the reason for the rows).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

from . import gp
from .history import Trial
from .space import FloatArray

MIN_EPOCHS = 3
"""No fidelity dimension below this many epochs in the longest curve."""

MAX_CURVE_ROWS = 240
"""At most this many rows below the final fidelity (keeps a suggestion within its budget)."""


def ladder(length: int) -> list[int]:
    """Epochs 2, 4, 8, ... below ``length`` (1-based): the points a curve enters at."""
    out = []
    t = 2
    while t < length:
        out.append(t)
        t *= 2
    return out


@attrs.frozen(kw_only=True, eq=False)
class CurveRows:
    """Observations below the final fidelity: which trial, at what fidelity, what value.

    ``trial`` indexes the trials given to ``curve_rows``; ``value`` is on the scale of the
    finals (module doc).
    """

    trial: npt.NDArray[np.intp]
    fidelity: FloatArray
    value: FloatArray


def _as_final_quantiles(values: FloatArray, peers: FloatArray, finals: FloatArray) -> FloatArray:
    """Each value's mid-rank quantile among ``peers``, read off the finals' distribution."""
    peers = np.sort(peers)
    below = np.searchsorted(peers, values, side="left")
    upto = np.searchsorted(peers, values, side="right")
    quantile = (below + upto) / (2.0 * peers.shape[0])
    out: FloatArray = np.quantile(finals, np.clip(quantile, 0.0, 1.0))
    return out


def curve_rows(trials: Sequence[Trial]) -> CurveRows | None:
    """Rows for the trials' learning curves, or None when no early-stopped trial has one.

    None also when the longest curve is shorter than ``MIN_EPOCHS`` or fewer than two
    finished trials have a final value: then there is nothing to measure a curve against,
    and the caller believes stopped trials as before.
    """
    if not any(t.stopped_early and t.curve for t in trials):
        return None
    length = max(len(t.curve) for t in trials)
    done = [
        t for t in trials if not t.stopped_early and t.value is not None and math.isfinite(t.value)
    ]
    if length < MIN_EPOCHS or len(done) < 2:
        return None
    stopped: list[tuple[int, int]] = []  # (trial, epoch)
    finished: list[list[tuple[int, int]]] = []  # per finished trial
    for i, trial in enumerate(trials):
        if not trial.curve:
            continue
        if trial.stopped_early:
            stopped.extend((i, t) for t in [*ladder(len(trial.curve)), len(trial.curve)])
        elif trial.value is not None and math.isfinite(trial.value):
            finished.append([(i, t) for t in ladder(len(trial.curve))])
    chosen = stopped[-MAX_CURVE_ROWS:]
    room = MAX_CURVE_ROWS - len(chosen)
    n_finished_rows = sum(map(len, finished))
    if n_finished_rows > room and finished:
        # An even spread of the finished jobs, whole curves (a job's rows only help together).
        keep = room * len(finished) // n_finished_rows
        picks = np.unique(np.round(np.linspace(0, len(finished) - 1, keep)).astype(np.intp))
        finished = [finished[k] for k in picks] if keep else []
    chosen += [row for rows in finished for row in rows]
    rows = [(i, t) for i, t in chosen if math.isfinite(trials[i].curve[t - 1])]
    trial_index = np.array([i for i, _ in rows], dtype=np.intp)
    epochs = np.array([t for _, t in rows], dtype=np.intp)
    values = np.array([trials[i].curve[t - 1] for i, t in rows], dtype=np.float64)
    mapped = np.full_like(values, np.nan)
    for epoch in np.unique(epochs):
        pairs = [
            (t.curve[epoch - 1], t.value)
            for t in done
            if len(t.curve) >= epoch and math.isfinite(t.curve[epoch - 1])
        ]
        if len(pairs) >= 2:
            at = epochs == epoch
            peers, peer_finals = np.array(pairs).T
            mapped[at] = _as_final_quantiles(values[at], peers, peer_finals)
    usable = np.isfinite(mapped)
    return CurveRows(
        trial=trial_index[usable],
        fidelity=np.log(epochs[usable].astype(np.float64)) / math.log(length),
        value=mapped[usable],
    )


@attrs.frozen(eq=False)
class FinalEpoch:
    """A GP over (features, fidelity) seen at the final epoch: it takes the space's features.

    Gradients come back for the space's features only (the fidelity stays at 1).
    """

    model: gp.GaussianProcess

    @staticmethod
    def _lift(xs: FloatArray) -> FloatArray:
        return np.hstack([xs, np.ones((xs.shape[0], 1))])

    def predict_standardized(self, xs: FloatArray) -> tuple[FloatArray, FloatArray]:
        return self.model.predict_standardized(self._lift(xs))

    def predict_with_gradient(
        self, xs: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        mean, var, grad_mean, grad_var = self.model.predict_with_gradient(self._lift(xs))
        return mean, var, grad_mean[:, :-1], grad_var[:, :-1]

    def local(self, centers: FloatArray, size: int) -> FinalEpoch:
        return FinalEpoch(self.model.local(self._lift(centers), size))
