"""Time to first response in a fresh process: sagetune against boto3, in one run.

Each sample is a new interpreter that imports the SDK, creates a client (explicit region,
keys and endpoint_url, so no credential or metadata lookup) and makes one
DescribeHyperParameterTuningJob call to the loopback server (bench/_loopback.py); the time
is the whole process, from spawn to exit. Samples of the candidates are interleaved in
rounds whose order rotates; reported are medians and the median of same-round ratios.

Bytecode: this environment may set PYTHONDONTWRITEBYTECODE, under which sagetune's own
sources (an editable install) would be compiled on every start while botocore's come from
.pyc files written at install time. The samples therefore run with a private
PYTHONPYCACHEPREFIX and a warm-up round, so every package starts from bytecode, as an
installed wheel does.

Usage: python bench/cold_start.py [--runs 11] [--warmup 2]
Final line: RESULT cold_start_vs_boto3 <ratio> x   (sagetune sync client; lower is better)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _loopback import AKID, JOB_NAME, REGION, SECRET, loopback_server

SCRIPTS = {
    "boto3": """
import sys, boto3
c = boto3.client("sagemaker", region_name={region!r}, endpoint_url=sys.argv[1],
                 aws_access_key_id={akid!r}, aws_secret_access_key={secret!r})
r = c.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName={job!r})
assert r["HyperParameterTuningJobStatus"] == "InProgress"
""",
    "sagetune_sync": """
import sys
from sagetune import SageMakerClient
from sagetune.model import DescribeHyperParameterTuningJobRequest
with SageMakerClient(region_name={region!r}, endpoint_url=sys.argv[1],
                     aws_access_key_id={akid!r}, aws_secret_access_key={secret!r}) as sm:
    r = sm.describe_hyper_parameter_tuning_job(
        DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name={job!r}))
assert r.hyper_parameter_tuning_job_status == "InProgress"
""",
    "sagetune_async": """
import asyncio, sys
from sagetune import AsyncSageMakerClient
from sagetune.model import DescribeHyperParameterTuningJobRequest
async def main():
    async with AsyncSageMakerClient(region_name={region!r}, endpoint_url=sys.argv[1],
                                    aws_access_key_id={akid!r},
                                    aws_secret_access_key={secret!r}) as sm:
        return await sm.describe_hyper_parameter_tuning_job(
            DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name={job!r}))
assert asyncio.run(main()).hyper_parameter_tuning_job_status == "InProgress"
""",
}
PEER = "boto3"


def run_once(code: str, url: str, env: dict[str, str]) -> tuple[float, float]:
    """(seconds, max RSS in MiB) of one fresh interpreter running ``code``."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, url], env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"sample failed with exit code {proc.returncode}:\n{code}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()

    fill = {"region": REGION, "akid": AKID, "secret": SECRET, "job": JOB_NAME}
    codes = {name: script.format(**fill) for name, script in SCRIPTS.items()}
    with tempfile.TemporaryDirectory(prefix="sagetune-pyc-") as pycache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = pycache
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        names = list(codes)
        times: dict[str, list[float]] = {name: [] for name in names}
        memory: dict[str, list[float]] = {name: [] for name in names}
        ratios: dict[str, list[float]] = {name: [] for name in names}
        with loopback_server() as url:
            for _ in range(args.warmup):
                for name in names:
                    run_once(codes[name], url, env)
            for r in range(args.runs):
                order = names[r % len(names) :] + names[: r % len(names)]
                sample = {}
                for name in order:
                    sample[name], rss = run_once(codes[name], url, env)
                    times[name].append(sample[name])
                    memory[name].append(rss)
                for name in names:
                    ratios[name].append(sample[name] / sample[PEER])

    print(f"{args.runs} runs (after {args.warmup} warm-up rounds), whole process, seconds")
    print(f"{'client':16s} {'median':>8s} {'min':>8s} {'max':>8s} {'vs boto3':>9s} {'MiB':>6s}")
    for name in names:
        print(
            f"{name:16s} {statistics.median(times[name]):8.3f} {min(times[name]):8.3f} "
            f"{max(times[name]):8.3f} {statistics.median(ratios[name]):9.2f} "
            f"{statistics.median(memory[name]):6.0f}"
        )
    print(f"RESULT cold_start_async_vs_boto3 {statistics.median(ratios['sagetune_async']):.2f} x")
    print(f"RESULT cold_start_vs_boto3 {statistics.median(ratios['sagetune_sync']):.2f} x")


if __name__ == "__main__":
    main()
