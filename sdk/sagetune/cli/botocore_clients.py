"""botocore's own clients for what the CLI reads beside SageMaker: CloudWatch Logs (a
training job's log) and CloudWatch metrics (its learning curves).

Each reaches what the SageMaker client reaches, with its credentials: against AWS,
botocore's endpoint rules for the client's region (and ``AWS_ENDPOINT_URL_<SERVICE>``);
against a sagetune simulator, which serves these operations too, the simulator's URL.
Credentials given to the SageMaker client as keys are given to botocore as they are; any
other credentials came from botocore's chain for the profile, which botocore resolves (and
refreshes) the same way itself.

botocore is synchronous, so each call runs in a worker thread, and its errors come back as
sagetune's (``ServiceError``, ``ConnectionFailure``...), which the commands already know
how to show and ride out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sagetune.cli.simulator_calls import is_aws_endpoint
from sagetune.errors import ConnectionFailure, ReadTimeoutFailure, SageTuneError, ServiceError

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from sagetune.client import AsyncSageMakerClient


def open_client(
    service: str, sagemaker: AsyncSageMakerClient, *, profile: str | None
) -> BaseClient:
    """botocore's ``service`` client (``logs``, ``cloudwatch``) beside ``sagemaker``."""
    import botocore.session
    from botocore.config import Config

    endpoint = sagemaker.config.endpoint_url
    keys: dict[str, Any] = {}
    credentials = sagemaker.config.credentials
    if credentials.method == "explicit":  # fixed keys: no lookup, no I/O
        frozen = credentials.frozen()
        keys = {
            "aws_access_key_id": frozen.access_key,
            "aws_secret_access_key": frozen.secret_key,
            "aws_session_token": frozen.token,
        }
    try:
        session = botocore.session.Session(profile=profile)
        client: BaseClient = session.create_client(
            service,
            region_name=sagemaker.config.region,
            endpoint_url=None if is_aws_endpoint(endpoint) else endpoint,
            config=Config(retries={"mode": "standard"}, user_agent_extra="sagetune-cli"),
            **keys,
        )
    except Exception as exc:
        raise as_sagetune_error(f"{service} client", exc) from exc
    return client


async def call(operation: str, method: Callable[..., Any], **options: Any) -> Any:
    """``method(**options)`` in a worker thread, errors as sagetune's."""
    try:
        return await asyncio.to_thread(method, **options)
    except Exception as exc:
        raise as_sagetune_error(operation, exc) from exc


def as_sagetune_error(operation: str, exc: Exception) -> Exception:
    """botocore's exceptions as sagetune's (others unchanged)."""
    from botocore import exceptions

    if isinstance(exc, exceptions.ClientError):
        error = exc.response.get("Error", {})
        metadata = exc.response.get("ResponseMetadata", {})
        return ServiceError(
            str(error.get("Message", "")),
            code=str(error.get("Code", "Unknown")),
            status_code=metadata.get("HTTPStatusCode"),
            request_id=metadata.get("RequestId"),
            operation=operation,
        )
    if isinstance(exc, exceptions.ReadTimeoutError):
        return ReadTimeoutFailure(str(exc))
    if isinstance(exc, exceptions.HTTPClientError | exceptions.EndpointConnectionError):
        return ConnectionFailure(str(exc))
    if isinstance(exc, exceptions.BotoCoreError):
        return SageTuneError(str(exc))
    return exc
