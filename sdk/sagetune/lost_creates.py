"""A create whose answer was lost: is the job that exists now the one this call asked for?

SageMaker's creates take no idempotency token. When an attempt of a create reaches the
service but its answer is lost (a reset connection, a read timeout), the client retries, and
the retry meets the job the first attempt made: ``ResourceInUse``. The rule:

1. It applies to ``CreateHyperParameterTuningJob`` and ``CreateTrainingJob`` when an attempt
   of the same call got no answer and a later one got ``ResourceInUse``.
2. The client then describes the job by name (a call of its own: signed, retried, hooked).
3. The job is this call's when every member of the request that the Describe answer echoes
   (all but ``Tags``, and ``SessionChainingConfig`` for training jobs) is there as asked:
   equal values, and in structures and maps every member or key the request set, with the
   same value; members the request left unset and keys the service added (defaults,
   ``_tuning_objective_metric``) do not count.
4. If it is, the call returns what the create returns (the ARN), built from the Describe
   answer, with its request id and the create's attempt count, as if the first answer had
   arrived. If it is not, or the Describe fails, the caller gets the ``ResourceInUse``, and
   its message says an attempt got no answer and which members differ (or why the check
   could not be made).

The check cannot tell this call's job from an identical one someone else created under the
same name in the meantime; with names unique per account and region that is the same job
for every purpose a caller has.
"""

from __future__ import annotations

from typing import Any

import attrs

from sagetune.specs import Operation, ResponseMetadata

__all__ = ["CHECKED_CREATES", "adopted", "describe_call", "differences"]

CHECKED_CREATES: dict[str, tuple[str, str]] = {
    # create operation: (the describe that shows its job, the member naming the job)
    "CreateHyperParameterTuningJob": (
        "DescribeHyperParameterTuningJob",
        "hyper_parameter_tuning_job_name",
    ),
    "CreateTrainingJob": ("DescribeTrainingJob", "training_job_name"),
}


def describe_call(operation: Operation, request: object) -> tuple[Operation, object] | None:
    """The Describe call that shows ``request``'s job, or None when ``operation`` is not a
    create this rule covers."""
    checked = CHECKED_CREATES.get(operation.name)
    if checked is None:
        return None
    from sagetune.model.operations import OPERATIONS

    describe_name, name_member = checked
    describe = OPERATIONS[describe_name]
    return describe, describe.input(**{name_member: getattr(request, name_member)})


def _fields(value: object) -> tuple[attrs.Attribute[Any], ...]:
    cls: Any = type(value)
    found: tuple[attrs.Attribute[Any], ...] = attrs.fields(cls)
    return found


def differences(request: object, described: object) -> list[str]:
    """The members of ``request`` the Describe answer ``described`` does not echo as asked
    (by name, in the request's order); empty when the job is this request's."""
    echoed = {field.name for field in _fields(described)}
    return [
        field.name
        for field in _fields(request)
        if field.name in echoed
        and not _contains(getattr(request, field.name), getattr(described, field.name))
    ]


def adopted(operation: Operation, described: object, attempts: int) -> Any:
    """The create's answer, built from the Describe answer of the job it made."""
    fields = {field.name for field in attrs.fields(operation.output)} - {"response_metadata"}
    result = operation.output(**{name: getattr(described, name) for name in fields})
    seen: ResponseMetadata | None = getattr(described, "response_metadata", None)
    metadata = ResponseMetadata(
        request_id=seen.request_id if seen is not None else None,
        http_status=200,
        attempts=attempts,
    )
    object.__setattr__(result, "response_metadata", metadata)
    return result


def _contains(asked: object, echoed: object) -> bool:
    """Whether ``echoed`` holds everything ``asked`` sets (see rule 3)."""
    if asked is None:
        return True
    if attrs.has(type(asked)):
        return type(echoed) is type(asked) and all(
            _contains(getattr(asked, field.name), getattr(echoed, field.name))
            for field in _fields(asked)
        )
    if isinstance(asked, dict):
        return isinstance(echoed, dict) and all(
            key in echoed and _contains(value, echoed[key]) for key, value in asked.items()
        )
    if isinstance(asked, list | tuple):
        return (
            isinstance(echoed, list | tuple)
            and len(asked) == len(echoed)
            and all(_contains(a, e) for a, e in zip(asked, echoed, strict=True))
        )
    return asked == echoed
