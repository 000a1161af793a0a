"""Ordering and formatting of training jobs in the CLI's tables."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table

from sagetune.cli.tables import jobs_table, sort_jobs
from sagetune.cli.tuning_facts import (
    Objective,
    TrainingJobResult,
    TunedParameter,
    format_duration,
    format_hyperparameter,
    ranked,
)

START = datetime(2026, 1, 1, tzinfo=UTC)


def _job(i: int, objective: float | None, **hyperparameters: str) -> TrainingJobResult:
    return TrainingJobResult(
        name=f"job-{i:03d}",
        tuning_job="t",
        status="Completed" if objective is not None else "Failed",
        early_stopped=False,
        objective=objective,
        hyperparameters=hyperparameters,
        created=START + timedelta(minutes=i),
    )


objectives = st.lists(
    st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)),
    max_size=30,
)


@given(objectives, st.booleans())
def test_ranked_puts_the_best_first_and_jobs_without_a_value_last(
    values: list[float | None], maximize: bool
) -> None:
    jobs = [_job(i, v) for i, v in enumerate(values)]

    order = ranked(jobs, Objective(metric="m", maximize=maximize))

    assert sorted(j.name for j in order) == sorted(j.name for j in jobs)
    scored = [j.objective for j in order if j.objective is not None]
    assert scored == sorted(scored, reverse=maximize)
    first_missing = next((i for i, j in enumerate(order) if j.objective is None), len(order))
    assert all(j.objective is None for j in order[first_missing:])


def test_sorting_by_a_hyperparameter_compares_numbers_as_numbers() -> None:
    jobs = [_job(1, 0.5, lr="0.1"), _job(2, 0.4, lr="1e-05"), _job(3, 0.3, lr="0.02"), _job(4, 0.2)]

    order = sort_jobs(jobs, Objective(metric="m", maximize=True), "lr")

    assert [j.hyperparameters.get("lr") for j in order] == ["1e-05", "0.02", "0.1", None]


def test_reversed_objective_order_keeps_jobs_without_a_value_last() -> None:
    jobs = [_job(1, None), _job(2, 0.9), _job(3, 0.1)]

    order = sort_jobs(jobs, Objective(metric="m", maximize=True), "objective", reverse=True)

    assert [j.objective for j in order] == [0.1, 0.9, None]


def test_cells_show_integers_and_words_as_given_and_other_numbers_short() -> None:
    assert format_hyperparameter("128") == "128"
    assert format_hyperparameter("adam") == "adam"
    assert format_hyperparameter("0.0017454467484250135") == "0.001745"
    assert format_hyperparameter(None) == "-"
    assert format_duration(59.6) == "1:00"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(None) == "-"


def test_a_narrow_table_wraps_hyperparameters_instead_of_cutting_columns() -> None:
    jobs = [
        _job(i, 0.9 - i / 100, learning_rate="0.0017454467", batch_size="88", optimizer="rmsprop")
        for i in range(3)
    ]
    parameters = [
        TunedParameter(name="learning_rate", kind="Continuous"),
        TunedParameter(name="batch_size", kind="Integer"),
        TunedParameter(name="optimizer", kind="Categorical", values=("adam", "rmsprop")),
    ]
    objective = Objective(metric="val_accuracy", maximize=True)

    wide, narrow = (
        _render(jobs_table(jobs, objective, parameters, width=width), width) for width in (200, 80)
    )

    assert "learning_rate  batch_size  optimizer" in wide
    assert max(map(len, narrow.splitlines())) <= 80
    assert "Hyperparameters" in narrow
    for job in jobs:
        assert job.name in narrow  # names are never shortened
    assert narrow.count("learning_rate=0.001745") == 3


def _render(table: Table, width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, force_terminal=False).print(table)
    return out.getvalue()
