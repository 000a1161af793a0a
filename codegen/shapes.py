"""The shapes module (``sagetune.model.shapes``) and its pattern table (``.patterns``).

Everything about a structure is written into its class, so a reader finds a member's facts
in one place:

- each member: its attribute name and Python type, its documentation, and a last paragraph
  naming its wire name and the constraints a request must meet;
- ``_MEMBERS``: wire name -> attribute name;
- ``_violations(path, out)`` (structures a request can hold): one check per member, spelled
  like the rule (``1 <= len(v) <= 32``, ``v in TRAINING_JOB_NAME_PATTERN.known or
  TRAINING_JOB_NAME_PATTERN.matches(v)``, ``v in _SORT_ORDER_VALUES``), reporting through
  ``sagetune.constraints`` only when the inline test fails;
- ``_to_wire()`` / ``_from_wire(data, path, out)``: the wire form, member by member; a request's
  shapes check each member as they read it when given ``out``.

A string shape's pattern is one named constant in ``patterns.py`` (``<SHAPE>_PATTERN``); an
enum's values are read from its ``StrEnum`` (``_<ENUM>_VALUES = enum_values(Enum)``), not
copied.
"""

from __future__ import annotations

import textwrap

from codegen.javaregex import JAVA_DOT, translate, without_captures
from codegen.model_index import (
    ModelIndex,
    camel,
    doc_of,
    docstring,
    header,
    negate,
    snake,
    upper_snake,
)

# A translated pattern every string matches: checking it would only cost time.
MATCHES_EVERYTHING = frozenset({"(?s:.)*"})
# Java's ".*" and ".+" (by minimum length): checked with str methods (``LinePattern``).
LINE_PATTERNS = {f"{JAVA_DOT}*": 0, f"{JAVA_DOT}+": 1}


def pattern_name(shape_name: str) -> str:
    return f"{upper_snake(shape_name)}_PATTERN"


def enum_values_name(enum_name: str) -> str:
    return f"_{upper_snake(enum_name)}_VALUES"


def setters_name(structure: str) -> str:
    return f"_{upper_snake(structure)}_SETTERS"


def wire_names_name(structure: str) -> str:
    return f"_{upper_snake(structure)}_WIRE_NAMES"


def _literal(text: str) -> str:
    """A Python string literal for ``text``: raw when that reads better, else ``repr``."""
    if (
        "\\" in text
        and '"' not in text
        and not text.endswith("\\")
        and all(" " <= ch <= "~" for ch in text)
    ):
        return f'r"{text}"'
    return repr(text)


# ---------------------------------------------------------------- patterns


def checked_patterns(ix: ModelIndex) -> dict[str, str]:
    """String shape name -> Java pattern, for every patterned string a request can hold
    (except patterns every string matches: no check uses them)."""
    return {
        name: shape["pattern"]
        for name in sorted(ix.member_leaves(ix.validated))
        if (shape := ix.shapes[name])["type"] == "string"
        and "pattern" in shape
        and "enum" not in shape
        and translate(shape["pattern"]) not in MATCHES_EVERYTHING
    }


def emit_patterns(ix: ModelIndex) -> str:
    out = [
        header(
            ix.model,
            "The patterns of the model's string shapes, one constant per shape a request can hold.\n\n"
            "Each keeps the service's own (Java) text, which validation messages quote, and the\n"
            "Python expression that full-matches the same strings (``codegen.javaregex.translate``,\n"
            "groups made non-capturing), compiled on first use. Java's ``.*`` and ``.+`` are\n"
            "``LinePattern`` (checked with str methods), the others ``Pattern`` (a regex, and a memo\n"
            "of strings that matched).",
        )
    ]
    patterns = checked_patterns(ix)
    kinds = {
        "LinePattern" if translate(java) in LINE_PATTERNS else "Pattern"
        for java in patterns.values()
    }
    out.append(f"from sagetune.constraints import {', '.join(sorted(kinds))}\n\n")
    for name, java in patterns.items():
        regex = translate(java)
        if regex in LINE_PATTERNS:
            out.append(
                f"{pattern_name(name)} = LinePattern({_literal(java)}, {_literal(regex)}, "
                f"min_length={LINE_PATTERNS[regex]})\n"
            )
        else:
            out.append(f"{pattern_name(name)} = Pattern(\n")
            out.append(f"    {_literal(java)},\n    {_literal(without_captures(regex))},\n)\n")
    return "".join(out)


