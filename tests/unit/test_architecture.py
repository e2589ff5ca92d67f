"""Dependencies point one way: the engine never pulls in widgets or plotting, no module of helpers/
sits in an import circle, every import points down a floor, and no module takes another's private
names."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("module", ["helpers", "helpers.engine", "helpers.immunity", "helpers.law", "helpers.cli",
                                    "helpers.exercises", "helpers.exercises.grading"])
def test_engine_modules_import_no_ui(module):
    code = (f"import sys, {module}; "
            "bad = [m for m in ('ipywidgets', 'plotly', 'IPython') if m in sys.modules]; "
            "print(','.join(bad)); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"{module} imports {out.stdout.strip()}"


# --- the import graph: no circles, and every import points down a floor --------------------------

ROOT = Path(__file__).resolve().parents[2]

#: The floors, lowest first. A module may import from its own floor or any floor below it, never
#: from a floor above. Every module of helpers/ and helpers/exercises/ stands on exactly one floor.
FLOORS = (
    ("reading files", {"helpers.loading", "helpers.lite", "helpers.readings", "helpers.saving"}),
    ("facts and saved answers", {"helpers.facts", "helpers.progress", "helpers.memos"}),
    ("rules", {"helpers.rules"}),
    ("law", {"helpers.law"}),
    ("analogy", {"helpers.analogy", "helpers.casebase"}),
    ("immunity (prong two)", {"helpers.immunity"}),
    ("engine", {"helpers.engine", "helpers", "helpers.fidelity", "helpers.claims", "helpers.custody_table"}),
    ("the exercise model", {"helpers.exercises.model", "helpers.exercises.schema", "helpers.exercises.contested"}),
    ("per-type rules and the engine's reasons", {"helpers.exercises.argue", "helpers.exercises.characterise",
                                                 "helpers.exercises.predict", "helpers.exercises.reasons"}),
    ("grading, reading banks, choice order", {"helpers.exercises.grading", "helpers.exercises.bank",
                                              "helpers.exercises.order", "helpers.exercises.audit"}),
    ("rendering", {"helpers.rendering", "helpers.cards", "helpers.classreport"}),
    ("widgets", {"helpers.cases", "helpers.projector", "helpers.tablewidget", "helpers.widgets", "helpers.qilab"}),
    ("exercise widgets", {"helpers.exercises.presentation", "helpers.exercises.widgets", "helpers.exercises.handin",
                          "helpers.exercises.naming",
                          "helpers.exercises"}),
    ("command line", {"helpers.cli", "helpers.exercises.commands", "helpers.__main__", "helpers.demo"}),
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, tuple[str, bool]]:
    """Each helpers module's name -> (its source, whether it is a package's __init__)."""
    files = sorted((ROOT / "helpers").glob("*.py")) + sorted((ROOT / "helpers" / "exercises").glob("*.py"))
    return {_module_name(p): (p.read_text(encoding="utf-8"), p.name == "__init__.py") for p in files}


def _imports(name: str, source: str, is_package: bool, modules: set[str]) -> list[tuple[str, str | None, str]]:
    """Every import in a module, at the top or inside a function: (target module, name imported
    from it or None, the name it is bound to). Relative imports are resolved; `from pkg import mod`
    targets the module."""
    package = name if is_package else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(a.name, None, a.asname or a.name.split(".")[0]) for a in node.names
                    if a.name.split(".")[0] == "helpers"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "helpers":
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                out.append((sub, None, a.asname or a.name) if sub in modules else (target, a.name, a.asname or a.name))
    return out


def import_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    modules = set(sources)
    return {name: {t for t, _, _ in _imports(name, src, pkg, modules) if t != name and t in modules}
            for name, (src, pkg) in sources.items()}


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def upward_imports(graph: dict[str, set[str]], floors=FLOORS) -> list[str]:
    floor_of = {m: i for i, (_, members) in enumerate(floors) for m in members}
    return [f"{a} (floor '{floors[floor_of[a]][0]}') imports {b} (floor '{floors[floor_of[b]][0]}', higher)"
            for a in sorted(graph) for b in sorted(graph[a])
            if a in floor_of and b in floor_of and floor_of[b] > floor_of[a]]


def underscore_imports(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """Private names taken from another module: `from x import _y`, or `x._y` where x names a
    helpers module imported into this one."""
    modules = set(sources)
    out = []
    for name, (src, pkg) in sources.items():
        aliases = {}  # a name bound to a helpers module in this one
        for target, imported, bound in _imports(name, src, pkg, modules):
            if imported and imported.startswith("_") and not imported.startswith("__") and target != name:
                out.append(f"{name}: from {target} import {imported}")
            if imported is None and target in modules and target != name:
                aliases[bound] = target
        for node in ast.walk(ast.parse(src)):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and node.attr.startswith("_") and not node.attr.startswith("__")
                    and aliases[node.value.id] != name):
                out.append(f"{name}: {node.value.id}.{node.attr} (private to {aliases[node.value.id]})")
    return sorted(set(out))


def test_every_module_stands_on_exactly_one_floor():
    placed = [m for _, members in FLOORS for m in members]
    assert len(placed) == len(set(placed)), "a module is on two floors"
    modules = set(_sources())
    assert modules - set(placed) == set(), "put each new module on a floor in FLOORS"
    assert set(placed) - modules == set(), "FLOORS names modules that no longer exist"


def test_no_import_cycles_among_helpers_modules():
    assert cycles(import_graph(_sources())) == []


def test_every_import_points_down_a_floor():
    assert upward_imports(import_graph(_sources())) == []


def test_no_module_takes_another_modules_private_names():
    assert underscore_imports(_sources()) == []


def test_the_exercises_package_init_only_hands_names_on():
    """helpers/exercises/__init__.py re-exports its modules' names; the code lives in one module per job."""
    tree = ast.parse((ROOT / "helpers" / "exercises" / "__init__.py").read_text(encoding="utf-8"))
    kinds = {type(node).__name__ for node in tree.body} - {"Expr", "ImportFrom", "Assign"}
    assert kinds == set(), f"__init__ defines code ({', '.join(sorted(kinds))}); put it in the module for its job"
    assigned = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets}
    assert assigned <= {"__all__"}


