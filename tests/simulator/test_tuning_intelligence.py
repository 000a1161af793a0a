"""Strategies, early stopping, warm start and completion criteria, as the service applies them.

Early stopping is tested with a scripted algorithm whose per-epoch objective is chosen by a
categorical hyperparameter, run by the Grid strategy one job at a time, so that the curves
of "earlier" jobs are known exactly and the median rule can be computed by hand.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest

from sagetune.simulator import ENDPOINT_URL, AlgorithmContext, Simulator
from tests.simulator.builders import tuning_request
from tests.simulator.conftest import SignedCaller

SCRIPTED_IMAGE = "scripted:1"


def scripted_request(
    name: str,
    curves: Mapping[str, list[float]],
    *,
    objective: str = "Minimize",
    parallel: int = 1,
    **config: Any,
) -> dict[str, Any]:
    """A Grid job over the named curves, ``parallel`` at a time, in the curves' order."""
    request = tuning_request(name, strategy="Grid", jobs=len(curves), parallel=parallel, **config)
    request["HyperParameterTuningJobConfig"].pop("RandomSeed")
    request["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"] = {
        "Type": objective,
        "MetricName": "objective",
    }
    request["HyperParameterTuningJobConfig"]["ParameterRanges"] = {
        "CategoricalParameterRanges": [{"Name": "curve", "Values": list(curves)}]
    }
    definition = request["TrainingJobDefinition"]
    definition["StaticHyperParameters"] = {}
    definition["AlgorithmSpecification"]["TrainingImage"] = SCRIPTED_IMAGE
    definition["AlgorithmSpecification"]["MetricDefinitions"] = [
        {"Name": "objective", "Regex": r"objective=([-0-9.]+)"}
    ]
    return request


@pytest.fixture
def scripted(sim: Simulator) -> dict[str, list[float]]:
    """Register the scripted algorithm; tests fill in the curves it plays."""
    curves: dict[str, list[float]] = {}

    def play(
        hyperparameters: Mapping[str, str], context: AlgorithmContext
    ) -> Iterator[tuple[float, str]]:
        for epoch, value in enumerate(curves[hyperparameters["curve"]], 1):
            yield 60.0, f"epoch={epoch} objective={value}"

    sim.register_algorithm(SCRIPTED_IMAGE, play)
    return curves


def jobs_by_curve(call: SignedCaller, name: str) -> dict[str, dict[str, Any]]:
    listing = call.ok(
        "ListTrainingJobsForHyperParameterTuningJob",
        {"HyperParameterTuningJobName": name, "MaxResults": 100},
    )["TrainingJobSummaries"]
    return {j["TunedHyperParameters"]["curve"]: j for j in listing}


def run_scripted(
    sim: Simulator,
    call: SignedCaller,
    scripted: dict[str, list[float]],
    curves: dict[str, list[float]],
    objective: str = "Minimize",
    parallel: int = 1,
) -> dict[str, dict[str, Any]]:
    scripted.update(curves)
    request = scripted_request(
        "es", curves, objective=objective, parallel=parallel, TrainingJobEarlyStoppingType="Auto"
    )
    call.ok("CreateHyperParameterTuningJob", request)
    sim.run_until_idle()
    return jobs_by_curve(call, "es")


