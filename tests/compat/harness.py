"""Run a client script or the AWS CLI in its environment and read back what it observed.

Client scripts (``tests/compat/clients/``) run as ``<env>/bin/python -m
tests.compat.clients.<module> ...`` with the project root on ``PYTHONPATH`` (they import
only the standard library from it) and an environment a user pointing unchanged code at
the simulator would have: ``AWS_ENDPOINT_URL``, the simulator's key, no AWS config files,
no instance metadata, SageMaker SDK telemetry off, IAM role validation off. Every proxy
variable points at a closed port except for loopback, so a call that would escape to AWS
fails at once instead of hanging or reaching the network.

A failed step fails its test with the client's own error and traceback tail
(``Report.value``), not with a bare assertion.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

from sagetune.simulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY
from tests.compat.envs import ROOT, ClientEnv
from tests.compat.served import REGION, Served

SAGEMAKER_CONFIG = Path(__file__).with_name("sagemaker-config.yaml")
CLIENT_TIMEOUT = 300.0
TRACEBACK_LINES = 25
CLOSED_PORT_PROXY = "http://127.0.0.1:9"


def client_environment(served: Served, home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "SAGEMAKER_", "PYTHON", "PIP_"))
        and k.lower() not in ("virtual_env", "http_proxy", "https_proxy", "all_proxy", "no_proxy")
    }
    env.update(
        AWS_ENDPOINT_URL=served.url,
        AWS_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY=DEFAULT_SECRET_ACCESS_KEY,
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=str(home / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_PAGER="",
        SAGEMAKER_USER_CONFIG_OVERRIDE=str(SAGEMAKER_CONFIG),
        SAGEMAKER_VALIDATE_ROLE="false",
        HTTP_PROXY=CLOSED_PORT_PROXY,
        HTTPS_PROXY=CLOSED_PORT_PROXY,
        NO_PROXY="127.0.0.1,localhost",
        HOME=str(home),
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        COLUMNS="200",
    )
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"):
        env[name.lower()] = env[name]
    return env


MISSING = "<missing>"


def pick(document: Any, paths: Sequence[str]) -> dict[str, Any]:
    """The members at dotted ``paths`` (``OutputDataConfig.KmsKeyId``, ``InputDataConfig.0.X``),
    ``MISSING`` where absent: compared with a dict of expected values, one assertion shows
    every member that differs."""
    picked = {}
    for path in paths:
        value = document
        for part in path.split("."):
            if isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            elif isinstance(value, dict) and part in value:
                value = value[part]
            else:
                value = MISSING
                break
        picked[path] = value
    return picked


def tail(text: str, lines: int = TRACEBACK_LINES) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


@attrs.frozen
class Report:
    """What one client script run observed, step by step."""

    title: str
    steps: dict[str, dict[str, Any]]
    returncode: int | None
    stdout: str
    stderr: str

    def value(self, step: str) -> Any:
        """The step's observation; fails the test with the client's error if it failed."""
        outcome = self.steps.get(step)
        if outcome is None:
            pytest.fail(
                f"{self.title}: step {step!r} did not run (exit code {self.returncode}).\n"
                f"stderr:\n{tail(self.stderr)}",
                pytrace=False,
            )
        if not outcome["ok"]:
            trace = outcome.get("traceback")
            pytest.fail(
                f"{self.title}: step {step!r} failed: {outcome['error']}"
                + (f"\n--- client traceback (tail) ---\n{tail(trace)}" if trace else ""),
                pytrace=False,
            )
        return outcome["value"]

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()


def client_command(env: ClientEnv, module: str, args: Sequence[str]) -> list[str]:
    return [str(env.python), "-m", f"tests.compat.clients.{module}", *args]


def run_client(
    env: ClientEnv,
    module: str,
    *args: str,
    served: Served,
    workdir: Path,
    timeout: float = CLIENT_TIMEOUT,
) -> Report:
    """Run a client script to its end and read its report."""
    follower = Follower.start(env, module, args, served=served, workdir=workdir)
    return follower.finish(timeout)


class Follower:
    """A client script running in the background; its stdout is collected line by line."""

    def __init__(
        self, process: subprocess.Popen[str], report: Path, stderr: Path, title: str
    ) -> None:
        self.process = process
        self.report_path = report
        self.stderr_path = stderr
        self.title = title
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @classmethod
    def start(
        cls,
        env: ClientEnv,
        module: str,
        args: Sequence[str],
        *,
        served: Served,
        workdir: Path,
    ) -> Follower:
        workdir.mkdir(parents=True, exist_ok=True)
        report = workdir / f"{module}-{args[0] if args else 'run'}-report.json"
        report.unlink(missing_ok=True)
        environment = client_environment(served, workdir / "home")
        environment["SAGETUNE_COMPAT_REPORT"] = str(report)
        stderr = report.with_name(report.name.replace("-report.json", "-stderr.txt"))
        with stderr.open("w") as stderr_file:
            process = subprocess.Popen(
                client_command(env, module, args),
                cwd=workdir,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr_file,
                text=True,
            )
        return cls(process, report, stderr, f"{env.name} {module} {' '.join(args)}")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._lock:
                self._lines.append(line.rstrip("\n"))

    @property
    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)

    def wait_until(self, condition: Callable[[list[str]], bool], timeout: float = 60.0) -> bool:
        """Poll the script's output until ``condition`` holds or the script ends."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self.lines):
                return True
            if self.process.poll() is not None:
                self._reader.join(timeout=5)
                return condition(self.lines)
            time.sleep(0.05)
        return False

    def finish(self, timeout: float = CLIENT_TIMEOUT) -> Report:
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        stderr = self.stderr_path.read_text() if self.stderr_path.exists() else ""
        try:
            steps = json.loads(self.report_path.read_text())["steps"]
        except (OSError, ValueError, KeyError):
            steps = {}
        if not steps and self.process.returncode != 0:
            pytest.fail(
                f"{self.title}: the client script exited with {self.process.returncode} "
                f"before reporting.\nstderr:\n{tail(stderr)}",
                pytrace=False,
            )
        return Report(
            title=self.title,
            steps=steps,
            returncode=self.process.returncode,
            stdout="\n".join(self.lines),
            stderr=stderr,
        )


@attrs.frozen
class CliResult:
    """One ``aws`` command: exit code, parsed JSON output (if any), stderr."""

    command: str
    code: int
    out: str
    err: str

    def json(self) -> Any:
        if self.code != 0:
            pytest.fail(
                f"`{self.command}` exited with {self.code}:\n{tail(self.err)}", pytrace=False
            )
        return json.loads(self.out) if self.out.strip() else None


def run_aws(env: ClientEnv, *args: str, served: Served, workdir: Path) -> CliResult:
    """Run AWS CLI v1 (from the v2 client environment) with ``--endpoint-url`` as users do."""
    command = [str(env.bin("aws")), "--endpoint-url", served.url, "--output", "json", *args]
    done = subprocess.run(
        command,
        cwd=workdir,
        env=client_environment(served, workdir / "home"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CLIENT_TIMEOUT,
        check=False,
    )
    shown = " ".join(["aws", *args])
    return CliResult(command=shown, code=done.returncode, out=done.stdout, err=done.stderr)
