import os
from collections.abc import Callable, Iterable
from typing import Any

from vcr.cassette import CassetteContextDecorator
from vcr.record_mode import RecordMode

class VCR:
    def __init__(
        self,
        *,
        record_mode: RecordMode | str = ...,
        match_on: Iterable[str] = ...,
        cassette_library_dir: str | None = ...,
        before_record_request: Callable[..., Any] | None = ...,
        before_record_response: Callable[..., Any] | None = ...,
        filter_headers: Iterable[str | tuple[str, str | None]] = ...,
        serializer: str = ...,
        **kwargs: Any,
    ) -> None: ...
    def register_matcher(self, name: str, matcher: Callable[..., Any]) -> None: ...
    def use_cassette(
        self, path: str | os.PathLike[str] | None = ..., **kwargs: Any
    ) -> CassetteContextDecorator: ...
