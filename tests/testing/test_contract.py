"""Contract check: every cassette still agrees with the simulator and with the client.

``verify_cassette`` sends each recorded request to a fresh simulator at its recorded
simulated time and compares the answers (ignoring ids, times and random values by the rule
in :mod:`sagetune.testing.verify`), and decodes/re-encodes every exchange with the client.
The tests below also show that drift on either side is caught.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from sagetune.cli import main
from sagetune.cli.cassette_commands import build_record_command
from sagetune.testing import verify_cassette
from sagetune.testing.cassettes import TIME_HEADER
from tests.testing.conftest import CASSETTES

ALL_CASSETTES = sorted(CASSETTES.rglob("*.yaml"))
STOPPED = CASSETTES / "stopped_job.yaml"  # small and quick to run: the drift tests edit it
VALIDATION = CASSETTES / "validation_exception.yaml"


def test_the_canonical_cassettes_are_all_there() -> None:
    names = {path.stem for path in CASSETTES.glob("*.yaml")}
    assert {
        "bayesian_job_polled_to_completion",
        "early_stopping",
        "warm_start",
        "stopped_job",
        "pagination",
        "resource_in_use",
        "resource_not_found",
        "validation_exception",
    } <= names


@pytest.mark.parametrize("path", ALL_CASSETTES, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_cassette_agrees_with_a_fresh_simulator_and_the_client(path: Path) -> None:
    report = verify_cassette(path)

    assert report.interactions > 0
    assert report.ok, report.render()


# -- drift is caught ----------------------------------------------------------------------------


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
    return document


def save(document: dict[str, Any], path: Path) -> Path:
    path.write_text(yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False))
    return path


def edit_response(document: dict[str, Any], index: int, change: Any) -> None:
    response = document["interactions"][index]["response"]
    body = json.loads(response["body"]["string"])
    change(body)
    response["body"]["string"] = json.dumps(body)


def last_describe(document: dict[str, Any]) -> int:
    targets = [i["request"]["headers"]["x-amz-target"][0] for i in document["interactions"]]
    return max(i for i, t in enumerate(targets) if t == "SageMaker.DescribeHyperParameterTuningJob")


def test_a_response_the_simulator_answers_differently_is_reported(tmp_path: Path) -> None:
    document = load(STOPPED)
    index = last_describe(document)
    edit_response(document, index, lambda body: body.update(HyperParameterTuningJobStatus="Failed"))
    report = verify_cassette(save(document, tmp_path / "drifted.yaml"))

    assert not report.ok
    [difference] = report.differences
    assert difference.side == "simulator"
    assert difference.interaction == index + 1
    assert difference.operation == "DescribeHyperParameterTuningJob"
    assert difference.path == "$.HyperParameterTuningJobStatus"
    assert (difference.recorded, difference.actual) == ("Failed", "Stopped")
    assert (
        f'#{index + 1} DescribeHyperParameterTuningJob (simulator) $.HyperParameterTuningJobStatus: recorded "Failed", simulator "Stopped"'
        in report.render()
    )


def test_a_member_the_client_does_not_know_is_reported(tmp_path: Path) -> None:
    document = load(STOPPED)
    edit_response(document, 0, lambda body: body.update(NewServiceMember="x"))
    report = verify_cassette(save(document, tmp_path / "newer-service.yaml"))

    client = [d for d in report.differences if d.side == "client"]
    assert [(d.interaction, d.path) for d in client] == [(1, "response $.NewServiceMember")]
    assert client[0].actual == "dropped (not in the client's model)"


def test_a_request_the_client_would_reject_is_reported(tmp_path: Path) -> None:
    document = load(CASSETTES / "resource_not_found.yaml")
    request = document["interactions"][0]["request"]
    request["body"] = json.dumps({"HyperParameterTuningJobName": "not_a_valid_name"})
    report = verify_cassette(save(document, tmp_path / "invalid.yaml"))

    client = [d for d in report.differences if d.side == "client"]
    assert client[0].path == "request"
    assert "hyperParameterTuningJobName" in client[0].actual


def test_times_ids_and_random_values_are_ignored_unless_strict(tmp_path: Path) -> None:
    document = load(STOPPED)
    index = last_describe(document)

    def perturb(body: dict[str, Any]) -> None:
        body["CreationTime"] += 1
        best = body["BestTrainingJob"]
        best["TunedHyperParameters"]["eta"] = "0.123"
        best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] += 0.5

    edit_response(document, index, perturb)
    path = save(document, tmp_path / "perturbed.yaml")

    assert verify_cassette(path).ok
    strict = verify_cassette(path, compare="strict")
    assert {d.path for d in strict.differences} == {
        "$.CreationTime",
        "$.BestTrainingJob.TunedHyperParameters.eta",
        "$.BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric.Value",
    }


def as_if_recorded_against_aws(document: dict[str, Any]) -> dict[str, Any]:
    """Date headers instead of simulated times, and AWS's random training job suffixes."""
    text = re.sub(
        r"(busy-1-\d{3}-)([0-9a-f]{8})",
        lambda match: match[1] + hashlib.sha256(match[2].encode()).hexdigest()[:8],
        json.dumps(document),
    )
    document = json.loads(text)
    for interaction in document["interactions"]:
        headers = interaction["response"]["headers"]
        simulated = float(headers.pop(TIME_HEADER)[0])
        headers["Date"] = [format_datetime(datetime.fromtimestamp(simulated, UTC), usegmt=True)]
    return document


