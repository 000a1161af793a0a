"""``sagetune init``: a commented request file per built-in algorithm, that ``validate``
accepts and ``tune --wait`` runs; ``examples/requests/`` holds the same files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sagetune.cli import main
from sagetune.cli.request_files import request_violations
from sagetune.cli.request_templates import template_for
from sagetune.cli.template_commands import builtin_algorithms
from tests.cli.conftest import Served

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "requests"
ALGORITHMS = [spec.name for spec in builtin_algorithms()]


def test_every_registered_builtin_has_a_template() -> None:
    assert ALGORITHMS == ["branin", "hartmann6", "xgboost-curve", "mlp-curve", "fail", "no-metric"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_template_is_commented_yaml_of_a_valid_request(algorithm: str) -> None:
    [spec] = [s for s in builtin_algorithms() if s.name == algorithm]

    template = template_for(spec)

    assert yaml.safe_load(template.text) == template.document
    assert request_violations(template.document) == []
    definition = template.document["TrainingJobDefinition"]
    assert definition["AlgorithmSpecification"]["TrainingImage"] == spec.image
    objective = template.document["HyperParameterTuningJobConfig"][
        "HyperParameterTuningJobObjective"
    ]
    assert objective == {"Type": spec.objective_type, "MetricName": spec.objective_metric}
    comments = [line for line in template.text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 15  # every section is explained


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_examples_requests_hold_the_generated_templates(algorithm: str) -> None:
    [spec] = [s for s in builtin_algorithms() if s.name == algorithm]
    path = EXAMPLES / f"{algorithm}.yaml"

    assert path.is_file(), f"missing {path}: sagetune init --algorithm {algorithm} -o {path}"
    assert path.read_text() == template_for(spec).text, (
        f"{path} is out of date: sagetune init --algorithm {algorithm} -o {path} --force"
    )


def test_examples_requests_hold_nothing_else() -> None:
    assert sorted(p.stem for p in EXAMPLES.glob("*.yaml")) == sorted(ALGORITHMS)


@pytest.mark.usefixtures("in_cli_env")
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_init_validate_and_tune_wait_run_every_builtin_against_serve(
    algorithm: str,
    fast_server: Served,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The issue's done-criterion, command by command, against the server ``sagetune
    serve`` runs (on a loopback port, clock as fast as it goes). The ``fail`` test double
    crashes every job by design: its tuning job fails, and ``tune --wait`` says so (exit 1)."""
    request = tmp_path / "r.yaml"

    assert main(["init", "--algorithm", algorithm, "-o", str(request)]) == 0
    assert main(["validate", str(request)]) == 0
    capsys.readouterr()
    code = main(["tune", str(request), "--wait", *fast_server.flags()])

    out, err = capsys.readouterr()
    progress = [line for line in out.splitlines() if line.startswith("[")]
    name = f"{algorithm}-tuning"
    if algorithm == "fail":
        assert code == 1
        assert "] Failed: completed 0 · " in progress[-1]
        assert " · failed 3 · running 0; " in progress[-1]
        assert err.startswith(f"sagetune tune: tuning job {name} failed: All of the first 3 ")
    else:
        assert code == 0, err
        assert progress[-1].startswith("[20/20] Completed: ")
        assert out.splitlines()[0].startswith(f"Created tuning job {name}: Bayesian search")


@pytest.mark.usefixtures("in_cli_env")
def test_init_prints_to_stdout_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert 'TrainingImage: "sagetune/xgboost-curve:latest"' in out  # the default algorithm
    target = tmp_path / "request.yaml"
    target.write_text("mine\n")

    assert main(["init", "-o", str(target)]) == 2

    assert target.read_text() == "mine\n"
    assert capsys.readouterr().err.strip() == (
        f"sagetune init: {target} exists; add --force to replace it"
    )


@pytest.mark.usefixtures("in_cli_env")
def test_init_names_the_known_algorithms_for_an_unknown_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["init", "--algorithm", "resnet"]) == 2

    assert capsys.readouterr().err.strip() == (
        "sagetune init: --algorithm 'resnet': not a built-in algorithm (known: branin, "
        "hartmann6, xgboost-curve, mlp-curve, fail, no-metric)"
    )
