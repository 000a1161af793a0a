"""``sagetune algorithms``: the simulator's algorithms, then AWS's built-in images it runs,
marked as such, with the image URI of the given or configured region (a placeholder when
there is none)."""

from __future__ import annotations

import json

import pytest

from sagetune.cli import main


def _aws_section(out: str) -> list[str]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("xgboost  "))
    return lines[start:]


@pytest.mark.usefixtures("in_cli_env")
def test_aws_algorithms_are_listed_with_a_placeholder_image_without_a_region(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["algorithms"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("sagetune/branin:latest\n")
    section = _aws_section(out)
    assert section[0] == "xgboost  (AWS built-in algorithm image, simulated)"
    assert section[1] == (
        "  image: <account>.dkr.ecr.<region>.amazonaws.com/sagemaker-xgboost:3.0-5 (--region "
        "REGION for a region's URI; versions: sagemaker-xgboost 0.90-1, 0.90-2, 1.0-1, 1.2-1, "
        "1.2-2, 1.3-1, 1.5-1, 1.7-1, 3.0-5; xgboost 1)"
    )
    assert "  objective: Maximize validation:auc (any of its 66 published metrics)" in section
    assert "linear-learner  (AWS built-in algorithm image, simulated)" in section
    assert (
        "  image: <account>.dkr.ecr.<region>.amazonaws.com/linear-learner:1 (--region REGION "
        "for a region's URI; versions: linear-learner 1)"
    ) in section


@pytest.mark.usefixtures("in_cli_env")
def test_aws_algorithms_show_the_image_of_the_configured_region(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")

    assert main(["algorithms"]) == 0

    section = _aws_section(capsys.readouterr().out)
    assert section[1].startswith(
        "  image: 141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:3.0-5 "
        "(in eu-west-1; "
    )


@pytest.mark.usefixtures("in_cli_env")
def test_json_marks_aws_images_and_gives_the_regions_uri(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["algorithms", "--json", "--region", "us-west-2"]) == 0

    data = json.loads(capsys.readouterr().out)
    by_name = {entry["name"]: entry for entry in data}
    assert [entry["name"] for entry in data if entry["aws_image"]] == ["xgboost", "linear-learner"]
    assert by_name["branin"]["image"] == "sagetune/branin:latest"
    xgboost = by_name["xgboost"]
    assert xgboost["image"] == (
        "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:3.0-5"
    )
    assert xgboost["region"] == "us-west-2"
    assert xgboost["versions"]["xgboost"] == ["1"]
    assert xgboost["objective_metric"] == "validation:auc"
    assert xgboost["predefined_metrics"] is True
    assert "validation:auc" in {metric["Name"] for metric in xgboost["metric_definitions"]}
