"""Turn the vendored model slice into the ``sagetune.model`` package.

``generate(slice) -> {relative path: source}`` is a pure function: the same slice gives the
same bytes. Each ``_emit_*`` function writes one module; the shared knowledge about shapes
(names, Python types, ordering) lives in ``ModelIndex``.
"""

from __future__ import annotations

import keyword
import re
import textwrap
from collections.abc import Iterator
from typing import Any

from botocore import xform_name

from codegen.config import EXTRA_WAITERS
from codegen.htmldoc import html_to_text
from codegen.javaregex import translate

PACKAGE = "sdk/sagetune/model"
REGENERATE = "python -m codegen"

Shape = dict[str, Any]


def snake(name: str) -> str:
    """Member name -> attribute name, the way boto3 names methods (``xform_name``)."""
    out = xform_name(name)
    return f"{out}_" if keyword.iskeyword(out) else out


def camel(name: str) -> str:
    """Member name -> the service's path segment in validation messages."""
    return name[:1].lower() + name[1:]


def enum_member(value: str) -> str:
    out = xform_name(re.sub(r"[^0-9A-Za-z]+", "_", value)).upper().strip("_")
    out = re.sub(r"_+", "_", out)
    return f"V_{out}" if not out or out[0].isdigit() else out


class ModelIndex:
    """Names, types and order of the shapes, derived once from the slice."""

    def __init__(self, model: dict[str, Any]) -> None:
        self.model = model
        self.shapes: dict[str, Shape] = dict(model["shapes"])
        self.operations: dict[str, Any] = model["operations"]
        self.synthesized_outputs: dict[str, str] = {}
        for op_name, op in self.operations.items():
            if "output" not in op:
                name = f"{op_name}Response"
                if name in self.shapes:
                    raise ValueError(f"cannot synthesize output {name}: the name is taken")
                self.shapes[name] = {
                    "type": "structure",
                    "members": {},
                    "documentation": f"<p>The (empty) result of <code>{op_name}</code>.</p>",
                }
                self.synthesized_outputs[op_name] = name
        self.inputs = [op["input"]["shape"] for op in self.operations.values()]
        self.outputs = [self.output_of(name) for name in self.operations]
        self.errors = sorted(n for n, s in self.shapes.items() if s.get("exception"))
        self.enums = sorted(n for n, s in self.shapes.items() if "enum" in s)
        self.structures = self._topological(
            sorted(
                n
                for n, s in self.shapes.items()
                if s["type"] == "structure" and not s.get("exception")
            )
        )
        self.validated = self._reachable_structures(self.inputs)

    def output_of(self, op_name: str) -> str:
        op = self.operations[op_name]
        return str(op["output"]["shape"]) if "output" in op else self.synthesized_outputs[op_name]

    def members(self, name: str) -> Iterator[tuple[str, str, bool, Shape]]:
        """(member name, target shape name, required, member dict) in model order."""
        shape = self.shapes[name]
        required = set(shape.get("required", ()))
        for member, ref in shape.get("members", {}).items():
            yield member, ref["shape"], member in required, ref

    def _structure_deps(self, name: str) -> set[str]:
        deps: set[str] = set()
        for _, target, _, _ in self.members(name):
            deps |= self._structs_in(target)
        return deps

    def _structs_in(self, name: str) -> set[str]:
        shape = self.shapes[name]
        if shape["type"] == "structure":
            return {name}
        if shape["type"] == "list":
            return self._structs_in(shape["member"]["shape"])
        if shape["type"] == "map":
            return self._structs_in(shape["value"]["shape"])
        return set()

    def _topological(self, names: list[str]) -> list[str]:
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(n: str) -> None:
            if state.get(n) == 2:
                return
            if state.get(n) == 1:
                raise ValueError(f"recursive shape {n} is not supported")
            state[n] = 1
            for dep in sorted(self._structure_deps(n)):
                visit(dep)
            state[n] = 2
            order.append(n)

        for n in names:
            visit(n)
        return order

    def _reachable_structures(self, roots: list[str]) -> list[str]:
        seen: set[str] = set()
        stack = list(roots)
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            stack.extend(self._structure_deps(n))
        return [n for n in self.structures if n in seen]

    def py_type(self, name: str) -> str:
        shape = self.shapes[name]
        kind = shape["type"]
        if kind == "string":
            return f"{name} | str" if "enum" in shape else "str"
        if kind in ("integer", "long"):
            return "int"
        if kind in ("float", "double"):
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "timestamp":
            return "datetime"
        if kind == "structure":
            return name
        if kind == "list":
            return f"list[{self.py_type(shape['member']['shape'])}]"
        if kind == "map":
            key = self.py_type(shape["key"]["shape"])
            return f"dict[{key}, {self.py_type(shape['value']['shape'])}]"
        raise ValueError(f"unsupported shape type {kind} ({name})")


