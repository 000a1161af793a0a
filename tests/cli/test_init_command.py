"""``sagetune init``: a commented request file per built-in algorithm (the simulator's, and
AWS's xgboost and linear-learner as AWS's documentation writes them), that ``validate``
accepts and ``tune --wait`` runs; ``examples/requests/`` holds the same files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sagetune.cli import main
from sagetune.cli.aws_algorithms import EXAMPLES as EXAMPLES_OF_AWS
from sagetune.cli.aws_algorithms import DocumentedExample, aws_algorithms
from sagetune.cli.request_files import request_violations
from sagetune.cli.template_commands import algorithm_names, builtin_algorithms, template_named
from sagetune.simulator.algorithms.spec import AlgorithmSpec
from tests.cli.conftest import Served

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "requests"
ALGORITHMS = algorithm_names()


def test_init_offers_every_builtin_and_awss_xgboost_and_linear_learner() -> None:
    assert ALGORITHMS == [
        "branin",
        "hartmann6",
        "xgboost-curve",
        "mlp-curve",
        "fail",
        "no-metric",
        "xgboost",
        "linear-learner",
    ]
    assert ALGORITHMS[:6] == [spec.name for spec in builtin_algorithms()]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_template_is_commented_yaml_of_a_valid_request(algorithm: str) -> None:
    template = template_named(algorithm)

    assert yaml.safe_load(template.text) == template.document
    assert request_violations(template.document) == []
    comments = [line for line in template.text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 15  # every section is explained


@pytest.mark.parametrize("spec", builtin_algorithms(), ids=lambda spec: spec.name)
def test_a_simulator_algorithms_template_comes_from_its_description(spec: AlgorithmSpec) -> None:
    document = template_named(spec.name).document

    algorithm = document["TrainingJobDefinition"]["AlgorithmSpecification"]
    assert algorithm["TrainingImage"] == spec.image
    assert algorithm["MetricDefinitions"] == spec.metric_definitions_wire()
    objective = document["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]
    assert objective == {"Type": spec.objective_type, "MetricName": spec.objective_metric}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_examples_requests_hold_the_generated_templates(algorithm: str) -> None:
    path = EXAMPLES / f"{algorithm}.yaml"

    assert path.is_file(), f"missing {path}: sagetune init --algorithm {algorithm} -o {path}"
    assert path.read_text() == template_named(algorithm).text, (
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
        assert " · failed 0 · " in progress[-1]
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
        "hartmann6, xgboost-curve, mlp-curve, fail, no-metric, xgboost, linear-learner)"
    )


@pytest.mark.parametrize("example", EXAMPLES_OF_AWS, ids=lambda example: example.name)
def test_an_aws_algorithms_template_is_the_request_awss_documentation_writes(
    example: DocumentedExample,
) -> None:
    [algorithm] = [a for a in aws_algorithms() if a.name == example.name]
    spec = algorithm.spec

    document = template_named(example.name).document

    config = document["HyperParameterTuningJobConfig"]
    definition = document["TrainingJobDefinition"]
    assert definition["AlgorithmSpecification"] == {
        "TrainingImage": algorithm.image("us-east-1"),
        "TrainingInputMode": "File",
    }  # no MetricDefinitions: the service publishes the algorithm's metrics
    assert config["HyperParameterTuningJobObjective"] == {
        "Type": example.objective_type,
        "MetricName": example.objective_metric,
    }
    assert example.objective_metric in dict(spec.metric_definitions)
    assert definition["StaticHyperParameters"] == dict(example.static)
    assert [channel["ChannelName"] for channel in definition["InputDataConfig"]] == [
        "train",
        "validation",
    ]
    tuned = [item["Name"] for ranges in config["ParameterRanges"].values() for item in ranges]
    assert tuned == [documented.name for documented in example.ranges]
    for documented in example.ranges:  # each one a tunable hyperparameter of its kind
        declared = spec.hyperparameter(documented.name)
        assert declared.tunable
        assert declared.kind == documented.kind
        assert set(documented.values) <= set(declared.values)
    assert {name for name, _ in example.static} <= {hp.name for hp in spec.hyperparameters}


def test_the_xgboost_example_is_the_documented_tuning_job() -> None:
    """AWS's "Configure and Launch a Hyperparameter Tuning Job", value for value."""
    document = template_named("xgboost").document

    assert document["HyperParameterTuningJobConfig"]["ParameterRanges"] == {
        "ContinuousParameterRanges": [
            {"Name": "eta", "MinValue": "0", "MaxValue": "1"},
            {"Name": "alpha", "MinValue": "0", "MaxValue": "2"},
            {"Name": "min_child_weight", "MinValue": "1", "MaxValue": "10"},
        ],
        "IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "1", "MaxValue": "10"}],
    }
    assert document["TrainingJobDefinition"]["StaticHyperParameters"] == {
        "eval_metric": "auc",
        "num_round": "100",
        "objective": "binary:logistic",
        "rate_drop": "0.3",
        "tweedie_variance_power": "1.4",
    }
    assert document["TrainingJobDefinition"]["ResourceConfig"] == {
        "InstanceType": "ml.c4.2xlarge",
        "InstanceCount": 2,
        "VolumeSizeInGB": 10,
    }


@pytest.mark.usefixtures("in_cli_env")
@pytest.mark.parametrize(
    ("flags", "environment", "image"),
    [
        (
            ["--region", "eu-west-1"],
            {},
            "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:3.0-5",
        ),
        (
            [],
            {"AWS_DEFAULT_REGION": "cn-north-1"},
            "450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:3.0-5",
        ),
    ],
)
def test_init_writes_the_image_of_the_given_or_configured_region(
    flags: list[str],
    environment: dict[str, str],
    image: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    request = tmp_path / "r.yaml"

    assert main(["init", "--algorithm", "xgboost", "-o", str(request), *flags]) == 0

    document = yaml.safe_load(request.read_text())
    assert document["TrainingJobDefinition"]["AlgorithmSpecification"]["TrainingImage"] == image
    assert "no region configured" not in capsys.readouterr().err
    assert main(["validate", str(request)]) == 0


@pytest.mark.usefixtures("in_cli_env")
def test_init_without_a_region_says_whose_image_it_wrote(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["init", "--algorithm", "linear-learner"]) == 0

    out, err = capsys.readouterr()
    assert 'TrainingImage: "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"' in out
    assert err.strip() == (
        "(no region configured: the image is us-east-1's; --region REGION for another)"
    )


@pytest.mark.usefixtures("in_cli_env")
def test_init_refuses_a_region_aws_does_not_publish_the_image_in(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["init", "--algorithm", "xgboost", "--region", "mars-1"]) == 2

    err = capsys.readouterr().err.strip()
    assert err.startswith(
        "sagetune init: --region: AWS does not publish xgboost in 'mars-1' (it does in: "
        "af-south-1, ap-east-1, "
    )
