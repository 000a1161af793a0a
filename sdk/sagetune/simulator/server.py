"""The simulator as one object: store, clock, engine, service, protocol handler, adapters.

``Simulator`` is what tests and the ``sagetune serve`` command build. In process, use its
``transport()`` / ``async_transport()`` with an httpx client (no socket); over the network,
``serve()`` runs its ASGI app under uvicorn with a driver thread that moves the clock.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from sagetune.simulator.adapters import (
    ASGIApp,
    InProcessAsyncTransport,
    InProcessTransport,
    make_asgi_app,
)
from sagetune.simulator.algorithms import (
    AlgorithmFn,
    AlgorithmRegistry,
    AlgorithmSpec,
    default_registry,
)
from sagetune.simulator.auth import AuthSettings
from sagetune.simulator.clock import Clock, EventClock, ManualClock, make_clock
from sagetune.simulator.engine import Engine
from sagetune.simulator.extensions import Extensions
from sagetune.simulator.handler import ProtocolHandler
from sagetune.simulator.service import DEFAULT_CONCURRENT_TUNING_JOBS, Service
from sagetune.simulator.store import Store

DEFAULT_ACCESS_KEY_ID = "SAGETUNESIMULATOR"
DEFAULT_SECRET_ACCESS_KEY = "sagetune-simulator-secret"
DEFAULT_CREDENTIALS: Mapping[str, str] = {DEFAULT_ACCESS_KEY_ID: DEFAULT_SECRET_ACCESS_KEY}
"""The key the simulator accepts unless told otherwise (not an AWS key: safe in cassettes)."""
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"
ENDPOINT_URL = "http://sagetune-simulator.local"
"""The URL clients use with the in-process transports (any host works; this one says what it is)."""


class Simulator:
    """A reference SageMaker tuning service that really runs training jobs.

    ``db`` is a SQLite file (state survives restarts) or ``":memory:"``. ``clock`` defaults
    to a ``ManualClock`` (tests move it with ``advance``); ``time_scale`` builds a
    ``ScaledClock`` instead, and ``time_scale="max"`` an ``EventClock``. ``credentials`` maps
    access key ids to secrets (default ``DEFAULT_CREDENTIALS``); ``auth=False`` turns SigV4
    verification off explicitly.
    """

    def __init__(
        self,
        *,
        db: str | Path = ":memory:",
        clock: Clock | None = None,
        time_scale: float | str | None = None,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        credentials: Mapping[str, str] | None = None,
        auth: bool = True,
        max_skew: timedelta = timedelta(minutes=5),
        algorithms: AlgorithmRegistry | None = None,
        max_concurrent_tuning_jobs: int = DEFAULT_CONCURRENT_TUNING_JOBS,
    ) -> None:
        self.clock: Clock = clock if clock is not None else make_clock(time_scale)
        self.region = region
        self.account_id = account_id
        self.credentials = dict(DEFAULT_CREDENTIALS if credentials is None else credentials)
        self.algorithms = algorithms or default_registry()
        self.store = Store(db)
        self.engine = Engine(
            self.store, self.clock, self.algorithms, region=region, account_id=account_id
        )
        self.engine.load()
        self.service = Service(self.engine, max_concurrent_tuning_jobs=max_concurrent_tuning_jobs)
        self.handler = ProtocolHandler(
            self.engine,
            self.service,
            Extensions(self.engine, self.store),
            AuthSettings(
                credentials=self.credentials, region=region, enabled=auth, max_skew=max_skew
            ),
        )
        self._lock = threading.Lock()
        self._waiting = 0  # requests waiting for the lock: the driver gives way to them
        self._count_lock = threading.Lock()
        self._stop = threading.Event()
        self._driver: threading.Thread | None = None

    # -- algorithms

    def register_algorithm(
        self,
        image_or_name: str,
        fn: AlgorithmFn,
        *,
        spec: AlgorithmSpec | None = None,
        replace: bool = False,
    ) -> AlgorithmSpec:
        """Run ``fn`` for training jobs whose TrainingImage or AlgorithmName is ``image_or_name``."""
        return self.algorithms.register(image_or_name, fn, spec=spec, replace=replace)

    # -- adapters

    def transport(self) -> httpx.BaseTransport:
        """An httpx transport for ``httpx.Client``: requests reach the simulator in process."""
        return InProcessTransport(self.serialized_handler)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport for ``httpx.AsyncClient``."""
        return InProcessAsyncTransport(self.serialized_handler)

    def asgi_app(self) -> ASGIApp:
        return make_asgi_app(self.serialized_handler)

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for sagetune's clients to use this simulator's key and region."""
        key, secret = next(iter(self.credentials.items()))
        return {
            "endpoint_url": ENDPOINT_URL,
            "region_name": self.region,
            "aws_access_key_id": key,
            "aws_secret_access_key": secret,
        }

    # -- the clock

    def advance(self, seconds: float) -> None:
        """Move a manual clock forward and run every event due by then."""
        if not isinstance(self.clock, ManualClock):
            raise TypeError(
                f"advance() needs a ManualClock, this simulator has {type(self.clock).__name__}"
            )
        self.clock.advance(seconds)
        self.engine.advance()

    def run_until_idle(self, max_events: int = 10_000_000) -> float:
        """Run every pending event, moving the clock to each one; returns the final time.

        With a manual or event clock only (a scaled clock follows the wall clock).
        """
        for _ in range(max_events):
            if not self._run_next_event():
                break
        self.engine.flush()
        return self.engine.now

    def _run_next_event(self) -> bool:
        """Move the clock to the next pending event and run it; False when there is none."""
        t = self.engine.next_event_time()
        if t is None:
            return False
        self._jump(t)
        self.engine.step()
        return True

    def _jump(self, t: float) -> None:
        clock = self.clock
        if isinstance(clock, ManualClock):
            if t > clock.now():
                clock.set(t)
        elif isinstance(clock, EventClock):
            clock.jump_to(t)
        else:
            raise TypeError("running events ahead of time needs a ManualClock or an EventClock")

    def close(self) -> None:
        self.stop_driver()
        with self._lock:
            self.engine.flush()
            self.store.close()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- serving

    def serialized_handler(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes
    ) -> tuple[int, Sequence[tuple[str, str]], bytes]:
        """The protocol handler, taking turns with the clock driver (``start_driver``)."""
        with self._count_lock:
            self._waiting += 1
        with self._lock:
            with self._count_lock:
                self._waiting -= 1
            return self.handler(method, target, headers, body)

    def start_driver(self, *, idle_seconds: float = 0.05, slice_seconds: float = 0.05) -> None:
        """Move the clock on a background thread (what ``serve`` does).

        Scaled clock: catch up with the wall clock every ``idle_seconds``. Event clock: run
        events back to back, in slices of at most ``slice_seconds``, giving way to a waiting
        request after every event, so requests wait for one event at most. Manual clock:
        nothing to drive. Engine access is serialized with requests by one lock.
        """
        if isinstance(self.clock, ManualClock) or self._driver is not None:
            return
        self._stop.clear()
        self._driver = threading.Thread(
            target=self._drive,
            args=(idle_seconds, slice_seconds),
            name="sagetune-clock",
            daemon=True,
        )
        self._driver.start()

    def stop_driver(self) -> None:
        if self._driver is not None:
            self._stop.set()
            self._driver.join()
            self._driver = None

    def _drive(self, idle_seconds: float, slice_seconds: float) -> None:
        engine = self.engine
        while not self._stop.is_set():
            if isinstance(self.clock, EventClock):
                worked = False
                with self._lock:
                    deadline = time.monotonic() + slice_seconds
                    while not self._waiting and time.monotonic() < deadline:
                        if not self._run_next_event():
                            break
                        worked = True
                    engine.flush()
                if worked:
                    time.sleep(0)  # let a waiting request take the lock
                    continue
            else:
                with self._lock:
                    engine.advance()
            self._stop.wait(idle_seconds)


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket for uvicorn (``port=0``: a free one).

    ``proto=IPPROTO_TCP`` matters: asyncio sets TCP_NODELAY only on sockets that say they
    are TCP, and without it every kept-alive response waits ~40 ms for a delayed ACK.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return sock


def _uvicorn() -> Any:
    try:
        import uvicorn
    except ImportError:
        raise SystemExit(
            "serving the simulator needs uvicorn: pip install 'sagetune[simulator]'"
        ) from None
    return uvicorn


async def _serve_on(
    app: ASGIApp, sock: socket.socket, log_level: str, on_listening: Callable[[Any], None]
) -> None:
    """Run uvicorn on ``sock``; ``on_listening(server)`` once it accepts connections."""
    uvicorn = _uvicorn()

    class Server(uvicorn.Server):  # type: ignore[misc, name-defined]
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            on_listening(self)

    config = uvicorn.Config(app, log_level=log_level, lifespan="off")
    await Server(config).serve(sockets=[sock])


def serve(
    simulator: Simulator,
    *,
    host: str = "127.0.0.1",
    port: int = 8787,
    log_level: str = "warning",
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve ``simulator`` over HTTP with uvicorn until interrupted (``sagetune serve``).

    ``ready(url)`` is called once the socket accepts connections.
    """
    _uvicorn()
    sock = listening_socket(host, port)
    url = f"http://{host}:{sock.getsockname()[1]}"
    simulator.start_driver()
    try:
        asyncio.run(
            _serve_on(
                simulator.asgi_app(), sock, log_level, lambda _: ready(url) if ready else None
            )
        )
    finally:
        sock.close()
        simulator.close()


