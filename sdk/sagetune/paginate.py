"""Paginators: iterate over every page, or every item, of a list operation.

Driven by the generated pagination table (``sagetune.model.paginators.PAGINATORS``: which
members carry the token, the page size and the items), so one generic implementation
serves every list operation. :class:`PageCursor` is the sans-IO part (the next request,
the item limit, the repeated-token guard); :class:`AsyncPaginator` and :class:`Paginator`
only add the calls. Each is generic in (request, response, item) types, so the typed
accessors give mypy the exact item type::

    async for job in sm.paginate_list_training_jobs(ListTrainingJobsRequest(max_results=50)):
        ...  # job: TrainingJobSummary

The request's ``max_results`` is the page size (``page_size=`` overrides it); ``max_items``
stops after that many items; ``next_token`` on the request resumes where a previous
iteration stopped.

The typed ``paginate_<operation>`` accessors are generated into the clients' method mixins
(``sagetune.client_methods``, generated), one per entry of ``PAGINATORS``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, TypeVar, cast

import attrs

from sagetune.errors import PaginationError
from sagetune.specs import PaginatorSpec

__all__ = [
    "AsyncPaginator",
    "PageCursor",
    "Paginator",
]

Req = TypeVar("Req")
Resp = TypeVar("Resp")
Item = TypeVar("Item")


class PageCursor(Generic[Req]):
    """Which request comes next, given the last response (no I/O)."""

    def __init__(
        self,
        spec: PaginatorSpec,
        request: Req,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> None:
        if max_items is not None and max_items < 1:
            raise ValueError(f"max_items must be >= 1, got {max_items}")
        self.spec = spec
        if page_size is not None:
            request = attrs.evolve(request, **{spec.limit_key: page_size})  # type: ignore[misc]
        self.request: Req | None = request
        self.max_items = max_items
        self.items_seen = 0
        self._tokens_seen: set[str] = set()

    def items_of(self, response: object) -> list[Any]:
        """The items of one page, cut at ``max_items``; counts them."""
        items: list[Any] = getattr(response, self.spec.result_key) or []
        if self.max_items is not None:
            items = items[: self.max_items - self.items_seen]
        self.items_seen += len(items)
        return items

    def advance(self, response: object) -> None:
        """Move to the request for the page after ``response`` (None: no more pages)."""
        token: str | None = getattr(response, self.spec.output_token)
        done = self.max_items is not None and self.items_seen >= self.max_items
        if not token or done or self.request is None:
            self.request = None
            return
        if token in self._tokens_seen:
            raise PaginationError(
                f"{self.spec.operation} returned NextToken {token!r} a second time; "
                "stopping instead of looping forever."
            )
        self._tokens_seen.add(token)
        self.request = attrs.evolve(self.request, **{self.spec.input_token: token})  # type: ignore[misc]


class AsyncPaginator(Generic[Req, Resp, Item]):
    """``async for item in paginator`` (or ``.items()``), or ``.pages()`` for whole pages.

    Each iteration starts from the first request again; nothing is fetched before
    iterating.
    """

    def __init__(
        self,
        fetch: Callable[[Req], Awaitable[Resp]],
        spec: PaginatorSpec,
        request: Req,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> None:
        self._fetch = fetch
        self._spec = spec
        self._request = request
        self._page_size = page_size
        self._max_items = max_items

    def _cursor(self) -> PageCursor[Req]:
        return PageCursor(
            self._spec, self._request, page_size=self._page_size, max_items=self._max_items
        )

    async def _walk(self) -> AsyncIterator[tuple[Resp, list[Any]]]:
        cursor = self._cursor()
        while cursor.request is not None:
            response = await self._fetch(cursor.request)
            yield response, cursor.items_of(response)
            cursor.advance(response)

    async def pages(self) -> AsyncIterator[Resp]:
        """Every page, in order (stopping once ``max_items`` items have been seen)."""
        async for response, _ in self._walk():
            yield response

    async def items(self) -> AsyncIterator[Item]:
        """Every item of every page, in order (at most ``max_items``)."""
        async for _, items in self._walk():
            for item in items:
                yield cast(Item, item)

    def __aiter__(self) -> AsyncIterator[Item]:
        return self.items()

    async def collect(self) -> list[Item]:
        """All items in a list."""
        return [item async for item in self.items()]


class Paginator(Generic[Req, Resp, Item]):
    """The blocking twin of :class:`AsyncPaginator`: ``for item in paginator``."""

    def __init__(
        self,
        fetch: Callable[[Req], Resp],
        spec: PaginatorSpec,
        request: Req,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> None:
        self._fetch = fetch
        self._spec = spec
        self._request = request
        self._page_size = page_size
        self._max_items = max_items

    def _cursor(self) -> PageCursor[Req]:
        return PageCursor(
            self._spec, self._request, page_size=self._page_size, max_items=self._max_items
        )

    def _walk(self) -> Iterator[tuple[Resp, list[Any]]]:
        cursor = self._cursor()
        while cursor.request is not None:
            response = self._fetch(cursor.request)
            yield response, cursor.items_of(response)
            cursor.advance(response)

    def pages(self) -> Iterator[Resp]:
        """Every page, in order (stopping once ``max_items`` items have been seen)."""
        for response, _ in self._walk():
            yield response

    def items(self) -> Iterator[Item]:
        """Every item of every page, in order (at most ``max_items``)."""
        for _, items in self._walk():
            for item in items:
                yield cast(Item, item)

    def __iter__(self) -> Iterator[Item]:
        return self.items()

    def collect(self) -> list[Item]:
        """All items in a list."""
        return list(self.items())
