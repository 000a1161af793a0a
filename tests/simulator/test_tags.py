"""Tags on tuning jobs and training jobs: AddTags, ListTags, DeleteTags, Tags at create, what a
tuning job's training jobs get, the limits and errors, and persistence.

Through a stock boto3 client over a loopback server, and sagetune's client in process.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from sagetune import SageMakerClient
from sagetune.errors import ValidationException
from sagetune.model import AddTagsInput, DeleteTagsInput, ListTagsInput, Tag
from sagetune.simulator import Simulator
from tests.simulator.builders import training_request, tuning_request
from tests.simulator.conftest import Loopback
from tests.simulator.test_persistence import V1_DATABASE, write_v1_database

IMAGE = "sagetune/xgboost-curve:latest"


def tags(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in pairs]


def listed(sm: Any, arn: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = sm.list_tags(ResourceArn=arn)["Tags"]
    return found


def refused(call: Any, **arguments: Any) -> str:
    """The message of the ValidationException ``call(**arguments)`` raises."""
    with pytest.raises(ClientError) as excinfo:
        call(**arguments)
    assert excinfo.value.response["Error"]["Code"] == "ValidationException"
    message: str = excinfo.value.response["Error"]["Message"]
    return message


def test_tags_at_create_are_listed_and_each_training_job_gets_the_tuning_jobs_at_its_launch(
    loopback: Loopback,
) -> None:
    sm = loopback.sm
    request = tuning_request("tagged", jobs=3, parallel=1, rounds=3)
    request["Tags"] = tags(("team", "search"), ("cost-center", "42"))
    arn = sm.create_hyper_parameter_tuning_job(**request)["HyperParameterTuningJobArn"]
    assert listed(sm, arn) == tags(("team", "search"), ("cost-center", "42"))

    # The first training job is running: later changes reach only the jobs launched after.
    added = sm.add_tags(ResourceArn=arn, Tags=tags(("stage", "dev")))
    assert added["Tags"] == tags(("stage", "dev"))
    sm.delete_tags(ResourceArn=arn, TagKeys=["cost-center"])
    loopback.sim.run_until_idle()

    assert listed(sm, arn) == tags(("team", "search"), ("stage", "dev"))
    jobs = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="tagged", SortBy="CreationTime", SortOrder="Ascending"
    )["TrainingJobSummaries"]
    assert [listed(sm, j["TrainingJobArn"]) for j in jobs] == [
        tags(("team", "search"), ("cost-center", "42")),
        tags(("team", "search"), ("stage", "dev")),
        tags(("team", "search"), ("stage", "dev")),
    ]
    # A tuning job's deletion removes its tags, not its training jobs'.
    sm.delete_hyper_parameter_tuning_job(HyperParameterTuningJobName="tagged")
    assert "does not exist" in refused(sm.list_tags, ResourceArn=arn)
    assert listed(sm, jobs[0]["TrainingJobArn"]) == tags(("team", "search"), ("cost-center", "42"))


def test_a_resource_holds_50_tags_on_one_page_and_overwriting_a_key_is_not_a_new_tag(
    loopback: Loopback,
) -> None:
    sm = loopback.sm
    arn = sm.create_training_job(**training_request("fifty", IMAGE, {"num_round": "2"}))[
        "TrainingJobArn"
    ]
    assert listed(sm, arn) == []  # always present, empty when untagged
    fifty = tags(*((f"key-{i:02d}", f"value {i}") for i in range(50)))
    sm.add_tags(ResourceArn=arn, Tags=fifty)

    pages = list(
        sm.get_paginator("list_tags").paginate(ResourceArn=arn, PaginationConfig={"PageSize": 50})
    )
    assert [len(p["Tags"]) for p in pages] == [50]
    assert "NextToken" not in pages[0]
    assert pages[0]["Tags"] == fifty

    sm.add_tags(ResourceArn=arn, Tags=tags(("key-07", "changed")))  # still 50
    assert listed(sm, arn)[7] == {"Key": "key-07", "Value": "changed"}  # in its place
    message = refused(sm.add_tags, ResourceArn=arn, Tags=tags(("key-50", "one too many")))
    assert "maximum number of tags (50)" in message
    assert len(listed(sm, arn)) == 50  # nothing was added
    status, error = loopback.raw("ListTags", {"ResourceArn": arn, "MaxResults": 10})  # boto3
    assert (status, error["__type"]) == (400, "ValidationException")  # would refuse to send it
    assert "greater than or equal to 50" in error["message"]
    assert "pagination token" in refused(sm.list_tags, ResourceArn=arn, NextToken="not-a-token")


def test_reserved_and_repeated_keys_and_unknown_resources_are_refused(loopback: Loopback) -> None:
    sm = loopback.sm
    arn = sm.create_training_job(**training_request("strict", IMAGE, {"num_round": "2"}))[
        "TrainingJobArn"
    ]
    sm.add_tags(ResourceArn=arn, Tags=tags(("owner", "me")))

    assert "reserved" in refused(sm.add_tags, ResourceArn=arn, Tags=tags(("aws:owner", "x")))
    assert "reserved" in refused(sm.delete_tags, ResourceArn=arn, TagKeys=["AWS:owner"])
    request = tuning_request("reserved")
    request["Tags"] = tags(("Aws:team", "x"))
    assert "reserved" in refused(sm.create_hyper_parameter_tuning_job, **request)
    assert sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"] == []
    repeated = tags(("a", "1"), ("a", "2"))
    assert "more than once" in refused(sm.add_tags, ResourceArn=arn, Tags=repeated)
    missing = arn.replace("training-job/strict", "training-job/nowhere")
    assert "does not exist" in refused(sm.list_tags, ResourceArn=missing)
    assert "does not exist" in refused(sm.add_tags, ResourceArn=missing, Tags=tags(("a", "")))
    assert "regular expression" in refused(sm.list_tags, ResourceArn="training-job/strict")
    assert listed(sm, arn) == tags(("owner", "me"))  # no refused request changed anything

    sm.delete_tags(ResourceArn=arn, TagKeys=["not-there", "owner"])  # an absent key: no error
    assert listed(sm, arn) == []
    # ARNs carry names in lower case; a name's own case finds the job too.
    sm.create_training_job(**training_request("MixedCase", IMAGE, {"num_round": "2"}))
    upper = arn.replace("training-job/strict", "training-job/MixedCase")
    sm.add_tags(ResourceArn=upper, Tags=tags(("case", "kept")))
    assert listed(sm, upper.lower()) == tags(("case", "kept"))


@pytest.fixture
def sagetune_client(sim: Simulator) -> Iterator[SageMakerClient]:
    with SageMakerClient(
        http_client=httpx.Client(transport=sim.transport()), **sim.client_options()
    ) as client:
        yield client


def test_sagetune_client_adds_pages_and_deletes_tags(
    sim: Simulator, sagetune_client: SageMakerClient
) -> None:
    from sagetune.codec import from_wire
    from sagetune.model import CreateTrainingJobRequest

    sm = sagetune_client
    arn = sm.create_training_job(
        from_wire(CreateTrainingJobRequest, training_request("typed", IMAGE, {}))
    ).training_job_arn
    sm.add_tags(AddTagsInput(resource_arn=arn, tags=[Tag(key="team", value="")]))

    items = list(sm.paginate_list_tags(ListTagsInput(resource_arn=arn)).items())
    assert items == [Tag(key="team", value="")]
    sm.delete_tags(DeleteTagsInput(resource_arn=arn, tag_keys=["team"]))
    assert sm.list_tags(ListTagsInput(resource_arn=arn)).tags == []
    with pytest.raises(ValidationException):
        sm.add_tags(AddTagsInput(resource_arn=arn, tags=[Tag(key="aws:x", value="y")]))


def test_tags_survive_a_restart_and_a_resumed_tuning_job_still_hands_its_tags_on(
    tmp_path: Path,
) -> None:
    db = tmp_path / "tags.db"
    request = tuning_request("lasting", jobs=3, parallel=1, rounds=3)
    request["Tags"] = tags(("team", "search"))
    sim = Simulator(db=db)
    with Loopback(sim) as first:
        arn = first.sm.create_hyper_parameter_tuning_job(**request)["HyperParameterTuningJobArn"]
        first.sm.add_tags(ResourceArn=arn, Tags=tags(("stage", "dev")))
        (running,) = first.sm.list_training_jobs()["TrainingJobSummaries"]
        first.sm.add_tags(ResourceArn=running["TrainingJobArn"], Tags=tags(("mine", "yes")))

    with Loopback(Simulator(db=db)) as second:
        assert listed(second.sm, arn) == tags(("team", "search"), ("stage", "dev"))
        assert listed(second.sm, running["TrainingJobArn"]) == tags(
            ("team", "search"), ("mine", "yes")
        )
        second.sim.run_until_idle()
        jobs = second.sm.list_training_jobs(SortBy="CreationTime", SortOrder="Ascending")[
            "TrainingJobSummaries"
        ]
        assert [listed(second.sm, j["TrainingJobArn"]) for j in jobs[1:]] == [
            tags(("team", "search"), ("stage", "dev"))
        ] * 2


def test_tags_of_a_schema_v1_database_are_those_its_requests_gave(tmp_path: Path) -> None:
    """Schema 1 kept no tags apart from the requests: the upgrade gives the tuning job and
    the standalone job the Tags of their requests, and the tuning job's training jobs its."""
    data = json.loads(V1_DATABASE.read_text())
    for row in data["tuning_jobs"]:
        body = json.loads(row[2])
        body["request"]["Tags"] = tags(("team", "search"))
        row[2] = json.dumps(body)
    for row in data["training_jobs"]:
        body = json.loads(row[3])
        if body["tuning_job"] is None:
            body["spec"]["Tags"] = tags(("solo", "yes"))
            row[3] = json.dumps(body)
    db = tmp_path / "v1.db"
    (tmp_path / "v1.json").write_text(json.dumps(data))
    write_v1_database(db, tmp_path / "v1.json")

    with Loopback(Simulator(db=db)) as served:
        sm = served.sm
        summaries = sm.list_training_jobs()["TrainingJobSummaries"]
        by_name = {s["TrainingJobName"]: listed(sm, s["TrainingJobArn"]) for s in summaries}
        tuning_arn = sm.describe_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="v1-tuning"
        )["HyperParameterTuningJobArn"]
        assert listed(sm, tuning_arn) == tags(("team", "search"))
    assert by_name.pop("v1-training") == tags(("solo", "yes"))
    assert len(by_name) == 2
    assert all(found == tags(("team", "search")) for found in by_name.values())
