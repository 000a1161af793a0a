"""The HTTP layer under the clients: build httpx clients, send signed bytes, map failures.

Why a layer of its own: everything above it (signing, retries, parsing) deals in bytes and
status codes, so it can be tested without sockets, and users keep httpx's API: they may
hand in their own ``httpx.AsyncClient`` / ``httpx.Client`` (mounts, proxies, event hooks).

Choices made from measurement (``bench/transport_options.py``; figures in its docstring):

- A concurrency gate (``HttpSettings.max_in_flight``, default: the pool size). httpx's pool
  (httpcore) re-scans every connection and queued request, with a readiness syscall per
  idle connection, each time a request starts or ends, and retries requests it handed a
  connection that another one took, so its cost per request grows with the requests
  waiting in it: at 50 concurrent tasks httpx's throughput falls to a fraction of its
  8-task figure. Requests beyond the limit wait in our own queue instead, and the task
  that finishes a request starts the next one at once (:class:`_Dispatcher`, which says
  why a semaphore is not enough), so 50 tasks cost no more per request than 8.
- An optional transport, ``transport="aiohttp"`` (``pip install 'sagetune[fast]'``): the
  sender then uses aiohttp directly, about twice as fast per request as httpx's stack (and
  than httpx's API over aiohttp: httpx's client layer alone costs as much as aiohttp's
  whole request). ``make_async_client`` still gives an httpx client for it (httpx-aiohttp)
  for code that wants httpx's API, and a user's own client is always used as given.
  aiohttp is imported only when this transport is chosen.
- Clients built here ignore ``Set-Cookie``: httpx runs every response through
  ``http.cookiejar`` (~0.1 ms a call); AWS APIs set no cookies and botocore keeps none.
- Two process-wide import fixes, below, that change no behaviour.

Failures are mapped to two retryable types, :class:`ConnectionFailure` (the request may not
have reached the service: refused, reset, DNS, connect timeout, closed early) and
:class:`ReadTimeoutFailure` (sent, but no answer in time), both under
:class:`TransportError`, with the library's own exception kept as ``__cause__``.
"""

from __future__ import annotations

import collections
import contextvars
import os
import ssl
import sys
import threading
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, NoReturn, Self

import attrs

from sagetune.errors import ConnectionFailure, ReadTimeoutFailure, TransportError

if TYPE_CHECKING:
    import asyncio  # imported where used: the sync client never needs asyncio (~20 ms)

# Two process-wide fixes to the cost of importing and running httpx; no code behaves
# differently because of them.
#
# 1. httpcore (<= 1.0.9) runs ``import sniffio`` each time it sets up a lock, several times per
#    request, and anyio >= 4.11 no longer installs sniffio. Python does not cache a failed
#    import, so each attempt searches sys.path again: ~0.1 ms, about 7 times per request
#    (encode/httpcore#1103). Recording the absence once (``None`` in sys.modules makes the
#    import fail at once) keeps the same outcome, "no sniffio", at a fraction of the cost.
if "sniffio" not in sys.modules:  # pragma: no branch
    import importlib.util

    if importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]

# 2. httpx's package __init__ imports its command-line client (``httpx._main``: click, rich,
#    pygments: ~90 ms) whenever those happen to be installed. Hide it during our first import
#    of httpx so that a process using sagetune starts faster; ``httpx.main`` then falls back
#    to httpx's "install httpx[cli]" stub, which only the ``httpx`` console script would
#    call, and that runs in a process of its own. (Effective only if no other module has
#    imported httpx first.)
if "httpx" not in sys.modules:  # pragma: no branch
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx
    finally:
        del sys.modules["httpx._main"]
else:
    import httpx

__all__ = [
    "AsyncSender",
    "HttpSettings",
    "RawResponse",
    "Sender",
    "TransportKind",
    "make_async_client",
    "make_sync_client",
]

TransportKind = Literal["httpx", "aiohttp"]

FAST_EXTRA_HINT = "pip install 'sagetune[fast]'"


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"HttpSettings.{attribute.name} must be > 0, got {value!r}")


def _positive_or_none(
    _instance: object, attribute: attrs.Attribute[Any], value: int | None
) -> None:
    if value is not None and value < 1:
        raise ValueError(f"HttpSettings.{attribute.name} must be >= 1 or None, got {value!r}")


