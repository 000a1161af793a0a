"""``sagetune serve`` on a loopback port, driven by a stock boto3 client, and restarted.

The server runs with ``--time-scale manual``: the test moves its clock with the simulator's
``AdvanceClock`` operation, so nothing here waits on wall time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from sagetune.simulator import Simulator
from tests.compat.served import Served
from tests.simulator.builders import tuning_request
from tests.simulator.conftest import SignedCaller, boto3_client


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = Served("manual", tmp_path)
    yield server
    server.close()


def all_training_jobs(sm: Any, name: str) -> list[dict[str, Any]]:
    pages = sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
        HyperParameterTuningJobName=name, PaginationConfig={"PageSize": 4}
    )
    return [job for page in pages for job in page["TrainingJobSummaries"]]


def test_a_stock_boto3_client_drives_a_whole_tuning_job(served: Served) -> None:
    sm = boto3_client(served.url)
    sm.create_hyper_parameter_tuning_job(**tuning_request("main-job", jobs=6, parallel=2))
    sm.create_hyper_parameter_tuning_job(**tuning_request("other-job", jobs=6, parallel=2))
    served.advance(150)
    running = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="main-job")
    assert running["HyperParameterTuningJobStatus"] == "InProgress"
    assert running["TrainingJobStatusCounters"]["InProgress"] == 2
    assert len(all_training_jobs(sm, "main-job")) == 2

    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="other-job")
    assert (
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="other-job")[
            "HyperParameterTuningJobStatus"
        ]
        == "Stopping"
    )
    for _ in range(200):
        served.advance(600)
        status = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="main-job")[
            "HyperParameterTuningJobStatus"
        ]
        if status != "InProgress":
            break
    done = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="main-job")
    assert done["HyperParameterTuningJobStatus"] == "Completed"
    stopped = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="other-job")
    assert stopped["HyperParameterTuningJobStatus"] == "Stopped"

    jobs = all_training_jobs(sm, "main-job")
    assert len(jobs) == 6
    best = min(jobs, key=lambda j: j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
    assert done["BestTrainingJob"]["TrainingJobName"] == best["TrainingJobName"]
    counters = done["TrainingJobStatusCounters"]
    assert sum(counters.values()) == 6 == counters["Completed"]
    assert sum(done["ObjectiveStatusCounters"].values()) == 6

    sm.delete_hyper_parameter_tuning_job(HyperParameterTuningJobName="main-job")
    with pytest.raises(ClientError) as excinfo:
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="main-job")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFound"
    assert excinfo.value.response["ResponseMetadata"]["RequestId"]


def test_a_killed_server_resumes_its_jobs_and_finishes_them_exactly_once(tmp_path: Path) -> None:
    directory = tmp_path / "restart"  # both servers use the database there
    request = tuning_request("survivor", jobs=10, parallel=3, rounds=25)
    server = Served("manual", directory)
    try:
        sm = boto3_client(server.url)
        sm.create_hyper_parameter_tuning_job(**request)
        server.advance(4000)  # some jobs done, some mid-training
        before = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="survivor")
        assert before["HyperParameterTuningJobStatus"] == "InProgress"
        assert 0 < before["TrainingJobStatusCounters"]["Completed"] < 10
    finally:
        server.kill()

    server = Served("manual", directory)
    try:
        sm = boto3_client(server.url)
        resumed = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="survivor")
        assert resumed["TrainingJobStatusCounters"] == before["TrainingJobStatusCounters"]
        for _ in range(200):
            server.advance(900)
            if (
                sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="survivor")[
                    "HyperParameterTuningJobStatus"
                ]
                != "InProgress"
            ):
                break
        done = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="survivor")
        jobs = all_training_jobs(sm, "survivor")
    finally:
        server.close()

    assert done["HyperParameterTuningJobStatus"] == "Completed"
    names = [j["TrainingJobName"] for j in jobs]
    assert len(names) == len(set(names)) == 10
    assert sorted(int(n.split("-")[-2]) for n in names) == list(range(1, 11))
    assert done["TrainingJobStatusCounters"]["Completed"] == 10

    # The interrupted run ends exactly where an uninterrupted one does.
    reference = Simulator()
    with httpx.Client(transport=reference.transport()) as client:
        from sagetune.simulator import ENDPOINT_URL

        caller = SignedCaller(client, ENDPOINT_URL)
        caller.ok("CreateHyperParameterTuningJob", request)
        reference.run_until_idle()
        expected = caller.ok(
            "ListTrainingJobsForHyperParameterTuningJob",
            {"HyperParameterTuningJobName": "survivor", "MaxResults": 100},
        )["TrainingJobSummaries"]
    assert sorted(
        (j["TrainingJobName"], j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
        for j in jobs
    ) == sorted(
        (j["TrainingJobName"], j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
        for j in expected
    )
