"""Commands that drive tuning jobs: demo, tune, describe, jobs, stop, report, validate.

Each ``run_*`` function parses nothing itself: argparse has done it. They open one async
client (``sagetune.cli.connection``), make their calls, and print through rich. Errors
become ``CommandError`` (one line, exit code 2 for bad input, 1 for the service's errors).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sagetune.cli import connection
from sagetune.cli import demo as demo_defaults
from sagetune.cli.errors import BAD_INPUT, FAILURE, CommandError

if TYPE_CHECKING:
    from rich.console import Console

    from sagetune.cli.tuning_facts import TrainingJobResult
    from sagetune.client import AsyncSageMakerClient, ResponseEvent
    from sagetune.model import shapes

INTERRUPTED = 130


def register(commands: Any) -> None:
    """Add this module's subcommands to the ``sagetune`` parser."""
    demo = commands.add_parser(
        "demo",
        help="run a whole tuning job on the built-in simulator and write its report",
        description=(
            "Start the simulator on a loopback port, create a Bayesian tuning job with early "
            "stopping over a built-in learning-curve algorithm through the real client, show "
            "its progress, its best training jobs, and write a report. Needs nothing "
            "configured."
        ),
    )
    demo.add_argument(
        "--time-scale",
        default=demo_defaults.DEFAULT_TIME_SCALE,
        metavar="FACTOR|max",
        help=(
            "'max' (the default) runs events back to back as fast as the machine goes, "
            "and the run is reproducible; a factor runs that many simulated seconds per "
            "wall second"
        ),
    )
    demo.add_argument(
        "--jobs",
        type=int,
        default=demo_defaults.DEFAULT_JOBS,
        help=f"training jobs to run (default {demo_defaults.DEFAULT_JOBS})",
    )
    demo.add_argument(
        "--parallel",
        type=int,
        default=demo_defaults.DEFAULT_PARALLEL,
        help=f"at a time (default {demo_defaults.DEFAULT_PARALLEL})",
    )
    demo.add_argument(
        "--output",
        metavar="DIR",
        type=Path,
        help="where the database and the report go (default ~/.cache/sagetune/demo)",
    )
    demo.set_defaults(run=run_demo)

    tune = commands.add_parser(
        "tune",
        help="create a tuning job from a request file (JSON or YAML)",
        description=(
            "Create a hyperparameter tuning job from a boto3-style "
            "CreateHyperParameterTuningJob request document. The request is validated "
            "(model constraints and the tuning API's rules) before anything is sent."
        ),
    )
    tune.add_argument("request", metavar="REQUEST", help="request file (.json, .yaml; - for stdin)")
    tune.add_argument("--name", help="use this HyperParameterTuningJobName instead of the file's")
    tune.add_argument("--wait", action="store_true", help="show live progress until it ends")
    tune.add_argument(
        "--poll",
        type=float,
        metavar="SECONDS",
        help="seconds between polls with --wait (default 0.5 on a simulator, 10 on AWS)",
    )
    connection.add_arguments(tune)
    tune.set_defaults(run=run_tune)

    describe = commands.add_parser("describe", help="summarize a tuning job")
    describe.add_argument("name", metavar="NAME", help="tuning job name")
    describe.add_argument("--json", action="store_true", help="the service's raw response")
    connection.add_arguments(describe)
    describe.set_defaults(run=run_describe)

    jobs = commands.add_parser(
        "jobs",
        help="list a tuning job's training jobs as a table",
        description="List every training job of a tuning job, sorted as asked.",
    )
    jobs.add_argument("name", metavar="NAME", help="tuning job name")
    jobs.add_argument(
        "--sort-by",
        default="objective",
        metavar="KEY",
        help=(
            "objective (best first; the default), name, created, status, time (training "
            "seconds) or a hyperparameter's name"
        ),
    )
    jobs.add_argument("--reverse", action="store_true", help="reverse the order")
    jobs.add_argument(
        "--status",
        choices=("InProgress", "Completed", "Failed", "Stopping", "Stopped"),
        help="only training jobs in this status",
    )
    jobs.add_argument("--limit", type=int, metavar="N", help="show the first N only")
    jobs.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    connection.add_arguments(jobs)
    jobs.set_defaults(run=run_jobs)

    stop = commands.add_parser("stop", help="stop a tuning job (and its running training jobs)")
    stop.add_argument("name", metavar="NAME", help="tuning job name")
    connection.add_arguments(stop)
    stop.set_defaults(run=run_stop)

    report = commands.add_parser(
        "report",
        help="write a tuning job's report: PNG charts and an HTML page",
        description=(
            "Charts of the objective per training job, learning curves (on a sagetune "
            "simulator; AWS keeps per-epoch values in CloudWatch, so there the report shows "
            "final metrics only) and each hyperparameter against the objective, in an HTML page."
        ),
    )
    report.add_argument("name", metavar="NAME", help="tuning job name")
    report.add_argument(
        "-o", "--output", metavar="DIR", type=Path, help="directory (default ./NAME-report)"
    )
    connection.add_arguments(report)
    report.set_defaults(run=run_report)

    validate = commands.add_parser(
        "validate",
        help="check a tuning job request offline",
        description=(
            "Check a CreateHyperParameterTuningJob request document against the model's "
            "constraints and the tuning API's rules, without sending it. Exits 2 and lists "
            "every violation when it is invalid."
        ),
    )
    validate.add_argument(
        "request", metavar="REQUEST", help="request file (.json, .yaml; - for stdin)"
    )
    validate.set_defaults(run=run_validate)