class BackgroundServer:
    """A simulator served on a loopback port from a background thread (demos, tests).

    ``start()`` returns the base URL once the socket accepts connections; ``stop()`` shuts
    the server and the clock driver down and closes the simulator. ``app`` serves another
    ASGI app (a wrapper around the simulator's) instead of the simulator's own.
    """

    def __init__(
        self, simulator: Simulator, *, host: str = "127.0.0.1", app: ASGIApp | None = None
    ) -> None:
        self.simulator = simulator
        self.host = host
        self._app = app
        self._listening = threading.Event()
        self._server: Any = None
        self._failure: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    def start(self, timeout: float = 30.0) -> str:
        _uvicorn()
        self._sock = listening_socket(self.host, 0)
        url = f"http://{self.host}:{self._sock.getsockname()[1]}"
        self.simulator.start_driver()
        self._thread = threading.Thread(target=self._run, name="sagetune-server", daemon=True)
        self._thread.start()
        if not self._listening.wait(timeout) or self._failure is not None:
            self.stop()
            raise RuntimeError(f"the simulator's server did not start: {self._failure!r}")
        return url

    def _listening_on(self, server: Any) -> None:
        self._server = server
        self._listening.set()

    def _run(self) -> None:
        assert self._sock is not None
        app = self._app if self._app is not None else self.simulator.asgi_app()
        try:
            asyncio.run(_serve_on(app, self._sock, "warning", self._listening_on))
        except BaseException as exc:  # reported by start(), or lost at interpreter exit
            self._failure = exc
            self._listening.set()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self._sock is not None:
            self._sock.close()
        self.simulator.close()

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
