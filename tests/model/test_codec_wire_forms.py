"""The codec's wire forms: timestamps, enums, omitted members, lenient responses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sagetune.codec import from_wire, to_wire
from sagetune.model import (
    DescribeHyperParameterTuningJobResponse,
    HyperParameterTuningJobObjective,
    HyperParameterTuningJobObjectiveType,
    HyperParameterTuningJobStatus,
    ListTrainingJobsRequest,
    ResourceLimits,
    SortOrder,
)
from sagetune.specs import ResponseMetadata

DESCRIBE = {
    "HyperParameterTuningJobName": "job-1",
    "HyperParameterTuningJobArn": "arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/job-1",
    "HyperParameterTuningJobConfig": {
        "Strategy": "Bayesian",
        "ResourceLimits": {"MaxParallelTrainingJobs": 2},
    },
    "HyperParameterTuningJobStatus": "InProgress",
    "CreationTime": 1767225600.25,
    "TrainingJobStatusCounters": {},
    "ObjectiveStatusCounters": {},
}


def test_naive_datetimes_are_read_as_utc() -> None:
    naive = ListTrainingJobsRequest(creation_time_after=datetime(2026, 1, 1, 0, 0, 0))
    aware = ListTrainingJobsRequest(creation_time_after=datetime(2026, 1, 1, tzinfo=UTC))
    assert to_wire(naive) == to_wire(aware) == {"CreationTimeAfter": 1767225600}


def test_timestamps_are_whole_seconds_as_int_and_fractions_as_float() -> None:
    plus_two = timezone(timedelta(hours=2))
    request = ListTrainingJobsRequest(
        creation_time_after=datetime(2026, 1, 1, 2, 0, 0, tzinfo=plus_two),
        creation_time_before=datetime(2026, 1, 1, 0, 0, 0, 500000, tzinfo=UTC),
    )
    wire = to_wire(request)
    assert wire == {"CreationTimeAfter": 1767225600, "CreationTimeBefore": 1767225600.5}
    assert type(wire["CreationTimeAfter"]) is int


def test_timestamps_are_read_from_epoch_numbers_and_iso_strings() -> None:
    expected = datetime(2026, 1, 1, 0, 0, 0, 250000, tzinfo=UTC)
    assert from_wire(DescribeHyperParameterTuningJobResponse, DESCRIBE).creation_time == expected
    iso = {**DESCRIBE, "CreationTime": "2026-01-01T00:00:00.250000"}
    assert from_wire(DescribeHyperParameterTuningJobResponse, iso).creation_time == expected


def test_enum_members_go_on_the_wire_as_plain_strings() -> None:
    objective = HyperParameterTuningJobObjective(
        type=HyperParameterTuningJobObjectiveType.MINIMIZE, metric_name="loss"
    )
    wire = to_wire(objective)
    assert wire == {"Type": "Minimize", "MetricName": "loss"}
    assert type(wire["Type"]) is str
    assert (
        type(to_wire(ListTrainingJobsRequest(sort_order=SortOrder.DESCENDING))["SortOrder"]) is str
    )


def test_known_enum_values_are_read_as_enum_members() -> None:
    response = from_wire(DescribeHyperParameterTuningJobResponse, DESCRIBE)
    assert response.hyper_parameter_tuning_job_status is HyperParameterTuningJobStatus.IN_PROGRESS


def test_unknown_enum_values_in_responses_are_kept_as_plain_strings() -> None:
    wire = {**DESCRIBE, "HyperParameterTuningJobStatus": "Paused"}
    response = from_wire(DescribeHyperParameterTuningJobResponse, wire)
    assert response.hyper_parameter_tuning_job_status == "Paused"
    assert type(response.hyper_parameter_tuning_job_status) is str
    assert to_wire(response)["HyperParameterTuningJobStatus"] == "Paused"


def test_unknown_response_members_are_ignored() -> None:
    wire = {**DESCRIBE, "CarbonFootprint": {"Grams": 12}}
    wire["HyperParameterTuningJobConfig"] = {**DESCRIBE["HyperParameterTuningJobConfig"], "New": 1}  # type: ignore[dict-item]
    response = from_wire(DescribeHyperParameterTuningJobResponse, wire)
    assert response == from_wire(DescribeHyperParameterTuningJobResponse, DESCRIBE)
    assert "CarbonFootprint" not in to_wire(response)


def test_responses_are_not_validated() -> None:
    wire = {**DESCRIBE, "HyperParameterTuningJobName": "not_a valid name!", "CreationTime": "soon"}
    response = from_wire(DescribeHyperParameterTuningJobResponse, wire)
    assert response.hyper_parameter_tuning_job_name == "not_a valid name!"
    assert response.creation_time == "soon"  # the wrong type is kept, visible, not dropped
    limits = ResourceLimits(max_parallel_training_jobs=-5)  # nested shapes never validate
    assert limits.max_parallel_training_jobs == -5


def test_none_members_are_omitted_from_the_wire() -> None:
    assert to_wire(ListTrainingJobsRequest()) == {}
    assert to_wire(ListTrainingJobsRequest(max_results=5, next_token=None)) == {"MaxResults": 5}


def test_response_metadata_is_neither_sent_nor_compared() -> None:
    plain = from_wire(DescribeHyperParameterTuningJobResponse, DESCRIBE)
    with_metadata = DescribeHyperParameterTuningJobResponse(
        **{
            name: getattr(plain, name)
            for name in (
                "hyper_parameter_tuning_job_name",
                "hyper_parameter_tuning_job_arn",
                "hyper_parameter_tuning_job_config",
                "hyper_parameter_tuning_job_status",
                "creation_time",
                "training_job_status_counters",
                "objective_status_counters",
            )
        },
        response_metadata=ResponseMetadata(request_id="req-1", http_status=200),
    )
    assert with_metadata == plain
    assert hash(with_metadata) == hash(plain)
    assert to_wire(with_metadata) == to_wire(plain)
    assert "response_metadata" not in repr(with_metadata)


def test_shapes_compare_by_value_and_show_their_members() -> None:
    a = HyperParameterTuningJobObjective(type="Minimize", metric_name="loss")
    b = HyperParameterTuningJobObjective(
        type=HyperParameterTuningJobObjectiveType.MINIMIZE, metric_name="loss"
    )
    assert a == b
    assert hash(a) == hash(b)
    assert a != HyperParameterTuningJobObjective(type="Minimize", metric_name="acc")
    assert a != {"Type": "Minimize", "MetricName": "loss"}
    assert repr(a) == "HyperParameterTuningJobObjective(type='Minimize', metric_name='loss')"
