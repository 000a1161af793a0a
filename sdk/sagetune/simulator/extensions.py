"""What the simulator answers besides SageMaker: training logs and its own operations.

Logs: the CloudWatch Logs operations ``GetLogEvents`` and ``DescribeLogStreams``
(``X-Amz-Target: Logs_20140328.<Op>``, signed for service ``logs``), in log group
``/aws/sagemaker/TrainingJobs`` with one stream per training job named
``<training job>/algo-1-<creation epoch>``, the way SageMaker names them, so a boto3 ``logs``
client (or any log tool) pointed at the simulator reads a job's log lines.

Simulator operations (``X-Amz-Target: SageTuneSimulator.<Op>``, signed for ``sagemaker``):

- ``GetTrainingJobMetricSeries`` ``{"TrainingJobName"}`` -> ``{"TrainingJobName",
  "MetricSeries": [{"MetricName", "Points": [{"Epoch", "Timestamp", "Value"}]}]}``: every
  value each metric took, in order (against real AWS these live in CloudWatch metrics);
- ``GetTuningJobCompletionReason`` ``{"HyperParameterTuningJobName"}`` ->
  ``{"CompletionReason"}``: which criterion ended the job (MaxNumberOfTrainingJobs,
  MaxRuntimeInSeconds, TargetObjectiveMetricValue, BestObjectiveNotImproving,
  ConvergenceDetected; null while running, or when it was stopped or failed), which the
  service's TuningJobCompletionDetails cannot say;
- ``GetClock`` ``{}`` -> ``{"Now", "Kind", "NextEventTime"}`` and ``AdvanceClock``
  ``{"Seconds"}`` (manual clocks only) -> ``{"Now"}``: drive the clock of a served simulator.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from sagetune.errors import ServiceError, ValidationException
from sagetune.simulator.clock import ManualClock
from sagetune.simulator.engine import Engine
from sagetune.simulator.store import Store

LOG_GROUP = "/aws/sagemaker/TrainingJobs"
MAX_LOG_EVENTS = 10_000


class ResourceNotFoundException(ServiceError):
    """CloudWatch Logs' error for a missing group or stream."""

    CODE = "ResourceNotFoundException"


class Extensions:
    """Logs and the simulator's own operations, over one engine and its store."""

    def __init__(self, engine: Engine, store: Store) -> None:
        self.engine = engine
        self.store = store

    def call(self, operation: str, data: dict[str, Any]) -> dict[str, Any]:
        handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "GetTrainingJobMetricSeries": self.get_training_job_metric_series,
            "GetTuningJobCompletionReason": self.get_tuning_job_completion_reason,
            "GetClock": self.get_clock,
            "AdvanceClock": self.advance_clock,
        }
        handler = handlers.get(operation)
        if handler is None:
            raise ValidationException(
                f"Unknown simulator operation {operation!r}; known: {', '.join(handlers)}."
            )
        return handler(data)

    def logs(self, operation: str, data: dict[str, Any]) -> dict[str, Any]:
        if operation == "GetLogEvents":
            return self.get_log_events(data)
        if operation == "DescribeLogStreams":
            return self.describe_log_streams(data)
        raise ValidationException(
            f"The simulator serves CloudWatch Logs GetLogEvents and DescribeLogStreams, not {operation}."
        )

    # -- metric series and clock

    def get_training_job_metric_series(self, data: dict[str, Any]) -> dict[str, Any]:
        name = data.get("TrainingJobName")
        if not isinstance(name, str) or self.engine.training_job(name) is None:
            raise ValidationException("Requested resource not found.")
        series = self.store.metric_series(name)
        return {
            "TrainingJobName": name,
            "MetricSeries": [
                {
                    "MetricName": metric,
                    "Points": [
                        {"Epoch": i, "Timestamp": t, "Value": value}
                        for i, (t, value) in enumerate(points, 1)
                    ],
                }
                for metric, points in sorted(series.items())
            ],
        }

    def get_tuning_job_completion_reason(self, data: dict[str, Any]) -> dict[str, Any]:
        name = data.get("HyperParameterTuningJobName")
        rec = self.engine.tuning_job(name) if isinstance(name, str) else None
        if rec is None:
            raise ValidationException("Requested resource not found.")
        return {
            "HyperParameterTuningJobName": rec.name,
            "HyperParameterTuningJobStatus": rec.status,
            "CompletionReason": rec.completion_reason,
        }

    def get_clock(self, data: dict[str, Any]) -> dict[str, Any]:
        del data
        return {
            "Now": self.engine.now,
            "Kind": type(self.engine.clock).__name__,
            "NextEventTime": self.engine.next_event_time(),
        }

    def advance_clock(self, data: dict[str, Any]) -> dict[str, Any]:
        clock = self.engine.clock
        if not isinstance(clock, ManualClock):
            raise ValidationException(
                f"AdvanceClock needs a manual clock; this simulator runs a {type(clock).__name__}."
            )
        seconds = data.get("Seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ValidationException("Seconds must be a number >= 0.")
        clock.advance(float(seconds))
        self.engine.advance()
        return {"Now": self.engine.now}

    # -- CloudWatch Logs

    def _job_of_stream(self, data: dict[str, Any]) -> str:
        group = data.get("logGroupName")
        stream = data.get("logStreamName")
        if group != LOG_GROUP or not isinstance(stream, str):
            raise ResourceNotFoundException("The specified log group does not exist.")
        job = stream.split("/", 1)[0]
        if self.engine.training_job(job) is None:
            raise ResourceNotFoundException("The specified log stream does not exist.")
        return job

    def get_log_events(self, data: dict[str, Any]) -> dict[str, Any]:
        job = self._job_of_stream(data)
        limit = data.get("limit", MAX_LOG_EVENTS)
        if (
            isinstance(limit, bool)
            or not isinstance(limit, int)
            or not 1 <= limit <= MAX_LOG_EVENTS
        ):
            raise ValidationException(f"limit must be an integer in [1, {MAX_LOG_EVENTS}].")
        start = _token_offset(data.get("nextToken"))
        lines = self.store.log_lines(job, start, limit)
        following = start + len(lines)
        return {
            "events": [
                {"timestamp": int(t * 1000), "message": line, "ingestionTime": int(t * 1000)}
                for _, t, line in lines
            ],
            "nextForwardToken": _token(following),
            "nextBackwardToken": _token(start),
        }

    def describe_log_streams(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("logGroupName") != LOG_GROUP:
            raise ResourceNotFoundException("The specified log group does not exist.")
        prefix = data.get("logStreamNamePrefix") or ""
        streams = []
        for rec in sorted(self.engine.training_jobs(), key=lambda r: r.name):
            stream = f"{rec.name}/algo-1-{int(rec.created)}"
            if stream.startswith(prefix):
                created = int(rec.created * 1000)
                streams.append(
                    {
                        "logStreamName": stream,
                        "creationTime": created,
                        "arn": self.engine.arn("log-stream", stream),
                    }
                )
        return {"logStreams": streams[:50]}


def _token(offset: int) -> str:
    return "f/" + base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _token_offset(token: object) -> int:
    if token is None:
        return 0
    if not isinstance(token, str) or not token.startswith("f/"):
        raise ValidationException("The specified nextToken is invalid.")
    try:
        offset = int(json.loads(base64.urlsafe_b64decode(token[2:].encode()))["offset"])
    except (ValueError, KeyError, TypeError):
        raise ValidationException("The specified nextToken is invalid.") from None
    return max(0, offset)
