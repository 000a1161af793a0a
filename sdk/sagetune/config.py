"""Client configuration: what boto3 users already set, resolved once when a client is made.

Every value comes from the first place that has it, as in boto3:

1. the client's arguments (``region_name``, ``endpoint_url``, keys, ``verify``, and a
   :class:`ClientConfig` for the rest);
2. botocore's configuration chain, through a ``botocore.session.Session`` for
   ``profile_name``: environment variables (``AWS_DEFAULT_REGION``, ``AWS_PROFILE``,
   ``AWS_RETRY_MODE``, ``AWS_MAX_ATTEMPTS``, ``AWS_CA_BUNDLE``, ``AWS_USE_FIPS_ENDPOINT``,
   ``AWS_USE_DUALSTACK_ENDPOINT``, ``AWS_ENDPOINT_URL_SAGEMAKER`` / ``AWS_ENDPOINT_URL`` ...)
   and the shared config and credentials files;
3. the defaults (standard retries, 3 attempts, botocore's 60 s timeouts, 10 connections).

Credentials are botocore's own: fixed keys when given, else its provider chain (found on
the first call, see :mod:`sagetune.signing`). The session is only created when something
is left to look up, so a client given everything explicitly reads no file.

The endpoint of a region is computed by botocore's endpoint rules engine from SageMaker's
own rule set and botocore's partition data, so non-aws partitions (China, GovCloud, ISO),
FIPS and dual-stack endpoints come out as botocore computes them; ``endpoint_url`` (or a
configured endpoint) overrides it.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import attrs

from sagetune._version import __version__
from sagetune.errors import ConfigurationError, SageTuneError
from sagetune.retries import RetryMode
from sagetune.signing import CredentialSource
from sagetune.transport import HttpSettings, TransportKind

if TYPE_CHECKING:
    from botocore.session import Session

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "ClientConfig",
    "ConfigurationError",
    "ResolvedConfig",
    "endpoint_for_region",
    "resolve_config",
    "user_agent",
]

DEFAULT_MAX_ATTEMPTS = 3
SERVICE_NAME = "sagemaker"  # botocore's client name for the service
_DEFAULT_HTTP = HttpSettings()
_HTTP_OPTIONS = (  # ClientConfig fields passed on to HttpSettings as they are
    "connect_timeout",
    "read_timeout",
    "max_connections",
    "max_in_flight",
    "trust_env",
    "transport",
)


@attrs.frozen(kw_only=True)
class ClientConfig:
    """Options beyond boto3's client arguments (botocore's ``Config``, flattened).

    ``None`` means "as botocore's configuration chain says, else the default".
    ``max_attempts`` counts every attempt, the first included (botocore's
    ``total_max_attempts``; 1 disables retries). ``max_in_flight`` caps the requests one
    client has on the wire at once, the rest wait their turn (see :mod:`sagetune.transport`
    for why that makes httpx faster); ``None``: as many as ``max_connections``.
    ``transport="aiohttp"`` (``pip install 'sagetune[fast]'``) sends through aiohttp's
    connection pool, for the async client (a user's own ``http_client`` is always used as
    given). ``trust_env`` takes proxies (``HTTP(S)_PROXY``, ``NO_PROXY``) and
    ``SSL_CERT_FILE`` from the environment.
    """

    retry_mode: RetryMode | None = None
    max_attempts: int | None = None
    connect_timeout: float = _DEFAULT_HTTP.connect_timeout
    read_timeout: float = _DEFAULT_HTTP.read_timeout
    max_connections: int = _DEFAULT_HTTP.max_connections
    max_in_flight: int | None = _DEFAULT_HTTP.max_in_flight
    transport: TransportKind = _DEFAULT_HTTP.transport
    trust_env: bool = _DEFAULT_HTTP.trust_env
    use_fips_endpoint: bool | None = None
    use_dualstack_endpoint: bool | None = None
    user_agent_extra: str | None = None


@attrs.frozen(kw_only=True)
class ResolvedConfig:
    """Everything a client needs, looked up once: nothing is read again per call."""

    region: str
    endpoint_url: str  # scheme://host[:port][/base], without a trailing slash
    credentials: CredentialSource = attrs.field(repr=False)
    retry_mode: RetryMode
    max_attempts: int
    http: HttpSettings
    user_agent: str


def user_agent(extra: str | None = None) -> str:
    """``sagetune/<version> python/<x.y.z> botocore/<v>`` plus ``extra``."""
    import botocore

    python = "{}.{}.{}".format(*sys.version_info[:3])
    agent = f"sagetune/{__version__} python/{python} botocore/{botocore.__version__}"
    return f"{agent} {extra}" if extra else agent


def resolve_config(
    *,
    region_name: str | None = None,
    endpoint_url: str | None = None,
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
    aws_session_token: str | None = None,
    profile_name: str | None = None,
    verify: bool | str | None = None,
    config: ClientConfig | None = None,
    botocore_session: Session | None = None,
) -> ResolvedConfig:
    """Resolve the client arguments against botocore's configuration chain (see module doc).

    Raises :class:`ConfigurationError` when no region can be found, when only one half of
    a key pair is given, or when the profile does not exist.
    """
    options = config or ClientConfig()
    lookup = _Lookup(profile_name, botocore_session)
    try:
        if (aws_access_key_id is None) != (aws_secret_access_key is None):
            missing = (
                "aws_secret_access_key" if aws_secret_access_key is None else "aws_access_key_id"
            )
            raise ConfigurationError(
                f"Partial credentials: {missing} is missing. Pass both aws_access_key_id and "
                "aws_secret_access_key, or neither to use botocore's credential chain."
            )
        if aws_access_key_id is not None and aws_secret_access_key is not None:
            credentials = CredentialSource.fixed(
                aws_access_key_id, aws_secret_access_key, aws_session_token
            )
        else:
            credentials = lookup.credentials()

        region = region_name or lookup.get("region")
        if not region:
            raise ConfigurationError(
                "No region: pass region_name='us-east-1' (or another region), set "
                "AWS_DEFAULT_REGION, or set 'region' in the profile of ~/.aws/config."
            )
        fips = _flag(options.use_fips_endpoint, lookup, "use_fips_endpoint")
        dualstack = _flag(options.use_dualstack_endpoint, lookup, "use_dualstack_endpoint")
        if endpoint_url is None and not (fips or dualstack):
            endpoint_url = lookup.configured_endpoint()
        if endpoint_url is not None:
            if fips or dualstack:
                kind = "FIPS" if fips else "Dualstack"
                raise ConfigurationError(
                    f"Invalid Configuration: {kind} and custom endpoint are not supported "
                    f"(endpoint_url={endpoint_url!r}); drop one of them."
                )
            url = endpoint_url
        else:
            url = endpoint_for_region(region, fips=fips, dualstack=dualstack)

        retry_mode = options.retry_mode or _retry_mode(lookup.get("retry_mode"))
        max_attempts = options.max_attempts
        if max_attempts is None:
            configured = lookup.get("max_attempts")
            max_attempts = int(configured) if configured is not None else DEFAULT_MAX_ATTEMPTS

        if verify is None:
            bundle = lookup.get("ca_bundle")
            verify = bundle if bundle else True
        http = HttpSettings(
            **{name: getattr(options, name) for name in _HTTP_OPTIONS}, verify=verify
        )
    except SageTuneError:
        raise
    except Exception as exc:
        _raise_botocore_config_error(exc)
    return ResolvedConfig(
        region=region,
        endpoint_url=url.rstrip("/"),
        credentials=credentials,
        retry_mode=retry_mode,
        max_attempts=max_attempts,
        http=http,
        user_agent=user_agent(options.user_agent_extra),
    )


def _raise_botocore_config_error(exc: Exception) -> NoReturn:
    from botocore.exceptions import BotoCoreError

    if isinstance(exc, BotoCoreError):
        raise ConfigurationError(f"{type(exc).__name__}: {exc}") from exc
    raise exc


def _flag(explicit: bool | None, lookup: _Lookup, name: str) -> bool:
    if explicit is not None:
        return explicit
    return bool(lookup.get(name))


def _retry_mode(configured: object) -> RetryMode:
    """``adaptive`` when configured; else ``standard``. botocore reports ``legacy`` when
    nothing is set, and sagetune has no legacy mode: it retries the standard way."""
    return "adaptive" if configured == "adaptive" else "standard"


class _Lookup:
    """botocore's configuration chain, opened only if something needs looking up.

    Without shared config and credentials files and without a profile, a botocore
    session would find nothing but environment variables and defaults; the lookup then
    runs botocore's own environment-and-default chains (``ConfigChainFactory`` over its
    ``BOTOCORE_DEFAUT_SESSION_VARIABLES`` table: same variables, converters, defaults)
    without creating a session, which saves a cold start ~50-100 ms of importing
    ``botocore.session``. Anything else goes through a ``botocore.session.Session``.
    """

    def __init__(self, profile_name: str | None, session: Session | None) -> None:
        self._profile_name = profile_name
        self._session = session
        self._environment_only = (
            session is None and profile_name is None and _only_environment_to_read()
        )

    @property
    def session(self) -> Session:
        if self._session is None:
            import botocore.session

            self._session = botocore.session.Session(profile=self._profile_name)
        elif self._profile_name is not None and self._session.profile != self._profile_name:
            self._session.set_config_variable("profile", self._profile_name)
        return self._session

    def get(self, name: str) -> Any:
        if self._environment_only:
            return _environment_value(name)
        return self.session.get_config_variable(name)

    def credentials(self) -> CredentialSource:
        profile = self._profile_name

        def resolve() -> Any:  # runs on the first call, maybe in a worker thread
            return self.session.get_credentials()

        return CredentialSource(
            resolve,
            describe_missing=(
                "No AWS credentials were found by botocore's provider chain (profile "
                f"{profile or 'default'!r}: environment variables, shared credentials and "
                "config files, SSO, container and instance metadata). Pass "
                "aws_access_key_id and aws_secret_access_key, set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or configure a profile."
            ),
        )

    def configured_endpoint(self) -> str | None:
        """``AWS_ENDPOINT_URL_SAGEMAKER``, ``AWS_ENDPOINT_URL``, or the config file's
        ``services`` section, unless ``ignore_configured_endpoint_urls`` is set."""
        if self.get("ignore_configured_endpoint_urls"):
            return None
        try:
            from botocore.configprovider import ConfiguredEndpointProvider
        except ImportError:  # pragma: no cover - botocore marks the class private
            return None
        if self._environment_only:
            full_config: dict[str, Any] = {}
            scoped_config: dict[str, Any] = {}
        else:
            full_config = self.session.full_config
            scoped_config = self.session.get_scoped_config()
        provider = ConfiguredEndpointProvider(
            full_config=full_config, scoped_config=scoped_config, client_name=SERVICE_NAME
        )
        url: str | None = provider.provide()
        return url


def _only_environment_to_read() -> bool:
    """No profile is asked for and neither shared file exists."""
    if _environment_value("profile") is not None:
        return False
    for name in ("config_file", "credentials_file"):
        path = _environment_value(name)
        if path and os.path.exists(os.path.expanduser(path)):
            return False
    return True


def _environment_value(name: str) -> Any:
    """A configuration variable from the environment or its default, by botocore's rules."""
    from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES, ConfigChainFactory

    _, env_vars, default, convert = BOTOCORE_DEFAUT_SESSION_VARIABLES[name]
    chain = ConfigChainFactory(session=None).create_config_chain(
        env_var_names=env_vars, default=default, conversion_func=convert
    )
    return chain.provide()


def endpoint_for_region(region: str, *, fips: bool = False, dualstack: bool = False) -> str:
    """SageMaker's endpoint in ``region`` as botocore computes it (its rules engine, with
    SageMaker's rule set and botocore's partitions). Raises :class:`ConfigurationError`
    for an impossible combination (FIPS in a partition without FIPS, ...)."""
    from botocore.exceptions import EndpointResolutionError

    provider = _endpoint_provider()
    try:
        endpoint = provider.resolve_endpoint(Region=region, UseFIPS=fips, UseDualStack=dualstack)
    except EndpointResolutionError as exc:
        raise ConfigurationError(f"No SageMaker endpoint for region {region!r}: {exc}") from exc
    url: str = endpoint.url
    return url


@functools.cache
def _endpoint_provider() -> Any:
    """botocore's rules engine loaded with SageMaker's rule set (once per process)."""
    from botocore.endpoint_provider import EndpointProvider
    from botocore.loaders import Loader

    loader = Loader()
    ruleset = loader.load_service_model(SERVICE_NAME, "endpoint-rule-set-1")
    partitions = loader.load_data("partitions")
    return EndpointProvider(ruleset_data=ruleset, partition_data=partitions)
