"""Dependencies point one way: the engine never pulls in widgets or plotting."""
import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["helpers", "helpers.engine", "helpers.immunity", "helpers.law", "helpers.cli"])
def test_engine_modules_import_no_ui(module):
    code = (f"import sys, {module}; "
            "bad = [m for m in ('ipywidgets', 'plotly', 'IPython') if m in sys.modules]; "
            "print(','.join(bad)); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"{module} imports {out.stdout.strip()}"
