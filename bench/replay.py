"""How long replaying the longest cassette in cassettes/ takes, through the real client.

Each run opens the cassette (YAML load, scrubbing, matcher setup) and sends every recorded
request, in order, through a fresh ``AsyncSageMakerClient`` (signing, vcrpy matching on
method + X-Amz-Target + JSON body, response parsing into typed objects): what a replaying
test pays. Recorded polls are replayed as recorded, so no wall-clock wait is involved.

The target is a bound, not a ratio (there is no peer): under 1 s on a 2-core machine.
Prints medians of several runs; the last line is ``RESULT replay_longest_cassette_seconds``.

    .venv/bin/python bench/replay.py [--runs 7] [CASSETTE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

from sagetune.codec import from_wire
from sagetune.model.operations import OPERATIONS
from sagetune.testing import ReplayBackend, use_cassette
from sagetune.testing.verify import load_interactions

ROOT = Path(__file__).resolve().parents[1]


def longest_cassette() -> Path:
    cassettes = sorted((ROOT / "cassettes").rglob("*.yaml"))
    if not cassettes:
        sys.exit("no cassettes under cassettes/: record them with `sagetune cassettes record`")
    return max(cassettes, key=lambda path: (len(load_interactions(path)), path.stat().st_size))


async def replay(path: Path) -> int:
    """Replay every interaction of ``path``; returns how many were played."""
    requests = [
        (OPERATIONS[i.operation], json.loads(i.request_body or b"{}"))
        for i in load_interactions(path)
    ]
    client = ReplayBackend().async_client()
    with use_cassette(path, record_mode="none") as cassette:
        for operation, document in requests:
            call = getattr(client, operation.method_name)
            try:
                await call(from_wire(operation.input, document))
            except Exception as error:  # a recorded error answer is replayed as an error
                if type(error).__module__.startswith("vcr"):
                    raise
        played = cassette.play_count
    return played


def timed(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    played = asyncio.run(replay(path))
    return time.perf_counter() - started, played


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cassette", nargs="?", type=Path, help="default: the longest one")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    path = args.cassette or longest_cassette()
    timed(path)  # warm-up: imports, caches
    results = [timed(path) for _ in range(args.runs)]
    seconds = [elapsed for elapsed, _ in results]
    played = results[0][1]
    load = []
    for _ in range(args.runs):
        started = time.perf_counter()
        load_interactions(path)
        load.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    print(f"cassette: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(f"interactions replayed per run: {played}")
    print(
        f"runs: {args.runs}; median {median:.3f} s, min {min(seconds):.3f} s, max {max(seconds):.3f} s"
    )
    print(f"per request: {1000 * median / played:.2f} ms (median run)")
    print(f"YAML load alone: median {statistics.median(load):.3f} s")
    print(f"bound: < 1 s -> {'met' if median < 1 else 'NOT met'}")
    print(f"RESULT replay_longest_cassette_seconds {median:.3f} s")


if __name__ == "__main__":
    main()
