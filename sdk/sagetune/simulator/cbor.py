"""The subset of CBOR (RFC 8949) that Smithy RPC v2 CBOR uses, for the simulator's CloudWatch.

Why our own: botocore's CBOR code is private (``botocore.serialize.CBORSerializer``,
``botocore.parsers.BaseCBORParser``), shape-driven, and absent before botocore 1.37 (the
project supports 1.34); ``cbor2`` would be a new dependency for about 150 lines. Tests
check this codec against botocore's where botocore has one.

Decoding takes what a Smithy client may send: major types 0-7, definite and indefinite
lengths, half/single/double floats, ``true``/``false``/``null``/``undefined`` and tag 1
(epoch seconds, as ``EpochSeconds``). It refuses, with ``CBORDecodeError``, what a request
never needs and what could hurt the server: other tags (bignums, decimals), map keys that
are not text, nesting deeper than ``MAX_DEPTH``, lengths longer than the bytes left, and
trailing bytes. Encoding writes the smallest integer heads, doubles as 64-bit floats,
``datetime`` and ``EpochSeconds`` as tag 1 (an integer when whole, else a double).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

__all__ = ["MAX_DEPTH", "CBORDecodeError", "EpochSeconds", "decode", "encode"]

MAX_DEPTH = 64
"""Deepest nesting of arrays, maps and tags a request may use (CloudWatch's needs 6)."""

_BREAK = 0xFF
_INDEFINITE = 31


@attrs.frozen
class EpochSeconds:
    """A CBOR tag-1 date/time: seconds since the epoch (not checked for range here)."""

    seconds: float


class CBORDecodeError(ValueError):
    """The bytes are not a CBOR data item this codec accepts; the message says where."""


# -- encoding


def encode(value: Any) -> bytes:
    """One CBOR data item for ``value`` (None, bool, int, float, str, bytes, list/tuple,
    str-keyed mapping, ``datetime`` or ``EpochSeconds``)."""
    out = bytearray()
    _encode(out, value)
    return bytes(out)


def _head(out: bytearray, major: int, length: int) -> None:
    if length < 24:
        out.append(major << 5 | length)
    elif length < 1 << 8:
        out += bytes((major << 5 | 24, length))
    elif length < 1 << 16:
        out.append(major << 5 | 25)
        out += length.to_bytes(2, "big")
    elif length < 1 << 32:
        out.append(major << 5 | 26)
        out += length.to_bytes(4, "big")
    else:
        out.append(major << 5 | 27)
        out += length.to_bytes(8, "big")


def _encode(out: bytearray, value: Any) -> None:
    if value is None:
        out.append(0xF6)
    elif value is True:
        out.append(0xF5)
    elif value is False:
        out.append(0xF4)
    elif isinstance(value, int):
        if not -(1 << 64) <= value < 1 << 64:
            raise ValueError(f"integer {value} does not fit CBOR's 64-bit heads")
        if value >= 0:
            _head(out, 0, value)
        else:
            _head(out, 1, -1 - value)
    elif isinstance(value, float):
        out.append(0xFB)
        out += struct.pack(">d", value)
    elif isinstance(value, str):
        data = value.encode("utf-8")
        _head(out, 3, len(data))
        out += data
    elif isinstance(value, bytes | bytearray):
        _head(out, 2, len(value))
        out += value
    elif isinstance(value, datetime | EpochSeconds):
        seconds = value.timestamp() if isinstance(value, datetime) else value.seconds
        _head(out, 6, 1)
        _encode(out, int(seconds) if float(seconds).is_integer() else float(seconds))
    elif isinstance(value, Mapping):
        _head(out, 5, len(value))
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"CBOR map keys must be text here, not {type(key).__name__}")
            _encode(out, key)
            _encode(out, item)
    elif isinstance(value, Sequence):
        _head(out, 4, len(value))
        for item in value:
            _encode(out, item)
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


# -- decoding