def negate(cond: str) -> str:
    """``not cond``, spelled the way a linter wants it."""
    if re.fullmatch(r"type\(\w+\) is \w+", cond):
        return cond.replace(" is ", " is not ")
    if re.fullmatch(r"isinstance\(\w+, \w+\)", cond):
        return f"not {cond}"
    return f"not ({cond})"


def header(model: dict[str, Any], what: str) -> str:
    version = model["botocore_version"]
    api = model["metadata"]["apiVersion"]
    return (
        f'"""{what}\n\n'
        f"GENERATED by ``{REGENERATE}`` from botocore {version}'s sagemaker model "
        f"(API {api}).\nDo not edit: change codegen/ and regenerate.\n"
        '"""\n\n'
    )


def docstring(text: str, indent: str) -> str:
    """A triple-quoted docstring for ``text`` at ``indent`` (empty text -> no docstring)."""
    if not text:
        return ""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = text.split("\n")
    if len(lines) == 1 and len(indent) + len(text) + 6 <= 100:
        return f'{indent}"""{text}"""\n'
    body = "\n".join(f"{indent}{line}" if line else "" for line in lines)
    return f'{indent}"""\n{body}\n{indent}"""\n'


def doc_of(shape_or_ref: Shape, width: int = 88) -> str:
    return html_to_text(shape_or_ref.get("documentation", ""), width)


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


# ---------------------------------------------------------------- shapes


def _emit_shapes(ix: ModelIndex) -> str:
    out = [
        header(
            ix.model,
            "Structures of the service model: one frozen, keyword-only attrs class per shape.\n\n"
            "Request classes (operation inputs) validate their whole tree when constructed and\n"
            "raise ``sagetune.errors.ValidationError`` listing every violation with its path.\n"
            "Nested shapes are plain declarations, so the same classes carry responses, which\n"
            "are never validated (a newer service must not break this client). Enum-typed\n"
            "members accept the enum member or its exact string value (``Enum | str``).",
        )
    ]
    typed_any = any(
        "Any" in ix.py_type(target) for n in ix.structures for _, target, _, _ in ix.members(n)
    )
    out.append("from datetime import datetime\n")
    out.append("from typing import Any\n\nimport attrs\n\n" if typed_any else "\nimport attrs\n\n")
    enum_names = sorted({t for n in ix.structures for t in _enum_refs(ix, n)})
    if enum_names:
        out.append("from sagetune.model.enums import (\n")
        out.extend(f"    {e},\n" for e in enum_names)
        out.append(")\n")
    out.append(
        "from sagetune.specs import ResponseMetadata\nfrom sagetune.specs import Shape as _Shape\n\n\n"
    )
    out.append(
        "def _validate(request: object) -> None:\n"
        "    # Imported on first use: the validation module imports this one.\n"
        "    from sagetune.model.validation import validate\n\n"
        "    validate(request)\n\n"
    )
    inputs = set(ix.inputs)
    outputs = set(ix.outputs)
    for name in ix.structures:
        shape = ix.shapes[name]
        out.append(f"\n@attrs.frozen(kw_only=True, repr=False, eq=False)\nclass {name}(_Shape):\n")
        doc = doc_of(shape)
        if name in inputs:
            doc = (doc + "\n\n" if doc else "") + (
                "Validated when constructed: raises ``ValidationError`` listing every violation."
            )
        out.append(docstring(doc or f"The ``{name}`` structure.", "    "))
        fields = list(ix.members(name))
        for member, target, required, ref in fields:
            attr = snake(member)
            py = ix.py_type(target)
            if required:
                out.append(f"\n    {attr}: {py}\n")
            else:
                out.append(f"\n    {attr}: {py} | None = None\n")
            out.append(docstring(doc_of(ref, 84), "    "))
        if name in outputs:
            out.append(
                "\n    response_metadata: ResponseMetadata | None = attrs.field("
                "default=None, eq=False, repr=False)\n"
                '    """Request id, HTTP status and attempts of the call (not a service member)."""\n'
            )
        if name in inputs:
            out.append("\n    def __attrs_post_init__(self) -> None:\n        _validate(self)\n")
        if not fields and name not in outputs:
            out.append("    pass\n")
        out.append("\n")
    names = ", ".join(f'"{n}"' for n in ix.structures)
    out.append(f"\n__all__ = [{names}]\n")
    return "".join(out)


