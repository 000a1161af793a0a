"""The discrete-event core: every change of state is an event at a simulated instant.

Events are kept in one heap ordered by (time, creation order), so the outcome is a
deterministic function of the requests, the seeds and the clock. ``advance()`` processes
every event due by the clock's ``now()`` and flushes the changes to the store in one
transaction; ``step()`` processes just the next event (the driver of ``--time-scale max``).

The engine owns the records of every job in memory (the store persists them) and the live
parts of running jobs: ``TrainingRun`` (the algorithm's generator) and ``TuningRun`` (the
strategies). After a restart, ``load()`` rebuilds both from the database.
"""

from __future__ import annotations

import heapq
import zlib
from collections.abc import Mapping
from typing import Any

from sagetune.codec import from_wire
from sagetune.model import CreateHyperParameterTuningJobRequest
from sagetune.simulator.algorithms import AlgorithmRegistry, AlgorithmSpec
from sagetune.simulator.clock import Clock
from sagetune.simulator.metrics import compile_metric_definitions
from sagetune.simulator.records import TrainingJobRecord, TuningJobRecord
from sagetune.simulator.search import WarmStart
from sagetune.simulator.store import Store
from sagetune.simulator.training import TrainingRun, context_for
from sagetune.simulator.tuning import TuningRun

MAX_TRAINING_JOBS = 750
MAX_TRAINING_JOBS_RANDOM = 10_000


