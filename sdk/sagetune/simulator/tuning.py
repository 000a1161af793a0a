"""One tuning job at work: what to launch next, when to stop a job early, when it is done.

A ``TuningRun`` turns the tuning request into search spaces and strategies (one per training
job definition), launches training jobs up to MaxParallelTrainingJobs, feeds each finished
job back to its strategy, applies early stopping (median rule) or Hyperband's rungs after
every epoch, and ends the tuning job when a completion criterion fires.

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
from typing import TYPE_CHECKING, Any

import attrs

from sagetune.codec import to_wire
from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    HyperParameterTrainingJobDefinition,
    ParameterRanges,
)
from sagetune.rules import (
    infer_max_resource,
    objective_of,
    ranges_of,
    training_job_definitions,
)
from sagetune.simulator.records import TrainingJobRecord, TuningJobRecord
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
    make_strategy,
    median_rule_stops,
    running_averages,
)

if TYPE_CHECKING:
    from sagetune.simulator.engine import Engine

TUNING_OBJECTIVE_HYPERPARAMETER = "_tuning_objective_metric"
"""SageMaker passes the objective metric's name to every training job of a tuning job."""

IMPROVEMENT = 0.01
"""BestObjectiveNotImproving: a job improves on the best only by at least 1%."""


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
                    scaling=str(r.scaling_type or "Auto"),  # type: ignore[arg-type]
                )
            )
        for c in ranges.continuous_parameter_ranges or []:
            dims.append(
                ContinuousDim(
                    name=c.name,
                    low=float(c.min_value),
                    high=float(c.max_value),
                    scaling=str(c.scaling_type or "Auto"),  # type: ignore[arg-type]
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
    wire: dict[str, Any]
    space: SearchSpace
    strategy: Strategy
    metric: str
    minimize: bool
    seed: int
    warm_start: WarmStart | None = None


class TuningRun:
    """The live part of a tuning job (rebuilt from records after a restart)."""

    def __init__(
        self,
        engine: Engine,
        rec: TuningJobRecord,
        request: CreateHyperParameterTuningJobRequest,
        parents: Mapping[str | None, WarmStart] | None = None,
    ) -> None:
        self.engine = engine
        self.rec = rec
        self.request = request
        config = request.hyper_parameter_tuning_job_config
        self.config = config
        self.strategy_name = str(config.strategy)
        limits = config.resource_limits
        self.max_parallel = limits.max_parallel_training_jobs
        self.max_runtime = limits.max_runtime_in_seconds
        self.seed = config.random_seed if config.random_seed is not None else default_seed(rec.name)
        self.early_stopping = config.training_job_early_stopping_type == "Auto"
        self.plans = self._plans(parents or {})
        self.max_jobs = limits.max_number_of_training_jobs or engine.default_max_jobs(self)
        self.hyperband = self._hyperband()
        self.jobs: list[TrainingJobRecord] = []
        self.curves: list[list[float]] = []  # per launch index, objective per epoch, minimize form
        self.finish_order: list[int] = []  # launch indexes in the order their jobs ended
        self._averages: dict[int, list[float]] = {}  # launch index -> running averages, finished
        self.ending = False  # a completion criterion fired: launch nothing more

    # -- setup

    def _plans(self, parents: Mapping[str | None, WarmStart]) -> list[Plan]:
        req = self.request
        definitions = training_job_definitions(req)
        plans = []
        for i, d in enumerate(definitions):
            objective = objective_of(self.config, d)
            assert objective is not None  # the rules layer checked it
            ranges = ranges_of(self.config, d)
            plans.append(
                Plan(
                    name=d.definition_name,
                    definition=d,
                    wire=to_wire(d),
                    space=search_space(ranges),
                    strategy=make_strategy(self.strategy_name),  # type: ignore[arg-type]
                    metric=objective.metric_name,
                    minimize=objective.type == "Minimize",
                    seed=self.seed if i == 0 else job_seed(self.seed, 10_000 + i),
                    warm_start=parents.get(d.definition_name) or parents.get(None),
                )
            )
        return plans

    def _hyperband(self) -> HyperbandRule | None:
        if self.strategy_name != "Hyperband":
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

    def adopt(self, rec: TrainingJobRecord, curve: Sequence[float]) -> None:
        """Take back a training job after a restart (in launch order)."""
        plan = self.plan_of(rec)
        self.jobs.append(rec)
        self.curves.append([v if plan.minimize else -v for v in curve])

    # -- state the strategies and rules see

    def running(self) -> list[TrainingJobRecord]:
        return [j for j in self.jobs if not j.terminal]

    def minimize_value(self, rec: TrainingJobRecord) -> float | None:
        if rec.final_objective is None or rec.objective_status != "Succeeded":
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

    # -- launching

    def fill(self, t: float) -> None:
        """Launch training jobs until MaxParallelTrainingJobs run or the budget is spent."""
        if self.rec.status != "InProgress" or self.ending:
            return
        while len(self.running()) < self.max_parallel and self.rec.launched < self.max_jobs:
            self._launch(t)

    def _launch(self, t: float) -> None:
        index = self.rec.launched
        plan_index = index % len(self.plans)
        plan = self.plans[plan_index]
        tuned = plan.strategy.suggest(self.state_for(plan_index))
        seed = job_seed(self.seed, index)
        static = dict(plan.definition.static_hyper_parameters or {})
        hyperparameters = {**static, **tuned, TUNING_OBJECTIVE_HYPERPARAMETER: plan.metric}
        spec = {
            key: value
            for key, value in plan.wire.items()
            if key
            in (
                "AlgorithmSpecification",
                "RoleArn",
                "InputDataConfig",
                "VpcConfig",
                "OutputDataConfig",
                "ResourceConfig",
                "StoppingCondition",
                "EnableNetworkIsolation",
                "EnableInterContainerTrafficEncryption",
                "EnableManagedSpotTraining",
                "CheckpointConfig",
                "RetryStrategy",
                "Environment",
            )
        }
        spec["HyperParameters"] = hyperparameters
        spec["TrainingJobName"] = training_job_name(self.rec.name, index, self.seed)
        self.rec.launched += 1
        self.rec.last_modified = t
        rec = self.engine.launch_training_job(
            spec,
            t,
            seed=seed,
            tuning_job=self.rec.name,
            launch_index=index,
            definition_name=plan.name,
            tuned=tuned,
            objective_metric=plan.metric,
        )
        self.jobs.append(rec)
        self.curves.append([])
        self.engine.mark_tuning(self.rec)

    # -- per-epoch decisions

    def on_objective(self, rec: TrainingJobRecord, value: float, t: float) -> str | None:
        """A training job reported its objective for one more epoch: stop it? (reason)"""
        assert rec.launch_index is not None
        plan = self.plan_of(rec)
        curve = self.curves[rec.launch_index]
        curve.append(value if plan.minimize else -value)
        if self.hyperband is not None:
            if len(curve) >= self.hyperband.max_epochs(rec.launch_index):
                return "max-resource"
            if self.hyperband.should_stop(rec.launch_index, self.curves):
                return "hyperband"
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
                return "early-stopping"
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

    def on_training_end(self, rec: TrainingJobRecord, t: float) -> None:
        assert rec.launch_index is not None
        self.finish_order.append(rec.launch_index)
        if self.rec.terminal:
            return
        if not self.ending:
            reason = self._criterion_fired()
            if reason is not None:
                self._end_with(reason, t)
            elif self._failed_too_often():
                self.rec.failure_reason = (
                    f"All of the first {len(self.finish_order)} training jobs failed. "
                    f"Last failure: {rec.failure_reason or 'no objective metric was reported'}"
                )
                self._end_with("failed", t)
        self.fill(t)
        self.settle(t)

    def settle(self, t: float) -> None:
        """Move to a terminal status once nothing runs and nothing more will launch."""
        if self.rec.terminal or self.running():
            return
        rec = self.rec
        if rec.status == "Stopping":
            self._close(t, "Stopped")
        elif rec.failure_reason is not None:
            self._close(t, "Failed")
        elif self.ending or rec.launched >= self.max_jobs:
            if rec.completion_reason is None:
                rec.completion_reason = "MaxNumberOfTrainingJobs"
            self._close(t, "Completed")

    def _close(self, t: float, status: str) -> None:
        self.rec.status = status
        self.rec.ended = t
        self.rec.last_modified = t
        self.rec.not_improving = self.not_improving_count()
        self.engine.mark_tuning(self.rec)

    def _end_with(self, reason: str, t: float) -> None:
        self.ending = True
        if reason != "failed":
            self.rec.completion_reason = reason
        for job in self.running():
            self.engine.stop_training_run(job, t, "tuning-job")
        self.engine.mark_tuning(self.rec)

    def on_deadline(self, t: float) -> None:
        """MaxRuntimeInSeconds of the tuning job is reached."""
        if self.rec.terminal or self.ending or self.rec.status != "InProgress":
            return
        self._end_with("MaxRuntimeInSeconds", t)
        self.settle(t)

    def stop(self, t: float) -> None:
        """StopHyperParameterTuningJob: Stopping, then Stopped once every job has stopped."""
        self.rec.status = "Stopping"
        self.rec.stop_requested = t
        self.rec.last_modified = t
        self.ending = True
        for job in self.running():
            self.engine.stop_training_run(job, t, "tuning-job")
        self.engine.mark_tuning(self.rec)
        self.settle(t)

    # -- completion criteria

    def _criterion_fired(self) -> str | None:
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
                    return "TargetObjectiveMetricValue"
            not_improving = criteria.best_objective_not_improving
            limit = (
                not_improving.max_number_of_training_jobs_not_improving if not_improving else None
            )
            if limit is not None and self.not_improving_count() >= limit:
                return "BestObjectiveNotImproving"
            convergence = criteria.convergence_detected
            if (
                convergence is not None
                and convergence.complete_on_convergence == "Enabled"
                and self._converged()
            ):
                self.rec.converged_at = self.engine.clock.now()
                return "ConvergenceDetected"
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
        return all(j.status == "Failed" for j in first)