# The checks themselves can fail: each run against a small made-up package.

def _synthetic(files: dict[str, str]) -> dict[str, tuple[str, bool]]:
    return {name: (src, name == "helpers" or name.endswith(".pkg")) for name, src in files.items()}


def test_the_cycle_check_finds_a_cycle_through_a_function_local_relative_import():
    graph = import_graph(_synthetic({
        "helpers.a": "from .b import f\n",
        "helpers.b": "def f():\n    from .c import g\n",
        "helpers.c": "from helpers import a\n",
        "helpers.d": "from . import a\n",
        "helpers.pkg": "from ..a import f\n",  # a package's __init__: `..` is helpers
    }))
    assert graph["helpers.pkg"] == {"helpers.a"}
    assert cycles(graph) == [{"helpers.a", "helpers.b", "helpers.c"}]
    graph["helpers.c"] = set()
    assert cycles(graph) == []


def test_the_floor_check_finds_an_import_from_a_higher_floor():
    floors = (("low", {"helpers.a"}), ("high", {"helpers.b"}))
    assert upward_imports({"helpers.a": set(), "helpers.b": {"helpers.a"}}, floors) == []
    found = upward_imports({"helpers.a": {"helpers.b"}, "helpers.b": set()}, floors)
    assert found == ["helpers.a (floor 'low') imports helpers.b (floor 'high', higher)"]


def test_the_private_name_check_finds_both_forms():
    found = underscore_imports(_synthetic({
        "helpers.a": "def _x(): pass\ndef y(): return _x()\n",
        "helpers.b": "from .a import _x, y\n",
        "helpers.c": "from . import a\nimport helpers.a as other\nfrom helpers import a as a2\n"
                     "z = a._x() + other._x() + a2._x() + a.__name__\n",
        "helpers.d": "from .a import y\n",
    }))
    assert found == ["helpers.b: from helpers.a import _x", "helpers.c: a._x (private to helpers.a)",
                     "helpers.c: a2._x (private to helpers.a)", "helpers.c: other._x (private to helpers.a)"]
