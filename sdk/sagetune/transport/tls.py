"""TLS for every backend: the CA bundle httpx would pick, read at the first handshake.

Why lazily: reading certifi's bundle takes 50-80 ms, which httpx pays when a client is
created, even by a process that only ever speaks plain http (the simulator, a loopback
endpoint). Every TLS connection (the built-in backends, httpcore sync and async, aiohttp)
goes through ``wrap_socket`` or ``wrap_bio``, so loading there is always in time.
"""

from __future__ import annotations

import os
import ssl
import sys
import threading
from typing import Any

__all__ = ["ssl_verify"]


class _CertificatesOnFirstUse(ssl.SSLContext):
    """A verifying client SSLContext that reads its CA certificates at the first handshake."""

    _sagetune_ca: tuple[str | None, str | None] = (None, None)
    _sagetune_loaded = False
    _sagetune_lock = threading.Lock()

    def _load_certificates(self) -> None:
        if self._sagetune_loaded:
            return
        with self._sagetune_lock:
            if not self._sagetune_loaded:
                cafile, capath = self._sagetune_ca
                self.load_verify_locations(cafile=cafile, capath=capath)
                self._sagetune_loaded = True

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self._load_certificates()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self._load_certificates()
        return super().wrap_bio(*args, **kwargs)


def _verifying_context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    """What ``ssl.create_default_context(cafile=..., capath=...)`` returns, loaded lazily."""
    context = _CertificatesOnFirstUse(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname
    if sys.version_info >= (3, 13):
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN | ssl.VERIFY_X509_STRICT
    keylog = os.environ.get("SSLKEYLOGFILE")
    if keylog and not sys.flags.ignore_environment:
        context.keylog_filename = keylog
    context._sagetune_ca = (cafile, capath)
    return context


def _unverified_context() -> ssl.SSLContext:
    """``verify=False`` as httpx has it: TLS without checking the certificate or host."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def ssl_verify(verify: bool | str, trust_env: bool) -> ssl.SSLContext:
    """The SSL context for our settings: the CA bundle httpx would pick, loaded lazily.

    Order as in httpx: an explicit path, else ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when
    ``trust_env``, else certifi's bundle. ``verify=False``: no verification at all.
    (Passing a context to httpx also avoids httpx 0.28's deprecation of ``verify=<str>``.)
    """
    if verify is False:
        return _unverified_context()
    if isinstance(verify, str):
        if os.path.isdir(verify):
            return _verifying_context(None, verify)
        if not os.path.isfile(verify):
            raise FileNotFoundError(
                f"CA bundle {verify!r} (HttpSettings.verify, e.g. from AWS_CA_BUNDLE) does not "
                f"exist: give the path of a PEM file or a certificate directory."
            )
        return _verifying_context(verify, None)
    if trust_env and os.environ.get("SSL_CERT_FILE"):
        return _verifying_context(os.environ["SSL_CERT_FILE"], None)
    if trust_env and os.environ.get("SSL_CERT_DIR"):
        return _verifying_context(None, os.environ["SSL_CERT_DIR"])
    import certifi  # httpx's own dependency, and where httpx takes its CA bundle from

    return _verifying_context(certifi.where(), None)
