"""Retries under faults: calls failed to the caller by sagetune and by boto3 (standard retry
mode), side by side, under the same seeded faults, in one run.

Each client gets a fresh simulator (``sagetune serve --time-scale manual``, in memory) behind
a faulty loopback proxy (this script with ``--proxy``, a subprocess). The proxy answers each
request, before the simulator sees it, with

  throttling   400 ThrottlingException       --throttle (default 0.20)
  unavailable  503 ServiceUnavailable        --unavailable (default 0.05)
  dropped      forwarded, and once the simulator has answered, the connection is reset
               (RST) without the answer: the service acted, the client never hears of it
                                             --drop (default 0.02)

and forwards it unchanged otherwise. The draw for an attempt is a function of the seed, the
request (its X-Amz-Target and its JSON body with sorted keys: both SDKs send the same
request) and how many times the proxy has seen that request, so both clients meet the same
fault at the same attempt of the same call.

The workload (``--calls`` 2,000 on ``--tasks`` 20 concurrent workers: asyncio tasks for
sagetune's async client, threads for boto3): every 25th call creates a tuning job of its
own name (80 of 2,000: the simulator runs at most 100 at once), the others list tuning jobs
with a name filter of their own (every request is different, so the draws line up call by
call). Reported per client: calls that succeeded,
calls failed to the caller (by error), creates the simulator carried out, and duplicate
creates (a job created twice for one call; the names make that visible).

Usage: python bench/faults.py [--calls 2000] [--tasks 20] [--seed 7]
Final lines:
  RESULT faults_failed_sagetune <n> calls
  RESULT faults_failed_boto3 <n> calls
  RESULT faults_sagetune_minus_boto3 <n> calls        target <= 0
  RESULT faults_duplicate_creates_sagetune <n> jobs   target 0
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import hashlib
import json
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "sdk"))

from _loopback import free_port  # noqa: E402

REGION = "us-east-1"
SIM_KEY, SIM_SECRET = "SAGETUNESIMULATOR", "sagetune-simulator-secret"
IMAGE = "sagetune/branin:latest"


# -- the faulty proxy (runs in its own process) -------------------------------------------


class FaultyProxy:
    """Forwards HTTP/1.1 requests to ``upstream``, injecting seeded faults (see the module
    docstring); ``POST /__stats`` answers what it did."""

    def __init__(
        self,
        upstream: int,
        seed: int,
        throttle: float,
        unavailable: float,
        drop: float,
        close_after_fault: bool = False,
    ):
        self.upstream = upstream
        self.close_after_fault = close_after_fault
        self.seed = seed
        self.bounds = (throttle, throttle + unavailable, throttle + unavailable + drop)
        self.seen: collections.Counter[str] = collections.Counter()
        self.stats: collections.Counter[str] = collections.Counter()
        self.created: collections.Counter[str] = collections.Counter()  # job name -> creates done
        self._ids = 0

    def fault(self, target: str, body: bytes) -> str:
        try:
            canonical = json.dumps(json.loads(body), sort_keys=True)
        except ValueError:
            canonical = body.decode("latin-1")
        identity = hashlib.sha256(f"{target}\n{canonical}".encode()).hexdigest()
        attempt = self.seen[identity]
        self.seen[identity] += 1
        draw = random.Random(f"{self.seed}:{identity}:{attempt}").random()
        throttle, unavailable, drop = self.bounds
        if draw < throttle:
            return "throttling"
        if draw < unavailable:
            return "unavailable"
        if draw < drop:
            return "dropped"
        return "forwarded"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while True:
                head, body = await read_message(reader)
                lines = head.decode("latin-1").split("\r\n")
                headers = _headers(lines[1:])
                if lines[0].split(" ")[1] == "/__stats":
                    stats = {
                        "faults": dict(self.stats),
                        "created": dict(self.created),
                    }
                    writer.write(response(200, json.dumps(stats).encode()))
                    await writer.drain()
                    continue
                target = headers.get("x-amz-target", "")
                kind = self.fault(target, body)
                self.stats[kind] += 1
                if kind in ("throttling", "unavailable"):
                    if kind == "throttling":
                        answer = response(400, _error("ThrottlingException", "Rate exceeded"))
                    else:
                        answer = response(503, _error("ServiceUnavailable", "Try again"))
                    writer.write(answer)
                    await writer.drain()
                    if self.close_after_fault:
                        return  # closed without saying so (no Connection: close)
                    continue
                if upstream is None:
                    upstream = await asyncio.open_connection("127.0.0.1", self.upstream)
                upstream[1].write(head + b"\r\n\r\n" + body)
                await upstream[1].drain()
                answer_head, answer_body = await read_message(upstream[0])
                status = int(answer_head.split(b" ", 2)[1])
                if target.endswith("CreateHyperParameterTuningJob") and status == 200:
                    self.created[json.loads(body)["HyperParameterTuningJobName"]] += 1
                if kind == "dropped":
                    sock = writer.get_extra_info("socket")
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    writer.transport.abort()
                    return
                writer.write(answer_head + b"\r\n\r\n" + answer_body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            if upstream is not None:
                upstream[1].close()


async def read_message(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """One HTTP/1.1 message framed by Content-Length: (head without the blank line, body)."""
    head = (await reader.readuntil(b"\r\n\r\n"))[:-4]
    length = int(_headers(head.decode("latin-1").split("\r\n")[1:]).get("content-length", "0"))
    return head, await reader.readexactly(length)


def _headers(lines: list[str]) -> dict[str, str]:
    return {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def _error(code: str, message: str) -> bytes:
    return json.dumps({"__type": code, "message": message}).encode()


def response(status: int, body: bytes) -> bytes:
    return (
        f"HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\n"
        f"x-amzn-RequestId: proxy-{time.monotonic_ns()}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def run_proxy(args: argparse.Namespace) -> None:
    proxy = FaultyProxy(
        args.upstream,
        args.seed,
        args.throttle,
        args.unavailable,
        args.drop,
        args.close_after_fault,
    )

    async def main() -> None:
        server = await asyncio.start_server(proxy.serve, "127.0.0.1", args.listen)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# -- the services behind each client run --------------------------------------------------


def wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"a helper process exited early ({proc.args})")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


@contextlib.contextmanager
def faulty_service(args: argparse.Namespace) -> Iterator[str]:
    """A fresh simulator behind a fresh faulty proxy; yields the proxy's URL."""
    sim_port, proxy_port = free_port(), free_port()
    simulator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sagetune",
            "serve",
            "--port",
            str(sim_port),
            "--time-scale",
            "manual",
        ],
        stdout=subprocess.DEVNULL,
    )
    proxy = subprocess.Popen(
        [
            sys.executable,
            os.path.abspath(__file__),
            "--proxy",
            *("--listen", str(proxy_port), "--upstream", str(sim_port)),
            *("--seed", str(args.seed), "--throttle", str(args.throttle)),
            *("--unavailable", str(args.unavailable), "--drop", str(args.drop)),
            *(["--close-after-fault"] if args.close_after_fault else []),
        ]
    )
    try:
        wait_listening(sim_port, simulator)
        wait_listening(proxy_port, proxy)
        yield f"http://127.0.0.1:{proxy_port}"
    finally:
        for proc in (proxy, simulator):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def proxy_stats(url: str) -> dict[str, Any]:
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(f"{url}/__stats", data=b"{}")) as answer:
        stats: dict[str, Any] = json.loads(answer.read())
        return stats


