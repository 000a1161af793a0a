"""The real clients' virtual environments, built on demand from pinned requirement files.

SageMaker Python SDK v2 and v3 both install the import package ``sagemaker`` and pin
different sagemaker-core majors, and v2 holds attrs below 26, so neither can live in the
project's own environment or share one with the other. Each gets a virtual environment in
the project root, ``.venv-compat-<name>/``, installed from ``tests/compat/requirements-<name>.txt``
(every package pinned, generated from ``requirements-<name>.in`` by ``lock``).

An environment is reused while its key is unchanged: the SHA-256 of the requirement file,
the build recipe's version, the Python version and the platform that built it, written to
a stamp file as the last step of a build. Packages are installed without compiling their
bytecode (``--no-compile``: the clients compile what they import on first use; measured,
this halves a cold build: v2 93 s -> 46 s, v3 191 s -> 115 s). A changed key, or a build that stopped half way (no stamp), is rebuilt from
scratch. A file lock keeps two test runs from building the same environment at once.

    .venv/bin/python -m tests.compat.envs build [v2 v3]   # build (or check) the environments
    .venv/bin/python -m tests.compat.envs lock v2         # re-resolve requirements-v2.in
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import attrs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
STAMP = "sagetune-compat.json"
RECIPE = "1"  # bump when build() changes what an environment holds
BUILD_TIMEOUT = 1800.0


class EnvUnavailable(Exception):
    """A client environment could not be built (the message carries pip's output tail)."""


@attrs.frozen
class ClientEnv:
    """One client environment: where it lives and what it is built from."""

    name: str

    @property
    def requirements(self) -> Path:
        return HERE / f"requirements-{self.name}.txt"

    @property
    def inputs(self) -> Path:
        return HERE / f"requirements-{self.name}.in"

    @property
    def directory(self) -> Path:
        return ROOT / f".venv-compat-{self.name}"

    @property
    def python(self) -> Path:
        return self.bin("python")

    def bin(self, program: str) -> Path:
        return self.directory / "bin" / program

    def key(self) -> str:
        digest = hashlib.sha256(RECIPE.encode())
        digest.update(self.requirements.read_bytes())
        digest.update(f"{sys.version_info[0]}.{sys.version_info[1]}".encode())
        digest.update(f"{platform.system()}-{platform.machine()}".encode())
        return digest.hexdigest()

    def stamp(self) -> dict[str, object] | None:
        try:
            data = json.loads((self.directory / STAMP).read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def is_current(self) -> bool:
        stamp = self.stamp()
        return stamp is not None and stamp.get("key") == self.key() and self.python.exists()

    def ensure(self) -> Path:
        """Build the environment unless a current one exists; return its directory."""
        with _locked(ROOT / f".venv-compat-{self.name}.lock"):
            if self.is_current():
                return self.directory
            self.build()
        return self.directory

    def build(self) -> None:
        started = time.monotonic()
        shutil.rmtree(self.directory, ignore_errors=True)
        _run([sys.executable, "-m", "venv", str(self.directory)], what=f"create {self.directory}")
        log = self.directory / "build.log"
        _run(
            [
                str(self.python),
                "-m",
                "pip",
                "install",
                "--no-input",
                "--no-compile",
                "-r",
                str(self.requirements),
            ],
            what=f"pip install -r {self.requirements.relative_to(ROOT)}",
            log=log,
        )
        stamp = {
            "key": self.key(),
            "requirements": str(self.requirements.relative_to(ROOT)),
            "python": sys.version.split()[0],
            "build_seconds": round(time.monotonic() - started, 1),
        }
        (self.directory / STAMP).write_text(json.dumps(stamp, indent=1) + "\n")


ENVS = {name: ClientEnv(name) for name in ("v2", "v3")}


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(command: list[str], *, what: str, log: Path | None = None) -> str:
    """Run a build step; on failure raise EnvUnavailable with the tail of its output."""
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            check=False,
            env=_pip_env(),
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise EnvUnavailable(f"{what}: {error}") from error
    output = done.stdout + done.stderr
    if log is not None:
        log.write_text(output)
    if done.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-25:])
        raise EnvUnavailable(f"{what} exited with {done.returncode}:\n{tail}")
    return done.stdout


def _pip_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def lock(env: ClientEnv) -> None:
    """Resolve ``requirements-<name>.in`` in a scratch environment and pin everything."""
    with tempfile.TemporaryDirectory(prefix=f"compat-lock-{env.name}-") as scratch:
        python = Path(scratch) / "bin" / "python"
        _run([sys.executable, "-m", "venv", scratch], what="create scratch venv")
        _run(
            [str(python), "-m", "pip", "install", "--no-input", "-r", str(env.inputs)],
            what=f"pip install -r {env.inputs.name}",
        )
        frozen = _run([str(python), "-m", "pip", "freeze", "--all"], what="pip freeze")
    pins = sorted(
        (line for line in frozen.splitlines() if line and not line.startswith(("pip==", "#"))),
        key=str.lower,
    )
    header = (
        f"# Generated from {env.inputs.name} by `python -m tests.compat.envs lock {env.name}`\n"
        f"# (Python {sys.version_info[0]}.{sys.version_info[1]}); edit the .in file, not this one.\n"
    )
    env.requirements.write_text(header + "\n".join(pins) + "\n")


def main(argv: list[str]) -> int:
    if len(argv) < 1 or argv[0] not in ("build", "lock"):
        print(__doc__)
        return 2
    names = argv[1:] or list(ENVS)
    for name in names:
        env = ENVS[name]
        if argv[0] == "lock":
            lock(env)
            print(f"wrote {env.requirements.relative_to(ROOT)}")
            continue
        started = time.monotonic()
        env.ensure()
        print(f"{env.directory.name}: ready ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
