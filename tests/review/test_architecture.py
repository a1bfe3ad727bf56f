"""The core's shape: review/ never imports streamlit or ui, its modules import one way (no cycle), nothing is
imported by name at run time, every public function says what it does, and the type checker is clean."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "review"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, tuple[Path, ast.Module]]:
    return {_module_name(p): (p, ast.parse(p.read_text(encoding="utf-8"), filename=str(p)))
            for p in sorted(CORE.rglob("*.py"))}


MODULES = _modules()
MODULE_NAMES = set(MODULES)


def _imported(name: str, path: Path, tree: ast.Module) -> set[str]:
    """Every module an `import` or `from ... import` in the file names, relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # `from pkg import module` names the module, `from pkg import name` pkg
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULE_NAMES else base)
    return found


def import_graph() -> dict[str, set[str]]:
    """review module -> the review modules it imports (a package counts as its __init__)."""
    return {name: {m for m in _imported(name, path, tree) if m in MODULES and m != name}
            for name, (path, tree) in MODULES.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None (depth-first search with colours)."""
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in colour and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        colour[node] = 2
        return None

    for start in sorted(graph):
        if start not in colour and (cycle := visit(start)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_and_accepts_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_review_has_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_review_imports_neither_streamlit_nor_ui():
    offenders = sorted(f"{name} imports {m}" for name, (path, tree) in MODULES.items()
                       for m in _imported(name, path, tree)
                       if m.split(".")[0] in {"streamlit", "ui", "pages"})
    assert offenders == []


def test_review_has_no_dynamic_import():
    offenders = []
    for name, (path, tree) in MODULES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "__import__":
                offenders.append(f"{name}:{node.lineno} __import__")
            elif isinstance(node, ast.Attribute) and node.attr in {"import_module", "find_spec"}:
                offenders.append(f"{name}:{node.lineno} {node.attr}")
        offenders += [f"{name} imports {m}" for m in _imported(name, path, tree) if m.split(".")[0] == "importlib"]
    assert offenders == []


def test_every_public_core_function_has_a_docstring():
    missing = []
    for name, (_, tree) in MODULES.items():
        for node in tree.body:
            functions = [node] if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else []
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                functions = [f for f in node.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)]
                functions = [f for f in functions if not any(
                    isinstance(d, ast.Name) and d.id == "property" or isinstance(d, ast.Attribute) for d in
                    f.decorator_list)]
            missing += [f"{name}.{f.name}" for f in functions
                        if not f.name.startswith("_") and ast.get_docstring(f) is None]
    assert missing == []


def test_mypy_is_clean_over_review():
    """The type checker (a dev requirement) with the settings in pyproject.toml [tool.mypy]."""
    result = subprocess.run([sys.executable, "-m", "mypy", "review"], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_no_module_reaches_into_another_modules_private_names():
    offenders = []
    for name, (_path, tree) in MODULES.items():
        bound: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("review"):
                offenders += [f"{name} imports {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
                bound.update(a.asname or a.name for a in node.names)
            elif isinstance(node, ast.Import):
                bound.update(a.asname or a.name.split(".")[0] for a in node.names if a.name.startswith("review"))
        offenders += [f"{name}:{node.lineno} {node.value.id}.{node.attr}" for node in ast.walk(tree)
                      if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                      and node.value.id in bound and node.attr.startswith("_") and not node.attr.startswith("__")]
    assert offenders == []


def test_every_models_module_is_imported_for_its_tables():
    """review/models/__init__.py imports each models module by name, so a new one left out would have no tables in
    Base.metadata (migrations, backups and the tests' database copies would miss them)."""
    init = (CORE / "models" / "__init__.py").read_text(encoding="utf-8")
    modules = {p.stem for p in (CORE / "models").glob("*.py")} - {"__init__", "base"}
    assert [m for m in sorted(modules) if f"    {m},\n" not in init] == []


def test_importing_the_core_keeps_text_columns_in_python_storage():
    """review/__init__.py sets pandas' string storage for every entry point (a fifth off a cold page run); a fresh
    interpreter that imports any part of the core makes frames whose text is kept in Python objects, not Arrow."""
    probe = ("import pandas as pd; before = pd.Series(['a']).array.dtype.storage; "
             "import review.plan.tasks; print(before, pd.Series(['a']).array.dtype.storage)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["pyarrow", "python"]