def test_a_recording_made_against_aws_is_checked_on_its_date_timeline(tmp_path: Path) -> None:
    original = load(VALIDATION)
    names = json.dumps(original)
    document = as_if_recorded_against_aws(original)
    path = save(document, tmp_path / "aws.yaml")
    assert json.dumps(document) != names

    report = verify_cassette(path)

    assert report.ok, report.render()
    assert any("Date headers" in note for note in report.notes)
    assert verify_cassette(path, compare="structure").ok


def test_structure_mode_reports_missing_members_only(tmp_path: Path) -> None:
    document = load(STOPPED)
    index = last_describe(document)
    edit_response(document, index, lambda body: body.pop("BestTrainingJob"))
    edit_response(
        document, index - 1, lambda body: body.update(HyperParameterTuningJobStatus="Stopping")
    )
    report = verify_cassette(save(document, tmp_path / "shape.yaml"), compare="structure")

    assert [(d.interaction, d.path) for d in report.differences] == [
        (index + 1, "$.BestTrainingJob")
    ]


def test_a_secret_left_in_a_cassette_fails_verification(tmp_path: Path) -> None:
    path = tmp_path / "leaky.yaml"
    shutil.copy(CASSETTES / "resource_in_use.yaml", path)
    path.write_text(
        path.read_text().replace("Credential=SCRUBBED", "Credential=AKIAIOSFODNN7EXAMPLE")
    )

    report = verify_cassette(path)

    assert not report.ok
    assert {leak.kind for leak in report.leaks} >= {
        "access key id",
        "unscrubbed Authorization credential",
    }


# -- the command --------------------------------------------------------------------------------


def test_verify_command_passes_on_the_cassettes_directory(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        [
            "cassettes",
            "verify",
            str(CASSETTES / "resource_in_use.yaml"),
            str(CASSETTES / "stopped_job.yaml"),
        ]
    )

    out = capsys.readouterr().out
    assert code == 0, out
    assert "resource_in_use.yaml: OK (3 interactions" in out
    assert out.strip().endswith("2 cassette(s) verified, all agree")


def test_verify_command_fails_and_lists_differences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = load(CASSETTES / "resource_in_use.yaml")
    edit_response(document, 1, lambda body: body.update(__type="ResourceLimitExceeded"))
    path = save(document, tmp_path / "drifted.yaml")

    code = main(["cassettes", "verify", "--json", str(path)])

    [report] = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["ok"] is False
    assert report["differences"] == [
        {
            "interaction": 2,
            "operation": "CreateHyperParameterTuningJob",
            "side": "simulator",
            "path": "error code",
            "recorded": "ResourceLimitExceeded",
            "actual": "ResourceInUse",
        }
    ]


def test_verify_command_rejects_a_missing_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cassettes", "verify", "no/such/cassette.yaml"]) == 2
    assert "no such cassette: no/such/cassette.yaml" in capsys.readouterr().err


def test_record_command_reruns_the_marked_tests_in_record_mode_all() -> None:
    command = build_record_command(
        mode="all", backend="simulator", pytest_args=["--", "tests/testing", "-k", "bayes"]
    )

    assert command[1:] == [
        "-m",
        "pytest",
        "-m",
        "sagetune_cassette",
        "--sagetune-record-mode=all",
        "--sagetune-backend=simulator",
        "tests/testing",
        "-k",
        "bayes",
    ]


def test_verify_command_builds_the_simulator_with_a_user_factory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "my_simulators.py").write_text(
        "from sagetune.simulator import ManualClock, Simulator\n"
        "BUILT = []\n"
        "def make(*, region, start):\n"
        "    BUILT.append((region, start))\n"
        "    return Simulator(clock=ManualClock(start), region=region)  # auth on: verify turns it off\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "my_simulators", raising=False)
    path = CASSETTES / "resource_in_use.yaml"

    code = main(["cassettes", "verify", "--simulator", "my_simulators:make", str(path)])

    assert code == 0, capsys.readouterr().out
    assert sys.modules["my_simulators"].BUILT == [("us-east-1", 1767225600.0)]


def test_verify_command_rejects_a_bad_factory(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(CASSETTES / "resource_in_use.yaml")

    assert main(["cassettes", "verify", "--simulator", "nocolon", path]) == 2
    assert "--simulator takes MODULE:CALLABLE" in capsys.readouterr().err
