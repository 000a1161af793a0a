"""Turn the vendored model slice into the ``sagetune.model`` package (and the clients' typed
methods).

``generate(slice) -> {relative path: source}`` is a pure function: the same slice gives the
same bytes. Each ``_emit_*`` function writes one module; the shapes, their checks and their
wire code come from ``codegen.shapes``; the shared knowledge about shapes (names, Python
types, ordering) lives in ``codegen.model_index.ModelIndex``.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from botocore import xform_name

from codegen.config import EXTRA_WAITERS
from codegen.model_index import (
    REGENERATE,
    ModelIndex,
    doc_of,
    docstring,
    enum_member,
    header,
    snake,
)
from codegen.shapes import emit_patterns, emit_shapes

PACKAGE = "sdk/sagetune/model"
# The typed client methods build paginators and waiters (runtime code the model must not
# import), so they are generated beside the clients instead of into the model.
CLIENT_METHODS = "sdk/sagetune/client_methods.py"

__all__ = ["CLIENT_METHODS", "PACKAGE", "REGENERATE", "generate"]


# ---------------------------------------------------------------- enums


def _emit_enums(ix: ModelIndex) -> str:
    out = [header(ix.model, "Enumerations of the service model: one ``StrEnum`` per enum shape.")]
    out.append("from enum import StrEnum\n\n")
    for name in ix.enums:
        shape = ix.shapes[name]
        out.append(f"\nclass {name}(StrEnum):\n")
        out.append(docstring(doc_of(shape) or f"Values of ``{name}``.", "    "))
        seen: set[str] = set()
        for value in shape["enum"]:
            member = enum_member(value)
            while member in seen:
                member += "_"
            seen.add(member)
            out.append(f"    {member} = {value!r}\n")
        out.append("\n")
    names = ", ".join(f'"{n}"' for n in ix.enums)
    out.append(f"\n__all__ = [{names}]\n")
    return "".join(out)


# ---------------------------------------------------------------- errors


def _emit_errors(ix: ModelIndex) -> str:
    out = [header(ix.model, "The service model's modeled errors, as exception classes.")]
    out.append("from sagetune.base_errors import ServiceError\n\n")
    for name in ix.errors:
        out.append(f"\nclass {name}(ServiceError):\n")
        out.append(docstring(doc_of(ix.shapes[name]) or f"The ``{name}`` error.", "    "))
        out.append(f'\n    CODE = "{name}"\n\n')
    out.append("\nMODELED_ERRORS: dict[str, type[ServiceError]] = {\n")
    out.extend(f'    "{name}": {name},\n' for name in ix.errors)
    out.append("}\n\n")
    names = ", ".join(f'"{n}"' for n in [*ix.errors, "MODELED_ERRORS"])
    out.append(f"__all__ = [{names}]\n")
    return "".join(out)


# ---------------------------------------------------------------- operations


def _emit_operations(ix: ModelIndex) -> str:
    out = [header(ix.model, "The operation table: name, input, output, errors and HTTP target.")]
    out.append("from typing import Any\n\n")
    out.append(
        "from sagetune.model import errors, shapes\nfrom sagetune.specs import Operation\n\n"
    )
    prefix = ix.model["metadata"]["targetPrefix"]
    out.append("OPERATIONS: dict[str, Operation] = {\n")
    for name, op in ix.operations.items():
        errs = "".join(f"errors.{e['shape']}, " for e in op.get("errors", []))
        http = op.get("http", {})
        out.append(
            f'    "{name}": Operation(\n'
            f'        name="{name}",\n'
            f'        method_name="{xform_name(name)}",\n'
            f"        input=shapes.{op['input']['shape']},\n"
            f"        output=shapes.{ix.output_of(name)},\n"
            f"        errors=({errs}),\n"
            f'        target="{prefix}.{name}",\n'
            f'        http_method="{http.get("method", "POST")}",\n'
            f'        http_path="{http.get("requestUri", "/")}",\n'
            "    ),\n"
        )
    out.append("}\n\n")
    out.append(
        "OPERATIONS_BY_INPUT: dict[type[Any], Operation] = {op.input: op for op in OPERATIONS.values()}\n"
    )
    return "".join(out)


def _emit_paginators(ix: ModelIndex) -> str:
    out = [header(ix.model, "Pagination metadata of the list operations (attribute names).")]
    out.append("from sagetune.specs import PaginatorSpec\n\n")
    out.append("PAGINATORS: dict[str, PaginatorSpec] = {\n")
    for name, spec in ix.model["paginators"].items():
        out.append(
            f'    "{name}": PaginatorSpec(\n'
            f'        operation="{name}",\n'
            f'        input_token="{snake(spec["input_token"])}",\n'
            f'        output_token="{snake(spec["output_token"])}",\n'
            f'        limit_key="{snake(spec["limit_key"])}",\n'
            f'        result_key="{snake(spec["result_key"])}",\n'
            "    ),\n"
        )
    out.append("}\n")
    return "".join(out)


def _attr_path(path: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9]+(\.[A-Za-z0-9]+)*", path):
        raise ValueError(f"waiter path {path!r} is not a plain member path")
    return ".".join(snake(part) for part in path.split("."))


def _emit_waiters(ix: ModelIndex) -> str:
    out = [
        header(
            ix.model,
            "Waiters: botocore's waiter definitions for these operations, plus the ones in\n"
            "codegen/config.py (EXTRA_WAITERS) for which the model has none.",
        )
    ]
    out.append("from sagetune.specs import Acceptor, WaiterSpec\n\n")
    out.append("WAITERS: dict[str, WaiterSpec] = {\n")
    waiters = {**ix.model["waiters"], **EXTRA_WAITERS}
    for name in sorted(waiters):
        spec = waiters[name]
        out.append(
            f'    "{name}": WaiterSpec(\n'
            f'        name="{name}",\n'
            f'        operation="{spec["operation"]}",\n'
            f"        delay={spec['delay']},\n"
            f"        max_attempts={spec['maxAttempts']},\n"
            "        acceptors=(\n"
        )
        for acc in spec["acceptors"]:
            arg = f', argument="{_attr_path(acc["argument"])}"' if "argument" in acc else ""
            out.append(
                f'            Acceptor(matcher="{acc["matcher"]}", state="{acc["state"]}", '
                f'expected="{acc["expected"]}"{arg}),\n'
            )
        out.append("        ),\n    ),\n")
    out.append("}\n")
    return "".join(out)


# ---------------------------------------------------------------- client methods


def _paginated_item(ix: ModelIndex, op_name: str, result_key: str) -> str:
    """The item class of a paginated operation: the list member type of its result key."""
    output = ix.shapes[ix.output_of(op_name)]
    target = output["members"][result_key]["shape"]
    return str(ix.shapes[target]["member"]["shape"])


def _waiter_doc(spec: dict[str, Any], method: str) -> str:
    def expected(state: str, matcher: str) -> list[str]:
        return [
            a["expected"]
            for a in spec["acceptors"]
            if a["state"] == state and a["matcher"] == matcher
        ]

    failures = " or ".join(expected("failure", "path"))
    errors = " or ".join(expected("failure", "error"))
    text = (
        f"Poll ``{method}`` until the job is {' or '.join(expected('success', 'path'))} and "
        f"return the last description. Raises ``WaiterError`` if it is {failures} (naming its "
        f"FailureReason){f', on the error {errors}' if errors else ''}, or when the wait runs "
        f"out. ``delay``: seconds between polls (default {spec['delay']}); ``timeout``: give "
        f"up after this many seconds (default: {spec['maxAttempts']} polls); ``on_progress``: "
        "called after each poll."
    )
    return textwrap.fill(text, width=84, break_on_hyphens=False)


def _emit_client_methods(ix: ModelIndex) -> str:
    out = [
        header(
            ix.model,
            "Typed client methods: one per operation, one paginator per list operation and\n"
            "one waiter per waiter definition; the clients supply ``_call``, ``_sleep`` and\n"
            "``_clock``.",
        )
    ]
    out.append("from collections.abc import Awaitable, Callable\nfrom typing import Any, cast\n\n")
    out.append(
        "from sagetune.model import shapes\nfrom sagetune.model.operations import OPERATIONS\n"
        "from sagetune.model.paginators import PAGINATORS\n"
        "from sagetune.model.waiters import WAITERS\n"
        "from sagetune.paginate import AsyncPaginator, Paginator\n"
    )
    out.append("from sagetune.specs import Operation\n")
    out.append("from sagetune.waiters import WaitProgress, wait, wait_blocking\n\n")
    waiters = {**ix.model["waiters"], **EXTRA_WAITERS}
    for cls, is_async in (("AsyncClientMethods", True), ("ClientMethods", False)):
        kind = "async" if is_async else "sync"
        out.append(f"\nclass {cls}:\n")
        out.append(
            f'    """One {kind} method per operation of the model, plus its paginators and '
            'waiters."""\n\n'
        )
        aw = "await " if is_async else ""
        adef = "async def" if is_async else "def"
        sleep_type = "Callable[[float], Awaitable[None]]" if is_async else "Callable[[float], None]"
        out.append(f"    _sleep: {sleep_type}\n    _clock: Callable[[], float]\n\n")
        out.append(f"    {adef} _call(self, operation: Operation, request: Any) -> Any:\n")
        out.append("        raise NotImplementedError\n")
        for name, op in ix.operations.items():
            method = xform_name(name)
            inp = op["input"]["shape"]
            outp = ix.output_of(name)
            out.append(f"\n    {adef} {method}(self, request: shapes.{inp}) -> shapes.{outp}:\n")
            out.append(docstring(doc_of(op, 84), "        "))
            out.append(
                f'        return cast(shapes.{outp}, {aw}self._call(OPERATIONS["{name}"], request))\n'
            )
        paginator = "AsyncPaginator" if is_async else "Paginator"
        for name, spec in ix.model["paginators"].items():
            method = xform_name(name)
            inp = ix.operations[name]["input"]["shape"]
            outp = ix.output_of(name)
            item = _paginated_item(ix, name, spec["result_key"])
            out.append(
                f"\n    def paginate_{method}(\n"
                f"        self,\n        request: shapes.{inp},\n        *,\n"
                "        page_size: int | None = None,\n        max_items: int | None = None,\n"
                f"    ) -> {paginator}[shapes.{inp}, shapes.{outp}, shapes.{item}]:\n"
                f'        """Pages of ``{method}``; items are ``{item}``."""\n'
                f"        return {paginator}(\n"
                f'            self.{method}, PAGINATORS["{name}"], request, '
                "page_size=page_size, max_items=max_items\n        )\n"
            )
        for name in sorted(waiters):
            spec = waiters[name]
            method = xform_name(spec["operation"])
            inp = ix.operations[spec["operation"]]["input"]["shape"]
            outp = ix.output_of(spec["operation"])
            runner = "await wait" if is_async else "wait_blocking"
            noqa = "  # noqa: ASYNC109 - on the injectable clock" if is_async else ""
            out.append(
                f"\n    {adef} wait_until_{xform_name(name)}(\n"
                f"        self,\n        request: shapes.{inp},\n        *,\n"
                "        delay: float | None = None,\n"
                f"        timeout: float | None = None,{noqa}\n"
                "        max_attempts: int | None = None,\n"
                f"        on_progress: Callable[[WaitProgress[shapes.{outp}]], None] | None = None,\n"
                f"    ) -> shapes.{outp}:\n"
            )
            out.append(docstring(_waiter_doc(spec, method), "        "))
            out.append(
                f"        return {runner}(\n"
                f'            self.{method},\n            WAITERS["{name}"],\n            request,\n'
                "            sleep=self._sleep,\n            clock=self._clock,\n"
                "            delay=delay,\n            timeout=timeout,\n"
                "            max_attempts=max_attempts,\n            on_progress=on_progress,\n"
                "        )\n"
            )
        out.append("\n")
    out.append('\n__all__ = ["AsyncClientMethods", "ClientMethods"]\n')
    return "".join(out)


