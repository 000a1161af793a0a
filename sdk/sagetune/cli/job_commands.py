"""Commands that drive tuning jobs: demo, validate, tune, watch, describe, jobs, stop, report.

Each ``run_*`` function parses nothing itself: argparse has done it. They open one async
client (``sagetune.cli.connection``), make their calls, and print through rich. Errors
become ``CommandError`` (one line, exit code 2 for bad input, 1 for the service's errors).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sagetune.cli import connection
from sagetune.cli import demo as demo_defaults
from sagetune.cli.errors import BAD_INPUT, FAILURE, CommandError, requires
from sagetune.cli.parsers import add_command

if TYPE_CHECKING:
    from rich.console import Console

    from sagetune.cli.tuning_facts import TrainingJobResult
    from sagetune.client import AsyncSageMakerClient
    from sagetune.model import shapes

WatchBody = Callable[["AsyncSageMakerClient"], Awaitable[int]]

INTERRUPTED = 130
TUNING_JOB_STATUSES = (
    "InProgress",
    "Completed",
    "Failed",
    "Stopping",
    "Stopped",
    "Deleting",
    "DeleteFailed",
)


def register(commands: Any) -> None:
    """Add this module's subcommands to the ``sagetune`` parser."""
    demo = add_command(
        commands,
        "demo",
        summary="run a whole tuning job on the built-in simulator and write its report",
        details=(
            "Start the simulator on a loopback port, create a Bayesian tuning job with early "
            "stopping over a built-in learning-curve algorithm through the real client, show "
            "its progress, its best training jobs, and write a report. Needs nothing "
            "configured."
        ),
        example="sagetune demo --jobs 12 --parallel 3 --output /tmp/demo",
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

    validate = add_command(
        commands,
        "validate",
        summary="check a tuning job request file offline, every mistake at once",
        details=(
            "Check a CreateHyperParameterTuningJob request document (JSON or YAML) against "
            "the model's constraints and the tuning API's rules, without sending it. Exits 2 "
            "and lists every violation when it is invalid."
        ),
        example="sagetune validate request.yaml",
    )
    validate.add_argument(
        "request", metavar="REQUEST", help="request file (.json, .yaml; - for stdin)"
    )
    validate.set_defaults(run=run_validate)

    tune = add_command(
        commands,
        "tune",
        summary="create a tuning job from a request file (JSON or YAML)",
        details=(
            "Create a hyperparameter tuning job from a boto3-style "
            "CreateHyperParameterTuningJob request document. The request is validated "
            "(model constraints and the tuning API's rules) before anything is sent. With "
            "--wait, show its progress until it ends, then its best training jobs."
        ),
        example="sagetune tune request.yaml --name run-2 --wait",
    )
    tune.add_argument("request", metavar="REQUEST", help="request file (.json, .yaml; - for stdin)")
    tune.add_argument("--name", help="use this HyperParameterTuningJobName instead of the file's")
    tune.add_argument("--wait", action="store_true", help="show live progress until it ends")
    _add_watch_options(tune)
    connection.add_arguments(tune)
    tune.set_defaults(run=run_tune)

    watch = add_command(
        commands,
        "watch",
        summary="show the live progress of a tuning job until it ends, then its best jobs",
        details=(
            "The same progress as tune --wait, for a job that already exists (started "
            "elsewhere, or after Ctrl-C or a lost connection). Exits 1 if the tuning job fails."
        ),
        example="sagetune watch run-2 --endpoint-url http://127.0.0.1:8787",
    )
    watch.add_argument("name", metavar="NAME", help="tuning job name")
    _add_watch_options(watch)
    connection.add_arguments(watch)
    watch.set_defaults(run=run_watch)

    listing = add_command(
        commands,
        "list",
        summary="list tuning jobs, newest first, with ListHyperParameterTuningJobs' filters",
        details=(
            "One line per tuning job: status, strategy, training jobs by how they ended, "
            "when it was created and how long it ran. Filters and order are the service's "
            "(StatusEquals, NameContains, CreationTime/LastModifiedTime After/Before, SortBy, "
            "SortOrder)."
        ),
        example="sagetune list --status InProgress --name-contains xgb --sort-by Name",
    )
    listing.add_argument("--status", choices=TUNING_JOB_STATUSES, help="only jobs in this status")
    listing.add_argument("--name-contains", metavar="TEXT", help="only names containing TEXT")
    for flag, what in (
        ("--created-after", "created after"),
        ("--created-before", "created before"),
        ("--modified-after", "last modified after"),
        ("--modified-before", "last modified before"),
    ):
        listing.add_argument(
            flag,
            metavar="TIME",
            help=f"only jobs {what} TIME (ISO 8601, e.g. 2026-01-31 or 2026-01-31T12:00:00Z)",
        )
    listing.add_argument(
        "--sort-by",
        choices=("CreationTime", "Name", "Status"),
        default="CreationTime",
        help="the order (default CreationTime)",
    )
    listing.add_argument(
        "--sort-order",
        choices=("Descending", "Ascending"),
        default="Descending",
        help="default Descending: newest (or last by name) first",
    )
    listing.add_argument("--limit", type=int, metavar="N", help="show the first N only")
    listing.add_argument(
        "--json", action="store_true", help="one JSON object per job (the service's summaries)"
    )
    connection.add_arguments(listing)
    listing.set_defaults(run=run_list)

    describe = add_command(
        commands,
        "describe",
        summary="summarize a tuning job: status, configuration, counts, best training job",
        details="--json prints the service's DescribeHyperParameterTuningJob answer as sent.",
        example="sagetune describe run-2",
    )
    describe.add_argument("name", metavar="NAME", help="tuning job name")
    describe.add_argument("--json", action="store_true", help="the service's raw response")
    connection.add_arguments(describe)
    describe.set_defaults(run=run_describe)

    jobs = add_command(
        commands,
        "jobs",
        summary="list a tuning job's training jobs as a table, best first",
        details=(
            "Every training job of a tuning job, with its status (stopped early, or stopped "
            "by a limit, when the training job's description says so), its objective, its "
            "tuned hyperparameters and its training time, sorted as asked."
        ),
        example=[
            "sagetune jobs run-2 --sort-by learning_rate --status Completed --limit 10",
            "sagetune logs $(sagetune jobs run-2 --names --limit 1)   # the best job's log",
        ],
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
    output = jobs.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    output.add_argument(
        "--names",
        action="store_true",
        help="training job names only, one per line (for other commands: training-job, logs)",
    )
    connection.add_arguments(jobs)
    jobs.set_defaults(run=run_jobs)

    stop = add_command(
        commands,
        "stop",
        summary="stop a tuning job and the training jobs it is running",
        details=(
            "StopHyperParameterTuningJob: the tuning job goes Stopping, stops its running "
            "training jobs, then ends Stopped. A job that has already ended is left as it is."
        ),
        example="sagetune stop run-2",
    )
    stop.add_argument("name", metavar="NAME", help="tuning job name")
    connection.add_arguments(stop)
    stop.set_defaults(run=run_stop)

    report = add_command(
        commands,
        "report",
        summary="write a tuning job's report: PNG charts and an HTML page",
        details=(
            "Charts of the objective per training job, learning curves (on a sagetune "
            "simulator; AWS keeps per-epoch values in CloudWatch, so there the report shows "
            "final metrics only) and each hyperparameter against the objective, in an HTML page."
        ),
        example="sagetune report run-2 -o run-2-report",
    )
    report.add_argument("name", metavar="NAME", help="tuning job name")
    report.add_argument(
        "-o", "--output", metavar="DIR", type=Path, help="directory (default ./NAME-report)"
    )
    connection.add_arguments(report)
    report.set_defaults(run=run_report)


def check_watch_options(args: argparse.Namespace) -> None:
    """``--poll`` and ``--retry-for`` of the commands that watch (tune, watch, logs)."""
    if args.poll is not None and args.poll <= 0:
        raise CommandError("--poll must be a positive number of seconds", BAD_INPUT)
    if args.retry_for < 0:
        raise CommandError("--retry-for must be 0 or more seconds", BAD_INPUT)


def _add_watch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--poll",
        type=float,
        metavar="SECONDS",
        help="seconds between polls (default 0.5 on a simulator, 10 on AWS)",
    )
    parser.add_argument(
        "--retry-for",
        type=float,
        default=connection.RETRY_FOR,
        metavar="SECONDS",
        help=(
            "when the service stops answering, keep retrying this long before giving up "
            f"(default {connection.RETRY_FOR:g}); the job keeps running either way"
        ),
    )


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


# -- watching a job (tune --wait, watch, demo) ----------------------------------------------


def run_watching(args: argparse.Namespace, name: str, body: WatchBody) -> int:
    """Run a command whose ``body`` watches tuning job ``name`` (once it exists: ``args``
    must then say so by ``args.watching = True``). Ctrl-C and a connection lost for good
    stop the watching, not the job: both say how to watch it again and how to stop it."""
    from sagetune.cli.progress import ConnectionLost

    args.watching = False
    try:
        return connection.run_with_client(args, body)
    except KeyboardInterrupt:
        if not args.watching:
            raise
        print(f"\nStopped watching. {_still_running(args, name)}", file=sys.stderr)
        return INTERRUPTED
    except ConnectionLost as exc:
        raise CommandError(
            f"lost the connection to the service ({exc}). {_still_running(args, name)}",
            FAILURE,
        ) from exc


def _still_running(args: argparse.Namespace, name: str) -> str:
    watch = connection.command_line(args, "watch", name)
    stop = connection.command_line(args, "stop", name)
    return (
        f"Tuning job {name} keeps running on the service; watch it again with: {watch} "
        f"(or stop it: {stop})"
    )


async def _watch_to_the_end(
    client: AsyncSageMakerClient,
    args: argparse.Namespace,
    name: str,
    *,
    console: Console,
    report_dir: Path | None = None,
) -> int:
    """Show the job's progress until it ends, then its best jobs (and its report); 1 when
    it failed."""
    from sagetune.cli import job_queries, progress
    from sagetune.cli.tuning_facts import wire_value

    args.watching = True
    description = await progress.watch(
        client,
        name,
        console=console,
        poll=getattr(args, "poll", None),
        retry_for=getattr(args, "retry_for", connection.RETRY_FOR),
    )
    args.watching = False  # the job has ended: nothing is left to watch
    if report_dir is None:
        print_outcome(console, description, await job_queries.training_jobs(client, description))
    else:  # the report's data holds the description and the jobs: fetch them once
        from sagetune.cli.report import write_report
        from sagetune.cli.report_data import collect

        data = await collect(client, name, profile=args.profile)
        print_outcome(console, data.description, list(data.jobs))
        console.print(f"Report: {write_report(data, report_dir)}")
    if wire_value(description.hyper_parameter_tuning_job_status) == "Failed":
        raise CommandError(
            f"tuning job {name} failed: {description.failure_reason or 'no reason given'}",
            FAILURE,
        )
    return 0


async def _create(
    client: AsyncSageMakerClient,
    request: shapes.CreateHyperParameterTuningJobRequest,
    *,
    console: Console,
) -> None:
    name = request.hyper_parameter_tuning_job_name
    config = request.hyper_parameter_tuning_job_config
    await client.create_hyper_parameter_tuning_job(request)
    limits = config.resource_limits
    console.print(
        f"Created tuning job {name}: {config.strategy} search, "
        f"{limits.max_number_of_training_jobs} training jobs, "
        f"{limits.max_parallel_training_jobs} at a time, early stopping "
        f"{config.training_job_early_stopping_type or 'Off'}"
    )


# -- demo -----------------------------------------------------------------------------------


@requires("cli", "rich", "matplotlib")
def run_demo(args: argparse.Namespace) -> int:
    from sagetune.cli import demo
    from sagetune.cli.progress import ConnectionLost
    from sagetune.cli.request_files import build_request

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
        options = argparse.Namespace(
            command="demo", endpoint_url=url, region=simulator.region, profile=None, poll=0.25
        )
        document = demo.demo_request(demo.DEMO_JOB_NAME, jobs=args.jobs, parallel=args.parallel)
        request = build_request(document, source="the demo's request")

        async def body(client: AsyncSageMakerClient) -> int:
            await _create(client, request, console=console)
            return await _watch_to_the_end(
                client,
                options,
                demo.DEMO_JOB_NAME,
                console=console,
                report_dir=directory / "report",
            )

        try:
            return connection.run_with_client(
                options, body, aws_access_key_id=key, aws_secret_access_key=secret
            )
        except ConnectionLost as exc:
            raise CommandError(f"lost the connection to the demo's simulator ({exc})") from exc
        except KeyboardInterrupt:
            print(
                "\nsagetune demo: interrupted; the demo's simulator is shut down.", file=sys.stderr
            )
            return INTERRUPTED


# -- validate, tune, watch ------------------------------------------------------------------


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


@requires("cli", "rich")
def run_tune(args: argparse.Namespace) -> int:
    from sagetune.cli.request_files import build_request, load_document

    document = load_document(args.request, command="tune")
    if args.name:
        document["HyperParameterTuningJobName"] = args.name
    request = build_request(document, source=args.request)  # bad input stops here, before I/O
    check_watch_options(args)
    console = make_console()
    name = request.hyper_parameter_tuning_job_name

    async def body(client: AsyncSageMakerClient) -> int:
        if args.wait:
            await _create(client, request, console=console)
            return await _watch_to_the_end(client, args, name, console=console)
        response = await client.create_hyper_parameter_tuning_job(request)
        console.print(f"Created tuning job {name}")
        console.print(f"  {response.hyper_parameter_tuning_job_arn}")
        console.print(f"Follow it with: {connection.command_line(args, 'watch', name)}")
        return 0

    return run_watching(args, name, body)


@requires("cli", "rich")
def run_watch(args: argparse.Namespace) -> int:
    check_watch_options(args)
    console = make_console()

    async def body(client: AsyncSageMakerClient) -> int:
        return await _watch_to_the_end(client, args, args.name, console=console)

    return run_watching(args, args.name, body)


# -- list, describe, jobs, stop, report ------------------------------------------------------


def _time_option(flag: str, text: str | None) -> datetime | None:
    """An ISO 8601 date or time (naive: UTC), for the list filters."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"{flag} {text!r}: not an ISO 8601 date or time (e.g. 2026-01-31T12:00:00Z)",
            BAD_INPUT,
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@requires("cli", "rich")
def run_list(args: argparse.Namespace) -> int:
    from sagetune.cli import simulator_calls
    from sagetune.cli.stop_causes import PAGE_SIZE
    from sagetune.cli.tables import tuning_jobs_table
    from sagetune.codec import to_wire
    from sagetune.model import shapes

    if args.limit is not None and args.limit < 1:
        raise CommandError("--limit must be at least 1", BAD_INPUT)
    request = shapes.ListHyperParameterTuningJobsRequest(
        max_results=PAGE_SIZE,
        sort_by=args.sort_by,
        sort_order=args.sort_order,
        name_contains=args.name_contains,
        status_equals=args.status,
        creation_time_after=_time_option("--created-after", args.created_after),
        creation_time_before=_time_option("--created-before", args.created_before),
        last_modified_time_after=_time_option("--modified-after", args.modified_after),
        last_modified_time_before=_time_option("--modified-before", args.modified_before),
    )

    async def body(client: AsyncSageMakerClient) -> int:
        paginator = client.paginate_list_hyper_parameter_tuning_jobs(request, max_items=args.limit)
        summaries = [summary async for summary in paginator]
        if args.json:
            for summary in summaries:
                print(json.dumps(to_wire(summary)))
            return 0
        console = make_console()
        if not summaries:
            console.print("No tuning jobs" + (" match." if _filtered(args) else "."))
            return 0
        clock = await simulator_calls.clock(client)
        console.print(
            tuning_jobs_table(
                summaries,
                simulated_now=clock.now if clock is not None else None,
                title=f"Tuning jobs ({len(summaries)}, by {args.sort_by}, {args.sort_order})",
            )
        )
        return 0

    return connection.run_with_client(args, body)


def _filtered(args: argparse.Namespace) -> bool:
    filters = (
        "status",
        "name_contains",
        "created_after",
        "created_before",
        "modified_after",
        "modified_before",
    )
    return any(getattr(args, f) for f in filters)


@requires("cli", "rich")
def run_describe(args: argparse.Namespace) -> int:
    from sagetune.cli import job_queries, simulator_calls
    from sagetune.cli.stop_causes import StopTally
    from sagetune.cli.tables import summary_rows, summary_table
    from sagetune.cli.tuning_facts import early_stopping_on

    raw, keep_body = connection.answer_bodies("DescribeHyperParameterTuningJob")

    async def body(client: AsyncSageMakerClient) -> int:
        description = await job_queries.describe(client, args.name)
        if args.json:
            document = json.loads(raw[-1]) if raw else {}
            json.dump(document, sys.stdout, indent=2, sort_keys=False)
            print()
            return 0
        reason = None
        clock = await simulator_calls.clock(client)
        if clock is not None:
            reason = await simulator_calls.completion_reason(client, args.name)
        early = 0
        if early_stopping_on(description):
            early = await StopTally().early_stops(client, description)
        console = make_console()
        rows = summary_rows(
            description,
            completion_reason=reason,
            stopped_early=early,
            simulated_now=clock.now if clock is not None else None,
        )
        console.print(summary_table(rows))
        return 0

    return connection.run_with_client(args, body, on_response=[keep_body])


@requires("cli", "rich")
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
        if args.names:
            for result in ordered:
                print(result.name)
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
    from sagetune.cli import job_queries
    from sagetune.cli.tuning_facts import wire_value
    from sagetune.errors import ValidationException
    from sagetune.model import shapes

    async def body(client: AsyncSageMakerClient) -> int:
        try:
            await client.stop_hyper_parameter_tuning_job(
                shapes.StopHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=args.name)
            )
        except ValidationException:
            # Refused: the job is not running. Say how it stands rather than the refusal.
            description = await job_queries.describe(client, args.name)
            status = wire_value(description.hyper_parameter_tuning_job_status)
            if status == "InProgress":
                raise
            already = "is already stopping" if status == "Stopping" else "has already ended"
            print(f"Tuning job {args.name} {already} ({status}): nothing to stop.")
            return 0
        print(
            f"Stopping tuning job {args.name}: its running training jobs are stopped too, "
            "then it ends Stopped."
        )
        return 0

    return connection.run_with_client(args, body)


@requires("cli", "rich", "matplotlib")
def run_report(args: argparse.Namespace) -> int:
    from sagetune.cli.report import report

    directory: Path = args.output or Path(f"{args.name}-report")

    async def body(client: AsyncSageMakerClient) -> int:
        page, data = await report(client, args.name, directory, profile=args.profile)
        console = make_console()
        if data.curves_error is not None:
            console.print(
                "Learning curves could not be read from CloudWatch, the report shows final "
                f"metrics only: {data.curves_error}",
                highlight=False,
                soft_wrap=True,
            )
        console.print(f"Report: {page}")
        return 0

    return connection.run_with_client(args, body)
