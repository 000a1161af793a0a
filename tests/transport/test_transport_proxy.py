"""Proxies from the environment (trust_env): HTTP_PROXY is used, NO_PROXY is honoured, and
trust_env=False ignores both; the same for both transports. The loopback test server plays
the proxy: it answers with the request target it received (absolute when proxied)."""

from __future__ import annotations

import json

import pytest

from sagetune.transport import AsyncSender, HttpSettings, TransportKind

TRANSPORTS: list[TransportKind] = ["httpx", "aiohttp"]


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
