"""Client configuration: what boto3 users already set, resolved once when a client is made.

Every value comes from the first place that has it, as in boto3:

1. the client's arguments (``region_name``, ``endpoint_url``, keys, ``verify``, and a
   :class:`ClientConfig` for the rest);
2. botocore's configuration chain for ``profile_name``: environment variables
   (``AWS_DEFAULT_REGION``, ``AWS_PROFILE``, ``AWS_RETRY_MODE``, ``AWS_MAX_ATTEMPTS``,
   ``AWS_CA_BUNDLE``, ``AWS_USE_FIPS_ENDPOINT``, ``AWS_USE_DUALSTACK_ENDPOINT``,
   ``AWS_ENDPOINT_URL_SAGEMAKER`` / ``AWS_ENDPOINT_URL`` ...) and the shared config and
   credentials files, read as a ``botocore.session.Session`` reads them but without
   creating one (:class:`_SharedConfig`), or through the ``botocore_session`` given;
3. the defaults (standard retries, 3 attempts, botocore's 60 s timeouts, 10 connections).

Credentials are botocore's own: fixed keys when given, else its provider chain, through a
session created on the first call (see :mod:`sagetune.signing`). A client given everything
explicitly reads no file, and the files are parsed only when a value is not in the
environment.

The endpoint of a region is computed by botocore's endpoint rules engine from SageMaker's
own rule set and botocore's partition data, so non-aws partitions (China, GovCloud, ISO),
FIPS and dual-stack endpoints come out as botocore computes them; ``endpoint_url`` (or a
configured endpoint) overrides it.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
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
    client has on the wire at once, the rest wait their turn (see
    :mod:`sagetune.transport.dispatch`); ``None``: as many as ``max_connections``.
    ``transport``: ``"builtin"`` (default: sagetune's own HTTP/1.1 pool, standard library
    only), ``"httpx"`` (httpx's own stack) or ``"aiohttp"`` (``pip install 'sagetune[fast]'``,
    async client only); a user's own ``http_client`` is always used as given (see
    :class:`sagetune.transport.HttpSettings`). ``trust_env`` takes proxies
    (``HTTP(S)_PROXY``, ``ALL_PROXY``, ``NO_PROXY``) and ``SSL_CERT_FILE`` from the
    environment.
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
    try:
        lookup = _Lookup(profile_name, botocore_session)
        lookup.check_profile()
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
    """``adaptive`` when configured; else ``standard``: sagetune has no legacy mode (older
    botocore's default), it retries the standard way."""
    return "adaptive" if configured == "adaptive" else "standard"


ConfigVariable = tuple[str | None, tuple[str, ...], Any, Callable[[Any], Any] | None]


def _ensure_boolean(value: Any) -> bool:
    """botocore's ``utils.ensure_boolean``: a bool as is, ``"true"`` in any case, else False."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.lower() == "true"


CONFIG_VARIABLES: dict[str, ConfigVariable] = {
    # name: (config file key, environment variables in order, default, conversion)
    "profile": (None, ("AWS_DEFAULT_PROFILE", "AWS_PROFILE"), None, None),
    "region": ("region", ("AWS_DEFAULT_REGION",), None, None),
    "config_file": (None, ("AWS_CONFIG_FILE",), "~/.aws/config", None),
    "credentials_file": (None, ("AWS_SHARED_CREDENTIALS_FILE",), "~/.aws/credentials", None),
    "ca_bundle": ("ca_bundle", ("AWS_CA_BUNDLE",), None, None),
    # botocore's default is "legacy" up to 1.43 and "standard" from 1.44; sagetune has no
    # legacy mode, so an unset mode means standard either way (``_retry_mode``).
    "retry_mode": ("retry_mode", ("AWS_RETRY_MODE",), None, None),
    "max_attempts": ("max_attempts", ("AWS_MAX_ATTEMPTS",), None, int),
    "use_fips_endpoint": ("use_fips_endpoint", ("AWS_USE_FIPS_ENDPOINT",), None, _ensure_boolean),
    "use_dualstack_endpoint": (
        "use_dualstack_endpoint",
        ("AWS_USE_DUALSTACK_ENDPOINT",),
        None,
        _ensure_boolean,
    ),
    "ignore_configured_endpoint_urls": (
        "ignore_configured_endpoint_urls",
        ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",),
        None,
        _ensure_boolean,
    ),
}
"""The configuration variables a client reads, as botocore's session defines them
(``botocore.configprovider.BOTOCORE_DEFAUT_SESSION_VARIABLES``; a test keeps the two equal)."""

ENDPOINT_ENVIRONMENT = ("AWS_ENDPOINT_URL_SAGEMAKER", "AWS_ENDPOINT_URL")
"""Configured endpoints from the environment: SageMaker's own, then the global one."""


class _SharedConfig:
    """botocore's configuration chain read the way a ``botocore.session.Session`` reads it
    (the same variables, precedence, files, profile rules and conversions), without one.

    Why: creating a session imports ``botocore.session`` and its configuration provider
    (~100 ms of a cold start, mostly urllib3 and dateutil through ``botocore.utils``) before
    it reads a single value. Here a value comes from the environment when it is there; the
    shared files are parsed (with botocore's own ``configloader``) only when a value is not,
    or a profile is named, and only if a file exists. ``tests/client/test_config_like_boto3.py``
    compares the outcome with boto3's for many files and environments.
    """

    def __init__(self, profile_name: str | None) -> None:
        self._explicit_profile = profile_name
        self._full: dict[str, Any] | None = None

    def get(self, name: str) -> Any:
        """The value of a :data:`CONFIG_VARIABLES` variable: explicit profile, environment,
        the profile's section of the config file, default; converted as botocore converts."""
        if name == "profile" and self._explicit_profile is not None:
            return self._explicit_profile
        config_key, environment, default, convert = CONFIG_VARIABLES[name]
        value = next((os.environ[v] for v in environment if v in os.environ), None)
        if value is None and config_key is not None:
            value = self.scoped_config().get(config_key)
        if value is None:
            value = default
        return convert(value) if convert is not None and value is not None else value

    @property
    def full_config(self) -> dict[str, Any]:
        """The config file's sections, with the credentials file's profiles merged in (as
        ``Session.full_config``)."""
        if self._full is None:
            config_file = _existing(self.get("config_file"))
            credentials_file = _existing(self.get("credentials_file"))
            full: dict[str, Any] = {"profiles": {}}
            if config_file or credentials_file:
                from botocore import configloader

                if config_file:
                    full = configloader.load_config(config_file)
                if credentials_file:
                    for profile, values in configloader.raw_config_parse(credentials_file).items():
                        full["profiles"].setdefault(profile, {}).update(values)
            self._full = full
        return self._full

    def scoped_config(self) -> dict[str, Any]:
        """The profile's section (``Session.get_scoped_config``): ``default`` when no profile
        is named, ``ProfileNotFound`` when a named one does not exist."""
        profile = self.get("profile")
        profiles: dict[str, dict[str, Any]] = self.full_config["profiles"]
        if profile is None:
            return profiles.get("default", {})
        if profile not in profiles:
            raise ConfigurationError(
                f"ProfileNotFound: The config profile ({profile}) could not be found"
            )
        return profiles[profile]


def _existing(path: str | None) -> str | None:
    """``path`` if it names a file, expanded as botocore's ``configloader`` expands it."""
    if not path:
        return None
    return path if os.path.isfile(os.path.expanduser(os.path.expandvars(path))) else None


class _Lookup:
    """Where a client's unset options come from: the user's ``botocore_session`` when one
    is given, else :class:`_SharedConfig`; credentials from botocore's provider chain,
    through a session created on the first call that needs them."""

    def __init__(self, profile_name: str | None, session: Session | None) -> None:
        self._profile_name = profile_name
        self._session = session
        self._config = None if session is not None else _SharedConfig(profile_name)
        if session is not None and profile_name is not None and session.profile != profile_name:
            session.set_config_variable("profile", profile_name)

    @property
    def session(self) -> Session:
        """A botocore session (the user's, or one made now for the credential chain)."""
        if self._session is None:
            import botocore.session

            self._session = botocore.session.Session(profile=self._profile_name)
        return self._session

    def get(self, name: str) -> Any:
        if self._config is not None:
            return self._config.get(name)
        return self.session.get_config_variable(name)

    def full_config(self) -> dict[str, Any]:
        if self._config is not None:
            return self._config.full_config
        full: dict[str, Any] = self.session.full_config
        return full

    def scoped_config(self) -> dict[str, Any]:
        if self._config is not None:
            return self._config.scoped_config()
        scoped: dict[str, Any] = self.session.get_scoped_config()
        return scoped

    def check_profile(self) -> None:
        """A named profile must exist, as boto3 checks when it creates a client."""
        if self.get("profile") is not None:
            self.scoped_config()

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
        """As botocore's ``ConfiguredEndpointProvider`` finds it: ``AWS_ENDPOINT_URL_SAGEMAKER``,
        ``AWS_ENDPOINT_URL``, the profile's ``services`` section (``sagemaker =`` then
        ``endpoint_url``), the profile's ``endpoint_url``; none when
        ``ignore_configured_endpoint_urls`` is set."""
        if self.get("ignore_configured_endpoint_urls"):
            return None
        for variable in ENDPOINT_ENVIRONMENT:
            value = os.environ.get(variable)
            if value:
                return value
        scoped = self.scoped_config()
        if "services" in scoped:
            section_name = scoped["services"]
            section = self.full_config().get("services", {}).get(section_name)
            if not section:
                raise ConfigurationError(
                    f"InvalidConfigError: The profile is configured to use the services section "
                    f'but the "{section_name}" services configuration does not exist.'
                )
            url = section.get(SERVICE_NAME, {}).get("endpoint_url")
            if url:
                return str(url)
        url = scoped.get("endpoint_url")
        return str(url) if url else None


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
