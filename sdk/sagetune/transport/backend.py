"""The seam between the senders and the HTTP libraries: one small protocol per flavour.

A backend sends one request and reads the whole response; it raises its library's own
exceptions (the sender maps them, :mod:`sagetune.transport.failures`). Every backend can
also show itself through httpx's API (:meth:`AsyncBackend.http_client`), which is what
``AsyncSageMakerClient.http_client`` returns.

The backends: :mod:`~sagetune.transport.builtin` (the default, asyncio / sockets),
:mod:`~sagetune.transport.httpx_backend` (any ``httpx.AsyncClient`` / ``httpx.Client``,
the user's or one built with httpx's own stack), :mod:`~sagetune.transport.aiohttp_backend`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import httpx

__all__ = ["AsyncBackend", "RawResponse", "SyncBackend"]


class RawResponse:
    """One HTTP response, fully read: what the protocol layer parses.

    ``headers`` has lower-case names (``headers["x-amzn-requestid"]``); a header sent more
    than once has its values joined with ``", "``, as httpx joins them.
    """

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RawResponse):
            return NotImplemented
        return (self.status, self.headers, self.body) == (other.status, other.headers, other.body)

    __hash__ = None  # type: ignore[assignment]  # mutable headers

    def __repr__(self) -> str:
        return f"RawResponse(status={self.status}, headers={self.headers!r}, body={self.body!r})"


class AsyncBackend(Protocol):
    """Sends requests for an :class:`~sagetune.transport.AsyncSender`."""

    @property
    def read_timeout(self) -> float:
        """Seconds a response may take (for error messages)."""

    async def exchange(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> RawResponse:
        """Send one request, read the whole response (any status is a response)."""

    def http_client(self) -> httpx.AsyncClient | None:
        """httpx's API over this backend (built on first use), or None when there is none."""

    async def aclose(self) -> None:
        """Release what this backend opened; a client of the user's stays open."""


class SyncBackend(Protocol):
    """Sends requests for a :class:`~sagetune.transport.Sender` (thread-safe)."""

    @property
    def read_timeout(self) -> float:
        """Seconds a response may take (for error messages)."""

    def exchange(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> RawResponse:
        """Send one request, read the whole response (any status is a response)."""

    def http_client(self) -> httpx.Client:
        """httpx's API over this backend (built on first use)."""

    def close(self) -> None:
        """Release what this backend opened; a client of the user's stays open."""
