"""httpx clients built from :class:`HttpSettings`: the one place that picks which pool an
``httpx.Client`` / ``httpx.AsyncClient`` of sagetune's sends through (the built-in pools,
httpx's own stack, or aiohttp's). Apart from :mod:`~sagetune.transport.httpx_backend`, which
only wraps a pool it is given, so that the pools (which build an httpx client over
themselves on request) and this factory (which builds pools) do not import each other.
"""

from __future__ import annotations

import httpx

from sagetune.transport.httpx_backend import (
    CookielessAsyncClient,
    CookielessClient,
    async_client_over,
    client_options,
    fast_client_class,
    sync_client_over,
)
from sagetune.transport.settings import HttpSettings

__all__ = ["make_async_client", "make_sync_client"]


def make_async_client(settings: HttpSettings) -> httpx.AsyncClient:
    """A new ``httpx.AsyncClient`` configured from ``settings`` (the caller owns it).

    ``transport="builtin"``: over sagetune's own HTTP/1.1 pool; ``"httpx"``: httpx's own
    stack; ``"aiohttp"``: an ``httpx_aiohttp.HttpxAiohttpClient`` (aiohttp's pool). Proxies
    from the environment (``trust_env``) apply to all three (see :attr:`HttpSettings.backend`).
    """
    if settings.backend == "builtin":
        from sagetune.transport.builtin_async import AsyncPool

        return async_client_over(AsyncPool(settings), settings, owns_pool=True)
    cls = fast_client_class() if settings.backend == "aiohttp" else CookielessAsyncClient
    return cls(limits=settings.limits, **client_options(settings))


def make_sync_client(settings: HttpSettings) -> httpx.Client:
    """A new ``httpx.Client`` configured from ``settings``: httpx's own stack for
    ``transport="httpx"``, else over the built-in blocking pool (aiohttp has no blocking API)."""
    if settings.backend == "httpx":
        return CookielessClient(limits=settings.limits, **client_options(settings))
    from sagetune.transport.builtin_sync import SyncPool

    return sync_client_over(SyncPool(settings), settings, owns_pool=True)
