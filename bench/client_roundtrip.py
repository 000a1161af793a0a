"""DescribeHyperParameterTuningJob calls per second: sagetune's async client against its peers.

All clients talk to the same loopback server (bench/_loopback.py, a subprocess answering a
canned 4.4 KB describe response), in one run, interleaved in rounds whose order rotates:

  aiobotocore        describe_hyper_parameter_tuning_job, 50 tasks, max_pool_connections=50,
                     no retries (as in the peer baselines)
  httpx_raw          httpx.AsyncClient POSTing pre-built, pre-signed bytes, 50 tasks on a
                     50-connection pool: no signing, no parsing, no retries
  httpx_raw_c8       the same with 8 tasks on an 8-connection pool: raw httpx's best
  sagetune_default   AsyncSageMakerClient with its defaults (httpx, retries on), 50 tasks:
                     validation, encoding, SigV4 per call, typed response object
  sagetune_fast      the same with ClientConfig(transport="aiohttp") (sagetune[fast])

Reported: median calls/s over rounds, same-round ratios (the machine is a shared, noisy
2-core box: compare ratios, not absolutes), and the client's CPU time per call, whose ratio
says what throughput ratio to expect once the client is CPU-bound (on a busy machine the
client often is not, and throughput ratios understate CPU differences).

Usage: python bench/client_roundtrip.py [--rounds 5] [--seconds 2] [--only NAME ...]
Final lines:
  RESULT client_fast_vs_aiobotocore <ratio> x       target >= 1.5
  RESULT client_default_vs_httpx_raw_c8 <ratio> x   target >= 1.0
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from contextlib import AsyncExitStack
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "sdk"))
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

from _loopback import AKID, JOB_NAME, REGION, SECRET, loopback_server, server_pid  # noqa: E402
from _phase import Call, measure  # noqa: E402

from sagetune import AsyncSageMakerClient  # noqa: E402
from sagetune.config import ClientConfig  # noqa: E402
from sagetune.model import DescribeHyperParameterTuningJobRequest  # noqa: E402

PEER = "aiobotocore"
CONCURRENCY = 50


def signed_request(url: str) -> tuple[bytes, dict[str, str]]:
    """One DescribeHyperParameterTuningJob, serialized and signed once, for the raw clients."""
    import json

    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials

    body = json.dumps({"HyperParameterTuningJobName": JOB_NAME}).encode()
    request = botocore.awsrequest.AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={
            "X-Amz-Target": "SageMaker.DescribeHyperParameterTuningJob",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    botocore.auth.SigV4Auth(
        botocore.credentials.Credentials(AKID, SECRET), "sagemaker", REGION
    ).add_auth(request)
    return body, dict(request.headers.items())


async def build(url: str, stack: AsyncExitStack) -> dict[str, tuple[Call, int]]:
    import httpx
    from aiobotocore.config import AioConfig  # type: ignore[import-untyped]
    from aiobotocore.session import get_session  # type: ignore[import-untyped]

    options: dict[str, tuple[Call, int]] = {}
    endpoint = url.rstrip("/")

    aio = await stack.enter_async_context(
        get_session().create_client(
            "sagemaker",
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id=AKID,
            aws_secret_access_key=SECRET,
            config=AioConfig(max_pool_connections=CONCURRENCY, retries={"total_max_attempts": 1}),
        )
    )

    async def call_aiobotocore() -> bool:
        r = await aio.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=JOB_NAME)
        return bool(r["HyperParameterTuningJobStatus"] == "InProgress")

    options["aiobotocore"] = (call_aiobotocore, CONCURRENCY)

    body, headers = signed_request(url)

    def raw(pool: int) -> Call:
        limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
        client = httpx.AsyncClient(limits=limits, timeout=10.0)
        stack.push_async_callback(client.aclose)

        async def call() -> bool:
            r = await client.post(url, content=body, headers=headers)
            return r.status_code == 200 and len(r.content) > 0

        return call

    options["httpx_raw"] = (raw(CONCURRENCY), CONCURRENCY)
    options["httpx_raw_c8"] = (raw(8), 8)

    request = DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=JOB_NAME)
    for name, config in (
        ("sagetune_default", ClientConfig()),
        ("sagetune_fast", ClientConfig(transport="aiohttp")),
    ):
        sm = await stack.enter_async_context(
            AsyncSageMakerClient(
                region_name=REGION,
                endpoint_url=endpoint,
                aws_access_key_id=AKID,
                aws_secret_access_key=SECRET,
                config=config,
            )
        )

        def via(client: AsyncSageMakerClient) -> Call:
            async def call() -> bool:
                out = await client.describe_hyper_parameter_tuning_job(request)
                return out.hyper_parameter_tuning_job_status == "InProgress"

            return call

        options[name] = (via(sm), CONCURRENCY)
    return options


async def run(args: argparse.Namespace, url: str) -> dict[str, list[dict[str, Any]]]:
    async with AsyncExitStack() as stack:
        options = await build(url, stack)
        names = [n for n in options if not args.only or n in args.only or n == PEER]
        for name in names:  # warm-up: connections, caches, compiled hooks
            call, tasks = options[name]
            await measure(call, tasks, args.warmup, 5000, server_pid())
        rounds: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
        for r in range(args.rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                call, tasks = options[name]
                result = await measure(call, tasks, args.seconds, args.max_requests, server_pid())
                rounds[name].append({**result, "tasks": tasks})
                await asyncio.sleep(0.1)
        return rounds


def same_round_ratio(rounds: dict[str, list[dict[str, Any]]], a: str, b: str) -> float:
    ratios: list[float] = [x["rps"] / y["rps"] for x, y in zip(rounds[a], rounds[b], strict=True)]
    return statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0, help="time bound per phase")
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--only", nargs="*", help="measure only these (plus aiobotocore)")
    args = parser.parse_args()

    with loopback_server() as url:
        rounds = asyncio.run(run(args, url))

    print(f"rounds={args.rounds}, <= {args.seconds} s per phase, {CONCURRENCY} tasks unless noted")
    print(
        f"{'client':18s} {'tasks':>5s} {'calls/s':>8s} {'min':>7s} {'max':>7s} "
        f"{'vs aiobc':>8s} {'cpu us':>7s} {'srv cpu':>7s} {'errors':>6s}"
    )
    for name, ms in rounds.items():
        rps = [m["rps"] for m in ms]
        print(
            f"{name:18s} {ms[0]['tasks']:5d} {statistics.median(rps):8.0f} {min(rps):7.0f} "
            f"{max(rps):7.0f} {same_round_ratio(rounds, name, PEER):8.2f} "
            f"{statistics.median(m['cpu_us_per_call'] for m in ms):7.0f} "
            f"{statistics.median(m['server_cpu'] for m in ms):7.2f} "
            f"{sum(m['errors'] for m in ms):6d}"
        )
        first = next((m["first_error"] for m in ms if m["first_error"]), None)
        if first:
            print(f"    first error: {first}")

    def cpu_ratio(a: str, b: str) -> float:
        """How many times less client CPU per call ``a`` needs than ``b`` (same rounds):
        the capacity ratio once the client, not a busy machine, is the bottleneck."""
        ratios: list[float] = [
            y["cpu_us_per_call"] / x["cpu_us_per_call"]
            for x, y in zip(rounds[a], rounds[b], strict=True)
        ]
        return statistics.median(ratios)

    for a, b in (("sagetune_fast", PEER), ("sagetune_default", "httpx_raw_c8")):
        if {a, b} <= rounds.keys():
            print(f"client CPU per call, {b} / {a}: {cpu_ratio(a, b):.2f}x")
    if "sagetune_fast" in rounds:
        ratio = same_round_ratio(rounds, "sagetune_fast", PEER)
        print(f"RESULT client_fast_vs_aiobotocore {ratio:.2f} x")
    if {"sagetune_default", "httpx_raw_c8"} <= rounds.keys():
        ratio = same_round_ratio(rounds, "sagetune_default", "httpx_raw_c8")
        print(f"RESULT client_default_vs_httpx_raw_c8 {ratio:.2f} x")


if __name__ == "__main__":
    main()