@attrs.frozen(kw_only=True)
class HttpSettings:
    """How the client talks HTTP. Defaults follow botocore's where botocore has one.

    ``max_in_flight`` caps the requests one client has in flight at once; the others wait
    their turn, first come first served, with no timeout of their own (as in aiobotocore;
    bound a whole call with ``asyncio.timeout`` if needed). ``None``: as many as
    ``max_connections``. ``verify`` is ``True``, ``False`` or the path of a CA bundle file or
    directory (the caller resolves ``AWS_CA_BUNDLE``). ``trust_env`` lets httpx read
    ``HTTP(S)_PROXY``, ``NO_PROXY``, ``SSL_CERT_FILE`` and ``SSL_CERT_DIR``.
    ``transport="aiohttp"`` needs the ``fast`` extra and applies to the async client only
    (aiohttp has no blocking API; the sync client always uses httpx's own transport).
    """

    connect_timeout: float = attrs.field(default=60.0, validator=_positive)
    read_timeout: float = attrs.field(default=60.0, validator=_positive)
    max_connections: int = attrs.field(default=10, validator=_positive)
    max_in_flight: int | None = attrs.field(default=None, validator=_positive_or_none)
    verify: bool | str = True
    trust_env: bool = True
    transport: TransportKind = attrs.field(
        default="httpx", validator=attrs.validators.in_(("httpx", "aiohttp"))
    )

    @property
    def in_flight_limit(self) -> int:
        """The gate's size: ``max_in_flight``, or ``max_connections`` when that is None."""
        return self.max_connections if self.max_in_flight is None else self.max_in_flight

    @property
    def timeout(self) -> httpx.Timeout:
        """httpx timeouts: writes share the read bound; waiting for a pooled connection
        shares the connect bound (a request that cannot get a connection in that time has
        failed to connect)."""
        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.read_timeout,
            pool=self.connect_timeout,
        )

    @property
    def limits(self) -> httpx.Limits:
        # Keep-alive as many as we open: httpcore closes idle connections whenever the
        # *total* count exceeds max_keepalive_connections, which churns connections.
        return httpx.Limits(
            max_connections=self.max_connections,
            max_keepalive_connections=self.max_connections,
        )


class _CertificatesOnFirstUse(ssl.SSLContext):
    """A verifying client SSLContext that reads its CA certificates at the first handshake.

    Why: reading certifi's bundle takes 50-80 ms, which httpx pays when a client is created,
    even by a process that only ever speaks plain http (the simulator, a loopback endpoint).
    Every TLS connection (httpcore sync and async, aiohttp) goes through ``wrap_socket`` or
    ``wrap_bio``, so loading there is always in time.
    """

    _sagetune_ca: tuple[str | None, str | None] = (None, None)
    _sagetune_loaded = False
    _sagetune_lock = threading.Lock()

    def _load_certificates(self) -> None:
        if self._sagetune_loaded:
            return
        with self._sagetune_lock:
            if not self._sagetune_loaded:
                cafile, capath = self._sagetune_ca
                self.load_verify_locations(cafile=cafile, capath=capath)
                self._sagetune_loaded = True

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self._load_certificates()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self._load_certificates()
        return super().wrap_bio(*args, **kwargs)


