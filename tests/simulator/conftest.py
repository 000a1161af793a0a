"""Fixtures for the simulator's tests: an in-process simulator and a signed raw caller.

The raw caller signs with botocore's SigV4 exactly as a client does, so these tests exercise
the simulator's whole HTTP path (adapter, auth, routing, validation) without depending on
sagetune's own client.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sagetune.simulator import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_SECRET_ACCESS_KEY,
    ENDPOINT_URL,
    Simulator,
)


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
    ) -> None:
        self.client = client
        self.url = url
        self.region = region
        self.credentials = Credentials(key, secret)

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


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator()
    yield simulator
    simulator.close()


@pytest.fixture
def call(sim: Simulator) -> Iterator[SignedCaller]:
    with httpx.Client(transport=sim.transport()) as client:
        yield SignedCaller(client, ENDPOINT_URL)