def _enum_refs(ix: ModelIndex, name: str) -> set[str]:
    refs: set[str] = set()
    for _, target, _, _ in ix.members(name):
        refs |= _enums_in(ix, target)
    return refs


def _enums_in(ix: ModelIndex, name: str) -> set[str]:
    shape = ix.shapes[name]
    if "enum" in shape:
        return {name}
    if shape["type"] == "list":
        return _enums_in(ix, shape["member"]["shape"])
    if shape["type"] == "map":
        return _enums_in(ix, shape["key"]["shape"]) | _enums_in(ix, shape["value"]["shape"])
    return set()


# ---------------------------------------------------------------- wire names


def _emit_wire_names(ix: ModelIndex) -> str:
    out = [
        header(
            ix.model,
            "Attribute name -> wire (PascalCase) name of every member, per structure.\n\n"
            "The codec builds its cattrs hooks from this table.",
        )
    ]
    out.append("from typing import Any\n\n")
    out.append("from sagetune.model import shapes\n\n")
    out.append("WIRE_NAMES: dict[type[Any], dict[str, str]] = {\n")
    for name in ix.structures:
        pairs = ", ".join(f'"{snake(m)}": "{m}"' for m, _, _, _ in ix.members(name))
        out.append(f"    shapes.{name}: {{{pairs}}},\n")
    out.append("}\n")
    return "".join(out)


# ---------------------------------------------------------------- validation


