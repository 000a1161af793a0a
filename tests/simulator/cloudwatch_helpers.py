"""A simulator served on loopback for stock boto3 ``logs`` and ``cloudwatch`` clients.

The simulator keeps a manual clock; tests move it over HTTP (``AdvanceClock``), which
takes the server's lock like every request, never by calling the simulator directly while
the server thread may be answering.

``cloudwatch_client(url, protocol)`` builds a boto3 CloudWatch client that speaks the given
wire protocol: botocore decides from its model's ``metadata.protocol(s)``, so the model is
copied with only those changed into a data directory searched first (the way the
``cloudwatch`` model of botocore <= 1.42.6 reads: ``query`` only).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import boto3
import botocore.session
import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sagetune.simulator import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_SECRET_ACCESS_KEY,
    AlgorithmContext,
    Simulator,
)
from sagetune.simulator.server import BackgroundServer
from tests.simulator.builders import training_request
from tests.simulator.conftest import SignedCaller, boto3_client, client_options

GROUP = "/aws/sagemaker/TrainingJobs"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/steps:1"
LOSS_REGEX = r"loss=([0-9.]+)"
START_UP = 80.0
"""Seconds from CreateTrainingJob to the start of the algorithm (Starting + Downloading)."""
LEVELS = ("INFO", "WARN", "ERROR")


def steps(hyperparameters: Any, context: AlgorithmContext) -> Iterator[tuple[float, str]]:
    """``steps`` lines ``<LEVEL> step=<i> loss=<1/(i+1)>``, ``gap`` simulated seconds apart;
    with ``together`` = k, lines come in groups of k sharing one timestamp."""
    del context
    gap = float(hyperparameters.get("gap", "10"))
    together = int(hyperparameters.get("together", "1"))
    for i in range(int(hyperparameters.get("steps", "10"))):
        yield (gap if i % together == 0 else 0.0), step_line(i)


def step_line(i: int) -> str:
    return f"{LEVELS[i % 3]} step={i} loss={1 / (i + 1):.6f}"


def steps_job(name: str, steps: int = 10, gap: float = 10.0, together: int = 1) -> dict[str, Any]:
    hyperparameters = {"steps": str(steps), "gap": repr(gap), "together": str(together)}
    request = training_request(name, IMAGE, hyperparameters)
    request["AlgorithmSpecification"]["MetricDefinitions"] = [{"Name": "loss", "Regex": LOSS_REGEX}]
    return request


def line_ms(created: float, i: int, gap: float = 10.0) -> int:
    """The timestamp (ms) of line ``i`` of a steps job created at ``created``."""
    return int((created + START_UP + gap * (i + 1)) * 1000)


class Loopback:
    """A simulator with the ``steps`` algorithm, served on a loopback port."""

    def __init__(self) -> None:
        self.sim = Simulator()
        self.sim.register_algorithm(IMAGE, steps)
        self.server = BackgroundServer(self.sim)
        self.url = self.server.start()
        self.http = httpx.Client()
        self.raw = SignedCaller(self.http, self.url)

    def advance(self, seconds: float) -> None:
        self.raw.ok("AdvanceClock", {"Seconds": seconds}, prefix="SageTuneSimulator")

    def now(self) -> float:
        now: float = self.raw.ok("GetClock", {}, prefix="SageTuneSimulator")["Now"]
        return now

    def create(self, request: dict[str, Any]) -> float:
        """Create a training job; returns its creation time."""
        self.raw.ok("CreateTrainingJob", request)
        return self.now()

    def client(self, service: Literal["logs", "cloudwatch", "sagemaker"]) -> Any:
        return boto3_client(self.url, service)

    def close(self) -> None:
        self.http.close()
        self.server.stop()


def signed_post(
    http: httpx.Client,
    url: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    service: str = "monitoring",
) -> httpx.Response:
    """POST ``body`` to ``url + path`` with ``headers``, SigV4-signed for ``service``."""
    request = AWSRequest("POST", url + path, data=body, headers=headers)
    credentials = Credentials(DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY)
    SigV4Auth(credentials, service, "us-east-1").add_auth(request)
    return http.post(url + path, content=body, headers=dict(request.headers.items()))


def cloudwatch_client(url: str, protocol: str, models: Path) -> Any:
    """A boto3 ``cloudwatch`` client that speaks ``protocol`` (``query``, ``json`` or
    ``smithy-rpc-v2-cbor``); ``models`` is a scratch directory for the edited model."""
    installed = botocore.session.Session().get_component("data_loader")
    model = copy.deepcopy(installed.load_service_model("cloudwatch", "service-2"))
    model["metadata"]["protocol"] = protocol
    model["metadata"]["protocols"] = [protocol]
    version = model["metadata"]["apiVersion"]
    target = models / protocol / "cloudwatch" / version
    target.mkdir(parents=True, exist_ok=True)
    (target / "service-2.json").write_text(json.dumps(model))
    session = botocore.session.Session()  # a fresh loader: loaders cache what they loaded
    session.get_component("data_loader").search_paths.insert(0, str(models / protocol))
    client = boto3.session.Session(botocore_session=session).client(
        "cloudwatch", **client_options(url)
    )
    resolved = getattr(client.meta.service_model, "resolved_protocol", None)
    assert (resolved or client.meta.service_model.protocol) == protocol
    return client
