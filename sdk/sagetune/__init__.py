"""sagetune: a typed async SDK for SageMaker hyperparameter tuning, with a reference simulator.

The top-level package stays light so that ``import sagetune.model`` is fast: the clients are
imported on first attribute access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sagetune._version import __version__

if TYPE_CHECKING:
    from sagetune.client import AsyncSageMakerClient, SageMakerClient

__all__ = ["AsyncSageMakerClient", "SageMakerClient", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("AsyncSageMakerClient", "SageMakerClient"):
        from sagetune import client

        return getattr(client, name)
    raise AttributeError(f"module 'sagetune' has no attribute {name!r}")
