"""HttpSettings and the clients built from it."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import textwrap

import certifi
import httpx
import pytest
from httpx_aiohttp import HttpxAiohttpClient

from sagetune.transport import HttpSettings, TransportKind, make_async_client, make_sync_client
from sagetune.transport.httpx_backend import BuiltinAsyncTransport, BuiltinSyncTransport


def test_defaults_follow_botocore() -> None:
    settings = HttpSettings()
    assert (settings.connect_timeout, settings.read_timeout) == (60.0, 60.0)
    assert settings.max_connections == 10
    assert settings.transport == "builtin"
    assert settings.verify is True
    assert settings.trust_env is True


def test_timeout_bounds_writes_by_read_and_pool_wait_by_connect() -> None:
    timeout = HttpSettings(connect_timeout=2.0, read_timeout=7.0).timeout
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (2.0, 7.0, 7.0, 2.0)


def test_limits_keep_alive_every_connection_opened() -> None:
    limits = HttpSettings(max_connections=4).limits
    assert (limits.max_connections, limits.max_keepalive_connections) == (4, 4)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("connect_timeout", 0.0),
        ("read_timeout", -1.0),
        ("max_connections", 0),
        ("max_in_flight", 0),
        ("transport", "requests"),
    ],
)
def test_rejects_values_that_cannot_work(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        HttpSettings(**{field: value})  # type: ignore[arg-type]


def test_gate_defaults_to_the_pool_size() -> None:
    assert HttpSettings().in_flight_limit == 10
    assert HttpSettings(max_connections=25).in_flight_limit == 25
    assert HttpSettings(max_connections=25, max_in_flight=4).in_flight_limit == 4


@pytest.mark.parametrize("transport", ["builtin", "httpx"])
async def test_async_client_carries_settings(transport: TransportKind) -> None:
    settings = HttpSettings(
        connect_timeout=3.0, read_timeout=4.0, trust_env=False, transport=transport
    )
    async with make_async_client(settings) as client:
        assert isinstance(client, httpx.AsyncClient)
        assert not isinstance(client, HttpxAiohttpClient)
        assert client.timeout == settings.timeout
        assert client.trust_env is False
        over_builtin = isinstance(client._transport, BuiltinAsyncTransport)
        assert over_builtin == (transport == "builtin")


@pytest.mark.parametrize("transport", ["builtin", "httpx"])
def test_sync_client_carries_settings(transport: TransportKind) -> None:
    settings = HttpSettings(connect_timeout=3.0, read_timeout=4.0, transport=transport)
    with make_sync_client(settings) as client:
        assert isinstance(client, httpx.Client)
        assert client.timeout == settings.timeout
        assert isinstance(client._transport, BuiltinSyncTransport) == (transport == "builtin")


def test_a_proxy_in_the_environment_hands_the_builtin_transport_to_httpx(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    assert HttpSettings().backend == "httpx"
    assert HttpSettings(trust_env=False).backend == "builtin"
    assert HttpSettings(transport="aiohttp").backend == "aiohttp"
    with make_sync_client(HttpSettings()) as client:
        assert isinstance(client._transport, httpx.HTTPTransport)


async def test_aiohttp_transport_keeps_the_httpx_api() -> None:
    async with make_async_client(HttpSettings(transport="aiohttp")) as client:
        assert isinstance(client, HttpxAiohttpClient)
        assert isinstance(client, httpx.AsyncClient)


def test_sync_client_uses_the_builtin_pool_when_aiohttp_is_chosen() -> None:
    with make_sync_client(HttpSettings(transport="aiohttp")) as client:
        assert isinstance(client, httpx.Client)
        assert isinstance(client._transport, BuiltinSyncTransport)


def set_cookie(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        headers={"Set-Cookie": "AWSALB=abc; Path=/"},
        json={"cookie": request.headers.get("cookie")},
    )


def test_built_clients_ignore_set_cookie_but_send_cookies_set_by_hand() -> None:
    with make_sync_client(HttpSettings()) as client:
        client._transport = httpx.MockTransport(set_cookie)
        client.get("http://example.test/")
        assert client.get("http://example.test/").json()["cookie"] is None  # nothing was kept
        assert len(client.cookies) == 0
        client.cookies = {"mine": "1"}
        assert client.get("http://example.test/").json()["cookie"] == "mine=1"


@pytest.mark.parametrize("transport", ["builtin", "httpx", "aiohttp"])
async def test_built_async_clients_ignore_set_cookie(transport: TransportKind) -> None:
    async with make_async_client(HttpSettings(transport=transport)) as client:
        client._transport = httpx.MockTransport(set_cookie)
        await client.get("http://example.test/")
        assert (await client.get("http://example.test/")).json()["cookie"] is None
        assert len(client.cookies) == 0


def test_a_plain_httpx_client_would_have_kept_the_cookie() -> None:
    # The control for the two tests above: the mock really sets a cookie.
    with httpx.Client(transport=httpx.MockTransport(set_cookie)) as client:
        client.get("http://example.test/")
        assert client.get("http://example.test/").json()["cookie"] == "AWSALB=abc"


def test_missing_fast_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx_aiohttp", None)
    with pytest.raises(ImportError, match=r"pip install 'sagetune\[fast\]'"):
        make_async_client(HttpSettings(transport="aiohttp"))


@pytest.mark.filterwarnings("error::DeprecationWarning")
def test_ca_bundle_path_becomes_an_ssl_context_without_httpx_deprecation() -> None:
    # A CA bundle path works as verify= without httpx's "verify=<str> is deprecated".
    with make_sync_client(HttpSettings(verify=certifi.where())) as client:
        assert isinstance(client, httpx.Client)


def test_ca_bundle_directory_is_accepted(tmp_path: os.PathLike[str]) -> None:
    with make_sync_client(HttpSettings(verify=os.fspath(tmp_path))) as client:
        assert isinstance(client, httpx.Client)


def test_missing_ca_bundle_fails_when_the_client_is_built(tmp_path: os.PathLike[str]) -> None:
    with pytest.raises((FileNotFoundError, ssl.SSLError)):
        make_sync_client(HttpSettings(verify=os.path.join(tmp_path, "missing.pem")))


def test_importing_the_package_loads_no_http_library() -> None:
    # Cold start: httpx only when an httpx client is asked for, aiohttp only for its backend,
    # ssl only for https; a blocking call over plain http needs none of them.
    code = textwrap.dedent(
        """
        import sys
        import sagetune.transport as t
        before = {m for m in ("httpx", "httpcore", "aiohttp", "ssl") if m in sys.modules}
        sender = t.Sender.from_settings(t.HttpSettings())
        sender.close()
        after = {m for m in ("httpx", "httpcore", "aiohttp", "ssl") if m in sys.modules}
        print(sorted(before), sorted(after))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[] []"
