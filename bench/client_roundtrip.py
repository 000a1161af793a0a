"""DescribeHyperParameterTuningJob calls per second and client CPU per call: every sagetune
transport against aiobotocore, at 8 and at 50 concurrent tasks, in one run.

All clients talk to the same loopback server (bench/_loopback.py, a subprocess answering a
canned 4.4 KB describe response), interleaved in rounds whose order rotates; every option
runs at both concurrency levels:

  aiobotocore        describe_hyper_parameter_tuning_job, max_pool_connections=50, no retries
                     (as in the peer baselines)
  httpx_raw          httpx.AsyncClient POSTing pre-built, pre-signed bytes on a pool as large
                     as the task count: no signing, no parsing, no retries
  sagetune_builtin   AsyncSageMakerClient with its defaults (the default transport, "builtin":
                     standard library only, no extra installed; 10 connections, retries on):
                     validation, encoding, SigV4 per call, typed response object
  sagetune_httpx     the same with ClientConfig(transport="httpx"): httpx's own stack
  sagetune_fast      the same with ClientConfig(transport="aiohttp") (sagetune[fast])
  sagetune_httpcore  the same client sending straight into httpx's connection pool
                     (httpcore.AsyncConnectionPool, sniffio installed), skipping httpx's
                     client layer: the candidate default of issue 15, measured here and not
                     shipped (HttpcoreDirect below; sagetune/transport/__init__.py says why)
  sagetune_httpcore_coalesced
                     the same, plus an adapter under httpcore (its public network-backend
                     interface) that writes each request in one send and answers httpcore's
                     idle-connection readability check without anyio's attribute lookup

Reported per option and task count: median calls/s over rounds, the median of same-round
ratios to aiobotocore, the client's CPU time per call (user + system, all threads) and the
median of same-round CPU ratios (aiobotocore's CPU per call / the option's: above 1 means
less CPU). The machine is a shared, noisy 2-core box: compare ratios, not absolutes.

Usage: python bench/client_roundtrip.py [--rounds 5] [--seconds 2] [--only NAME ...]
Final lines (ratios to aiobotocore, same rounds, medians):
  RESULT client_<transport>_vs_aiobotocore_c<tasks> <ratio> x       calls/s
  RESULT client_<transport>_cpu_vs_aiobotocore_c<tasks> <ratio> x   aiobotocore CPU / ours
  (<transport>: builtin, httpx, aiohttp, and the candidates httpcore, httpcore_coalesced)
  RESULT client_fast_vs_aiobotocore <ratio> x                       (50 tasks, as before)
  RESULT client_default_vs_httpx_raw_c8 <ratio> x                   (as before)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from collections.abc import Mapping
from contextlib import AsyncExitStack
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "sdk"))
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

import httpcore  # noqa: E402
from _loopback import AKID, JOB_NAME, REGION, SECRET, loopback_server, server_pid  # noqa: E402
from _phase import Call, measure  # noqa: E402
from httpcore._utils import is_socket_readable  # noqa: E402

from sagetune import AsyncSageMakerClient  # noqa: E402
from sagetune.config import ClientConfig  # noqa: E402
from sagetune.model import DescribeHyperParameterTuningJobRequest  # noqa: E402
from sagetune.transport import AsyncSender, HttpSettings, RawResponse  # noqa: E402
from sagetune.transport.tls import ssl_verify  # noqa: E402

PEER = "aiobotocore"
TASKS = (8, 50)
TRANSPORTS = {"builtin": "sagetune_builtin", "httpx": "sagetune_httpx", "aiohttp": "sagetune_fast"}
CANDIDATES = {"httpcore": "sagetune_httpcore", "httpcore_coalesced": "sagetune_httpcore_coalesced"}
"""Backends measured but not shipped: ClientConfig cannot name them; the bench swaps them in."""


class HttpcoreDirect:
    """httpx's connection pool (httpcore) driven directly, behind sagetune's sender and gate.

    What it skips of httpx: the client layer (request building, URL and header models,
    auth, redirects, cookies, hooks) and the transport's model conversion. What it keeps:
    httpcore's pool, h11 and anyio, configured as ``transport="httpx"`` configures httpx
    (pool size, keep-alive, timeouts, the TLS context of sagetune.transport.tls). Per URL it
    caches httpcore's URL object and the Host header; the headers go in as bytes.
    """

    def __init__(self, settings: HttpSettings, *, coalesce: bool = False) -> None:
        self.settings = settings
        self.pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_verify(settings.verify, settings.trust_env),
            max_connections=settings.max_connections,
            max_keepalive_connections=settings.max_connections,
            keepalive_expiry=5.0,
            network_backend=_CoalescingBackend() if coalesce else None,
        )
        self._extensions = {"timeout": settings.timeout.as_dict()}
        self._routes: dict[str, tuple[Any, bytes]] = {}

    @property
    def read_timeout(self) -> float:
        return self.settings.read_timeout

    def _route(self, url: str) -> tuple[Any, bytes]:
        from urllib.parse import urlsplit

        from sagetune.transport.http11 import host_header

        parts = urlsplit(url)
        found = (
            httpcore.URL(url),
            host_header(parts.hostname or "", parts.port, parts.scheme).encode(),
        )
        self._routes[url] = found
        return found

    async def exchange(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> RawResponse:
        target, host = self._routes.get(url) or self._route(url)
        wire = [(b"Host", host), (b"Content-Length", b"%d" % len(body))]
        wire += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        request = httpcore.Request(
            method, target, headers=wire, content=body, extensions=self._extensions
        )
        response = await self.pool.handle_async_request(request)
        try:
            content = b"".join([part async for part in response.stream])
        finally:
            await response.aclose()
        headers_in: dict[str, str] = {}
        for raw_name, raw_value in response.headers:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers_in[name] = f"{headers_in[name]}, {value}" if name in headers_in else value
        return RawResponse(response.status, headers_in, content)

    def http_client(self) -> None:
        return None

    async def aclose(self) -> None:
        await self.pool.aclose()


class _CoalescingStream(httpcore.AsyncNetworkStream):
    """Holds written bytes until the next read, so a request's head and body go in one send;
    answers the pool's readability check from the socket it keeps."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._pending: list[bytes] = []
        self._timeout: float | None = None
        self._socket = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            await self._inner.write(data, self._timeout)
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if buffer:
            self._pending.append(buffer)
            self._timeout = timeout

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        return _CoalescingStream(await self._inner.start_tls(*args, **kwargs))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return is_socket_readable(self._socket)
        return self._inner.get_extra_info(info)


