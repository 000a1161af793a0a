"""tune, describe, jobs, stop and report against a served simulator, as a user types them;
and the one-line errors and exit codes when something is wrong."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sagetune import SageMakerClient
from sagetune.cli import main
from sagetune.cli.demo import demo_request
from sagetune.model import shapes
from sagetune.simulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY
from tests.cli.conftest import COMMAND_TIMEOUT, Served, run_cli


def _request_file(tmp_path: Path, name: str, *, jobs: int = 6, suffix: str = ".json") -> Path:
    document = demo_request(name, jobs=jobs, parallel=2)
    path = tmp_path / f"{name}{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(document, indent=2))
    else:
        path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def finished_job(
    fast_server: Served, env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str]:
    """A tuning job run to the end by ``tune --wait``: (name, its output)."""
    path = _request_file(tmp_path_factory.mktemp("tune"), "cli-finished", suffix=".yaml")
    result = run_cli("tune", path, "--wait", *fast_server.flags(), env=env)
    assert result.code == 0, result.err
    return "cli-finished", result.out


def test_tune_wait_shows_progress_then_the_best_jobs(finished_job: tuple[str, str]) -> None:
    name, out = finished_job
    lines = out.splitlines()
    assert lines[0] == (
        f"Created tuning job {name}: Bayesian search, 6 training jobs, 2 at a time, early "
        "stopping Auto"
    )
    assert any(line.startswith("[6/6] Completed: ") for line in lines)
    assert "Best training jobs (top 5 of 6)" in out
    assert re.search(rf"^Best training job: {name}-\d{{3}}-\w+ \(val_accuracy 0\.\d+\)$", out, re.M)


def test_tune_without_wait_prints_the_arn_and_how_to_follow(
    fast_server: Served, env: dict[str, str], tmp_path: Path
) -> None:
    path = _request_file(tmp_path, "from-file")

    result = run_cli("tune", path, "--name", "cli-renamed", *fast_server.flags(), env=env)

    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "Created tuning job cli-renamed",
        "  arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/cli-renamed",
        "Follow it with: sagetune watch cli-renamed --endpoint-url "
        f"{fast_server.url} --region us-east-1",
    ]


def test_tune_with_a_taken_name_exits_1_with_the_service_message(
    fast_server: Served, env: dict[str, str], tmp_path: Path, finished_job: tuple[str, str]
) -> None:
    path = _request_file(tmp_path, finished_job[0])

    result = run_cli("tune", path, *fast_server.flags(), env=env)

    assert result.code == 1
    assert result.out == ""
    [line] = result.err.splitlines()
    assert line.startswith(
        "sagetune tune: ResourceInUse when calling CreateHyperParameterTuningJob (HTTP 400"
    )
    assert finished_job[0] in line


def test_describe_summarizes_the_job(
    fast_server: Served, env: dict[str, str], finished_job: tuple[str, str]
) -> None:
    name = finished_job[0]

    result = run_cli("describe", name, *fast_server.flags(), env=env)

    assert result.code == 0, result.err
    rows = {
        line.split("  ", 1)[0]: line.split("  ", 1)[1].strip()
        for line in result.out.splitlines()
        if line[:1].strip()
    }
    assert rows["Tuning job"] == name
    assert rows["Status"] == "Completed (MaxNumberOfTrainingJobs)"
    assert rows["Strategy"] == "Bayesian, early stopping on, random seed 7"
    assert rows["Objective"] == "Maximize val_accuracy"
    assert rows["Limits"] == "6 training jobs, 2 in parallel"
    assert re.fullmatch(
        r"completed \d · stopped early \d · stopped 0 · failed 0 · running 0",
        rows["Training jobs"],
    )
    assert re.fullmatch(rf"{name}-\d{{3}}-\w+: val_accuracy 0\.\d+", rows["Best job"])


def test_describe_json_is_the_service_response_as_sent(
    fast_server: Served, env: dict[str, str], finished_job: tuple[str, str]
) -> None:
    result = run_cli("describe", finished_job[0], "--json", *fast_server.flags(), env=env)

    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["HyperParameterTuningJobName"] == finished_job[0]
    assert document["HyperParameterTuningJobStatus"] == "Completed"
    assert isinstance(document["CreationTime"], int | float)  # wire form: epoch seconds
    assert document["TrainingJobStatusCounters"]["InProgress"] == 0


def _job_rows(out: str) -> list[list[str]]:
    """The table's rows (cells are separated by two spaces or more)."""
    return [
        re.split(r"\s{2,}", line.strip())
        for line in out.splitlines()
        if re.match(r"\s*\d+\s{2}", line)
    ]


def test_jobs_lists_every_training_job_best_first(
    fast_server: Served, env: dict[str, str], finished_job: tuple[str, str]
) -> None:
    result = run_cli("jobs", finished_job[0], *fast_server.flags(), env=env)

    assert result.code == 0, result.err
    rows = _job_rows(result.out)
    assert [row[0] for row in rows] == ["1", "2", "3", "4", "5", "6"]
    values = [float(row[3]) for row in rows]
    assert values == sorted(values, reverse=True)  # val_accuracy is maximized
    assert {row[2] for row in rows} <= {"Completed", "Stopped early"}


