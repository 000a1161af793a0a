"""The discrete-event core: every change of state is an event at a simulated instant.

Events are kept in one heap ordered by (time, creation order), so the outcome is a
deterministic function of the requests, the seeds and the clock. ``advance()`` processes
every event due by the clock's ``now()`` and flushes the changes to the store in one
transaction; ``step()`` processes just the next event (the driver of ``--time-scale max``).

The engine owns the records of every job (the store persists them) and the live parts of
running jobs: ``TrainingRun`` (the algorithm's generator) and ``TuningRun`` (the
strategies), and carries out what a ``TuningRun`` decides.

Work that can take long - a search suggestion, an algorithm's next log line and the search
of its metric regexes - is not done while processing an event: it becomes a ``Work`` item
computed from a snapshot. By default (``deferred`` False) the engine computes it at once;
the simulator's clock driver sets ``deferred`` and computes the ``pending_work()`` without
the lock that requests take, then applies each result under it (``Work.compute()`` returns
the step that applies it, which re-checks that the work still stands). While work is
pending no event is processed (``blocked``), so the outcome does not depend on who
computes the work, or when. Its state is private: the service
reads it through queries (``tuning_job``, ``tuning_jobs``, ``training_job``,
``training_jobs``, ``training_jobs_of``, ``parent_training_jobs``, ``resource``) and changes it
through commands (``create_*``, ``stop_*``, ``delete_tuning_job``, ``set_tags``). After a
restart, ``load()`` rebuilds everything from the database.
"""

from __future__ import annotations

import functools
import heapq
import zlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

import attrs

from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    CreateTrainingJobRequest,
    HyperParameterTuningJobStatus,
    ObjectiveStatus,
    TrainingJobStatus,
)
from sagetune.simulator.algorithms import AlgorithmRegistry
from sagetune.simulator.clock import Clock
from sagetune.simulator.metrics import compile_metric_definitions
from sagetune.simulator.records import StopReason, TrainingJobRecord, TuningJobRecord
from sagetune.simulator.requests import stored_request
from sagetune.simulator.store import Store
from sagetune.simulator.training import FetchedLines, TrainingRun
from sagetune.simulator.tuning import (
    FinishTraining,
    LaunchSlot,
    LaunchTraining,
    StopTraining,
    TuningRun,
)
from sagetune.simulator.warm_start import parent_trials

READ_AHEAD = 4
"""Deferred (the driver computes the work), each running training job has up to this many
log lines read ahead of their events, so that events go on while the next lines are read;
computed at once, lines are read when needed."""

ParentJobs = Mapping[str, tuple[TrainingJobRecord, ...]]
"""A warm-started tuning job's parents' training jobs, by parent name."""


Apply = Callable[[], None]
"""Applies a piece of work's result to the engine (under the simulator's lock)."""


@attrs.frozen(kw_only=True, eq=False)
class SuggestionWork:
    """Work: the suggestion for a tuning job's next training job (``slot.suggest()``)."""

    slot: LaunchSlot
    t: float  # when the training job is launched
    apply: Callable[[SuggestionWork, dict[str, str]], None]

    @property
    def key(self) -> tuple[str, str]:
        return ("tuning", self.slot.tuning_job)

    def compute(self) -> Apply:
        return self.done(self.slot.suggest())

    def done(self, tuned: dict[str, str]) -> Apply:
        """The step applying ``tuned``, the slot's suggestion computed elsewhere."""
        return functools.partial(self.apply, self, tuned)


@attrs.frozen(kw_only=True, eq=False)
class LineWork:
    """Work: a training job's next log lines and their metrics (``run.fetch_lines``)."""

    run: TrainingRun
    count: int
    skip: int  # lines to replay first (after a restart)
    epoch: int  # the run's stream epoch when asked: a stop or an end makes the read stale
    apply: Callable[[LineWork, FetchedLines], None]

    @property
    def key(self) -> tuple[str, str]:
        return ("training", self.run.rec.name)

    def compute(self) -> Apply:
        return functools.partial(self.apply, self, self.run.fetch_lines(self.count, self.skip))


