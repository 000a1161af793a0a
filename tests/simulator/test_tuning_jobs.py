"""Tuning jobs in the simulator, end to end through its HTTP handler (in process)."""

from __future__ import annotations

import re

import pytest

from sagetune.simulator import Simulator
from tests.simulator.builders import training_request, tuning_request
from tests.simulator.conftest import SignedCaller

NAME_PATTERN = re.compile(r"^(?P<tuning>.+)-(?P<index>\d{3})-[0-9a-f]{8}$")


def describe(call: SignedCaller, name: str) -> dict:  # type: ignore[type-arg]
    data: dict = call.ok("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": name})  # type: ignore[type-arg]
    return data


def list_all(call: SignedCaller, name: str, **extra: object) -> list[dict]:  # type: ignore[type-arg]
    items: list[dict] = []  # type: ignore[type-arg]
    token = None
    while True:
        body: dict[str, object] = {"HyperParameterTuningJobName": name, "MaxResults": 3, **extra}
        if token:
            body["NextToken"] = token
        page = call.ok("ListTrainingJobsForHyperParameterTuningJob", body)
        items.extend(page["TrainingJobSummaries"])
        token = page.get("NextToken")
        if not token:
            return items


def test_tuning_job_runs_to_completion_with_true_counters_and_best_job(
    sim: Simulator, call: SignedCaller
) -> None:
    arn = call.ok("CreateHyperParameterTuningJob", tuning_request("flow", jobs=8, parallel=2))
    assert arn == {
        "HyperParameterTuningJobArn": "arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/flow"
    }
    first = describe(call, "flow")
    assert first["HyperParameterTuningJobStatus"] == "InProgress"
    assert first["TrainingJobStatusCounters"]["InProgress"] == 2
    assert first["ObjectiveStatusCounters"] == {"Succeeded": 0, "Pending": 2, "Failed": 0}

    most_running = 0
    while describe(call, "flow")["HyperParameterTuningJobStatus"] == "InProgress":
        counters = describe(call, "flow")["TrainingJobStatusCounters"]
        most_running = max(most_running, counters["InProgress"])
        sim.advance(300)
    assert most_running == 2

    done = describe(call, "flow")
    assert done["HyperParameterTuningJobStatus"] == "Completed"
    assert done["TrainingJobStatusCounters"] == {
        "Completed": 8,
        "InProgress": 0,
        "RetryableError": 0,
        "NonRetryableError": 0,
        "Stopped": 0,
    }
    assert done["ObjectiveStatusCounters"] == {"Succeeded": 8, "Pending": 0, "Failed": 0}
    listing = list_all(call, "flow")
    assert len(listing) == 8
    indexes = sorted(int(NAME_PATTERN.match(j["TrainingJobName"])["index"]) for j in listing)  # type: ignore[index]
    assert indexes == list(range(1, 9))
    best = min(listing, key=lambda j: j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
    assert done["BestTrainingJob"]["TrainingJobName"] == best["TrainingJobName"]
    assert done["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"] == {
        "MetricName": "validation:rmse",
        "Value": best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"],
    }
    runtime = done["HyperParameterTuningEndTime"] - done["CreationTime"]
    assert done["ConsumedResources"]["RuntimeInSeconds"] == round(runtime)
    assert done["TuningJobCompletionDetails"]["NumberOfTrainingJobsObjectiveNotImproving"] >= 0


def test_training_jobs_get_static_and_tuned_hyperparameters_and_the_objective_name(
    sim: Simulator, call: SignedCaller
) -> None:
    call.ok("CreateHyperParameterTuningJob", tuning_request("hps", jobs=2, parallel=2, rounds=7))
    names = [j["TrainingJobName"] for j in list_all(call, "hps")]
    job = call.ok("DescribeTrainingJob", {"TrainingJobName": names[0]})
    hps = job["HyperParameters"]
    assert hps["num_round"] == "7"
    assert hps["_tuning_objective_metric"] == "validation:rmse"
    assert 0.01 <= float(hps["eta"]) <= 0.5
    assert 2 <= int(hps["max_depth"]) <= 10
    assert job["TuningJobArn"].endswith(":hyper-parameter-tuning-job/hps")


def test_same_request_and_seed_give_the_same_jobs_and_objectives(call: SignedCaller) -> None:
    def outcome(simulator: Simulator) -> list[tuple[str, dict[str, str], float]]:
        import httpx

        from sagetune.simulator import ENDPOINT_URL

        with httpx.Client(transport=simulator.transport()) as client:
            caller = SignedCaller(client, ENDPOINT_URL)
            caller.ok("CreateHyperParameterTuningJob", tuning_request("det", jobs=6, parallel=3))
            simulator.run_until_idle()
            return sorted(
                (
                    j["TrainingJobName"],
                    j["TunedHyperParameters"],
                    j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"],
                )
                for j in list_all(caller, "det")
            )

    first, second = outcome(Simulator()), outcome(Simulator())
    assert first == second
    assert len({name for name, _, _ in first}) == 6


def test_stop_tuning_job_goes_stopping_then_stopped_and_stops_its_training_jobs(
    sim: Simulator, call: SignedCaller
) -> None:
    call.ok("CreateHyperParameterTuningJob", tuning_request("halt", jobs=10, parallel=3))
    sim.advance(200)
    assert call.ok("StopHyperParameterTuningJob", {"HyperParameterTuningJobName": "halt"}) == {}
    assert describe(call, "halt")["HyperParameterTuningJobStatus"] == "Stopping"
    status, error = call("StopHyperParameterTuningJob", {"HyperParameterTuningJobName": "halt"})
    assert (status, error["__type"]) == (400, "ValidationException")
    sim.run_until_idle()
    done = describe(call, "halt")
    assert done["HyperParameterTuningJobStatus"] == "Stopped"
    assert done["TrainingJobStatusCounters"]["Stopped"] == 3
    assert done["TrainingJobStatusCounters"]["InProgress"] == 0
    assert all(j["TrainingJobStatus"] == "Stopped" for j in list_all(call, "halt"))


def test_delete_needs_a_terminal_job_and_keeps_its_training_jobs(
    sim: Simulator, call: SignedCaller
) -> None:
    call.ok("CreateHyperParameterTuningJob", tuning_request("gone", jobs=2, parallel=2))
    status, error = call("DeleteHyperParameterTuningJob", {"HyperParameterTuningJobName": "gone"})
    assert (status, error["__type"]) == (400, "ValidationException")
    assert "stop it first" in error["message"]
    names = [j["TrainingJobName"] for j in list_all(call, "gone")]
    sim.run_until_idle()
    assert call.ok("DeleteHyperParameterTuningJob", {"HyperParameterTuningJobName": "gone"}) == {}
    status, error = call("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "gone"})
    assert (status, error["__type"]) == (400, "ResourceNotFound")
    assert error["message"] == "Amazon SageMaker can't find a tuning job with name gone"
    assert (
        call.ok("DescribeTrainingJob", {"TrainingJobName": names[0]})["TrainingJobStatus"]
        == "Completed"
    )


def test_a_taken_name_is_resource_in_use(call: SignedCaller) -> None:
    call.ok("CreateHyperParameterTuningJob", tuning_request("taken", jobs=1, parallel=1))
    status, error = call(
        "CreateHyperParameterTuningJob", tuning_request("taken", jobs=1, parallel=1)
    )
    assert (status, error["__type"]) == (400, "ResourceInUse")
    assert "already exists" in error["message"]
    assert "different name" in error["message"]


def test_the_concurrent_tuning_job_limit_is_resource_limit_exceeded() -> None:
    import httpx

    from sagetune.simulator import ENDPOINT_URL

    simulator = Simulator(max_concurrent_tuning_jobs=1)
    with httpx.Client(transport=simulator.transport()) as client:
        caller = SignedCaller(client, ENDPOINT_URL)
        caller.ok("CreateHyperParameterTuningJob", tuning_request("one", jobs=1, parallel=1))
        status, error = caller(
            "CreateHyperParameterTuningJob", tuning_request("two", jobs=1, parallel=1)
        )
        assert (status, error["__type"]) == (400, "ResourceLimitExceeded")
        simulator.run_until_idle()
        caller.ok("CreateHyperParameterTuningJob", tuning_request("two", jobs=1, parallel=1))


def test_missing_tuning_job_is_resource_not_found_for_describe_stop_and_list(
    call: SignedCaller,
) -> None:
    for operation in (
        "DescribeHyperParameterTuningJob",
        "StopHyperParameterTuningJob",
        "ListTrainingJobsForHyperParameterTuningJob",
    ):
        status, error = call(operation, {"HyperParameterTuningJobName": "nothing"})
        assert (status, error["__type"]) == (400, "ResourceNotFound"), operation


def test_listing_tuning_jobs_filters_sorts_and_pages(sim: Simulator, call: SignedCaller) -> None:
    for name in ("alpha-1", "beta-2", "alpha-3"):
        call.ok("CreateHyperParameterTuningJob", tuning_request(name, jobs=1, parallel=1))
        sim.advance(10)
    first = call.ok("ListHyperParameterTuningJobs", {"MaxResults": 2})
    assert [
        s["HyperParameterTuningJobName"] for s in first["HyperParameterTuningJobSummaries"]
    ] == [
        "alpha-1",
        "alpha-3",
    ]
    second = call.ok(
        "ListHyperParameterTuningJobs", {"MaxResults": 2, "NextToken": first["NextToken"]}
    )
    assert [
        s["HyperParameterTuningJobName"] for s in second["HyperParameterTuningJobSummaries"]
    ] == ["beta-2"]
    assert "NextToken" not in second
    newest = call.ok(
        "ListHyperParameterTuningJobs",
        {"SortBy": "CreationTime", "SortOrder": "Descending", "NameContains": "alpha"},
    )
    assert [
        s["HyperParameterTuningJobName"] for s in newest["HyperParameterTuningJobSummaries"]
    ] == [
        "alpha-3",
        "alpha-1",
    ]
    summary = newest["HyperParameterTuningJobSummaries"][0]
    assert summary["Strategy"] == "Random"
    assert summary["ResourceLimits"] == {"MaxNumberOfTrainingJobs": 1, "MaxParallelTrainingJobs": 1}
    sim.run_until_idle()
    completed = call.ok("ListHyperParameterTuningJobs", {"StatusEquals": "Completed"})
    assert len(completed["HyperParameterTuningJobSummaries"]) == 3
    status, error = call("ListHyperParameterTuningJobs", {"NextToken": "bm90LWEtdG9rZW4="})
    assert (status, error["__type"]) == (400, "ValidationException")


def test_sorting_by_objective_leaves_out_jobs_without_one(
    sim: Simulator, call: SignedCaller
) -> None:
    request = tuning_request("sorted", jobs=4, parallel=4)
    request["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"].append(
        {"Name": "train:rmse", "Regex": "train-rmse:([0-9.]+)"}
    )
    call.ok("CreateHyperParameterTuningJob", request)
    sim.advance(100)  # all four running: none has an objective yet
    assert list_all(call, "sorted", SortBy="FinalObjectiveMetricValue") == []
    sim.run_until_idle()
    ranked = list_all(call, "sorted", SortBy="FinalObjectiveMetricValue")
    values = [j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for j in ranked]
    assert values == sorted(values)
    assert len(values) == 4
    descending = list_all(
        call, "sorted", SortBy="FinalObjectiveMetricValue", SortOrder="Descending"
    )
    assert [j["TrainingJobName"] for j in descending] == [j["TrainingJobName"] for j in ranked][
        ::-1
    ]


def test_tuning_job_fails_when_its_first_training_jobs_all_fail(
    sim: Simulator, call: SignedCaller
) -> None:
    request = tuning_request("broken", jobs=10, parallel=2)
    request["TrainingJobDefinition"]["AlgorithmSpecification"]["TrainingImage"] = (
        "sagetune/fail:latest"
    )
    request["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"] = [
        {"Name": "validation:rmse", "Regex": "objective: ([0-9.eE+-]+)"}
    ]
    request["TrainingJobDefinition"]["StaticHyperParameters"] = {
        "epochs": "5",
        "fail_at_epoch": "2",
    }
    request["HyperParameterTuningJobConfig"]["ParameterRanges"] = {
        "ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "1"}]
    }
    call.ok("CreateHyperParameterTuningJob", request)
    sim.run_until_idle()
    done = describe(call, "broken")
    assert done["HyperParameterTuningJobStatus"] == "Failed"
    assert done["FailureReason"].startswith("All of the first 3 training jobs failed")
    assert done["TrainingJobStatusCounters"]["NonRetryableError"] >= 3
    assert done["ObjectiveStatusCounters"]["Failed"] >= 3
    assert done["TrainingJobStatusCounters"]["InProgress"] == 0


def test_max_runtime_of_the_tuning_job_stops_running_jobs_and_completes(
    sim: Simulator, call: SignedCaller
) -> None:
    request = tuning_request("timed", jobs=50, parallel=2, rounds=40)
    request["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxRuntimeInSeconds"] = 1200
    call.ok("CreateHyperParameterTuningJob", request)
    sim.run_until_idle()
    done = describe(call, "timed")
    assert done["HyperParameterTuningJobStatus"] == "Completed"
    counters = done["TrainingJobStatusCounters"]
    assert counters["Stopped"] >= 1
    assert sum(counters.values()) < 50
    assert done["HyperParameterTuningEndTime"] - done["CreationTime"] < 1200 + 60


def test_multi_algorithm_jobs_run_every_definition_and_pick_the_best_across_them(
    sim: Simulator, call: SignedCaller
) -> None:
    request = tuning_request("multi", jobs=6, parallel=2)
    config = request["HyperParameterTuningJobConfig"]
    objective = config.pop("HyperParameterTuningJobObjective")
    ranges = config.pop("ParameterRanges")
    single = request.pop("TrainingJobDefinition")
    request["TrainingJobDefinitions"] = [
        {
            **single,
            "DefinitionName": name,
            "TuningObjective": objective,
            "HyperParameterRanges": ranges,
        }
        for name in ("shallow", "deep")
    ]
    call.ok("CreateHyperParameterTuningJob", request)
    sim.run_until_idle()
    listing = list_all(call, "multi")
    assert sorted({j["TrainingJobDefinitionName"] for j in listing}) == ["deep", "shallow"]
    done = describe(call, "multi")
    best = min(listing, key=lambda j: j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
    assert done["BestTrainingJob"]["TrainingJobName"] == best["TrainingJobName"]
    assert len(done["TrainingJobDefinitions"]) == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"TrainingImage": "sagetune/nope:latest"}, "No algorithm for TrainingImage"),
        (
            {"MetricDefinitions": [{"Name": "validation:rmse", "Regex": "([unclosed"}]},
            "validation:rmse",
        ),
    ],
)
def test_unknown_images_and_bad_metric_regexes_are_rejected_at_create(
    call: SignedCaller, change: dict[str, object], message: str
) -> None:
    request = tuning_request("bad-algo", jobs=1, parallel=1)
    request["TrainingJobDefinition"]["AlgorithmSpecification"].update(change)
    status, error = call("CreateHyperParameterTuningJob", request)
    assert (status, error["__type"]) == (400, "ValidationException")
    assert message in error["message"]


def test_rules_layer_runs_in_the_simulator(call: SignedCaller) -> None:
    request = tuning_request("rules", jobs=1, parallel=1)
    request["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["MetricName"] = (
        "acc"
    )
    status, error = call("CreateHyperParameterTuningJob", request)
    assert (status, error["__type"]) == (400, "ValidationException")
    assert "'acc' must be defined in MetricDefinitions" in error["message"]


def test_standalone_training_job_is_listed_with_tuning_jobs_training_jobs(
    sim: Simulator, call: SignedCaller
) -> None:
    call.ok(
        "CreateTrainingJob",
        training_request("solo", "sagetune/branin:latest", {"x1": "1", "x2": "2"}),
    )
    call.ok("CreateHyperParameterTuningJob", tuning_request("tj", jobs=2, parallel=2))
    names = [
        s["TrainingJobName"]
        for s in call.ok("ListTrainingJobs", {"MaxResults": 100})["TrainingJobSummaries"]
    ]
    assert names[0] == "solo"
    assert len(names) == 3
    sim.run_until_idle()
    completed = call.ok("ListTrainingJobs", {"StatusEquals": "Completed", "NameContains": "tj-"})
    assert len(completed["TrainingJobSummaries"]) == 2
