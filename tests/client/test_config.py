"""Configuration is resolved like boto3: arguments, then botocore's environment variables and
shared files, then defaults; endpoints as botocore's rules engine computes them."""

from __future__ import annotations

from pathlib import Path

import botocore.config
import botocore.session
import pytest

from sagetune import AsyncSageMakerClient, SageMakerClient
from sagetune.config import ClientConfig, endpoint_for_region, resolve_config
from sagetune.errors import ConfigurationError, NoCredentialsError
from tests.client.aws_double import ScriptedService, example_requests

STOP = example_requests()["StopTrainingJob"]


@pytest.fixture(scope="module")
def botocore_session() -> botocore.session.Session:
    """One botocore session for the reference clients (it caches the loaded model)."""
    return botocore.session.Session()


def credential_of(service: ScriptedService) -> str:
    authorization = service.seen[-1].headers["authorization"]
    return authorization.split("Credential=")[1].split("/")[0]


def test_credentials_and_region_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "env-token")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    service = ScriptedService()
    with SageMakerClient(http_client=service.sync_client()) as sm:
        sm.stop_training_job(STOP)
    assert sm.config.region == "eu-west-1"
    assert sm.config.endpoint_url == "https://api.sagemaker.eu-west-1.amazonaws.com"
    assert credential_of(service) == "AKIAENVIRONMENT"
    assert service.seen[0].headers["x-amz-security-token"] == "env-token"
    assert sm.config.credentials.method == "env"


def test_credentials_and_settings_from_a_profile_in_temporary_files(
    monkeypatch: pytest.MonkeyPatch, isolated_aws_env: Path
) -> None:
    config_file = isolated_aws_env / "config"
    config_file.write_text(
        "[profile research]\n"
        "region = ap-northeast-1\n"
        "retry_mode = adaptive\n"
        "max_attempts = 6\n"
        "[default]\n"
        "region = us-west-2\n"
    )
    credentials_file = isolated_aws_env / "credentials"
    credentials_file.write_text(
        "[research]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = profile-secret\n"
        "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = default-secret\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config_file))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials_file))

    service = ScriptedService()
    with SageMakerClient(profile_name="research", http_client=service.sync_client()) as sm:
        sm.stop_training_job(STOP)
    assert credential_of(service) == "AKIAPROFILE"
    assert sm.config.region == "ap-northeast-1"
    assert (sm.config.retry_mode, sm.config.max_attempts) == ("adaptive", 6)
    assert service.seen[0].headers["amz-sdk-request"] == "attempt=1; max=6"

    default_service = ScriptedService()
    with SageMakerClient(http_client=default_service.sync_client()) as sm:
        sm.stop_training_job(STOP)
    assert credential_of(default_service) == "AKIADEFAULT"
    assert sm.config.region == "us-west-2"


def test_explicit_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "7")
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    resolved = resolve_config(
        region_name="sa-east-1",
        aws_access_key_id="AKIAEXPLICIT",
        aws_secret_access_key="s",
        config=ClientConfig(retry_mode="standard", max_attempts=2),
    )
    assert resolved.region == "sa-east-1"
    assert resolved.credentials.frozen().access_key == "AKIAEXPLICIT"
    assert (resolved.retry_mode, resolved.max_attempts) == ("standard", 2)


def test_retry_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "7")
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    resolved = resolve_config(region_name="us-east-1")
    assert (resolved.retry_mode, resolved.max_attempts) == ("adaptive", 7)


def test_defaults_follow_botocore() -> None:
    resolved = resolve_config(region_name="us-east-1")
    assert (resolved.retry_mode, resolved.max_attempts) == ("standard", 3)
    assert resolved.http.connect_timeout == resolved.http.read_timeout == 60.0
    assert resolved.http.max_connections == 10
    assert resolved.http.verify is True
    assert resolved.http.trust_env is True


