"""Waiters poll until a terminal status, on the client's injected clock and sleep."""

from __future__ import annotations

import pytest

from sagetune import AsyncSageMakerClient, SageMakerClient
from sagetune.config import ClientConfig
from sagetune.errors import ResourceNotFound, ThrottlingException, WaiterError
from sagetune.model import (
    DescribeHyperParameterTuningJobRequest,
    DescribeHyperParameterTuningJobResponse,
    DescribeTrainingJobRequest,
)
from sagetune.waiters import WaitProgress
from tests.client.aws_double import (
    AKID,
    REGION,
    SECRET,
    Answer,
    FakeClock,
    ScriptedService,
    error,
    ok,
    training_job_description,
    tuning_job_description,
)

TUNING = DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="tune-1")
TRAINING = DescribeTrainingJobRequest(training_job_name="train-1")


def async_client(service: ScriptedService, clock: FakeClock) -> AsyncSageMakerClient:
    return AsyncSageMakerClient(
        region_name=REGION,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        http_client=service.async_client(),
        sleep=clock.sleep,
        clock=clock,
        config=ClientConfig(max_attempts=1),
    )


def tuning(status: str, reason: str | None = None) -> Answer:
    return ok(tuning_job_description(status, reason))


@pytest.mark.parametrize("final", ["Completed", "Stopped"])
async def test_tuning_job_waiter_returns_the_terminal_description(final: str) -> None:
    clock = FakeClock()
    service = ScriptedService(tuning("InProgress"), tuning("InProgress"), tuning(final))
    async with async_client(service, clock) as sm:
        out = await sm.wait_until_hyper_parameter_tuning_job_completed_or_stopped(TUNING)
    assert isinstance(out, DescribeHyperParameterTuningJobResponse)
    assert out.hyper_parameter_tuning_job_status == final
    assert clock.sleeps == [30, 30]  # the waiter's own delay
    assert len(service.seen) == 3


async def test_failed_tuning_job_raises_naming_the_failure_reason() -> None:
    clock = FakeClock()
    reason = "ClientError: no training job succeeded after 5 attempts"
    service = ScriptedService(tuning("InProgress"), tuning("Failed", reason))
    async with async_client(service, clock) as sm:
        with pytest.raises(WaiterError) as caught:
            await sm.wait_until_hyper_parameter_tuning_job_completed_or_stopped(TUNING, delay=5)
    assert caught.value.name == "HyperParameterTuningJobCompletedOrStopped"
    assert "HyperParameterTuningJobStatus is 'Failed'" in caught.value.reason
    assert f"FailureReason: {reason}" in str(caught.value)
    last = caught.value.last_response
    assert isinstance(last, DescribeHyperParameterTuningJobResponse)
    assert last.failure_reason == reason
    assert clock.sleeps == [5]


async def test_missing_tuning_job_ends_the_wait_with_the_service_error_as_cause() -> None:
    clock = FakeClock()
    service = ScriptedService(error(400, "ResourceNotFound", "Amazon SageMaker can't find it"))
    async with async_client(service, clock) as sm:
        with pytest.raises(WaiterError) as caught:
            await sm.wait_until_hyper_parameter_tuning_job_completed_or_stopped(TUNING)
    assert isinstance(caught.value.__cause__, ResourceNotFound)
    assert "can't find it" in caught.value.reason


async def test_an_error_no_acceptor_names_propagates_unchanged() -> None:
    clock = FakeClock()
    service = ScriptedService(error(400, "ThrottlingException", "slow down"))
    async with async_client(service, clock) as sm:
        with pytest.raises(ThrottlingException):
            await sm.wait_until_hyper_parameter_tuning_job_completed_or_stopped(TUNING)


async def test_timeout_gives_up_on_the_clients_clock_with_the_last_status() -> None:
    clock = FakeClock()
    service = ScriptedService(defaults={"DescribeHyperParameterTuningJob": tuning("InProgress")})
    async with async_client(service, clock) as sm:
        with pytest.raises(WaiterError) as caught:
            await sm.wait_until_hyper_parameter_tuning_job_completed_or_stopped(
                TUNING, delay=10, timeout=25
            )
    assert clock.sleeps == [10, 10, 5]  # the last pause is cut to the deadline
    assert len(service.seen) == 4
    assert "timeout of 25 s reached" in caught.value.reason
    assert "last status 'InProgress'" in caught.value.reason


async def test_max_attempts_bounds_the_polls() -> None:
    clock = FakeClock()
    service = ScriptedService(defaults={"DescribeHyperParameterTuningJob": tuning("Pending")})
    async with async_client(service, clock) as sm:
        with pytest.raises(WaiterError, match="maximum of 3 polls"):
            await sm.wait_until_hyper_parameter_tuning_job_completed_or_stopped(
                TUNING, delay=1, max_attempts=3
            )
    assert len(service.seen) == 3


async def test_progress_callback_sees_each_poll() -> None:
    clock = FakeClock()
    seen: list[WaitProgress[DescribeHyperParameterTuningJobResponse]] = []
    service = ScriptedService(tuning("Pending"), tuning("InProgress"), tuning("Completed"))
    async with async_client(service, clock) as sm:
        await sm.wait_until_hyper_parameter_tuning_job_completed_or_stopped(
            TUNING, delay=2, on_progress=seen.append
        )
    assert [(p.attempt, p.elapsed, p.status, p.next_poll_in) for p in seen] == [
        (1, 0.0, "Pending", 2),
        (2, 2.0, "InProgress", 2),
    ]
    assert seen[0].response.hyper_parameter_tuning_job_name == "tune-1"


@pytest.mark.parametrize("final", ["Completed", "Stopped"])
async def test_training_job_waiter_uses_botocores_definition(final: str) -> None:
    clock = FakeClock()
    service = ScriptedService(
        ok(training_job_description("InProgress")), ok(training_job_description(final))
    )
    async with async_client(service, clock) as sm:
        out = await sm.wait_until_training_job_completed_or_stopped(TRAINING)
    assert out.training_job_status == final
    assert clock.sleeps == [120]


async def test_failed_training_job_raises_naming_the_failure_reason() -> None:
    clock = FakeClock()
    reason = "AlgorithmError: loss became NaN at epoch 3"
    service = ScriptedService(ok(training_job_description("Failed", reason)))
    async with async_client(service, clock) as sm:
        with pytest.raises(WaiterError, match="TrainingJobStatus is 'Failed'; FailureReason: "):
            await sm.wait_until_training_job_completed_or_stopped(TRAINING)


async def test_training_job_waiter_fails_on_validation_exception() -> None:
    clock = FakeClock()
    service = ScriptedService(error(400, "ValidationException", "Requested resource not found"))
    async with async_client(service, clock) as sm:
        with pytest.raises(WaiterError, match="Requested resource not found"):
            await sm.wait_until_training_job_completed_or_stopped(TRAINING)


def test_sync_waiter_polls_with_the_blocking_sleep() -> None:
    clock = FakeClock()
    service = ScriptedService(tuning("InProgress"), tuning("Failed", "boom"))
    with (
        SageMakerClient(
            region_name=REGION,
            aws_access_key_id=AKID,
            aws_secret_access_key=SECRET,
            http_client=service.sync_client(),
            sleep=clock.sleep_blocking,
            clock=clock,
        ) as sm,
        pytest.raises(WaiterError, match="FailureReason: boom"),
    ):
        sm.wait_until_hyper_parameter_tuning_job_completed_or_stopped(TUNING, delay=3)
    assert clock.sleeps == [3]
