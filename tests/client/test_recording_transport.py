"""Recording against a real endpoint: vcrpy sees requests by patching httpx's transports, so
the clients the AWS test backend makes send through httpx's own stack (the default,
built-in transport is not one vcrpy knows)."""

from __future__ import annotations

from pathlib import Path

import yaml

from sagetune.model import StopTrainingJobRequest
from sagetune.testing.backends import AwsBackend
from sagetune.testing.cassettes import use_cassette
from tests.client.aws_double import AKID, SECRET, RawServer


def test_the_aws_backends_clients_are_recorded(raw_server: RawServer, tmp_path: Path) -> None:
    cassette = tmp_path / "recorded.yaml"
    backend = AwsBackend(region="us-east-1")
    try:
        client = backend.sync_client(
            endpoint_url=raw_server.url, aws_access_key_id=AKID, aws_secret_access_key=SECRET
        )
        with use_cassette(cassette, record_mode="all"):
            client.stop_training_job(StopTrainingJobRequest(training_job_name="train-1"))
    finally:
        backend.close()
    recorded = yaml.safe_load(cassette.read_text())["interactions"]
    assert len(recorded) == 1
    assert recorded[0]["request"]["headers"]["x-amz-target"] == ["SageMaker.StopTrainingJob"]
