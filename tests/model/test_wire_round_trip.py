"""Round trip of every shape through the codec: ``from_wire(cls, to_wire(x)) == x``.

Objects are built from wire dicts drawn from the model (requests are validated on the way,
responses are not). Timestamps carry microseconds and stay within 1970-2100, where float
epoch seconds still resolve a microsecond.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagetune.codec import from_wire, to_wire
from sagetune.model import shapes
from tests.model.wire_strategies import SHAPES, assert_plain_json, params

ROUND_TRIP = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SHAPE_CLASSES: list[type[Any]] = [getattr(shapes, name) for name in sorted(shapes.__all__)]


def epoch_form(value: Any) -> Any:
    """A params tree as it goes on the wire: datetimes as epoch seconds (int when whole)."""
    if isinstance(value, datetime):
        seconds = value.timestamp()
        return int(seconds) if value.microsecond == 0 else seconds
    if isinstance(value, dict):
        return {key: epoch_form(item) for key, item in value.items()}
    if isinstance(value, list):
        return [epoch_form(item) for item in value]
    return value


def test_every_structure_of_the_model_has_a_class() -> None:
    structures = {
        n for n, s in SHAPES.items() if s["type"] == "structure" and not s.get("exception")
    }
    assert structures <= {cls.__name__ for cls in SHAPE_CLASSES}


@pytest.mark.parametrize("cls", SHAPE_CLASSES, ids=lambda cls: cls.__name__)
def test_objects_survive_the_wire_unchanged(cls: type[Any]) -> None:
    # Synthesized empty outputs (e.g. StopHyperParameterTuningJobResponse) are not in the model.
    drawn = params(cls.__name__, whole_seconds=False) if cls.__name__ in SHAPES else st.just({})

    @ROUND_TRIP
    @given(drawn)
    def check(wire: dict[str, Any]) -> None:
        obj = from_wire(cls, wire)
        sent = to_wire(obj)
        assert_plain_json(sent)
        assert sent == epoch_form(wire)
        assert from_wire(cls, sent) == obj

    check()


@pytest.mark.parametrize("cls", SHAPE_CLASSES, ids=lambda cls: cls.__name__)
def test_objects_read_from_the_wire_are_the_ones_their_constructor_builds(cls: type[Any]) -> None:
    # from_wire sets the members without calling __init__: every slot must be set, the same way.
    drawn = params(cls.__name__, whole_seconds=False) if cls.__name__ in SHAPES else st.just({})

    @ROUND_TRIP
    @given(drawn)
    def check(wire: dict[str, Any]) -> None:
        read = from_wire(cls, wire)
        members = {field.name: getattr(read, field.name) for field in attrs.fields(cls)}
        built = cls(**members)
        assert read == built
        assert repr(read) == repr(built)
        assert attrs.asdict(read, recurse=False) == attrs.asdict(built, recurse=False)

    check()
