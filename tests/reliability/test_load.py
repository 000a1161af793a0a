"""Bounded load on loopback: many clients at once against ``sagetune serve``'s app (uvicorn
on a loopback port, the clock driver running a tuning job meanwhile) all get their answers.

Bounded in count (CLIENTS x CALLS) and in time (each call's timeout, the test's bound)."""

from __future__ import annotations

import asyncio

import httpx

from sagetune import AsyncSageMakerClient
from sagetune.codec import from_wire
from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    DescribeHyperParameterTuningJobRequest,
    ListTrainingJobsRequest,
)
from sagetune.simulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Simulator
from sagetune.simulator.server import BackgroundServer
from tests.reliability.support import REGRESSION_BOUND
from tests.simulator.builders import tuning_request

CLIENTS = 20
CALLS = 25


def client(url: str) -> AsyncSageMakerClient:
    return AsyncSageMakerClient(
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=DEFAULT_ACCESS_KEY_ID,
        aws_secret_access_key=DEFAULT_SECRET_ACCESS_KEY,
    )


async def calls(url: str, number: int) -> int:
    answered = 0
    async with client(url) as sm:
        for call in range(CALLS):
            if (number + call) % 2:
                listed = await sm.list_training_jobs(ListTrainingJobsRequest(max_results=5))
                answered += listed.training_job_summaries is not None
            else:
                described = await sm.describe_hyper_parameter_tuning_job(
                    DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="load")
                )
                answered += described.hyper_parameter_tuning_job_name == "load"
    return answered


async def load(url: str) -> list[int]:
    async with client(url) as sm:
        request = tuning_request("load", strategy="Bayesian", jobs=20, parallel=5)
        await sm.create_hyper_parameter_tuning_job(
            from_wire(CreateHyperParameterTuningJobRequest, request)
        )
    return list(await asyncio.gather(*(calls(url, n) for n in range(CLIENTS))))


def test_many_clients_at_once_all_get_their_answers_while_a_job_runs() -> None:
    with BackgroundServer(Simulator(time_scale="max")) as served:
        url = served.start()
        answered = asyncio.run(asyncio.wait_for(load(url), REGRESSION_BOUND * 4))
        with httpx.Client() as http:
            assert http.post(url + "/").status_code == 400  # still answering after the load

    assert answered == [CALLS] * CLIENTS
