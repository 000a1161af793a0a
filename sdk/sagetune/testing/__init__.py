"""Test helpers for applications that use sagetune: a pytest plugin, cassettes, verify.

The pytest plugin (:mod:`sagetune.testing.plugin`) is registered through the ``pytest11``
entry point: installing ``sagetune[testing]`` is all an application's tests need. The
names below are for code outside pytest or beyond the fixtures; they are imported on
first use, so importing this package costs nothing (and needs no vcrpy).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sagetune.testing.backends import AwsBackend, Backend, ReplayBackend, SimulatorBackend
    from sagetune.testing.cassettes import CassetteMismatchError, use_cassette
    from sagetune.testing.clocks import ClientClock, SimulatorClock, VirtualClock
    from sagetune.testing.network import NetworkBlockedError, block_network
    from sagetune.testing.plugin import Recording
    from sagetune.testing.record_modes import RecordMode
    from sagetune.testing.scrubbing import Scrubber, SecretFinding, find_secrets
    from sagetune.testing.verify import CassetteReport, Difference, verify_cassette

__all__ = [
    "AwsBackend",
    "Backend",
    "CassetteMismatchError",
    "CassetteReport",
    "ClientClock",
    "Difference",
    "NetworkBlockedError",
    "RecordMode",
    "Recording",
    "ReplayBackend",
    "Scrubber",
    "SecretFinding",
    "SimulatorBackend",
    "SimulatorClock",
    "VirtualClock",
    "block_network",
    "find_secrets",
    "use_cassette",
    "verify_cassette",
]

_HOMES = {
    "AwsBackend": "backends",
    "Backend": "backends",
    "ReplayBackend": "backends",
    "SimulatorBackend": "backends",
    "CassetteMismatchError": "cassettes",
    "use_cassette": "cassettes",
    "ClientClock": "clocks",
    "SimulatorClock": "clocks",
    "VirtualClock": "clocks",
    "NetworkBlockedError": "network",
    "block_network": "network",
    "Recording": "plugin",
    "RecordMode": "record_modes",
    "Scrubber": "scrubbing",
    "SecretFinding": "scrubbing",
    "find_secrets": "scrubbing",
    "CassetteReport": "verify",
    "Difference": "verify",
    "verify_cassette": "verify",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sagetune.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"sagetune.testing.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
