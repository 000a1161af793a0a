"""Commands about one training job: ``training-job`` (what DescribeTrainingJob says) and
``logs`` (what it printed, from CloudWatch Logs, optionally followed as it runs)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from sagetune.cli import connection
from sagetune.cli.errors import CommandError, requires
from sagetune.cli.parsers import add_command

if TYPE_CHECKING:
    from sagetune.cli.cloudwatch_logs import LogSource
    from sagetune.cli.progress import Reconnecting
    from sagetune.client import AsyncSageMakerClient
    from sagetune.model import shapes

TERMINAL_TRAINING_STATUSES = frozenset({"Completed", "Failed", "Stopped"})


def register(commands: Any) -> None:
    """Add this module's subcommands to the ``sagetune`` parser."""
    training = add_command(
        commands,
        "training-job",
        summary="show one training job: status, secondary status history, metrics",
        details=(
            "DescribeTrainingJob as a person reads it: the status (and why it stopped, when "
            "it did), the failure reason, the secondary status history with the service's "
            "messages, the final metrics and the hyperparameters. --json prints the "
            "service's answer as sent."
        ),
        example="sagetune training-job run-2-003-1a2b3c4d",
    )
    training.add_argument("name", metavar="NAME", help="training job name")
    training.add_argument("--json", action="store_true", help="the service's raw response")
    connection.add_arguments(training)
    training.set_defaults(run=run_training_job)

    logs = add_command(
        commands,
        "logs",
        summary="print a training job's log from CloudWatch Logs (--follow: as it runs)",
        details=(
            "Reads log group /aws/sagemaker/TrainingJobs, the job's streams from the head "
            "(GetLogEvents with startFromHead, following nextForwardToken), as SageMaker's "
            "SDKs do. With --follow, keeps reading until the training job has ended and its "
            "last lines are printed. Against a sagetune simulator, the simulator serves the "
            "log itself."
        ),
        example="sagetune logs run-2-003-1a2b3c4d --follow",
    )
    logs.add_argument("name", metavar="JOB", help="training job name")
    logs.add_argument(
        "-f", "--follow", action="store_true", help="keep printing new lines until the job ends"
    )
    logs.add_argument(
        "--poll",
        type=float,
        metavar="SECONDS",
        help="seconds between reads with --follow (default 0.5 on a simulator, 5 on AWS)",
    )
    logs.add_argument(
        "--retry-for",
        type=float,
        default=connection.RETRY_FOR,
        metavar="SECONDS",
        help=(
            "with --follow, keep retrying a lost connection this long "
            f"(default {connection.RETRY_FOR:g})"
        ),
    )
    connection.add_arguments(logs)
    logs.set_defaults(run=run_logs)


# -- training-job ----------------------------------------------------------------------------


async def describe_training_job(
    client: AsyncSageMakerClient, name: str
) -> shapes.DescribeTrainingJobResponse:
    from sagetune.model import shapes

    return await client.describe_training_job(
        shapes.DescribeTrainingJobRequest(training_job_name=name)
    )


@requires("cli", "rich")
def run_training_job(args: argparse.Namespace) -> int:
    from sagetune.cli import simulator_calls
    from sagetune.cli.job_commands import make_console
    from sagetune.cli.tables import summary_table, training_job_rows

    raw, keep_body = connection.answer_bodies("DescribeTrainingJob")

    async def body(client: AsyncSageMakerClient) -> int:
        description = await describe_training_job(client, args.name)
        if args.json:
            json.dump(json.loads(raw[-1]) if raw else {}, sys.stdout, indent=2)
            print()
            return 0
        clock = await simulator_calls.clock(client)
        rows = training_job_rows(description, simulated_now=clock.now if clock else None)
        make_console().print(summary_table(rows))
        return 0

    return connection.run_with_client(args, body, on_response=[keep_body])


# -- logs ------------------------------------------------------------------------------------


def run_logs(args: argparse.Namespace) -> int:
    from sagetune.cli.job_commands import INTERRUPTED, check_watch_options
    from sagetune.cli.progress import ConnectionLost

    check_watch_options(args)
    follow_command = connection.command_line(args, "logs", args.name, "--follow")

    async def body(client: AsyncSageMakerClient) -> int:
        from sagetune.cli import simulator_calls
        from sagetune.cli.botocore_clients import open_client
        from sagetune.cli.cloudwatch_logs import CloudWatchLogs
        from sagetune.cli.progress import Reconnecting

        simulated = await simulator_calls.clock(client) is not None
        logs = CloudWatchLogs(open_client("logs", client, profile=args.profile))
        poll = args.poll if args.poll is not None else (0.5 if simulated else 5.0)
        return await print_log(
            client,
            logs,
            args.name,
            follow=args.follow,
            poll=poll,
            calls=Reconnecting(retry_for=args.retry_for if args.follow else 0.0),
            follow_hint=follow_command,
        )

    try:
        return connection.run_with_client(args, body)
    except KeyboardInterrupt:
        return INTERRUPTED
    except ConnectionLost as exc:
        raise CommandError(
            f"lost the connection to the service ({exc}); read the log again with: {follow_command}"
        ) from exc


async def print_log(
    client: AsyncSageMakerClient,
    logs: LogSource,
    job: str,
    *,
    follow: bool,
    poll: float,
    calls: Reconnecting,
    follow_hint: str,
) -> int:
    """Print the job's log; with ``follow``, until a read made after the job ended finds
    nothing new (so its last lines are never missed)."""
    from sagetune.cli.cloudwatch_logs import format_event, read_new
    from sagetune.cli.tuning_facts import wire_value

    description = await calls.call(lambda: describe_training_job(client, job))
    ended = wire_value(description.training_job_status) in TERMINAL_TRAINING_STATUSES
    cursors: dict[str, str | None] = {}
    while True:
        events = await calls.call(lambda: read_new(logs, job, cursors))
        for event in events:
            print(format_event(event, list(cursors)), flush=True)
        if not follow or (ended and not events):
            break
        await calls.sleep(poll)
        if not ended:
            description = await calls.call(lambda: describe_training_job(client, job))
            ended = wire_value(description.training_job_status) in TERMINAL_TRAINING_STATUSES
    status = wire_value(description.training_job_status)
    secondary = wire_value(description.secondary_status)
    if not cursors:
        print(f"Training job {job} has no log yet ({status}, {secondary}).", file=sys.stderr)
    elif not follow and not ended:
        print(
            f"(training job {job} is {status}, {secondary}: follow its log with: {follow_hint})",
            file=sys.stderr,
        )
    return 0
