"""A create whose answer was lost is reconciled (sagetune.lost_creates): the retry meets
ResourceInUse, the client describes the job, and returns the create's answer when the job is
the one the request asked for; otherwise the caller gets ResourceInUse, explained."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from sagetune import AsyncSageMakerClient, SageMakerClient
from sagetune.codec import from_wire
from sagetune.errors import ResourceInUse
from sagetune.lost_creates import differences
from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    CreateHyperParameterTuningJobResponse,
    CreateTrainingJobResponse,
    DescribeHyperParameterTuningJobResponse,
)
from tests.client.aws_double import (
    ACCOUNT,
    AKID,
    REGION,
    SECRET,
    TRAINING_JOB_WIRE,
    TUNING_JOB_WIRE,
    RawServer,
    RecordingSleep,
    ScriptedService,
    error,
    example_requests,
    fails,
    ok,
)

CREATE = example_requests()["CreateHyperParameterTuningJob"]
ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:hyper-parameter-tuning-job/tune-1"
IN_USE = error(400, "ResourceInUse", "Tuning job tune-1 already exists")


def echo_of(request_wire: dict[str, Any]) -> dict[str, Any]:
    """A Describe answer as SageMaker gives it for a job created from ``request_wire``: the
    request's members (not Tags), plus what the service adds (status, times, ARN, defaults)."""
    echoed = {k: v for k, v in request_wire.items() if k != "Tags"}
    definition = dict(echoed["TrainingJobDefinition"])
    definition["StaticHyperParameters"] = {
        **definition["StaticHyperParameters"],
        "_tuning_objective_metric": "validation:rmse",  # added by the service
    }
    definition["EnableManagedSpotTraining"] = False  # a default the request left unset
    return {
        **echoed,
        "TrainingJobDefinition": definition,
        "HyperParameterTuningJobArn": ARN,
        "HyperParameterTuningJobStatus": "InProgress",
        "CreationTime": 1795564800,
        "TrainingJobStatusCounters": {},
        "ObjectiveStatusCounters": {},
    }


def client(service: ScriptedService, **options: Any) -> AsyncSageMakerClient:
    return AsyncSageMakerClient(
        region_name=REGION,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        http_client=service.async_client(),
        sleep=RecordingSleep(),
        random=lambda: 0.5,
        **options,
    )


async def test_the_job_the_lost_attempt_created_is_adopted() -> None:
    service = ScriptedService(fails(httpx.ReadTimeout), IN_USE, ok(echo_of(TUNING_JOB_WIRE)))
    async with client(service) as sm:
        out = await sm.create_hyper_parameter_tuning_job(CREATE)

    assert isinstance(out, CreateHyperParameterTuningJobResponse)
    assert out.hyper_parameter_tuning_job_arn == ARN
    assert out.response_metadata is not None
    assert (out.response_metadata.attempts, out.response_metadata.http_status) == (2, 200)
    assert out.response_metadata.request_id == "req-2"  # the Describe's answer
    assert [s.operation for s in service.seen] == [
        "CreateHyperParameterTuningJob",
        "CreateHyperParameterTuningJob",
        "DescribeHyperParameterTuningJob",
    ]
    assert service.seen[2].document == {"HyperParameterTuningJobName": "tune-1"}


