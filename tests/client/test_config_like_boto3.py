"""The configuration chain gives what boto3 gives: for many shared files and environments,
the region, endpoint, retry mode, attempts, CA bundle and credentials sagetune resolves are
the ones a stock boto3 client resolves (boto3 runs in the same test, on the same files).

sagetune reads the files without a botocore session (see ``sagetune.config._SharedConfig``);
these cases are where the two could disagree: profiles from the environment or the
arguments, profiles only in the credentials file, ``~`` in file paths, environment over
file, services sections, FIPS, a missing profile.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest

from sagetune.config import CONFIG_VARIABLES, ResolvedConfig, resolve_config
from sagetune.errors import ConfigurationError

CREDENTIALS = """
[default]
aws_access_key_id = AKIADEFAULTFILE
aws_secret_access_key = default-secret
[dev]
aws_access_key_id = AKIADEVFILE
aws_secret_access_key = dev-secret
[credsonly]
aws_access_key_id = AKIACREDSONLY
aws_secret_access_key = creds-secret
region = sa-east-1
"""

CONFIG = """
[default]
region = us-west-2
output = json
[profile dev]
region = eu-central-1
retry_mode = adaptive
max_attempts = 6
[profile fips]
region = us-east-1
use_fips_endpoint = true
[profile local]
region = us-east-1
services = local-services
[services local-services]
sagemaker =
  endpoint_url = http://localhost:4567
[profile global-endpoint]
region = ap-south-1
endpoint_url = http://localhost:9999
[profile ignoring]
region = ap-south-1
endpoint_url = http://localhost:9999
ignore_configured_endpoint_urls = true
[profile bundle]
region = eu-west-1
ca_bundle = /etc/ssl/corp.pem
[profile broken-services]
region = us-east-1
services = missing-section
"""


@dataclass
class Case:
    name: str
    config: str | None = CONFIG
    credentials: str | None = CREDENTIALS
    environment: dict[str, str] = field(default_factory=dict)
    arguments: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("no files, region from the environment", None, None, {"AWS_DEFAULT_REGION": "eu-west-2"}),
    Case("default profile"),
    Case("AWS_PROFILE", environment={"AWS_PROFILE": "dev"}),
    Case(
        "AWS_DEFAULT_PROFILE wins over AWS_PROFILE",
        environment={"AWS_DEFAULT_PROFILE": "fips", "AWS_PROFILE": "dev"},
    ),
    Case(
        "profile argument wins over AWS_PROFILE",
        environment={"AWS_PROFILE": "fips"},
        arguments={"profile_name": "dev"},
    ),
    Case("a profile only in the credentials file", arguments={"profile_name": "credsonly"}),
    Case(
        "environment over the file",
        environment={
            "AWS_PROFILE": "dev",
            "AWS_DEFAULT_REGION": "us-east-2",
            "AWS_RETRY_MODE": "standard",
            "AWS_MAX_ATTEMPTS": "2",
        },
    ),
    Case(
        "region argument over everything",
        environment={"AWS_DEFAULT_REGION": "us-east-2"},
        arguments={"region_name": "ca-central-1"},
    ),
    Case("FIPS from the profile", arguments={"profile_name": "fips"}),
    Case(
        "FIPS and dual-stack from the environment",
        environment={"AWS_USE_FIPS_ENDPOINT": "TRUE", "AWS_USE_DUALSTACK_ENDPOINT": "true"},
    ),
    Case("services section", arguments={"profile_name": "local"}),
    Case("the profile's endpoint_url", arguments={"profile_name": "global-endpoint"}),
    Case(
        "environment endpoint over the file's",
        environment={"AWS_ENDPOINT_URL": "http://env:1"},
        arguments={"profile_name": "local"},
    ),
    Case(
        "SageMaker's endpoint variable over the global one",
        environment={
            "AWS_ENDPOINT_URL": "http://env:1",
            "AWS_ENDPOINT_URL_SAGEMAKER": "http://sm:2",
        },
    ),
    Case("configured endpoints ignored", arguments={"profile_name": "ignoring"}),
    Case(
        "ignored from the environment",
        environment={
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true",
            "AWS_ENDPOINT_URL": "http://env:1",
        },
    ),
    Case(
        "endpoint_url argument", arguments={"profile_name": "local", "endpoint_url": "http://arg:3"}
    ),
    Case("CA bundle from the profile", arguments={"profile_name": "bundle"}),
    Case(
        "credentials from the environment",
        environment={"AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "s"},
    ),
    Case(
        "config file only",
        credentials=None,
        environment={
            "AWS_PROFILE": "dev",
            "AWS_ACCESS_KEY_ID": "AKIAENV",
            "AWS_SECRET_ACCESS_KEY": "s",
        },
    ),
    Case("credentials file only", config=None, arguments={"region_name": "us-east-1"}),
]


def write_files(case: Case, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The case's files under ``home``, named through ``~`` as a user's would be."""
    monkeypatch.setenv("HOME", str(home))
    for content, name, variable in (
        (case.config, "config", "AWS_CONFIG_FILE"),
        (case.credentials, "credentials", "AWS_SHARED_CREDENTIALS_FILE"),
    ):
        if content is not None:
            (home / ".aws").mkdir(exist_ok=True)
            (home / ".aws" / name).write_text(textwrap.dedent(content))
        monkeypatch.setenv(variable, f"~/.aws/{name}")
    for name, value in case.environment.items():
        monkeypatch.setenv(name, value)


