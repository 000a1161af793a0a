"""SIGKILL rounds against ``sagetune serve --db``: nothing acknowledged is lost, nothing is
half created, the jobs resume, and no process outlives the kill.

One round: start the server on the database, check every tuning job acknowledged so far,
create a few more (acknowledged: they got a 200), start one more create on a thread and
SIGKILL the server's whole process group at a random moment (often while that create is in
flight), and check that every process of the group is gone. After the last round the
server runs every job to completion. Used by ``test_sigkill.py`` (a few rounds, in CI) and
``bench/sigkill_rounds.py`` (many, figures in the README).
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any

import attrs
import httpx

from tests._serve_process import ServeProcess, signed_call
from tests.simulator.builders import tuning_request

JOBS_PER_TUNING_JOB = 3
FINISH_TIMEOUT = 120.0


@attrs.define
class KillReport:
    rounds: int = 0
    acknowledged: list[str] = attrs.Factory(list)
    """Creates answered 200."""
    in_flight: int = 0
    """Creates under way when the server was killed (answered or not)."""
    in_flight_kept: int = 0
    """Of those, the ones that exist after the restart (all or nothing: either is fine)."""
    lost: list[str] = attrs.Factory(list)
    """Acknowledged, then missing after a restart: must stay empty."""
    half_created: list[str] = attrs.Factory(list)
    """Existing but inconsistent (training jobs unreadable or miscounted): must stay empty."""
    survivors: int = 0
    """Rounds after which a process of the server's group outlived the SIGKILL."""
    unfinished: list[str] = attrs.Factory(list)
    """Tuning jobs not Completed with all their training jobs at the end: must stay empty."""

    @property
    def clean(self) -> bool:
        return not (self.lost or self.half_created or self.survivors or self.unfinished)


def request(name: str) -> dict[str, Any]:
    return tuning_request(name, jobs=JOBS_PER_TUNING_JOB, parallel=JOBS_PER_TUNING_JOB, rounds=5)


def check(http: httpx.Client, url: str, name: str, report: KillReport) -> bool:
    """False when ``name`` does not exist; records it if it exists half made."""
    status, described = signed_call(
        http, url, "DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": name}
    )
    if status != 200:
        return False
    status, listed = signed_call(
        http,
        url,
        "ListTrainingJobsForHyperParameterTuningJob",
        {"HyperParameterTuningJobName": name, "MaxResults": 100},
    )
    counters = described.get("TrainingJobStatusCounters", {})
    if status != 200 or sum(counters.values()) != len(listed["TrainingJobSummaries"]):
        report.half_created.append(name)
    return True


def check_all(http: httpx.Client, url: str, report: KillReport, in_flight: str | None) -> None:
    """Every acknowledged tuning job exists in full; the last in-flight one, if it exists."""
    for name in report.acknowledged:
        if not check(http, url, name, report):
            report.lost.append(name)
    if in_flight is not None and in_flight not in report.acknowledged:
        report.in_flight_kept += check(http, url, in_flight, report)


def one_round(
    db: Path, number: int, rng: random.Random, report: KillReport, previous: str | None
) -> str:
    """Returns the name of the create that was in flight at the kill."""
    with (
        ServeProcess(["--db", str(db), "--time-scale", "max"]) as served,
        httpx.Client(timeout=30) as http,
    ):
        check_all(http, served.url, report, previous)
        for index in range(2):
            name = f"round-{number}-{index}"
            status, _ = signed_call(
                http, served.url, "CreateHyperParameterTuningJob", request(name)
            )
            if status == 200:
                report.acknowledged.append(name)
        in_flight = f"round-{number}-killed"
        answers: list[int] = []

        def create() -> None:
            try:
                status, _ = signed_call(
                    http, served.url, "CreateHyperParameterTuningJob", request(in_flight)
                )
                answers.append(status)
            except httpx.HTTPError:
                pass  # the server died first

        creator = threading.Thread(target=create)
        creator.start()
        time.sleep(rng.uniform(0.0, 0.02))
        served.kill()
        creator.join(timeout=30)
        if not served.gone():
            report.survivors += 1
        report.in_flight += 1
        if answers == [200]:
            report.acknowledged.append(in_flight)
    report.rounds += 1
    return in_flight


def finish(db: Path, report: KillReport, previous: str | None) -> None:
    """Check as a round does, then run every job to its end; record the tuning jobs that
    did not complete in full."""
    with (
        ServeProcess(["--db", str(db), "--time-scale", "max"]) as served,
        httpx.Client(timeout=30) as http,
    ):
        check_all(http, served.url, report, previous)
        _, listed = signed_call(
            http, served.url, "ListHyperParameterTuningJobs", {"MaxResults": 100}
        )
        names = [
            j["HyperParameterTuningJobName"] for j in listed["HyperParameterTuningJobSummaries"]
        ]
        deadline = time.monotonic() + FINISH_TIMEOUT
        for name in names:
            while True:
                _, described = signed_call(
                    http,
                    served.url,
                    "DescribeHyperParameterTuningJob",
                    {"HyperParameterTuningJobName": name},
                )
                done = described["HyperParameterTuningJobStatus"] != "InProgress"
                if done or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            counters = described["TrainingJobStatusCounters"]
            if (
                described["HyperParameterTuningJobStatus"] != "Completed"
                or counters.get("Completed") != JOBS_PER_TUNING_JOB
            ):
                report.unfinished.append(name)
        served.stop()


def run_rounds(db: Path, rounds: int, seed: int = 0) -> KillReport:
    rng = random.Random(seed)
    report = KillReport()
    in_flight = None
    for number in range(rounds):
        in_flight = one_round(db, number, rng, report, in_flight)
    finish(db, report, in_flight)
    return report
