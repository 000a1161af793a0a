"""HTTPS: the CA bundle the settings name is the one that verifies the server, and it is read
at the first handshake, not when a client is built."""

from __future__ import annotations

import ssl

import httpx
import pytest

from sagetune.errors import ConnectionFailure
from sagetune.transport import AsyncSender, HttpSettings, Sender, TransportKind
from sagetune.transport.tls import ssl_verify

HEADERS = {"X-Amz-Target": "SageMaker.ListHyperParameterTuningJobs"}


@pytest.mark.parametrize("transport", ["builtin", "httpx", "aiohttp"])
async def test_https_server_is_verified_with_the_named_ca_bundle(
    tls_server: tuple[str, str], transport: TransportKind
) -> None:
    url, ca = tls_server
    async with AsyncSender.from_settings(HttpSettings(verify=ca, transport=transport)) as sender:
        response = await sender.send("POST", f"{url}/ok", HEADERS, b"{}")
    assert response.status == 200


@pytest.mark.parametrize("transport", ["builtin", "httpx", "aiohttp"])
async def test_https_server_outside_the_bundle_is_refused(
    tls_server: tuple[str, str], transport: TransportKind
) -> None:
    url, _ = tls_server
    settings = HttpSettings(transport=transport, trust_env=False)  # certifi's bundle
    async with AsyncSender.from_settings(settings) as sender:
        with pytest.raises(ConnectionFailure, match="CERTIFICATE_VERIFY_FAILED"):
            await sender.send("POST", f"{url}/ok", HEADERS, b"{}")


@pytest.mark.parametrize("transport", ["builtin", "httpx"])
def test_sync_https_with_bundle_and_without_verification(
    tls_server: tuple[str, str], transport: TransportKind
) -> None:
    url, ca = tls_server
    with Sender.from_settings(HttpSettings(verify=ca, transport=transport)) as sender:
        assert sender.send("POST", f"{url}/ok", HEADERS, b"{}").status == 200
        assert sender.send("POST", f"{url}/ok", HEADERS, b"{}").status == 200  # reused
    with Sender.from_settings(HttpSettings(verify=False, transport=transport)) as sender:
        assert sender.send("POST", f"{url}/ok", HEADERS, b"{}").status == 200
    with (
        Sender.from_settings(HttpSettings(trust_env=False, transport=transport)) as sender,
        pytest.raises(ConnectionFailure, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        sender.send("POST", f"{url}/ok", HEADERS, b"{}")


async def test_async_https_without_verification(tls_server: tuple[str, str]) -> None:
    url, _ = tls_server
    async with AsyncSender.from_settings(HttpSettings(verify=False)) as sender:
        assert (await sender.send("POST", f"{url}/ok", HEADERS, b"{}")).status == 200


def test_ssl_cert_file_is_honoured_only_when_trusting_the_environment(
    tls_server: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ca = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", ca)
    with Sender.from_settings(HttpSettings()) as sender:
        assert sender.send("POST", f"{url}/ok", HEADERS, b"{}").status == 200
    with (
        Sender.from_settings(HttpSettings(trust_env=False)) as sender,
        pytest.raises(ConnectionFailure),
    ):
        sender.send("POST", f"{url}/ok", HEADERS, b"{}")


def test_certificates_are_read_at_the_first_handshake(tls_server: tuple[str, str]) -> None:
    url, ca = tls_server
    context = ssl_verify(ca, trust_env=False)
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0  # nothing read yet
    with httpx.Client(verify=context) as client:
        assert client.post(f"{url}/ok").status_code == 200
    assert context.cert_store_stats()["x509_ca"] == 1
