"""Which HTTP transport should sagetune's async client use? Measure the options in one run.

Every call is a realistic DescribeHyperParameterTuningJob: POST / with X-Amz-Target and a JSON
body, SigV4-signed per call with botocore.auth.SigV4Auth (so signing cost is included), and
the 4.4 KB JSON response parsed. All options talk to the same loopback server
(bench/_loopback.py, a subprocess):

  aiobotocore          the peer: describe_hyper_parameter_tuning_job, max_pool_connections=50
  httpx_default        httpx.AsyncClient() with httpx's default Limits (100 conns, 20 keep-alive)
  httpx_limits10/50    httpx.Limits(max_connections=N, max_keepalive_connections=N)
  httpx_gateN          default Limits plus an asyncio.Semaphore allowing N requests in flight
  *_nosniffio          the same with httpcore's per-lock failed `import sniffio` answered from
                       a None placeholder in sys.modules (what sagetune did at import until
                       0.1; measured here only, to show what the failed import costs)
  httpx_aiohttp        httpx's API over httpx-aiohttp (HttpxAiohttpClient), 50 connections
  httpx_aiohttp_*      ... with 10 connections / with a gate of 16
  aiohttp_raw          aiohttp.ClientSession directly: the ceiling for this server
  sagetune_default     sagetune.transport: AsyncSender.from_settings(HttpSettings()): the
                       built-in HTTP/1.1 backend, 10 connections, 10 in flight, the rest
                       queued in sagetune's dispatcher
  sagetune_httpx       the same with HttpSettings(transport="httpx"): httpx's own stack
  sagetune_fast        the same with HttpSettings(transport="aiohttp"): aiohttp directly

Options run with 50 concurrent tasks (the tasks column says where it is 8), interleaved in
rounds whose order rotates. Reported: median calls/s over rounds, the median of same-round
ratios to aiobotocore, and client CPU microseconds per call (the machine is a shared, noisy
2-core box: compare ratios, not absolutes). Then the cold start: a fresh interpreter's time
from its first line to the first parsed response, boto3 against sagetune.transport.

One run on the shared 2-core box, before the built-in backend existed (sagetune_default was
then httpx with the sniffio placeholder; heavily loaded by other work at the time: the client
got about a quarter of a core, so absolute figures are low; same-round ratios are what count):

  option                   tasks  calls/s  vs aiobotocore  client CPU us/call
  aiobotocore                 50       56        1.00            3756
  httpx_default_c8             8       35        0.66            7708
  httpx_limits50              50       24        0.41           10985
  httpx_gate4 / 8 / 16        50    40/41/33  0.77/0.74/0.60  5926/6768/7969
  httpx_gate8_nosniffio       50       51        0.91            4757
  httpx_c8_nosniffio           8       52        1.17            4177
  httpx_aiohttp               50       82        1.59            2712
  aiohttp_raw                 50      142        2.74            1534
  sagetune_default            50       57        1.06            4394   (1.72x httpx_default_c8)
  sagetune_fast               50      185        3.37            1111
  cold start to first response: boto3 1.67 s; sagetune.transport httpx 0.70x, aiohttp 0.92x

Usage: python bench/transport_options.py [--rounds 3] [--seconds 1.25] [--only NAME ...]
       [--gates 4 8 16] [--cold-runs 3] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import statistics
import subprocess
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sdk"))
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

import aiohttp
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import httpx
import httpx_aiohttp
from _loopback import AKID, CANNED_BODY, JOB_NAME, REGION, SECRET, loopback_server, server_pid
from _phase import Call, measure

from sagetune.transport import AsyncSender, HttpSettings

TARGET = "SageMaker.DescribeHyperParameterTuningJob"
CONTENT_TYPE = "application/x-amz-json-1.1"
PEER = "aiobotocore"


class Signer:
    """Build and SigV4-sign one request per call, as an SDK must (fresh X-Amz-Date)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.auth = botocore.auth.SigV4Auth(
            botocore.credentials.Credentials(AKID, SECRET), "sagemaker", REGION
        )

    def request(self) -> tuple[bytes, dict[str, str]]:
        body = json.dumps({"HyperParameterTuningJobName": JOB_NAME}).encode()
        req = botocore.awsrequest.AWSRequest(
            method="POST",
            url=self.url,
            data=body,
            headers={"X-Amz-Target": TARGET, "Content-Type": CONTENT_TYPE},
        )
        self.auth.add_auth(req)
        return body, dict(req.headers.items())