# -- the workload ------------------------------------------------------------------------


def workload(calls: int) -> list[tuple[str, dict[str, Any]]]:
    """(operation, boto3-style parameters) for every call, in order."""
    plan: list[tuple[str, dict[str, Any]]] = []
    for i in range(calls):
        if i % 25 == 0:
            plan.append(("CreateHyperParameterTuningJob", tuning_job(f"faults-{i:04d}")))
        else:
            plan.append(
                ("ListHyperParameterTuningJobs", {"NameContains": f"c{i:04d}", "MaxResults": 10})
            )
    return plan


def tuning_job(name: str) -> dict[str, Any]:
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random",
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "loss"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1},
            "ParameterRanges": {
                "ContinuousParameterRanges": [
                    {"Name": "x1", "MinValue": "-5", "MaxValue": "10"},
                    {"Name": "x2", "MinValue": "0", "MaxValue": "15"},
                ]
            },
        },
        "TrainingJobDefinition": {
            "AlgorithmSpecification": {
                "TrainingImage": IMAGE,
                "TrainingInputMode": "File",
                "MetricDefinitions": [{"Name": "loss", "Regex": "loss: ([0-9.eE+-]+)"}],
            },
            "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole",
            "OutputDataConfig": {"S3OutputPath": "s3://bucket/out/"},
            "ResourceConfig": {
                "InstanceType": "ml.m5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 10,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        },
    }


def outcome_of(exc: BaseException | None) -> str:
    """``ok``, the error code of a service error (sagetune's or botocore's), or the type."""
    if exc is None:
        return "ok"
    code = getattr(exc, "code", None)
    answer = getattr(exc, "response", None)
    if code is None and isinstance(answer, dict):
        code = answer.get("Error", {}).get("Code")
    return str(code or type(exc).__name__)


def run_boto3(url: str, args: argparse.Namespace) -> collections.Counter[str]:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "sagemaker",
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id=SIM_KEY,
        aws_secret_access_key=SIM_SECRET,
        config=Config(
            retries={"mode": "standard"}, max_pool_connections=args.tasks, read_timeout=30
        ),
    )
    plan = workload(args.calls)
    outcomes: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()
    position = iter(range(len(plan)))

    def worker() -> None:
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                return
            operation, params = plan[index]
            method = getattr(client, _snake(operation))
            try:
                method(**params)
                result = outcome_of(None)
            except Exception as exc:
                result = outcome_of(exc)
            with lock:
                outcomes[f"{operation}:{result}"] += 1

    with ThreadPoolExecutor(args.tasks) as pool:
        for future in [pool.submit(worker) for _ in range(args.tasks)]:
            future.result()
    return outcomes