# ---------------------------------------------------------------- member facts


def _bounds_text(lo: object, hi: object, unit: str) -> str:
    if lo and hi is not None:
        return f"{lo} to {hi} {unit}" if unit else f"from {lo} to {hi}"
    if lo:
        return f"at least {lo} {unit}".rstrip()
    if hi is not None:
        return f"at most {hi} {unit}".rstrip()
    return ""


def _value_facts(ix: ModelIndex, name: str) -> list[str]:
    shape = ix.shapes[name]
    kind = shape["type"]
    lo, hi = shape.get("min"), shape.get("max")
    if kind == "string" and "enum" in shape:
        return [f"one of ``{name}``"]
    if kind == "string":
        facts = [_bounds_text(lo, hi, "characters")]
        if "pattern" in shape:
            facts.append(f"pattern ``{shape['pattern']}``")
        return [f for f in facts if f]
    if kind in ("integer", "long", "float", "double"):
        facts = [_bounds_text(lo, hi, "")]
        if kind in ("float", "double"):
            facts.append("finite")
        return [f for f in facts if f]
    if kind == "list":
        item = _value_facts(ix, shape["member"]["shape"])
        facts = [_bounds_text(lo, hi, "items")]
        if item:
            facts.append(f"each item {', '.join(item)}")
        return [f for f in facts if f]
    if kind == "map":
        facts = [_bounds_text(lo, hi, "entries")]
        for part in ("key", "value"):
            inner = _value_facts(ix, shape[part]["shape"])
            if inner:
                facts.append(f"each {part} {', '.join(inner)}")
        return [f for f in facts if f]
    return []


def member_facts(ix: ModelIndex, member: str, target: str, required: bool, checked: bool) -> str:
    """The last paragraph of a member's docstring: wire name, and what a request must meet."""
    text = f"Wire name ``{member}``."
    if checked:
        facts = (["required"] if required else []) + _value_facts(ix, target)
        if facts:
            text = f"Wire name ``{member}``; in requests: {'; '.join(facts)}."
    return textwrap.fill(text, width=84, break_long_words=False, break_on_hyphens=False)


# ---------------------------------------------------------------- the module