# -- output ---------------------------------------------------------------------------------


def make_console() -> Console:
    """stdout through rich; wide when it is not a terminal, so tables do not wrap in logs."""
    from rich.console import Console

    width = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 200
    return Console(highlight=False, width=width)


def print_outcome(
    console: Console,
    description: shapes.DescribeHyperParameterTuningJobResponse,
    results: list[TrainingJobResult],
    *,
    top: int = 5,
) -> None:
    """The best training jobs as a table, then the best one on a line of its own."""
    from sagetune.cli.tables import best_job_line, jobs_table
    from sagetune.cli.tuning_facts import objective_of, ranked, tuned_parameters

    objective = objective_of(description)
    best = ranked(results, objective)[:top]
    if best:
        best_name = description.best_training_job
        console.print()
        console.print(
            jobs_table(
                best,
                objective,
                tuned_parameters(description),
                title=f"Best training jobs (top {len(best)} of {len(results)})",
                best=best_name.training_job_name if best_name else None,
                width=console.width,
            )
        )
    console.print(best_job_line(description))


# -- demo -----------------------------------------------------------------------------------


def run_demo(args: argparse.Namespace) -> int:
    from sagetune.cli import demo
    from sagetune.cli.report import require_matplotlib
    from sagetune.cli.request_files import build_request

    require_matplotlib("demo")
    if args.jobs < 1 or args.parallel < 1:
        raise CommandError("--jobs and --parallel must be at least 1", BAD_INPUT)
    directory: Path = args.output or demo.default_directory()
    console = make_console()
    simulator = demo.open_simulator(directory, args.time_scale)
    key, secret = next(iter(simulator.credentials.items()))
    from sagetune.simulator.server import BackgroundServer

    with BackgroundServer(simulator) as served:
        try:
            url = served.start()
        except RuntimeError as exc:
            raise CommandError(f"the demo's {exc}") from exc
        clock = "as fast as it goes" if args.time_scale == "max" else f"{args.time_scale}x"
        console.print(
            f"Simulator listening on {url} (clock {clock}, database {directory / 'demo.sqlite'})"
        )
        options = argparse.Namespace(endpoint_url=url, region=simulator.region, profile=None)
        document = demo.demo_request(demo.DEMO_JOB_NAME, jobs=args.jobs, parallel=args.parallel)
        request = build_request(document, source="the demo's request")

        async def body(client: AsyncSageMakerClient) -> int:
            return await _create_and_watch(
                client, request, console=console, poll=0.25, report_dir=directory / "report"
            )

        try:
            return connection.run_with_client(
                options, body, aws_access_key_id=key, aws_secret_access_key=secret
            )
        except KeyboardInterrupt:
            print(
                "\nsagetune demo: interrupted; the demo's simulator is shut down.", file=sys.stderr
            )
            return INTERRUPTED


