"""Fixtures for the simulator's tests: an in-process simulator, a signed raw caller, and a
loopback server for stock boto3 clients.

The raw caller signs with botocore's SigV4 exactly as a client does, so these tests exercise
the simulator's whole HTTP path (adapter, auth, routing, validation) without depending on
sagetune's own client.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from sagetune.simulator import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_SECRET_ACCESS_KEY,
    ENDPOINT_URL,
    Simulator,
)
from sagetune.simulator.server import BackgroundServer


class SignedCaller:
    """POST signed AWS JSON 1.1 requests and return (status, parsed body)."""

    def __init__(
        self,
        client: httpx.Client,
        url: str,
        *,
        region: str = "us-east-1",
        key: str = DEFAULT_ACCESS_KEY_ID,
        secret: str = DEFAULT_SECRET_ACCESS_KEY,
        token: str | None = None,
    ) -> None:
        self.client = client
        self.url = url
        self.region = region
        self.credentials = Credentials(key, secret, token)

    def raw(self, target: str, body: bytes, service: str = "sagemaker") -> httpx.Response:
        request = AWSRequest(
            "POST",
            self.url + "/",
            data=body,
            headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target},
        )
        SigV4Auth(self.credentials, service, self.region).add_auth(request)
        return self.client.post(self.url + "/", content=body, headers=dict(request.headers.items()))

    def __call__(
        self, operation: str, body: dict[str, Any], prefix: str = "SageMaker"
    ) -> tuple[int, Any]:
        service = "logs" if prefix == "Logs_20140328" else "sagemaker"
        response = self.raw(f"{prefix}.{operation}", json.dumps(body).encode(), service)
        return response.status_code, response.json()

    def ok(self, operation: str, body: dict[str, Any], prefix: str = "SageMaker") -> Any:
        status, data = self(operation, body, prefix)
        assert status == 200, data
        return data


@contextmanager
def served(db: Path | str, **options: Any) -> Iterator[tuple[Simulator, SignedCaller]]:
    """A simulator on ``db`` (``options``: more of ``Simulator``'s) and a signed caller that
    reaches it in process; both closed after."""
    sim = Simulator(db=db, **options)
    try:
        with httpx.Client(transport=sim.transport()) as client:
            yield sim, SignedCaller(client, ENDPOINT_URL)
    finally:
        sim.close()


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator()
    yield simulator
    simulator.close()


@pytest.fixture
def call(sim: Simulator) -> Iterator[SignedCaller]:
    with httpx.Client(transport=sim.transport()) as client:
        yield SignedCaller(client, ENDPOINT_URL)


def client_options(url: str) -> dict[str, Any]:
    """boto3 client options for a simulator served at ``url``: its key, no retries."""
    return {
        "endpoint_url": url,
        "region_name": "us-east-1",
        "aws_access_key_id": DEFAULT_ACCESS_KEY_ID,
        "aws_secret_access_key": DEFAULT_SECRET_ACCESS_KEY,
        "config": Config(retries={"max_attempts": 1}),
    }


def boto3_client(url: str, service: str = "sagemaker") -> Any:
    """A stock boto3 client (SageMaker by default) for a simulator served at ``url``."""
    return boto3.client(service, **client_options(url))  # type: ignore[call-overload]


class Loopback:
    """``sim`` (a manual clock: the test moves it with ``sim.advance``) served on a loopback
    port; ``sm`` is a stock boto3 SageMaker client for it, ``raw`` a signed caller for what
    boto3 refuses to send."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.server = BackgroundServer(sim)
        self.url = self.server.start()
        self.sm = boto3_client(self.url)
        self._http = httpx.Client()
        self.raw = SignedCaller(self._http, self.url)

    def close(self) -> None:
        self._http.close()
        self.server.stop()  # closes the simulator too

    def __enter__(self) -> Loopback:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    served = Loopback(Simulator())
    yield served
    served.close()
