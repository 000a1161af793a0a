"""Paginators follow NextToken across pages, honour MaxResults, and type their items."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sagetune import AsyncSageMakerClient, SageMakerClient
from sagetune.errors import PaginationError
from sagetune.model import (
    ListHyperParameterTuningJobsRequest,
    ListTrainingJobsForHyperParameterTuningJobRequest,
    ListTrainingJobsRequest,
    TrainingJobSummary,
)
from tests.client.aws_double import AKID, REGION, SECRET, T0, Answer, ScriptedService, ok


def summaries(names: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "TrainingJobName": name,
            "TrainingJobArn": f"arn:aws:sagemaker:{REGION}:1:training-job/{name}",
            "CreationTime": T0,
            "TrainingJobStatus": "Completed",
        }
        for name in names
    ]


def pages_of(sizes: list[int]) -> list[Answer]:
    """Pages of training job summaries with ``sizes`` items, chained by NextToken."""
    answers, n = [], 0
    for i, size in enumerate(sizes):
        names = [f"job-{n + k}" for k in range(size)]
        n += size
        document: dict[str, Any] = {"TrainingJobSummaries": summaries(names)}
        if i < len(sizes) - 1:
            document["NextToken"] = f"token-{i + 1}"
        answers.append(ok(document))
    return answers


def async_client(service: ScriptedService) -> AsyncSageMakerClient:
    return AsyncSageMakerClient(
        region_name=REGION,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        http_client=service.async_client(),
    )


def sync_client(service: ScriptedService) -> SageMakerClient:
    return SageMakerClient(
        region_name=REGION,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        http_client=service.sync_client(),
    )


async def test_items_span_pages_and_each_request_carries_max_results_and_the_token() -> None:
    service = ScriptedService(*pages_of([2, 2, 1]))
    async with async_client(service) as sm:
        paginator = sm.paginate_list_training_jobs(ListTrainingJobsRequest(max_results=2))
        jobs = [job async for job in paginator]

    assert [job.training_job_name for job in jobs] == [f"job-{i}" for i in range(5)]
    assert all(isinstance(job, TrainingJobSummary) for job in jobs)
    assert [s.document for s in service.seen] == [
        {"MaxResults": 2},
        {"MaxResults": 2, "NextToken": "token-1"},
        {"MaxResults": 2, "NextToken": "token-2"},
    ]


async def test_pages_yield_whole_responses() -> None:
    service = ScriptedService(*pages_of([3, 1]))
    async with async_client(service) as sm:
        paginator = sm.paginate_list_training_jobs(ListTrainingJobsRequest())
        pages = [page async for page in paginator.pages()]
    assert [len(page.training_job_summaries) for page in pages] == [3, 1]
    assert [page.next_token for page in pages] == ["token-1", None]
    assert all(page.response_metadata is not None for page in pages)


async def test_max_items_stops_early_and_page_size_overrides_max_results() -> None:
    service = ScriptedService(*pages_of([2, 2, 2]))
    async with async_client(service) as sm:
        paginator = sm.paginate_list_training_jobs(
            ListTrainingJobsRequest(max_results=50), page_size=2, max_items=3
        )
        jobs = await paginator.collect()
    assert [job.training_job_name for job in jobs] == ["job-0", "job-1", "job-2"]
    assert len(service.seen) == 2  # the third page is never fetched
    assert service.seen[0].document == {"MaxResults": 2}


async def test_resuming_from_a_token_starts_there() -> None:
    service = ScriptedService(*pages_of([1]))
    async with async_client(service) as sm:
        request = ListTrainingJobsRequest(next_token="token-7")
        await sm.paginate_list_training_jobs(request).collect()
    assert service.seen[0].document == {"NextToken": "token-7"}


async def test_a_repeated_token_stops_with_an_error_instead_of_looping() -> None:
    page = ok({"TrainingJobSummaries": summaries(["a"]), "NextToken": "same"})
    service = ScriptedService(page, page, page)
    async with async_client(service) as sm:
        with pytest.raises(PaginationError, match="NextToken 'same' a second time"):
            await sm.paginate_list_training_jobs(ListTrainingJobsRequest()).collect()
    assert len(service.seen) == 2


async def test_tuning_job_and_training_jobs_for_tuning_job_paginators() -> None:
    service = ScriptedService(
        ok({"HyperParameterTuningJobSummaries": [], "NextToken": "t"}),
        ok({"HyperParameterTuningJobSummaries": []}),
        ok({"TrainingJobSummaries": [], "NextToken": "u"}),
        ok({"TrainingJobSummaries": []}),
    )
    async with async_client(service) as sm:
        tuning = await sm.paginate_list_hyper_parameter_tuning_jobs(
            ListHyperParameterTuningJobsRequest(max_results=1)
        ).collect()
        children = await sm.paginate_list_training_jobs_for_hyper_parameter_tuning_job(
            ListTrainingJobsForHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="t1")
        ).collect()
    assert tuning == []
    assert children == []
    assert [s.operation for s in service.seen] == [
        "ListHyperParameterTuningJobs",
        "ListHyperParameterTuningJobs",
        "ListTrainingJobsForHyperParameterTuningJob",
        "ListTrainingJobsForHyperParameterTuningJob",
    ]
    assert service.seen[3].document == {"HyperParameterTuningJobName": "t1", "NextToken": "u"}


def test_sync_paginator_iterates_the_same_pages() -> None:
    service = ScriptedService(*pages_of([1, 2]))
    with sync_client(service) as sm:
        names = [
            j.training_job_name for j in sm.paginate_list_training_jobs(ListTrainingJobsRequest())
        ]
        pages = list(sm.paginate_list_training_jobs(ListTrainingJobsRequest()).pages())
    assert names == ["job-0", "job-1", "job-2"]
    assert len(pages) == 1  # the script was used up: later calls get the default answer
    assert len(service.seen) == 3


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=6),
    max_items=st.none() | st.integers(min_value=1, max_value=30),
)
def test_items_are_the_pages_concatenated_and_cut_at_max_items(
    sizes: list[int], max_items: int | None
) -> None:
    service = ScriptedService(*pages_of(sizes))
    with sync_client(service) as sm:
        paginator = sm.paginate_list_training_jobs(ListTrainingJobsRequest(), max_items=max_items)
        names = [job.training_job_name for job in paginator]
    everything = [f"job-{i}" for i in range(sum(sizes))]
    assert names == everything[:max_items]
    tokens = [s.document.get("NextToken") for s in service.seen]
    assert tokens == [None] + [f"token-{i}" for i in range(1, len(service.seen))]