class _ShapesModule:
    """Writes ``shapes.py``, remembering which helpers and constants the code uses."""

    def __init__(self, ix: ModelIndex) -> None:
        self.ix = ix
        self.codec: set[str] = set()
        self.constraints: set[str] = set()
        self.patterns: set[str] = set()
        self.enum_values: set[str] = set()
        self.specs: set[str] = {"LazyPath", "ResponseMetadata", "new_shape"}
        self.setters: list[str] = []
        self.wire_name_sets: list[str] = []
        self.counter = 0

    def emit(self) -> str:
        ix = self.ix
        inputs, outputs, checked = set(ix.inputs), set(ix.outputs), set(ix.validated)
        classes = [
            self.structure(name, name in inputs, name in outputs, name in checked)
            for name in ix.structures
        ]
        out = [
            header(
                ix.model,
                "Structures of the service model: one frozen, keyword-only attrs class per shape.\n\n"
                "Each class holds all of its members' facts: name, Python type, documentation, and\n"
                "(last paragraph of each member's docstring) its wire name and the constraints a\n"
                "request must meet; then its wire table (``_MEMBERS``), its checks\n"
                "(``_violations``) and its wire form (``_to_wire`` / ``_from_wire``), used by\n"
                "``sagetune.codec``.\n\n"
                "Request classes (operation inputs) validate their whole tree when constructed and\n"
                "raise ``sagetune.errors.ValidationError`` listing every violation with its path.\n"
                "Nested shapes are plain declarations, so the same classes carry responses, which\n"
                "are never validated (a newer service must not break this client). Enum-typed\n"
                "members accept the enum member or its exact string value (``Enum | str``).",
            )
        ]
        # Annotations stay strings: evaluating ~600 member types (and attrs reading them) at
        # import costs time, and nothing reads them at run time.
        out.append("from __future__ import annotations\n\n")
        out.append("from collections.abc import Mapping\nfrom datetime import datetime\n")
        out.append("from typing import Any, ClassVar\n\nimport attrs\n\n")
        out.append("from sagetune.base_errors import Violation\n")
        if self.enum_values:
            self.codec.add("enum_values")
        out.append(f"from sagetune.codec import {', '.join(sorted(self.codec))}\n")
        out.append(f"from sagetune.constraints import {', '.join(sorted(self.constraints))}\n")
        enums = sorted(ix.enums_of(ix.structures))
        out.append(f"from sagetune.model.enums import {', '.join(enums)}\n")
        if self.patterns:
            out.append(f"from sagetune.model.patterns import {', '.join(sorted(self.patterns))}\n")
        out.append(f"from sagetune.shape_base import {', '.join(sorted(self.specs))}\n")
        out.append("from sagetune.shape_base import Shape as _Shape\n\n")
        out.append(
            "# Each enum's values (value -> member): what a wire string decodes to, and what a\n"
        )
        out.append("# request member may hold.\n")
        for enum_name in sorted(self.enum_values):
            out.append(f"{enum_values_name(enum_name)} = enum_values({enum_name})\n")
        out.append("\n")
        out.extend(classes)
        if self.setters:
            out.append(
                "\n# Each class's slot setters, in member order (``_from_wire`` unpacks them), and\n"
                "# wire names as a set (to spot a request's unknown members).\n"
            )
            out.extend(f"{setters_name(n)} = slot_setters({n})\n" for n in self.setters)
            out.extend(
                f"{wire_names_name(n)} = frozenset({n}._MEMBERS)\n" for n in self.wire_name_sets
            )
        names = ", ".join(f'"{n}"' for n in ix.structures)
        out.append(f"\n__all__ = [{names}]\n")
        return "".join(out)

    # ------------------------------------------------------------ declaration

    def structure(self, name: str, is_input: bool, is_output: bool, checked: bool) -> str:
        ix = self.ix
        shape = ix.shapes[name]
        out = [f"\n@attrs.frozen(kw_only=True, repr=False, eq=False)\nclass {name}(_Shape):\n"]
        doc = doc_of(shape)
        if is_input:
            doc = (doc + "\n\n" if doc else "") + (
                "Validated when constructed: raises ``ValidationError`` listing every violation."
            )
        out.append(docstring(doc or f"The ``{name}`` structure.", "    "))
        members = list(ix.members(name))
        for member, target, required, ref in members:
            attr, py = snake(member), ix.py_type(target)
            out.append(
                f"\n    {attr}: {py}\n" if required else f"\n    {attr}: {py} | None = None\n"
            )
            facts = member_facts(ix, member, target, required, checked)
            text = doc_of(ref, 84)
            out.append(docstring(f"{text}\n\n{facts}" if text else facts, "    "))
        if is_output:
            out.append(
                "\n    response_metadata: ResponseMetadata | None = attrs.field("
                "default=None, eq=False, repr=False)\n"
                '    """Request id, HTTP status and attempts of the call (not a service member)."""\n'
            )
        if members:
            out.append("\n    _MEMBERS: ClassVar[dict[str, str]] = {\n")
            out.extend(f'        "{member}": "{snake(member)}",\n' for member, _, _, _ in members)
            out.append("    }\n")
        if is_input:
            self.constraints.add("validate_request")
            out.append(
                "\n    _REQUEST = True\n\n    def __attrs_post_init__(self) -> None:\n"
                "        validate_request(self)\n"
            )
        if checked:
            out.append(self.violations(name))
        out.append(self.to_wire(name))
        out.append(self.from_wire(name, checked, is_output))
        return "".join(out) + "\n"

    # ------------------------------------------------------------ checks

    def violations(self, name: str) -> str:
        members = list(self.ix.members(name))
        lines = [
            "\n    def _violations(self, p: LazyPath, out: list[Violation]) -> None:\n",
            '        """Every constraint this breaks, at ``p`` (None: the request itself)."""\n',
        ]
        if members:
            lines.append("        v: object\n")
        for member, target, required, _ in members:
            lines.append(f"        v = self.{snake(member)}\n")
            # Paths are rendered only when reported; nested checks get a lazy (p, member).
            path = "{prefix(p)}" + camel(member)
            lazy = f'p, "{camel(member)}"'
            lines += self.member_check(target, path, lazy, required)
        return "".join(lines)

    def member_check(
        self, target: str, path: str, lazy: str, required: bool, read: bool = False
    ) -> list[str]:
        """Statements checking member ``v`` into ``out``. ``read``: the checks ``_from_wire``
        makes on a value as read, where a nested structure checks itself (so only a missing
        one is reported here, and a list of them gets its own size rule only)."""
        ind = "        "
        if self.ix.shapes[target]["type"] == "structure":
            self.constraints.update(("structure_violation", "prefix"))
            lines = [
                f"{ind}if type(v) is {target}:\n",
                f"{ind}    v._violations(({lazy}), out)\n",
            ]
            if required:
                self.constraints.add("missing")
                lines += [f'{ind}elif v is None:\n{ind}    out.append(missing(f"{path}"))\n']
                lines += [f"{ind}else:\n"]
            else:
                lines += [f"{ind}elif v is not None:\n"]
            return [
                *lines,
                f'{ind}    out.append(structure_violation(v, f"{path}", "{target}"))\n',
            ]
        body = self.value_check("v", target, path, ind + "    ", 0, lazy=lazy, read=read)
        single_if = len(body) == 2 and body[0].startswith(f"{ind}    if ")
        if required:
            self.constraints.update(("missing", "prefix"))
            lines = [f'{ind}if v is None:\n{ind}    out.append(missing(f"{path}"))\n']
            if single_if:
                return [*lines, f"{ind}el{body[0].strip()}\n", body[1][4:]]
            return [*lines, f"{ind}else:\n", *body]
        if single_if:
            return [f"{ind}if v is not None and {body[0].strip()[3:]}\n", body[1][4:]]
        return [f"{ind}if v is not None:\n", *body]

    def scalar_check(
        self, var: str, name: str, path: str, sink: str, read: bool = False
    ) -> tuple[str | None, str]:
        """(inline fast condition or None, statement reporting the violations into ``sink``).

        ``path`` is the body of an f-string naming the member (``{prefix(p)}resourceLimits``).
        """
        shape = self.ix.shapes[name]
        kind = shape["type"]
        lo, hi = shape.get("min"), shape.get("max")
        where = f'f"{path}"'
        self.constraints.add("prefix")
        if kind == "string" and "enum" in shape:
            self.enum_values.add(name)
            self.constraints.add("enum_violations")
            report = f"enum_violations({var}, {where}, {name}, {sink})"
            if read:  # a value as read is converted first: a valid one is a member by now
                return f"{var}.__class__ is {name}", report
            values = enum_values_name(name)
            return (
                f"(type({var}) is str and {var} in {values}) or {var}.__class__ is {name}",
                report,
            )
        if kind == "string":
            conds = [f"type({var}) is str", *self._bounds(f"len({var})", lo or None, hi)]
            pattern = "None"
            regex = translate(shape["pattern"]) if "pattern" in shape else None
            if regex is not None and regex not in MATCHES_EVERYTHING:
                pattern = pattern_name(name)
                self.patterns.add(pattern)
                if regex in LINE_PATTERNS:  # one line of ASCII text, else ask the pattern
                    nonempty = f' and {var} != ""' if LINE_PATTERNS[regex] > (lo or 0) else ""
                    conds.append(
                        f'(({var}.isascii() and "\\n" not in {var} and "\\r" not in {var}{nonempty}) '
                        f"or {pattern}.matches({var}))"
                    )
                else:  # strings already seen to match skip the regex engine
                    conds.append(f"({var} in {pattern}.known or {pattern}.matches({var}))")
            self.constraints.add("string_violations")
            return (
                " and ".join(conds),
                f"string_violations({var}, {where}, {lo}, {hi}, {pattern}, {sink})",
            )
        if kind in ("integer", "long"):
            self.constraints.add("int_violations")
            conds = [f"type({var}) is int", *self._bounds(var, lo, hi)]
            return " and ".join(conds), f"int_violations({var}, {where}, {lo}, {hi}, {sink})"
        if kind in ("float", "double"):
            self.constraints.add("float_violations")
            return None, f"float_violations({var}, {where}, {lo}, {hi}, {sink})"
        if kind == "boolean":
            self.constraints.add("bool_violations")
            return f"type({var}) is bool", f"bool_violations({var}, {where}, {sink})"
        if kind == "timestamp":
            self.constraints.add("timestamp_violations")
            return f"isinstance({var}, datetime)", f"timestamp_violations({var}, {where}, {sink})"
        raise ValueError(f"{name} ({kind}) is not a scalar shape")

    def value_check(
        self,
        var: str,
        name: str,
        path: str,
        ind: str,
        depth: int,
        lazy: str | None = None,
        read: bool = False,
    ) -> list[str]:
        """Statements checking ``var`` against shape ``name``, reporting into ``out``.

        ``path`` is an f-string body naming ``var``; ``lazy`` (when given) the items of a
        ``LazyPath`` tuple naming it, passed to nested structure checks instead of a string.
        """
        shape = self.ix.shapes[name]
        kind = shape["type"]
        lo, hi = shape.get("min"), shape.get("max")
        if kind == "structure":
            self.constraints.add("structure_violation")
            where = f"({lazy})" if lazy is not None else f'f"{path}."'
            return [
                f"{ind}if type({var}) is {name}:\n",
                f"{ind}    {var}._violations({where}, out)\n",
                f"{ind}else:\n",
                f'{ind}    out.append(structure_violation({var}, f"{path}", "{name}"))\n',
            ]
        if kind == "list":
            item, idx = f"item{depth}", f"i{depth}"
            self.constraints.add("list_violations")
            conds = [f"type({var}) is list", *self._bounds(f"len({var})", lo or None, hi)]
            size_check = [
                f"{ind}if {negate(' and '.join(conds))}:\n",
                f'{ind}    list_violations({var}, f"{path}", {lo}, {hi}, out)\n',
            ]
            if read and self.ix.shapes[shape["member"]["shape"]]["type"] == "structure":
                return size_check  # the items check themselves as they are read
            return [
                *size_check,
                f"{ind}if type({var}) is list:\n",
                f"{ind}    for {idx}, {item} in enumerate({var}, 1):\n",
                *self.value_check(
                    item,
                    shape["member"]["shape"],
                    f"{path}.{{{idx}}}.member",
                    ind + "        ",
                    depth + 1,
                    lazy=f"{lazy}, {idx}" if lazy is not None and depth == 0 else None,
                ),
            ]
        if kind == "map":
            self.constraints.update(("map_violations", "map_entry_violation"))
            conds = [f"type({var}) is dict", *self._bounds(f"len({var})", lo or None, hi)]
            k, val = f"k{depth}", f"mv{depth}"
            lines = [
                f"{ind}if {negate(' and '.join(conds))}:\n",
                f'{ind}    map_violations({var}, f"{path}", {lo}, {hi}, out)\n',
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
                    f'{inner}        out.append(map_entry_violation(f"{path}", {k}, {val}, '
                    f'"{part}", {errs}))\n',
                ]
            return lines
        cond, report = self.scalar_check(var, name, path, "out", read=read)
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

    # ------------------------------------------------------------ wire form

    def to_wire(self, name: str) -> str:
        members = list(self.ix.members(name))
        lines = ["\n    def _to_wire(self) -> dict[str, Any]:\n"]
        lines.append("        out: dict[str, Any] = {}\n")
        if members:
            lines.append("        v: Any\n")
        for member, target, _, _ in members:
            expr = self.wire_expr(target, "v", 0)
            lines.append(f"        if (v := self.{snake(member)}) is not None:\n")
            lines.append(f'            out["{member}"] = {expr}\n')
        lines.append("        return out\n")
        return "".join(lines)

    def wire_expr(self, name: str, var: str, depth: int) -> str:
        """An expression giving the wire form of ``var`` (not None) of shape ``name``; values
        of another type than declared pass through (``value_to_wire``)."""
        shape = self.ix.shapes[name]
        kind = shape["type"]
        if kind == "string" and "enum" in shape:
            self.codec.add("enum_to_wire")
            return (
                f"{var} if {var}.__class__ is str else "
                f"{var}._value_ if {var}.__class__ is {name} else enum_to_wire({var})"
            )
        if kind == "timestamp":
            self.codec.add("timestamp_to_wire")
            return f"timestamp_to_wire({var})"
        if kind == "structure":
            self.codec.add("value_to_wire")
            return f"{var}._to_wire() if {var}.__class__ is {name} else value_to_wire({var})"
        item = f"x{depth}"
        if kind == "list":
            inner = self.wire_expr(shape["member"]["shape"], item, depth + 1)
            copied = f"list({var})" if inner == item else f"[{inner} for {item} in {var}]"
            return f"{copied} if {var}.__class__ is list else {var}"
        if kind == "map":
            inner = self.wire_expr(shape["value"]["shape"], item, depth + 1)
            pairs = f"{{k{depth}: {inner} for k{depth}, {item} in {var}.items()}}"
            copied = f"dict({var})" if inner == item else pairs
            return f"{copied} if {var}.__class__ is dict else {var}"
        return var  # str, int, float, bool: sent as they are

    def from_wire(self, name: str, checked: bool, is_output: bool) -> str:
        """``_from_wire(data, p, out)``: each member read leniently and set on an instance made
        without ``__init__`` (``new_shape``), through the class's slot setters (``setters_name``): the members
        are set as attrs' own frozen ``__init__`` sets them, without the call, its keyword
        binding and the name lookups. So no request validates itself on the way; instead, a
        shape a request can hold, given ``out`` (a request being read by
        ``sagetune.codec.from_wire``), reports there every unknown member, wrong type and
        broken constraint as it reads them, in member order: the checks of ``_violations``,
        made on the values as read (one pass instead of a build and a walk)."""
        members = list(self.ix.members(name))
        names = [snake(member) for member, _, _, _ in members]
        if is_output:
            names.append("response_metadata")
        lines = [
            "\n    @staticmethod\n",
            "    def _from_wire(data: Any, p: LazyPath, out: list[Violation] | None) -> Any:\n",
            "        if data.__class__ is not dict and not isinstance(data, Mapping):\n",
        ]
        if checked:
            self.constraints.update(("structure_violation", "prefix"))
            self.codec.add("unknown_members")
            if members:
                self.wire_name_sets.append(name)
            lines += [
                "            if out is not None:  # the wrong type, reported where it is\n",
                f'                out.append(structure_violation(data, prefix(p)[:-1], "{name}"))\n',
                "            return data\n",
                f"        if out is not None and not {wire_names_name(name) + '.issuperset(data)' if members else 'data'}:\n",
                f"            unknown_members({name}, data, p, out)\n",
            ]
        else:
            lines.append("            return data  # the wrong type stays visible\n")
        if not names:
            return "".join([*lines, f"        return new_shape({name})\n"])
        self.setters.append(name)
        self.specs.add("slot_setters")
        setters = ", ".join(f"set_{n}" for n in names)
        lines.append(f"        {setters}{',' if len(names) == 1 else ''} = {setters_name(name)}\n")
        lines.append(f"        shape = new_shape({name})\n")
        body: list[str] = []
        for member, target, required, _ in members:
            lazy = f"p, {camel(member)!r}"
            source = f"data.get({member!r})"
            if checked:
                body += self.read_checked(member, target, required, source, lazy)
            else:
                body.append(
                    f"        set_{snake(member)}(shape, {self.value_expr(target, source, lazy)})\n"
                )
        if any(":=" in line or line.startswith("        v = ") for line in body):
            lines.append("        v: Any\n")
        lines += body
        if is_output:
            lines.append("        set_response_metadata(shape, None)\n")
        return "".join([*lines, "        return shape\n"])

    def read_checked(
        self, member: str, target: str, required: bool, source: str, lazy: str
    ) -> list[str]:
        """Statements reading ``member`` into ``v``, checking it when ``out`` is given (as
        ``_violations`` checks the attribute; a nested structure checks itself as it is
        read), and setting it, converted, on ``shape``."""
        shape = self.ix.shapes[target]
        kind = shape["type"]
        setter = f"set_{snake(member)}"
        path = "{prefix(p)}" + camel(member)
        if kind == "structure":
            lines = [f"        v = {self.value_expr(target, source, lazy)}\n"]
            if required:
                self.constraints.update(("missing", "prefix"))
                lines.append(
                    f'        if v is None and out is not None:\n            out.append(missing(f"{path}"))\n'
                )
            return [*lines, f"        {setter}(shape, v)\n"]
        if kind == "timestamp":  # checked once read (a number that is no date stays a number)
            lines = [f"        v = {self.value_expr(target, source, lazy)}\n"]
        elif kind == "string" and "enum" in shape:  # a known value becomes its member
            self.enum_values.add(target)
            values = enum_values_name(target)
            lines = [
                f"        v = {source}\n",
                f"        if v.__class__ is str:\n            v = {values}.get(v, v)\n",
            ]
        else:
            lines = [f"        v = {source}\n"]
        checks = "".join(self.member_check(target, path, lazy, required, read=True))
        if checks.startswith("        if v is not None"):  # optional: one condition
            lines.append(checks.replace("        if ", "        if out is not None and ", 1))
        elif checks:  # required: "missing" or the checks, under one test
            lines.append("        if out is not None:\n")
            lines += [f"    {line}\n" for line in checks.splitlines()]
        if kind == "list" and self.ix.shapes[shape["member"]["shape"]]["type"] == "structure":
            built = _items_from_wire(shape["member"]["shape"], lazy)
            return [*lines, f"        {setter}(shape, {built} if v.__class__ is list else v)\n"]
        if kind == "list":
            return [*lines, f"        {setter}(shape, list(v) if v.__class__ is list else v)\n"]
        if kind == "map":
            return [*lines, f"        {setter}(shape, dict(v) if v.__class__ is dict else v)\n"]
        return [*lines, f"        {setter}(shape, v)\n"]

    def value_expr(self, name: str, source: str, lazy: str) -> str:
        """An expression reading a member of shape ``name`` from ``source`` (a ``get(...)``)
        leniently: None stays None, and values of the wrong type are kept as they are."""
        shape = self.ix.shapes[name]
        kind = shape["type"]
        if kind == "string" and "enum" in shape:
            self.enum_values.add(name)
            values = enum_values_name(name)
            return f"{values}.get(v, v) if (v := {source}).__class__ is str else v"
        if kind == "timestamp":
            self.codec.add("timestamp_from_wire")
            return f"timestamp_from_wire({source})"
        if kind == "structure":
            return f"None if (v := {source}) is None else {name}._from_wire(v, ({lazy}), out)"
        if kind == "list":
            item = shape["member"]["shape"]
            item_kind = self.ix.shapes[item]["type"]
            if item_kind == "structure":
                built = _items_from_wire(item, lazy)
            elif item_kind in ("string", "integer", "long", "float", "double", "boolean") and (
                "enum" not in self.ix.shapes[item]
            ):
                built = "list(v)"
            else:
                raise ValueError(f"list {name}: items of {item} are not supported")
            return f"{built} if (v := {source}).__class__ is list else v"
        if kind == "map":
            for part in ("key", "value"):
                entry = self.ix.shapes[shape[part]["shape"]]
                if entry["type"] != "string" or "enum" in entry:
                    raise ValueError(f"map {name}: only plain string {part}s are supported")
            return f"dict(v) if (v := {source}).__class__ is dict else v"
        return source  # str, int, float, bool: kept as sent


def _items_from_wire(item: str, lazy: str) -> str:
    """A list of structures read item by item (``v`` the wire list), each with its index."""
    return f"[{item}._from_wire(x, ({lazy}, i), out) for i, x in enumerate(v, 1)]"


def emit_shapes(ix: ModelIndex) -> str:
    return _ShapesModule(ix).emit()