def boto3_view(case: Case) -> dict[str, Any]:
    arguments = dict(case.arguments)
    session = boto3.session.Session(profile_name=arguments.pop("profile_name", None))
    client = session.client("sagemaker", **arguments)
    retries = client.meta.config.retries or {}
    credentials = session.get_credentials()
    return {
        "region": client.meta.region_name,
        "endpoint": client.meta.endpoint_url,
        "retry_mode": "adaptive" if retries.get("mode") == "adaptive" else "standard",
        "max_attempts": retries.get("total_max_attempts", 3),
        "ca_bundle": session._session.get_config_variable("ca_bundle"),
        "access_key": credentials.access_key if credentials else None,
    }


def sagetune_view(resolved: ResolvedConfig) -> dict[str, Any]:
    credentials = resolved.credentials
    try:
        access_key: str | None = credentials.frozen().access_key
    except Exception:
        access_key = None
    bundle = resolved.http.verify
    return {
        "region": resolved.region,
        "endpoint": resolved.endpoint_url,
        "retry_mode": resolved.retry_mode,
        "max_attempts": resolved.max_attempts,
        "ca_bundle": bundle if isinstance(bundle, str) else None,
        "access_key": access_key,
    }


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_resolved_like_boto3(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(case, tmp_path, monkeypatch)
    expected = boto3_view(case)
    assert sagetune_view(resolve_config(**case.arguments)) == expected


@pytest.mark.parametrize(
    ("arguments", "environment", "boto3_error"),
    [
        (
            {"profile_name": "nope", "region_name": "us-east-1"},
            {},
            botocore.exceptions.ProfileNotFound,
        ),
        (
            {"region_name": "us-east-1"},
            {"AWS_PROFILE": "nope"},
            botocore.exceptions.ProfileNotFound,
        ),
        ({"profile_name": "broken-services"}, {}, botocore.exceptions.InvalidConfigError),
    ],
)
def test_refused_like_boto3(
    arguments: dict[str, Any],
    environment: dict[str, str],
    boto3_error: type[Exception],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = Case("refused", environment=environment, arguments=arguments)
    write_files(case, tmp_path, monkeypatch)
    with pytest.raises(boto3_error):
        boto3_view(case)
    with pytest.raises(ConfigurationError, match=boto3_error.__name__):
        resolve_config(**arguments)


def test_the_variables_read_are_botocores() -> None:
    from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES

    for name, (key, environment, default, convert) in CONFIG_VARIABLES.items():
        theirs = BOTOCORE_DEFAUT_SESSION_VARIABLES[name]
        their_environment = (theirs[1],) if isinstance(theirs[1], str) else tuple(theirs[1])
        assert (key, environment) == (theirs[0], their_environment), name
        if name != "retry_mode":  # botocore's default moved from legacy to standard in 1.44
            assert default == theirs[2], name
        assert getattr(convert, "__name__", None) in (
            getattr(theirs[3], "__name__", None),
            f"_{getattr(theirs[3], '__name__', None)}",
        ), name


def test_resolving_needs_no_botocore_session() -> None:
    """Cold start: with or without shared files, resolving a client's configuration (keys
    given) imports neither ``botocore.session`` nor its configuration provider, and without
    files not even botocore's config file parser."""
    import subprocess
    import sys

    code = textwrap.dedent(
        """
        import os, sys, tempfile
        home = tempfile.mkdtemp()
        if sys.argv[1] == "with-config":
            os.mkdir(os.path.join(home, ".aws"))
            with open(os.path.join(home, ".aws", "config"), "w") as f:
                f.write("[default]\\nregion = eu-west-1\\noutput = json\\n[profile dev]\\nregion = us-east-1\\n")
        os.environ["HOME"] = home
        for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE"):
            os.environ.pop(name, None)
        from sagetune.config import resolve_config
        resolved = resolve_config(
            endpoint_url="http://127.0.0.1:1", aws_access_key_id="a", aws_secret_access_key="b",
            region_name=None if sys.argv[1] == "with-config" else "us-east-1",
        )
        print(resolved.region, sorted(m for m in ("botocore.session", "botocore.configprovider",
              "botocore.configloader") if m in sys.modules))
        """
    )
    runs = {
        kind: subprocess.run(
            [sys.executable, "-c", code, kind], capture_output=True, text=True, timeout=60
        )
        for kind in ("with-config", "without")
    }
    assert runs["with-config"].stdout.split() == ["eu-west-1", "['botocore.configloader']"]
    assert runs["without"].stdout.split() == ["us-east-1", "[]"]
