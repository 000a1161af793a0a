"""Training jobs in the simulator: lifecycle, limits, failures, logs and metric series."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping

from sagetune.simulator import AlgorithmContext, Simulator
from tests.simulator.builders import training_request, tuning_request
from tests.simulator.conftest import SignedCaller


def test_training_job_goes_through_secondary_statuses_and_bills_its_training_time(
    sim: Simulator, call: SignedCaller
) -> None:
    arn = call.ok(
        "CreateTrainingJob",
        training_request("solo", "sagetune/branin:latest", {"x1": "3.14", "x2": "2.275"}),
    )["TrainingJobArn"]
    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:training-job/solo"
    running = call.ok("DescribeTrainingJob", {"TrainingJobName": "solo"})
    assert (running["TrainingJobStatus"], running["SecondaryStatus"]) == ("InProgress", "Starting")
    sim.run_until_idle()
    job = call.ok("DescribeTrainingJob", {"TrainingJobName": "solo"})
    assert job["TrainingJobStatus"] == "Completed"
    transitions = job["SecondaryStatusTransitions"]
    assert [t["Status"] for t in transitions] == [
        "Starting",
        "Downloading",
        "Training",
        "Uploading",
        "Completed",
    ]
    for before, after in itertools.pairwise(transitions):
        assert before["EndTime"] == after["StartTime"]
    assert job["BillableTimeInSeconds"] == round(job["TrainingEndTime"] - job["TrainingStartTime"])
    assert job["TrainingTimeInSeconds"] == job["BillableTimeInSeconds"]
    assert job["ModelArtifacts"] == {"S3ModelArtifacts": "s3://bucket/out/solo/output/model.tar.gz"}


def test_max_runtime_exceeded_ends_stopped_not_failed(sim: Simulator, call: SignedCaller) -> None:
    request = training_request(
        "slow",
        "sagetune/xgboost-curve:latest",
        {"num_round": "500"},
        StoppingCondition={"MaxRuntimeInSeconds": 300},
    )
    call.ok("CreateTrainingJob", request)
    sim.run_until_idle()
    job = call.ok("DescribeTrainingJob", {"TrainingJobName": "slow"})
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Stopped", "MaxRuntimeExceeded")
    assert "FailureReason" not in job
    assert job["TrainingEndTime"] - job["TrainingStartTime"] <= 300 + 5


def test_an_algorithm_error_fails_the_job_with_its_reason(
    sim: Simulator, call: SignedCaller
) -> None:
    call.ok(
        "CreateTrainingJob",
        training_request("bad-hp", "sagetune/xgboost-curve:latest", {"eta": "7"}),
    )
    sim.run_until_idle()
    job = call.ok("DescribeTrainingJob", {"TrainingJobName": "bad-hp"})
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Failed", "Failed")
    assert job["FailureReason"].startswith("ClientError: ")
    assert "eta" in job["FailureReason"]


def test_a_job_without_its_objective_metric_has_objective_status_failed(
    sim: Simulator, call: SignedCaller
) -> None:
    request = tuning_request("silent", jobs=2, parallel=2)
    spec = request["TrainingJobDefinition"]
    spec["AlgorithmSpecification"]["TrainingImage"] = "sagetune/no-metric:latest"
    spec["StaticHyperParameters"] = {}
    request["HyperParameterTuningJobConfig"]["ParameterRanges"] = {
        "ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "1"}]
    }
    call.ok("CreateHyperParameterTuningJob", request)
    sim.run_until_idle()
    done = call.ok("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "silent"})
    assert done["ObjectiveStatusCounters"]["Failed"] == 2
    assert done["TrainingJobStatusCounters"]["Completed"] == 2


def test_stop_training_job_and_its_errors(sim: Simulator, call: SignedCaller) -> None:
    call.ok("CreateTrainingJob", training_request("halt", "sagetune/xgboost-curve:latest", {}))
    sim.advance(200)
    assert call.ok("StopTrainingJob", {"TrainingJobName": "halt"}) == {}
    assert (
        call.ok("DescribeTrainingJob", {"TrainingJobName": "halt"})["TrainingJobStatus"]
        == "Stopping"
    )
    status, error = call("StopTrainingJob", {"TrainingJobName": "halt"})
    assert (status, error["__type"]) == (400, "ValidationException")
    assert (
        error["message"]
        == "The request was rejected because the training job is in status Stopping."
    )
    sim.run_until_idle()
    job = call.ok("DescribeTrainingJob", {"TrainingJobName": "halt"})
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Stopped", "Stopped")
    status, error = call("DescribeTrainingJob", {"TrainingJobName": "missing"})
    assert (status, error) == (
        400,
        {"__type": "ValidationException", "message": "Requested resource not found."},
    )
    status, error = call("StopTrainingJob", {"TrainingJobName": "missing"})
    assert (status, error["__type"]) == (400, "ResourceNotFound")
    status, error = call(
        "CreateTrainingJob", training_request("halt", "sagetune/branin:latest", {})
    )
    assert (status, error["__type"]) == (400, "ResourceInUse")


def test_registered_algorithm_gets_string_hyperparameters_and_a_seeded_context(
    sim: Simulator, call: SignedCaller
) -> None:
    seen: list[tuple[dict[str, str], int]] = []

    def mine(
        hyperparameters: Mapping[str, str], context: AlgorithmContext
    ) -> Iterator[tuple[float, str]]:
        seen.append((dict(hyperparameters), context.seed))
        for epoch in range(1, 4):
            yield 30.0, f"epoch={epoch} loss={1.0 / epoch + float(hyperparameters['lr']):.4f}"

    sim.register_algorithm("123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1", mine)
    request = tuning_request("mine", jobs=3, parallel=1)
    spec = request["TrainingJobDefinition"]
    spec["AlgorithmSpecification"]["TrainingImage"] = (
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1"
    )
    spec["AlgorithmSpecification"]["MetricDefinitions"] = [
        {"Name": "loss", "Regex": r"loss=([0-9.]+)"}
    ]
    spec["StaticHyperParameters"] = {"batch": "32"}
    config = request["HyperParameterTuningJobConfig"]
    config["HyperParameterTuningJobObjective"]["MetricName"] = "loss"
    config["ParameterRanges"] = {
        "ContinuousParameterRanges": [{"Name": "lr", "MinValue": "0.1", "MaxValue": "0.2"}]
    }
    call.ok("CreateHyperParameterTuningJob", request)
    sim.run_until_idle()
    assert len(seen) == 3
    assert all(hp["batch"] == "32" and isinstance(hp["lr"], str) for hp, _ in seen)
    assert len({seed for _, seed in seen}) == 3
    done = call.ok("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "mine"})
    best = done["BestTrainingJob"]
    lr = float(best["TunedHyperParameters"]["lr"])
    assert best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == round(1 / 3 + lr, 4)


def test_logs_are_served_in_cloudwatch_logs_shape(sim: Simulator, call: SignedCaller) -> None:
    call.ok(
        "CreateTrainingJob",
        training_request("logged", "sagetune/xgboost-curve:latest", {"num_round": "5"}),
    )
    sim.run_until_idle()
    streams = call.ok(
        "DescribeLogStreams",
        {"logGroupName": "/aws/sagemaker/TrainingJobs", "logStreamNamePrefix": "logged/"},
        prefix="Logs_20140328",
    )["logStreams"]
    assert len(streams) == 1
    assert streams[0]["logStreamName"].startswith("logged/algo-1-")
    events = call.ok(
        "GetLogEvents",
        {
            "logGroupName": "/aws/sagemaker/TrainingJobs",
            "logStreamName": streams[0]["logStreamName"],
        },
        prefix="Logs_20140328",
    )
    messages = [e["message"] for e in events["events"]]
    rounds = [m for m in messages if "#011validation-rmse:" in m]
    assert len(rounds) == 5
    assert events["events"] == sorted(events["events"], key=lambda e: e["timestamp"])
    # The whole stream fit one page: going backward from its start finds nothing, and the
    # same token comes back (CloudWatch's end-of-stream signal).
    before = call.ok(
        "GetLogEvents",
        {
            "logGroupName": "/aws/sagemaker/TrainingJobs",
            "logStreamName": streams[0]["logStreamName"],
            "limit": 2,
            "nextToken": events["nextBackwardToken"],
        },
        prefix="Logs_20140328",
    )
    assert before["events"] == []
    assert before["nextBackwardToken"] == events["nextBackwardToken"]
    head = call.ok(
        "GetLogEvents",
        {
            "logGroupName": "/aws/sagemaker/TrainingJobs",
            "logStreamName": streams[0]["logStreamName"],
            "limit": 2,
            "startFromHead": True,
        },
        prefix="Logs_20140328",
    )
    assert [e["message"] for e in head["events"]] == messages[:2]