# ---------------------------------------------------------------- package


def _emit_init(ix: ModelIndex) -> str:
    version = ix.model["botocore_version"]
    api = ix.model["metadata"]["apiVersion"]
    out = [
        header(
            ix.model,
            "The typed model of the SageMaker tuning API: every shape, enum and modeled error\n"
            "by its model name.",
        )
    ]
    out.append("from sagetune.model.enums import (\n")
    out.extend(f"    {n},\n" for n in ix.enums)
    out.append(")\nfrom sagetune.model.errors import (\n")
    out.extend(f"    {n},\n" for n in ix.errors)
    out.append(")\nfrom sagetune.model.shapes import (\n")
    out.extend(f"    {n},\n" for n in ix.structures)
    out.append(")\n\n")
    out.append(f'MODEL_VERSION = "{api}"\n"""The service API version of the model."""\n')
    out.append(
        f'BOTOCORE_VERSION = "{version}"\n"""The botocore release the model was sliced from."""\n\n'
    )
    names = [*ix.enums, *ix.errors, *ix.structures, "BOTOCORE_VERSION", "MODEL_VERSION"]
    out.append("__all__ = [\n")
    out.extend(f'    "{n}",\n' for n in sorted(names))
    out.append("]\n")
    return "".join(out)


def generate(model: dict[str, Any]) -> dict[str, str]:
    """Every generated file (path relative to the project root -> source): the files of
    ``sagetune.model``, and the clients' typed methods (``CLIENT_METHODS``)."""
    ix = ModelIndex(model)
    return {
        f"{PACKAGE}/__init__.py": _emit_init(ix),
        f"{PACKAGE}/enums.py": _emit_enums(ix),
        f"{PACKAGE}/patterns.py": emit_patterns(ix),
        f"{PACKAGE}/shapes.py": emit_shapes(ix),
        f"{PACKAGE}/errors.py": _emit_errors(ix),
        f"{PACKAGE}/operations.py": _emit_operations(ix),
        f"{PACKAGE}/paginators.py": _emit_paginators(ix),
        f"{PACKAGE}/waiters.py": _emit_waiters(ix),
        CLIENT_METHODS: _emit_client_methods(ix),
    }
