"""Following the logs of a running training job, as the SDKs do, on a manual clock.

The test starts a training job on a ``--time-scale manual`` server, moves it into its
Training phase, starts the client's follower, then moves the clock in steps; after each
step it polls the follower's output until every event written so far has been printed
(the follower polls on its own wall-clock schedule), and stops when the job has ended.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from tests.compat.harness import Follower, Report
from tests.compat.served import Served
from tests.simulator.builders import training_request

CATCH_UP_TIMEOUT = 30.0


def start_training_job(served: Served, name: str, rounds: int) -> None:
    """A training job on the manual clock, moved into its Training phase with some lines."""
    served.client("sagemaker").create_training_job(
        **training_request(
            name, "sagetune/xgboost-curve:latest", {"num_round": str(rounds), "max_depth": "4"}
        )
    )
    served.advance(60 + 20 + 150)  # Starting, Downloading, and a few rounds of training
    assert served.log_messages(name), f"{name} wrote no log line yet"


def printed_events(lines: list[str], messages: list[str]) -> list[str]:
    """The log events a follower printed, in order: each output line that is an event, or
    ends with one (SDK v2 prints its status line without a newline before the first)."""
    known = sorted(set(messages), key=len, reverse=True)
    found = []
    for line in lines:
        match = next((m for m in known if line == m or line.endswith(m)), None)
        if match is not None:
            found.append(match)
    return found


def caught_up(messages: list[str]) -> Callable[[list[str]], bool]:
    """Whether a follower's output holds every one of ``messages`` (at least once)."""
    wanted = Counter(messages)
    return lambda lines: not wanted - Counter(printed_events(lines, messages))


def follow_running_job(
    follower: Follower, served: Served, training_job: str, *, step: float = 300.0
) -> tuple[Report, list[str]]:
    """Drive the clock under a running follower until the job ends; return the follower's
    report and the job's events. A follower that falls behind once is not waited for again
    (the job is then run to its end at once), so a broken follower fails fast."""
    sm = served.client("sagemaker")
    patient = True
    while True:
        messages = served.log_messages(training_job)
        if patient:
            patient = follower.wait_until(caught_up(messages), timeout=CATCH_UP_TIMEOUT)
        status = sm.describe_training_job(TrainingJobName=training_job)["TrainingJobStatus"]
        if status not in ("InProgress", "Stopping"):
            break
        served.advance(step if patient else 86_400.0)
    return follower.finish(timeout=180), served.log_messages(training_job)


def assert_each_event_printed_once(printed: list[str], messages: list[str]) -> None:
    duplicated = {m: n for m, n in Counter(printed).items() if n > 1}
    missing = [m for m in messages if m not in printed]
    summary = f"{len(printed)} event lines printed for {len(messages)} events"
    assert not duplicated, (
        f"{summary}; {len(duplicated)} printed more than once, e.g. {list(duplicated.items())[:3]}"
    )
    assert not missing, f"{summary}; {len(missing)} never printed, e.g. {missing[:3]}"
    assert printed == messages, f"{summary}, in another order"
