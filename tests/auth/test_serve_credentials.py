"""``sagetune serve``'s keys: from a file, the environment or the command line; never shown.

The rules (``sagetune.cli.serve_credentials``): every source given is accepted together;
the banner names keys and where they came from, never a secret or a token; a secret on the
command line works but warns, since any user of the machine can read it in ``ps``.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from sagetune.cli import serve_credentials
from sagetune.cli.errors import BAD_INPUT, CommandError
from tests._serve_process import serve_process, signed_call

FILE_KEY, FILE_SECRET = "AKIAFROMFILE00000001", "file/secret+value"
TEMP_KEY, TEMP_SECRET, TEMP_TOKEN = "ASIAFROMFILE00000002", "temporary/secret", "file-token=="
ENV_KEY, ENV_SECRET = "AKIAFROMENV000000001", "environment/secret"
CLI_KEY, CLI_SECRET = "AKIAFROMCLI000000001", "command-line/secret"
SECRETS = (FILE_SECRET, TEMP_SECRET, TEMP_TOKEN, ENV_SECRET, CLI_SECRET)


def credentials_file(tmp_path: Path, text: str | None = None, mode: int = 0o600) -> Path:
    path = tmp_path / "credentials"
    path.write_text(
        text
        if text is not None
        else (
            f"[default]\naws_access_key_id = {FILE_KEY}\naws_secret_access_key = {FILE_SECRET}\n"
            "\n[settings-only]\nregion = eu-west-1\n\n"
            f"[temporary]\naws_access_key_id = {TEMP_KEY}\n"
            f"aws_secret_access_key = {TEMP_SECRET}\naws_session_token = {TEMP_TOKEN}\n"
        )
    )
    path.chmod(mode)
    return path


ENVIRONMENT = {
    serve_credentials.ENV_ACCESS_KEY_ID: ENV_KEY,
    serve_credentials.ENV_SECRET_ACCESS_KEY: ENV_SECRET,
}


def test_every_source_is_accepted_together(tmp_path: Path) -> None:
    keys = serve_credentials.load(
        command_line=[f"{CLI_KEY}:{CLI_SECRET}"],
        credentials_file=str(credentials_file(tmp_path)),
        environ=ENVIRONMENT,
    )

    assert keys.credentials == {
        FILE_KEY: FILE_SECRET,
        TEMP_KEY: TEMP_SECRET,
        ENV_KEY: ENV_SECRET,
        CLI_KEY: CLI_SECRET,
    }
    assert keys.session_tokens == {TEMP_KEY: TEMP_TOKEN}
    assert keys.warnings == (serve_credentials.COMMAND_LINE_WARNING,)
    shown = keys.describe()
    assert all(key in shown for key in (FILE_KEY, TEMP_KEY, ENV_KEY, CLI_KEY))
    assert not any(secret in shown or secret in repr(keys) for secret in SECRETS)


def test_no_source_means_the_built_in_test_key_named_without_its_secret() -> None:
    keys = serve_credentials.load(command_line=None, credentials_file=None, environ={})

    assert keys.credentials is None
    assert keys.warnings == ()
    assert "SAGETUNESIMULATOR" in keys.describe()
    assert "sagetune-simulator-secret" not in keys.describe()


def test_a_session_token_can_come_from_the_command_line_and_the_environment() -> None:
    keys = serve_credentials.load(
        command_line=[f"{CLI_KEY}:{CLI_SECRET}:cli-token"],
        credentials_file=None,
        environ={**ENVIRONMENT, serve_credentials.ENV_SESSION_TOKEN: "env-token"},
    )

    assert keys.session_tokens == {CLI_KEY: "cli-token", ENV_KEY: "env-token"}


def test_a_credentials_file_readable_by_others_is_accepted_with_a_warning(tmp_path: Path) -> None:
    keys = serve_credentials.load(
        command_line=None,
        credentials_file=str(credentials_file(tmp_path, mode=0o644)),
        environ={},
    )

    assert keys.credentials is not None
    (warning,) = keys.warnings
    assert "can be read by other users" in warning
    assert "chmod 600" in warning


@pytest.mark.parametrize(
    ("command_line", "file_text", "environ", "message"),
    [
        ([f"{CLI_KEY}"], None, {}, "ACCESS_KEY_ID:SECRET[:SESSION_TOKEN]"),
        ([f"{CLI_KEY}:"], None, {}, "with a missing part"),
        (
            None,
            f"[p]\naws_access_key_id = {FILE_KEY}\n",
            {},
            "profile [p] has no aws_secret_access_key",
        ),
        (None, "[p]\nregion = us-east-1\n", {}, "has no profile with aws_access_key_id"),
        (None, "not an ini file", {}, "is not an AWS credentials file"),
        (
            None,
            None,
            {serve_credentials.ENV_SECRET_ACCESS_KEY: ENV_SECRET},
            "SAGETUNE_SIMULATOR_ACCESS_KEY_ID is not set",
        ),
        (
            [f"{FILE_KEY}:another-secret"],
            None,
            {},
            f"access key {FILE_KEY} is given twice with different secrets",
        ),
    ],
)
def test_bad_credentials_are_bad_input_and_never_echo_a_secret(
    tmp_path: Path,
    command_line: list[str] | None,
    file_text: str | None,
    environ: dict[str, str],
    message: str,
) -> None:
    path = credentials_file(tmp_path, file_text) if file_text is not None else None
    if command_line and command_line[0].startswith(FILE_KEY):
        path = credentials_file(tmp_path)

    with pytest.raises(CommandError) as failed:
        serve_credentials.load(
            command_line=command_line,
            credentials_file=str(path) if path is not None else None,
            environ=environ,
        )

    assert failed.value.exit_code == BAD_INPUT
    assert message in str(failed.value)
    assert not any(secret in str(failed.value) for secret in (*SECRETS, "another-secret"))


def test_a_missing_credentials_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read --credentials-file") as failed:
        serve_credentials.load(
            command_line=None, credentials_file=str(tmp_path / "absent"), environ={}
        )

    assert failed.value.exit_code == BAD_INPUT


def test_serve_takes_keys_from_file_environment_and_command_line_and_never_prints_a_secret(
    tmp_path: Path,
) -> None:
    path = credentials_file(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAGETUNE_SIMULATOR_")}
    args = ("--credentials-file", str(path), "--credentials", f"{CLI_KEY}:{CLI_SECRET}")

    with serve_process(*args, env=env | ENVIRONMENT) as served, httpx.Client() as http:
        for key, secret, token in [
            (FILE_KEY, FILE_SECRET, None),
            (TEMP_KEY, TEMP_SECRET, TEMP_TOKEN),
            (ENV_KEY, ENV_SECRET, None),
            (CLI_KEY, CLI_SECRET, None),
        ]:
            status, body = signed_call(
                http,
                served.url,
                "ListHyperParameterTuningJobs",
                {},
                key=key,
                secret=secret,
                token=token,
            )
            assert status == 200, body
        status, body = signed_call(
            http,
            served.url,
            "ListHyperParameterTuningJobs",
            {},
            key=FILE_KEY,
            secret=FILE_SECRET,
            token="made-up",
        )
        assert (status, body["__type"]) == (400, "UnrecognizedClientException")
        code, out, err = served.stop()

    printed = served.banner + out + err
    assert code == 0
    assert all(key in served.banner for key in (FILE_KEY, TEMP_KEY, ENV_KEY, CLI_KEY))
    assert not any(secret in printed for secret in SECRETS)
    assert serve_credentials.COMMAND_LINE_WARNING in err


def test_serve_without_keys_names_the_test_key_but_not_its_secret() -> None:
    with serve_process() as served:
        code, out, err = served.stop()

    assert "auth: key SAGETUNESIMULATOR" in served.banner
    assert "sagetune-simulator-secret" not in served.banner + out + err
    assert "warning" not in err
    assert code == 0
