"""``sagetune validate`` and the request checks ``sagetune tune`` runs before sending."""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sagetune.cli import main
from sagetune.cli.demo import demo_request
from sagetune.cli.request_files import request_violations
from tests.cli.conftest import run_cli

Document = dict[str, Any]


def _request(name: str = "cli-validate") -> Document:
    return demo_request(name, jobs=6, parallel=2)


def _bad_name(doc: Document) -> None:
    doc["HyperParameterTuningJobName"] = "my_job"


def _no_parallelism(doc: Document) -> None:
    doc["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxParallelTrainingJobs"] = 0


def _inverted_range(doc: Document) -> None:
    ranges = doc["HyperParameterTuningJobConfig"]["ParameterRanges"]
    dropout = next(r for r in ranges["ContinuousParameterRanges"] if r["Name"] == "dropout")
    dropout["MinValue"], dropout["MaxValue"] = "0.8", "0.1"


def _unknown_strategy(doc: Document) -> None:
    doc["HyperParameterTuningJobConfig"]["Strategy"] = "Genetic"


def _bad_output_path(doc: Document) -> None:
    doc["TrainingJobDefinition"]["OutputDataConfig"]["S3OutputPath"] = "ftp://bucket/out"


def _unknown_member(doc: Document) -> None:
    doc["TrainingJobDefinition"]["Colour"] = "blue"