def decode(data: bytes) -> Any:
    """The single data item ``data`` holds; an empty body is an empty map (no input)."""
    if not data:
        return {}
    reader = _Reader(data)
    value = reader.item(0)
    if reader.pos != len(data):
        raise CBORDecodeError(f"{len(data) - reader.pos} bytes follow the data item")
    return value


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _take(self, n: int) -> bytes:
        if n > len(self.data) - self.pos:
            raise CBORDecodeError(f"{n} bytes needed at offset {self.pos}; the body ends first")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def _argument(self, info: int) -> int:
        if info < 24:
            return info
        if info <= 27:
            return int.from_bytes(self._take(1 << (info - 24)), "big")
        raise CBORDecodeError(f"reserved additional information {info} at offset {self.pos - 1}")

    def _at_break(self) -> bool:
        if self.pos >= len(self.data):
            raise CBORDecodeError("an indefinite-length item has no break")
        if self.data[self.pos] == _BREAK:
            self.pos += 1
            return True
        return False

    def _count(self, info: int, per_item: int) -> int:
        """A definite count of items, each at least ``per_item`` bytes, that the body can hold."""
        count = self._argument(info)
        if count * per_item > len(self.data) - self.pos:
            raise CBORDecodeError(f"a length of {count} at offset {self.pos} exceeds the body")
        return count

    def item(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise CBORDecodeError(f"nesting deeper than {MAX_DEPTH} at offset {self.pos}")
        initial = self._take(1)[0]
        major, info = initial >> 5, initial & 0x1F
        if major == 0:
            return self._argument(info)
        if major == 1:
            return -1 - self._argument(info)
        if major in (2, 3):
            return self._string(major, info)
        if major == 4:
            return self._array(info, depth)
        if major == 5:
            return self._map(info, depth)
        if major == 6:
            return self._tag(info, depth)
        return self._simple(info)

    def _string(self, major: int, info: int) -> bytes | str:
        if info == _INDEFINITE:
            chunks = []
            while not self._at_break():
                initial = self._take(1)[0]
                if initial >> 5 != major or initial & 0x1F == _INDEFINITE:
                    raise CBORDecodeError(f"bad chunk in an indefinite string at {self.pos - 1}")
                chunks.append(self._take(self._count(initial & 0x1F, 1)))
            raw = b"".join(chunks)
        else:
            raw = self._take(self._count(info, 1))
        if major == 2:
            return raw
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CBORDecodeError(f"a text string is not UTF-8: {exc}") from None

    def _array(self, info: int, depth: int) -> list[Any]:
        if info == _INDEFINITE:
            items = []
            while not self._at_break():
                items.append(self.item(depth + 1))
            return items
        return [self.item(depth + 1) for _ in range(self._count(info, 1))]

    def _map(self, info: int, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if info == _INDEFINITE:
            while not self._at_break():
                self._entry(result, depth)
        else:
            for _ in range(self._count(info, 2)):
                self._entry(result, depth)
        return result

    def _entry(self, result: dict[str, Any], depth: int) -> None:
        at = self.pos
        key = self.item(depth + 1)
        if not isinstance(key, str):
            raise CBORDecodeError(f"a map key at offset {at} is not a text string")
        result[key] = self.item(depth + 1)

    def _tag(self, info: int, depth: int) -> EpochSeconds:
        at = self.pos - 1
        tag = self._argument(info)
        if tag != 1:
            raise CBORDecodeError(f"CBOR tag {tag} at offset {at} is not supported (only tag 1)")
        value = self.item(depth + 1)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CBORDecodeError(f"tag 1 at offset {at} must hold a number")
        return EpochSeconds(float(value))

    def _simple(self, info: int) -> Any:
        if info == 20:
            return False
        if info == 21:
            return True
        if info in (22, 23):  # null, undefined
            return None
        if info == 25:
            return float(struct.unpack(">e", self._take(2))[0])
        if info == 26:
            return float(struct.unpack(">f", self._take(4))[0])
        if info == 27:
            return float(struct.unpack(">d", self._take(8))[0])
        raise CBORDecodeError(f"unsupported simple value {info} at offset {self.pos - 1}")
