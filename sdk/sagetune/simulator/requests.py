"""The requests the simulator keeps: one seam they all pass, and what a training job inherits.

- ``stored_request``: every request the simulator stores passes through it once, before
  anything reads it: CreateHyperParameterTuningJob and CreateTrainingJob requests as they
  arrive (``service``) and the training requests a tuning job builds (``training_request``).
  The service's documented defaults and derived members belong there, as one table.
- ``INHERITED_MEMBERS``: the members a tuning job's training job takes from its training job
  definition; ``training_request`` builds that request, and ``DESCRIBED_MEMBERS`` (the same
  list plus the hyperparameters) is what DescribeTrainingJob echoes of any training request.
- ``request_to_wire`` / ``request_from_wire``: the wire form, which exists only in the store.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from sagetune.codec import from_wire, to_wire
from sagetune.model import (
    AlgorithmSpecification,
    CreateHyperParameterTuningJobRequest,
    CreateTrainingJobRequest,
    HyperParameterAlgorithmSpecification,
    HyperParameterTrainingJobDefinition,
)
from sagetune.model.wire_names import WIRE_NAMES

StoredRequest = TypeVar(
    "StoredRequest", CreateHyperParameterTuningJobRequest, CreateTrainingJobRequest
)

INHERITED_MEMBERS = (
    "algorithm_specification",
    "role_arn",
    "input_data_config",
    "vpc_config",
    "output_data_config",
    "resource_config",
    "stopping_condition",
    "enable_network_isolation",
    "enable_inter_container_traffic_encryption",
    "enable_managed_spot_training",
    "checkpoint_config",
    "retry_strategy",
    "environment",
)
"""Members of a HyperParameterTrainingJobDefinition that each training job it launches has in
its CreateTrainingJobRequest (same names; the definition's HyperParameterAlgorithmSpecification
becomes an AlgorithmSpecification with the same members). Its hyperparameters are the
definition's static ones plus the tuned ones and the objective's name."""

DESCRIBED_MEMBERS = ("hyper_parameters", *INHERITED_MEMBERS)
"""Members of a training job's request that DescribeTrainingJob answers with."""


def stored_request(request: StoredRequest) -> StoredRequest:
    """The form in which the simulator keeps ``request`` (and answers Describe with).

    Today the request as accepted. The members the service fills in when a request leaves
    them out, and those it derives, go here as one table, so that everything downstream
    (tuning, warm-start checks, Describe, the store) sees the request as the service keeps it.
    """
    return request


def training_request(
    definition: HyperParameterTrainingJobDefinition,
    *,
    name: str,
    hyperparameters: Mapping[str, str],
) -> CreateTrainingJobRequest:
    """The request of one training job a tuning job launches from ``definition``.

    Not validated again: the definition was, and the service's own training jobs are not held
    to CreateTrainingJob's limits (100 static + 30 tuned hyperparameters + the objective's
    name may exceed its 100).
    """
    members: dict[str, Any] = {member: getattr(definition, member) for member in INHERITED_MEMBERS}
    members["algorithm_specification"] = _algorithm(definition.algorithm_specification)
    members["training_job_name"] = name
    members["hyper_parameters"] = dict(hyperparameters)
    return stored_request(_unchecked(CreateTrainingJobRequest, members))


def _algorithm(spec: HyperParameterAlgorithmSpecification) -> AlgorithmSpecification:
    return AlgorithmSpecification(
        training_image=spec.training_image,
        training_input_mode=spec.training_input_mode,
        algorithm_name=spec.algorithm_name,
        metric_definitions=spec.metric_definitions,
    )


# -- the stored (wire) form


def request_to_wire(
    request: CreateHyperParameterTuningJobRequest | CreateTrainingJobRequest,
) -> dict[str, Any]:
    """The wire form of a stored request (what the store writes)."""
    return to_wire(request)


def request_from_wire(cls: type[StoredRequest], data: Mapping[str, Any]) -> StoredRequest:
    """A stored request read back: structured like a response (leniently), not validated
    again (the simulator accepted or built it once; a restart must not judge it anew)."""
    hints = _hints(cls)
    members: dict[str, Any] = {}
    for attribute, wire in WIRE_NAMES[cls].items():
        value = data.get(wire)
        if value is not None:
            members[attribute] = _structured(hints[attribute], value)
    return _unchecked(cls, members)


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    found = _HINTS.get(cls)
    if found is None:
        found = _HINTS[cls] = typing.get_type_hints(cls)
    return found


def _structured(tp: Any, value: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
    if tp in WIRE_NAMES and isinstance(value, Mapping):
        return from_wire(tp, value)  # a nested shape: lenient, never validated
    if typing.get_origin(tp) is list and isinstance(value, list):
        (item,) = typing.get_args(tp)
        if item in WIRE_NAMES:
            return [from_wire(item, v) for v in value]
    return value


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _unchecked(cls: type[StoredRequest], members: Mapping[str, Any]) -> StoredRequest:
    """An instance of the request class ``cls`` (absent members None) without running the
    validation its constructor runs (once per launched training job: kept cheap)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(field.name for field in attrs.fields(cls))
    instance = object.__new__(cls)
    get, set_member = members.get, object.__setattr__
    for name in names:
        set_member(instance, name, get(name))
    return instance