def _undefined_objective(doc: Document) -> None:
    objective = doc["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]
    objective["MetricName"] = "accuracy"


# Independent mistakes and the member path each one is reported at.
MISTAKES: dict[str, tuple[Callable[[Document], None], str]] = {
    "name": (_bad_name, "hyperParameterTuningJobName"),
    "parallel": (
        _no_parallelism,
        "hyperParameterTuningJobConfig.resourceLimits.maxParallelTrainingJobs",
    ),
    "range": (
        _inverted_range,
        "hyperParameterTuningJobConfig.parameterRanges.continuousParameterRanges.2.member.minValue",
    ),
    "strategy": (_unknown_strategy, "hyperParameterTuningJobConfig.strategy"),
    "output": (_bad_output_path, "trainingJobDefinition.outputDataConfig.s3OutputPath"),
    "unknown": (_unknown_member, "trainingJobDefinition.colour"),
    "objective": (
        _undefined_objective,
        "trainingJobDefinition.algorithmSpecification.metricDefinitions",
    ),
}


def test_demo_request_is_valid() -> None:
    assert request_violations(_request()) == []


@settings(max_examples=40, deadline=None)
@given(st.sets(st.sampled_from(sorted(MISTAKES)), min_size=1))
def test_every_mistake_is_reported_together_whichever_layer_finds_it(chosen: set[str]) -> None:
    document = copy.deepcopy(_request())
    for key in chosen:
        MISTAKES[key][0](document)

    paths = [v.path for v in request_violations(document)]

    assert sorted(paths) == sorted(MISTAKES[key][1] for key in chosen)


def test_validate_prints_all_three_mistakes_and_exits_2(
    tmp_path: Path, env: dict[str, str]
) -> None:
    document = _request()
    for key in ("name", "parallel", "range"):
        MISTAKES[key][0](document)
    path = tmp_path / "request.json"
    path.write_text(json.dumps(document, indent=2))

    result = run_cli("validate", path, env=env)

    assert result.code == 2
    assert result.out == ""
    lines = result.err.splitlines()
    assert lines[0] == f"sagetune validate: {path}: 3 validation errors detected:"
    assert lines[1] == (
        "  - Value 'my_job' at 'hyperParameterTuningJobName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}"
    )
    assert lines[2] == (
        "  - Value '0' at 'hyperParameterTuningJobConfig.resourceLimits."
        "maxParallelTrainingJobs' failed to satisfy constraint: Member must have value "
        "greater than or equal to 1"
    )
    assert lines[3].startswith(
        "  - Value '0.8' at 'hyperParameterTuningJobConfig.parameterRanges."
        "continuousParameterRanges.2.member.minValue' failed to satisfy constraint: MinValue "
        "must be less than or equal to MaxValue"
    )
    assert len(lines) == 4


def test_a_misspelled_strategy_does_not_hide_an_undefined_objective_metric(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _request()
    document["HyperParameterTuningJobConfig"]["Strategy"] = "Bayes"
    _undefined_objective(document)
    document["TrainingJobDefinition"]["ResourceConfig"]["InstanceType"] = "ml.m5.xlarg"
    path = tmp_path / "request.json"
    path.write_text(json.dumps(document))

    code, _, err = _main(["validate", str(path)], capsys)

    assert code == 2
    lines = err.splitlines()
    assert lines[0] == f"sagetune validate: {path}: 3 validation errors detected:"
    assert "at 'hyperParameterTuningJobConfig.strategy'" in lines[1]
    instance = lines[2]
    assert "at 'trainingJobDefinition.resourceConfig.instanceType'" in instance
    # over 200 instance types: the first few, how many more, and the closest to the typo
    assert re.search(
        r"enum value set: \[ml\.m4\.xlarge, (ml\.[\w.-]+, ){7}\.\.\. \d+ more\]", instance
    )
    assert instance.endswith("; closest: ml.m5.xlarge, ml.m5.4xlarge, ml.m5.2xlarge")
    assert len(instance) < 400
    assert lines[3] == (
        "  - Value 'accuracy' at 'trainingJobDefinition.algorithmSpecification."
        "metricDefinitions' failed to satisfy constraint: The objective metric 'accuracy' "
        "must be defined in MetricDefinitions (defined: loss, val_loss, val_accuracy)"
    )


def test_validate_accepts_a_yaml_request(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "request.yaml"
    path.write_text(yaml.safe_dump(_request("from-yaml"), sort_keys=False))

    result = run_cli("validate", path, env=env)

    assert result.code == 0, result.err
    assert result.out.strip() == (
        f"{path}: valid CreateHyperParameterTuningJob request for from-yaml "
        "(Bayesian, 6 training jobs, 2 at a time)"
    )


# The cheaper error paths below call the command line's ``main`` in this process (the same
# parsing, command and error handling, without starting an interpreter for each).


def _main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_validate_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(_request("from-stdin"))))

    code, out, _ = _main(["validate", "-"], capsys)

    assert code == 0
    assert out.startswith("-: valid CreateHyperParameterTuningJob request for from-stdin")


def test_validate_names_the_line_of_a_yaml_syntax_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("HyperParameterTuningJobName: x\nHyperParameterTuningJobConfig: [\n")

    code, _, err = _main(["validate", str(path)], capsys)

    assert code == 2
    assert err.startswith(f"sagetune validate: {path}: not valid YAML: ")
    assert "(line 3, column 1)" in err


def test_validate_rejects_a_document_that_is_not_an_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")

    code, _, err = _main(["validate", str(path)], capsys)

    assert code == 2
    assert err.strip() == (
        f"sagetune validate: {path}: expected a request object (a mapping of member names), "
        "got list"
    )


def test_validate_of_a_missing_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _main(["validate", str(tmp_path / "nowhere.json")], capsys)

    assert code == 2
    assert err.strip() == f"sagetune validate: {tmp_path / 'nowhere.json'}: no such file"


def test_tune_rejects_an_invalid_request_before_any_call(
    tmp_path: Path, env: dict[str, str]
) -> None:
    document = _request()
    _inverted_range(document)
    path = tmp_path / "request.json"
    path.write_text(json.dumps(document))

    # Nothing listens on port 1: a request sent would fail with exit code 1, not 2.
    result = run_cli(
        "tune", path, "--endpoint-url", "http://127.0.0.1:1", "--region", "us-east-1", env=env
    )

    assert result.code == 2
    assert "1 validation error detected:" in result.err
    assert "MinValue must be less than or equal to MaxValue" in result.err
