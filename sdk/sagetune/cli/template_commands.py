"""``sagetune init``: write a commented request file to start from, for a built-in algorithm
(or any algorithm the simulator's registry describes)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sagetune.cli.errors import BAD_INPUT, CommandError, requires
from sagetune.cli.parsers import add_command

if TYPE_CHECKING:
    from sagetune.simulator.algorithms.spec import AlgorithmSpec

DEFAULT_ALGORITHM = "xgboost-curve"


def register(commands: Any) -> None:
    """Add ``init`` to the ``sagetune`` parser."""
    init = add_command(
        commands,
        "init",
        summary="write a commented tuning job request file for an algorithm",
        details=(
            "A CreateHyperParameterTuningJob document in YAML, every section explained, "
            "made from the algorithm's own description (its image, objective, metric "
            "definitions and hyperparameter ranges): `sagetune validate` accepts it and "
            "`sagetune tune` runs it as it is. `sagetune algorithms` lists the algorithms."
        ),
        example="sagetune init --algorithm mlp-curve -o request.yaml",
    )
    init.add_argument(
        "--algorithm",
        default=DEFAULT_ALGORITHM,
        metavar="NAME",
        help=f"a built-in algorithm's name or image (default {DEFAULT_ALGORITHM})",
    )
    init.add_argument(
        "-o", "--output", metavar="FILE", type=Path, help="write here (default: standard output)"
    )
    init.add_argument("--force", action="store_true", help="replace FILE if it exists")
    init.set_defaults(run=run_init)


def builtin_algorithms() -> list[AlgorithmSpec]:
    """The algorithms ``init`` knows: the registry's built-ins, in its order."""
    from sagetune.simulator import default_registry

    return [spec for spec in default_registry().list() if spec.builtin]


def find_algorithm(name: str) -> AlgorithmSpec:
    specs = builtin_algorithms()
    for spec in specs:
        if name in (spec.name, spec.image, spec.image.split(":")[0]):
            return spec
    known = ", ".join(spec.name for spec in specs)
    raise CommandError(
        f"--algorithm {name!r}: not a built-in algorithm (known: {known})", BAD_INPUT
    )


@requires("simulator", "numpy", "scipy")
def run_init(args: argparse.Namespace) -> int:
    from sagetune.cli.request_templates import template_for

    template = template_for(find_algorithm(args.algorithm))
    if args.output is None:
        sys.stdout.write(template.text)
        return 0
    path: Path = args.output
    if path.exists() and not args.force:
        raise CommandError(f"{path} exists; add --force to replace it", BAD_INPUT)
    try:
        path.write_text(template.text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror}", BAD_INPUT) from None
    print(
        f"Wrote {path}: a {template.document['HyperParameterTuningJobConfig']['Strategy']} "
        f"tuning job over {template.document['TrainingJobDefinition']['AlgorithmSpecification']['TrainingImage']}. "
        f"Next: sagetune validate {path}",
        file=sys.stderr,
    )
    return 0
