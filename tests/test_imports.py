"""The import graph: no circles, no module importing a test module, and imports flowing
theory <- reference <- properties / runner.

The graph is read from the source with ast (every ``import`` and ``from ... import``,
at module level or inside a function), over the files of the checkout under the names
they install as (pyproject.toml maps theory/, reference/ and properties/ into convproof).
The product code is everything but tests/ and properties/test_*.py; a test module is a
``test_*.py`` file of tests/ or properties/.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

pytestmark = pytest.mark.machinery

ROOT = Path(__file__).resolve().parent.parent

#: Folder of the checkout -> the package it installs as.
PACKAGES = {"theory": "convproof.theory", "reference": "convproof.reference",
            "properties": "convproof.properties", "convproof": "convproof", "bench": "bench",
            "tests": "tests"}

#: The layers, lowest first: a product module may import its own layer and those below.
LAYERS = ("convproof.theory", "convproof.reference", "convproof.properties")

#: What properties/ may hold besides test_*.py: the shared strategies.
STRATEGIES = {"__init__.py", "strategies.py", "packed.py", "layouts.py", "conv_strategies.py"}


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Every .py file of the checkout's packages (and the root conftest) by module name."""
    found = {"conftest": root / "conftest.py"} if (root / "conftest.py").is_file() else {}
    for folder, package in PACKAGES.items():
        for path in sorted((root / folder).glob("*.py")):
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            found[name] = path
    return found


def is_test_module(name: str) -> bool:
    return name.rpartition(".")[2].startswith("test_")


def is_product(name: str) -> bool:
    return not (name == "tests" or name.startswith("tests.")
                or (name.startswith("convproof.properties.") and is_test_module(name)))


def imports(name: str, path: Path, known: Iterable[str]) -> set[str]:
    """The known modules that the module ``name`` (file ``path``) imports: the module each
    statement names, and for ``from M import n`` also M.n when that is a module."""
    known = set(known)
    package = name if path.stem == "__init__" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found |= {t for t in targets if t in known}
    return found - {name}


def graph(files: dict[str, Path]) -> dict[str, set[str]]:
    return {name: imports(name, path, files) for name, path in files.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: the strongly connected components of more than one module
    (Tarjan's algorithm), each sorted, plus any module that imports itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in edges.get(v, ()):
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def layer_of(name: str) -> int | None:
    """The position of the module's layer in LAYERS; None for the runner and the rest."""
    for position, prefix in enumerate(LAYERS):
        if name == prefix or name.startswith(prefix + "."):
            return position
    return None


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Product imports against the flow theory <- reference <- properties / runner: a
    layered module importing a higher layer or the runner (convproof.*, bench)."""
    wrong = []
    for source, targets in edges.items():
        if not is_product(source) or layer_of(source) is None:
            continue
        for target in targets:
            if not is_product(target):
                continue  # test modules: test_no_module_imports_a_test_module
            level = layer_of(target)
            if level is None or level > layer_of(source):  # type: ignore[operator]
                wrong.append(f"{source} -> {target}")
    return sorted(wrong)


FILES = module_files()
EDGES = graph(FILES)
PRODUCT = {name: {t for t in targets if is_product(t)} for name, targets in EDGES.items()
           if is_product(name)}


def test_the_graph_is_read():
    assert "convproof.reference.oracles" in FILES
    assert "convproof.theory.indices" in EDGES["convproof.reference.oracles"] or \
        "convproof.reference.loops" in EDGES["convproof.reference.oracles"]
    assert "convproof.plugin" in EDGES["convproof.summary"] or EDGES["convproof.plugin"]


def test_no_import_circles_in_the_product_code():
    assert cycles(PRODUCT) == []


def test_no_module_imports_a_test_module():
    """Not the product code, not a property module, not a machinery test: what two test
    modules share lives in a module that is not a test (tests/catalogue.py, reference/,
    theory/)."""
    wrong = sorted(f"{source} -> {target}" for source, targets in EDGES.items()
                   for target in targets if is_test_module(target))
    assert wrong == []


def test_imports_flow_from_theory_to_reference_to_properties_and_runner():
    assert upward(EDGES) == []


def test_properties_holds_only_properties_and_strategies():
    names = {p.name for p in (ROOT / "properties").glob("*.py")}
    assert {n for n in names if not n.startswith("test_")} <= STRATEGIES
    assert all((ROOT / "properties").glob("test_*.py"))


# --- the checks can fail ----------------------------------------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> dict[str, set[str]]:
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return graph(module_files(tmp_path))


def test_a_circle_is_found(tmp_path):
    edges = _package(tmp_path, {
        "theory/__init__.py": "",
        "theory/a.py": "from convproof.theory import b\n",
        "theory/b.py": "def f():\n    from convproof.theory.c import g\n",
        "theory/c.py": "import convproof.theory.a\n",
        "theory/d.py": "from convproof.theory.a import x\n",
    })
    assert cycles(edges) == [["convproof.theory.a", "convproof.theory.b", "convproof.theory.c"]]


def test_a_relative_import_is_read(tmp_path):
    edges = _package(tmp_path, {"reference/__init__.py": "", "reference/a.py": "from . import b\n",
                                "reference/b.py": "from .a import x\n"})
    assert cycles(edges) == [["convproof.reference.a", "convproof.reference.b"]]


def test_an_upward_import_and_a_test_import_are_found(tmp_path):
    edges = _package(tmp_path, {
        "theory/__init__.py": "", "theory/a.py": "from convproof.reference.b import f\n",
        "reference/__init__.py": "", "reference/b.py": "from convproof.harness import call\n",
        "convproof/__init__.py": "", "convproof/harness.py": "",
        "properties/__init__.py": "", "properties/strategies.py": "",
        "properties/test_x.py": "", "reference/c.py": "from convproof.properties.test_x import y\n",
    })
    assert upward(edges) == ["convproof.reference.b -> convproof.harness",
                             "convproof.theory.a -> convproof.reference.b"]
    assert "convproof.properties.test_x" in edges["convproof.reference.c"]