def parsed_ok(status: int, body: bytes) -> bool:
    return status == 200 and json.loads(body)["HyperParameterTuningJobStatus"] == "InProgress"


def gated(call: Call, limit: int) -> Call:
    gate = asyncio.Semaphore(limit)

    async def one() -> bool:
        async with gate:
            return await call()

    return one


SNIFFIO_MISSING = importlib.util.find_spec("sniffio") is None


def stock_or_fixed(name: str) -> None:
    """Every option runs as users get it, except *_nosniffio: those run with a None
    placeholder for the missing sniffio, so the failed import's cost shows (benchmark only;
    sagetune itself changes nothing in sys.modules)."""
    if not SNIFFIO_MISSING:
        return
    if "nosniffio" in name:
        sys.modules["sniffio"] = None  # type: ignore[assignment]
    else:
        sys.modules.pop("sniffio", None)


async def build_options(url: str, stack: Any, gates: list[int]) -> dict[str, tuple[Call, int]]:
    """name -> (one call, concurrency). Clients are entered into ``stack`` for closing."""
    from aiobotocore.config import AioConfig  # type: ignore[import-untyped]
    from aiobotocore.session import get_session  # type: ignore[import-untyped]

    signer = Signer(url)
    options: dict[str, tuple[Call, int]] = {}

    def via_httpx(client: httpx.AsyncClient) -> Call:
        async def one() -> bool:
            body, headers = signer.request()
            r = await client.post(url, content=body, headers=headers)
            return parsed_ok(r.status_code, r.content)

        return one

    def via_sender(sender: AsyncSender) -> Call:
        async def one() -> bool:
            body, headers = signer.request()
            r = await sender.send("POST", url, headers, body)
            return parsed_ok(r.status, r.body)

        return one

    aio = await stack.enter_async_context(
        get_session().create_client(
            "sagemaker",
            region_name=REGION,
            endpoint_url=url.rstrip("/"),
            aws_access_key_id=AKID,
            aws_secret_access_key=SECRET,
            config=AioConfig(max_pool_connections=50, retries={"total_max_attempts": 1}),
        )
    )

    async def call_aiobotocore() -> bool:
        r = await aio.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=JOB_NAME)
        return bool(r["HyperParameterTuningJobStatus"] == "InProgress")

    options["aiobotocore"] = (call_aiobotocore, 50)
    options["aiobotocore_c8"] = (call_aiobotocore, 8)

    def httpx_client(**kw: Any) -> httpx.AsyncClient:
        client = httpx.AsyncClient(timeout=10.0, **kw)
        stack.push_async_callback(client.aclose)
        return client

    default = via_httpx(httpx_client())
    options["httpx_default"] = (default, 50)
    options["httpx_default_c8"] = (default, 8)
    for n in (10, 50):
        lim = httpx.Limits(max_connections=n, max_keepalive_connections=n)
        options[f"httpx_limits{n}"] = (via_httpx(httpx_client(limits=lim)), 50)
    for n in gates:
        options[f"httpx_gate{n}"] = (gated(via_httpx(httpx_client()), n), 50)
    for n in (8, 10):  # 10: sagetune_default's limit, queued on a semaphore instead
        options[f"httpx_gate{n}_nosniffio"] = (gated(via_httpx(httpx_client()), n), 50)
    options["httpx_c8_nosniffio"] = (via_httpx(httpx_client()), 8)

    def aiohttp_client(limit: int) -> httpx.AsyncClient:
        client = httpx_aiohttp.HttpxAiohttpClient(
            timeout=10.0, limits=httpx.Limits(max_connections=limit)
        )
        stack.push_async_callback(client.aclose)
        return client

    over_aiohttp = via_httpx(aiohttp_client(50))
    options["httpx_aiohttp"] = (over_aiohttp, 50)
    options["httpx_aiohttp_c8"] = (over_aiohttp, 8)
    options["httpx_aiohttp_limits10"] = (via_httpx(aiohttp_client(10)), 50)
    options["httpx_aiohttp_gate16"] = (gated(via_httpx(aiohttp_client(50)), 16), 50)

    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=50))
    stack.push_async_callback(session.close)

    async def call_aiohttp() -> bool:
        body, headers = signer.request()
        async with session.post(url, data=body, headers=headers) as r:
            return parsed_ok(r.status, await r.read())

    options["aiohttp_raw"] = (call_aiohttp, 50)

    for name, settings in (
        ("sagetune_default", HttpSettings()),
        ("sagetune_httpx", HttpSettings(transport="httpx")),
        ("sagetune_fast", HttpSettings(transport="aiohttp")),
    ):
        sender = AsyncSender.from_settings(settings)
        stack.push_async_callback(sender.aclose)
        options[name] = (via_sender(sender), 50)
    return options


