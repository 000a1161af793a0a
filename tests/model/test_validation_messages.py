"""Request validation: what is rejected, and messages worded like the service's own."""

from __future__ import annotations

import math
from typing import Any

import attrs
import pytest

from sagetune.codec import from_wire
from sagetune.errors import ValidationError, Violation
from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    DescribeHyperParameterTuningJobRequest,
    ListTrainingJobsRequest,
    SortOrder,
    Tag,
    TuningJobCompletionCriteria,
)
from tests.model.sample_requests import config, definition, tuning_job


def message(make: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        make()
    return str(caught.value)


def test_one_violation_reads_singular() -> None:
    text = message(lambda: ListTrainingJobsRequest(max_results=0))
    assert text == (
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


def test_every_violation_is_reported_plural_and_joined_by_semicolons() -> None:
    text = message(
        lambda: ListTrainingJobsRequest(max_results=101, name_contains="a b", sort_by="Size")
    )
    assert text == (
        "3 validation errors detected: "
        "Value '101' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 100; "
        "Value 'a b' at 'nameContains' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9\\-]+; "
        "Value 'Size' at 'sortBy' failed to satisfy constraint: "
        "Member must satisfy enum value set: [Name, CreationTime, Status]"
    )


def test_a_missing_required_member_shows_null() -> None:
    text = message(lambda: from_wire(DescribeHyperParameterTuningJobRequest, {}))
    assert text == (
        "1 validation error detected: Value null at 'hyperParameterTuningJobName' failed to "
        "satisfy constraint: Member must not be null"
    )


def test_one_string_can_break_length_and_pattern_at_once() -> None:
    name = "x_" * 20
    text = message(
        lambda: DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name=name)
    )
    assert text.startswith("2 validation errors detected: ")
    assert f"Value '{name}' at 'hyperParameterTuningJobName' failed to satisfy constraint: " in text
    assert "Member must have length less than or equal to 32; " in text
    assert text.endswith(
        "Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}"
    )


def test_list_members_are_named_by_one_based_index() -> None:
    tags = [Tag(key="team", value="ml"), Tag(key="cost#center", value="4711")]
    text = message(lambda: tuning_job(tags=tags))
    assert text == (
        "1 validation error detected: Value 'cost#center' at 'tags.2.member.key' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
        "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)"
    )


def test_nested_members_are_named_by_their_camel_case_path() -> None:
    text = message(
        lambda: tuning_job(training_job_definition=definition(role_arn="arn:aws:iam::1:role/x"))
    )
    assert "at 'trainingJobDefinition.roleArn' failed to satisfy constraint" in text


def test_map_entries_are_reported_on_the_map_with_their_rules_folded() -> None:
    static = {"eta": "0.1", "objective": "x" * 2501}
    text = message(
        lambda: tuning_job(training_job_definition=definition(static_hyper_parameters=static))
    )
    # The entry's text ({'objective': 'xxx...'}) is 2,518 characters: the message shows 100.
    assert text == (
        "1 validation error detected: Value '{'objective': '" + "x" * 85 + "... (2518 "
        "characters)' at 'trainingJobDefinition.staticHyperParameters' failed to satisfy "
        "constraint: Map value must satisfy constraint: "
        "[Member must have length less than or equal to 2500]"
    )


def test_a_map_key_breaking_two_rules_gives_one_folded_violation() -> None:
    static = {"bad\nkey" + "k" * 256: "1"}
    with pytest.raises(ValidationError) as caught:
        tuning_job(training_job_definition=definition(static_hyper_parameters=static))
    (violation,) = caught.value.violations
    assert violation.path == "trainingJobDefinition.staticHyperParameters"
    assert violation.rule == (
        "Map key must satisfy constraint: [Member must have length less than or equal to 256, "
        "Member must satisfy regular expression pattern: .*]"
    )


def test_booleans_are_not_integers() -> None:
    text = message(lambda: ListTrainingJobsRequest(max_results=True))
    assert text == (
        "1 validation error detected: Value 'true' at 'maxResults' failed to satisfy "
        "constraint: Member must be an integer"
    )


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_rejected(value: float) -> None:
    criteria = TuningJobCompletionCriteria(target_objective_metric_value=value)
    text = message(
        lambda: tuning_job(
            hyper_parameter_tuning_job_config=config(tuning_job_completion_criteria=criteria)
        )
    )
    assert text == (
        f"1 validation error detected: Value '{value}' at "
        "'hyperParameterTuningJobConfig.tuningJobCompletionCriteria.targetObjectiveMetricValue' "
        "failed to satisfy constraint: Member must be a finite number"
    )


def test_integers_are_numbers_for_float_members() -> None:
    criteria = TuningJobCompletionCriteria(target_objective_metric_value=1)
    tuning_job(hyper_parameter_tuning_job_config=config(tuning_job_completion_criteria=criteria))


def test_enum_members_and_their_exact_strings_are_both_accepted() -> None:
    assert ListTrainingJobsRequest(sort_order=SortOrder.ASCENDING).sort_order == "Ascending"
    assert ListTrainingJobsRequest(sort_order="Ascending").sort_order is not None
    text = message(lambda: ListTrainingJobsRequest(sort_order="ascending"))
    assert "Value 'ascending' at 'sortOrder' failed to satisfy constraint: " in text
    assert text.endswith("Member must satisfy enum value set: [Ascending, Descending]")


def test_wrong_types_are_named_with_the_expected_kind() -> None:
    wire = {
        "HyperParameterTuningJobName": 7,
        "HyperParameterTuningJobConfig": "Bayesian",
        "Tags": {"Key": "a"},
    }
    with pytest.raises(ValidationError) as caught:
        from_wire(CreateHyperParameterTuningJobRequest, wire)
    assert caught.value.violations == (
        Violation("hyperParameterTuningJobName", 7, "Member must be a string"),
        Violation(
            "hyperParameterTuningJobConfig",
            "Bayesian",
            "Member must be a HyperParameterTuningJobConfig structure",
        ),
        Violation("tags", {"Key": "a"}, "Member must be a list"),
    )


def test_unknown_request_members_are_reported_with_the_other_violations() -> None:
    wire = {"MaxResults": 0, "MaxItems": 5, "SortOrder": "Up"}
    with pytest.raises(ValidationError) as caught:
        from_wire(ListTrainingJobsRequest, wire)
    paths = [v.path for v in caught.value.violations]
    assert paths == ["maxItems", "maxResults", "sortOrder"]
    text = str(caught.value)
    assert text.startswith("3 validation errors detected: Value '5' at 'maxItems' failed to ")
    assert "Unknown member of ListTrainingJobsRequest; known: NextToken, MaxResults," in text


def test_unknown_members_of_nested_structures_are_named_by_path() -> None:
    wire = {
        "HyperParameterTuningJobName": "job-1",
        "HyperParameterTuningJobConfig": {
            "Strategy": "Bayesian",
            "ResourceLimits": {"MaxParallelTrainingJobs": 1, "MaxGpus": 8},
        },
        "Tags": [{"Key": "a", "Value": "b"}, {"Key": "c", "Value": "d", "Owner": "me"}],
    }
    with pytest.raises(ValidationError) as caught:
        from_wire(CreateHyperParameterTuningJobRequest, wire)
    assert [v.path for v in caught.value.violations] == [
        "hyperParameterTuningJobConfig.resourceLimits.maxGpus",
        "tags.2.member.owner",
    ]


def test_every_violation_of_a_constructed_request_is_collected() -> None:
    with pytest.raises(ValidationError) as caught:
        attrs.evolve(
            tuning_job(),
            hyper_parameter_tuning_job_name="",
            tags=[Tag(key="", value="v" * 257)],
        )
    assert [(v.path, v.rule) for v in caught.value.violations] == [
        ("hyperParameterTuningJobName", "Member must have length greater than or equal to 1"),
        (
            "hyperParameterTuningJobName",
            "Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}",
        ),
        ("tags.1.member.key", "Member must have length greater than or equal to 1"),
        ("tags.1.member.value", "Member must have length less than or equal to 256"),
    ]