class _CoalescingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's AnyIO backend, its streams wrapped in :class:`_CoalescingStream`."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        return _CoalescingStream(await self._inner.connect_tcp(*args, **kwargs))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


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


async def build(url: str, stack: AsyncExitStack) -> dict[str, dict[int, Call]]:
    """option -> task count -> one call."""
    import httpx
    from aiobotocore.config import AioConfig  # type: ignore[import-untyped]
    from aiobotocore.session import get_session  # type: ignore[import-untyped]

    options: dict[str, dict[int, Call]] = {}
    endpoint = url.rstrip("/")

    aio = await stack.enter_async_context(
        get_session().create_client(
            "sagemaker",
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id=AKID,
            aws_secret_access_key=SECRET,
            config=AioConfig(max_pool_connections=50, retries={"total_max_attempts": 1}),
        )
    )

    async def call_aiobotocore() -> bool:
        r = await aio.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=JOB_NAME)
        return bool(r["HyperParameterTuningJobStatus"] == "InProgress")

    options[PEER] = dict.fromkeys(TASKS, call_aiobotocore)

    body, headers = signed_request(url)

    def raw(pool: int) -> Call:
        limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
        client = httpx.AsyncClient(limits=limits, timeout=10.0)
        stack.push_async_callback(client.aclose)

        async def call() -> bool:
            r = await client.post(url, content=body, headers=headers)
            return r.status_code == 200 and len(r.content) > 0

        return call

    options["httpx_raw"] = {tasks: raw(tasks) for tasks in TASKS}

    for transport, name in TRANSPORTS.items():
        sm = await stack.enter_async_context(
            AsyncSageMakerClient(
                region_name=REGION,
                endpoint_url=endpoint,
                aws_access_key_id=AKID,
                aws_secret_access_key=SECRET,
                config=ClientConfig(transport=transport),  # type: ignore[arg-type]
            )
        )
        options[name] = dict.fromkeys(TASKS, via(sm))

    for candidate, name in CANDIDATES.items():
        sm = await stack.enter_async_context(
            AsyncSageMakerClient(
                region_name=REGION,
                endpoint_url=endpoint,
                aws_access_key_id=AKID,
                aws_secret_access_key=SECRET,
            )
        )
        settings = sm.config.http
        await sm._sender.aclose()  # nothing opened yet: the default pool connects on first use
        sm._sender = AsyncSender(
            HttpcoreDirect(settings, coalesce=candidate == "httpcore_coalesced"),
            max_in_flight=settings.in_flight_limit,
        )
        options[name] = dict.fromkeys(TASKS, via(sm))
    return options


