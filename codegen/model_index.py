"""What every emitter shares: the model's names and types, derived once (``ModelIndex``), and
how generated text is spelled (names, headers, docstrings).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator
from typing import Any

from botocore import xform_name

from codegen.htmldoc import html_to_text

REGENERATE = "python -m codegen"

Shape = dict[str, Any]


def snake(name: str) -> str:
    """Member name -> attribute name, the way boto3 names methods (``xform_name``)."""
    out = xform_name(name)
    return f"{out}_" if keyword.iskeyword(out) else out


def camel(name: str) -> str:
    """Member name -> the service's path segment in validation messages."""
    return name[:1].lower() + name[1:]


def upper_snake(name: str) -> str:
    """Shape name -> the name of a module constant about it (``TrainingJobName`` ->
    ``TRAINING_JOB_NAME``)."""
    return xform_name(name).upper()


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

    def member_leaves(self, structures: list[str]) -> set[str]:
        """The shapes that are not lists or maps the members of ``structures`` refer to
        (directly, as list items, or as map keys and values)."""
        found: set[str] = set()

        def visit(name: str) -> None:
            shape = self.shapes[name]
            if shape["type"] == "list":
                visit(shape["member"]["shape"])
            elif shape["type"] == "map":
                visit(shape["key"]["shape"])
                visit(shape["value"]["shape"])
            else:
                found.add(name)

        for structure in structures:
            for _, target, _, _ in self.members(structure):
                visit(target)
        return found

    def enums_of(self, structures: list[str]) -> set[str]:
        """The enum shapes the members of ``structures`` refer to (directly or as items)."""
        return {name for name in self.member_leaves(structures) if "enum" in self.shapes[name]}

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
    if re.fullmatch(r"(type\(\w+\)|\w+\.__class__) is \w+", cond):
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
