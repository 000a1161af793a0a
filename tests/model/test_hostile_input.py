"""Hostile input never escapes as a raw Python exception.

Absurd timestamps, documents nested far too deeply, huge values, and arbitrary JSON-ish
documents go through the codec (``from_wire`` / ``to_wire``), the protocol (``decode`` /
``encode``) and validation messages: what comes out is a value, a ``ValidationError`` (a
request), or a ``DocumentError`` (a document that cannot be read or written), never an
OverflowError, ValueError or RecursionError from inside.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagetune import AsyncSageMakerClient, protocol
from sagetune.base_errors import SHOWN_CHARACTERS, show_value
from sagetune.codec import from_wire, to_wire
from sagetune.constraints import TIMESTAMP_RANGE
from sagetune.errors import DocumentError, ServiceError, ValidationError, Violation
from sagetune.model import (
    CreateHyperParameterTuningJobRequest,
    DescribeHyperParameterTuningJobRequest,
    DescribeHyperParameterTuningJobResponse,
    ListTrainingJobsRequest,
)
from sagetune.model.operations import OPERATIONS
from sagetune.simulator import ENDPOINT_URL, Simulator
from tests.client.aws_double import AKID, REGION, SECRET, Answer, ScriptedService, ok
from tests.model.test_codec_wire_forms import DESCRIBE
from tests.model.wire_strategies import SHAPES
from tests.simulator.conftest import SignedCaller

DEEP = 100_000  # far beyond the interpreter's recursion limit
DESCRIBE_JOB_1 = DescribeHyperParameterTuningJobRequest(hyper_parameter_tuning_job_name="job-1")
ABSURD_TIMESTAMPS = [1e308, -1e308, math.nan, math.inf, -math.inf, 10**400, 253402300800]


def nested_lists(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


# ---------------------------------------------------------------- timestamps


@pytest.mark.parametrize("seconds", ABSURD_TIMESTAMPS, ids=repr)
def test_an_absurd_request_timestamp_is_a_validation_error_naming_the_member(
    seconds: float,
) -> None:
    with pytest.raises(ValidationError) as caught:
        from_wire(ListTrainingJobsRequest, {"CreationTimeBefore": seconds})
    ((path, rule),) = [(v.path, v.rule) for v in caught.value.violations]
    assert (path, rule) == ("creationTimeBefore", TIMESTAMP_RANGE)
    assert (
        "at 'creationTimeBefore' failed to satisfy constraint: Member must be a timestamp from"
        in (str(caught.value))
    )


def test_a_request_timestamp_of_another_type_is_still_named_as_a_wrong_type() -> None:
    with pytest.raises(ValidationError) as caught:
        from_wire(ListTrainingJobsRequest, {"CreationTimeBefore": "tomorrow"})
    assert [v.rule for v in caught.value.violations] == ["Member must be a datetime"]


@pytest.mark.parametrize("seconds", ABSURD_TIMESTAMPS, ids=repr)
def test_an_absurd_response_timestamp_is_kept_as_sent(seconds: float) -> None:
    response = from_wire(
        DescribeHyperParameterTuningJobResponse, {**DESCRIBE, "CreationTime": seconds}
    )
    kept: object = response.creation_time
    assert kept is seconds  # not read as a date, not dropped: the value as it came
    assert to_wire(response)["CreationTime"] is kept


# ---------------------------------------------------------------- nesting


def test_decode_reads_documents_up_to_the_depth_limit() -> None:
    depth = protocol.MAX_DEPTH
    assert protocol.decode(b"[" * depth + b"]" * depth) == nested_lists(depth - 1)
    with pytest.raises(DocumentError, match=f"more than {depth} levels deep"):
        protocol.decode(b"[" * (depth + 1) + b"]" * (depth + 1))


@pytest.mark.parametrize("opening", [b"[", b'{"a":'], ids=["arrays", "objects"])
def test_decode_of_a_very_deep_document_is_a_document_error(opening: bytes) -> None:
    closing = b"]" if opening == b"[" else b"}"
    with pytest.raises(DocumentError, match="levels deep"):
        protocol.decode(opening * DEEP + b"1" + closing * DEEP)


def test_decode_of_malformed_json_says_where_and_stays_a_value_error() -> None:
    with pytest.raises(DocumentError) as caught:
        protocol.decode(b'{"MaxResults": }')
    assert isinstance(caught.value, ValueError)
    assert "line 1 column 16" in str(caught.value)


def test_encode_of_a_too_deep_document_is_a_document_error() -> None:
    with pytest.raises(DocumentError, match="nested too deeply"):
        protocol.encode({"Tags": nested_lists(DEEP)})


def test_to_wire_passes_a_deep_value_of_the_wrong_type_through_unvisited() -> None:
    deep = nested_lists(DEEP)
    response = from_wire(
        DescribeHyperParameterTuningJobResponse, {**DESCRIBE, "HyperParameterTuningJobConfig": deep}
    )
    assert to_wire(response)["HyperParameterTuningJobConfig"] is deep


def test_a_violation_about_a_deep_value_has_a_bounded_message() -> None:
    with pytest.raises(ValidationError) as caught:
        from_wire(
            CreateHyperParameterTuningJobRequest,
            {"HyperParameterTuningJobName": nested_lists(DEEP)},
        )
    text = str(caught.value)
    assert "Value '[[[[" in text
    assert f"... ({2 * DEEP + 2} characters)' at 'hyperParameterTuningJobName'" in text
    assert len(text) < 1000


# ---------------------------------------------------------------- long values


def test_a_long_value_is_shortened_in_the_message() -> None:
    name = "a b" * 5000
    with pytest.raises(ValidationError) as caught:
        ListTrainingJobsRequest(name_contains=name)
    shown = f"Value '{name[:SHOWN_CHARACTERS]}... (15000 characters)' at 'nameContains'"
    assert str(caught.value).count(shown) == 2  # length and pattern
    assert len(str(caught.value)) < 800
    assert caught.value.violations[0].value == name  # the violation keeps the whole value


def test_values_are_shown_as_before_up_to_the_limit() -> None:
    assert show_value("x" * SHOWN_CHARACTERS) == "x" * SHOWN_CHARACTERS
    assert show_value({"a": [1, (2,), None, True, 1.5]}) == str({"a": [1, (2,), None, True, 1.5]})
    assert show_value(True) == "true"
    assert show_value(math.nan) == "nan"


# ---------------------------------------------------------------- through the client and the simulator


async def test_the_client_reports_a_too_deep_answer_as_a_malformed_response() -> None:
    deep = b'{"HyperParameterTuningJobName": ' + b"[" * DEEP + b"]" * DEEP + b"}"
    service = ScriptedService(Answer(200, deep))
    async with AsyncSageMakerClient(
        region_name=REGION,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        http_client=service.async_client(),
    ) as sm:
        with pytest.raises(ServiceError) as caught:
            await sm.describe_hyper_parameter_tuning_job(DESCRIBE_JOB_1)
    assert caught.value.code == "MalformedResponse"


async def test_the_client_keeps_an_absurd_timestamp_in_an_answer() -> None:
    service = ScriptedService(ok({**DESCRIBE, "CreationTime": 1e308}))
    async with AsyncSageMakerClient(
        region_name=REGION,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        http_client=service.async_client(),
    ) as sm:
        answer = await sm.describe_hyper_parameter_tuning_job(DESCRIBE_JOB_1)
    assert answer.creation_time == 1e308


@pytest.fixture
def call() -> Iterator[SignedCaller]:
    simulator = Simulator()
    try:
        with httpx.Client(transport=simulator.transport()) as client:
            yield SignedCaller(client, ENDPOINT_URL)
    finally:
        simulator.close()


def test_the_simulator_answers_a_too_deep_body_with_a_serialization_exception(
    call: SignedCaller,
) -> None:
    response = call.raw("SageMaker.ListTrainingJobs", b"[" * DEEP + b"]" * DEEP)
    assert response.status_code == 400
    assert response.json()["__type"] == "SerializationException"


@pytest.mark.parametrize("token", [b"1e308", b"NaN", b"Infinity", b"-1e400"])
def test_the_simulator_answers_an_absurd_time_filter_with_a_validation_exception(
    call: SignedCaller, token: bytes
) -> None:
    response = call.raw("SageMaker.ListTrainingJobs", b'{"CreationTimeBefore": ' + token + b"}")
    assert response.status_code == 400
    assert response.json()["__type"] == "ValidationException"
    assert "at 'creationTimeBefore'" in response.json()["message"]


# ---------------------------------------------------------------- fuzzing

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


@st.composite
def hostile_document(draw: st.DrawFn, shape: str, depth: int = 0) -> dict[str, Any]:
    """A wire dict for ``shape`` whose members are each left out, of the right kind (nested
    structures and lists of them recursively hostile), or any JSON-ish value; plus, now and
    then, a member the shape does not have."""
    members = SHAPES[shape].get("members", {})
    document: dict[str, Any] = {}
    for name, ref in members.items():
        choice = draw(st.integers(0, 3))
        target = SHAPES[ref["shape"]]
        if choice == 0:
            continue
        if choice == 1 and depth < 4 and target["type"] == "structure":
            document[name] = draw(hostile_document(ref["shape"], depth + 1))
        elif choice == 1 and depth < 4 and target["type"] == "list":
            item = target["member"]["shape"]
            if SHAPES[item]["type"] == "structure":
                document[name] = draw(st.lists(hostile_document(item, depth + 1), max_size=2))
            else:
                document[name] = draw(st.lists(json_values, max_size=3))
        else:
            document[name] = draw(json_values)
    if draw(st.booleans()):
        document[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
    return document


FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
OPERATION_NAMES = sorted(OPERATIONS)


@FUZZ
@given(st.data())
def test_requests_from_any_document_validate_or_raise_validation_error(data: st.DataObject) -> None:
    operation = OPERATIONS[data.draw(st.sampled_from(OPERATION_NAMES))]
    document = data.draw(hostile_document(operation.input.__name__))
    rejected: ValidationError | None = None
    try:
        request = from_wire(operation.input, document)
    except ValidationError as exc:
        rejected = exc
    if rejected is not None:
        assert str(rejected).startswith(f"{len(rejected.violations)} validation error")
        return
    wire = to_wire(request)
    assert json.loads(protocol.encode(wire)) == json.loads(json.dumps(wire))
    assert from_wire(operation.input, wire) == request


@FUZZ
@given(st.data())
def test_responses_from_any_document_are_read_leniently(data: st.DataObject) -> None:
    operation = OPERATIONS[data.draw(st.sampled_from(OPERATION_NAMES))]
    name = operation.output.__name__  # synthesized empty outputs are not in the model
    anything = st.dictionaries(st.text(max_size=8), json_values, max_size=3)
    document = data.draw(hostile_document(name) if name in SHAPES else anything)
    response = from_wire(operation.output, document)
    protocol.encode(to_wire(response))
    repr(response)


@FUZZ
@given(
    st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.integers(0, 3 * protocol.MAX_DEPTH).map(lambda n: b"[" * n + b"]" * n)
)
def test_decode_of_any_bytes_returns_a_document_or_raises_document_error(body: bytes) -> None:
    try:
        protocol.decode(body)
    except DocumentError as exc:
        message = str(exc)
    else:
        message = "read"
    assert message


@FUZZ
@given(st.data())
def test_checking_a_document_as_read_finds_what_checking_the_built_request_finds(
    data: st.DataObject,
) -> None:
    # from_wire checks members as it reads them; constructors check the built object
    # (_violations): the same rules, so the same violations in the same order (only a
    # document can have unknown members).
    operation = OPERATIONS[data.draw(st.sampled_from(OPERATION_NAMES))]
    document = data.draw(hostile_document(operation.input.__name__))
    as_read: list[Violation] = []
    try:
        from_wire(operation.input, document)
    except ValidationError as exc:
        as_read = [v for v in exc.violations if not v.rule.startswith("Unknown member of")]
    built = from_wire(operation.input, document, validate=False)
    on_object: list[Violation] = []
    built._violations(None, on_object)
    assert [(v.path, v.rule) for v in as_read] == [(v.path, v.rule) for v in on_object]