def test_median_rule_stops_a_job_worse_than_the_median_of_running_averages(
    sim: Simulator, call: SignedCaller, scripted: dict[str, list[float]]
) -> None:
    # Running averages at epoch 2 of the jobs before d: a=(4+2)/2=3, b=(6+4)/2=5,
    # c=(2+2)/2=2 -> median 3; d reports 3.5 (worse: stopped). Before e they are 3, 5, 2 and
    # d's (1+3.5)/2=2.25 -> median (2.25+3)/2=2.625; e reports exactly 2.625 (a tie: runs).
    jobs = run_scripted(
        sim,
        call,
        scripted,
        {
            "a": [4, 2, 1, 1],
            "b": [6, 4, 3, 3],
            "c": [2, 2, 2, 2],
            "d": [1, 3.5, 0, 0],
            "e": [1, 2.625, 1, 1],
        },
    )
    assert jobs["d"]["TrainingJobStatus"] == "Stopped"
    assert jobs["d"]["ObjectiveStatus"] == "Succeeded"
    assert jobs["d"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == 3.5
    assert jobs["e"]["TrainingJobStatus"] == "Completed"
    assert {jobs[c]["TrainingJobStatus"] for c in "abc"} == {"Completed"}
    stopped = call.ok("DescribeTrainingJob", {"TrainingJobName": jobs["d"]["TrainingJobName"]})
    assert stopped["SecondaryStatus"] == "Stopped"
    assert "stopped early" in stopped["SecondaryStatusTransitions"][-1]["StatusMessage"]
    done = call.ok("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "es"})
    assert done["TrainingJobStatusCounters"]["Stopped"] == 1
    assert done["ObjectiveStatusCounters"]["Succeeded"] == 5


def test_median_rule_for_a_maximized_objective_stops_the_lower_job(
    sim: Simulator, call: SignedCaller, scripted: dict[str, list[float]]
) -> None:
    jobs = run_scripted(
        sim,
        call,
        scripted,
        {
            "a": [1, 3, 3],
            "b": [1, 5, 5],
            "c": [1, 4, 4],
            "d": [9, 2.9, 9],
            "e": [9, 3.1, 9],
            "f": [9, 2.0, 9],
        },
        objective="Maximize",
    )
    # Running averages at epoch 2: 2, 3, 2.5 -> median 2.5; d (2.9) is better: kept.
    # For e the earlier jobs include d: averages 2, 3, 2.5, 5.95 -> median 2.75; 3.1 kept.
    # For f: 2, 3, 2.5, 5.95, 6.05 -> median 3; 2.0 is lower, worse when maximizing: stopped.
    assert jobs["d"]["TrainingJobStatus"] == "Completed"
    assert jobs["e"]["TrainingJobStatus"] == "Completed"
    assert jobs["f"]["TrainingJobStatus"] == "Stopped"


def test_median_rule_counts_only_finished_earlier_jobs(
    sim: Simulator, call: SignedCaller, scripted: dict[str, list[float]]
) -> None:
    # Two at a time, in lockstep: (a, b), then (c, d), then (e, f). When f decides, a-d have
    # finished and e, launched before f, is still running. Running averages at epochs 2
    # and 3 of a-d: 1, 3, 2, 4 -> median 2.5, and f's 2.4 is better: f runs to the end.
    # Were e counted (0 at every epoch), the median would be 2 and f would be stopped.
    curves: dict[str, list[float]] = {
        "a": [1, 1, 1],
        "b": [3, 3, 3],
        "c": [2, 2, 2],
        "d": [4, 4, 4],
        "e": [0, 0, 0],
        "f": [2.4, 2.4, 2.4],
    }
    jobs = run_scripted(sim, call, scripted, curves, parallel=2)
    assert {c: j["TrainingJobStatus"] for c, j in jobs.items()} == dict.fromkeys(
        curves, "Completed"
    )
    # d (no decision: only a and b had finished) and f both ran their three epochs.
    assert jobs["f"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == 2.4


def test_no_early_stopping_when_off(
    sim: Simulator, call: SignedCaller, scripted: dict[str, list[float]]
) -> None:
    curves: dict[str, list[float]] = {
        "a": [4, 2, 1],
        "b": [6, 4, 3],
        "c": [2, 2, 2],
        "d": [1, 9, 9],
    }
    scripted.update(curves)
    call.ok("CreateHyperParameterTuningJob", scripted_request("off", curves))
    sim.run_until_idle()
    assert {j["TrainingJobStatus"] for j in jobs_by_curve(call, "off").values()} == {"Completed"}


def test_grid_runs_every_combination_once_and_defaults_its_job_count(
    sim: Simulator, call: SignedCaller
) -> None:
    request = tuning_request("grid", strategy="Grid", jobs=1, parallel=3)
    config = request["HyperParameterTuningJobConfig"]
    del config["ResourceLimits"]["MaxNumberOfTrainingJobs"]
    config["ParameterRanges"] = {
        "CategoricalParameterRanges": [
            {"Name": "max_depth", "Values": ["2", "4", "6"]},
            {"Name": "eta", "Values": ["0.1", "0.3"]},
        ]
    }
    call.ok("CreateHyperParameterTuningJob", request)
    sim.run_until_idle()
    listing = call.ok(
        "ListTrainingJobsForHyperParameterTuningJob",
        {"HyperParameterTuningJobName": "grid", "MaxResults": 100},
    )["TrainingJobSummaries"]
    combos = sorted(
        (j["TunedHyperParameters"]["max_depth"], j["TunedHyperParameters"]["eta"]) for j in listing
    )
    assert combos == sorted((d, e) for d in ("2", "4", "6") for e in ("0.1", "0.3"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"ResourceLimits": {"MaxNumberOfTrainingJobs": 7, "MaxParallelTrainingJobs": 1}},
            "Not enough combinations",
        ),
        (
            {
                "ParameterRanges": {
                    "IntegerParameterRanges": [
                        {"Name": "max_depth", "MinValue": "2", "MaxValue": "5"}
                    ]
                }
            },
            "Grid strategy needs at least one categorical range",
        ),
    ],
)
def test_grid_errors(call: SignedCaller, change: dict[str, Any], message: str) -> None:
    request = tuning_request("grid-bad", strategy="Grid", jobs=1, parallel=1)
    config = request["HyperParameterTuningJobConfig"]
    config["ParameterRanges"] = {
        "CategoricalParameterRanges": [{"Name": "max_depth", "Values": ["2", "4"]}]
    }
    config.update(change)
    status, error = call("CreateHyperParameterTuningJob", request)
    assert (status, error["__type"]) == (400, "ValidationException")
    assert message in error["message"]


def mlp_request(name: str, **config: Any) -> dict[str, Any]:
    request = tuning_request(name, **config)
    request["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"] = {
        "Type": "Maximize",
        "MetricName": "val_accuracy",
    }
    request["HyperParameterTuningJobConfig"]["ParameterRanges"] = {
        "ContinuousParameterRanges": [
            {
                "Name": "learning_rate",
                "MinValue": "0.0001",
                "MaxValue": "0.5",
                "ScalingType": "Logarithmic",
            }
        ]
    }
    definition = request["TrainingJobDefinition"]
    definition["StaticHyperParameters"] = {"epochs": "27"}
    definition["AlgorithmSpecification"]["TrainingImage"] = "sagetune/mlp-curve:latest"
    definition["AlgorithmSpecification"]["MetricDefinitions"] = [
        {"Name": "val_accuracy", "Regex": r"val_accuracy: ([0-9.]+)"}
    ]
    return request


def test_hyperband_stops_jobs_at_rungs_and_infers_max_resource_from_epochs(
    sim: Simulator, call: SignedCaller
) -> None:
    request = mlp_request("hb", strategy="Hyperband", jobs=18, parallel=6)
    request["HyperParameterTuningJobConfig"]["StrategyConfig"] = {
        "HyperbandStrategyConfig": {"MinResource": 1}
    }
    call.ok("CreateHyperParameterTuningJob", request)
    sim.run_until_idle()
    done = call.ok("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "hb"})
    assert done["HyperParameterTuningJobStatus"] == "Completed"
    counters = done["TrainingJobStatusCounters"]
    assert counters["Stopped"] >= 3
    assert counters["Completed"] >= 1
    names = [
        j["TrainingJobName"]
        for j in call.ok(
            "ListTrainingJobsForHyperParameterTuningJob",
            {"HyperParameterTuningJobName": "hb", "StatusEquals": "Stopped", "MaxResults": 100},
        )["TrainingJobSummaries"]
    ]
    stopped = call.ok("DescribeTrainingJob", {"TrainingJobName": names[0]})
    assert "Hyperband" in stopped["SecondaryStatusTransitions"][-1]["StatusMessage"]


def test_hyperband_refuses_early_stopping_auto(call: SignedCaller) -> None:
    request = mlp_request(
        "hb-auto", strategy="Hyperband", jobs=5, parallel=2, TrainingJobEarlyStoppingType="Auto"
    )
    status, error = call("CreateHyperParameterTuningJob", request)
    assert (status, error["__type"]) == (400, "ValidationException")
    assert "TrainingJobEarlyStoppingType must be Off" in error["message"]


def test_bayesian_jobs_are_reproducible_under_random_seed() -> None:
    def best(seed: int) -> list[tuple[str, float]]:
        simulator = Simulator()
        with httpx.Client(transport=simulator.transport()) as client:
            caller = SignedCaller(client, ENDPOINT_URL)
            caller.ok(
                "CreateHyperParameterTuningJob",
                tuning_request("bo", strategy="Bayesian", jobs=8, parallel=2, seed=seed),
            )
            simulator.run_until_idle()
            listing = caller.ok(
                "ListTrainingJobsForHyperParameterTuningJob",
                {"HyperParameterTuningJobName": "bo", "MaxResults": 100},
            )["TrainingJobSummaries"]
        return sorted(
            (
                j["TunedHyperParameters"]["eta"],
                j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"],
            )
            for j in listing
        )

    assert best(3) == best(3)
    assert best(3) != best(4)


def test_target_objective_value_completes_the_job_early(sim: Simulator, call: SignedCaller) -> None:
    request = tuning_request(
        "target",
        jobs=40,
        parallel=2,
        TuningJobCompletionCriteria={"TargetObjectiveMetricValue": 10.0},
    )
    call.ok("CreateHyperParameterTuningJob", request)
    sim.run_until_idle()
    done = call.ok("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "target"})
    assert done["HyperParameterTuningJobStatus"] == "Completed"
    assert sum(done["TrainingJobStatusCounters"].values()) == 2  # the first result met the target
    reason = call.ok(
        "GetTuningJobCompletionReason",
        {"HyperParameterTuningJobName": "target"},
        prefix="SageTuneSimulator",
    )
    assert reason["CompletionReason"] == "TargetObjectiveMetricValue"


def test_best_objective_not_improving_completes_the_job(
    sim: Simulator, call: SignedCaller, scripted: dict[str, list[float]]
) -> None:
    # 1.0 then 0.995 (an improvement of 0.5%: not enough) three times -> stop after job 4.
    curves = {"a": [1.0], "b": [0.995], "c": [0.995], "d": [0.996], "e": [0.5], "f": [0.1]}
    scripted.update(curves)
    request = scripted_request(
        "stale",
        curves,
        TuningJobCompletionCriteria={
            "BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 3}
        },
    )
    call.ok("CreateHyperParameterTuningJob", request)
    sim.run_until_idle()
    done = call.ok("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "stale"})
    assert done["TrainingJobStatusCounters"]["Completed"] == 4
    assert done["TuningJobCompletionDetails"]["NumberOfTrainingJobsObjectiveNotImproving"] == 3
    reason = call.ok(
        "GetTuningJobCompletionReason",
        {"HyperParameterTuningJobName": "stale"},
        prefix="SageTuneSimulator",
    )
    assert reason["CompletionReason"] == "BestObjectiveNotImproving"


def test_convergence_detection_records_its_time(sim: Simulator, call: SignedCaller) -> None:
    request = tuning_request(
        "conv",
        jobs=150,
        parallel=3,
        TuningJobCompletionCriteria={"ConvergenceDetected": {"CompleteOnConvergence": "Enabled"}},
    )
    call.ok("CreateHyperParameterTuningJob", request)
    sim.run_until_idle()
    done = call.ok("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "conv"})
    assert done["HyperParameterTuningJobStatus"] == "Completed"
    assert 20 <= sum(done["TrainingJobStatusCounters"].values()) < 150
    assert (
        done["TuningJobCompletionDetails"]["ConvergenceDetectedTime"]
        <= done["HyperParameterTuningEndTime"]
    )
    reason = call.ok(
        "GetTuningJobCompletionReason",
        {"HyperParameterTuningJobName": "conv"},
        prefix="SageTuneSimulator",
    )
    assert reason["CompletionReason"] == "ConvergenceDetected"


def test_convergence_time_is_when_it_was_detected_however_far_the_clock_moves_at_once(
    sim: Simulator, call: SignedCaller
) -> None:
    request = tuning_request(
        "leap",
        jobs=150,
        parallel=3,
        TuningJobCompletionCriteria={"ConvergenceDetected": {"CompleteOnConvergence": "Enabled"}},
    )
    call.ok("CreateHyperParameterTuningJob", request)
    sim.advance(1_000_000)  # one step far past the end
    done = call.ok("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "leap"})
    assert done["HyperParameterTuningJobStatus"] == "Completed"
    converged = done["TuningJobCompletionDetails"]["ConvergenceDetectedTime"]
    assert done["CreationTime"] < converged <= done["HyperParameterTuningEndTime"]


# -- warm start


def parent_and_child(
    call: SignedCaller, sim: Simulator, kind: str = "IdenticalDataAndAlgorithm"
) -> dict[str, Any]:
    call.ok("CreateHyperParameterTuningJob", tuning_request("parent", jobs=4, parallel=2))
    sim.run_until_idle()
    child = tuning_request("child", jobs=4, parallel=2, seed=11)
    child["WarmStartConfig"] = {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "parent"}],
        "WarmStartType": kind,
    }
    return child


def test_identical_data_warm_start_reports_the_best_across_child_and_parents(
    sim: Simulator, call: SignedCaller
) -> None:
    child = parent_and_child(call, sim)
    call.ok("CreateHyperParameterTuningJob", child)
    sim.run_until_idle()
    done = call.ok("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "child"})
    family = []
    for name in ("parent", "child"):
        family += call.ok(
            "ListTrainingJobsForHyperParameterTuningJob",
            {"HyperParameterTuningJobName": name, "MaxResults": 100},
        )["TrainingJobSummaries"]
    best = min(family, key=lambda j: j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
    assert done["OverallBestTrainingJob"]["TrainingJobName"] == best["TrainingJobName"]
    assert done["WarmStartConfig"]["WarmStartType"] == "IdenticalDataAndAlgorithm"


def test_transfer_learning_has_no_overall_best(sim: Simulator, call: SignedCaller) -> None:
    child = parent_and_child(call, sim, "TransferLearning")
    call.ok("CreateHyperParameterTuningJob", child)
    sim.run_until_idle()
    done = call.ok("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "child"})
    assert "OverallBestTrainingJob" not in done
    assert done["HyperParameterTuningJobStatus"] == "Completed"


def _mutate_objective(child: dict[str, Any]) -> None:
    child["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["Type"] = "Maximize"


def _rename_hyperparameter(child: dict[str, Any]) -> None:
    child["HyperParameterTuningJobConfig"]["ParameterRanges"]["IntegerParameterRanges"][0][
        "Name"
    ] = "depth"


def _change_type(child: dict[str, Any]) -> None:
    ranges = child["HyperParameterTuningJobConfig"]["ParameterRanges"]
    ranges["ContinuousParameterRanges"].append(
        {"Name": "max_depth", "MinValue": "2", "MaxValue": "10"}
    )
    ranges.pop("IntegerParameterRanges")


def _too_many_changes(child: dict[str, Any]) -> None:
    ranges = child["HyperParameterTuningJobConfig"]["ParameterRanges"]
    ranges.pop("IntegerParameterRanges")
    child["TrainingJobDefinition"]["StaticHyperParameters"].update(
        {"max_depth": "4", "num_round": "21"}
    )
    # max_depth tunable -> static (1) + num_round changed (2) = 3: allowed; make it 11 below
    for i in range(5):
        child["TrainingJobDefinition"]["StaticHyperParameters"][f"x{i}"] = "1"


def _other_image(child: dict[str, Any]) -> None:
    child["TrainingJobDefinition"]["AlgorithmSpecification"]["TrainingImage"] = (
        "sagetune/xgboost-curve:2"
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_mutate_objective, "objective metric of this tuning job must be the same"),
        (_rename_hyperparameter, "same hyperparameters"),
        (_change_type, "type of hyperparameter max_depth changed"),
        (_other_image, "same training image"),
    ],
)
def test_warm_start_rules_are_enforced(
    sim: Simulator, call: SignedCaller, mutate: Any, message: str
) -> None:
    child = parent_and_child(call, sim)
    mutate(child)
    status, error = call("CreateHyperParameterTuningJob", child)
    assert (status, error["__type"]) == (400, "ValidationException")
    assert message in error["message"]


def test_warm_start_counts_changes_of_static_hyperparameters(
    sim: Simulator, call: SignedCaller
) -> None:
    call.ok("CreateHyperParameterTuningJob", tuning_request("parent", jobs=1, parallel=1))
    sim.run_until_idle()
    parent_static = {f"s{i}": "a" for i in range(6)}
    # Parent has num_round only; rebuild both with 6 statics to count value changes.
    status, _ = call("DeleteHyperParameterTuningJob", {"HyperParameterTuningJobName": "parent"})
    assert status == 200
    parent = tuning_request("parent", jobs=1, parallel=1)
    parent["TrainingJobDefinition"]["StaticHyperParameters"].update(parent_static)
    call.ok("CreateHyperParameterTuningJob", parent)
    sim.run_until_idle()
    child = tuning_request("child", jobs=1, parallel=1)
    child["TrainingJobDefinition"]["StaticHyperParameters"].update({k: "b" for k in parent_static})
    child["WarmStartConfig"] = {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "parent"}],
        "WarmStartType": "TransferLearning",
    }
    status, error = call("CreateHyperParameterTuningJob", child)  # 6 changed values x 2 = 12
    assert (status, error["__type"]) == (400, "ValidationException")
    assert "at most 10 changes" in error["message"]
    child["TrainingJobDefinition"]["StaticHyperParameters"].update({"s0": "a", "s1": "a"})  # 8
    call.ok("CreateHyperParameterTuningJob", child)


def test_warm_start_parents_must_exist_and_be_terminal(sim: Simulator, call: SignedCaller) -> None:
    child = tuning_request("child", jobs=2, parallel=1)
    child["WarmStartConfig"] = {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "nobody"}],
        "WarmStartType": "TransferLearning",
    }
    status, error = call("CreateHyperParameterTuningJob", child)
    assert (status, error["__type"]) == (400, "ValidationException")
    assert "does not exist" in error["message"]
    call.ok("CreateHyperParameterTuningJob", tuning_request("nobody", jobs=2, parallel=1))
    status, error = call("CreateHyperParameterTuningJob", child)
    assert "is in status InProgress" in error["message"]


def test_parents_training_jobs_count_against_the_childs_limit(
    sim: Simulator, call: SignedCaller
) -> None:
    child = parent_and_child(call, sim)
    child["HyperParameterTuningJobConfig"]["Strategy"] = "Bayesian"
    child["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = 747
    status, error = call("CreateHyperParameterTuningJob", child)
    assert (status, error["__type"]) == (400, "ResourceLimitExceeded")
    assert "(4) plus MaxNumberOfTrainingJobs (747)" in error["message"]


def test_warm_start_is_not_recursive(sim: Simulator, call: SignedCaller) -> None:
    child = parent_and_child(call, sim)
    call.ok("CreateHyperParameterTuningJob", child)
    sim.run_until_idle()
    grandchild = tuning_request("grandchild", jobs=2, parallel=1, seed=5)
    grandchild["WarmStartConfig"] = {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "child"}],
        "WarmStartType": "IdenticalDataAndAlgorithm",
    }
    call.ok("CreateHyperParameterTuningJob", grandchild)
    sim.run_until_idle()
    done = call.ok("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "grandchild"})
    assert not done["OverallBestTrainingJob"]["TrainingJobName"].startswith("parent-")
