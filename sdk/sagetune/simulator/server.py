"""The simulator as one object: store, clock, engine, service, protocol handler, adapters.

``Simulator`` is what tests and the ``sagetune serve`` command build. In process, use its
``transport()`` / ``async_transport()`` with an httpx client (no socket); over the network,
``serve()`` runs its ASGI app under uvicorn with a driver thread that moves the clock.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from sagetune.simulator.adapters import (
    ASGIApp,
    InProcessAsyncTransport,
    InProcessTransport,
    Receive,
    Scope,
    Send,
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
from sagetune.simulator.engine import Apply, Engine, SuggestionWork, Work
from sagetune.simulator.extensions import Extensions
from sagetune.simulator.handler import ProtocolHandler
from sagetune.simulator.service import DEFAULT_CONCURRENT_TUNING_JOBS, Service
from sagetune.simulator.store import Store

if TYPE_CHECKING:  # imported when used: ``python -m`` runs it as the worker's main
    from sagetune.simulator.workers import SuggestionWorker

log = logging.getLogger("sagetune.simulator")

DEFAULT_ACCESS_KEY_ID = "SAGETUNESIMULATOR"
DEFAULT_SECRET_ACCESS_KEY = "sagetune-simulator-secret"
DEFAULT_CREDENTIALS: Mapping[str, str] = {DEFAULT_ACCESS_KEY_ID: DEFAULT_SECRET_ACCESS_KEY}
"""The key the simulator accepts unless told otherwise (not an AWS key: safe in cassettes)."""
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"
REQUEST_TURN_SECONDS = 0.005
"""The longest the clock driver waits, before each step, for the requests being handled:
they go first (they need the lock, and the GIL that the driver's work would hold)."""
SLOW_SUGGESTION_SECONDS = 0.005
"""A suggestion computed on the driver thread that takes more CPU time sends the rest of its
tuning job's suggestions to the worker process (``serve``), off this process's GIL."""
DRIVER_TURN_SECONDS = 0.001
"""How long the clock driver may go on processing events while a request is handled."""
FLUSH_DEFERRED_SECONDS = 0.25
"""The longest the driver puts off writing progress to the store (a few ms) while requests
are being handled (otherwise it writes at least every ``slice_seconds``)."""
SWITCH_INTERVAL = 0.0005
"""``serve`` sets the interpreter's GIL switch interval (default 5 ms) to this: the server's
thread then waits at most this long for the GIL each time it needs it while the clock
driver computes, instead of 5 ms every time (a request needs it several times)."""
ENDPOINT_URL = "http://sagetune-simulator.local"
"""The URL clients use with the in-process transports (any host works; this one says what it is)."""


class Simulator:
    """A reference SageMaker tuning service that really runs training jobs.

    ``db`` is a SQLite file (state survives restarts) or ``":memory:"``. ``clock`` defaults
    to a ``ManualClock`` (tests move it with ``advance``); ``time_scale`` builds a
    ``ScaledClock`` instead, and ``time_scale="max"`` an ``EventClock``. ``credentials`` maps
    access key ids to secrets (default ``DEFAULT_CREDENTIALS``); ``session_tokens`` maps
    some of those keys to the session token they must present (temporary credentials: key,
    secret and token); the other keys must present none. ``auth=False`` turns SigV4
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
        session_tokens: Mapping[str, str] | None = None,
        auth: bool = True,
        max_skew: timedelta = timedelta(minutes=5),
        algorithms: AlgorithmRegistry | None = None,
        max_concurrent_tuning_jobs: int = DEFAULT_CONCURRENT_TUNING_JOBS,
    ) -> None:
        self.clock: Clock = clock if clock is not None else make_clock(time_scale)
        self.region = region
        self.account_id = account_id
        self.credentials = dict(DEFAULT_CREDENTIALS if credentials is None else credentials)
        self.session_tokens = dict(session_tokens or {})
        unknown = sorted(set(self.session_tokens) - set(self.credentials))
        if unknown:
            raise ValueError(f"session tokens given for keys without a secret: {unknown}")
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
                credentials=self.credentials,
                session_tokens=self.session_tokens,
                region=region,
                enabled=auth,
                max_skew=max_skew,
            ),
        )
        self._lock = threading.Lock()
        self._requests = 0  # requests being handled: the clock driver gives way to them
        self._quiet = threading.Event()  # set while no request is being handled
        self._quiet.set()
        self._count_lock = threading.Lock()
        self._stop = threading.Event()
        self._driver: threading.Thread | None = None
        self._worker: SuggestionWorker | None = None
        self._slow_suggestions: set[str] = set()  # tuning jobs whose suggestions go to the worker

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
        """The ASGI app: a request counts as being handled (``_request_started``) from its
        first byte, so the clock driver gives way to it while it is parsed and answered."""
        app = make_asgi_app(self.serialized_handler)

        async def counted(scope: Scope, receive: Receive, send: Send) -> None:
            self._request_started()
            try:
                await app(scope, receive, send)
            finally:
                self._request_ended()

        return counted

    def _request_started(self) -> None:
        with self._count_lock:
            self._requests += 1
            self._quiet.clear()

    def _request_ended(self) -> None:
        with self._count_lock:
            self._requests -= 1
            if not self._requests:
                self._quiet.set()

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for sagetune's clients to use this simulator's key and region."""
        key, secret = next(iter(self.credentials.items()))
        options = {
            "endpoint_url": ENDPOINT_URL,
            "region_name": self.region,
            "aws_access_key_id": key,
            "aws_secret_access_key": secret,
        }
        if key in self.session_tokens:
            options["aws_session_token"] = self.session_tokens[key]
        return options

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
        """The protocol handler, taking turns with the clock driver (``start_driver``):
        a request being handled goes before the driver's next turn."""
        self._request_started()
        try:
            with self._lock:
                return self.handler(method, target, headers, body)
        finally:
            self._request_ended()

    def start_driver(
        self,
        *,
        idle_seconds: float = 0.05,
        slice_seconds: float = 0.05,
        worker_process: bool = False,
    ) -> None:
        """Move the clock on a background thread (what ``serve`` does).

        Scaled clock: catch up with the wall clock every ``idle_seconds``. Event clock: run
        events back to back. Manual clock: nothing to drive. Engine access is serialized
        with requests by one lock, and the driver holds it only to process events (each a
        few microseconds): the engine is ``deferred``, so the long work - suggestions,
        algorithms' log lines, metric regexes - is computed without the lock, then applied
        under it. A waiting request goes first; progress is flushed to the store at least
        every ``slice_seconds`` (``FLUSH_DEFERRED_SECONDS`` while requests keep coming). ``worker_process``: suggestions are computed in a worker
        process (``workers``), off this process's GIL.
        """
        if isinstance(self.clock, ManualClock) or self._driver is not None:
            return
        if worker_process:
            from sagetune.simulator.workers import SuggestionWorker

            self._worker = SuggestionWorker()
        with self._lock:
            self.engine.deferred = True
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
            if self._worker is not None:
                self._worker.close()
                self._worker = None
            with self._lock:
                self.engine.deferred = False  # computes what is pending, as before the driver

    def _drive(self, idle_seconds: float, slice_seconds: float) -> None:
        engine = self.engine
        flushed = time.monotonic()
        done: list[Apply] = []
        while not self._stop.is_set():
            self._quiet.wait(REQUEST_TURN_SECONDS)
            with self._lock:
                done = self._apply_some(done)
                if done:
                    continue  # a request is waiting: it goes first, the rest after it
                idle = self._run_events(time.monotonic() + slice_seconds)
                work = engine.pending_work()
                since_flush = time.monotonic() - flushed
                if idle and not isinstance(self.clock, EventClock):
                    engine.advance()  # nothing due: the engine's time follows the clock
                    flushed = time.monotonic()
                elif (idle or since_flush >= slice_seconds) and (
                    not self._requests or since_flush >= FLUSH_DEFERRED_SECONDS
                ):
                    engine.flush()
                    flushed = time.monotonic()
            done = self._compute(work)  # without the lock
            if idle and not work:
                self._stop.wait(idle_seconds)
        with self._lock:
            for apply in done:  # computed work is applied, never computed twice (a stream
                apply()  # cannot be read twice)

    def _apply_some(self, done: list[Apply]) -> list[Apply]:
        """Apply computed results in order (the lock held) until a request is waiting and
        the driver's ``DRIVER_TURN_SECONDS`` are over; return the rest. Each result is applied
        whole, so a request sees every job before or after its step, never half-way."""
        turn = time.monotonic() + DRIVER_TURN_SECONDS
        for index, apply in enumerate(done):
            if index and self._requests and time.monotonic() >= turn:
                return done[index:]
            apply()
        return []

    def _compute(self, work: Sequence[Work]) -> list[Apply]:
        """Compute ``work`` and return the steps that apply the results.

        With a worker process, a tuning job's suggestions go there once one of them took
        more than ``SLOW_SUGGESTION_SECONDS`` of CPU here (Bayesian ones past the initial design;
        never Random's or Grid's, for which the round trip would cost more than the work),
        and the rest is computed here meanwhile.
        """
        from sagetune.simulator.workers import WorkerFailed

        worker = self._worker
        sent: list[SuggestionWork] = []
        done: list[Apply] = []
        for item in work:
            self._quiet.wait(REQUEST_TURN_SECONDS)  # this thread's work waits for requests
            if (
                worker is not None
                and isinstance(item, SuggestionWork)
                and item.slot.tuning_job in self._slow_suggestions
                and worker.submit(item.slot)
            ):
                sent.append(item)
                continue
            started = time.thread_time()
            done.append(item.compute())
            if (
                isinstance(item, SuggestionWork)
                and time.thread_time() - started > SLOW_SUGGESTION_SECONDS
            ):
                self._slow_suggestions.add(item.slot.tuning_job)
        for item in sent:
            try:
                assert worker is not None
                done.append(item.done(worker.result()))
            except WorkerFailed:
                log.warning("computing a suggestion in process instead", exc_info=True)
                done.append(item.compute())
        return done

    def _run_events(self, deadline: float) -> bool:
        """Process due events (any, on an event clock) until one needs work, ``deadline``
        (monotonic) passes, or a request is being handled (after the driver's
        ``DRIVER_TURN_SECONDS``: a client calling back to back must not stop the clock);
        True when nothing is left to do now."""
        engine = self.engine
        event_clock = isinstance(self.clock, EventClock)
        until = self.clock.now()
        turn = time.monotonic() + DRIVER_TURN_SECONDS
        while not engine.blocked and (now := time.monotonic()) < deadline:
            if self._requests and now >= turn:
                return False
            t = engine.next_event_time()
            if t is None or (not event_clock and t > until):
                return True
            if event_clock:
                self._jump(t)
            engine.step()
        return False


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
    sys.setswitchinterval(SWITCH_INTERVAL)
    if threading.current_thread() is threading.main_thread():
        # uvicorn shuts down gracefully on SIGTERM, then raises it again: make that an
        # exception, so that the simulator is closed (flushed, its worker ended) below.
        signal.signal(signal.SIGTERM, _terminated)
    simulator.start_driver(worker_process=True)
    try:
        asyncio.run(
            _serve_on(
                simulator.asgi_app(), sock, log_level, lambda _: ready(url) if ready else None
            )
        )
    finally:
        sock.close()
        simulator.close()


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(0)


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
