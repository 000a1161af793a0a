"""Will a new job survive the median rule? The search's model of early stopping.

With early stopping on, a job the median rule stops ends with its objective at the stopping
epoch: for the tuning job a configuration whose first epochs fall behind its peers' is a
spent job, whatever it would have reached at the end, and proposing one like it again
spends another (the rule would stop it again). So the search treats surviving the rule as
a constraint, the way constrained Bayesian optimization does (Gardner et al., "Bayesian
optimization with inequality constraints", ICML 2014; Gelbart, Snoek and Adams, UAI 2014):
it maximizes expected improvement *times the probability that the job is not stopped*.

**The constraint's data.** Every finished trial with a learning curve gets a *margin*: how
far its curve was from the rule's threshold, in units of the spread of the values at each
epoch (the interquartile range of the trials that reached it, over 1.349), taken at the
epochs ``2, 4, 8, ...`` it ran and at its last one, the largest (worst) of them. The
threshold is the rule's for a job launched now: the median of the finished trials' running
averages at that epoch. A stopped job has a positive margin at its last epoch, a job well
ahead of its peers a negative one. Margins are clipped to ``[-MARGIN_CLIP, MARGIN_CLIP]``: a
diverged loss of 1e5 is "stopped", not a thousand times more so. A GP over the search space
(``gp.fit_gp``) models the margin; a configuration survives with probability
``P(margin <= 0)`` under it. Its prior mean is the threshold itself (or the jobs' mean
margin when that is worse): a configuration far from every job so far is a coin flip, not
as safe as the average job. With the average as the prior (what ``fit_gp`` does), the
demo's last 15 jobs held a median 2 stopped ones (``bench/demo_setting.py``, seeds 0-19;
1 with this prior, as with early stopping off).

**When.** Only once the rule has stopped a trial that has a learning curve: before that (and
without early stopping) the acquisition is expected improvement alone, bit for bit.

Why a constraint rather than a model of the final value: the final value of a stopped job
is never seen, and predicting it (from its curve, or with the epoch as a fidelity
dimension) was measured to leave the search proposing slow starters that the rule stops
again (``bench/demo_setting.py``: 3-3.5 stopped jobs among the demo's last 15, against 1 bad
job with early stopping off; see the README). The early epochs, on the other hand, are seen
for every job: the margin is learned from all of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import numpy as np
from scipy import special

from . import gp
from .curves import ladder
from .history import Trial
from .median_stopping import DEFAULT_MIN_EARLIER_JOBS as MIN_REFERENCE
from .median_stopping import DEFAULT_MIN_EPOCHS as MIN_EPOCHS
from .space import FloatArray, SearchSpace

MARGIN_CLIP = 4.0


def check_epochs(length: int) -> list[int]:
    """Epochs ``2, 4, 8, ...`` below ``length``, and ``length`` itself (1-based)."""
    return [*ladder(length), length] if length >= MIN_EPOCHS else []


def margins(curves: Sequence[Sequence[float]]) -> FloatArray:
    """Each curve's worst distance to the median rule's threshold (module doc); NaN when
    it has no epoch with enough other curves to judge it by."""
    length = max((len(c) for c in curves), default=0)
    values = np.full((len(curves), length), np.nan)
    for i, curve in enumerate(curves):
        values[i, : len(curve)] = curve
    lengths = np.array([len(c) for c in curves])
    reached = np.arange(length) < lengths[:, None]
    values[reached & ~np.isfinite(values)] = np.inf  # the worst, as in the rule
    with np.errstate(invalid="ignore"):
        averages = np.cumsum(np.where(reached, values, 0.0), axis=1) / np.arange(1, length + 1)
    out = np.full(len(curves), np.nan)
    checks = [set(check_epochs(len(c))) for c in curves]
    for t in sorted(set().union(*checks)):
        rows = np.flatnonzero(reached[:, t - 1])
        if rows.shape[0] < MIN_REFERENCE:
            continue
        threshold = float(np.median(averages[rows, t - 1]))
        at = values[rows, t - 1]
        finite = at[np.isfinite(at)]
        if finite.shape[0] < 2:
            continue
        q75, q25 = np.percentile(finite, [75, 25])
        spread = max(float(q75 - q25) / 1.349, 1e-9 * max(1.0, abs(threshold)))
        for i in rows.tolist():
            if t not in checks[i]:
                continue
            value = float(values[i, t - 1])
            margin = MARGIN_CLIP if math.isinf(value) else (value - threshold) / spread
            margin = min(max(margin, -MARGIN_CLIP), MARGIN_CLIP)
            out[i] = margin if math.isnan(out[i]) else max(out[i], margin)
    return out


@attrs.frozen(eq=False)
class Survival:
    """The probability that a job at given features is not stopped by the median rule."""

    model: gp.GaussianProcess

    def log_probability(self, xs: FloatArray) -> FloatArray:
        mean, var = self.model.predict(xs)
        out: FloatArray = special.log_ndtr(-mean / np.sqrt(var))
        return out

    def log_probability_with_gradient(self, xs: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``log P`` and its gradient ``(m, d)`` with respect to the numeric features."""
        mean, var, g_mean, g_var = self.model.predict_with_gradient(xs)
        scale = self.model.y_scale
        m = self.model.y_mean + scale * mean
        sd = scale * np.sqrt(var)
        u = -m / sd
        log_p = special.log_ndtr(u)
        ratio = np.exp(-0.5 * u * u - 0.5 * math.log(2.0 * math.pi) - log_p)  # phi / Phi
        # du/dx = (-dm/dx - u dsd/dx) / sd, dm = scale g_mean, dsd = scale g_var / (2 sqrt var)
        u_d_sd = u[:, None] * scale * g_var / (2.0 * np.sqrt(var)[:, None])
        d_u = (-scale * g_mean - u_d_sd) / sd[:, None]
        grad: FloatArray = ratio[:, None] * d_u
        return log_p, grad


def survival_model(space: SearchSpace, trials: Sequence[Trial]) -> Survival | None:
    """The constraint's model, or None while the rule has stopped no trial with a curve."""
    if not any(t.stopped_early and t.curve for t in trials):
        return None
    with_curve = [t for t in trials if t.curve]
    x, kept = space.encode_many([t.params for t in with_curve])
    margin = margins([with_curve[i].curve for i in kept])
    known = np.isfinite(margin)
    if known.sum() < MIN_REFERENCE or not (margin[known] > 0).any():
        return None
    # Far from every job the prediction reverts to "at the threshold" (a coin flip), not the
    # average job's margin, unless the jobs so far were mostly stopped.
    return Survival(gp.fit_gp(x[known], margin[known], space.categorical_mask, min_prior_mean=0.0))
