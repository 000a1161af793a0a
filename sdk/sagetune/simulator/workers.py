"""A worker process for the clock driver's search suggestions.

A Bayesian suggestion late in a 750-job tuning job takes tens of milliseconds of pure
Python and numpy. Computed on the driver thread it holds the GIL that the server's thread
needs for every request (each time the server thread wants it back it may wait a whole
switch interval, and longer when the machine is busy and the holder is descheduled), so
``serve`` computes suggestions in a separate process instead. A suggestion is a pure
function of its ``LaunchSlot`` (pickled there, the configuration pickled back), so the
result is the same wherever it is computed.

The worker runs at a lower CPU priority (``NICENESS``): on a busy machine the server's
threads, which answer requests, get the CPU first, and the simulation uses what is left.

The worker is ``python -m sagetune.simulator.workers``, talking over its stdin and stdout
(length-prefixed pickles): no ``multiprocessing``, so nothing re-imports the caller's main
module, and the worker ends by itself when the simulator's process dies, however it dies
(SIGKILL included): its stdin closes. If the worker dies, the next suggestion starts
another; if none can be had, ``suggest`` returns None and the caller computes in process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import struct
import subprocess
import sys
from typing import IO, Any

from sagetune.simulator.tuning import LaunchSlot

log = logging.getLogger("sagetune.simulator")

_LENGTH = struct.Struct(">I")

NICENESS = 10
"""Added to the worker's nice value: under CPU contention it gets about a tenth of the share
of a normal process (Linux CFS weights), so requests are answered before suggestions."""


class WorkerFailed(Exception):
    """The worker process died or answered nonsense."""


def _send(stream: IO[bytes], value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next message, or EOFError when the other side is gone."""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        raise EOFError
    (size,) = _LENGTH.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


class SuggestionWorker:
    """One worker process computing ``LaunchSlot.suggest()``, started on first use.

    ``submit`` sends a slot, ``result`` reads the answers back in the same order (the
    caller computes other work in between); ``close()`` ends the process.
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._outstanding = 0

    @property
    def pid(self) -> int | None:
        """The worker process's id, while one runs."""
        return self._process.pid if self._process is not None else None

    def submit(self, slot: LaunchSlot) -> bool:
        """Send ``slot`` to the worker; False when no worker can be had (compute here)."""
        try:
            process = self._started()
            assert process.stdin is not None
            _send(process.stdin, slot)
        except (OSError, ValueError):
            log.warning("the suggestion worker is gone; computing in process", exc_info=True)
            self._discard()
            return False
        self._outstanding += 1
        return True

    def result(self) -> dict[str, str]:
        """The answer to the oldest slot submitted; WorkerFailed if the worker died."""
        process = self._process
        if process is None or process.stdout is None or not self._outstanding:
            raise WorkerFailed("no suggestion is outstanding")
        try:
            ok, value = _receive(process.stdout)
        except (EOFError, OSError, pickle.UnpicklingError, ValueError) as exc:
            self._discard()
            raise WorkerFailed(f"the suggestion worker died: {exc!r}") from None
        self._outstanding -= 1
        if not ok:
            raise WorkerFailed(f"the suggestion failed in the worker:\n{value}")
        return dict(value)

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            self._discard()
            self._process = subprocess.Popen(
                [sys.executable, "-m", "sagetune.simulator.workers"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        return self._process

    def _discard(self) -> None:
        process, self._process = self._process, None
        self._outstanding = 0
        if process is not None:
            process.kill()
            process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()

    def close(self) -> None:
        """End the worker (it exits on end of input)."""
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            process.stdin.close()
            process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        process.stdout.close()


def main() -> None:
    """The worker: answer each slot with ``(True, configuration)`` or ``(False, error)``
    until stdin ends (the simulator closed it, or died)."""
    import traceback

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the answer stream
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    while True:
        try:
            slot = _receive(stdin)
        except EOFError:
            return
        try:
            answer: tuple[bool, Any] = (True, slot.suggest())
        except Exception:
            answer = (False, traceback.format_exc())
        _send(stdout, answer)


if __name__ == "__main__":
    main()
