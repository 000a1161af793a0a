"""What the search benchmarks tune, and how they run a tuning job through the client.

Problems (all minimized unless said, optimum known exactly):

* ``branin`` (2-d) and ``hartmann6`` (6-d): the simulator's built-in images.
* ``mixed-branin`` (4-d: two continuous, one integer, one categorical): Branin whose first
  input is shifted by the categorical ``color``, plus a per-color offset and a quadratic in
  the integer ``n`` whose best value depends on the color::

      f = branin(x1 + SHIFT[color], x2) + OFFSET[color] + 0.05 (n - N_BEST[color])^2

  Optimum 0.397887 (Branin's) at color=green, n=20, x1 = pi - 2, x2 = 2.275.
* ``mixed-hpo`` (4-d: log-scaled continuous, two integers one of them log-scaled, one
  categorical): a neural-network-like loss. Each optimizer has a best learning rate, a
  penalty and a best depth; wider nets want a smaller rate; too high a rate diverges to
  chance (ln 10)::

      w = log2(width / 512),  u = log10(lr / BEST_LR[opt]) + 0.15 w
      f = 0.05 + PENALTY[opt] + (0.04 if u < 0 else 0.1) u^2
          + 0.012 (layers - BEST_LAYERS[opt])^2 + 0.02 w^2          (ln 10 if u > 1.5)

  Optimum 0.05 at optimizer=adam, layers=4, width=512, learning_rate=1e-3.

The two mixed problems are registered in the simulator as ``sagetune-bench/<name>:1``
(``register_bench_algorithms``); like the built-in functions, a job writes one
``objective: <repr>`` line after 45-75 simulated seconds, so parallel jobs finish in a
shuffled order. Optuna evaluates the same Python functions (``Problem.evaluate``).

The runner (``run_tuning_job``) is what every bench does with the simulator: create the
tuning job with sagetune's async client over the in-process transport, run the simulated
clock until nothing is left to do (``Simulator.run_until_idle``: ``--time-scale max`` in
process), then read the training jobs back through the client, in launch order.
"""

from __future__ import annotations

import math
import os
import random
import re
import statistics
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import attrs

from sagetune import AsyncSageMakerClient
from sagetune.codec import from_wire
from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    DescribeHyperParameterTuningJobRequest,
    DescribeTrainingJobRequest,
    ListTrainingJobsForHyperParameterTuningJobRequest,
)
from sagetune.simulator import (
    AlgorithmContext,
    AlgorithmSpec,
    HyperParameterSpec,
    LogStream,
    Simulator,
    default_registry,
)
from sagetune.simulator.algorithms.benchmark_functions import (
    BRANIN_OPTIMUM,
    HARTMANN6_OPTIMUM,
    OBJECTIVE_REGEX,
    branin,
    hartmann6,
)
from sagetune.simulator.algorithms.hyperparameters import parse_hyperparameters

Kind = Literal["Continuous", "Integer", "Categorical"]
Value = float | int | str

# --------------------------------------------------------------------------- problems


@attrs.frozen(kw_only=True)
class Range:
    """One tuned hyperparameter, as a ParameterRanges entry and as an Optuna distribution."""

    name: str
    kind: Kind
    low: float = 0.0
    high: float = 0.0
    scaling: Literal["Linear", "Logarithmic"] = "Linear"
    values: tuple[str, ...] = ()

    def wire(self) -> dict[str, Any]:
        if self.kind == "Categorical":
            return {"Name": self.name, "Values": list(self.values)}
        text = str(int(self.low)) if self.kind == "Integer" else repr(self.low)
        top = str(int(self.high)) if self.kind == "Integer" else repr(self.high)
        return {"Name": self.name, "MinValue": text, "MaxValue": top, "ScalingType": self.scaling}

    def parse(self, text: str) -> Value:
        if self.kind == "Categorical":
            return text
        return int(text) if self.kind == "Integer" else float(text)


