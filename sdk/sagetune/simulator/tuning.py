"""One tuning job at work: what to launch next, when to stop a job early, when it is done.

A ``TuningRun`` turns the tuning request into search spaces and strategies (one per training
job definition), decides which training jobs to launch (up to MaxParallelTrainingJobs, each
suggestion computed from a ``LaunchSlot`` snapshot), feeds each finished job back to its
strategy, applies early stopping (median rule) or Hyperband's rungs after every epoch, and
ends the tuning job when a completion criterion fires. It never calls the engine: it returns
decisions (``LaunchTraining``, ``StopTraining``, ``FinishTraining``) that the engine carries
out.

Choices where the documentation is silent (also in the README):

- Multi-algorithm jobs (TrainingJobDefinitions) launch definitions in turn (round robin);
  each definition has its own strategy and search space; the best job is chosen across all.
- A tuning job fails when every one of its first ``min(MaxNumberOfTrainingJobs,
  max(3, MaxParallelTrainingJobs))`` finished training jobs failed.
- When MaxRuntimeInSeconds or another completion criterion fires, running training jobs are
  stopped and the tuning job ends Completed once they have stopped.
- Training jobs early-stopped by the median rule or Hyperband end Stopped, with an objective
  (ObjectiveStatus Succeeded) taken from their last epoch.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence

import attrs

from sagetune.model import (
    CompleteOnConvergence,
    CreateTrainingJobRequest,
    HyperParameterScalingType,
    HyperParameterTrainingJobDefinition,
    HyperParameterTuningJobObjectiveType,
    HyperParameterTuningJobStatus,
    HyperParameterTuningJobStrategyType,
    ObjectiveStatus,
    ParameterRanges,
    TrainingJobEarlyStoppingType,
    TrainingJobStatus,
)
from sagetune.rules import (
    infer_max_resource,
    objective_of,
    ranges_of,
    training_job_definitions,
)
from sagetune.simulator.records import (
    CompletionReason,
    StopReason,
    TrainingJobRecord,
    TuningJobRecord,
)
from sagetune.simulator.requests import training_request
from sagetune.simulator.search import (
    CategoricalDim,
    ContinuousDim,
    HyperbandRule,
    IntegerDim,
    SearchSpace,
    SearchState,
    Strategy,
    Trial,
    WarmStart,
    grid_size,
    make_strategy,
    median_rule_stops,
    running_averages,
)

IMPROVEMENT = 0.01
"""BestObjectiveNotImproving: a job improves on the best only by at least 1%."""

MAX_TRAINING_JOBS = 750
MAX_TRAINING_JOBS_RANDOM = 10_000
"""Training jobs per tuning job: the service's limit (the Random strategy's is higher)."""


def training_job_limit(strategy: str) -> int:
    """The most training jobs a tuning job with ``strategy`` may run (parents' included)."""
    if strategy == HyperParameterTuningJobStrategyType.RANDOM:
        return MAX_TRAINING_JOBS_RANDOM
    return MAX_TRAINING_JOBS


_SUCCEEDED = ObjectiveStatus.SUCCEEDED
"""Bound once: read for every finished job each time a suggestion is asked for (an Enum
attribute lookup costs about 75 ns on Python 3.11)."""


def default_seed(name: str) -> int:
    """The RandomSeed of a tuning job that gave none: derived from its name, reproducible."""
    return zlib.crc32(name.encode("utf-8"))


def job_seed(tuning_seed: int, index: int) -> int:
    return zlib.crc32(f"{tuning_seed}:{index}".encode())


def training_job_name(tuning_name: str, index: int, seed: int) -> str:
    """``<tuning job>-<three-digit index>-<8 hex>``, like the service names them."""
    suffix = zlib.crc32(f"{tuning_name}/{index}/{seed}".encode()) & 0xFFFFFFFF
    return f"{tuning_name}-{index + 1:03d}-{suffix:08x}"


def search_space(ranges: ParameterRanges | None) -> SearchSpace:
    dims: list[IntegerDim | ContinuousDim | CategoricalDim] = []
    if ranges is not None:
        for r in ranges.integer_parameter_ranges or []:
            dims.append(
                IntegerDim(
                    name=r.name,
                    low=int(r.min_value),
                    high=int(r.max_value),
                    scaling=str(r.scaling_type or HyperParameterScalingType.AUTO),  # type: ignore[arg-type]
                )
            )
        for c in ranges.continuous_parameter_ranges or []:
            dims.append(
                ContinuousDim(
                    name=c.name,
                    low=float(c.min_value),
                    high=float(c.max_value),
                    scaling=str(c.scaling_type or HyperParameterScalingType.AUTO),  # type: ignore[arg-type]
                )
            )
        for g in ranges.categorical_parameter_ranges or []:
            dims.append(CategoricalDim(name=g.name, values=tuple(g.values)))
    return SearchSpace(dims=tuple(dims))


@attrs.define(kw_only=True)
class Plan:
    """How one training job definition is tuned."""

    name: str | None
    definition: HyperParameterTrainingJobDefinition
    space: SearchSpace
    strategy: Strategy
    metric: str
    minimize: bool
    seed: int
    warm_start: WarmStart | None = None


# -- what a TuningRun asks the engine to do


@attrs.frozen(kw_only=True)
class LaunchSlot:
    """The next training job a tuning job may launch, and everything its strategy may read.

    A snapshot: ``suggest()`` is a pure function of it, so it can be computed anywhere (even
    without the simulator's lock); ``TuningRun.launch`` then applies the answer, which is
    valid only while the run has not moved on (``index`` still next, ``state`` unchanged).
    """

    tuning_job: str
    index: int  # the launch index being asked for
    plan_index: int
    strategy: Strategy
    state: SearchState

    def suggest(self) -> dict[str, str]:
        return self.strategy.suggest(self.state)


@attrs.frozen(kw_only=True)
class LaunchTraining:
    """Decision: launch a training job with this request for the tuning job."""

    request: CreateTrainingJobRequest
    launch_index: int
    seed: int
    definition_name: str | None
    tuned: Mapping[str, str]
    objective_metric: str
    tags: Mapping[str, str]
    """The tuning job's tags as they are now: its training job keeps them (AddTags and
    DeleteTags on the tuning job change only the jobs it launches afterwards)."""


@attrs.frozen(kw_only=True)
class StopTraining:
    """Decision: stop this training job."""

    name: str
    reason: StopReason


@attrs.frozen(kw_only=True)
class FinishTraining:
    """Decision: end this training job's training now, as if its algorithm had finished
    (Hyperband's MaxResource)."""

    name: str


class TuningRun:
    """The live part of a tuning job (rebuilt from records after a restart).

    It changes only its own record; what it wants done to training jobs it returns as
    decisions, which the engine carries out: ``LaunchTraining`` (from ``launch``),
    ``StopTraining`` and ``FinishTraining``. After every event it was fed, the engine
    launches what ``next_launch`` offers, then calls ``settle``.
    """

    def __init__(
        self, rec: TuningJobRecord, parents: Mapping[str | None, WarmStart] | None = None
    ) -> None:
        self.rec = rec
        config = rec.request.hyper_parameter_tuning_job_config
        self.config = config
        self.strategy_name = str(config.strategy)
        limits = config.resource_limits
        self.max_parallel = limits.max_parallel_training_jobs
        self.max_runtime = limits.max_runtime_in_seconds
        self.seed = config.random_seed if config.random_seed is not None else default_seed(rec.name)
        self.early_stopping = (
            config.training_job_early_stopping_type == TrainingJobEarlyStoppingType.AUTO
        )
        self.plans = self._plans(parents or {})
        self.max_jobs = limits.max_number_of_training_jobs or self._default_max_jobs()
        self.hyperband = self._hyperband()
        self.jobs: list[TrainingJobRecord] = []
        self.curves: list[list[float]] = []  # per launch index, objective per epoch, minimize form
        self.finish_order: list[int] = []  # launch indexes in the order their jobs ended
        self._averages: dict[int, list[float]] = {}  # launch index -> running averages, finished
        self.ending = False  # a completion criterion fired: launch nothing more

    # -- setup

    def _plans(self, parents: Mapping[str | None, WarmStart]) -> list[Plan]:
        definitions = training_job_definitions(self.rec.request)
        plans = []
        for i, d in enumerate(definitions):
            objective = objective_of(self.config, d)
            assert objective is not None  # the rules layer checked it
            ranges = ranges_of(self.config, d)
            plans.append(
                Plan(
                    name=d.definition_name,
                    definition=d,
                    space=search_space(ranges),
                    strategy=make_strategy(self.strategy_name),  # type: ignore[arg-type]
                    metric=objective.metric_name,
                    minimize=objective.type == HyperParameterTuningJobObjectiveType.MINIMIZE,
                    seed=self.seed if i == 0 else job_seed(self.seed, 10_000 + i),
                    warm_start=parents.get(d.definition_name) or parents.get(None),
                )
            )
        return plans

    def _default_max_jobs(self) -> int:
        """MaxNumberOfTrainingJobs left out: every combination for Grid, else the limit."""
        if self.strategy_name == HyperParameterTuningJobStrategyType.GRID:
            return grid_size(self.plans[0].space)
        return training_job_limit(self.strategy_name)

    def _hyperband(self) -> HyperbandRule | None:
        if self.strategy_name != HyperParameterTuningJobStrategyType.HYPERBAND:
            return None
        strategy_config = self.config.strategy_config
        hb = strategy_config.hyperband_strategy_config if strategy_config else None
        plan = self.plans[0]
        max_resource = (hb.max_resource if hb else None) or infer_max_resource(
            plan.definition.static_hyper_parameters or {}
        )
        min_resource = (hb.min_resource if hb else None) or 1
        assert max_resource is not None  # the rules layer checked it
        return HyperbandRule(min_resource=min_resource, max_resource=max_resource)

    def plan_of(self, rec: TrainingJobRecord) -> Plan:
        assert rec.launch_index is not None
        return self.plans[rec.launch_index % len(self.plans)]

    def track(self, rec: TrainingJobRecord, curve: Sequence[float] = ()) -> None:
        """Follow a training job of this run: just launched, or taken back after a restart
        (in launch order, with the objective values it reported so far)."""
        plan = self.plan_of(rec)
        self.jobs.append(rec)
        self.curves.append([v if plan.minimize else -v for v in curve])

    def restore(self, jobs: Sequence[TrainingJobRecord], curves: Sequence[Sequence[float]]) -> None:
        """Take back every training job after a restart (in launch order, with its curve)."""
        for job, curve in zip(jobs, curves, strict=True):
            self.track(job, curve)
        ended = sorted(
            (j for j in jobs if j.terminal),
            key=lambda j: (j.training_end or j.last_modified, j.seq),
        )
        self.finish_order = [j.launch_index for j in ended if j.launch_index is not None]
        rec = self.rec
        self.ending = (
            rec.status == HyperParameterTuningJobStatus.STOPPING
            or rec.completion_reason is not None
            or rec.failure_reason is not None
        )

    # -- state the strategies and rules see

    def running(self) -> list[TrainingJobRecord]:
        return [j for j in self.jobs if not j.terminal]

    def minimize_value(self, rec: TrainingJobRecord) -> float | None:
        if rec.final_objective is None or rec.objective_status is not _SUCCEEDED:
            return None
        return rec.final_objective if self.plan_of(rec).minimize else -rec.final_objective

    def state_for(self, plan_index: int) -> SearchState:
        plan = self.plans[plan_index]
        mine = self.jobs[plan_index :: len(self.plans)]  # launch index % plans = plan index
        curves = self.curves[plan_index :: len(self.plans)]
        trials = tuple(
            Trial(
                params=j.tuned,
                value=self.minimize_value(j),
                stopped_early=j.stopped_early,
                curve=tuple(curve),
            )
            for j, curve in zip(mine, curves, strict=True)
            if j.terminal
        )
        pending = tuple(j.tuned for j in mine if not j.terminal)
        return SearchState(
            space=plan.space,
            seed=plan.seed,
            trials=trials,
            pending=pending,
            issued=len(mine),
            warm_start=plan.warm_start,
        )

    # -- launching: a snapshot to compute the suggestion from, then the decision

    def next_launch(self) -> LaunchSlot | None:
        """The training job to launch now (None: MaxParallelTrainingJobs run, the budget is
        spent, or the tuning job is ending)."""
        rec = self.rec
        if rec.status != HyperParameterTuningJobStatus.IN_PROGRESS or self.ending:
            return None
        if len(self.running()) >= self.max_parallel or rec.launched >= self.max_jobs:
            return None
        index = rec.launched
        plan_index = index % len(self.plans)
        return LaunchSlot(
            tuning_job=rec.name,
            index=index,
            plan_index=plan_index,
            strategy=self.plans[plan_index].strategy,
            state=self.state_for(plan_index),
        )

    def launch(self, slot: LaunchSlot, tuned: Mapping[str, str], t: float) -> LaunchTraining:
        """Apply ``slot``'s suggestion ``tuned``: the decision to launch its training job."""
        rec = self.rec
        if slot.tuning_job != rec.name or slot.index != rec.launched:
            raise RuntimeError(f"launch slot {slot.index} of {slot.tuning_job} is stale")
        plan = self.plans[slot.plan_index]
        # The stored definition's static hyperparameters hold the objective's name
        # (requests.SERVICE_DEFAULTS), so every training job has it.
        static = plan.definition.static_hyper_parameters or {}
        hyperparameters = {**static, **tuned}
        request = training_request(
            plan.definition,
            name=training_job_name(rec.name, slot.index, self.seed),
            hyperparameters=hyperparameters,
        )
        rec.launched += 1
        rec.last_modified = t
        return LaunchTraining(
            request=request,
            launch_index=slot.index,
            seed=job_seed(self.seed, slot.index),
            definition_name=plan.name,
            tuned=dict(tuned),
            objective_metric=plan.metric,
            tags=dict(rec.tags),
        )

    # -- per-epoch decisions

    def on_objective(
        self, rec: TrainingJobRecord, value: float
    ) -> StopTraining | FinishTraining | None:
        """A training job reported its objective for one more epoch: stop it?"""
        assert rec.launch_index is not None
        plan = self.plan_of(rec)
        curve = self.curves[rec.launch_index]
        curve.append(value if plan.minimize else -value)
        if self.hyperband is not None:
            if len(curve) >= self.hyperband.max_epochs(rec.launch_index):
                return FinishTraining(name=rec.name)
            if self.hyperband.should_stop(rec.launch_index, self.curves):
                return StopTraining(name=rec.name, reason=StopReason.HYPERBAND)
            return None
        if self.early_stopping:
            # Earlier jobs: launched before this one and finished (median_stopping's doc).
            epoch = len(curve)
            earlier = [
                averages[epoch - 1]
                for averages in self._finished_averages(rec.launch_index)
                if len(averages) >= epoch
            ]
            if median_rule_stops(curve, earlier):
                return StopTraining(name=rec.name, reason=StopReason.EARLY_STOPPING)
        return None

    def _finished_averages(self, before: int) -> list[list[float]]:
        """Running averages of the finished jobs launched before ``before``; a finished
        job's curve never changes, so each is computed once."""
        found = []
        for index, job in enumerate(self.jobs[:before]):
            if job.terminal:
                averages = self._averages.get(index)
                if averages is None:
                    averages = self._averages[index] = running_averages(self.curves[index])
                found.append(averages)
        return found

    # -- ends

    def on_training_end(self, rec: TrainingJobRecord, t: float) -> list[StopTraining]:
        """One of its training jobs ended: does a completion criterion fire, or did the
        tuning job fail?"""
        assert rec.launch_index is not None
        self.finish_order.append(rec.launch_index)
        if self.rec.terminal or self.ending:
            return []
        reason = self._criterion_fired(t)
        if reason is not None:
            return self._end_with(reason)
        if self._failed_too_often():
            self.rec.failure_reason = (
                f"All of the first {len(self.finish_order)} training jobs failed. "
                f"Last failure: {rec.failure_reason or 'no objective metric was reported'}"
            )
            return self._end_with(None)
        return []

    def settle(self, t: float) -> None:
        """Move to a terminal status once nothing runs and nothing more will launch."""
        if self.rec.terminal or self.running():
            return
        rec = self.rec
        if rec.status == HyperParameterTuningJobStatus.STOPPING:
            self._close(t, HyperParameterTuningJobStatus.STOPPED)
        elif rec.failure_reason is not None:
            self._close(t, HyperParameterTuningJobStatus.FAILED)
        elif self.ending or rec.launched >= self.max_jobs:
            if rec.completion_reason is None:
                rec.completion_reason = CompletionReason.MAX_NUMBER_OF_TRAINING_JOBS
            self._close(t, HyperParameterTuningJobStatus.COMPLETED)

    def _close(self, t: float, status: HyperParameterTuningJobStatus) -> None:
        self.rec.status = status
        self.rec.ended = t
        self.rec.last_modified = t
        self.rec.not_improving = self.not_improving_count()

    def _end_with(self, reason: CompletionReason | None) -> list[StopTraining]:
        """Launch nothing more and stop what runs (``reason``: the criterion; None: failed)."""
        self.ending = True
        if reason is not None:
            self.rec.completion_reason = reason
        return [StopTraining(name=j.name, reason=StopReason.TUNING_JOB) for j in self.running()]

    def on_deadline(self) -> list[StopTraining]:
        """MaxRuntimeInSeconds of the tuning job is reached."""
        rec = self.rec
        if rec.terminal or self.ending or rec.status != HyperParameterTuningJobStatus.IN_PROGRESS:
            return []
        return self._end_with(CompletionReason.MAX_RUNTIME_IN_SECONDS)

    def stop(self, t: float) -> list[StopTraining]:
        """StopHyperParameterTuningJob: Stopping, then Stopped once every job has stopped."""
        self.rec.status = HyperParameterTuningJobStatus.STOPPING
        self.rec.stop_requested = t
        self.rec.last_modified = t
        return self._end_with(None)

    # -- completion criteria

    def _criterion_fired(self, t: float) -> CompletionReason | None:
        criteria = self.config.tuning_job_completion_criteria
        if criteria is None:
            return None
        best = self.best_value()
        if best is not None:
            target = criteria.target_objective_metric_value
            if target is not None:
                plan = self.plans[0]
                goal = target if plan.minimize else -target
                if best <= goal:
                    return CompletionReason.TARGET_OBJECTIVE_METRIC_VALUE
            not_improving = criteria.best_objective_not_improving
            limit = (
                not_improving.max_number_of_training_jobs_not_improving if not_improving else None
            )
            if limit is not None and self.not_improving_count() >= limit:
                return CompletionReason.BEST_OBJECTIVE_NOT_IMPROVING
            convergence = criteria.convergence_detected
            if (
                convergence is not None
                and convergence.complete_on_convergence == CompleteOnConvergence.ENABLED
                and self._converged()
            ):
                self.rec.converged_at = t
                return CompletionReason.CONVERGENCE_DETECTED
        return None

    def best_value(self) -> float | None:
        values = [v for j in self.jobs if j.terminal if (v := self.minimize_value(j)) is not None]
        return min(values) if values else None

    def not_improving_count(self) -> int:
        """Finished training jobs since the best objective last improved by at least 1%."""
        best: float | None = None
        since = 0
        for index in self.finish_order:
            value = self.minimize_value(self.jobs[index])
            if value is None:
                since += 1
                continue
            if best is None or best - value >= IMPROVEMENT * max(abs(best), 1e-12):
                best, since = value, 0
            else:
                since += 1
        return since

    def _converged(self) -> bool:
        """Convergence: the best objective has not moved by 0.1% over the last
        max(10, 25% of the finished jobs), after at least 20 finished jobs."""
        finished = len(self.finish_order)
        if finished < 20:
            return False
        window = max(10, finished // 4)
        values = [self.minimize_value(self.jobs[i]) for i in self.finish_order]
        prefix = [v for v in values[: finished - window] if v is not None]
        everything = [v for v in values if v is not None]
        if not prefix or not everything:
            return False
        before, now = min(prefix), min(everything)
        return before - now < 0.001 * max(abs(before), 1e-12)

    def _failed_too_often(self) -> bool:
        threshold = min(self.max_jobs, max(3, self.max_parallel))
        if len(self.finish_order) < threshold:
            return False
        first = [self.jobs[i] for i in self.finish_order[:threshold]]
        return all(j.status == TrainingJobStatus.FAILED for j in first)
