"""The senders the clients hold: one backend each, a gate in front, failures mapped.

:func:`async_backend` / :func:`sync_backend` choose the backend once, when a client is made:
the user's ``http_client`` as given; else the settings' backend
(:attr:`HttpSettings.backend`: the transport asked for, except that the built-in one hands
over to httpx's own stack when the environment names a proxy).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Self

from sagetune.transport.backend import AsyncBackend, RawResponse, SyncBackend
from sagetune.transport.dispatch import Dispatcher
from sagetune.transport.failures import raise_mapped
from sagetune.transport.settings import HttpSettings

if TYPE_CHECKING:
    import httpx

__all__ = ["AsyncSender", "Sender", "async_backend", "sync_backend"]


def async_backend(settings: HttpSettings, http_client: httpx.AsyncClient | None) -> AsyncBackend:
    """The backend an async client sends with (see the module docstring)."""
    if http_client is not None:
        from sagetune.transport.httpx_backend import HttpxAsyncBackend

        return HttpxAsyncBackend(http_client, owns_client=False)
    backend = settings.backend
    if backend == "aiohttp":
        from sagetune.transport.aiohttp_backend import AiohttpBackend

        return AiohttpBackend(settings)
    if backend == "httpx":
        from sagetune.transport.httpx_backend import HttpxAsyncBackend
        from sagetune.transport.httpx_clients import make_async_client

        return HttpxAsyncBackend(make_async_client(settings), owns_client=True)
    from sagetune.transport.builtin_async import AsyncPool

    return AsyncPool(settings)


def sync_backend(settings: HttpSettings, http_client: httpx.Client | None) -> SyncBackend:
    """The backend a blocking client sends with: as :func:`async_backend`; with
    ``transport="aiohttp"`` the built-in one (aiohttp has no blocking API)."""
    if http_client is not None:
        from sagetune.transport.httpx_backend import HttpxSyncBackend

        return HttpxSyncBackend(http_client, owns_client=False)
    if settings.backend == "httpx":
        from sagetune.transport.httpx_backend import HttpxSyncBackend
        from sagetune.transport.httpx_clients import make_sync_client

        return HttpxSyncBackend(make_sync_client(settings), owns_client=True)
    from sagetune.transport.builtin_sync import SyncPool

    return SyncPool(settings)


class AsyncSender:
    """Sends requests through one backend, at most ``max_in_flight`` at once (``None``: no
    limit here; :meth:`from_settings` always sets one), and raises sagetune's transport
    errors. Closes on :meth:`aclose` what its backend opened (never a user's client)."""

    def __init__(self, backend: AsyncBackend, *, max_in_flight: int | None = None) -> None:
        self.backend = backend
        self.max_in_flight = max_in_flight
        self._dispatcher: Dispatcher[RawResponse] | None = (
            Dispatcher(max_in_flight) if max_in_flight else None
        )

    @classmethod
    def from_settings(
        cls, settings: HttpSettings, http_client: httpx.AsyncClient | None = None
    ) -> AsyncSender:
        """Send with ``http_client`` if given (never closed here), else with the backend
        the settings choose; the gate is ``settings.in_flight_limit``."""
        return cls(async_backend(settings, http_client), max_in_flight=settings.in_flight_limit)

    @property
    def http_client(self) -> httpx.AsyncClient | None:
        """httpx's API over the backend (the user's client, if one was given)."""
        return self.backend.http_client()

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], content: bytes
    ) -> RawResponse:
        """Send one request and read the whole response.

        Raises :class:`~sagetune.errors.ConnectionFailure`,
        :class:`~sagetune.errors.ReadTimeoutFailure` or
        :class:`~sagetune.errors.TransportError` when no response comes; any HTTP status is a
        response.
        """
        backend = self.backend
        try:
            if self._dispatcher is None:
                return await backend.exchange(method, url, headers, content)
            return await self._dispatcher.run(
                functools.partial(backend.exchange, method, url, headers, content)
            )
        except Exception as exc:
            raise_mapped(exc, method, url, backend.read_timeout)

    async def aclose(self) -> None:
        await self.backend.aclose()

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
    """The blocking twin of :class:`AsyncSender` (thread-safe); the gate is a semaphore."""

    def __init__(self, backend: SyncBackend, *, max_in_flight: int | None = None) -> None:
        self.backend = backend
        self.max_in_flight = max_in_flight
        self._gate = threading.BoundedSemaphore(max_in_flight) if max_in_flight else None

    @classmethod
    def from_settings(
        cls, settings: HttpSettings, http_client: httpx.Client | None = None
    ) -> Sender:
        """As :meth:`AsyncSender.from_settings`."""
        return cls(sync_backend(settings, http_client), max_in_flight=settings.in_flight_limit)

    @property
    def http_client(self) -> httpx.Client:
        """httpx's API over the backend (the user's client, if one was given)."""
        return self.backend.http_client()

    def send(
        self, method: str, url: str, headers: Mapping[str, str], content: bytes
    ) -> RawResponse:
        """Send one request and read the whole response (see :meth:`AsyncSender.send`)."""
        backend = self.backend
        try:
            if self._gate is None:
                return backend.exchange(method, url, headers, content)
            with self._gate:
                return backend.exchange(method, url, headers, content)
        except Exception as exc:
            raise_mapped(exc, method, url, backend.read_timeout)

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
