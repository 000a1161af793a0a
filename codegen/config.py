"""What the generator covers: the service, its operations, and waiters the model lacks.

Adding an operation is a one-line change to ``OPERATIONS`` followed by
``python -m codegen --update-model && python -m codegen``.
"""

from __future__ import annotations

from typing import Any

SERVICE_NAME = "sagemaker"

OPERATIONS: tuple[str, ...] = (
    "CreateHyperParameterTuningJob",
    "DescribeHyperParameterTuningJob",
    "ListHyperParameterTuningJobs",
    "StopHyperParameterTuningJob",
    "DeleteHyperParameterTuningJob",
    "ListTrainingJobsForHyperParameterTuningJob",
    "CreateTrainingJob",
    "DescribeTrainingJob",
    "ListTrainingJobs",
    "StopTrainingJob",
    "AddTags",
    "ListTags",
    "DeleteTags",
)

# botocore ships no waiter for tuning jobs; this one follows the shape of its
# TrainingJobCompletedOrStopped waiter (botocore waiters-2 format).
EXTRA_WAITERS: dict[str, dict[str, Any]] = {
    "HyperParameterTuningJobCompletedOrStopped": {
        "delay": 30,
        "maxAttempts": 5760,
        "operation": "DescribeHyperParameterTuningJob",
        "acceptors": [
            {
                "matcher": "path",
                "argument": "HyperParameterTuningJobStatus",
                "state": "success",
                "expected": "Completed",
            },
            {
                "matcher": "path",
                "argument": "HyperParameterTuningJobStatus",
                "state": "success",
                "expected": "Stopped",
            },
            {
                "matcher": "path",
                "argument": "HyperParameterTuningJobStatus",
                "state": "failure",
                "expected": "Failed",
            },
            {"matcher": "error", "state": "failure", "expected": "ResourceNotFound"},
        ],
    },
}