async def run(args: argparse.Namespace, url: str) -> dict[str, list[dict[str, Any]]]:
    from contextlib import AsyncExitStack

    async with AsyncExitStack() as stack:
        options = await build_options(url, stack, args.gates)
        names = [n for n in options if not args.only or n in args.only or n == PEER]
        for name in names:  # warm-up: open connections, fill caches
            call, conc = options[name]
            stock_or_fixed(name)
            await measure(call, conc, args.warmup, 5000, server_pid())
        rounds: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
        for r in range(args.rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                call, conc = options[name]
                stock_or_fixed(name)
                result = await measure(call, conc, args.seconds, args.max_requests, server_pid())
                rounds[name].append({**result, "tasks": conc})
                print(f"  round {r} {name:24s} {rounds[name][-1]['rps']:7.0f}/s", flush=True)
        return rounds


COLD_BOTO3 = """
import time; t0 = time.perf_counter()
import boto3
client = boto3.client("sagemaker", region_name=REGION, endpoint_url=URL,
                      aws_access_key_id=AKID, aws_secret_access_key=SECRET)
r = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=JOB)
assert r["HyperParameterTuningJobStatus"] == "InProgress"
print(time.perf_counter() - t0)
"""

COLD_SAGETUNE = """
import time; t0 = time.perf_counter()
import asyncio, json
import botocore.auth, botocore.awsrequest, botocore.credentials
from sagetune.transport import AsyncSender, HttpSettings

async def main():
    async with AsyncSender.from_settings(HttpSettings(transport=KIND)) as sender:
        body = json.dumps({"HyperParameterTuningJobName": JOB}).encode()
        req = botocore.awsrequest.AWSRequest(method="POST", url=URL, data=body, headers={
            "X-Amz-Target": "SageMaker.DescribeHyperParameterTuningJob",
            "Content-Type": "application/x-amz-json-1.1"})
        botocore.auth.SigV4Auth(botocore.credentials.Credentials(AKID, SECRET), "sagemaker",
                                REGION).add_auth(req)
        r = await sender.send("POST", URL, dict(req.headers.items()), body)
        assert json.loads(r.body)["HyperParameterTuningJobStatus"] == "InProgress"

asyncio.run(main())
print(time.perf_counter() - t0)
"""


def cold_start(url: str, runs: int) -> dict[str, float]:
    """Median seconds from a fresh interpreter's first line to the first parsed response."""
    prelude = (
        f"REGION, URL, AKID, SECRET, JOB = {REGION!r}, {url!r}, {AKID!r}, {SECRET!r}, "
        f"{JOB_NAME!r}\n"
    )
    snippets = {
        "boto3": COLD_BOTO3,
        "sagetune.transport builtin": COLD_SAGETUNE.replace("KIND", "'builtin'"),
        "sagetune.transport httpx": COLD_SAGETUNE.replace("KIND", "'httpx'"),
        "sagetune.transport aiohttp": COLD_SAGETUNE.replace("KIND", "'aiohttp'"),
    }
    times: dict[str, list[float]] = {name: [] for name in snippets}
    for _ in range(runs):
        for name, code in snippets.items():  # interleaved, so drift hits all alike
            out = subprocess.run(
                [sys.executable, "-c", code.replace("import time;", prelude + "import time;", 1)],
                capture_output=True,
                text=True,
                check=True,
            )
            times[name].append(float(out.stdout.strip().splitlines()[-1]))
    return {name: statistics.median(ts) for name, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=1.25, help="time bound per phase")
    parser.add_argument("--warmup", type=float, default=0.4, help="seconds of warm-up per option")
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--gates", nargs="*", type=int, default=[4, 8, 16], help="gate sizes")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes per cold start")
    parser.add_argument("--only", nargs="*", help="measure only these options (plus the peer)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()

    with loopback_server() as url:
        cold = cold_start(url, args.cold_runs) if args.cold_runs else {}
        rounds = asyncio.run(run(args, url))

    peer = [m["rps"] for m in rounds[PEER]]
    print(f"\nrounds={args.rounds}, {args.seconds}s per phase, body {len(CANNED_BODY)} B")
    print(
        f"{'option':24s} {'tasks':>5s} {'calls/s':>8s} {'min':>7s} {'max':>7s} "
        f"{'vs aiobc':>8s} {'cpu us':>7s} {'cli cpu':>7s} {'srv cpu':>7s} {'errors':>6s}"
    )
    summary: dict[str, dict[str, float]] = {}
    for name, ms in rounds.items():
        rps = [m["rps"] for m in ms]
        ratio = statistics.median(m / p for m, p in zip(rps, peer, strict=True))
        summary[name] = {"rps": statistics.median(rps), "ratio": ratio}
        tasks = ms[0]["tasks"]
        errors = sum(m["errors"] for m in ms)
        print(
            f"{name:24s} {tasks:5d} {statistics.median(rps):8.0f} {min(rps):7.0f} "
            f"{max(rps):7.0f} {ratio:8.2f} {statistics.median(m['cpu_us_per_call'] for m in ms):7.0f} "
            f"{statistics.median(m['client_cpu'] for m in ms):7.2f} "
            f"{statistics.median(m['server_cpu'] for m in ms):7.2f} {errors:6d}"
        )
        first = next((m["first_error"] for m in ms if m["first_error"]), None)
        if first:
            print(f"    first error: {first}")
    if cold:
        print(
            f"\ncold start, fresh process, first line to first parsed response (median of "
            f"{args.cold_runs}):"
        )
        for name, seconds in cold.items():
            print(f"  {name:28s} {seconds:6.3f} s  {seconds / cold['boto3']:5.2f}x boto3")
    if {"sagetune_default", "httpx_default_c8"} <= summary.keys():
        ratio = statistics.median(
            d["rps"] / b["rps"]
            for d, b in zip(rounds["sagetune_default"], rounds["httpx_default_c8"], strict=True)
        )
        print(f"\nsagetune_default (50 tasks) / raw httpx_default_c8 (8 tasks): {ratio:.2f}x")
    if args.json:
        blob = {"args": vars(args), "summary": summary, "rounds": rounds, "cold_start": cold}
        print("JSON " + json.dumps(blob))
    best = (
        "sagetune_fast"
        if "sagetune_fast" in summary
        else max(summary, key=lambda n: summary[n]["ratio"])
    )
    print(f"RESULT transport_{best}_vs_aiobotocore {summary[best]['ratio']:.2f} x")


if __name__ == "__main__":
    main()