@attrs.frozen(kw_only=True)
class Problem:
    """A tuning problem: where its jobs run, what they tune, and its best possible value.

    ``evaluate`` takes typed values (what Optuna suggests, or ``Range.parse`` of the
    service's strings) and returns the objective in the problem's own direction.
    """

    name: str
    image: str
    ranges: tuple[Range, ...]
    evaluate: Callable[[Mapping[str, Value]], float] = attrs.field(eq=False, repr=False)
    optimum: float
    metric: str = "objective"
    metric_regex: str = OBJECTIVE_REGEX
    objective_type: Literal["Minimize", "Maximize"] = "Minimize"
    static: Mapping[str, str] = attrs.field(factory=dict)
    metric_definitions: tuple[tuple[str, str], ...] = ()

    @property
    def minimize(self) -> bool:
        return self.objective_type == "Minimize"

    def regret(self, best: float) -> float:
        """How far ``best`` is from the optimum (>= 0 up to noise), in the objective's units."""
        return best - self.optimum if self.minimize else self.optimum - best

    def parameter_ranges(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {
            "IntegerParameterRanges": [],
            "ContinuousParameterRanges": [],
            "CategoricalParameterRanges": [],
        }
        for r in self.ranges:
            out[f"{r.kind}ParameterRanges"].append(r.wire())
        return out


def _branin_of(v: Mapping[str, Value]) -> float:
    return branin(float(v["x1"]), float(v["x2"]))


def _hartmann6_of(v: Mapping[str, Value]) -> float:
    x1, x2, x3, x4, x5, x6 = (float(v[f"x{i}"]) for i in range(1, 7))
    return hartmann6((x1, x2, x3, x4, x5, x6))


COLORS = ("red", "green", "blue", "yellow")
_SHIFT = {"red": 0.0, "green": 2.0, "blue": -1.5, "yellow": 1.0}
_OFFSET = {"red": 1.0, "green": 0.0, "blue": 0.5, "yellow": 2.0}
_N_BEST = {"red": 8, "green": 20, "blue": 4, "yellow": 28}


def mixed_branin(x1: float, x2: float, n: int, color: str) -> float:
    """The ``mixed-branin`` objective (see module doc); minimum 0.397887."""
    return branin(x1 + _SHIFT[color], x2) + _OFFSET[color] + 0.05 * (n - _N_BEST[color]) ** 2


OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")
_BEST_LR = {"sgd": 0.1, "momentum": 0.02, "adam": 1e-3, "rmsprop": 3e-4}
_PENALTY = {"sgd": 0.06, "momentum": 0.03, "adam": 0.0, "rmsprop": 0.015}
_BEST_LAYERS = {"sgd": 2, "momentum": 3, "adam": 4, "rmsprop": 4}
CHANCE_LOSS = math.log(10.0)


def mixed_hpo(learning_rate: float, layers: int, width: int, optimizer: str) -> float:
    """The ``mixed-hpo`` objective (see module doc); minimum 0.05."""
    w = math.log2(width / 512.0)
    u = math.log10(learning_rate / _BEST_LR[optimizer]) + 0.15 * w
    if u > 1.5:
        return CHANCE_LOSS
    return (
        0.05
        + _PENALTY[optimizer]
        + (0.04 if u < 0 else 0.1) * u * u
        + 0.012 * (layers - _BEST_LAYERS[optimizer]) ** 2
        + 0.02 * w * w
    )


MIXED_BRANIN_RANGES = (
    Range(name="x1", kind="Continuous", low=-5.0, high=10.0),
    Range(name="x2", kind="Continuous", low=0.0, high=15.0),
    Range(name="n", kind="Integer", low=1, high=32),
    Range(name="color", kind="Categorical", values=COLORS),
)
MIXED_HPO_RANGES = (
    Range(name="learning_rate", kind="Continuous", low=1e-5, high=1.0, scaling="Logarithmic"),
    Range(name="layers", kind="Integer", low=1, high=8),
    Range(name="width", kind="Integer", low=16, high=1024, scaling="Logarithmic"),
    Range(name="optimizer", kind="Categorical", values=OPTIMIZERS),
)


def _mixed_branin_of(v: Mapping[str, Value]) -> float:
    return mixed_branin(float(v["x1"]), float(v["x2"]), int(v["n"]), str(v["color"]))


def _mixed_hpo_of(v: Mapping[str, Value]) -> float:
    return mixed_hpo(
        float(v["learning_rate"]), int(v["layers"]), int(v["width"]), str(v["optimizer"])
    )


PROBLEMS: dict[str, Problem] = {
    "branin": Problem(
        name="branin",
        image="sagetune/branin:latest",
        ranges=(
            Range(name="x1", kind="Continuous", low=-5.0, high=10.0),
            Range(name="x2", kind="Continuous", low=0.0, high=15.0),
        ),
        evaluate=_branin_of,
        optimum=BRANIN_OPTIMUM,
    ),
    "hartmann6": Problem(
        name="hartmann6",
        image="sagetune/hartmann6:latest",
        ranges=tuple(
            Range(name=f"x{i}", kind="Continuous", low=0.0, high=1.0) for i in range(1, 7)
        ),
        evaluate=_hartmann6_of,
        optimum=HARTMANN6_OPTIMUM,
    ),
    "mixed-branin": Problem(
        name="mixed-branin",
        image="sagetune-bench/mixed-branin:1",
        ranges=MIXED_BRANIN_RANGES,
        evaluate=_mixed_branin_of,
        optimum=BRANIN_OPTIMUM,
    ),
    "mixed-hpo": Problem(
        name="mixed-hpo",
        image="sagetune-bench/mixed-hpo:1",
        ranges=MIXED_HPO_RANGES,
        evaluate=_mixed_hpo_of,
        optimum=0.05,
    ),
}


def curve_problem(name: Literal["xgboost-curve", "mlp-curve"], epochs: int) -> Problem:
    """A built-in learning-curve algorithm with every tunable range but its epoch count,
    which is fixed (static) at ``epochs``: the curves early stopping and the 750-job run use.
    """
    spec = default_registry().resolve(training_image=f"sagetune/{name}:latest")
    assert spec.objective_metric is not None
    assert spec.objective_type is not None
    assert spec.optimum is not None
    assert spec.epochs_hyperparameter is not None
    ranges: list[Range] = []
    for hp in spec.hyperparameters:
        if not hp.tunable or hp.name == spec.epochs_hyperparameter:
            continue
        if hp.kind == "Categorical":
            ranges.append(Range(name=hp.name, kind="Categorical", values=hp.values))
        elif hp.kind in ("Continuous", "Integer"):
            assert hp.min_value is not None
            assert hp.max_value is not None
            scaling: Literal["Linear", "Logarithmic"] = (
                "Logarithmic" if hp.scaling == "Logarithmic" else "Linear"
            )
            ranges.append(
                Range(
                    name=hp.name,
                    kind="Integer" if hp.kind == "Integer" else "Continuous",
                    low=float(hp.min_value),
                    high=float(hp.max_value),
                    scaling=scaling,
                )
            )
    regex = dict(spec.metric_definitions)[spec.objective_metric]

    def not_evaluable(_: Mapping[str, Value]) -> float:
        raise NotImplementedError(f"{name} runs in the simulator only")

    return Problem(
        name=name,
        image=spec.image,
        ranges=tuple(ranges),
        evaluate=not_evaluable,
        optimum=spec.optimum,
        metric=spec.objective_metric,
        metric_regex=regex,
        objective_type=spec.objective_type,
        static={spec.epochs_hyperparameter: str(epochs)},
        metric_definitions=spec.metric_definitions,
    )


# --------------------------------------------------------------------------- algorithms


def _specs(ranges: Sequence[Range]) -> tuple[HyperParameterSpec, ...]:
    out = []
    for r in ranges:
        if r.kind == "Categorical":
            out.append(HyperParameterSpec(name=r.name, kind="Categorical", values=r.values))
        else:
            low, high = r.wire()["MinValue"], r.wire()["MaxValue"]
            out.append(
                HyperParameterSpec(
                    name=r.name,
                    kind=r.kind,
                    min_value=low,
                    max_value=high,
                    scaling=r.scaling,
                    required=True,
                )
            )
    return tuple(out)


def _one_shot(problem: Problem) -> Callable[[Mapping[str, str], AlgorithmContext], LogStream]:
    specs = _specs(problem.ranges)

    def algorithm(hyperparameters: Mapping[str, str], context: AlgorithmContext) -> LogStream:
        parsed = parse_hyperparameters(hyperparameters, specs).values
        value = problem.evaluate(parsed)
        rng = random.Random(context.seed)

        def lines() -> LogStream:
            yield 1.0, "Evaluating at " + ", ".join(f"{k}={v!r}" for k, v in parsed.items())
            yield 45.0 + 30.0 * rng.random(), f"objective: {value!r}"

        return lines()

    return algorithm


def register_bench_algorithms(sim: Simulator) -> None:
    """Register ``mixed-branin`` and ``mixed-hpo`` under their bench images."""
    for name in ("mixed-branin", "mixed-hpo"):
        problem = PROBLEMS[name]
        fn = _one_shot(problem)
        spec = AlgorithmSpec(
            name=name,
            image=problem.image,
            fn=fn,
            description=f"bench problem {name} (bench/_problems.py), one-shot",
            hyperparameters=_specs(problem.ranges),
            metric_definitions=((problem.metric, problem.metric_regex),),
            objective_metric=problem.metric,
            objective_type=problem.objective_type,
            optimum=problem.optimum,
        )
        sim.register_algorithm(problem.image, fn, spec=spec)


# --------------------------------------------------------------------------- requests


def tuning_request(
    problem: Problem,
    name: str,
    *,
    strategy: str,
    jobs: int,
    parallel: int,
    seed: int,
    early_stopping: Literal["Off", "Auto"] = "Off",
    parents: Sequence[str] = (),
    warm_start_type: str = "IdenticalDataAndAlgorithm",
) -> CreateHyperParameterTuningJobRequest:
    """A CreateHyperParameterTuningJob request tuning every range of ``problem``."""
    definitions = problem.metric_definitions or ((problem.metric, problem.metric_regex),)
    wire: dict[str, Any] = {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": strategy,
            "HyperParameterTuningJobObjective": {
                "Type": problem.objective_type,
                "MetricName": problem.metric,
            },
            "ResourceLimits": {
                "MaxNumberOfTrainingJobs": jobs,
                "MaxParallelTrainingJobs": parallel,
            },
            "ParameterRanges": problem.parameter_ranges(),
            "TrainingJobEarlyStoppingType": early_stopping,
            "RandomSeed": seed,
        },
        "TrainingJobDefinition": {
            "StaticHyperParameters": dict(problem.static),
            "AlgorithmSpecification": {
                "TrainingImage": problem.image,
                "TrainingInputMode": "File",
                "MetricDefinitions": [{"Name": n, "Regex": r} for n, r in definitions],
            },
            "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole",
            "OutputDataConfig": {"S3OutputPath": "s3://sagetune-bench/out/"},
            "ResourceConfig": {
                "InstanceType": "ml.m5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 10,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        },
    }
    if parents:
        wire["WarmStartConfig"] = {
            "ParentHyperParameterTuningJobs": [
                {"HyperParameterTuningJobName": parent} for parent in parents
            ],
            "WarmStartType": warm_start_type,
        }
    return from_wire(CreateHyperParameterTuningJobRequest, wire)


# --------------------------------------------------------------------------- running


@attrs.frozen(kw_only=True)
class JobOutcome:
    """One training job of a tuning job, as the client reads it back."""

    index: int  # launch order, 0-based
    status: str
    value: float | None  # the objective, None when the job reported none
    billable_seconds: int | None = None


_INDEX = re.compile(r"-(\d{3})-[0-9a-f]{8}$")


def launch_index(training_job_name: str) -> int:
    """``<tuning job>-<NNN>-<hex>`` -> NNN - 1 (the simulator names jobs like the service)."""
    match = _INDEX.search(training_job_name)
    if match is None:
        raise ValueError(f"not a tuning job's training job name: {training_job_name!r}")
    return int(match[1]) - 1


def new_simulator() -> Simulator:
    """An in-memory simulator on an event clock (``--time-scale max``), with the bench
    algorithms registered."""
    sim = Simulator(time_scale="max")
    register_bench_algorithms(sim)
    return sim


async def run_tuning_job(
    sim: Simulator,
    sm: AsyncSageMakerClient,
    request: CreateHyperParameterTuningJobRequest,
    *,
    billing: bool = False,
) -> list[JobOutcome]:
    """Create the tuning job, run the clock until it is done, read its jobs (launch order).

    ``billing`` also describes every training job for its BillableTimeInSeconds.
    """
    name = request.hyper_parameter_tuning_job_name
    await sm.create_hyper_parameter_tuning_job(request)
    sim.run_until_idle()
    described = await sm.describe_hyper_parameter_tuning_job(
        DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=name)
    )
    if described.hyper_parameter_tuning_job_status != "Completed":
        raise RuntimeError(
            f"tuning job {name} ended {described.hyper_parameter_tuning_job_status}: "
            f"{described.failure_reason}"
        )
    listing = sm.paginate_list_training_jobs_for_hyper_parameter_tuning_job(
        ListTrainingJobsForHyperParameterTuningJobRequest(
            hyper_parameter_tuning_job_name=name, max_results=100
        )
    )
    outcomes = []
    async for job in listing:
        metric = job.final_hyper_parameter_tuning_job_objective_metric
        billable = None
        if billing:
            detail = await sm.describe_training_job(
                DescribeTrainingJobRequest(training_job_name=job.training_job_name)
            )
            billable = detail.billable_time_in_seconds
        outcomes.append(
            JobOutcome(
                index=launch_index(job.training_job_name),
                status=str(job.training_job_status),
                value=metric.value if metric is not None else None,
                billable_seconds=billable,
            )
        )
    return sorted(outcomes, key=lambda o: o.index)


def best_so_far(values: Sequence[float | None], minimize: bool = True) -> list[float]:
    """Running best of ``values`` in order (missing values skipped; inf/-inf until one)."""
    out = []
    best = math.inf if minimize else -math.inf
    for v in values:
        if v is not None and math.isfinite(v):
            best = min(best, v) if minimize else max(best, v)
        out.append(best)
    return out


# --------------------------------------------------------------------------- reporting


def parse_seeds(text: str) -> list[int]:
    """``"0-19"`` or ``"1,4,7"`` -> seeds."""
    if "-" in text:
        low, high = text.split("-")
        return list(range(int(low), int(high) + 1))
    return [int(v) for v in text.split(",")]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else math.nan


def machine_load() -> str:
    """The 1/5/15-minute load averages and the core count, for the record."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def client_for(sim: Simulator) -> AsyncSageMakerClient:
    """sagetune's async client, talking to ``sim`` through its in-process transport."""
    import httpx

    return AsyncSageMakerClient(
        http_client=httpx.AsyncClient(transport=sim.async_transport()), **sim.client_options()
    )
