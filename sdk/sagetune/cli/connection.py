"""Where the job commands send their calls, and what their failures look like on a terminal.

Every command that talks to a service takes the same three options as the AWS CLI
(``--endpoint-url``, ``--region``, ``--profile``); anything not given comes from botocore's
configuration chain (environment, shared files), exactly as for the SDK's clients.

Failures become one line and an exit code: what we can tell is wrong before or without the
service (a missing region, no credentials, an invalid request) is bad input (2); an error
answer from the service, or no answer at all, is a failure (1).
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from sagetune.cli.errors import BAD_INPUT, FAILURE, CommandError
from sagetune.errors import (
    SageTuneError,
    ServiceError,
    TransportError,
    ValidationError,
    WaiterError,
)

if TYPE_CHECKING:
    from sagetune.client import AsyncSageMakerClient, ResponseEvent

T = TypeVar("T")

RETRY_FOR = 300.0
"""Seconds a command that watches a job keeps retrying a lost connection before it gives up
(the client's own retries last a few seconds; a watch can afford to wait for a network to
come back)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--endpoint-url``, ``--region``, ``--profile`` (as the AWS CLI spells them)."""
    group = parser.add_argument_group("connection (default: botocore's configuration chain)")
    group.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="service endpoint, e.g. a simulator's http://127.0.0.1:8787 (default: AWS)",
    )
    group.add_argument("--region", metavar="REGION", help="AWS region (e.g. us-east-1)")
    group.add_argument("--profile", metavar="NAME", help="profile of the shared AWS config files")


def add_region_arguments(parser: argparse.ArgumentParser) -> None:
    """``--region`` and ``--profile``, for commands that need a region but no service."""
    group = parser.add_argument_group("region (default: botocore's configuration chain)")
    group.add_argument("--region", metavar="REGION", help="AWS region (e.g. us-east-1)")
    group.add_argument("--profile", metavar="NAME", help="profile of the shared AWS config files")


def configured_region(args: argparse.Namespace) -> str | None:
    """``--region``, else the region botocore's configuration chain gives (AWS_REGION,
    AWS_DEFAULT_REGION, the profile's ``region``), else None."""
    if args.region:
        return str(args.region)
    import botocore.exceptions
    import botocore.session

    try:
        region = botocore.session.Session(profile=args.profile).get_config_variable("region")
    except botocore.exceptions.ProfileNotFound as exc:
        raise CommandError(f"--profile: {exc}", BAD_INPUT) from None
    return str(region) if region else None


def open_client(args: argparse.Namespace, **options: Any) -> AsyncSageMakerClient:
    """A client for the endpoint, region and profile on the command line (``options``: more
    client arguments, e.g. ``on_response`` hooks)."""
    from sagetune.client import AsyncSageMakerClient

    return AsyncSageMakerClient(
        endpoint_url=args.endpoint_url,
        region_name=args.region,
        profile_name=args.profile,
        **options,
    )


def command_line(args: argparse.Namespace, *words: str) -> str:
    """``sagetune WORDS...`` with the connection options as typed, for a message to suggest
    (``sagetune watch run-2 --endpoint-url http://127.0.0.1:8787``)."""
    flags: list[str] = []
    for option in ("endpoint_url", "region", "profile"):
        value = getattr(args, option, None)
        if value:
            flags += [f"--{option.replace('_', '-')}", value]
    return shlex.join(["sagetune", *words, *flags])


def run_with_client(
    args: argparse.Namespace,
    body: Callable[[AsyncSageMakerClient], Awaitable[T]],
    **options: Any,
) -> T:
    """Run ``body(client)`` on a fresh event loop, with errors turned into ``CommandError``."""

    async def main() -> T:
        async with open_client(args, **options) as client:
            return await body(client)

    return run_mapped(main())


def answer_bodies(operation: str) -> tuple[list[bytes], Callable[[ResponseEvent], None]]:
    """A list and the ``on_response`` hook that fills it with the body of each successful
    answer to ``operation`` (``--json`` prints the service's answer as it came)."""
    bodies: list[bytes] = []

    def keep(event: ResponseEvent) -> None:
        if event.operation == operation and event.status == 200:
            bodies.append(event.body)

    return bodies, keep


def run_mapped(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)`` with sagetune's errors turned into ``CommandError``."""
    try:
        return asyncio.run(main)
    except CommandError:
        raise
    except SageTuneError as exc:
        raise as_command_error(exc) from exc


def as_command_error(exc: SageTuneError) -> CommandError:
    """One line and an exit code for an error of the SDK."""
    if isinstance(exc, ServiceError | WaiterError):
        return CommandError(one_line(str(exc)), FAILURE)
    if isinstance(exc, TransportError):
        return CommandError(f"no answer from the service: {one_line(str(exc))}", FAILURE)
    if isinstance(exc, ValidationError):
        return CommandError(str(exc), BAD_INPUT)
    # Configuration and credentials (sagetune.config.ConfigurationError,
    # sagetune.signing.NoCredentialsError): fixed on the command line or in the environment.
    message = one_line(str(exc))
    if message.startswith("No region"):
        message += " On the command line: --region REGION."
    return CommandError(message, BAD_INPUT)


def one_line(message: str) -> str:
    """The first line of a message that has several (AWS's InvalidSignatureException adds
    the canonical request and the string to sign), saying where the rest is."""
    lines = [line for line in message.strip().splitlines() if line.strip()]
    if len(lines) <= 1:
        return message.strip()
    return f"{lines[0].rstrip()} (the service said more: add --debug to see it)"
