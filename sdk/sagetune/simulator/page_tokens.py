"""Opaque pagination tokens for the simulator's CloudWatch and CloudWatch Logs listings.

A token names the listing it belongs to and how many items came before the next page,
in URL-safe base64 so clients treat it as the opaque string AWS hands out. Reading one
back checks everything, so a forged or mangled token (an offset of 1e30, another
listing's token, not base64 at all) is refused with the caller's error instead of
reaching the database.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable

__all__ = ["encode_offset", "offset_of", "page_start"]

_PAYLOAD = re.compile(r"([a-z-]{1,32}):([0-9]{1,12})")


def encode_offset(listing: str, offset: int) -> str:
    """The token of the page of ``listing`` that starts after ``offset`` items."""
    return base64.urlsafe_b64encode(f"{listing}:{offset}".encode()).decode("ascii")


def offset_of(token: str, listing: str, total: int) -> int | None:
    """The offset a token of ``listing`` carries, or None when it is not one (or points
    past the ``total`` items there are)."""
    if len(token) > 64:
        return None
    try:
        payload = base64.urlsafe_b64decode(token.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    match = _PAYLOAD.fullmatch(payload)
    if match is None or match.group(1) != listing:
        return None
    offset = int(match.group(2))
    return offset if offset <= total else None


def page_start(
    token: str | None, listing: str, total: int, refused: Callable[[], Exception]
) -> int:
    """Where the page a request asks for starts: 0 without a token, else the token's offset;
    a token that is not one of ``listing`` raises ``refused()`` (the service's own error)."""
    if token is None:
        return 0
    found = offset_of(token, listing, total)
    if found is None:
        raise refused()
    return found
