from collections import Counter
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, Self

from vcr.record_mode import RecordMode
from vcr.request import Request

Response = dict[str, Any]

class CassetteContextDecorator:
    def __enter__(self) -> Cassette: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

class Cassette:
    data: list[tuple[Request, Response]]
    play_counts: Counter[int]
    record_mode: RecordMode
    rewound: bool
    dirty: bool
    allow_playback_repeats: bool
    def __init__(
        self,
        path: str,
        serializer: Any = ...,
        persister: Any = ...,
        record_mode: RecordMode = ...,
        match_on: Iterable[Callable[[Request, Request], Any]] = ...,
        before_record_request: Callable[[Request], Request | None] | None = ...,
        before_record_response: Callable[[Response], Response | None] | None = ...,
        custom_patches: Any = ...,
        inject: bool = ...,
        allow_playback_repeats: bool = ...,
        drop_unused_requests: bool = ...,
        filter_sensitive_data: Any = ...,
        before_save_interaction: Any = ...,
        after_load_interaction: Any = ...,
        skip_patchers: Any = ...,
    ) -> None: ...
    @classmethod
    def use(cls, **kwargs: Any) -> CassetteContextDecorator: ...
    @classmethod
    def load(cls, **kwargs: Any) -> Self: ...
    @property
    def path(self) -> str: ...
    @property
    def play_count(self) -> int: ...
    @property
    def all_played(self) -> bool: ...
    @property
    def requests(self) -> list[Request]: ...
    @property
    def responses(self) -> list[Response]: ...
    @property
    def write_protected(self) -> bool: ...
    def append(self, request: Request, response: Response) -> None: ...
    def filter_request(self, request: Request) -> Request | None: ...
    def can_play_response_for(self, request: Request) -> bool: ...
    def play_response(self, request: Request) -> Response: ...
    def __len__(self) -> int: ...
    def __contains__(self, request: Request) -> bool: ...
