"""Proxies from the environment (trust_env): HTTP_PROXY is used, NO_PROXY is honoured, and
trust_env=False ignores both; the same for every transport (the built-in one hands proxied
requests to httpx's client layer over its own pool). The loopback test server plays
the proxy: it answers with the request target it received (absolute when proxied)."""

from __future__ import annotations

import json

import pytest

from sagetune.transport import AsyncSender, HttpSettings, TransportKind

TRANSPORTS: list[TransportKind] = ["builtin", "httpx", "aiohttp"]


@pytest.fixture
def proxy_env(monkeypatch: pytest.MonkeyPatch, server_url: str) -> str:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("HTTP_PROXY", server_url)
    return server_url


async def target_seen(settings: HttpSettings, url: str) -> str:
    async with AsyncSender.from_settings(settings) as sender:
        response = await sender.send("POST", url, {}, b"{}")
    path: str = json.loads(response.body)["path"]
    return path


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_http_proxy_from_the_environment_is_used(
    proxy_env: str, transport: TransportKind
) -> None:
    seen = await target_seen(HttpSettings(transport=transport), "http://sagemaker.invalid/ok")
    assert seen == "http://sagemaker.invalid/ok"  # absolute target: it went through the proxy


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_no_proxy_is_honoured(
    proxy_env: str, transport: TransportKind, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert await target_seen(HttpSettings(transport=transport), f"{proxy_env}/ok") == "/ok"


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_trust_env_false_ignores_proxy_settings(
    proxy_env: str, transport: TransportKind
) -> None:
    settings = HttpSettings(transport=transport, trust_env=False)
    assert await target_seen(settings, f"{proxy_env}/direct") == "/direct"


def test_blocking_sender_uses_the_proxy_too(proxy_env: str) -> None:
    from sagetune.transport import Sender

    with Sender.from_settings(HttpSettings()) as sender:
        response = sender.send("POST", "http://sagemaker.invalid/ok", {}, b"{}")
    assert json.loads(response.body)["path"] == "http://sagemaker.invalid/ok"


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
def test_any_proxy_variable_hands_the_builtin_transport_to_httpx(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    from sagetune.transport.httpx_backend import HttpxSyncBackend
    from sagetune.transport.sender import sync_backend

    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    assert not isinstance(sync_backend(HttpSettings(), None), HttpxSyncBackend)
    monkeypatch.setenv(variable, "http://proxy.invalid:3128")
    backend = sync_backend(HttpSettings(), None)
    assert isinstance(backend, HttpxSyncBackend)
    backend.close()
    assert not isinstance(sync_backend(HttpSettings(trust_env=False), None), HttpxSyncBackend)
