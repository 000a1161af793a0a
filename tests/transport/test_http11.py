"""The built-in backends' HTTP/1.1, on bytes: requests as written, responses however they are
framed and however the network splits them, and every malformed answer refused by name."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sagetune.transport import http11
from sagetune.transport.http11 import ResponseParser


def parse(*pieces: bytes, eof: bool = False) -> ResponseParser:
    """Feed ``pieces``; the parser must be done by the last one (or by EOF when ``eof``)."""
    parser = ResponseParser()
    done = False
    for piece in pieces:
        assert not done, "bytes after the response was complete"
        done = parser.feed(piece)
    if eof:
        assert not done
        parser.feed_eof()
    else:
        assert done
    return parser


def test_a_response_in_one_piece() -> None:
    parser = parse(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
        b"x-amzn-RequestId: rid-1\r\nContent-Length: 2\r\n\r\n{}"
    )
    assert (parser.status, parser.reason, parser.body) == (200, "OK", b"{}")
    assert parser.headers == {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-requestid": "rid-1",
        "content-length": "2",
    }
    assert parser.raw_headers[1] == (b"x-amzn-RequestId", b"rid-1")  # as received
    assert parser.keep_alive


def test_repeated_headers_are_joined_as_httpx_joins_them() -> None:
    parser = parse(b"HTTP/1.1 200 OK\r\nVia: a\r\nvia:  b \r\nContent-Length: 0\r\n\r\n")
    assert parser.headers["via"] == "a, b"
    assert [value for _, value in parser.raw_headers[:2]] == [b"a", b"b"]


@pytest.mark.parametrize(
    ("head", "keep_alive"),
    [
        (b"HTTP/1.1 200 OK\r\n", True),
        (b"HTTP/1.1 200 OK\r\nConnection: close\r\n", False),
        (b"HTTP/1.1 200 OK\r\nConnection: Close\r\n", False),
        (b"HTTP/1.0 200 OK\r\n", False),
        (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n", True),
    ],
)
def test_the_connection_is_kept_only_when_the_response_says_so(
    head: bytes, keep_alive: bool
) -> None:
    assert parse(head + b"Content-Length: 1\r\n\r\nx").keep_alive is keep_alive


def test_interim_responses_are_skipped() -> None:
    parser = parse(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX: 1\r\n\r\n",
        b"HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nnew",
    )
    assert (parser.status, parser.body, parser.headers) == (201, b"new", {"content-length": "3"})


@pytest.mark.parametrize("status", [204, 304])
def test_no_body_statuses_have_no_body_whatever_the_headers_say(status: int) -> None:
    parser = parse(f"HTTP/1.1 {status} X\r\nContent-Length: 10\r\n\r\n".encode())
    assert (parser.status, parser.body, parser.keep_alive) == (status, b"", True)


def test_chunked_body_with_extensions_and_trailers() -> None:
    parser = parse(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 99\r\n\r\n"
        b"5;name=value\r\nhello\r\nA\r\n, world!!!\r\n0\r\nx-checksum: abc\r\n\r\n"
    )
    assert parser.body == b"hello, world!!!"
    assert parser.keep_alive  # chunked framing ends by itself


def test_a_body_without_length_ends_with_the_connection() -> None:
    parser = parse(b"HTTP/1.1 200 OK\r\n\r\nsome ", b"bytes", eof=True)
    assert parser.body == b"some bytes"
    assert not parser.keep_alive
    unchunked = parse(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz", eof=True)
    assert unchunked.body == b"zz"  # a final coding other than chunked: read until close


def test_bytes_beyond_the_body_make_the_connection_unusable() -> None:
    parser = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}EXTRA")
    assert parser.body == b"{}"
    assert not parser.keep_alive


def test_the_end_of_the_connection_before_the_response_is_complete() -> None:
    with pytest.raises(http11.ServerDisconnected, match="without sending a response"):
        ResponseParser().feed_eof()
    parser = ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\nContent-Le")
    with pytest.raises(http11.ResponseIncomplete, match="head was complete"):
        parser.feed_eof()
    parser = ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
    with pytest.raises(http11.ResponseIncomplete, match=r"complete \(10 of 100 body bytes\)"):
        parser.feed_eof()
    parser = ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")
    with pytest.raises(http11.ResponseIncomplete, match="chunked body"):
        parser.feed_eof()


@pytest.mark.parametrize(
    ("response", "said"),
    [
        (b"HTTP/2 200 OK\r\n\r\n", "status line"),
        (b"ICY 200 OK\r\n\r\n", "status line"),
        (b"HTTP/1.1 2000 OK\r\n\r\n", "status line"),
        (b"HTTP/1.1 OK\r\n\r\n", "status line"),
        (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "header line"),
        (b"HTTP/1.1 200 OK\r\nName : value\r\n\r\n", "header line"),
        (b"HTTP/1.1 200 OK\r\n: value\r\n\r\n", "header line"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", "conflicting"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", "invalid Content-Length"),
        (b"HTTP/1.1 101 Switching Protocols\r\n\r\n", "switched protocols"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", "chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n", "CRLF"),
    ],
)
def test_malformed_responses_are_refused(response: bytes, said: str) -> None:
    with pytest.raises(http11.MalformedResponse, match=said):
        ResponseParser().feed(response)


def test_an_endless_head_is_refused() -> None:
    parser = ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\n")
    filler = b"".join(b"X-Filler: " + b"x" * 1000 + b"\r\n" for _ in range(100))
    with pytest.raises(http11.MalformedResponse, match="longer than"):
        parser.feed(filler)


# -- any framing, any split ---------------------------------------------------------------

header_names = st.sampled_from(["x-amzn-RequestId", "Content-Type", "Date", "X-Custom", "Via"])
header_values = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=30
)


@st.composite
def responses(draw: st.DrawFn) -> tuple[bytes, int, bytes, bool]:
    """(the bytes on the wire, status, body, whether the body ends at EOF)."""
    status = draw(st.integers(min_value=200, max_value=599).filter(lambda s: s not in (204, 304)))
    body = draw(st.binary(max_size=300))
    headers = draw(st.lists(st.tuples(header_names, header_values), max_size=4))
    framing = draw(st.sampled_from(["length", "chunked", "close"]))
    head = f"HTTP/1.1 {status} Reason Phrase\r\n" + "".join(f"{n}: {v}\r\n" for n, v in headers)
    if framing == "length":
        return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body, status, body, False
    if framing == "close":
        return (head + "\r\n").encode() + body, status, body, True
    sizes = draw(st.lists(st.integers(min_value=1, max_value=80), max_size=6))
    chunks, rest = [], body
    for size in sizes:
        if rest:
            chunks.append(rest[:size])
            rest = rest[size:]
    if rest:
        chunks.append(rest)
    wire = (head + "Transfer-Encoding: chunked\r\n\r\n").encode()
    for chunk in chunks:
        wire += f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    return wire + b"0\r\n\r\n", status, body, False


@given(response=responses(), cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=8))
def test_any_response_split_anywhere_parses_the_same(
    response: tuple[bytes, int, bytes, bool], cuts: list[int]
) -> None:
    wire, status, body, until_close = response
    points = sorted({min(c, len(wire)) for c in cuts} | {0, len(wire)})
    pieces = [wire[a:b] for a, b in itertools.pairwise(points) if b > a]
    parser = parse(*pieces, eof=until_close)
    assert (parser.status, parser.body) == (status, body)
    assert parser.keep_alive is not until_close


# -- requests and URLs --------------------------------------------------------------------


def test_request_bytes_carry_host_headers_and_length() -> None:
    data = http11.request_bytes(
        "POST", "/", "api.example.com", {"X-Amz-Target": "SageMaker.X"}, b'{"a": 1}'
    )
    assert data == (
        b"POST / HTTP/1.1\r\nHost: api.example.com\r\nX-Amz-Target: SageMaker.X\r\n"
        b'Content-Length: 8\r\n\r\n{"a": 1}'
    )


def test_a_line_break_in_a_header_is_refused() -> None:
    with pytest.raises(ValueError, match="line break"):
        http11.request_bytes("POST", "/", "h", {"X-Evil": "a\r\nInjected: 1"}, b"")


@pytest.mark.parametrize(
    ("url", "host", "port", "target", "tls"),
    [
        ("http://127.0.0.1:8787/", "127.0.0.1:8787", 8787, "/", False),
        (
            "https://api.sagemaker.us-east-1.amazonaws.com",
            "api.sagemaker.us-east-1.amazonaws.com",
            443,
            "/",
            True,
        ),
        ("https://API.Example.com:443/base/?a=1", "api.example.com", 443, "/base/?a=1", True),
        ("http://example.com:80/x", "example.com", 80, "/x", False),
        ("http://[::1]:9000/", "[::1]:9000", 9000, "/", False),
    ],
)
def test_routes_follow_botocores_host_rules(
    url: str, host: str, port: int, target: str, tls: bool
) -> None:
    route = http11.route(url)
    assert (route.host, route.port, route.target, route.tls) == (host, port, target, tls)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "http:///nohost",
        "http://exa\x00mple.com/",
        "http://a b/",
        "http://h:x/",
    ],
)
def test_urls_that_cannot_be_requested(url: str) -> None:
    with pytest.raises(http11.UnsupportedURL):
        http11.route(url)
