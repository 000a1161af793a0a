"""The vendored model slice: the shapes reachable from the configured operations.

``python -m codegen --update-model`` rewrites ``codegen/models/sagemaker.json`` from the
installed botocore; everything else reads the vendored file, so generation does not depend on
which botocore happens to be installed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codegen.config import OPERATIONS, SERVICE_NAME

SLICE_PATH = Path(__file__).parent / "models" / f"{SERVICE_NAME}.json"


def reachable_shapes(shapes: dict[str, Any], roots: list[str]) -> set[str]:
    """Every shape name reachable from ``roots`` through members, list members and map entries."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = shapes[name]
        for key in ("member", "key", "value"):
            if key in shape:
                stack.append(shape[key]["shape"])
        stack.extend(member["shape"] for member in shape.get("members", {}).values())
    return seen


def build_slice(
    service: dict[str, Any],
    paginators: dict[str, Any],
    waiters: dict[str, Any],
    botocore_version: str,
) -> dict[str, Any]:
    """Cut the configured operations and everything they reach out of a full service model."""
    operations = {name: service["operations"][name] for name in OPERATIONS}
    roots: list[str] = []
    for op in operations.values():
        roots.extend(op[key]["shape"] for key in ("input", "output") if key in op)
        roots.extend(err["shape"] for err in op.get("errors", []))
    names = reachable_shapes(service["shapes"], roots)
    return {
        "botocore_version": botocore_version,
        "metadata": service["metadata"],
        "operations": operations,
        "shapes": {name: service["shapes"][name] for name in sorted(names)},
        "paginators": {
            name: spec
            for name, spec in sorted(paginators.get("pagination", {}).items())
            if name in operations
        },
        "waiters": {
            name: spec
            for name, spec in sorted(waiters.get("waiters", {}).items())
            if spec["operation"] in operations
        },
    }


def update_model() -> Path:
    """Refresh the vendored slice from the installed botocore."""
    import botocore
    import botocore.session

    loader = botocore.session.get_session().get_component("data_loader")
    sliced = build_slice(
        loader.load_service_model(SERVICE_NAME, "service-2"),
        loader.load_service_model(SERVICE_NAME, "paginators-1"),
        loader.load_service_model(SERVICE_NAME, "waiters-2"),
        botocore.__version__,
    )
    SLICE_PATH.parent.mkdir(parents=True, exist_ok=True)
    SLICE_PATH.write_text(json.dumps(sliced, indent=1) + "\n", encoding="utf-8")
    return SLICE_PATH


def load_slice() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SLICE_PATH.read_text(encoding="utf-8"))
    return data