def _verifying_context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    """What ``ssl.create_default_context(cafile=..., capath=...)`` returns, loaded lazily."""
    context = _CertificatesOnFirstUse(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname
    if sys.version_info >= (3, 13):
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN | ssl.VERIFY_X509_STRICT
    keylog = os.environ.get("SSLKEYLOGFILE")
    if keylog and not sys.flags.ignore_environment:
        context.keylog_filename = keylog
    context._sagetune_ca = (cafile, capath)
    return context


def _ssl_verify(verify: bool | str, trust_env: bool) -> bool | ssl.SSLContext:
    """httpx's ``verify=`` for our settings: the CA bundle httpx would pick, loaded lazily.

    Order as in httpx: an explicit path, else ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when
    ``trust_env``, else certifi's bundle. (Passing a context also avoids httpx 0.28's
    deprecation of ``verify=<str>``.)
    """
    if verify is False:
        return False
    if isinstance(verify, str):
        if os.path.isdir(verify):
            return _verifying_context(None, verify)
        if not os.path.isfile(verify):
            raise FileNotFoundError(
                f"CA bundle {verify!r} (HttpSettings.verify, e.g. from AWS_CA_BUNDLE) does not "
                f"exist: give the path of a PEM file or a certificate directory."
            )
        return _verifying_context(verify, None)
    if trust_env and os.environ.get("SSL_CERT_FILE"):
        return _verifying_context(os.environ["SSL_CERT_FILE"], None)
    if trust_env and os.environ.get("SSL_CERT_DIR"):
        return _verifying_context(None, os.environ["SSL_CERT_DIR"])
    import certifi  # httpx's own dependency, and where httpx takes its CA bundle from

    return _verifying_context(certifi.where(), None)


class _SetCookieIgnored(httpx.Cookies):
    """Cookies that responses cannot add to (cookies set by hand are still sent)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class _IgnoresSetCookie:
    """Mixin for the clients built here: responses' ``Set-Cookie`` headers are ignored."""

    _sagetune_cookies: httpx.Cookies | None = None

    @property
    def cookies(self) -> httpx.Cookies:
        if self._sagetune_cookies is None:
            self._sagetune_cookies = _SetCookieIgnored()
        return self._sagetune_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        self._sagetune_cookies = _SetCookieIgnored(cookies)


class _AsyncClient(_IgnoresSetCookie, httpx.AsyncClient):
    """``httpx.AsyncClient`` as built by :func:`make_async_client`."""


class _Client(_IgnoresSetCookie, httpx.Client):
    """``httpx.Client`` as built by :func:`make_sync_client`."""


_fast_client_classes: dict[type[httpx.AsyncClient], type[httpx.AsyncClient]] = {}


def _fast_client_class() -> type[httpx.AsyncClient]:
    """httpx-aiohttp's client with the same mixin, imported on first use only."""
    try:
        from httpx_aiohttp import HttpxAiohttpClient
    except ImportError as exc:
        raise ImportError(
            f"HttpSettings(transport='aiohttp') needs the optional packages httpx-aiohttp "
            f"and aiohttp, which are not installed ({exc}). Install them with "
            f"{FAST_EXTRA_HINT}, or use transport='httpx'."
        ) from exc
    cls = _fast_client_classes.get(HttpxAiohttpClient)
    if cls is None:

        class _FastAsyncClient(_IgnoresSetCookie, HttpxAiohttpClient):
            """``httpx_aiohttp.HttpxAiohttpClient`` as built by :func:`make_async_client`."""

        cls = _fast_client_classes[HttpxAiohttpClient] = _FastAsyncClient
    return cls


def make_async_client(settings: HttpSettings) -> httpx.AsyncClient:
    """A new ``httpx.AsyncClient`` configured from ``settings`` (the caller owns it).

    With ``transport="aiohttp"`` it is an ``httpx_aiohttp.HttpxAiohttpClient``: the same
    httpx API (proxies from the environment included), aiohttp's connection pool underneath.
    """
    cls = _fast_client_class() if settings.transport == "aiohttp" else _AsyncClient
    return cls(
        timeout=settings.timeout,
        limits=settings.limits,
        verify=_ssl_verify(settings.verify, settings.trust_env),
        trust_env=settings.trust_env,
    )


def make_sync_client(settings: HttpSettings) -> httpx.Client:
    """A new ``httpx.Client`` configured from ``settings`` (always httpx's own transport)."""
    return _Client(
        timeout=settings.timeout,
        limits=settings.limits,
        verify=_ssl_verify(settings.verify, settings.trust_env),
        trust_env=settings.trust_env,
    )


@attrs.frozen(kw_only=True)
class RawResponse:
    """One HTTP response, fully read: what the protocol layer parses."""

    status: int
    headers: httpx.Headers  # case-insensitive: headers["x-amzn-requestid"]
    body: bytes


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split()).rstrip(".")  # one line, no trailing full stop
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _detail(exc: BaseException) -> str:
    """What went wrong, in one line: the failure and, when it says more, its root cause.

    httpx-aiohttp re-raises aiohttp's errors under httpx's names (a reset becomes a
    ``ConnectTimeout`` with the same message); then the root cause's own name is the truer one.
    """
    root: BaseException = exc
    seen = {id(exc)}
    while True:
        cause = root.__cause__ or root.__context__
        if cause is None or id(cause) in seen or not isinstance(cause, Exception):
            break  # stop at cancellation (a timeout's cancel scope) and at loops
        seen.add(id(cause))
        root = cause
    outer, inner = _describe(exc), _describe(root)
    if root is exc or not str(root).strip():
        return outer
    if " ".join(str(root).split()) == " ".join(str(exc).split()) or not str(exc):
        return inner
    return f"{outer} ({inner})"