Work = SuggestionWork | LineWork


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
        self._store = store
        self.clock = clock
        self.algorithms = algorithms
        self.region = region
        self.account_id = account_id
        self._tuning_jobs: dict[str, TuningJobRecord] = {}
        self._training_jobs: dict[str, TrainingJobRecord] = {}
        self._by_arn: dict[str, TuningJobRecord | TrainingJobRecord] = {}
        self._jobs_of: dict[str, list[TrainingJobRecord]] = {}  # tuning job -> launch order
        self._parent_jobs: dict[str, ParentJobs] = {}  # warm-started tuning job -> parents'
        self._runs: dict[str, TrainingRun] = {}
        self._tunings: dict[str, TuningRun] = {}
        self._heap: list[tuple[float, int, int, str, int]] = []  # time, kind, seq, name, version
        self._seq = 0
        self._dirty_tuning: dict[str, TuningJobRecord] = {}
        self._dirty_training: dict[str, TrainingJobRecord] = {}
        self._lines: list[tuple[str, int, float, str]] = []
        self._points: list[tuple[str, str, int, float, float]] = []
        self._objectives: dict[str, str] = {}  # training job -> objective metric name
        self._now = clock.now()  # the time of the event being processed, or of the last advance
        self._flushed_at: float | None = None
        self._work: dict[tuple[str, str], Work] = {}
        self._deferred = False

    @property
    def now(self) -> float:
        """The simulated time the engine has reached."""
        return self._now

    # -- identity

    def arn(self, kind: str, name: str) -> str:
        return f"arn:aws:sagemaker:{self.region}:{self.account_id}:{kind}/{name.lower()}"

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # -- queries

    def tuning_job(self, name: str) -> TuningJobRecord | None:
        return self._tuning_jobs.get(name)

    def tuning_jobs(self) -> Collection[TuningJobRecord]:
        """Every tuning job, in creation order."""
        return self._tuning_jobs.values()

    def training_job(self, name: str) -> TrainingJobRecord | None:
        return self._training_jobs.get(name)

    def training_jobs(self) -> Collection[TrainingJobRecord]:
        """Every training job (of a tuning job or not), in creation order."""
        return self._training_jobs.values()

    def training_jobs_of(self, tuning_name: str) -> tuple[TrainingJobRecord, ...]:
        """The training jobs of the tuning job ``tuning_name``, in launch order (none when
        it does not exist)."""
        return tuple(self._jobs_of.get(tuning_name, ()))

    def resource(self, arn: str) -> TuningJobRecord | TrainingJobRecord | None:
        """The tuning job or training job whose ARN is ``arn`` (None: no such job)."""
        return self._by_arn.get(arn)

    def parent_training_jobs(self, tuning_name: str) -> ParentJobs:
        """A warm-started tuning job's parents' training jobs, as they were when it was
        created (a parent deleted since still counts; empty without warm start)."""
        return self._parent_jobs.get(tuning_name, {})

    # -- persistence

    def load(self) -> None:
        """Rebuild records and live runs from the store (after a restart)."""
        saved = self._store.get_meta("sim_time")
        if saved is not None:
            self.clock.start_at(float(saved))
        self._now = self.clock.now()
        for t_rec in self._store.load_tuning_jobs():
            self._restore_stored_form(t_rec)
            self._tuning_jobs[t_rec.name] = t_rec
            self._by_arn[t_rec.arn] = t_rec
            self._jobs_of[t_rec.name] = []
            self._seq = max(self._seq, t_rec.seq)
        launched_under: dict[str, list[TrainingJobRecord]] = {}  # by name, deleted jobs' too
        for j_rec in self._store.load_training_jobs():
            self._restore_stored_form(j_rec)
            self._training_jobs[j_rec.name] = j_rec
            self._by_arn[j_rec.arn] = j_rec
            self._seq = max(self._seq, j_rec.seq)
            if j_rec.tuning_job is not None:
                launched_under.setdefault(j_rec.tuning_job, []).append(j_rec)
                owner = self._tuning_jobs.get(j_rec.tuning_job)
                if owner is not None and j_rec.seq > owner.seq:  # not a deleted namesake's
                    self._jobs_of[owner.name].append(j_rec)
        for t_rec in self._tuning_jobs.values():
            config = t_rec.request.warm_start_config
            if config is not None:
                self._parent_jobs[t_rec.name] = {
                    name: _last_generation(launched_under.get(name, ()), before=t_rec.seq)
                    for p in config.parent_hyper_parameter_tuning_jobs
                    if (name := p.hyper_parameter_tuning_job_name or "")
                }
            if not t_rec.terminal:
                self._revive_tuning(t_rec)
        for j_rec in self._training_jobs.values():
            if not j_rec.terminal:
                self._revive_training(j_rec)
        for tuning in list(self._tunings.values()):  # a launch may have been due at the crash
            self._carry_out(tuning, (), self._now)

    def _restore_stored_form(self, rec: TuningJobRecord | TrainingJobRecord) -> None:
        """Apply the service's defaults to a request read back: one stored by an earlier
        version gets the members added since (and is written back at the next flush)."""
        request: Any = rec.request
        stored = stored_request(request, self.algorithms)
        if stored is not request:
            rec.request = stored
            self._mark_dirty(rec)

    def _revive_tuning(self, rec: TuningJobRecord) -> None:
        run = TuningRun(rec, parent_trials(rec.request, self.parent_training_jobs(rec.name)))
        jobs = sorted(self._jobs_of[rec.name], key=lambda j: j.launch_index or 0)
        curves = []
        for job in jobs:
            metric = run.plan_of(job).metric
            curves.append(self._store.objective_curves([job.name], metric)[job.name])
            self._objectives[job.name] = metric
        run.restore(jobs, curves)
        self._tunings[rec.name] = run
        if rec.status == HyperParameterTuningJobStatus.IN_PROGRESS and run.max_runtime is not None:
            self._push_tuning_deadline(rec, run)

    def _revive_training(self, rec: TrainingJobRecord) -> None:
        """Take a training job back after a restart; in Training, its stream is rebuilt by
        replaying the lines it had consumed (``TrainingRun.resume``)."""
        run = self._make_run(rec)
        self._runs[rec.name] = run
        run.resume()
        self._continue(run)

    def flush(self) -> None:
        """Write every change since the last flush, and the simulated time, atomically."""
        changed = self._dirty_tuning or self._dirty_training or self._lines or self._points
        if not changed and self._now == self._flushed_at:
            return
        with self._store.transaction():
            if self._dirty_tuning:
                self._store.save_tuning_jobs(self._dirty_tuning.values())
            if self._dirty_training:
                self._store.save_training_jobs(self._dirty_training.values())
            if self._lines:
                self._store.append_log_lines(self._lines)
            if self._points:
                self._store.append_metric_points(self._points)
            self._store.set_meta("sim_time", repr(self._now))
        self._dirty_tuning.clear()
        self._dirty_training.clear()
        self._lines.clear()
        self._points.clear()
        self._flushed_at = self._now

    # -- the event loop

    def _push(self, rec: TrainingJobRecord, run: TrainingRun) -> None:
        if rec.next_event is not None:
            heapq.heappush(self._heap, (rec.next_event, 1, rec.seq, rec.name, run.version))
        self._dirty_training[rec.name] = rec

    def _push_tuning_deadline(self, rec: TuningJobRecord, run: TuningRun) -> None:
        assert run.max_runtime is not None
        heapq.heappush(self._heap, (rec.created + run.max_runtime, 0, rec.seq, rec.name, -1))

    def next_event_time(self) -> float | None:
        while self._heap and self._stale(self._heap[0]):
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def _stale(self, entry: tuple[float, int, int, str, int]) -> bool:
        t, kind, seq, name, version = entry
        if kind == 0:  # a tuning job's deadline: stale once it ended (or its name was reused)
            tuning = self._tunings.get(name)
            return tuning is None or tuning.rec.seq != seq
        run = self._runs.get(name)
        return run is None or run.version != version or run.rec.next_event != t

    def advance(self, until: float | None = None) -> None:
        """Process every event due by ``until`` (default: the clock's now), then flush.

        Deferred, events are left to the driver (``step``): time moves on only up to the
        next event not yet processed.
        """
        target = self.clock.now() if until is None else until
        if not self._deferred:
            while (t := self.next_event_time()) is not None and t <= target:
                self._process(heapq.heappop(self._heap))
        t = self.next_event_time()
        if not self.blocked and (t is None or t > target):
            self._now = max(self._now, target)
        self.flush()

    def step(self) -> float | None:
        """Process the next event, whatever its time; returns its time (None: idle).

        The caller flushes (``flush()``) when it wants the progress persisted. Not while
        the engine is ``blocked``.
        """
        if self.blocked:
            raise RuntimeError("the engine is waiting for work to be computed (pending_work)")
        t = self.next_event_time()
        if t is None:
            return None
        self._process(heapq.heappop(self._heap))
        return t

    # -- work that can take long

    @property
    def deferred(self) -> bool:
        """True: work is left for ``pending_work()``; False: computed when it arises."""
        return self._deferred

    @deferred.setter
    def deferred(self, value: bool) -> None:
        self._deferred = value
        if not value:
            while self._work:
                next(iter(self._work.values())).compute()()

    @property
    def blocked(self) -> bool:
        """Work that events wait for is pending (a suggestion, or a line a training job
        awaits): no event is processed until it is computed and applied."""
        return any(
            not isinstance(work, LineWork) or work.run.awaiting for work in self._work.values()
        )

    def pending_work(self) -> list[Work]:
        """The work to compute (without the lock), each then applied under it."""
        return list(self._work.values())

    def _offer(self, work: Work) -> None:
        self._work[work.key] = work
        if not self._deferred:
            try:
                work.compute()()
            finally:
                self._withdraw(work)  # applied (or failed): never left blocking

    def _withdraw(self, work: Work) -> bool:
        """Take ``work`` off the pending list; False when it was withdrawn or replaced."""
        if self._work.get(work.key) is not work:
            return False
        del self._work[work.key]
        return True

    def _process(self, entry: tuple[float, int, int, str, int]) -> None:
        t, kind, _, name, _ = entry
        self._now = max(self._now, t)
        if kind == 0:
            tuning = self._tunings[name]
            self._carry_out(tuning, tuning.on_deadline(), t)
            return
        run = self._runs[name]
        if run.on_event(t, self._on_line):
            self._ended(run.rec, t)
        else:
            self._continue(run)

    def _continue(self, run: TrainingRun) -> None:
        """Schedule a training job's next event, unless it awaits a line; ask for the
        lines it wants read."""
        rec = run.rec
        self._dirty_training[rec.name] = rec
        if not run.awaiting:
            self._push(rec, run)
        key = ("training", rec.name)
        count = run.lines_wanted(READ_AHEAD if self._deferred else 0)
        if count and key not in self._work:
            work = LineWork(
                run=run, count=count, skip=run.replay, epoch=run.epoch, apply=self._take_lines
            )
            self._offer(work)

    def _take_lines(self, work: LineWork, fetched: FetchedLines) -> None:
        run = work.run
        if not self._withdraw(work) or self._runs.get(run.rec.name) is not run:
            return
        if run.epoch != work.epoch:
            return  # stopped or ended meanwhile: these lines are never written
        t, was_awaiting = run.asked_at, run.awaiting
        if run.add_lines(fetched):
            self._ended(run.rec, t)
        elif was_awaiting and not run.awaiting:
            self._continue(run)  # its next event (read-ahead, if any, comes with it)

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
        tuning = self._tunings.get(rec.tuning_job or "")
        if tuning is None:
            return
        decision = tuning.on_objective(rec, value)
        if decision is not None:
            # ``_process`` pushes the run's next event once this line is handled.
            self._decided(decision, t, push=False)

    def _ended(self, rec: TrainingJobRecord, t: float) -> None:
        """A training job reached Completed, Stopped or Failed."""
        self._runs.pop(rec.name, None)
        if rec.tuning_job is not None:
            succeeded = rec.final_objective is not None and rec.status != TrainingJobStatus.FAILED
            rec.objective_status = (
                ObjectiveStatus.SUCCEEDED if succeeded else ObjectiveStatus.FAILED
            )
        self._dirty_training[rec.name] = rec
        tuning = self._tunings.get(rec.tuning_job or "")
        if tuning is not None:
            self._carry_out(tuning, tuning.on_training_end(rec, t), t)

    # -- carrying out a tuning job's decisions

    def _carry_out(self, tuning: TuningRun, decisions: Iterable[StopTraining], t: float) -> None:
        """Carry out what ``tuning`` decided about an event, launch what it may launch now,
        and let it settle; persist its record and retire it once it is terminal."""
        for decision in decisions:
            self._decided(decision, t, push=True)
        self._fill(tuning, t)
        tuning.settle(t)
        self._dirty_tuning[tuning.rec.name] = tuning.rec
        if tuning.rec.terminal:
            del self._tunings[tuning.rec.name]

    def _fill(self, tuning: TuningRun, t: float) -> None:
        """Launch training jobs while the tuning job offers one: compute each suggestion
        from the offered snapshot, then apply it (deferred: offer it as work, one at a
        time, since each suggestion sees the launches before it)."""
        key = ("tuning", tuning.rec.name)
        while (slot := tuning.next_launch()) is not None:
            if self._deferred:
                pending = self._work.get(key)
                if not isinstance(pending, SuggestionWork) or pending.slot != slot:
                    self._work[key] = SuggestionWork(slot=slot, t=t, apply=self._take_suggestion)
                return
            tuning.track(self._launch(tuning.rec.name, tuning.launch(slot, slot.suggest(), t), t))
        self._work.pop(key, None)

    def _take_suggestion(self, work: SuggestionWork, tuned: dict[str, str]) -> None:
        slot = work.slot
        tuning = self._tunings.get(slot.tuning_job)
        if not self._withdraw(work) or tuning is None:
            return
        if tuning.next_launch() == slot:  # still the launch it offered, on the same state
            tuning.track(self._launch(slot.tuning_job, tuning.launch(slot, tuned, work.t), work.t))
        self._carry_out(tuning, (), work.t)

    def _launch(self, tuning_name: str, launch: LaunchTraining, t: float) -> TrainingJobRecord:
        rec = self._start_training(
            launch.request,
            t,
            seed=launch.seed,
            tuning_job=tuning_name,
            launch_index=launch.launch_index,
            definition_name=launch.definition_name,
            tuned=launch.tuned,
            tags=launch.tags,
        )
        self._jobs_of[tuning_name].append(rec)
        self._objectives[rec.name] = launch.objective_metric
        return rec

    def _decided(self, decision: StopTraining | FinishTraining, t: float, *, push: bool) -> None:
        run = self._runs.get(decision.name)
        if run is None:
            return
        if isinstance(decision, FinishTraining):
            run.finish_training(t)
        elif not run.begin_stop(t, decision.reason):
            return
        self._work.pop(("training", decision.name), None)  # its next lines are never written
        if push:
            self._push(run.rec, run)

    # -- commands (the service calls these after ``advance()``)

    def create_tuning_job(
        self, request: CreateHyperParameterTuningJobRequest, tags: Mapping[str, str]
    ) -> TuningJobRecord:
        """Start a tuning job (``request`` as stored, its warm-start rules checked)."""
        t = self._now
        name = request.hyper_parameter_tuning_job_name
        rec = TuningJobRecord(
            name=name,
            seq=self._next_seq(),
            arn=self.arn("hyper-parameter-tuning-job", name),
            request=request,
            tags=dict(tags),
            created=t,
            last_modified=t,
        )
        self._tuning_jobs[name] = rec
        self._by_arn[rec.arn] = rec
        self._jobs_of[name] = []
        config = request.warm_start_config
        if config is not None:
            self._parent_jobs[name] = {
                parent: self.training_jobs_of(parent)
                for p in config.parent_hyper_parameter_tuning_jobs
                if (parent := p.hyper_parameter_tuning_job_name or "")
            }
        run = TuningRun(rec, parent_trials(request, self.parent_training_jobs(name)))
        self._tunings[name] = run
        if run.max_runtime is not None:
            self._push_tuning_deadline(rec, run)
        self._carry_out(run, (), t)
        return rec

    def create_training_job(
        self, request: CreateTrainingJobRequest, tags: Mapping[str, str]
    ) -> TrainingJobRecord:
        """Start a training job of its own (``request`` as stored)."""
        seed = zlib.crc32(request.training_job_name.encode("utf-8"))
        return self._start_training(request, self._now, seed=seed, tags=tags)

    def _start_training(
        self,
        request: CreateTrainingJobRequest,
        t: float,
        *,
        seed: int,
        tuning_job: str | None = None,
        launch_index: int | None = None,
        definition_name: str | None = None,
        tuned: Mapping[str, str] | None = None,
        tags: Mapping[str, str],
    ) -> TrainingJobRecord:
        name = request.training_job_name
        rec = TrainingJobRecord(
            name=name,
            seq=self._next_seq(),
            arn=self.arn("training-job", name),
            request=request,
            tags=dict(tags),
            tuning_job=tuning_job,
            launch_index=launch_index,
            definition_name=definition_name,
            tuned=dict(tuned or {}),
            seed=seed,
            objective_status=ObjectiveStatus.PENDING if tuning_job is not None else None,
        )
        self._training_jobs[name] = rec
        self._by_arn[rec.arn] = rec
        run = self._make_run(rec)
        self._runs[name] = run
        run.start(t)
        self._push(rec, run)
        return rec

    def stop_training_job(self, name: str, reason: StopReason) -> None:
        self._decided(StopTraining(name=name, reason=reason), self._now, push=True)

    def stop_tuning_job(self, name: str) -> None:
        run = self._tunings.get(name)
        if run is not None:
            self._carry_out(run, run.stop(self._now), self._now)

    def set_tags(self, rec: TuningJobRecord | TrainingJobRecord, tags: Mapping[str, str]) -> None:
        """Replace a job's tags (AddTags, DeleteTags)."""
        rec.tags = dict(tags)
        self._mark_dirty(rec)

    def _mark_dirty(self, rec: TuningJobRecord | TrainingJobRecord) -> None:
        """Have the next flush write ``rec``."""
        if isinstance(rec, TuningJobRecord):
            self._dirty_tuning[rec.name] = rec
        else:
            self._dirty_training[rec.name] = rec

    def delete_tuning_job(self, name: str) -> None:
        """Forget a terminal tuning job and its tags (its training jobs stay, with theirs, as
        on the service)."""
        rec = self._tuning_jobs.pop(name, None)
        if rec is not None and self._by_arn.get(rec.arn) is rec:
            del self._by_arn[rec.arn]
        self._jobs_of.pop(name, None)
        self._parent_jobs.pop(name, None)
        self._dirty_tuning.pop(name, None)
        self._store.delete_tuning_job(name)

    # -- algorithms

    def _make_run(self, rec: TrainingJobRecord) -> TrainingRun:
        request = rec.request
        algo = request.algorithm_specification
        algorithm = self.algorithms.resolve(
            training_image=algo.training_image if algo is not None else None,
            algorithm_name=algo.algorithm_name if algo is not None else None,
        )
        definitions: Sequence[tuple[str, str]] = [
            (m.name, m.regex) for m in (algo.metric_definitions if algo is not None else None) or []
        ]
        if not definitions:
            definitions = algorithm.metric_definitions
        stopping = request.stopping_condition
        max_runtime = stopping.max_runtime_in_seconds if stopping is not None else None
        return TrainingRun(
            rec,
            algorithm,
            compile_metric_definitions(definitions),
            request.hyper_parameters or {},
            float(max_runtime) if max_runtime is not None else None,
        )


def _last_generation(
    jobs: Sequence[TrainingJobRecord], *, before: int
) -> tuple[TrainingJobRecord, ...]:
    """The training jobs launched under a tuning job's name by the last tuning job of that
    name created before ``before`` (a sequence number): a name is free again once its tuning
    job is deleted, and each tuning job's first launch has index 0."""
    earlier = [j for j in jobs if j.seq < before]
    starts = [i for i, j in enumerate(earlier) if j.launch_index == 0]
    return tuple(earlier[starts[-1] :]) if starts else ()
