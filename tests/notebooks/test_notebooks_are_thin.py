"""Notebooks stay thin and clean: narrative plus short calls into helpers/, committed without outputs."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = ["00_start_here", "01_deshaney", "02_special_relationship", "03_state_created_danger",
            "04_culpability", "05_circuit_lab", "06_qualified_immunity", "07_capstone"]


def test_the_lesson_series_is_complete():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_logic_lives_in_helpers_not_in_the_notebook(path):
    nb = json.loads(path.read_text())
    code = [("".join(c["source"]) if isinstance(c["source"], list) else c["source"])
            for c in nb["cells"] if c["cell_type"] == "code"]
    prose = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert len(prose) >= 3, "a lesson needs narrative"
    for src in code:
        assert not re.search(r"^\s*(def|class)\s", src, re.M), f"{path.name}: define logic in helpers/"
        lines = [ln for ln in src.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        assert len(lines) <= 12, f"{path.name}: a code cell of {len(lines)} lines is not thin"
        assert "eval(" not in src and "exec(" not in src
