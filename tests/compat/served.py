"""``sagetune serve`` as a subprocess of the project's interpreter, for the real clients.

The clients run in other processes (their own virtual environments), so the simulator is
served the way a user serves it: ``python -m sagetune serve --port 0`` with either
``--time-scale max`` (the clock jumps from one event to the next: tuning jobs end in
moments) or ``--time-scale manual`` (nothing moves until a test calls ``advance``, which
sends the simulator's own ``AdvanceClock`` operation). The server's output goes to a log
file, which failures quote.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.simulator.conftest import SignedCaller, boto3_client

REGION = "us-east-1"
LOG_GROUP = "/aws/sagemaker/TrainingJobs"
START_TIMEOUT = 60.0


class ServerFailed(Exception):
    """The server did not start (the message carries its log)."""


class Served:
    """A running ``sagetune serve`` and what talks to it from the test process."""

    def __init__(self, time_scale: str, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.time_scale = time_scale
        self.log = directory / "serve.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "sagetune",
                    "serve",
                    "--port",
                    "0",
                    "--time-scale",
                    time_scale,
                    "--db",
                    str(directory / "simulator.sqlite"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        self.url = self._wait_for_url()
        self.http = httpx.Client(timeout=30)
        self._caller = SignedCaller(self.http, self.url)

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            match = re.search(r"listening on (http://\S+)", self.log.read_text())
            if match:
                return match.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.process.kill()
        raise ServerFailed(f"sagetune serve did not start:\n{self.log_tail(3000)}")

    def client(self, service: str) -> Any:
        """A stock boto3 client of the project's environment, pointed at this server."""
        return boto3_client(self.url, service)

    def advance(self, seconds: float) -> None:
        """Move a manual clock (running every event that falls due)."""
        self._caller.ok("AdvanceClock", {"Seconds": seconds}, prefix="SageTuneSimulator")

    def wait_for_tuning_job(self, name: str, timeout: float = 120.0) -> dict[str, Any]:
        """Poll until a tuning job ends (on a ``max`` clock this takes moments)."""
        sm = self.client("sagemaker")
        deadline = time.monotonic() + timeout
        while True:
            described: dict[str, Any] = sm.describe_hyper_parameter_tuning_job(
                HyperParameterTuningJobName=name
            )
            if described["HyperParameterTuningJobStatus"] not in ("InProgress", "Stopping"):
                return described
            if time.monotonic() > deadline:
                raise AssertionError(f"{name} still {described['HyperParameterTuningJobStatus']}")
            time.sleep(0.1)

    def log_messages(self, training_job: str) -> list[str]:
        """Every log line the job wrote so far, oldest first, read in one call."""
        logs = self.client("logs")
        streams = logs.describe_log_streams(
            logGroupName=LOG_GROUP, logStreamNamePrefix=f"{training_job}/"
        )["logStreams"]
        if not streams:
            return []
        events = logs.get_log_events(
            logGroupName=LOG_GROUP,
            logStreamName=streams[0]["logStreamName"],
            startFromHead=True,
            limit=10_000,
        )["events"]
        return [str(event["message"]) for event in events]

    def log_tail(self, characters: int = 2000) -> str:
        return self.log.read_text()[-characters:]

    def kill(self) -> None:
        """SIGKILL, as a crash would end it (the database keeps what was committed)."""
        self.http.close()
        self.process.kill()
        self.process.wait(timeout=30)

    def close(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
