"""A SageMaker stand-in for client tests, speaking AWS JSON 1.1 through real HTTP stacks.

- :class:`ScriptedService`: an ``httpx.MockTransport`` handler (sync and async clients);
  each request takes the next scripted answer (or a per-operation default), and is
  recorded with its headers and parsed body.
- :class:`RawServer`: a loopback socket server for what a transport double cannot do
  faithfully: a connection reset after the request was read, or no answer at all.

Answers are built with ``sagetune.protocol``, the module the simulator uses.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs
import httpx

from sagetune import protocol
from sagetune.codec import from_wire
from sagetune.model import (
    AddTagsInput,
    CreateHyperParameterTuningJobRequest,
    CreateTrainingJobRequest,
    DeleteHyperParameterTuningJobRequest,
    DeleteTagsInput,
    DescribeHyperParameterTuningJobRequest,
    DescribeTrainingJobRequest,
    ListHyperParameterTuningJobsRequest,
    ListTagsInput,
    ListTrainingJobsForHyperParameterTuningJobRequest,
    ListTrainingJobsRequest,
    StopHyperParameterTuningJobRequest,
    StopTrainingJobRequest,
    Tag,
)
from tests._socket_server import LoopbackSocketServer

REGION = "us-east-1"
ACCOUNT = "123456789012"
AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/SageMakerRole"
IMAGE = "sagetune/xgboost:latest"
T0 = 1795564800
TUNING_JOB_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:hyper-parameter-tuning-job/tune-1"

# -- requests: one valid example per operation ---------------------------------------------

TUNING_JOB_WIRE: dict[str, Any] = {
    "HyperParameterTuningJobName": "tune-1",
    "HyperParameterTuningJobConfig": {
        "Strategy": "Bayesian",
        "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "validation:rmse"},
        "ResourceLimits": {"MaxNumberOfTrainingJobs": 20, "MaxParallelTrainingJobs": 2},
        "ParameterRanges": {
            "IntegerParameterRanges": [
                {"Name": "max_depth", "MinValue": "3", "MaxValue": "10", "ScalingType": "Linear"}
            ],
            "ContinuousParameterRanges": [
                {"Name": "eta", "MinValue": "0.01", "MaxValue": "0.5", "ScalingType": "Logarithmic"}
            ],
            "CategoricalParameterRanges": [{"Name": "booster", "Values": ["gbtree", "dart"]}],
        },
        "TrainingJobEarlyStoppingType": "Auto",
    },
    "TrainingJobDefinition": {
        "StaticHyperParameters": {"objective": "reg:squarederror"},
        "AlgorithmSpecification": {
            "TrainingImage": IMAGE,
            "TrainingInputMode": "File",
            "MetricDefinitions": [
                {"Name": "validation:rmse", "Regex": "validation-rmse:([0-9\\.]+)"}
            ],
        },
        "RoleArn": ROLE,
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/out/"},
        "ResourceConfig": {
            "InstanceType": "ml.m5.xlarge",
            "InstanceCount": 1,
            "VolumeSizeInGB": 10,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    },
    "Tags": [{"Key": "team", "Value": "ml-platform"}],
}

TRAINING_JOB_WIRE: dict[str, Any] = {
    "TrainingJobName": "train-1",
    "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
    "RoleArn": ROLE,
    "OutputDataConfig": {"S3OutputPath": "s3://bucket/out/"},
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    "HyperParameters": {"max_depth": "5"},
}


def example_requests() -> dict[str, Any]:
    """One valid request per operation of the model, by operation name."""
    return {
        "CreateHyperParameterTuningJob": from_wire(
            CreateHyperParameterTuningJobRequest, TUNING_JOB_WIRE
        ),
        "DescribeHyperParameterTuningJob": DescribeHyperParameterTuningJobRequest(
            hyper_parameter_tuning_job_name="tune-1"
        ),
        "ListHyperParameterTuningJobs": ListHyperParameterTuningJobsRequest(
            max_results=10, name_contains="tune"
        ),
        "StopHyperParameterTuningJob": StopHyperParameterTuningJobRequest(
            hyper_parameter_tuning_job_name="tune-1"
        ),
        "DeleteHyperParameterTuningJob": DeleteHyperParameterTuningJobRequest(
            hyper_parameter_tuning_job_name="tune-1"
        ),
        "ListTrainingJobsForHyperParameterTuningJob": (
            ListTrainingJobsForHyperParameterTuningJobRequest(
                hyper_parameter_tuning_job_name="tune-1", max_results=5
            )
        ),
        "CreateTrainingJob": from_wire(CreateTrainingJobRequest, TRAINING_JOB_WIRE),
        "DescribeTrainingJob": DescribeTrainingJobRequest(training_job_name="train-1"),
        "ListTrainingJobs": ListTrainingJobsRequest(
            max_results=3, creation_time_after=datetime(2026, 1, 1, tzinfo=UTC)
        ),
        "StopTrainingJob": StopTrainingJobRequest(training_job_name="train-1"),
        "AddTags": AddTagsInput(
            resource_arn=TUNING_JOB_ARN, tags=[Tag(key="team", value="search")]
        ),
        "ListTags": ListTagsInput(resource_arn=TUNING_JOB_ARN, max_results=50),
        "DeleteTags": DeleteTagsInput(resource_arn=TUNING_JOB_ARN, tag_keys=["team"]),
    }


def tuning_job_description(status: str, failure_reason: str | None = None) -> dict[str, Any]:
    """A DescribeHyperParameterTuningJob answer (wire form) in ``status``."""
    body: dict[str, Any] = {
        "HyperParameterTuningJobName": "tune-1",
        "HyperParameterTuningJobArn": (
            f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:hyper-parameter-tuning-job/tune-1"
        ),
        "HyperParameterTuningJobConfig": TUNING_JOB_WIRE["HyperParameterTuningJobConfig"],
        "HyperParameterTuningJobStatus": status,
        "CreationTime": T0,
        "TrainingJobStatusCounters": {"Completed": 3, "InProgress": 1},
        "ObjectiveStatusCounters": {"Succeeded": 3, "Pending": 1, "Failed": 0},
    }
    if failure_reason is not None:
        body["FailureReason"] = failure_reason
    return body


def training_job_description(status: str, failure_reason: str | None = None) -> dict[str, Any]:
    """A DescribeTrainingJob answer (wire form) in ``status``."""
    body: dict[str, Any] = {
        "TrainingJobName": "train-1",
        "TrainingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/train-1",
        "ModelArtifacts": {"S3ModelArtifacts": "s3://bucket/out/model.tar.gz"},
        "TrainingJobStatus": status,
        "SecondaryStatus": "Training",
        "AlgorithmSpecification": TRAINING_JOB_WIRE["AlgorithmSpecification"],
        "ResourceConfig": TRAINING_JOB_WIRE["ResourceConfig"],
        "StoppingCondition": TRAINING_JOB_WIRE["StoppingCondition"],
        "CreationTime": T0,
    }
    if failure_reason is not None:
        body["FailureReason"] = failure_reason
    return body


EXAMPLE_ANSWERS: dict[str, dict[str, Any]] = {
    "CreateHyperParameterTuningJob": {
        "HyperParameterTuningJobArn": (
            f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:hyper-parameter-tuning-job/tune-1"
        )
    },
    "DescribeHyperParameterTuningJob": tuning_job_description("InProgress"),
    "ListHyperParameterTuningJobs": {
        "HyperParameterTuningJobSummaries": [
            {
                "HyperParameterTuningJobName": "tune-1",
                "HyperParameterTuningJobArn": "arn:x",
                "HyperParameterTuningJobStatus": "Completed",
                "Strategy": "Bayesian",
                "CreationTime": T0,
                "TrainingJobStatusCounters": {"Completed": 4},
                "ObjectiveStatusCounters": {"Succeeded": 4},
            }
        ]
    },
    "StopHyperParameterTuningJob": {},
    "DeleteHyperParameterTuningJob": {},
    "ListTrainingJobsForHyperParameterTuningJob": {
        "TrainingJobSummaries": [
            {
                "TrainingJobName": "tune-1-001-abc",
                "TrainingJobArn": "arn:y",
                "CreationTime": T0,
                "TrainingJobStatus": "Completed",
                "TunedHyperParameters": {"max_depth": "4"},
            }
        ]
    },
    "CreateTrainingJob": {
        "TrainingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/train-1"
    },
    "DescribeTrainingJob": training_job_description("InProgress"),
    "ListTrainingJobs": {
        "TrainingJobSummaries": [
            {
                "TrainingJobName": "train-1",
                "TrainingJobArn": "arn:z",
                "CreationTime": T0,
                "TrainingJobStatus": "Completed",
            }
        ]
    },
    "StopTrainingJob": {},
    "AddTags": {"Tags": [{"Key": "team", "Value": "search"}]},
    "ListTags": {"Tags": [{"Key": "team", "Value": "search"}], "NextToken": "page-2"},
    "DeleteTags": {},
}

# -- answers -------------------------------------------------------------------------------


@attrs.frozen
class Answer:
    """One scripted HTTP answer, or a transport failure raised instead of one."""

    status: int = 200
    body: bytes = b"{}"
    headers: tuple[tuple[str, str], ...] = ()
    raise_: type[httpx.TransportError] | None = None


def ok(document: Mapping[str, Any] | None = None, *, headers: Mapping[str, str] = {}) -> Answer:
    return Answer(200, protocol.encode(document or {}), tuple(headers.items()))


def error(status: int, code: str, message: str = "", **headers: str) -> Answer:
    return Answer(status, protocol.error_body(code, message), tuple(headers.items()))


def fails(exc: type[httpx.TransportError]) -> Answer:
    """No answer: the transport raises ``exc`` (an httpx exception)."""
    return Answer(raise_=exc)


@attrs.frozen
class Seen:
    """A request as the service double received it."""

    operation: str
    headers: httpx.Headers
    body: bytes
    url: str

    @property
    def document(self) -> Any:
        return json.loads(self.body)


class ScriptedService:
    """Answers requests from a script, then from per-operation defaults; records them all."""

    def __init__(self, *script: Answer, defaults: Mapping[str, Answer] | None = None) -> None:
        self.script = list(script)
        self.defaults = dict(defaults or {})
        self.seen: list[Seen] = []
        self._counter = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        operation = protocol.operation_from_target(request.headers.get("x-amz-target", "")) or ""
        self.seen.append(Seen(operation, request.headers, request.content, str(request.url)))
        if self.script:
            answer = self.script.pop(0)
        elif operation in self.defaults:
            answer = self.defaults[operation]
        else:
            answer = ok(EXAMPLE_ANSWERS.get(operation, {}))
        if answer.raise_ is not None:
            raise answer.raise_("scripted failure", request=request)
        self._counter += 1
        headers = [
            ("Content-Type", protocol.CONTENT_TYPE),
            (protocol.REQUEST_ID_HEADER, f"req-{self._counter}"),
            *answer.headers,
        ]
        return httpx.Response(answer.status, headers=headers, content=answer.body)

    def async_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self))

    def sync_client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


class RecordingSleep:
    """An async and a sync sleep that only record how long they were asked to wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)

    def blocking(self, seconds: float) -> None:
        self.calls.append(seconds)


class FakeClock:
    """A clock that only moves when a (recording) sleep says so."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def sleep_blocking(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


# -- a raw loopback server -----------------------------------------------------------------

RawAction = tuple[str, int, bytes]  # ("respond", status, body) | ("reset", 0, b"") | ("hang", ...)
RawHandler = Callable[[str, bytes], RawAction]


class RawServer(LoopbackSocketServer):
    """HTTP/1.1 on a loopback socket, in a thread; ``handler(target_header, body)`` decides
    each answer: respond, reset the connection (RST) after reading the request, or hang
    until the server stops."""

    def __init__(self) -> None:
        super().__init__()
        self.handler: RawHandler = lambda target, body: ("respond", 200, b"{}")
        self.requests: list[tuple[str, bytes]] = []

    async def answer(
        self, writer: asyncio.StreamWriter, path: str, headers: dict[str, str], body: bytes
    ) -> bool:
        target = headers.get("x-amz-target", "")
        self.requests.append((target, body))
        action, status, payload = self.handler(target, body)
        if action == "reset":
            self.reset(writer)
            return False
        if action == "hang":
            await self.hang()
            return False
        await self.respond(writer, status, payload, f"raw-{len(self.requests)}")
        return True