def _failure_type(exc: Exception) -> type[TransportError] | None:
    """Which failure an exception from httpx (or, through httpx-aiohttp, from aiohttp) is."""
    if isinstance(exc, httpx.ReadTimeout):
        return ReadTimeoutFailure
    if isinstance(exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError):
        return ConnectionFailure
    if isinstance(exc, httpx.ProxyError):
        return ConnectionFailure
    if isinstance(exc, httpx.HTTPError | httpx.InvalidURL):
        return TransportError
    aiohttp = sys.modules.get("aiohttp")  # only ever loaded by the aiohttp transport
    if aiohttp is not None and isinstance(exc, aiohttp.ClientError):
        if isinstance(exc, aiohttp.SocketTimeoutError):
            return ReadTimeoutFailure
        if isinstance(exc, aiohttp.ClientConnectionError | aiohttp.ClientPayloadError):
            return ConnectionFailure
        return TransportError
    if isinstance(exc, OSError) and not isinstance(exc, TimeoutError):
        return ConnectionFailure
    return None


def _raise_mapped(exc: Exception, method: str, url: str, read_timeout: object) -> NoReturn:
    kind = _failure_type(exc)
    if kind is None:
        raise exc
    detail = _detail(exc)
    if kind is ReadTimeoutFailure:
        message = (
            f"No response to {method} {url} within the read timeout ({read_timeout} s): "
            f"{detail}. The service may be slow or overloaded; the call can be retried, or "
            f"raise HttpSettings.read_timeout."
        )
    elif kind is ConnectionFailure:
        message = (
            f"Connection failed for {method} {url}: {detail}. Check endpoint_url, the "
            f"network and the proxy settings; the call can be retried."
        )
    else:
        message = f"{method} {url} failed in the HTTP layer: {detail}."
    raise kind(message, method=method, url=url) from exc


def _read_timeout(
    client: httpx.Client | httpx.AsyncClient, timeout: httpx.Timeout | None
) -> object:
    return (timeout or client.timeout).read


class _NoGate:
    """Stands in for the sync sender's semaphore when the gate is off."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_Exchange = Callable[[], Awaitable["RawResponse"]]  # one request, ready to go


class _Job:
    """A request waiting for, or running on, a :class:`_Dispatcher` runner task."""

    __slots__ = ("context", "exchange", "future", "runner")

    def __init__(self, exchange: _Exchange, future: asyncio.Future[RawResponse]) -> None:
        self.exchange = exchange
        self.future = future
        self.context = contextvars.copy_context()  # the caller's, for the runner to adopt
        self.runner: asyncio.Task[None] | None = None


class _Dispatcher:
    """At most ``size`` requests in flight; the others wait in a FIFO queue.

    Why not a semaphore: a finished request then wakes a waiting task in a later turn of the
    event loop, so several waiters enter httpcore's pool together; httpcore hands the same
    idle connection to more than one of them and retries the losers (measured at 50 tasks
    through 8 connections: 1.9 retries and 3.9 pool scans per request, against 0.1 and 2.1
    here, and about 30% more CPU per request). Here the task that finishes a request takes
    the next queued one at once, as a fixed set of looping tasks would.

    A request runs in its caller's task when a slot is free and nobody waits; a queued one
    runs on a short-lived runner task that drains the queue and ends when it is empty, with
    the caller's context variables set (tracing and event hooks see the caller's context).
    A caller that is cancelled cancels its request, whether queued or running.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._in_flight = 0  # slots taken, by callers and by runners
        self._queue: collections.deque[_Job] = collections.deque()
        self._runners: set[asyncio.Task[None]] = set()  # strong references while they run

    async def run(self, exchange: _Exchange) -> RawResponse:
        import asyncio

        if self._in_flight < self.size and not self._queue:
            self._in_flight += 1
            try:
                return await exchange()
            finally:
                self._in_flight -= 1
                self._start_runners()
        job = _Job(exchange, asyncio.get_running_loop().create_future())
        self._queue.append(job)
        self._start_runners()
        try:
            return await job.future
        except asyncio.CancelledError:
            if job.runner is not None:  # running: stop it; queued: the runner skips it
                job.runner.cancel()
            elif job.future.done() and not job.future.cancelled():
                job.future.exception()  # finished as we were cancelled: mark it as seen
            raise

    def _start_runners(self) -> None:
        starts = min(len(self._queue), self.size - self._in_flight)
        if starts <= 0:
            return
        import asyncio

        loop = asyncio.get_running_loop()
        for _ in range(starts):
            self._in_flight += 1
            runner = loop.create_task(self._drain(), context=contextvars.Context())
            self._runners.add(runner)
            runner.add_done_callback(self._runners.discard)

    async def _drain(self) -> None:
        import asyncio

        me = asyncio.current_task()
        assert me is not None
        try:
            while self._queue:
                job = self._queue.popleft()
                if job.future.done():  # its caller was cancelled while it waited
                    continue
                job.runner = me
                adopted = [(var, var.set(value)) for var, value in job.context.items()]
                try:
                    response = await job.exchange()
                except asyncio.CancelledError:
                    if not job.future.cancelled():  # this runner is being shut down
                        job.future.cancel()
                        raise
                    me.uncancel()  # only the request was cancelled: go on with the next
                except BaseException as exc:
                    if not job.future.done():
                        job.future.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
                else:
                    if not job.future.done():
                        job.future.set_result(response)
                finally:
                    job.runner = None
                    for var, token in reversed(adopted):
                        var.reset(token)
        finally:
            self._in_flight -= 1