class _Validators:
    """Emits one checker per structure reachable from an operation input."""

    def __init__(self, ix: ModelIndex) -> None:
        self.ix = ix
        self.patterns: dict[str, int] = {}
        self.enums: dict[str, int] = {}
        self.helpers: set[str] = set()
        self.counter = 0

    def pattern(self, java: str) -> str:
        if java not in self.patterns:
            self.patterns[java] = len(self.patterns)
        return f"_P{self.patterns[java]}"

    def enum(self, name: str) -> str:
        if name not in self.enums:
            self.enums[name] = len(self.enums)
        return f"_E{self.enums[name]}"

    def emit(self) -> str:
        bodies = [self.checker(name) for name in self.ix.validated]
        ix = self.ix
        out = [
            header(
                ix.model,
                "Constraint checks of every request, generated from the model's traits.\n\n"
                "Each checker tests a member with an inline fast check and calls\n"
                "``sagetune.constraints`` only when it fails, collecting every violation.",
            )
        ]
        out.append(
            "import re\nfrom collections.abc import Callable\nfrom datetime import datetime\n"
        )
        out.append("from typing import Any\n\n")
        helpers = sorted(self.helpers)
        out.append("from sagetune.constraints import (\n")
        out.extend(f"    {h},\n" for h in helpers)
        out.append(")\n")
        out.append("from sagetune.errors import ValidationError, Violation\n")
        out.append("from sagetune.model import shapes\n\n")
        for java, idx in sorted(self.patterns.items(), key=lambda kv: kv[1]):
            out.append(f"_P{idx} = re.compile({translate(java)!r})\n")
            out.append(f"_T{idx} = {java!r}\n")
            out.append(f"_M{idx}: set[str] = set()\n")
        for enum_name, idx in sorted(self.enums.items(), key=lambda kv: kv[1]):
            values = tuple(ix.shapes[enum_name]["enum"])
            out.append(f"_V{idx} = {values!r}  # {enum_name}\n")
            out.append(f"_E{idx} = frozenset(_V{idx})\n")
        out.append("\n")
        out.extend(bodies)
        out.append(
            "\n_CHECKERS: dict[type[Any], Callable[[object, LazyPath, list[Violation]], None]] = {\n"
        )
        for name in ix.inputs:
            out.append(f"    shapes.{name}: _check_{name},\n")
        out.append("}\n\n\n")
        out.append(
            "def violations(request: object) -> list[Violation]:\n"
            '    """Every constraint ``request`` breaks, in member order."""\n'
            "    found: list[Violation] = []\n"
            "    _CHECKERS[type(request)](request, None, found)\n"
            "    return found\n\n\n"
            "def validate(request: object) -> None:\n"
            '    """Raise ``ValidationError`` listing every violation of ``request``."""\n'
            "    found = violations(request)\n"
            "    if found:\n"
            "        raise ValidationError(found)\n"
        )
        return "".join(out)

    def checker(self, name: str) -> str:
        lines = [
            f"\n\ndef _check_{name}(o: object, p: LazyPath, out: list[Violation]) -> None:\n",
            f"    if type(o) is not shapes.{name}:\n",
            f'        out.append(structure_violation(o, prefix(p)[:-1], "{name}"))\n',
            "        return\n",
        ]
        self.helpers.update(("structure_violation", "prefix", "LazyPath"))
        if self.ix.shapes[name].get("members"):
            lines.append("    v: object\n")
        for member, target, required, _ in self.ix.members(name):
            lines.append(f"    v = o.{snake(member)}\n")
            # Paths are rendered only when reported; nested checks get a lazy (p, member).
            path = "{prefix(p)}" + camel(member)
            lazy = f'p, "{camel(member)}"'
            body = self.value_check("v", target, path, "        ", 0, lazy=lazy)
            single_if = len(body) == 2 and body[0].startswith("        if ")
            if required:
                self.helpers.add("missing")
                lines.append(f'    if v is None:\n        out.append(missing(f"{path}"))\n')
                if single_if:
                    lines += [f"    el{body[0].strip()}\n", body[1][4:]]
                else:
                    lines += ["    else:\n", *body]
            elif single_if:
                lines += [f"    if v is not None and {body[0].strip()[3:]}\n", body[1][4:]]
            else:
                lines += ["    if v is not None:\n", *body]
        return "".join(lines)

    def scalar_check(self, var: str, name: str, path: str, sink: str) -> tuple[str | None, str]:
        """(inline fast condition or None, statement reporting the violations into ``sink``).

        ``path`` is the body of an f-string naming the member (``{p}resourceLimits``).
        """
        shape = self.ix.shapes[name]
        kind = shape["type"]
        lo, hi = shape.get("min"), shape.get("max")
        where = f'f"{path}"'
        if kind == "string" and "enum" in shape:
            e = self.enum(name)
            self.helpers.add("enum_violations")
            return (
                f"isinstance({var}, str) and {var} in {e}",
                f"enum_violations({var}, {where}, _V{e[2:]}, {sink})",
            )
        if kind == "string":
            conds = [f"type({var}) is str", *self._bounds(f"len({var})", lo or None, hi)]
            pat = text = "None"
            if "pattern" in shape:
                pat = self.pattern(shape["pattern"])
                text = f"_T{pat[2:]}"
                # Strings already seen to match skip the regex engine (most of the cost).
                self.helpers.add("matches")
                memo = f"_M{pat[2:]}"
                conds.append(f"({var} in {memo} or matches({pat}, {memo}, {var}))")
            self.helpers.add("string_violations")
            return (
                " and ".join(conds),
                f"string_violations({var}, {where}, {lo}, {hi}, {pat}, {text}, {sink})",
            )
        if kind in ("integer", "long"):
            self.helpers.add("int_violations")
            conds = [f"type({var}) is int", *self._bounds(var, lo, hi)]
            return " and ".join(conds), f"int_violations({var}, {where}, {lo}, {hi}, {sink})"
        if kind in ("float", "double"):
            self.helpers.add("float_violations")
            return None, f"float_violations({var}, {where}, {lo}, {hi}, {sink})"
        if kind == "boolean":
            self.helpers.add("bool_violations")
            return f"type({var}) is bool", f"bool_violations({var}, {where}, {sink})"
        if kind == "timestamp":
            self.helpers.add("timestamp_violations")
            return f"isinstance({var}, datetime)", f"timestamp_violations({var}, {where}, {sink})"
        raise ValueError(f"{name} ({kind}) is not a scalar shape")

    def value_check(
        self,
        var: str,
        name: str,
        path: str,
        ind: str,
        depth: int,
        sink: str = "out",
        lazy: str | None = None,
    ) -> list[str]:
        """Statements checking ``var`` against shape ``name``, reporting into ``sink``.

        ``path`` is an f-string body naming ``var``; ``lazy`` (when given) the items of a
        ``LazyPath`` tuple naming it, passed to nested structure checks instead of a string.
        """
        shape = self.ix.shapes[name]
        kind = shape["type"]
        lo, hi = shape.get("min"), shape.get("max")
        if kind == "structure":
            where = f"({lazy})" if lazy is not None else f'f"{path}."'
            return [f"{ind}_check_{name}({var}, {where}, {sink})\n"]
        if kind == "list":
            item, idx = f"item{depth}", f"i{depth}"
            self.helpers.add("list_violations")
            conds = [f"type({var}) is list", *self._bounds(f"len({var})", lo or None, hi)]
            return [
                f"{ind}if {negate(' and '.join(conds))}:\n",
                f'{ind}    list_violations({var}, f"{path}", {lo}, {hi}, {sink})\n',
                f"{ind}if type({var}) is list:\n",
                f"{ind}    for {idx}, {item} in enumerate({var}, 1):\n",
                *self.value_check(
                    item,
                    shape["member"]["shape"],
                    f"{path}.{{{idx}}}.member",
                    ind + "        ",
                    depth + 1,
                    sink,
                    lazy=f"{lazy}, {idx}" if lazy is not None and depth == 0 else None,
                ),
            ]
        if kind == "map":
            self.helpers.update(("map_violations", "map_entry_violation"))
            conds = [f"type({var}) is dict", *self._bounds(f"len({var})", lo or None, hi)]
            k, val = f"k{depth}", f"mv{depth}"
            lines = [
                f"{ind}if {negate(' and '.join(conds))}:\n",
                f'{ind}    map_violations({var}, f"{path}", {lo}, {hi}, {sink})\n',
                f"{ind}if type({var}) is dict:\n",
                f"{ind}    for {k}, {val} in {var}.items():\n",
            ]
            inner = ind + "        "
            for part, entry_var in (("key", k), ("value", val)):
                entry_shape = shape[part]["shape"]
                if self.ix.shapes[entry_shape]["type"] not in ("string", "integer", "boolean"):
                    raise ValueError(f"map {name}: only scalar {part}s are supported")
                self.counter += 1
                errs = f"{part}_errors{self.counter}"
                cond, report = self.scalar_check(entry_var, entry_shape, path, errs)
                lines += [
                    f"{inner}if {negate(cond)}:\n" if cond else f"{inner}if True:\n",
                    f"{inner}    {errs}: list[Violation] = []\n",
                    f"{inner}    {report}\n",
                    f"{inner}    if {errs}:\n",
                    f'{inner}        {sink}.append(map_entry_violation(f"{path}", {k}, {val}, '
                    f'"{part}", {errs}))\n',
                ]
            return lines
        cond, report = self.scalar_check(var, name, path, sink)
        if cond is None:
            return [f"{ind}{report}\n"]
        return [f"{ind}if {negate(cond)}:\n", f"{ind}    {report}\n"]

    @staticmethod
    def _bounds(expr: str, lo: object, hi: object) -> list[str]:
        if lo is not None and hi is not None:
            return [f"{lo} <= {expr} <= {hi}"]
        if lo is not None:
            return [f"{expr} >= {lo}"]
        if hi is not None:
            return [f"{expr} <= {hi}"]
        return []


# ---------------------------------------------------------------- errors


def _emit_errors(ix: ModelIndex) -> str:
    out = [header(ix.model, "The service model's modeled errors, as exception classes.")]
    out.append("from sagetune.errors import ServiceError\n\n")
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
    """Every file of ``sagetune.model`` (path relative to the project root -> source)."""
    ix = ModelIndex(model)
    return {
        f"{PACKAGE}/__init__.py": _emit_init(ix),
        f"{PACKAGE}/enums.py": _emit_enums(ix),
        f"{PACKAGE}/shapes.py": _emit_shapes(ix),
        f"{PACKAGE}/wire_names.py": _emit_wire_names(ix),
        f"{PACKAGE}/validation.py": _Validators(ix).emit(),
        f"{PACKAGE}/errors.py": _emit_errors(ix),
        f"{PACKAGE}/operations.py": _emit_operations(ix),
        f"{PACKAGE}/paginators.py": _emit_paginators(ix),
        f"{PACKAGE}/waiters.py": _emit_waiters(ix),
        f"{PACKAGE}/client_methods.py": _emit_client_methods(ix),
    }
