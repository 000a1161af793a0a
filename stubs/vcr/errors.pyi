from typing import Any

from vcr.cassette import Cassette
from vcr.request import Request

class CannotOverwriteExistingCassetteException(Exception):
    cassette: Cassette
    failed_request: Request | None
    reason: str
    similar_requests: list[Any]
    def __init__(self, *args: Any, cassette: Cassette, failed_request: Request | None) -> None: ...

class UnhandledHTTPRequestError(KeyError): ...
