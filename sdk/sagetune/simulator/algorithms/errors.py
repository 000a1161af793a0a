"""Exceptions an algorithm raises to make its training job fail.

SageMaker reports a failed training job with a ``FailureReason`` such as
``ClientError: Hyperparameter eta: value 1.5 not in range [0, 1]`` or
``AlgorithmError: ...``. An algorithm raises :class:`AlgorithmError` (or its subclass
:class:`HyperparameterError` for bad input); the simulator turns it into a ``Failed`` job
whose ``FailureReason`` is :attr:`AlgorithmError.failure_reason`, counted as a
non-retryable (client) error. Any other exception escaping an algorithm is a bug in the
algorithm, not in the request; the simulator decides how to report it.
"""

from __future__ import annotations

__all__ = ["FAILURE_REASON_LIMIT", "AlgorithmError", "FrameworkError", "HyperparameterError"]

FAILURE_REASON_LIMIT = 1024
"""DescribeTrainingJob's FailureReason holds at most 1024 characters; longer texts are cut."""


class AlgorithmError(Exception):
    """The training code failed; ``message`` becomes the job's FailureReason."""

    category = "AlgorithmError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def failure_reason(self) -> str:
        """The text SageMaker would show in DescribeTrainingJob's FailureReason."""
        return f"{self.category}: {self.message}"[:FAILURE_REASON_LIMIT]


class HyperparameterError(AlgorithmError):
    """A hyperparameter is missing, unknown, unparseable or out of range (a client error)."""

    category = "ClientError"


class FrameworkError(HyperparameterError):
    """A user error inside a container run by sagemaker-containers (the XGBoost images).

    The framework reports any exception it does not know as a ``framework error`` with the
    traceback and the message, and the service prefixes ``AlgorithmError``::

        AlgorithmError: framework error: \\nTraceback (most recent call last):\\n  ...
        sagemaker_algorithm_toolkit.exceptions.UserError: Missing required hyperparameter: num_round

        Missing required hyperparameter: num_round

    The traceback's frames are elided (``...``); the last lines are the real shape.
    """

    exception_class = "sagemaker_algorithm_toolkit.exceptions.UserError"

    @property
    def failure_reason(self) -> str:
        return (
            "AlgorithmError: framework error: \nTraceback (most recent call last):\n  ...\n"
            f"{self.exception_class}: {self.message}\n\n{self.message}"
        )[:FAILURE_REASON_LIMIT]