async def _create_and_watch(
    client: AsyncSageMakerClient,
    request: shapes.CreateHyperParameterTuningJobRequest,
    *,
    console: Console,
    poll: float | None,
    report_dir: Path | None,
    created: list[str] | None = None,
) -> int:
    """Create the tuning job, show its progress, its best jobs and (optionally) its report."""
    from sagetune.cli import job_queries, progress
    from sagetune.cli.tuning_facts import wire_value

    name = request.hyper_parameter_tuning_job_name
    config = request.hyper_parameter_tuning_job_config
    await client.create_hyper_parameter_tuning_job(request)
    if created is not None:
        created.append(name)
    limits = config.resource_limits
    console.print(
        f"Created tuning job {name}: {config.strategy} search, "
        f"{limits.max_number_of_training_jobs} training jobs, "
        f"{limits.max_parallel_training_jobs} at a time, early stopping "
        f"{config.training_job_early_stopping_type or 'Off'}"
    )
    description = await progress.watch(client, name, console=console, poll=poll)
    if report_dir is None:
        print_outcome(console, description, await job_queries.training_jobs(client, description))
    else:  # the report's data holds the description and the jobs: fetch them once
        from sagetune.cli.report import write_report
        from sagetune.cli.report_data import collect

        data = await collect(client, name)
        print_outcome(console, data.description, list(data.jobs))
        console.print(f"Report: {write_report(data, report_dir)}")
    if wire_value(description.hyper_parameter_tuning_job_status) == "Failed":
        raise CommandError(
            f"tuning job {name} failed: {description.failure_reason or 'no reason given'}",
            FAILURE,
        )
    return 0


# -- tune, validate -------------------------------------------------------------------------


def run_tune(args: argparse.Namespace) -> int:
    from sagetune.cli.request_files import build_request, load_document

    document = load_document(args.request, command="tune")
    if args.name:
        document["HyperParameterTuningJobName"] = args.name
    request = build_request(document, source=args.request)  # bad input stops here, before I/O
    if args.poll is not None and args.poll <= 0:
        raise CommandError("--poll must be a positive number of seconds", BAD_INPUT)
    console = make_console()
    name = request.hyper_parameter_tuning_job_name
    created: list[str] = []

    async def body(client: AsyncSageMakerClient) -> int:
        if args.wait:
            return await _create_and_watch(
                client, request, console=console, poll=args.poll, report_dir=None, created=created
            )
        response = await client.create_hyper_parameter_tuning_job(request)
        flags = connection.connection_flags(args)
        suffix = f" {flags}" if flags else ""
        console.print(f"Created tuning job {name}")
        console.print(f"  {response.hyper_parameter_tuning_job_arn}")
        console.print(f"Follow it with: sagetune describe {name}{suffix}")
        return 0

    try:
        return connection.run_with_client(args, body)
    except KeyboardInterrupt:
        if not created:
            raise
        flags = connection.connection_flags(args)
        suffix = f" {flags}" if flags else ""
        print(
            f"\nStopped watching. Tuning job {name} is still running; "
            f"stop it with: sagetune stop {name}{suffix}",
            file=sys.stderr,
        )
        return INTERRUPTED


def run_validate(args: argparse.Namespace) -> int:
    from sagetune.cli.request_files import build_request, load_document

    document = load_document(args.request, command="validate")
    request = build_request(document, source=args.request)
    config = request.hyper_parameter_tuning_job_config
    limits = config.resource_limits
    jobs = limits.max_number_of_training_jobs
    print(
        f"{args.request}: valid CreateHyperParameterTuningJob request for "
        f"{request.hyper_parameter_tuning_job_name} ({config.strategy}, "
        f"{jobs if jobs is not None else 'default number of'} training jobs, "
        f"{limits.max_parallel_training_jobs} at a time)"
    )
    return 0


