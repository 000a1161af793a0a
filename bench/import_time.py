"""Cold start: a fresh process importing sagetune's typed model vs one creating a boto3 client.

Both children do what a program must do before it can build a SageMaker tuning request:

  sagetune   import sagetune.model and touch CreateHyperParameterTuningJobRequest (so a lazy
             import could not hide the cost)
  boto3      import boto3 and create a sagemaker client (static credentials, fixed region:
             no credential chain, no metadata service)

Each child reports the time of those statements (``perf_counter`` around them: interpreter
start-up, the same for both, is left out); the parent also times the whole process. Runs
alternate sagetune / boto3 after one discarded warm-up each (it writes .pyc files).
Reported: medians, the ratio of medians and the median of per-pair ratios (this is a shared,
noisy 2-core box: the same-run ratio is the number to compare).

Usage: python bench/import_time.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

CHILDREN = {
    "sagetune": (
        "import time\n"
        "t0 = time.perf_counter()\n"
        "import sagetune.model\n"
        "sagetune.model.CreateHyperParameterTuningJobRequest\n"
        "print(time.perf_counter() - t0)\n"
    ),
    "boto3": (
        "import time\n"
        "t0 = time.perf_counter()\n"
        "import boto3\n"
        "boto3.client('sagemaker', region_name='us-east-1',\n"
        "             aws_access_key_id='AKIDEXAMPLE', aws_secret_access_key='secret')\n"
        "print(time.perf_counter() - t0)\n"
    ),
}


def run_child(code: str) -> tuple[float, float]:
    """(seconds inside the child, seconds for the whole process)."""
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.devnull}
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip()), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each child (>= 15)")
    args = parser.parse_args()

    for code in CHILDREN.values():  # warm-up: .pyc files, page cache
        run_child(code)
    inner: dict[str, list[float]] = {name: [] for name in CHILDREN}
    whole: dict[str, list[float]] = {name: [] for name in CHILDREN}
    for i in range(args.runs):
        order = list(CHILDREN) if i % 2 == 0 else list(reversed(CHILDREN))
        for name in order:
            seconds, process = run_child(CHILDREN[name])
            inner[name].append(seconds)
            whole[name].append(process)

    pair_ratios = [s / b for s, b in zip(inner["sagetune"], inner["boto3"], strict=True)]
    med = {name: statistics.median(values) for name, values in inner.items()}
    med_whole = {name: statistics.median(values) for name, values in whole.items()}
    print(f"{args.runs} alternating runs each; milliseconds, median [min, max]")
    for name in CHILDREN:
        values = inner[name]
        print(
            f"  {name:9s} imports {med[name] * 1e3:7.1f} [{min(values) * 1e3:.1f}, "
            f"{max(values) * 1e3:.1f}]   whole process {med_whole[name] * 1e3:7.1f}"
        )
    print(f"RESULT import_time_sagetune_model {med['sagetune'] * 1e3:.1f} ms")
    print(f"RESULT import_time_boto3_client {med['boto3'] * 1e3:.1f} ms")
    print(
        f"RESULT import_time_whole_process_ratio {med_whole['sagetune'] / med_whole['boto3']:.3f} x"
    )
    print(f"RESULT import_time_pair_ratio_median {statistics.median(pair_ratios):.3f} x")
    print(f"RESULT import_time_ratio {med['sagetune'] / med['boto3']:.3f} x")


if __name__ == "__main__":
    main()