class _AiohttpBackend:
    """aiohttp used directly: what ``AsyncSender.from_settings(transport="aiohttp")`` sends with.

    Why not httpx over aiohttp here: httpx's client layer (request and response models,
    header merging, stream reading) costs as much CPU as aiohttp's whole request, so without
    it a call costs about half (bench/transport_options.py: sagetune_fast against
    httpx_aiohttp). The settings mean the same: timeouts, pool size, CA bundle, proxies from
    the environment, no redirects, and no cookies kept.

    Proxies are looked up here, once per URL, not by aiohttp's ``trust_env``: that runs two
    thread-pool calls on every request (the proxy, and a ~/.netrc login for the host, which
    would also clash with the SigV4 Authorization header).
    """

    def __init__(self, settings: HttpSettings) -> None:
        try:
            import aiohttp
        except ImportError as exc:
            raise ImportError(
                f"HttpSettings(transport='aiohttp') needs the optional package aiohttp, "
                f"which is not installed ({exc}). Install it with {FAST_EXTRA_HINT}, or use "
                f"transport='httpx'."
            ) from exc
        self._aiohttp = aiohttp
        self.settings = settings
        self._ssl = _ssl_verify(settings.verify, settings.trust_env)
        self._timeout = self.client_timeout(settings.timeout)
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, tuple[Any, Any]] = {}  # url -> (proxy, proxy auth)

    def _proxy_for(self, url: str) -> tuple[Any, Any]:
        """HTTP(S)_PROXY / NO_PROXY for ``url``, as aiohttp's ``trust_env`` reads them."""
        found = self._proxies.get(url)
        if found is None:
            from aiohttp.helpers import get_env_proxy_for_url
            from yarl import URL

            try:
                found = get_env_proxy_for_url(URL(url))
            except LookupError:
                found = (None, None)
            if len(self._proxies) >= 64:  # endpoints are few; never grow without bound
                self._proxies.clear()
            self._proxies[url] = found
        return found

    def client_timeout(self, timeouts: httpx.Timeout) -> Any:
        """aiohttp's timeouts for httpx's: ``connect`` there covers waiting for the pool."""
        return self._aiohttp.ClientTimeout(
            sock_connect=timeouts.connect, sock_read=timeouts.read, connect=timeouts.pool
        )

    def _open(self) -> Any:
        aiohttp = self._aiohttp
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=self.settings.max_connections, ssl=self._ssl, keepalive_timeout=5.0
            ),
            timeout=self._timeout,
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        return self._session

    async def exchange(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes,
        timeouts: httpx.Timeout | None,
    ) -> RawResponse:
        session = self._session or self._open()
        proxy, proxy_auth = self._proxy_for(url) if self.settings.trust_env else (None, None)
        async with session.request(
            method,
            url,
            headers=headers,
            data=content,
            proxy=proxy,
            proxy_auth=proxy_auth,
            allow_redirects=False,
            timeout=self._timeout if timeouts is None else self.client_timeout(timeouts),
        ) as response:
            body = await response.read()
            return RawResponse(
                status=response.status, headers=httpx.Headers(response.raw_headers), body=body
            )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