class Engine:
    """Runs training and tuning jobs on the simulated clock."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        algorithms: AlgorithmRegistry,
        *,
        region: str,
        account_id: str,
    ) -> None:
        self.store = store
        self.clock = clock
        self.algorithms = algorithms
        self.region = region
        self.account_id = account_id
        self.tuning_jobs: dict[str, TuningJobRecord] = {}
        self.training_jobs: dict[str, TrainingJobRecord] = {}
        self.training_by_tuning: dict[str, list[str]] = {}
        self.runs: dict[str, TrainingRun] = {}
        self.tunings: dict[str, TuningRun] = {}
        self._heap: list[tuple[float, int, int, str, int]] = []  # time, kind, seq, name, version
        self._seq = 0
        self._dirty_tuning: dict[str, TuningJobRecord] = {}
        self._dirty_training: dict[str, TrainingJobRecord] = {}
        self._lines: list[tuple[str, int, float, str]] = []
        self._points: list[tuple[str, str, int, float, float]] = []
        self._objectives: dict[str, str] = {}  # training job -> objective metric name
        self.now = clock.now()
        self._flushed_at: float | None = None

    # -- identity

    def arn(self, kind: str, name: str) -> str:
        return f"arn:aws:sagemaker:{self.region}:{self.account_id}:{kind}/{name.lower()}"

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # -- persistence

    def load(self) -> None:
        """Rebuild records and live runs from the store (after a restart)."""
        saved = self.store.get_meta("sim_time")
        if saved is not None:
            self.clock.start_at(float(saved))
        self.now = self.clock.now()
        for t_rec in self.store.load_tuning_jobs():
            self.tuning_jobs[t_rec.name] = t_rec
            self._seq = max(self._seq, t_rec.seq)
        for j_rec in self.store.load_training_jobs():
            self.training_jobs[j_rec.name] = j_rec
            self._seq = max(self._seq, j_rec.seq)
            if j_rec.tuning_job is not None:
                self.training_by_tuning.setdefault(j_rec.tuning_job, []).append(j_rec.name)
        for t_rec in self.tuning_jobs.values():
            if not t_rec.terminal:
                self._revive_tuning(t_rec)
        for j_rec in self.training_jobs.values():
            if not j_rec.terminal:
                self._revive_training(j_rec)

    def _revive_tuning(self, rec: TuningJobRecord) -> None:
        request = from_wire(CreateHyperParameterTuningJobRequest, rec.request)
        run = TuningRun(self, rec, request, self._warm_start_for(request))
        names = sorted(
            self.training_by_tuning.get(rec.name, []),
            key=lambda n: self.training_jobs[n].launch_index or 0,
        )
        metrics = {n: run.plan_of(self.training_jobs[n]).metric for n in names}
        curves = {n: self.store.objective_curves([n], metrics[n])[n] for n in names}
        for n in names:
            job = self.training_jobs[n]
            run.adopt(job, curves[n])
            self._objectives[n] = metrics[n]
        ended = [j for j in run.jobs if j.terminal]
        ended.sort(key=lambda j: (j.training_end or j.last_modified, j.seq))
        run.finish_order = [j.launch_index for j in ended if j.launch_index is not None]
        run.ending = rec.status == "Stopping" or rec.completion_reason is not None
        self.tunings[rec.name] = run
        if rec.status == "InProgress" and run.max_runtime is not None:
            self._push_tuning_deadline(rec, run)

    def _revive_training(self, rec: TrainingJobRecord) -> None:
        run = self._make_run(rec)
        failure = run.resume()
        self.runs[rec.name] = run
        if failure is not None:
            run.fail(self.now, failure)
            self._ended(rec, self.now)
            return
        self._push(rec, run)

    def flush(self) -> None:
        """Write every change since the last flush, and the simulated time, atomically."""
        changed = self._dirty_tuning or self._dirty_training or self._lines or self._points
        if not changed and self.now == self._flushed_at:
            return
        with self.store.transaction():
            if self._dirty_tuning:
                self.store.save_tuning_jobs(self._dirty_tuning.values())
            if self._dirty_training:
                self.store.save_training_jobs(self._dirty_training.values())
            if self._lines:
                self.store.append_log_lines(self._lines)
            if self._points:
                self.store.append_metric_points(self._points)
            self.store.set_meta("sim_time", repr(self.now))
        self._dirty_tuning.clear()
        self._dirty_training.clear()
        self._lines.clear()
        self._points.clear()
        self._flushed_at = self.now

    def mark_tuning(self, rec: TuningJobRecord) -> None:
        self._dirty_tuning[rec.name] = rec

    def mark_training(self, rec: TrainingJobRecord) -> None:
        self._dirty_training[rec.name] = rec

    # -- the event loop

    def _push(self, rec: TrainingJobRecord, run: TrainingRun) -> None:
        if rec.next_event is not None:
            heapq.heappush(self._heap, (rec.next_event, 1, rec.seq, rec.name, run.version))
        self.mark_training(rec)

    def _push_tuning_deadline(self, rec: TuningJobRecord, run: TuningRun) -> None:
        assert run.max_runtime is not None
        heapq.heappush(self._heap, (rec.created + run.max_runtime, 0, rec.seq, rec.name, -1))

    def next_event_time(self) -> float | None:
        while self._heap and self._stale(self._heap[0]):
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def _stale(self, entry: tuple[float, int, int, str, int]) -> bool:
        t, kind, _, name, version = entry
        if kind == 0:
            rec = self.tuning_jobs.get(name)
            return rec is None or rec.terminal
        run = self.runs.get(name)
        return run is None or run.version != version or run.rec.next_event != t

    def advance(self, until: float | None = None) -> None:
        """Process every event due by ``until`` (default: the clock's now), then flush."""
        target = self.clock.now() if until is None else until
        while True:
            t = self.next_event_time()
            if t is None or t > target:
                break
            self._process(heapq.heappop(self._heap))
        self.now = max(self.now, target)
        self.flush()

    def step(self) -> float | None:
        """Process the next event, whatever its time; returns its time (None: idle).

        The caller flushes (``flush()``) when it wants the progress persisted.
        """
        t = self.next_event_time()
        if t is None:
            return None
        self._process(heapq.heappop(self._heap))
        return t

    def _process(self, entry: tuple[float, int, int, str, int]) -> None:
        t, kind, _, name, _ = entry
        self.now = max(self.now, t)
        if kind == 0:
            self.tunings[name].on_deadline(t)
            return
        run = self.runs[name]
        rec = run.rec
        outcome = run.on_event(t, self._on_line)
        if outcome is not None:
            self._ended(rec, t)
        else:
            self._push(rec, run)

    def _on_line(
        self,
        rec: TrainingJobRecord,
        number: int,
        t: float,
        line: str,
        metrics: Mapping[str, float],
    ) -> None:
        self._lines.append((rec.name, number, t, line))
        for metric, value in metrics.items():
            self._points.append((rec.name, metric, number, t, value))
        objective = self._objectives.get(rec.name)
        if objective is None or objective not in metrics:
            return
        value = metrics[objective]
        rec.epochs += 1
        rec.final_objective = value
        tuning = self.tunings.get(rec.tuning_job or "")
        if tuning is None:
            return
        decision = tuning.on_objective(rec, value, t)
        run = self.runs[rec.name]
        if decision == "max-resource":
            run.finish_training(t)
        elif decision is not None:
            run.begin_stop(t, decision)

    def _ended(self, rec: TrainingJobRecord, t: float) -> None:
        """A training job reached Completed, Stopped or Failed."""
        self.runs.pop(rec.name, None)
        if rec.tuning_job is not None:
            rec.objective_status = "Succeeded" if rec.final_objective is not None else "Failed"
            if rec.status == "Failed":
                rec.objective_status = "Failed"
        self.mark_training(rec)
        tuning = self.tunings.get(rec.tuning_job or "")
        if tuning is not None:
            tuning.on_training_end(rec, t)
            if tuning.rec.terminal:
                del self.tunings[tuning.rec.name]

    # -- commands (the service calls these after ``advance()``)

    def default_max_jobs(self, run: TuningRun) -> int:
        if run.strategy_name == "Grid":
            from sagetune.simulator.search import grid_size

            return grid_size(run.plans[0].space)
        return MAX_TRAINING_JOBS_RANDOM if run.strategy_name == "Random" else MAX_TRAINING_JOBS

    def create_tuning_job(
        self,
        request: CreateHyperParameterTuningJobRequest,
        wire: dict[str, Any],
        parents: Mapping[str | None, WarmStart] | None = None,
    ) -> TuningJobRecord:
        t = self.now
        name = request.hyper_parameter_tuning_job_name
        rec = TuningJobRecord(
            name=name,
            seq=self._next_seq(),
            arn=self.arn("hyper-parameter-tuning-job", name),
            request=wire,
            created=t,
            last_modified=t,
        )
        self.tuning_jobs[name] = rec
        self.training_by_tuning[name] = []
        run = TuningRun(self, rec, request, parents)
        self.tunings[name] = run
        self.mark_tuning(rec)
        if run.max_runtime is not None:
            self._push_tuning_deadline(rec, run)
        run.fill(t)
        return rec

    def _warm_start_for(
        self, request: CreateHyperParameterTuningJobRequest
    ) -> Mapping[str | None, WarmStart] | None:
        from sagetune.simulator.warm_start import parent_trials

        return parent_trials(self, request)

    def launch_training_job(
        self,
        spec: dict[str, Any],
        t: float,
        *,
        seed: int,
        tuning_job: str | None = None,
        launch_index: int | None = None,
        definition_name: str | None = None,
        tuned: dict[str, str] | None = None,
        objective_metric: str | None = None,
    ) -> TrainingJobRecord:
        name = spec["TrainingJobName"]
        rec = TrainingJobRecord(
            name=name,
            seq=self._next_seq(),
            arn=self.arn("training-job", name),
            spec=spec,
            tuning_job=tuning_job,
            launch_index=launch_index,
            definition_name=definition_name,
            tuned=dict(tuned or {}),
            seed=seed,
        )
        if tuning_job is not None:
            rec.objective_status = "Pending"
            self.training_by_tuning.setdefault(tuning_job, []).append(name)
        if objective_metric is not None:
            self._objectives[name] = objective_metric
        self.training_jobs[name] = rec
        run = self._make_run(rec)
        self.runs[name] = run
        run.start(t)
        self._push(rec, run)
        return rec

    def create_training_job(self, spec: dict[str, Any]) -> TrainingJobRecord:
        seed = zlib.crc32(spec["TrainingJobName"].encode("utf-8"))
        return self.launch_training_job(spec, self.now, seed=seed)

    def stop_training_run(self, rec: TrainingJobRecord, t: float, reason: str) -> None:
        run = self.runs.get(rec.name)
        if run is not None and run.begin_stop(t, reason):
            self._push(rec, run)

    def stop_tuning_job(self, name: str) -> None:
        run = self.tunings.get(name)
        if run is not None:
            run.stop(self.now)
            if run.rec.terminal:
                del self.tunings[name]

    def delete_tuning_job(self, name: str) -> None:
        self.tuning_jobs.pop(name, None)
        self._dirty_tuning.pop(name, None)
        self.store.delete_tuning_job(name)

    # -- algorithms

    def algorithm_for(self, spec: Mapping[str, Any]) -> AlgorithmSpec:
        algo = spec.get("AlgorithmSpecification") or {}
        return self.algorithms.resolve(
            training_image=algo.get("TrainingImage"), algorithm_name=algo.get("AlgorithmName")
        )

    def _make_run(self, rec: TrainingJobRecord) -> TrainingRun:
        spec = rec.spec
        algorithm = self.algorithm_for(spec)
        definitions = (spec.get("AlgorithmSpecification") or {}).get("MetricDefinitions")
        if not definitions:
            definitions = [{"Name": n, "Regex": r} for n, r in algorithm.metric_definitions]
        stopping = spec.get("StoppingCondition") or {}
        max_runtime = stopping.get("MaxRuntimeInSeconds")
        return TrainingRun(
            rec,
            algorithm,
            compile_metric_definitions(definitions),
            spec.get("HyperParameters") or {},
            float(max_runtime) if max_runtime is not None else None,
            context_for(rec, spec),
        )
