"""Import what the app's pages import, once, when the server starts (`serve.py`).

A page's first run in a new server process otherwise imports its modules itself: pandas, Plotly, SQLAlchemy,
Alembic, openpyxl and the app's own, about a second of CPU that the first visitor (or the first Executive member
to open the dashboard) waits for. Done before the server answers its health check, it is paid before anyone is
sent to the server.

The modules are read from the import statements of `app.py` and `pages/*.py` (with `__import__` and the names
imported from each, as the statement itself would), so a page that imports something new is covered without a
list to keep up to date.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def page_imports(root: Path = ROOT) -> Iterator[tuple[str, list[str]]]:
    """(module, names imported from it) for each absolute import statement in app.py and the pages."""
    for script in [root / "app.py", *sorted((root / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"), filename=str(script))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name, []
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                yield node.module, [alias.name for alias in node.names if alias.name != "*"]


def import_page_modules(root: Path = ROOT) -> int:
    """Import every module the pages import; returns how many import statements were run."""
    count = 0
    for module, names in page_imports(root):
        __import__(module, fromlist=names)
        count += 1
    return count
