"""The keys ``sagetune serve`` accepts: from a file, the environment or the command line.

Sources, all optional and combined (none: the simulator's built-in test key):

- ``--credentials-file PATH``: an AWS shared credentials file (``~/.aws/credentials``
  format); every profile with ``aws_access_key_id`` and ``aws_secret_access_key`` (and
  ``aws_session_token`` for temporary credentials) is a key;
- ``SAGETUNE_SIMULATOR_ACCESS_KEY_ID``, ``SAGETUNE_SIMULATOR_SECRET_ACCESS_KEY`` and
  optionally ``SAGETUNE_SIMULATOR_SESSION_TOKEN``: one key. Not ``AWS_*``: a shell where a
  client's (perhaps real) credentials are exported would silently change what the
  simulator accepts;
- ``--credentials ACCESS_KEY_ID:SECRET[:SESSION_TOKEN]`` (repeatable): works, with a
  warning, since any user of the machine can read a command line (``ps``).

Secrets are never printed: messages name keys, files and profiles only.
"""

from __future__ import annotations

import configparser
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

import attrs

from sagetune.cli.errors import BAD_INPUT, CommandError

ENV_ACCESS_KEY_ID = "SAGETUNE_SIMULATOR_ACCESS_KEY_ID"
ENV_SECRET_ACCESS_KEY = "SAGETUNE_SIMULATOR_SECRET_ACCESS_KEY"
ENV_SESSION_TOKEN = "SAGETUNE_SIMULATOR_SESSION_TOKEN"

COMMAND_LINE_WARNING = (
    "warning: --credentials puts a secret on the command line, where every user of this "
    f"machine can read it (ps); use --credentials-file or {ENV_SECRET_ACCESS_KEY} instead"
)


@attrs.frozen(kw_only=True)
class Key:
    """One accepted key, and where it came from (for the banner)."""

    access_key_id: str
    secret: str = attrs.field(repr=False)
    session_token: str | None = attrs.field(default=None, repr=False)
    source: str


@attrs.frozen(kw_only=True)
class ServeCredentials:
    """What ``Simulator(credentials=..., session_tokens=...)`` takes, and what to print."""

    keys: tuple[Key, ...]
    warnings: tuple[str, ...] = ()

    @property
    def credentials(self) -> dict[str, str] | None:
        """Access key id -> secret (None: the simulator's built-in test key)."""
        return {k.access_key_id: k.secret for k in self.keys} or None

    @property
    def session_tokens(self) -> dict[str, str]:
        return {k.access_key_id: k.session_token for k in self.keys if k.session_token}

    def describe(self) -> str:
        """The banner's auth line, without any secret."""
        if not self.keys:
            return (
                "key SAGETUNESIMULATOR (the built-in test key; its secret is "
                "sagetune.simulator.DEFAULT_SECRET_ACCESS_KEY)"
            )
        shown = ", ".join(
            f"{k.access_key_id} ({k.source}{', with a session token' if k.session_token else ''})"
            for k in self.keys
        )
        return f"{'key' if len(self.keys) == 1 else 'keys'} {shown}; secrets are not shown"


def load(
    *,
    command_line: Iterable[str] | None,
    credentials_file: str | None,
    environ: Mapping[str, str] = os.environ,
) -> ServeCredentials:
    """Gather the keys from every source given; CommandError (exit 2) for bad input."""
    keys: list[Key] = []
    warnings: list[str] = []
    if credentials_file is not None:
        keys.extend(_from_file(Path(credentials_file), warnings))
    keys.extend(_from_environment(environ))
    values = list(command_line or ())
    if values:
        warnings.append(COMMAND_LINE_WARNING)
        keys.extend(_from_command_line(value) for value in values)
    return ServeCredentials(keys=_merged(keys), warnings=tuple(warnings))


def _from_command_line(value: str) -> Key:
    parts = value.split(":", 2)
    if len(parts) < 2 or not all(parts):
        key = parts[0] if parts and parts[0] else "?"
        raise CommandError(
            f"--credentials takes ACCESS_KEY_ID:SECRET[:SESSION_TOKEN], got {key}:... "
            "with a missing part",
            BAD_INPUT,
        )
    token = parts[2] if len(parts) == 3 else None
    return Key(access_key_id=parts[0], secret=parts[1], session_token=token, source="--credentials")


def _from_environment(environ: Mapping[str, str]) -> list[Key]:
    key = environ.get(ENV_ACCESS_KEY_ID, "")
    secret = environ.get(ENV_SECRET_ACCESS_KEY, "")
    token = environ.get(ENV_SESSION_TOKEN, "")
    if not key and not secret and not token:
        return []
    if not key or not secret:
        missing = ENV_ACCESS_KEY_ID if not key else ENV_SECRET_ACCESS_KEY
        raise CommandError(
            f"{missing} is not set, but other SAGETUNE_SIMULATOR_* credentials are: "
            f"set both {ENV_ACCESS_KEY_ID} and {ENV_SECRET_ACCESS_KEY}",
            BAD_INPUT,
        )
    return [
        Key(access_key_id=key, secret=secret, session_token=token or None, source="environment")
    ]


def _from_file(path: Path, warnings: list[str]) -> list[Key]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
        mode = path.stat().st_mode
    except OSError as exc:
        raise CommandError(
            f"cannot read --credentials-file {path}: {exc.strerror}", BAD_INPUT
        ) from None
    except (configparser.Error, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0] if isinstance(exc, configparser.Error) else str(exc)
        raise CommandError(
            f"--credentials-file {path} is not an AWS credentials file "
            f"([profile] sections of name = value lines): {reason}",
            BAD_INPUT,
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.append(
            f"warning: --credentials-file {path} can be read by other users "
            f"(mode {stat.filemode(mode)}); chmod 600 it"
        )
    keys = []
    for profile in parser.sections():
        section = parser[profile]
        key = section.get("aws_access_key_id", "").strip()
        secret = section.get("aws_secret_access_key", "").strip()
        token = section.get("aws_session_token", "").strip()
        if not key and not secret:
            continue  # a profile of other settings (region, role_arn, ...)
        if not key or not secret:
            missing = "aws_access_key_id" if not key else "aws_secret_access_key"
            raise CommandError(
                f"--credentials-file {path}: profile [{profile}] has no {missing}", BAD_INPUT
            )
        keys.append(
            Key(
                access_key_id=key,
                secret=secret,
                session_token=token or None,
                source=f"{path} [{profile}]",
            )
        )
    if not keys:
        raise CommandError(
            f"--credentials-file {path} has no profile with aws_access_key_id and "
            "aws_secret_access_key",
            BAD_INPUT,
        )
    return keys


def _merged(keys: list[Key]) -> tuple[Key, ...]:
    """One entry per access key id; the same id given twice must agree."""
    by_id: dict[str, Key] = {}
    for key in keys:
        earlier = by_id.get(key.access_key_id)
        if earlier is None:
            by_id[key.access_key_id] = key
        elif (earlier.secret, earlier.session_token) != (key.secret, key.session_token):
            raise CommandError(
                f"access key {key.access_key_id} is given twice with different secrets or "
                f"session tokens ({earlier.source}; {key.source})",
                BAD_INPUT,
            )
    return tuple(by_id.values())
