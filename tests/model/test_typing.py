"""mypy --strict catches the mistakes a typed model exists to catch, and accepts correct code.

One mypy run over small user programs (mypy is slow: the cache lives in pytest's cache
directory, so only the first run after a change to the model pays for a full check).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parents[2]

PROGRAMS = {
    "correct.py": """
        from sagetune.codec import to_wire
        from sagetune.model import (
            CreateHyperParameterTuningJobRequest,
            DescribeHyperParameterTuningJobResponse,
            HyperParameterTuningJobConfig,
            HyperParameterTuningJobStatus,
            ResourceLimits,
            TrainingJobEarlyStoppingType,
        )


        def build(name: str) -> CreateHyperParameterTuningJobRequest:
            return CreateHyperParameterTuningJobRequest(
                hyper_parameter_tuning_job_name=name,
                hyper_parameter_tuning_job_config=HyperParameterTuningJobConfig(
                    strategy="Bayesian",
                    resource_limits=ResourceLimits(max_parallel_training_jobs=2),
                    training_job_early_stopping_type=TrainingJobEarlyStoppingType.AUTO,
                ),
            )


        def finished(response: DescribeHyperParameterTuningJobResponse) -> bool:
            status = response.hyper_parameter_tuning_job_status
            return status in (HyperParameterTuningJobStatus.COMPLETED, "Stopped")


        body: dict[str, object] = to_wire(build("job-1"))
        """,
    "misspelled_enum.py": """
        from sagetune.model import TrainingJobEarlyStoppingType

        mode = TrainingJobEarlyStoppingType.AUTOMATIC
        """,
    "str_for_int.py": """
        from sagetune.model import ResourceLimits

        limits = ResourceLimits(max_parallel_training_jobs="2")
        """,
    "missing_argument.py": """
        from sagetune.model import HyperParameterTuningJobObjective

        objective = HyperParameterTuningJobObjective(type="Minimize")
        """,
    "revealed.py": """
        from sagetune.model import DescribeHyperParameterTuningJobResponse


        def show(response: DescribeHyperParameterTuningJobResponse) -> None:
            reveal_type(response.creation_time)
            reveal_type(response.hyper_parameter_tuning_job_status)
            reveal_type(response.best_training_job)
        """,
}


@pytest.fixture(scope="module")
def mypy_output(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[str]]:
    """mypy's report lines per program (one run for all of them)."""
    folder = tmp_path_factory.mktemp("programs")
    for name, source in PROGRAMS.items():
        (folder / name).write_text(textwrap.dedent(source).lstrip(), "utf-8")
    config = folder / "mypy.ini"
    config.write_text(f"[mypy]\nstrict = True\nmypy_path = {ROOT / 'sdk'}\n", "utf-8")
    store = getattr(pytestconfig, "cache", None)  # absent under -p no:cacheprovider
    cache = store.mkdir("sagetune-typing") if store is not None else folder / "cache"
    stdout, stderr, _ = api.run(
        ["--config-file", str(config), "--cache-dir", str(cache), "--no-error-summary"]
        + [str(folder / name) for name in PROGRAMS]
    )
    assert stderr == ""
    lines: dict[str, list[str]] = {name: [] for name in PROGRAMS}
    for line in stdout.splitlines():
        path, _, rest = line.partition(":")
        lines[Path(path).name].append(rest.split(":", 1)[1].strip())
    return lines


def test_a_correct_program_passes(mypy_output: dict[str, list[str]]) -> None:
    assert mypy_output["correct.py"] == []


def test_a_misspelled_enum_member_is_reported(mypy_output: dict[str, list[str]]) -> None:
    assert mypy_output["misspelled_enum.py"] == [
        'error: "type[TrainingJobEarlyStoppingType]" has no attribute "AUTOMATIC"  [attr-defined]'
    ]


def test_a_str_where_an_int_belongs_is_reported(mypy_output: dict[str, list[str]]) -> None:
    assert mypy_output["str_for_int.py"] == [
        'error: Argument "max_parallel_training_jobs" to "ResourceLimits" has incompatible '
        'type "str"; expected "int"  [arg-type]'
    ]


def test_a_missing_required_argument_is_reported(mypy_output: dict[str, list[str]]) -> None:
    assert mypy_output["missing_argument.py"] == [
        'error: Missing named argument "metric_name" for "HyperParameterTuningJobObjective"  '
        "[call-arg]"
    ]


def test_response_members_have_precise_types(mypy_output: dict[str, list[str]]) -> None:
    assert mypy_output["revealed.py"] == [
        'note: Revealed type is "datetime.datetime"',
        # ``Enum | str``: a StrEnum is a str, so mypy shows the union as plain ``str``.
        'note: Revealed type is "str"',
        'note: Revealed type is "sagetune.model.shapes.HyperParameterTrainingJobSummary | None"',
    ]