def via(client: AsyncSageMakerClient) -> Call:
    request = DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=JOB_NAME)

    async def call() -> bool:
        out = await client.describe_hyper_parameter_tuning_job(request)
        return out.hyper_parameter_tuning_job_status == "InProgress"

    return call


Rounds = dict[tuple[str, int], list[dict[str, Any]]]


async def run(args: argparse.Namespace, url: str) -> Rounds:
    async with AsyncExitStack() as stack:
        options = await build(url, stack)
        names = [n for n in options if not args.only or n in args.only or n == PEER]
        phases = [(name, tasks) for name in names for tasks in TASKS]
        for name, tasks in phases:  # warm-up: connections, caches, compiled hooks
            await measure(options[name][tasks], tasks, args.warmup, 5000, server_pid())
        rounds: Rounds = {phase: [] for phase in phases}
        for r in range(args.rounds):
            order = phases[r % len(phases) :] + phases[: r % len(phases)]
            for name, tasks in order:
                call = options[name][tasks]
                result = await measure(call, tasks, args.seconds, args.max_requests, server_pid())
                rounds[(name, tasks)].append(result)
                await asyncio.sleep(0.1)
        return rounds


def same_round(rounds: Rounds, a: tuple[str, int], b: tuple[str, int], key: str) -> float:
    """Median over rounds of a/b for ``rps``; of b/a for ``cpu_us_per_call`` (so that above
    1 always means ``a`` is better)."""
    ratios = []
    for x, y in zip(rounds[a], rounds[b], strict=True):
        ratios.append(x[key] / y[key] if key == "rps" else y[key] / x[key])
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

    import importlib.metadata as metadata
    import importlib.util

    sniffio = importlib.util.find_spec("sniffio") is not None
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("httpx", "httpcore", "aiohttp", "aiobotocore")
    )
    print(
        f"rounds={args.rounds}, <= {args.seconds} s per phase, interleaved; {versions}; "
        f"sniffio {'installed' if sniffio else 'NOT installed'}"
    )
    print(
        f"{'client':28s} {'tasks':>5s} {'calls/s':>8s} {'min':>7s} {'max':>7s} "
        f"{'vs aiobc':>8s} {'cpu us':>7s} {'cpu x':>6s} {'srv cpu':>7s} {'errors':>6s}"
    )
    for (name, tasks), ms in rounds.items():
        rps = [m["rps"] for m in ms]
        peer = (PEER, tasks)
        print(
            f"{name:28s} {tasks:5d} {statistics.median(rps):8.0f} {min(rps):7.0f} "
            f"{max(rps):7.0f} {same_round(rounds, (name, tasks), peer, 'rps'):8.2f} "
            f"{statistics.median(m['cpu_us_per_call'] for m in ms):7.0f} "
            f"{same_round(rounds, (name, tasks), peer, 'cpu_us_per_call'):6.2f} "
            f"{statistics.median(m['server_cpu'] for m in ms):7.2f} "
            f"{sum(m['errors'] for m in ms):6d}"
        )
        first = next((m["first_error"] for m in ms if m["first_error"]), None)
        if first:
            print(f"    first error: {first}")
    print("cpu x: aiobotocore's client CPU per call / this option's, same rounds (> 1: less)")

    for transport, name in {**TRANSPORTS, **CANDIDATES}.items():
        for tasks in TASKS:
            if (name, tasks) not in rounds:
                continue
            pair = ((name, tasks), (PEER, tasks))
            print(
                f"RESULT client_{transport}_vs_aiobotocore_c{tasks} "
                f"{same_round(rounds, *pair, 'rps'):.2f} x"
            )
            print(
                f"RESULT client_{transport}_cpu_vs_aiobotocore_c{tasks} "
                f"{same_round(rounds, *pair, 'cpu_us_per_call'):.2f} x"
            )
    if ("sagetune_fast", 50) in rounds:
        ratio = same_round(rounds, ("sagetune_fast", 50), (PEER, 50), "rps")
        print(f"RESULT client_fast_vs_aiobotocore {ratio:.2f} x")
    if {("sagetune_builtin", 50), ("httpx_raw", 8)} <= rounds.keys():
        ratio = same_round(rounds, ("sagetune_builtin", 50), ("httpx_raw", 8), "rps")
        print(f"RESULT client_default_vs_httpx_raw_c8 {ratio:.2f} x")


if __name__ == "__main__":
    main()
