"""``sagetune serve`` and ``sagetune algorithms``: run the simulator, list the algorithms it
runs (its own and AWS's built-in images)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from sagetune.cli import serve_credentials
from sagetune.cli.connection import add_region_arguments, configured_region
from sagetune.cli.errors import BAD_INPUT, CommandError, require_extra, requires
from sagetune.cli.parsers import add_command

if TYPE_CHECKING:
    from sagetune.simulator.algorithms.spec import AlgorithmSpec

DEFAULT_PORT = 8787
DEFAULT_TIME_SCALE = "100"


def register(commands: Any) -> None:
    serve = add_command(
        commands,
        "serve",
        summary="run the simulator as an HTTP server (AWS JSON 1.1, SigV4)",
        details=(
            "Serve the reference simulator on a loopback port until interrupted. Point any "
            "SageMaker client at it with endpoint_url=http://127.0.0.1:PORT and a key it "
            "accepts: by default the built-in test key SAGETUNESIMULATOR (secret "
            "sagetune-simulator-secret); else the keys of --credentials-file, of "
            "SAGETUNE_SIMULATOR_ACCESS_KEY_ID / _SECRET_ACCESS_KEY / _SESSION_TOKEN in the "
            "environment, and of --credentials. The banner names the keys, never a secret."
        ),
        example="sagetune serve --port 8787 --time-scale max --db sim.db",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0: any free port)",
    )
    serve.add_argument(
        "--db",
        default=":memory:",
        help="SQLite file to keep state in across restarts (default: in memory)",
    )
    serve.add_argument(
        "--time-scale",
        default=DEFAULT_TIME_SCALE,
        metavar="FACTOR|max|manual",
        help=(
            "simulated seconds per wall second; 'max' jumps from event to event; 'manual' "
            f"moves only on AdvanceClock requests (default {DEFAULT_TIME_SCALE})"
        ),
    )
    serve.add_argument(
        "--credentials-file",
        metavar="PATH",
        help="accept every key of this AWS credentials file (~/.aws/credentials format; "
        "aws_session_token makes a key temporary)",
    )
    serve.add_argument(
        "--credentials",
        action="append",
        metavar="ACCESS_KEY_ID:SECRET[:TOKEN]",
        help="an accepted key (repeatable; warns: a command line is visible to every user, "
        "prefer --credentials-file or the environment)",
    )
    serve.add_argument("--no-auth", action="store_true", help="accept unsigned requests")
    serve.add_argument("--region", default="us-east-1", help="region in ARNs and the signing scope")
    serve.add_argument("--account-id", default="123456789012", help="account id in ARNs")
    serve.set_defaults(run=run_serve)

    algorithms = add_command(
        commands,
        "algorithms",
        summary="list the built-in algorithms (the simulator's and AWS's) and how to tune them",
        details=(
            "Each algorithm's image, objective and tunable hyperparameters: the simulator's "
            "own, then AWS's built-in xgboost and linear-learner, which the simulator runs "
            "from their real image URIs (shown for --region, else the configured region). "
            "--json gives their hyperparameter ranges, metric definitions, objective and "
            "optimum. `sagetune init --algorithm NAME` writes a request file for one of them."
        ),
        example=["sagetune algorithms --region eu-west-1", "sagetune algorithms --json"],
    )
    algorithms.add_argument("--json", action="store_true", help="full descriptions as JSON")
    add_region_arguments(algorithms)
    algorithms.set_defaults(run=run_algorithms)


def run_serve(args: argparse.Namespace) -> int:
    require_extra("serve", "simulator", "uvicorn", "numpy", "scipy", "regex")
    from sagetune.simulator import Simulator, serve
    from sagetune.simulator.clock import parse_time_scale

    try:
        scale = parse_time_scale(args.time_scale)
    except ValueError as exc:
        raise CommandError(str(exc), BAD_INPUT) from None
    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port must be in 0..65535, got {args.port}", BAD_INPUT)
    keys = serve_credentials.load(
        command_line=args.credentials, credentials_file=args.credentials_file
    )
    for warning in keys.warnings:
        print(f"sagetune serve: {warning}", file=sys.stderr, flush=True)
    try:
        sim = Simulator(
            db=args.db,
            time_scale=scale,
            region=args.region,
            account_id=args.account_id,
            credentials=keys.credentials,
            session_tokens=keys.session_tokens,
            auth=not args.no_auth,
        )
    except Exception as exc:
        raise CommandError(f"cannot open the simulator database {args.db}: {exc}") from exc

    def ready(url: str) -> None:
        clock = {"max": "event-driven (max)", "manual": "manual (AdvanceClock)"}.get(
            str(scale), f"{scale:g}x" if isinstance(scale, float) else f"{scale}x"
        )
        auth = "OFF (unsigned requests accepted)" if args.no_auth else keys.describe()
        print(
            f"sagetune simulator listening on {url}\n"
            f"  region {args.region}, account {args.account_id}, clock {clock}, db {args.db}\n"
            f"  auth: {auth}",
            flush=True,
        )

    try:
        serve(sim, host=args.host, port=args.port, ready=ready)
    except OSError as exc:
        raise CommandError(str(exc)) from None
    return 0


@requires("simulator", "numpy", "scipy")
def run_algorithms(args: argparse.Namespace) -> int:
    from sagetune.cli.aws_algorithms import aws_algorithms
    from sagetune.cli.template_commands import builtin_algorithms

    region = configured_region(args)
    specs = builtin_algorithms()
    aws = aws_algorithms()
    if args.json:
        data = [
            {
                **spec.to_dict(),
                "aws_image": False,
                "parameter_ranges": spec.parameter_ranges_wire(),
            }
            for spec in specs
        ]
        for algorithm in aws:
            spec = algorithm.spec
            data.append(
                {
                    **spec.to_dict(),
                    "name": algorithm.name,
                    "image": algorithm.image(region),
                    "region": region,
                    "aws_image": True,
                    "versions": {repo: list(versions) for repo, versions in algorithm.versions},
                    "objective_metric": algorithm.example.objective_metric,
                    "objective_type": algorithm.example.objective_type,
                    "parameter_ranges": spec.parameter_ranges_wire(),
                }
            )
        json.dump(data, sys.stdout, indent=2)
        print()
        return 0
    for spec in specs:
        objective = (
            f"{spec.objective_type} {spec.objective_metric}" if spec.objective_metric else "-"
        )
        optimum = "" if spec.optimum is None else f" (optimum {spec.optimum:g})"
        _describe(spec.image, spec.description, f"{objective}{optimum}", spec)
    for algorithm in aws:
        spec = algorithm.spec
        image = algorithm.image(region)
        if region is None:
            where = "--region REGION for a region's URI"
        elif image is None:
            where = f"not published in {region}"
        else:
            where = f"in {region}"
        versions = "; ".join(f"{repo} {', '.join(tags)}" for repo, tags in algorithm.versions)
        print(f"{algorithm.name}  (AWS built-in algorithm image, simulated)")
        print(f"  image: {image or '-'} ({where}; versions: {versions})")
        _describe(
            None,
            spec.description,
            f"{algorithm.example.objective_type} {algorithm.example.objective_metric} "
            f"(any of its {len(spec.metric_definitions)} published metrics)",
            spec,
        )
    return 0


def _describe(title: str | None, description: str, objective: str, spec: AlgorithmSpec) -> None:
    if title is not None:
        print(title)
    summary = description.split(". ")[0].rstrip(".")
    print(f"  {summary}.")
    print(f"  objective: {objective}")
    tuned = [hp.name for hp in spec.hyperparameters if hp.kind != "Static" and hp.tunable]
    if tuned:
        print(f"  tunable: {', '.join(tuned)}")
