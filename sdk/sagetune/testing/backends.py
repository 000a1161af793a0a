"""What a test's clients talk to: the in-process simulator, a cassette alone, or AWS.

A backend builds sagetune clients (async and sync) that are wired for one situation:

- :class:`SimulatorBackend`: the in-process simulator through its httpx transport (no
  socket), with the simulator's own credentials; the clients' sleep moves the simulator's
  manual clock, so waiters finish in simulated time;
- :class:`ReplayBackend`: nothing behind the client at all. Requests are answered by the
  active cassette (vcrpy intercepts them before the transport); one that reaches the
  transport fails. The clock is virtual, so recorded polling replays instantly. No
  simulator, no network and no credentials are needed;
- :class:`AwsBackend`: the real service, for recording cassettes against AWS (botocore's
  credential chain, the wall clock and real sleeps).

Clients get a seeded ``random`` (retry jitter), so two runs make the same pauses.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any, Literal, Protocol

import httpx

from sagetune.testing.clocks import ClientClock, SimulatorClock, VirtualClock

if TYPE_CHECKING:
    from sagetune.client import AsyncSageMakerClient, SageMakerClient
    from sagetune.simulator import Simulator

__all__ = [
    "REPLAY_ENDPOINT_URL",
    "AwsBackend",
    "Backend",
    "ReplayBackend",
    "SimulatorBackend",
]

REPLAY_ENDPOINT_URL = "http://sagetune-simulator.local"
"""The simulator's in-process endpoint (hosts are not matched, so any would replay)."""
REPLAY_ACCESS_KEY_ID = "SAGETUNEREPLAY"
REPLAY_SECRET_ACCESS_KEY = "sagetune-replay-secret"  # not a credential: nothing checks it
JITTER_SEED = 0

BackendKind = Literal["simulator", "replay", "aws"]


class Backend(Protocol):
    """Makes clients for one kind of test backend; :meth:`close` releases them."""

    kind: BackendKind
    clock: ClientClock

    def async_client(self, **options: Any) -> AsyncSageMakerClient: ...

    def sync_client(self, **options: Any) -> SageMakerClient: ...

    def close(self) -> None: ...


class _Clients:
    """Client construction shared by the backends: defaults, then the caller's options."""

    kind: BackendKind

    def __init__(self, clock: ClientClock) -> None:
        self.clock = clock
        self._sync_clients: list[SageMakerClient] = []
        self._http_clients: list[httpx.Client] = []

    def _defaults(self) -> dict[str, Any]:
        raise NotImplementedError

    def _async_http(self) -> httpx.AsyncClient | None:
        """The client's ``http_client`` (None: the client builds its own)."""
        raise NotImplementedError

    def _sync_http(self) -> httpx.Client | None:
        raise NotImplementedError

    def async_client(self, **options: Any) -> AsyncSageMakerClient:
        """An :class:`~sagetune.AsyncSageMakerClient` for this backend (``options`` override
        the defaults, e.g. ``validate_rules=False`` or ``config=...``)."""
        from sagetune.client import AsyncSageMakerClient

        settings = {
            **self._defaults(),
            "sleep": self.clock.sleep,
            "clock": self.clock.now,
            "random": random.Random(JITTER_SEED).random,
        }
        if "http_client" not in options:
            settings["http_client"] = self._async_http()
        settings.update(options)
        return AsyncSageMakerClient(**settings)

    def sync_client(self, **options: Any) -> SageMakerClient:
        """A :class:`~sagetune.SageMakerClient` for this backend (closed by :meth:`close`)."""
        from sagetune.client import SageMakerClient

        settings = {
            **self._defaults(),
            "sleep": self.clock.sleep_blocking,
            "clock": self.clock.now,
            "random": random.Random(JITTER_SEED).random,
        }
        if "http_client" not in options:
            http = self._sync_http()
            if http is not None:
                self._http_clients.append(http)
            settings["http_client"] = http
        settings.update(options)
        client = SageMakerClient(**settings)
        self._sync_clients.append(client)
        return client

    def close(self) -> None:
        """Close the sync clients made here (async ones hold no connection to release)."""
        for client in self._sync_clients:
            client.close()
        for http in self._http_clients:
            http.close()
        self._sync_clients.clear()
        self._http_clients.clear()


class SimulatorBackend(_Clients):
    """Clients wired to an in-process simulator; sleeping advances its manual clock."""

    kind: BackendKind = "simulator"

    def __init__(self, simulator: Simulator) -> None:
        super().__init__(SimulatorClock(simulator))
        self.simulator = simulator

    def _defaults(self) -> dict[str, Any]:
        return self.simulator.client_options()

    def _async_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.simulator.async_transport())

    def _sync_http(self) -> httpx.Client:
        return httpx.Client(transport=self.simulator.transport())


class ReplayBackend(_Clients):
    """Clients for replaying a cassette: no server behind them, a virtual clock."""

    kind: BackendKind = "replay"

    def __init__(self, *, region: str = "us-east-1", clock: VirtualClock | None = None) -> None:
        super().__init__(clock if clock is not None else VirtualClock())
        self.region = region

    def _defaults(self) -> dict[str, Any]:
        return {
            "endpoint_url": REPLAY_ENDPOINT_URL,
            "region_name": self.region,
            "aws_access_key_id": REPLAY_ACCESS_KEY_ID,
            "aws_secret_access_key": REPLAY_SECRET_ACCESS_KEY,
        }

    def _async_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(_unanswerable))

    def _sync_http(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(_unanswerable))


def _unanswerable(request: httpx.Request) -> httpx.Response:
    raise RuntimeError(
        f"{request.headers.get('X-Amz-Target', request.url)} reached the replay backend: no "
        "cassette is playing. Use the sagetune_cassette marker (or "
        "sagetune.testing.use_cassette) around code that uses replay clients."
    )


class _WallClock:
    """The real clock and real sleeps (recording against AWS)."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        import asyncio

        self.sleeps.append(seconds)
        await asyncio.sleep(seconds)

    def sleep_blocking(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        time.sleep(seconds)


class AwsBackend(_Clients):
    """Clients for the real service (credentials from botocore's chain), to record against."""

    kind: BackendKind = "aws"

    def __init__(self, *, region: str | None = None, profile: str | None = None) -> None:
        super().__init__(_WallClock())
        self.region = region
        self.profile = profile

    def _defaults(self) -> dict[str, Any]:
        from sagetune.config import ClientConfig

        # httpx's own stack: vcrpy records by patching httpx's transports, and the default
        # (built-in) transport is not one of them.
        return {
            "region_name": self.region,
            "profile_name": self.profile,
            "config": ClientConfig(transport="httpx"),
        }

    def _async_http(self) -> httpx.AsyncClient | None:
        return None  # the client's own, with sagetune's timeouts and pool settings

    def _sync_http(self) -> httpx.Client | None:
        return None
