"""serve.py imports what the pages import before the server answers its health check (deploy/warm_up.py), so a
page's first run in a new process imports nothing more."""
from __future__ import annotations

import subprocess
import sys

from deploy.warm_up import ROOT, page_imports

# In a fresh interpreter: the modules that running every page's import statements adds, after `import serve`
# (or, for comparison, with nothing imported first).
PROBE = """
import sys
from deploy.warm_up import page_imports
if {serve}:
    import serve
before = set(sys.modules)
for module, names in page_imports():
    __import__(module, fromlist=names)
print(len(set(sys.modules) - before))
"""


def _modules_a_first_run_adds(serve: bool) -> int:
    out = subprocess.run([sys.executable, "-c", PROBE.format(serve=serve)], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=120)
    return int(out.stdout.split()[-1])


def test_the_pages_import_statements_are_all_found():
    found: dict[str, set[str]] = {}
    for module, names in page_imports():
        found.setdefault(module, set()).update(names)
    assert "streamlit" in found and "setup_page" in found["ui.page"]
    assert "show_tiles" in found["ui.dashboard_components"]  # the Executive dashboard's
    pages = len(list((ROOT / "pages").glob("*.py")))
    assert sum(1 for module, names in page_imports() if module == "ui.page" and "setup_page" in names) == pages + 1


def test_after_serve_is_imported_a_first_page_run_imports_nothing_more():
    assert _modules_a_first_run_adds(serve=False) > 500  # pandas, Plotly, SQLAlchemy, the app's own...
    assert _modules_a_first_run_adds(serve=True) == 0
