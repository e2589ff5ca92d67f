"""What Run All leaves on the page, checked without a browser: each notebook's code cells run in
order in one namespace (as a kernel would), with the progress store in a temporary folder.

- every lab placed after a prediction is still held back (Run All makes no prediction);
- lesson 06's QI lab is left as it opened, which is what the lesson's text describes."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PLACED = re.compile(r'^exercise\("(\w+)", "(\w+)"\)$', re.M)
HELD = re.compile(r'^after_prediction\("(\w+)", "(\w+)", (\w+)\)$', re.M)


def code_cells(path: Path) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_each_prediction_is_placed_once_and_holds_back_the_next_lab(path):
    from helpers.exercises import PLACED_ON_THEIR_OWN, load_lesson

    cells = code_cells(path)
    lesson = path.stem
    predictions = [ex.id for ex in load_lesson(lesson).exercises if ex.type in PLACED_ON_THEIR_OWN]
    placed = [(i, m.groups()) for i, src in enumerate(cells) for m in PLACED.finditer(src)]
    assert [ids for _, ids in placed] == [(lesson, p) for p in predictions], "each prediction placed exactly once"
    for i, ids in placed:
        held = HELD.search(cells[i + 1])
        assert held and held.groups()[:2] == ids, f"the cell after {ids[1]} must show its lab through after_prediction"


def run_all(path: Path, monkeypatch, tmp_path) -> dict:
    monkeypatch.setenv("DESHANEY_PROGRESS_DB", str(tmp_path / "progress.sqlite3"))
    monkeypatch.setenv("DESHANEY_STUDENT", "run-all")
    monkeypatch.chdir(path.parent)
    namespace: dict = {"__name__": "__main__"}
    shown = []
    for src in code_cells(path):
        body = compile(src, str(path), "exec")
        exec(body, namespace)  # noqa: S102 - the notebook's own cells, as a kernel runs them
        last = src.strip().splitlines()[-1]
        if HELD.match(last):  # the value the cell displays
            shown.append(eval(last, namespace))  # noqa: S307
    namespace["_shown"] = shown
    return namespace


@pytest.mark.parametrize("name", ["00_start_here", "06_qualified_immunity"])
def test_after_run_all_the_lab_is_still_held_back(name, monkeypatch, tmp_path):
    ns = run_all(ROOT / "notebooks" / f"{name}.ipynb", monkeypatch, tmp_path)
    [gate] = ns["_shown"]
    assert gate.lab not in gate.children and "held back" in gate.children[0].value


def test_lesson_06_leaves_its_qi_lab_as_it_opened(monkeypatch, tmp_path):
    from helpers.qilab import PICK_NONE, qi_lab

    ns = run_all(ROOT / "notebooks" / "06_qualified_immunity.ipynb", monkeypatch, tmp_path)
    lab, fresh = ns["lab"], qi_lab()
    assert lab.facts == fresh.facts
    assert lab.generality.value == fresh.generality.value
    assert lab.precedent_pick.value == PICK_NONE and not lab.spar_toggle.value and lab.spar_panel.value == ""
    assert lab.case_menu.value == fresh.case_menu.value == "kennedy_v_ridgefield_2006"
    assert lab.result.value == fresh.result.value
