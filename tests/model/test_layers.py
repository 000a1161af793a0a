"""The generated model sits on a few foundation modules and below everything else.

Imports are read from the source (top-level, deferred and ``TYPE_CHECKING`` ones alike):

- foundation (``shape_base``, ``specs``, ``base_errors``, ``constraints``, ``codec``,
  ``protocol``): imports
  no other sagetune module outside the foundation;
- the generated model (``sagetune.model.*``): imports the foundation and itself only, not
  ``errors`` (which looks the model's errors up), ``paginate``, ``waiters`` or the clients;
- none of these, nor ``errors``, ``rules``, ``paginate``, ``waiters`` and the generated
  ``client_methods``, is part of an import cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

SDK = Path(__file__).resolve().parents[2] / "sdk"
FOUNDATION = {
    "sagetune.shape_base",
    "sagetune.specs",
    "sagetune.base_errors",
    "sagetune.constraints",
    "sagetune.codec",
    "sagetune.protocol",
}
CHECKED = FOUNDATION | {
    "sagetune.errors",
    "sagetune.rules",
    "sagetune.paginate",
    "sagetune.waiters",
    "sagetune.client_methods",
}


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(SDK).with_suffix("").parts)
    return name.removesuffix(".__init__")


MODULES = {module_name(path): path for path in (SDK / "sagetune").rglob("*.py")}


def imports_of(name: str) -> set[str]:
    """Every sagetune module ``name`` imports, wherever the import statement is."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found |= {t for t in targets if t in MODULES and t != name and t != "sagetune"}
    return found


def in_model(name: str) -> bool:
    return name == "sagetune.model" or name.startswith("sagetune.model.")


def test_the_foundation_imports_only_the_foundation() -> None:
    strays = {name: imports_of(name) - FOUNDATION for name in FOUNDATION}
    assert strays == {name: set() for name in FOUNDATION}


def test_the_generated_model_imports_only_itself_and_the_foundation() -> None:
    model = [name for name in MODULES if in_model(name)]
    strays = {
        name: {i for i in imports_of(name) if not in_model(i) and i not in FOUNDATION}
        for name in model
    }
    assert strays == {name: set() for name in model}


def test_no_import_cycle_goes_through_the_model_or_its_neighbours() -> None:
    nodes = CHECKED | {name for name in MODULES if in_model(name)}
    graph = {name: imports_of(name) & nodes for name in nodes}

    def reaches(start: str, goal: str) -> bool:
        seen: set[str] = set()
        stack = list(graph[start])
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(graph[node])
        return False

    cyclic = sorted(name for name in nodes if reaches(name, name))
    assert cyclic == []
