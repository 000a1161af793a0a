"""Against an endpoint that is not a sagetune simulator (AWS), the commands use SageMaker's
operations only: the report shows final metrics and says why; describe and jobs work."""

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


def sagemaker_only(app: ASGIApp) -> ASGIApp:
    """The simulator behind a front that answers its own operations as AWS would: with an
    UnknownOperationException."""

    async def front(scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        target = headers.get(b"x-amz-target", b"").decode()
        if not target.startswith("SageTuneSimulator."):
            await app(scope, receive, send)
            return
        while (await receive()).get("more_body"):
            pass
        body = json.dumps({"__type": "UnknownOperationException"}).encode()
        start: Message = {
            "type": "http.response.start",
            "status": 400,
            "headers": [(b"content-type", b"application/x-amz-json-1.1")],
        }
        await send(start)
        await send({"type": "http.response.body", "body": body})

    return front


@pytest.fixture(scope="module")
def aws_like() -> Iterator[Served]:
    simulator = Simulator()
    with SageMakerClient(
        http_client=httpx.Client(transport=simulator.transport()), **simulator.client_options()
    ) as client:
        request = demo_request(JOB, jobs=4, parallel=2)
        client.create_hyper_parameter_tuning_job(
            from_wire(shapes.CreateHyperParameterTuningJobRequest, request)
        )
    simulator.run_until_idle()
    with BackgroundServer(simulator, app=sagemaker_only(simulator.asgi_app())) as loopback:
        yield Served(url=loopback.start())


def test_report_shows_final_metrics_only_and_says_so(
    aws_like: Served, env: dict[str, str], tmp_path: Path
) -> None:
    result = run_cli("report", JOB, "-o", tmp_path, *aws_like.flags(), env=env)

    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "Not a sagetune simulator: the report shows final metrics only (per-epoch values "
        "live in CloudWatch).",
        f"Report: {tmp_path / 'index.html'}",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "hyperparameters.png",
        "index.html",
        "objective.png",
    ]
    page = (tmp_path / "index.html").read_text()
    assert "Final metrics only" in page
    assert "<h2>Learning curves</h2>" not in page
    assert "curves.png" not in page


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