def test_ca_bundle_from_aws_ca_bundle_and_verify_argument(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_CA_BUNDLE", str(tmp_path / "corp-ca.pem"))
    assert resolve_config(region_name="us-east-1").http.verify == str(tmp_path / "corp-ca.pem")
    assert resolve_config(region_name="us-east-1", verify=False).http.verify is False


@pytest.mark.parametrize(
    ("region", "fips", "dualstack", "expected"),
    [
        ("us-east-1", False, False, "https://api.sagemaker.us-east-1.amazonaws.com"),
        ("eu-west-3", False, False, "https://api.sagemaker.eu-west-3.amazonaws.com"),
        ("cn-north-1", False, False, "https://api.sagemaker.cn-north-1.amazonaws.com.cn"),
        ("us-gov-west-1", True, False, "https://api-fips.sagemaker.us-gov-west-1.amazonaws.com"),
        ("us-east-1", True, False, "https://api-fips.sagemaker.us-east-1.amazonaws.com"),
        ("eu-west-3", False, True, "https://api.sagemaker.eu-west-3.api.aws"),
        ("us-east-1", True, True, "https://api.sagemaker-fips.us-east-1.api.aws"),
        ("us-iso-east-1", False, False, "https://api.sagemaker.us-iso-east-1.c2s.ic.gov"),
    ],
)
def test_endpoints_are_computed_as_botocore_does(
    botocore_session: botocore.session.Session,
    region: str,
    fips: bool,
    dualstack: bool,
    expected: str,
) -> None:
    client = botocore_session.create_client(
        "sagemaker",
        region_name=region,
        aws_access_key_id="a",
        aws_secret_access_key="b",
        config=botocore.config.Config(use_fips_endpoint=fips, use_dualstack_endpoint=dualstack),
    )
    assert client.meta.endpoint_url == expected
    assert endpoint_for_region(region, fips=fips, dualstack=dualstack) == expected


def test_fips_and_dualstack_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_USE_FIPS_ENDPOINT", "true")
    monkeypatch.setenv("AWS_USE_DUALSTACK_ENDPOINT", "true")
    resolved = resolve_config(region_name="us-west-2")
    assert resolved.endpoint_url == "https://api.sagemaker-fips.us-west-2.api.aws"


def test_endpoint_url_argument_and_configured_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://localhost:4555")
    assert resolve_config(region_name="us-east-1").endpoint_url == "http://localhost:4555"
    explicit = resolve_config(region_name="us-east-1", endpoint_url="http://sim:9/")
    assert explicit.endpoint_url == "http://sim:9"
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    ignored = resolve_config(region_name="us-east-1")
    assert ignored.endpoint_url == "https://api.sagemaker.us-east-1.amazonaws.com"


def test_fips_with_a_custom_endpoint_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="FIPS and custom endpoint are not supported"):
        resolve_config(
            region_name="us-east-1",
            endpoint_url="http://sim:9",
            config=ClientConfig(use_fips_endpoint=True),
        )


def test_missing_region_says_how_to_set_one() -> None:
    with pytest.raises(ConfigurationError, match="No region: pass region_name"):
        SageMakerClient(aws_access_key_id="a", aws_secret_access_key="b")


def test_half_a_key_pair_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="aws_secret_access_key is missing"):
        resolve_config(region_name="us-east-1", aws_access_key_id="AKIA")


def test_unknown_profile_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="ProfileNotFound"):
        resolve_config(profile_name="nope")


async def test_no_credentials_fails_the_first_call_before_sending() -> None:
    service = ScriptedService()
    async with AsyncSageMakerClient(
        region_name="us-east-1", http_client=service.async_client()
    ) as sm:
        with pytest.raises(NoCredentialsError, match="No AWS credentials were found"):
            await sm.stop_training_job(STOP)
    assert service.seen == []


def test_timeouts_connections_and_transport_reach_the_http_settings() -> None:
    config = ClientConfig(
        connect_timeout=3, read_timeout=9, max_connections=32, max_in_flight=None, trust_env=False
    )
    http = resolve_config(region_name="us-east-1", config=config).http
    assert (http.connect_timeout, http.read_timeout) == (3, 9)
    assert (http.max_connections, http.max_in_flight, http.trust_env) == (32, None, False)