def test_jobs_sorts_by_a_hyperparameter_numerically(
    fast_server: Served, env: dict[str, str], finished_job: tuple[str, str]
) -> None:
    result = run_cli(
        "jobs", finished_job[0], "--sort-by", "batch_size", "--reverse", "--json",
        *fast_server.flags(), env=env,
    )  # fmt: skip

    assert result.code == 0, result.err
    records = [json.loads(line) for line in result.out.splitlines()]
    sizes = [int(r["TunedHyperParameters"]["batch_size"]) for r in records]
    assert len(sizes) == 6
    assert sizes == sorted(sizes, reverse=True)


def test_jobs_rejects_an_unknown_sort_key(
    fast_server: Served, env: dict[str, str], finished_job: tuple[str, str]
) -> None:
    result = run_cli("jobs", finished_job[0], "--sort-by", "colour", *fast_server.flags(), env=env)

    assert result.code == 2
    assert result.err.strip() == (
        "sagetune jobs: --sort-by 'colour': use one of objective, name, created, status, "
        "time, learning_rate, dropout, batch_size, hidden_units, optimizer"
    )


def test_report_writes_charts_and_page(
    fast_server: Served, env: dict[str, str], finished_job: tuple[str, str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "report"

    result = run_cli("report", finished_job[0], "-o", out_dir, *fast_server.flags(), env=env)

    assert result.code == 0, result.err
    assert result.out.strip() == f"Report: {out_dir / 'index.html'}"
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "curves.png",
        "hyperparameters.png",
        "index.html",
        "objective.png",
    ]


def test_describe_of_an_unknown_job_exits_1_with_the_service_message(
    fast_server: Served, env: dict[str, str]
) -> None:
    result = run_cli("describe", "no-such-job", *fast_server.flags(), env=env)

    assert result.code == 1
    [line] = result.err.splitlines()
    assert line.startswith(
        "sagetune describe: ResourceNotFound when calling DescribeHyperParameterTuningJob"
    )
    assert line.endswith("Amazon SageMaker can't find a tuning job with name no-such-job")


def test_unreachable_endpoint_exits_1(env: dict[str, str]) -> None:
    result = run_cli(
        "stop", "x", "--endpoint-url", "http://127.0.0.1:1", "--region", "us-east-1",
        env={**env, "AWS_MAX_ATTEMPTS": "1"},  # no retries: nothing will ever answer
    )  # fmt: skip

    assert result.code == 1
    [line] = result.err.splitlines()
    assert line.startswith("sagetune stop: no answer from the service: Connection failed")


@pytest.mark.usefixtures("in_cli_env")
def test_missing_region_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["describe", "x", "--endpoint-url", "http://127.0.0.1:1"])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("sagetune describe: No region")
    assert err.rstrip().endswith("On the command line: --region REGION.")


def test_debug_shows_the_traceback(env: dict[str, str]) -> None:
    result = run_cli("--debug", "describe", "x", "--endpoint-url", "http://127.0.0.1:1", env=env)

    assert result.code == 1
    assert "Traceback (most recent call last)" in result.err
    assert "CommandError: No region" in result.err


def test_ctrl_c_while_waiting_leaves_the_job_running(
    frozen_server: Served, env: dict[str, str], tmp_path: Path
) -> None:
    path = _request_file(tmp_path, "cli-interrupted")
    process = subprocess.Popen(
        [sys.executable, "-m", "sagetune", "tune", str(path), "--wait", *frozen_server.flags()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    created = process.stdout.readline()
    first_progress = process.stdout.readline()  # the watch loop is running
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=COMMAND_TIMEOUT)

    assert created.startswith("Created tuning job cli-interrupted")
    assert first_progress.startswith("[0/6] InProgress: ")
    assert process.returncode == 130
    assert all(line.startswith("[0/6] InProgress") for line in out.splitlines())
    flags = f"--endpoint-url {frozen_server.url} --region us-east-1"
    assert err.strip() == (
        "Stopped watching. Tuning job cli-interrupted keeps running on the service; watch it "
        f"again with: sagetune watch cli-interrupted {flags} (or stop it: sagetune stop "
        f"cli-interrupted {flags})"
    )
    assert _status(frozen_server, "cli-interrupted") == "InProgress"

    stopped = run_cli("stop", "cli-interrupted", *frozen_server.flags(), env=env)

    assert stopped.code == 0, stopped.err
    assert stopped.out.strip() == (
        "Stopping tuning job cli-interrupted: its running training jobs are stopped too, "
        "then it ends Stopped."
    )
    assert _status(frozen_server, "cli-interrupted") in ("Stopping", "Stopped")


def _status(served: Served, name: str) -> str:
    with SageMakerClient(
        endpoint_url=served.url,
        region_name="us-east-1",
        aws_access_key_id=DEFAULT_ACCESS_KEY_ID,
        aws_secret_access_key=DEFAULT_SECRET_ACCESS_KEY,
    ) as client:
        description = client.describe_hyper_parameter_tuning_job(
            shapes.DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=name)
        )
    return str(description.hyper_parameter_tuning_job_status)