# -- describe, jobs, stop, report ------------------------------------------------------------


def run_describe(args: argparse.Namespace) -> int:
    from sagetune.cli import job_queries, simulator_calls
    from sagetune.cli.tables import summary_rows, summary_table

    raw: list[bytes] = []

    def keep_body(event: ResponseEvent) -> None:
        if event.operation == "DescribeHyperParameterTuningJob" and event.status == 200:
            raw.append(event.body)

    async def body(client: AsyncSageMakerClient) -> int:
        description = await job_queries.describe(client, args.name)
        if args.json:
            document = json.loads(raw[-1]) if raw else {}
            json.dump(document, sys.stdout, indent=2, sort_keys=False)
            print()
            return 0
        reason = None
        if await simulator_calls.clock(client) is not None:
            reason = await simulator_calls.completion_reason(client, args.name)
        console = make_console()
        console.print(summary_table(summary_rows(description, completion_reason=reason)))
        return 0

    return connection.run_with_client(args, body, on_response=[keep_body])


def run_jobs(args: argparse.Namespace) -> int:
    from sagetune.cli import job_queries
    from sagetune.cli.tables import SORT_KEYS, job_record, jobs_table, sort_jobs
    from sagetune.cli.tuning_facts import objective_of, tuned_parameters

    if args.limit is not None and args.limit < 1:
        raise CommandError("--limit must be at least 1", BAD_INPUT)

    async def body(client: AsyncSageMakerClient) -> int:
        description = await job_queries.describe(client, args.name)
        parameters = tuned_parameters(description)
        known = (*SORT_KEYS, *(p.name for p in parameters))
        if args.sort_by not in known:
            raise CommandError(
                f"--sort-by {args.sort_by!r}: use one of {', '.join(known)}", BAD_INPUT
            )
        results = await job_queries.training_jobs(client, description, status=args.status)
        objective = objective_of(description)
        ordered = sort_jobs(results, objective, args.sort_by, reverse=args.reverse)
        if args.limit is not None:
            ordered = ordered[: args.limit]
        if args.json:
            for result in ordered:
                print(json.dumps(job_record(result)))
            return 0
        best = description.best_training_job
        console = make_console()
        if not ordered:
            console.print(
                f"Tuning job {args.name} has no training jobs"
                + (f" in status {args.status}" if args.status else "")
                + "."
            )
            return 0
        console.print(
            jobs_table(
                ordered,
                objective,
                parameters,
                title=f"Training jobs of {args.name} ({len(ordered)} of {len(results)}, by {args.sort_by})",
                best=best.training_job_name if best else None,
                width=console.width,
            )
        )
        return 0

    return connection.run_with_client(args, body)


def run_stop(args: argparse.Namespace) -> int:
    from sagetune.model import shapes

    async def body(client: AsyncSageMakerClient) -> int:
        await client.stop_hyper_parameter_tuning_job(
            shapes.StopHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=args.name)
        )
        print(
            f"Stopping tuning job {args.name}: its running training jobs are stopped too, "
            "then it ends Stopped."
        )
        return 0

    return connection.run_with_client(args, body)


def run_report(args: argparse.Namespace) -> int:
    from sagetune.cli.report import report, require_matplotlib

    require_matplotlib("report")
    directory: Path = args.output or Path(f"{args.name}-report")

    async def body(client: AsyncSageMakerClient) -> int:
        page, data = await report(client, args.name, directory)
        console = make_console()
        if not data.curves_available:
            console.print(
                "Not a sagetune simulator: the report shows final metrics only (per-epoch "
                "values live in CloudWatch)."
            )
        console.print(f"Report: {page}")
        return 0

    return connection.run_with_client(args, body)