async def test_a_different_job_under_the_same_name_is_not_adopted() -> None:
    other = json.loads(json.dumps(TUNING_JOB_WIRE))
    other["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = 99
    service = ScriptedService(fails(httpx.ConnectError), IN_USE, ok(echo_of(other)))
    async with client(service) as sm:
        with pytest.raises(ResourceInUse) as caught:
            await sm.create_hyper_parameter_tuning_job(CREATE)
    message = caught.value.message
    assert message.startswith("Tuning job tune-1 already exists")
    assert "earlier attempt of this call got no answer [ConnectionFailure]" in message
    assert "differs from this request in hyper_parameter_tuning_job_config" in message
    assert caught.value.code == "ResourceInUse"


async def test_resource_in_use_without_a_lost_answer_is_raised_at_once() -> None:
    service = ScriptedService(IN_USE)
    async with client(service) as sm:
        with pytest.raises(ResourceInUse) as caught:
            await sm.create_hyper_parameter_tuning_job(CREATE)
    assert caught.value.message == "Tuning job tune-1 already exists"
    assert len(service.seen) == 1  # nothing described: this is someone else's job


async def test_a_failed_check_leaves_the_resource_in_use_with_the_reason() -> None:
    service = ScriptedService(
        fails(httpx.ReadError), IN_USE, error(400, "ResourceNotFound", "gone")
    )
    async with client(service) as sm:
        with pytest.raises(ResourceInUse) as caught:
            await sm.create_hyper_parameter_tuning_job(CREATE)
    assert "could not be checked: ResourceNotFound, HTTP 400" in caught.value.message


def test_training_jobs_are_reconciled_by_the_blocking_client_too() -> None:
    echo = {
        **{k: v for k, v in TRAINING_JOB_WIRE.items() if k != "Tags"},
        "TrainingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/train-1",
        "TrainingJobStatus": "InProgress",
        "SecondaryStatus": "Starting",
        "CreationTime": 1795564800,
    }
    service = ScriptedService(
        fails(httpx.RemoteProtocolError), error(400, "ResourceInUse", "exists"), ok(echo)
    )
    with SageMakerClient(
        region_name=REGION,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        http_client=service.sync_client(),
        sleep=RecordingSleep().blocking,
    ) as sm:
        out = sm.create_training_job(example_requests()["CreateTrainingJob"])
    assert isinstance(out, CreateTrainingJobResponse)
    assert out.training_job_arn == echo["TrainingJobArn"]
    assert service.seen[-1].operation == "DescribeTrainingJob"


def test_over_a_socket_the_reset_create_is_adopted(raw_server: RawServer) -> None:
    """The service carries out the first create and resets the connection before answering;
    the retry meets ResourceInUse; the Describe shows the job as asked."""
    created: dict[str, dict[str, Any]] = {}

    def service(target: str, body: bytes) -> tuple[str, int, bytes]:
        document = json.loads(body)
        name = document["HyperParameterTuningJobName"]
        if target.endswith("DescribeHyperParameterTuningJob"):
            return ("respond", 200, json.dumps(echo_of(created[name])).encode())
        if name in created:
            answer = {"__type": "ResourceInUse", "message": f"Tuning job {name} already exists"}
            return ("respond", 400, json.dumps(answer).encode())
        created[name] = document
        return ("reset", 0, b"")  # done, but the answer never arrives

    raw_server.handler = service
    with SageMakerClient(
        region_name=REGION,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        endpoint_url=raw_server.url,
        sleep=RecordingSleep().blocking,
    ) as sm:
        out = sm.create_hyper_parameter_tuning_job(CREATE)

    assert out.hyper_parameter_tuning_job_arn == ARN
    assert list(created) == ["tune-1"]
    assert [target.split(".")[1] for target, _ in raw_server.requests] == [
        "CreateHyperParameterTuningJob",
        "CreateHyperParameterTuningJob",
        "DescribeHyperParameterTuningJob",
    ]
    assert raw_server.requests[0][1] == raw_server.requests[1][1]  # the same request, resent


class LosesTheFirstCreateAnswer(httpx.AsyncBaseTransport):
    """The simulator's own transport, except that the first create's answer is lost after
    the simulator has carried it out."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        target = request.headers["x-amz-target"]
        if not self.lost and target.endswith("CreateHyperParameterTuningJob"):
            self.lost += 1
            raise httpx.ReadError("connection reset after the service acted", request=request)
        return response


async def test_against_the_simulator_the_lost_create_is_adopted_once() -> None:
    from sagetune.model import (
        DescribeHyperParameterTuningJobRequest,
        ListHyperParameterTuningJobsRequest,
    )
    from sagetune.simulator import Simulator
    from tests.simulator.builders import tuning_request

    request = from_wire(CreateHyperParameterTuningJobRequest, tuning_request("tune-1"))
    simulator = Simulator()
    transport = LosesTheFirstCreateAnswer(simulator.async_transport())
    async with AsyncSageMakerClient(
        **simulator.client_options(),
        http_client=httpx.AsyncClient(transport=transport),
        sleep=RecordingSleep(),
    ) as sm:
        out = await sm.create_hyper_parameter_tuning_job(request)
        described = await sm.describe_hyper_parameter_tuning_job(
            DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="tune-1")
        )
        listed = await sm.list_hyper_parameter_tuning_jobs(ListHyperParameterTuningJobsRequest())
    assert transport.lost == 1
    assert out.hyper_parameter_tuning_job_arn == described.hyper_parameter_tuning_job_arn
    assert [
        j.hyper_parameter_tuning_job_name for j in listed.hyper_parameter_tuning_job_summaries
    ] == ["tune-1"]


# -- the comparison itself -------------------------------------------------------------------


def described(wire: dict[str, Any]) -> DescribeHyperParameterTuningJobResponse:
    return from_wire(DescribeHyperParameterTuningJobResponse, echo_of(wire))


def test_members_the_service_adds_or_the_request_left_unset_do_not_count() -> None:
    assert differences(CREATE, described(TUNING_JOB_WIRE)) == []


@pytest.mark.parametrize(
    ("change", "member"),
    [
        (
            lambda w: w["HyperParameterTuningJobConfig"].update(Strategy="Random"),
            "hyper_parameter_tuning_job_config",
        ),
        (
            lambda w: w["TrainingJobDefinition"]["StaticHyperParameters"].update(objective="x"),
            "training_job_definition",
        ),
        (
            lambda w: w["TrainingJobDefinition"]["StaticHyperParameters"].pop("objective"),
            "training_job_definition",
        ),
        (
            lambda w: w["HyperParameterTuningJobConfig"]["ParameterRanges"][
                "CategoricalParameterRanges"
            ][0]["Values"].append("x"),
            "hyper_parameter_tuning_job_config",
        ),
    ],
)
def test_any_member_asked_for_and_not_echoed_as_asked_is_a_difference(
    change: Any, member: str
) -> None:
    existing = json.loads(json.dumps(TUNING_JOB_WIRE))
    change(existing)
    assert differences(CREATE, described(existing)) == [member]


def test_a_member_the_request_set_and_the_job_lacks_is_a_difference() -> None:
    with_warm_start = from_wire(
        CreateHyperParameterTuningJobRequest,
        {
            **TUNING_JOB_WIRE,
            "WarmStartConfig": {
                "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "parent"}],
                "WarmStartType": "IdenticalDataAndAlgorithm",
            },
        },
    )
    assert differences(with_warm_start, described(TUNING_JOB_WIRE)) == ["warm_start_config"]
