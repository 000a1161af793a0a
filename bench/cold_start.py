"""Time to first response in a fresh process: sagetune against boto3, with and without a
shared config file, in one run.

Each sample is a new interpreter that imports the SDK, creates a client (explicit keys and
endpoint_url, so no credential chain and no metadata lookup) and makes one
DescribeHyperParameterTuningJob call to the loopback server (bench/_loopback.py); the time
is the whole process, from spawn to exit. Two conditions, each with a temporary HOME this
script writes:

  no config    HOME has no ~/.aws; the region is passed to the client (region_name=)
  config       HOME has a ~/.aws/config of a few lines (a default profile with region and
               output, one named profile), and the region comes from it: the client is
               created without region_name, as code run on a configured machine does

AWS_* variables are cleared for both. Samples of the candidates (boto3, sagetune's sync and
async clients) are interleaved in rounds whose order rotates; reported are medians and the
median of same-round ratios to boto3 (this is a shared, noisy machine: the same-run ratio is
the number to compare).

Bytecode: this environment may set PYTHONDONTWRITEBYTECODE, under which sagetune's own
sources (an editable install) would be compiled on every start while botocore's come from
.pyc files written at install time. The samples therefore run with a private
PYTHONPYCACHEPREFIX and warm-up rounds, so every package starts from bytecode, as an
installed wheel does.

Usage: python bench/cold_start.py [--runs 11] [--warmup 2]
Final lines (sagetune / boto3, lower is better):
  RESULT cold_start_vs_boto3 <ratio> x                     sync client, no config file
  RESULT cold_start_async_vs_boto3 <ratio> x
  RESULT cold_start_with_config_vs_boto3 <ratio> x         sync client, ~/.aws/config present
  RESULT cold_start_async_with_config_vs_boto3 <ratio> x
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
c = boto3.client("sagemaker", {region}endpoint_url=sys.argv[1],
                 aws_access_key_id={akid!r}, aws_secret_access_key={secret!r})
r = c.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName={job!r})
assert r["HyperParameterTuningJobStatus"] == "InProgress"
""",
    "sagetune_sync": """
import sys
from sagetune import SageMakerClient
from sagetune.model import DescribeHyperParameterTuningJobRequest
with SageMakerClient({region}endpoint_url=sys.argv[1],
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
    async with AsyncSageMakerClient({region}endpoint_url=sys.argv[1],
                                    aws_access_key_id={akid!r},
                                    aws_secret_access_key={secret!r}) as sm:
        return await sm.describe_hyper_parameter_tuning_job(
            DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name={job!r}))
assert asyncio.run(main()).hyper_parameter_tuning_job_status == "InProgress"
""",
}
PEER = "boto3"

SHARED_CONFIG = f"""[default]
region = {REGION}
output = json

[profile research]
region = eu-west-1
output = table
"""

CONDITIONS = {
    "no config": f"region_name={REGION!r}, ",  # no ~/.aws: the region is an argument
    "config": "",  # the region comes from ~/.aws/config
}


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


def environment(home: str, pycache: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("AWS_")
    }
    env["HOME"] = home
    env["PYTHONPYCACHEPREFIX"] = pycache
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()

    fill = {"akid": AKID, "secret": SECRET, "job": JOB_NAME}
    names = list(SCRIPTS)
    times: dict[tuple[str, str], list[float]] = {}
    memory: dict[tuple[str, str], list[float]] = {}
    ratios: dict[tuple[str, str], list[float]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="sagetune-pyc-") as pycache,
        tempfile.TemporaryDirectory(prefix="sagetune-home-") as bare_home,
        tempfile.TemporaryDirectory(prefix="sagetune-home-") as configured_home,
        loopback_server() as url,
    ):
        os.mkdir(os.path.join(configured_home, ".aws"))
        with open(os.path.join(configured_home, ".aws", "config"), "w") as f:
            f.write(SHARED_CONFIG)
        homes = {"no config": bare_home, "config": configured_home}
        codes = {
            (condition, name): script.format(region=region, **fill)
            for condition, region in CONDITIONS.items()
            for name, script in SCRIPTS.items()
        }
        envs = {condition: environment(homes[condition], pycache) for condition in CONDITIONS}
        for key in codes:
            times[key], memory[key], ratios[key] = [], [], []
        for _ in range(args.warmup):
            for (condition, _name), code in codes.items():
                run_once(code, url, envs[condition])
        for r in range(args.runs):
            order = names[r % len(names) :] + names[: r % len(names)]
            for condition in CONDITIONS:
                sample = {}
                for name in order:
                    key = (condition, name)
                    sample[name], rss = run_once(codes[key], url, envs[condition])
                    times[key].append(sample[name])
                    memory[key].append(rss)
                for name in names:
                    ratios[(condition, name)].append(sample[name] / sample[PEER])

    print(f"{args.runs} runs (after {args.warmup} warm-up rounds), whole process, seconds")
    print(
        f"{'condition':10s} {'client':16s} {'median':>8s} {'min':>8s} {'max':>8s} "
        f"{'vs boto3':>9s} {'MiB':>6s}"
    )
    for key, values in times.items():
        condition, name = key
        print(
            f"{condition:10s} {name:16s} {statistics.median(values):8.3f} {min(values):8.3f} "
            f"{max(values):8.3f} {statistics.median(ratios[key]):9.2f} "
            f"{statistics.median(memory[key]):6.0f}"
        )

    def ratio(condition: str, name: str) -> float:
        return statistics.median(ratios[(condition, name)])

    print(f"RESULT cold_start_async_vs_boto3 {ratio('no config', 'sagetune_async'):.2f} x")
    print(f"RESULT cold_start_async_with_config_vs_boto3 {ratio('config', 'sagetune_async'):.2f} x")
    print(f"RESULT cold_start_with_config_vs_boto3 {ratio('config', 'sagetune_sync'):.2f} x")
    print(f"RESULT cold_start_vs_boto3 {ratio('no config', 'sagetune_sync'):.2f} x")


if __name__ == "__main__":
    main()