class AsyncSender:
    """Sends requests, at most ``max_in_flight`` at once (``None``: no limit here;
    :meth:`from_settings` always sets one), through an ``httpx.AsyncClient`` or, for
    ``transport="aiohttp"`` without a client of the user's, through aiohttp directly
    (then :attr:`client` is None).

    Closes the client on :meth:`aclose` only when it owns it (built it from settings):
    a client the user passed in is theirs to close. Needs asyncio, like aiohttp.
    """

    def __init__(
        self,
        client: httpx.AsyncClient | None,
        *,
        max_in_flight: int | None = None,
        owns_client: bool = False,
        _aiohttp: _AiohttpBackend | None = None,
    ) -> None:
        if (client is None) == (_aiohttp is None):
            raise TypeError("AsyncSender needs an httpx.AsyncClient (from_settings builds one)")
        self.client = client
        self.owns_client = owns_client
        self.max_in_flight = max_in_flight
        self._aiohttp = _aiohttp
        self._dispatcher = _Dispatcher(max_in_flight) if max_in_flight else None

    @classmethod
    def from_settings(
        cls, settings: HttpSettings, http_client: httpx.AsyncClient | None = None
    ) -> AsyncSender:
        """Use ``http_client`` if given (never closed here), else build one (closed here)."""
        limit = settings.in_flight_limit
        if http_client is not None:
            return cls(http_client, max_in_flight=limit, owns_client=False)
        if settings.transport == "aiohttp":
            return cls(None, max_in_flight=limit, _aiohttp=_AiohttpBackend(settings))
        return cls(make_async_client(settings), max_in_flight=limit, owns_client=True)

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes,
        *,
        timeouts: httpx.Timeout | None = None,
    ) -> RawResponse:
        """Send one request and read the whole response; ``timeouts=None``: the client's.

        Raises :class:`ConnectionFailure`, :class:`ReadTimeoutFailure` or
        :class:`TransportError` when no response comes; any HTTP status is a response.
        """
        try:
            exchange = self._exchange(method, url, headers, content, timeouts)
            if self._dispatcher is None:
                return await exchange()
            return await self._dispatcher.run(exchange)
        except Exception as exc:
            _raise_mapped(exc, method, url, self._read_timeout(timeouts))

    def _exchange(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes,
        timeouts: httpx.Timeout | None,
    ) -> _Exchange:
        if self._aiohttp is not None:
            backend = self._aiohttp
            return lambda: backend.exchange(method, url, headers, content, timeouts)
        assert self.client is not None
        client = self.client
        request = client.build_request(
            method,
            url,
            headers=headers,
            content=content,
            timeout=httpx.USE_CLIENT_DEFAULT if timeouts is None else timeouts,
        )

        async def exchange() -> RawResponse:
            response = await client.send(request)
            return RawResponse(
                status=response.status_code, headers=response.headers, body=response.content
            )

        return exchange

    def _read_timeout(self, timeouts: httpx.Timeout | None) -> object:
        if timeouts is not None:
            return timeouts.read
        if self._aiohttp is not None:
            return self._aiohttp.settings.read_timeout
        assert self.client is not None
        return self.client.timeout.read

    async def aclose(self) -> None:
        """Close what this sender built (client or aiohttp session); a user's client stays open."""
        if self._aiohttp is not None:
            await self._aiohttp.aclose()
        elif self.owns_client and self.client is not None:
            await self.client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class Sender:
    """The blocking twin of :class:`AsyncSender`, over an ``httpx.Client`` (thread-safe)."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        max_in_flight: int | None = None,
        owns_client: bool = False,
    ) -> None:
        self.client = client
        self.owns_client = owns_client
        self.max_in_flight = max_in_flight
        self._gate: threading.BoundedSemaphore | _NoGate = (
            threading.BoundedSemaphore(max_in_flight) if max_in_flight else _NoGate()
        )

    @classmethod
    def from_settings(
        cls, settings: HttpSettings, http_client: httpx.Client | None = None
    ) -> Sender:
        """Use ``http_client`` if given (never closed here), else build one (closed here)."""
        if http_client is not None:
            return cls(http_client, max_in_flight=settings.in_flight_limit, owns_client=False)
        return cls(
            make_sync_client(settings), max_in_flight=settings.in_flight_limit, owns_client=True
        )

    def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes,
        *,
        timeouts: httpx.Timeout | None = None,
    ) -> RawResponse:
        """Send one request and read the whole response (see :meth:`AsyncSender.send`)."""
        try:
            request = self.client.build_request(
                method,
                url,
                headers=headers,
                content=content,
                timeout=httpx.USE_CLIENT_DEFAULT if timeouts is None else timeouts,
            )
            with self._gate:
                response = self.client.send(request)
        except Exception as exc:
            _raise_mapped(exc, method, url, _read_timeout(self.client, timeouts))
        return RawResponse(
            status=response.status_code, headers=response.headers, body=response.content
        )

    def close(self) -> None:
        """Close the client if this sender built it; a user's client is left open."""
        if self.owns_client:
            self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
