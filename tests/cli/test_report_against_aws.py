"""Against an endpoint that is not a sagetune simulator (AWS), the commands use SageMaker's
and CloudWatch's operations only: the report reads learning curves from CloudWatch metrics
as it does from the simulator (and says why when it cannot); describe and jobs work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sagetune import SageMakerClient
from sagetune.cli.demo import demo_request
from sagetune.codec import from_wire
from sagetune.model import shapes
from sagetune.simulator import Simulator
from sagetune.simulator.adapters import ASGIApp, Message, Receive, Scope, Send
from sagetune.simulator.server import BackgroundServer
from tests.cli.conftest import Served, run_cli

JOB = "aws-like"


def _answer(status: int, body: dict[str, str], *headers: tuple[bytes, bytes]) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass
        start: Message = {"type": "http.response.start", "status": status, "headers": [*headers]}
        await send(start)
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})

    return app


UNKNOWN_OPERATION = _answer(
    400,
    {"__type": "UnknownOperationException"},
    (b"content-type", b"application/x-amz-json-1.1"),
)
ACCESS_DENIED = "User: arn:aws:iam::123456789012:user/tuner is not authorized to perform: cloudwatch:GetMetricData"
CLOUDWATCH_DENIED = _answer(
    400,
    {"__type": "com.amazon.coral.service#AccessDeniedException", "message": ACCESS_DENIED},
    (b"content-type", b"application/x-amz-json-1.0"),
    (b"x-amzn-query-error", b"AccessDenied;Sender"),
)


def sagemaker_only(app: ASGIApp, *, cloudwatch: bool = True) -> ASGIApp:
    """The simulator behind a front that answers its own operations as AWS would: with an
    UnknownOperationException; ``cloudwatch=False``: CloudWatch metrics refused as to a
    user whose policy does not allow them."""

    async def front(scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        target = headers.get(b"x-amz-target", b"").decode()
        scope_of_key = headers.get(b"authorization", b"").decode()
        if target.startswith("SageTuneSimulator."):
            await UNKNOWN_OPERATION(scope, receive, send)
        elif not cloudwatch and "/monitoring/aws4_request" in scope_of_key:
            await CLOUDWATCH_DENIED(scope, receive, send)
        else:
            await app(scope, receive, send)

    return front


@pytest.fixture(scope="module")
def finished() -> Simulator:
    simulator = Simulator()
    with SageMakerClient(
        http_client=httpx.Client(transport=simulator.transport()), **simulator.client_options()
    ) as client:
        request = demo_request(JOB, jobs=4, parallel=2)
        client.create_hyper_parameter_tuning_job(
            from_wire(shapes.CreateHyperParameterTuningJobRequest, request)
        )
    simulator.run_until_idle()
    return simulator


@pytest.fixture(scope="module")
def aws_like(finished: Simulator) -> Iterator[Served]:
    with BackgroundServer(finished, app=sagemaker_only(finished.asgi_app())) as loopback:
        yield Served(url=loopback.start())


def test_report_reads_learning_curves_from_cloudwatch_as_from_the_simulator(
    aws_like: Served, env: dict[str, str], tmp_path: Path
) -> None:
    result = run_cli("report", JOB, "-o", tmp_path, *aws_like.flags(), env=env)

    assert result.code == 0, result.err
    assert result.out.splitlines() == [f"Report: {tmp_path / 'index.html'}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "curves.png",
        "hyperparameters.png",
        "index.html",
        "objective.png",
    ]
    page = (tmp_path / "index.html").read_text()
    assert "Final metrics only" not in page
    assert "<h2>Learning curves</h2>" in page
    # Against AWS the age that picks the period is on the wall clock (this "AWS" ran in
    # simulated January 2026): the curves are read at whatever period is still kept.
    assert "as CloudWatch metrics hold it, averaged over " in page


def test_report_without_cloudwatch_access_shows_final_metrics_and_says_why(
    env: dict[str, str], tmp_path: Path
) -> None:
    simulator = Simulator()
    with SageMakerClient(
        http_client=httpx.Client(transport=simulator.transport()), **simulator.client_options()
    ) as client:
        request = demo_request(JOB, jobs=2, parallel=2)
        client.create_hyper_parameter_tuning_job(
            from_wire(shapes.CreateHyperParameterTuningJobRequest, request)
        )
    simulator.run_until_idle()
    front = sagemaker_only(simulator.asgi_app(), cloudwatch=False)
    with BackgroundServer(simulator, app=front) as loopback:
        served = Served(url=loopback.start())
        result = run_cli("report", JOB, "-o", tmp_path, *served.flags(), env=env)

    assert result.code == 0, result.err
    reason = f"AccessDenied when calling GetMetricData (HTTP 400): {ACCESS_DENIED}"
    assert result.out.splitlines() == [
        "Learning curves could not be read from CloudWatch, the report shows final metrics "
        f"only: {reason}",
        f"Report: {tmp_path / 'index.html'}",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "hyperparameters.png",
        "index.html",
        "objective.png",
    ]
    page = (tmp_path / "index.html").read_text()
    assert "Final metrics only: the learning curves could not be read from" in page
    assert "<h2>Learning curves</h2>" not in page


def test_describe_and_jobs_need_no_simulator_operation(
    aws_like: Served, env: dict[str, str]
) -> None:
    described = run_cli("describe", JOB, *aws_like.flags(), env=env)
    jobs = run_cli("jobs", JOB, "--json", *aws_like.flags(), env=env)

    assert described.code == 0, described.err
    status = next(line for line in described.out.splitlines() if line.startswith("Status"))
    assert status.split(None, 1)[1].strip() == "Completed"  # no completion reason from AWS
    assert jobs.code == 0, jobs.err
    assert len(jobs.out.splitlines()) == 4