def run_sagetune(url: str, args: argparse.Namespace) -> collections.Counter[str]:
    from sagetune import AsyncSageMakerClient
    from sagetune.codec import from_wire
    from sagetune.config import ClientConfig
    from sagetune.model.operations import OPERATIONS

    plan = [(OPERATIONS[op], from_wire(OPERATIONS[op].input, p)) for op, p in workload(args.calls)]
    outcomes: collections.Counter[str] = collections.Counter()

    async def main() -> None:
        async with AsyncSageMakerClient(
            region_name=REGION,
            endpoint_url=url,
            aws_access_key_id=SIM_KEY,
            aws_secret_access_key=SIM_SECRET,
            config=ClientConfig(
                retry_mode="standard",
                max_connections=args.tasks,
                read_timeout=30,
                transport=args.transport,
            ),
        ) as sm:
            position = iter(plan)

            async def worker() -> None:
                for operation, request in position:
                    try:
                        await getattr(sm, operation.method_name)(request)
                        result = outcome_of(None)
                    except Exception as exc:
                        result = outcome_of(exc)
                    outcomes[f"{operation.name}:{result}"] += 1

            await asyncio.gather(*(worker() for _ in range(args.tasks)))

    asyncio.run(main())
    return outcomes


def _snake(name: str) -> str:
    import re

    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--throttle", type=float, default=0.20)
    parser.add_argument("--unavailable", type=float, default=0.05)
    parser.add_argument("--drop", type=float, default=0.02)
    parser.add_argument(
        "--close-after-fault",
        action="store_true",
        help="close the connection after a throttling/503 answer, without Connection: close",
    )
    parser.add_argument("--transport", default="builtin", help="sagetune's transport")
    parser.add_argument("--proxy", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--listen", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--upstream", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.proxy:
        run_proxy(args)
        return

    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    results: dict[str, dict[str, Any]] = {}
    for name, run in (("sagetune", run_sagetune), ("boto3", run_boto3)):
        with faulty_service(args) as url:
            started = time.perf_counter()
            outcomes = run(url, args)
            elapsed = time.perf_counter() - started
            stats = proxy_stats(url)
        failed = {k: v for k, v in outcomes.items() if not k.endswith(":ok")}
        results[name] = {
            "ok": sum(v for k, v in outcomes.items() if k.endswith(":ok")),
            "failed": failed,
            "created": stats["created"],
            "faults": stats["faults"],
            "seconds": elapsed,
        }

    print(
        f"{args.calls} calls, {args.tasks} concurrent, seed {args.seed}: throttling "
        f"{args.throttle:.0%}, 503 {args.unavailable:.0%}, dropped after acting {args.drop:.0%}"
    )
    for name, r in results.items():
        creates = r["created"]
        duplicates = sum(1 for n in creates.values() if n > 1)
        print(
            f"\n{name}: {r['ok']} ok, {sum(r['failed'].values())} failed to the caller, "
            f"{r['seconds']:.1f} s"
        )
        for key, count in sorted(r["failed"].items()):
            print(f"    {count:5d}  {key}")
        print(f"    attempts seen by the proxy: {r['faults']}")
        print(f"    jobs the simulator created: {len(creates)}, created twice: {duplicates}")
    failed = {name: sum(r["failed"].values()) for name, r in results.items()}
    duplicates = sum(1 for n in results["sagetune"]["created"].values() if n > 1)
    print(f"RESULT faults_failed_sagetune {failed['sagetune']} calls")
    print(f"RESULT faults_failed_boto3 {failed['boto3']} calls")
    print(f"RESULT faults_sagetune_minus_boto3 {failed['sagetune'] - failed['boto3']} calls")
    print(f"RESULT faults_duplicate_creates_sagetune {duplicates} jobs")


if __name__ == "__main__":
    main()
