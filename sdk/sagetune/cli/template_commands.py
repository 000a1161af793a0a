"""``sagetune init``: write a commented request file to start from, for one of the simulator's
built-in algorithms or one of AWS's (xgboost, linear-learner)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sagetune.cli import connection
from sagetune.cli.errors import BAD_INPUT, CommandError, requires
from sagetune.cli.parsers import add_command

if TYPE_CHECKING:
    from sagetune.cli.request_templates import Template
    from sagetune.simulator.algorithms.spec import AlgorithmSpec

DEFAULT_ALGORITHM = "xgboost-curve"
DEFAULT_REGION = "us-east-1"


def register(commands: Any) -> None:
    """Add ``init`` to the ``sagetune`` parser."""
    init = add_command(
        commands,
        "init",
        summary="write a commented tuning job request file for an algorithm",
        details=(
            "A CreateHyperParameterTuningJob document in YAML, every section explained: for "
            "the simulator's algorithms made from the algorithm's own description (its "
            "image, objective, metric definitions and hyperparameter ranges); for AWS's "
            "built-in xgboost and linear-learner, the request AWS's documentation writes, "
            "with the image of the region (--region, else the configured one, else "
            f"{DEFAULT_REGION}) and no MetricDefinitions. `sagetune validate` accepts it and "
            "`sagetune tune` runs it as it is. `sagetune algorithms` lists the algorithms."
        ),
        example=[
            "sagetune init --algorithm mlp-curve -o request.yaml",
            "sagetune init --algorithm xgboost --region eu-west-1 -o xgboost.yaml",
        ],
    )
    init.add_argument(
        "--algorithm",
        default=DEFAULT_ALGORITHM,
        metavar="NAME",
        help=f"an algorithm's name or image (default {DEFAULT_ALGORITHM})",
    )
    init.add_argument(
        "-o", "--output", metavar="FILE", type=Path, help="write here (default: standard output)"
    )
    init.add_argument("--force", action="store_true", help="replace FILE if it exists")
    connection.add_region_arguments(init)
    init.set_defaults(run=run_init)


def builtin_algorithms() -> list[AlgorithmSpec]:
    """The simulator's own built-in algorithms, in its registry's order."""
    from sagetune.simulator import default_registry

    return [spec for spec in default_registry().list() if spec.builtin]


def algorithm_names() -> list[str]:
    """What ``init --algorithm`` takes: the simulator's built-ins, then AWS's."""
    from sagetune.cli.aws_algorithms import EXAMPLES

    return [spec.name for spec in builtin_algorithms()] + [e.name for e in EXAMPLES]


def template_named(name: str, *, region: str = DEFAULT_REGION) -> Template:
    """The request file ``init --algorithm NAME`` writes (``region``: for AWS's images)."""
    from sagetune.cli.aws_algorithms import aws_algorithms
    from sagetune.cli.request_templates import aws_template_for, template_for

    for spec in builtin_algorithms():
        if name in (spec.name, spec.image, spec.image.split(":")[0]):
            return template_for(spec)
    for algorithm in aws_algorithms():
        if name == algorithm.name:
            try:
                return aws_template_for(algorithm, region)
            except ValueError as exc:
                raise CommandError(f"--region: {exc}", BAD_INPUT) from None
    known = ", ".join(algorithm_names())
    raise CommandError(
        f"--algorithm {name!r}: not a built-in algorithm (known: {known})", BAD_INPUT
    )


@requires("simulator", "numpy", "scipy")
def run_init(args: argparse.Namespace) -> int:
    region = connection.configured_region(args)
    template = template_named(args.algorithm, region=region or DEFAULT_REGION)
    definition = template.document["TrainingJobDefinition"]
    image = definition["AlgorithmSpecification"]["TrainingImage"]
    aws_image = "MetricDefinitions" not in definition["AlgorithmSpecification"]
    if args.output is None:
        sys.stdout.write(template.text)
    else:
        path: Path = args.output
        if path.exists() and not args.force:
            raise CommandError(f"{path} exists; add --force to replace it", BAD_INPUT)
        try:
            path.write_text(template.text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror}", BAD_INPUT) from None
        print(
            f"Wrote {path}: a {template.document['HyperParameterTuningJobConfig']['Strategy']} "
            f"tuning job over {image}. Next: sagetune validate {path}",
            file=sys.stderr,
        )
    if aws_image and region is None:
        print(
            f"(no region configured: the image is {DEFAULT_REGION}'s; --region REGION for another)",
            file=sys.stderr,
        )
    return 0
