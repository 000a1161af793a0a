"""What a failed exchange becomes: one of sagetune's transport errors, with a message a
person can act on and the library's own exception kept as ``__cause__``.

- :class:`~sagetune.errors.ConnectionFailure`: the request may not have reached the service
  (refused, reset, DNS, TLS, connect timeout, closed before the response was complete);
- :class:`~sagetune.errors.ReadTimeoutFailure`: sent, but no answer in time;
- :class:`~sagetune.errors.TransportError`: the request cannot be sent at all (a bad URL);
  not retryable.

Exceptions of every backend are recognised here: the built-in one's
(:mod:`sagetune.transport.http11`), httpx's and aiohttp's (looked up only if the library
is loaded: an exception cannot come from a library nobody imported), and plain ``OSError``.
"""

from __future__ import annotations

import sys
from typing import NoReturn

from sagetune.errors import ConnectionFailure, ReadTimeoutFailure, TransportError
from sagetune.transport import http11

__all__ = ["failure_type", "raise_mapped"]


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


def failure_type(exc: Exception) -> type[TransportError] | None:
    """Which failure an exception from a backend is; None: not a transport failure (a bug
    in an event hook, say), to be raised as it is."""
    if isinstance(exc, http11.WireError):
        if isinstance(exc, http11.ReadTimeout):
            return ReadTimeoutFailure
        if isinstance(exc, http11.UnsupportedURL):
            return TransportError
        return ConnectionFailure
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(exc, httpx.HTTPError | httpx.InvalidURL):
        if isinstance(exc, httpx.ReadTimeout):
            return ReadTimeoutFailure
        if isinstance(
            exc,
            httpx.TimeoutException
            | httpx.NetworkError
            | httpx.RemoteProtocolError
            | httpx.ProxyError,
        ):
            return ConnectionFailure
        return TransportError
    aiohttp = sys.modules.get("aiohttp")
    if aiohttp is not None and isinstance(exc, aiohttp.ClientError):
        if isinstance(exc, aiohttp.SocketTimeoutError):
            return ReadTimeoutFailure
        if isinstance(exc, aiohttp.ClientConnectionError | aiohttp.ClientPayloadError):
            return ConnectionFailure
        return TransportError
    if isinstance(exc, OSError) and not isinstance(exc, TimeoutError):
        return ConnectionFailure
    return None


def raise_mapped(exc: Exception, method: str, url: str, read_timeout: float) -> NoReturn:
    """Raise the transport error ``exc`` stands for (from ``exc``), or ``exc`` itself."""
    kind = failure_type(exc)
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
