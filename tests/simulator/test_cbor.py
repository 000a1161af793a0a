"""The simulator's CBOR subset codec: round trips, agreement with botocore's own CBOR code,
and refusal (only ``CBORDecodeError``) of anything malformed or hostile."""

from __future__ import annotations

import contextlib
import copy
import math
from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from botocore.model import ServiceModel
from hypothesis import given, settings
from hypothesis import strategies as st

from sagetune.simulator import cbor

serialize = pytest.importorskip("botocore.serialize")
parsers = pytest.importorskip("botocore.parsers")
if not hasattr(serialize, "RpcV2CBORSerializer"):  # botocore < 1.37 has no CBOR
    pytest.skip("this botocore has no CBOR codec to compare with", allow_module_level=True)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(1 << 64), max_value=(1 << 64) - 1)
    | st.floats(allow_nan=False)
    | st.text()
    | st.binary()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


CODEC = settings(max_examples=200, deadline=None)


@CODEC
@given(values)
def test_what_it_encodes_it_decodes(value: Any) -> None:
    assert cbor.decode(cbor.encode(value)) == value


@CODEC
@given(values)
def test_botocore_reads_what_it_encodes(value: Any) -> None:
    parser = parsers.RpcV2CBORParser()
    stream = parser.get_peekable_stream_from_bytes(cbor.encode(value))
    decoded = parser.parse_data_item(stream)
    assert decoded == _without_null_map_values(value)


def _without_null_map_values(value: Any) -> Any:
    """botocore's parser drops map entries whose value is null."""
    if isinstance(value, dict):
        return {k: _without_null_map_values(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_null_map_values(v) for v in value]
    return value


def test_it_reads_what_botocore_serializes_for_cloudwatch() -> None:
    raw = botocore.session.Session().get_component("data_loader")
    model = copy.deepcopy(raw.load_service_model("cloudwatch", "service-2"))
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    operation = ServiceModel(model, "cloudwatch").operation_model("GetMetricData")
    params = {
        "MetricDataQueries": [
            {
                "Id": "m1",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "/aws/sagemaker/TrainingJobs",
                        "MetricName": "loss",
                        "Dimensions": [{"Name": "TrainingJobName", "Value": "j"}],
                    },
                    "Period": 60,
                    "Stat": "p99.5",
                },
                "ReturnData": True,
            }
        ],
        "StartTime": datetime(2024, 1, 1, tzinfo=UTC),
        "EndTime": datetime(2024, 1, 1, 0, 0, 1, 500000, tzinfo=UTC),
        "MaxDatapoints": 1000,
    }
    request = serialize.create_serializer("smithy-rpc-v2-cbor").serialize_to_request(
        params, operation
    )
    decoded = cbor.decode(request["body"])
    assert decoded == {
        **params,
        "StartTime": cbor.EpochSeconds(1704067200.0),
        "EndTime": cbor.EpochSeconds(1704067201.5),
    }


@pytest.mark.parametrize(
    ("data", "value"),
    [
        (bytes.fromhex("5f42010243030405ff"), b"\x01\x02\x03\x04\x05"),  # indefinite bytes
        (bytes.fromhex("7f657374726561646d696e67ff"), "streaming"),  # indefinite text
        (bytes.fromhex("9f018202039f0405ffff"), [1, [2, 3], [4, 5]]),  # indefinite arrays
        (bytes.fromhex("bf6161016162820203ff"), {"a": 1, "b": [2, 3]}),  # indefinite map
        (bytes.fromhex("f93c00"), 1.0),  # half precision
        (bytes.fromhex("fa47c35000"), 100000.0),  # single precision
        (bytes.fromhex("f7"), None),  # undefined
        (bytes.fromhex("c1fb41d9648020000000"), cbor.EpochSeconds(1704067200.0)),
        (bytes.fromhex("3bffffffffffffffff"), -(1 << 64)),
        (b"", {}),  # no body: no input members
    ],
)
def test_it_decodes_every_form_a_client_may_send(data: bytes, value: Any) -> None:
    assert cbor.decode(data) == value


def test_infinities_and_nan_decode_as_floats() -> None:
    assert cbor.decode(bytes.fromhex("f97c00")) == math.inf
    assert math.isnan(cbor.decode(bytes.fromhex("f97e00")))


@pytest.mark.parametrize(
    "data",
    [
        bytes.fromhex("c249010000000000000000"),  # tag 2: a bignum
        bytes.fromhex("c16161"),  # tag 1 around text
        bytes.fromhex("a10102"),  # a map key that is not text
        bytes.fromhex("0101"),  # trailing bytes
        bytes.fromhex("5b00000000ffffffff"),  # a 4 GB byte string in a 9-byte body
        bytes.fromhex("9b00000000ffffffff"),  # 4 billion array items
        bytes.fromhex("bb00000000ffffffff"),  # 4 billion map entries
        bytes.fromhex("9f01"),  # an indefinite array without a break
        bytes.fromhex("5f6161ff"),  # a text chunk inside indefinite bytes
        bytes.fromhex("1c"),  # reserved additional information
        bytes.fromhex("f8ff"),  # an unassigned simple value
        bytes.fromhex("62c328"),  # text that is not UTF-8
        b"\x81" * 100 + b"\x00",  # nested 100 deep
    ],
)
def test_malformed_or_hostile_input_is_refused(data: bytes) -> None:
    with pytest.raises(cbor.CBORDecodeError):
        cbor.decode(data)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_decode_or_raise_only_its_error(data: bytes) -> None:
    with contextlib.suppress(cbor.CBORDecodeError):
        cbor.decode(data)


def test_timestamps_encode_as_tag_one() -> None:
    assert cbor.encode(datetime(2024, 1, 1, 0, 1, tzinfo=UTC)) == bytes.fromhex("c11a659200bc")
    assert cbor.encode(cbor.EpochSeconds(0.5)) == bytes.fromhex("c1fb3fe0000000000000")
