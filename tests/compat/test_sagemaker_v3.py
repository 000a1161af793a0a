"""SageMaker Python SDK v3's tuning entry points (``sagemaker.train``) against ``sagetune serve``.

v3 cannot share an environment with v2 (both are the import package ``sagemaker``), so it
runs in ``.venv-compat-v3``. It has no ``attach``: tune, wait, describe, best_training_job,
analytics and a ``warm_start_config`` are what it offers for tuning (its
``transfer_learning_tuner`` raises inside the SDK before any request, in sagemaker-train 1.27).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.compat.envs import ClientEnv
from tests.compat.harness import Report, run_client
from tests.compat.served import Served

TUNING_JOB = "compat-v3-tuner"


@pytest.fixture(scope="module")
def v3_run(
    v3_env: ClientEnv, fast_server: Served, tmp_path_factory: pytest.TempPathFactory
) -> Report:
    return run_client(
        v3_env,
        "sdk_v3",
        "tuning",
        TUNING_JOB,
        served=fast_server,
        workdir=tmp_path_factory.mktemp("v3-tuning"),
    )


def summaries(served: Served) -> list[dict[str, Any]]:
    listed = served.client("sagemaker").list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=TUNING_JOB
    )
    return list(listed["TrainingJobSummaries"])


def test_tune_then_wait(v3_run: Report) -> None:
    assert v3_run.value("tune") == TUNING_JOB
    assert v3_run.value("wait") == "Completed"


def test_describe_and_best_training_job(v3_run: Report, fast_server: Served) -> None:
    described = v3_run.value("describe")
    lowest = min(
        summaries(fast_server),
        key=lambda s: s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"],
    )
    assert described["status"] == "Completed"
    assert described["completed"] == 3
    assert described["best_training_job"] == lowest["TrainingJobName"]
    assert v3_run.value("best_training_job") == lowest["TrainingJobName"]


def test_analytics_dataframe_has_one_row_per_training_job(
    v3_run: Report, fast_server: Served
) -> None:
    rows = v3_run.value("analytics")
    by_name = {s["TrainingJobName"]: s for s in summaries(fast_server)}
    assert sorted(row["TrainingJobName"] for row in rows) == sorted(by_name)
    for row in rows:
        expected = by_name[row["TrainingJobName"]]["FinalHyperParameterTuningJobObjectiveMetric"]
        assert row["FinalObjectiveValue"] == pytest.approx(expected["Value"])


def test_warm_start_from_the_parent(v3_run: Report) -> None:
    child = v3_run.value("warm_start")
    assert child == {
        "status": "Completed",
        "warm_start_type": "TransferLearning",
        "parents": [TUNING_JOB],
    }
