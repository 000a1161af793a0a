"""Many SIGKILL rounds against ``sagetune serve --db`` (CI runs 3: tests/reliability).

Each round starts the server on the same database, checks every tuning job acknowledged so
far, creates two more, starts one more create and SIGKILLs the server's process group at a
random moment within 20 ms (often while that create is in flight), and checks that no
process of the group survived. After the last round every job runs to completion. The
rounds are ``tests/reliability/kill_rounds.py``.

    .venv/bin/python bench/sigkill_rounds.py [--rounds 50] [--seed 0]

Prints the counts; every "must be 0" figure must be 0.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests package

from tests.reliability.kill_rounds import run_rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        report = run_rounds(Path(directory) / "simulator.sqlite", args.rounds, args.seed)
    wall = time.perf_counter() - started
    print(f"load average {os.getloadavg()[0]:.2f}; {wall:.0f} s")
    print(f"RESULT sigkill_rounds {report.rounds}")
    print(f"RESULT sigkill_creates_acknowledged {len(report.acknowledged)}")
    print(f"RESULT sigkill_creates_in_flight {report.in_flight} ({report.in_flight_kept} kept)")
    print(f"RESULT sigkill_acknowledged_lost {len(report.lost)} (must be 0)")
    print(f"RESULT sigkill_half_created {len(report.half_created)} (must be 0)")
    print(f"RESULT sigkill_processes_surviving {report.survivors} (must be 0)")
    print(f"RESULT sigkill_jobs_not_completed {len(report.unfinished)} (must be 0)")
    if not report.clean:
        raise SystemExit(f"not clean: {report}")


if __name__ == "__main__":
    main()
