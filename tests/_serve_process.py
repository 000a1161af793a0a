"""``sagetune serve`` in a subprocess, as a user runs it, and signed calls to it.

For tests about the real server process: its banner and warnings, its credentials, what a
SIGKILL leaves behind. The process gets its own session (process group), so that ending it
ends the simulator's worker process too, and ``gone()`` can tell when all of it has exited.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import httpx

from sagetune.simulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY
from tests.simulator.conftest import SignedCaller

START_TIMEOUT = 60.0


class ServeProcess:
    """One ``sagetune serve --port 0 ...`` process; ``banner`` is what it printed first."""

    def __init__(self, args: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sagetune", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
        self.banner = self._read_banner()
        match = re.search(r"listening on (http://\S+)", self.banner)
        if match is None:
            self.kill()
            raise RuntimeError(f"sagetune serve did not start: {self.banner!r}")
        self.url = match.group(1)

    def _read_banner(self) -> str:
        """Up to the end of the banner's ``auth:`` line (raw reads: nothing is buffered
        behind ``select``'s back)."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        data = b""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and not re.search(rb"\n  auth:[^\n]*\n", data):
            ready, _, _ = select.select([fd], [], [], 1.0)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    break
                data += chunk
            elif self.process.poll() is not None:
                break
        return data.decode("utf-8", "replace")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def stop(self, timeout: float = 30.0) -> tuple[int, str, str]:
        """SIGTERM, then what it printed after its banner (exit code, stdout, stderr)."""
        self.process.send_signal(signal.SIGTERM)
        out, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, out.decode(errors="replace"), err.decode(errors="replace")

    def gone(self, timeout: float = 10.0) -> bool:
        """True once every process of its group (the worker too) has exited."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.process.poll()
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.05)
        return False

    def close(self) -> None:
        self.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.communicate(timeout=30)

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def serve_process(*args: str, env: Mapping[str, str] | None = None) -> Iterator[ServeProcess]:
    with ServeProcess(args, env) as served:
        yield served


def signed_call(
    http: httpx.Client,
    url: str,
    operation: str,
    body: Mapping[str, Any],
    *,
    key: str = DEFAULT_ACCESS_KEY_ID,
    secret: str = DEFAULT_SECRET_ACCESS_KEY,
    token: str | None = None,
) -> tuple[int, Any]:
    """POST one SageMaker operation signed with botocore's SigV4; (status, parsed body)."""
    caller = SignedCaller(http, url, key=key, secret=secret, token=token)
    return caller(operation, dict(body))
