"""The simulator's database: what earlier versions wrote still loads, and restarts change nothing.

``schema_v1.json`` is a database (SCHEMA_VERSION 1) written by the simulator before its records
held typed requests: a tuning job with two training jobs mid-training and a finished training
job of its own, made by

    tuning_request("v1-tuning", jobs=4, parallel=2, rounds=12, early_stopping="Auto") and
    training_request("v1-training", "sagetune/xgboost-curve:latest", {"num_round": "2"}),
    then 400 simulated seconds.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    CreateTrainingJobRequest,
    HyperParameterTuningJobStatus,
    SecondaryStatus,
    TrainingJobStatus,
)
from sagetune.simulator import Simulator
from sagetune.simulator.records import Phase
from sagetune.simulator.store import Store
from tests.simulator.builders import training_request, tuning_request
from tests.simulator.conftest import SignedCaller, served

V1_DATABASE = Path(__file__).with_name("schema_v1.json")
V1_TUNING = tuning_request("v1-tuning", jobs=4, parallel=2, rounds=12, early_stopping="Auto")
V1_TRAINING = training_request("v1-training", "sagetune/xgboost-curve:latest", {"num_round": "2"})


def write_v1_database(path: Path, source: Path = V1_DATABASE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(source.read_text())
    Store(path).close()  # the schema
    db = sqlite3.connect(path)
    with db:
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", data["meta"])
        db.executemany("INSERT INTO tuning_jobs VALUES (?, ?, ?)", data["tuning_jobs"])
        db.executemany("INSERT INTO training_jobs VALUES (?, ?, ?, ?)", data["training_jobs"])
        db.executemany("INSERT INTO log_lines VALUES (?, ?, ?, ?)", data["log_lines"])
        db.executemany("INSERT INTO metric_points VALUES (?, ?, ?, ?, ?)", data["metric_points"])
    db.close()
    return data


def bodies(path: Path, table: str) -> dict[str, Any]:
    db = sqlite3.connect(path)
    try:
        return {
            name: json.loads(body) for name, body in db.execute(f"SELECT name, body FROM {table}")
        }
    finally:
        db.close()


def outcome(call: SignedCaller, tuning_name: str) -> list[tuple[str, str, float | None]]:
    """(name, status, final objective) of every training job of a tuning job."""
    jobs = call.ok(
        "ListTrainingJobsForHyperParameterTuningJob",
        {"HyperParameterTuningJobName": tuning_name, "MaxResults": 100},
    )["TrainingJobSummaries"]
    return sorted(
        (
            j["TrainingJobName"],
            j["TrainingJobStatus"],
            j.get("FinalHyperParameterTuningJobObjectiveMetric", {}).get("Value"),
        )
        for j in jobs
    )


def test_a_schema_v1_database_loads_into_typed_records_and_saves_the_same_bodies_with_tags(
    tmp_path: Path,
) -> None:
    """Opening it upgrades it to schema 2: every record gains its tags (none here)."""
    db = tmp_path / "v1.db"
    data = write_v1_database(db)
    store = Store(db)
    assert store.get_meta("schema_version") == "2"
    (tuning,) = store.load_tuning_jobs()
    training = {r.name: r for r in store.load_training_jobs()}
    assert isinstance(tuning.request, CreateHyperParameterTuningJobRequest)
    assert tuning.status is HyperParameterTuningJobStatus.IN_PROGRESS
    done = training["v1-training"]
    assert isinstance(done.request, CreateTrainingJobRequest)
    assert done.request.hyper_parameters == {"num_round": "2"}
    assert (done.status, done.phase) == (TrainingJobStatus.COMPLETED, Phase.DONE)
    assert [t.status for t in done.transitions][-1] is SecondaryStatus.COMPLETED

    with store.transaction():
        store.save_tuning_jobs([tuning])
        store.save_training_jobs(training.values())
    store.close()

    no_tags: dict[str, Any] = {"tags": {}}
    assert bodies(db, "tuning_jobs") == {
        n: json.loads(b) | no_tags for n, _, b in data["tuning_jobs"]
    }
    assert bodies(db, "training_jobs") == {
        n: json.loads(b) | no_tags for n, _, _, b in data["training_jobs"]
    }


def test_jobs_of_a_schema_v1_database_end_where_uninterrupted_ones_do(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    write_v1_database(db)
    with served(db) as (sim, call):
        sim.run_until_idle()
        resumed = outcome(call, "v1-tuning")
        resumed_training = call.ok("DescribeTrainingJob", {"TrainingJobName": "v1-training"})
    with served(":memory:") as (sim, call):
        call.ok("CreateHyperParameterTuningJob", V1_TUNING)
        call.ok("CreateTrainingJob", V1_TRAINING)
        sim.run_until_idle()
        expected = outcome(call, "v1-tuning")
        expected_training = call.ok("DescribeTrainingJob", {"TrainingJobName": "v1-training"})

    assert len(resumed) == 4
    assert resumed == expected
    assert resumed_training == expected_training


def warm_started_child(db: Path, *, restart: bool) -> tuple[Any, ...]:
    """A child warm-started from a parent that is deleted while the child runs."""
    child = tuning_request("child", strategy="Bayesian", jobs=6, parallel=2, seed=11)
    child["WarmStartConfig"] = {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "parent"}],
        "WarmStartType": "IdenticalDataAndAlgorithm",
    }
    with served(db) as (sim, call):
        parent = tuning_request("parent", strategy="Bayesian", jobs=4, parallel=2)
        call.ok("CreateHyperParameterTuningJob", parent)
        sim.run_until_idle()
        call.ok("CreateHyperParameterTuningJob", child)
        sim.advance(1500)
        call.ok("DeleteHyperParameterTuningJob", {"HyperParameterTuningJobName": "parent"})
        if not restart:
            return finished_child(sim, call)
    with served(db) as (sim, call):
        return finished_child(sim, call)


def finished_child(sim: Simulator, call: SignedCaller) -> tuple[Any, ...]:
    """The child's training jobs, its overall best, and how many parent jobs it knows."""
    sim.run_until_idle()
    described = call.ok("DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "child"})
    return (
        outcome(call, "child"),
        described["OverallBestTrainingJob"],
        len(sim.engine.parent_training_jobs("child")["parent"]),
    )


def test_a_restart_after_a_warm_start_parent_was_deleted_changes_nothing(tmp_path: Path) -> None:
    uninterrupted = warm_started_child(tmp_path / "straight.db", restart=False)
    restarted = warm_started_child(tmp_path / "restarted.db", restart=True)
    assert len(restarted[0]) == 6
    assert restarted[2] == 4  # the deleted parent's training jobs still count
    assert restarted == uninterrupted


def test_a_deleted_tuning_job_leaves_no_training_jobs_to_a_new_one_of_its_name(
    tmp_path: Path,
) -> None:
    db = tmp_path / "reused.db"
    with served(db) as (sim, call):
        call.ok("CreateHyperParameterTuningJob", tuning_request("reused", jobs=3, parallel=3))
        sim.run_until_idle()
        old = [name for name, _, _ in outcome(call, "reused")]
        call.ok("DeleteHyperParameterTuningJob", {"HyperParameterTuningJobName": "reused"})
        assert sim.engine.training_jobs_of("reused") == ()
        assert sim.engine.tuning_job("reused") is None
        assert {j.name for j in sim.engine.training_jobs()} == set(old)  # they stay

        call.ok(
            "CreateHyperParameterTuningJob", tuning_request("reused", jobs=1, parallel=1, seed=3)
        )
        sim.run_until_idle()
        new = outcome(call, "reused")
        assert [j.name for j in sim.engine.training_jobs_of("reused")] == [new[0][0]]
    with served(db) as (sim, call):
        assert outcome(call, "reused") == new
        counters = call.ok(
            "DescribeHyperParameterTuningJob", {"HyperParameterTuningJobName": "reused"}
        )["TrainingJobStatusCounters"]
        assert sum(counters.values()) == counters["Completed"] == 1
        assert {j.name for j in sim.engine.training_jobs()} == {*old, new[0][0]}
